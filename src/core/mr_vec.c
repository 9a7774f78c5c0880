/* mr_vec.c: growth of the generic vectors of mr_vec.h. */
#include "core/mr_vec.h"

int mr__vec_reserve(void **data, size_t *cap, size_t need, size_t elsize)
{
	size_t ncap;
	void *p;

	if (need <= *cap)
		return MR_OK;
	ncap = *cap < 8 ? 8 : *cap + *cap / 2;
	if (ncap < need)
		ncap = need;
	if (ncap > (size_t)-1 / elsize)
		return MR_ENOMEM;
	p = mr_realloc(*data, ncap * elsize);
	if (!p)
		return MR_ENOMEM;
	*data = p;
	*cap = ncap;
	return MR_OK;
}
