/* mr_text.h: small text helpers shared by the line-oriented readers. */
#ifndef MERIDIAN_MR_TEXT_H
#define MERIDIAN_MR_TEXT_H

/* s without its leading and trailing white space (isspace), trimmed in place. */
char *mr__trim(char *s);

#endif
