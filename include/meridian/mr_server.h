/* mr_server.h: the HTTP server (docs/http-api.md): OSRM-compatible route, table and nearest
 * services, Meridian's own API, and the web page, over libmicrohttpd. */
#ifndef MERIDIAN_MR_SERVER_H
#define MERIDIAN_MR_SERVER_H

#include <stdio.h>
#include "meridian/mr_claims.h"
#include "meridian/mr_core.h"
#include "meridian/mr_corridor.h"
#include "meridian/mr_net.h"

typedef struct mr_server_opts {
	const char *bind;         /* IPv4 address; default 127.0.0.1 */
	int port;                 /* 0: a free port (mr_server_port tells which) */
	int threads;              /* worker threads; <= 0: the number of online CPUs */
	const mr_net *net;        /* must outlive the server */
	const mr_corridor_set *corridors; /* may be NULL: /api/v1/compare then answers 503 */
	const mr_claim_set *claims;       /* may be NULL */
	const char *scenario_dir; /* the shipped scenarios, read at start; may be NULL */
	const char *web_dir;      /* static files, read into memory at start; may be NULL */
	const char *atlas_path;   /* for format=html reports; may be NULL */
	const char *cors_origin;  /* Access-Control-Allow-Origin, or NULL */
	FILE *access_log;         /* one line per request, or NULL */
} mr_server_opts;

typedef struct mr_server mr_server;

/* Read the scenarios and web files, bind and start the worker threads. Errors: MR_EIO (cannot
 * bind, unreadable web or scenario folder), MR_EINVAL (bad address), MR_ENOMEM. */
MR_API int mr_server_start(const mr_server_opts *o, mr_server **out, mr_error *err);
MR_API int mr_server_port(const mr_server *s);
/* Stop accepting, finish the requests in flight, join the threads, free everything. */
MR_API void mr_server_stop(mr_server *s);

/* Encoded polyline (Google's algorithm, as OSRM uses) of n lon/lat points at 10^-precision
 * degrees (5 or 6), into a new string (mr_free). */
MR_API char *mr_polyline_encode(const double *lonlat, size_t n, int precision);

#endif
