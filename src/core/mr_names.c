/* mr_names.c: lookups in enum name tables. */
#include <string.h>

#include "core/mr_names.h"

int mr__name_index(const char *const *names, int n, const char *s)
{
	int i;
	for (i = 0; s && i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

const char *mr__name_of(const char *const *names, int n, int i)
{
	return i >= 0 && i < n ? names[i] : "?";
}
