/* mr_report_int.h: report pieces the server shares with mr_report.c. Internal. */
#ifndef MERIDIAN_MR_REPORT_INT_H
#define MERIDIAN_MR_REPORT_INT_H

#include <jansson.h>
#include "meridian/mr_net.h"
#include "meridian/mr_route.h"

/* One route as the JSON object of the output contract (DESIGN.md), geometry included. */
json_t *mr__route_json(const mr_net *net, const mr_route *r);

#endif
