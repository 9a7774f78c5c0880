/* mr_text.c: small text helpers (see mr_text.h). */
#include <ctype.h>
#include <string.h>

#include "core/mr_text.h"

char *mr__trim(char *s)
{
	char *e;
	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}
