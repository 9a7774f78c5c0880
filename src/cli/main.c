/* main.c: placeholder while the CLI is written. */
#include <stdio.h>
int main(void)
{
	fputs("meridian: not yet\n", stderr);
	return 1;
}
