/* mr_names.h: lookups in the name tables that the X-macro enums generate. */
#ifndef MERIDIAN_MR_NAMES_H
#define MERIDIAN_MR_NAMES_H

/* Index of s in names[0..n), or -1. */
int mr__name_index(const char *const *names, int n, const char *s);
/* names[i] for 0 <= i < n, else "?". */
const char *mr__name_of(const char *const *names, int n, int i);

#endif
