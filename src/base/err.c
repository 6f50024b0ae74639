/* err.c - formatting of error messages (see err.h). */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int pf_err_set(struct pf_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

void pf_err_prefix(struct pf_err *err, const char *prefix)
{
	size_t plen, mlen, cap;

	if (!err)
		return;
	/* Shift the message right and put "prefix: " in front, truncating
	 * the tail if the whole does not fit. */
	cap = sizeof(err->msg) - 1;
	plen = strlen(prefix) + 2;
	if (plen > cap)
		plen = cap;
	mlen = strnlen(err->msg, cap);
	if (mlen > cap - plen)
		mlen = cap - plen;
	memmove(err->msg + plen, err->msg, mlen);
	err->msg[plen + mlen] = '\0';
	memcpy(err->msg, prefix, plen >= 2 ? plen - 2 : plen);
	if (plen >= 2) {
		err->msg[plen - 2] = ':';
		err->msg[plen - 1] = ' ';
	}
}

int pf_err_exit_status(int code)
{
	if (code == 0)
		return 0;
	if (code == PF_EUSAGE || code == PF_EINPUT)
		return 2;
	return 1;
}
