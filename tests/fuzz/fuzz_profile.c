/*
 * fuzz_profile.c - libFuzzer target for the profile decoder and the text
 * reports: any input must decode or fail with a message, and a decoded
 * profile must survive top, peek, traces, a merge with itself and an
 * encode/decode round trip, without a crash, a leak or a hang.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pprof/profile.h"
#include "pprof/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pf_err err = { 0 };
	struct pf_report_opts o;
	struct pf_buf out = PF_BUF_INIT, enc = PF_BUF_INIT;
	struct pf_profile *p, *m, *q;
	struct pf_profile *two[2];

	p = pf_profile_decode(data, size, &err);
	if (!p) {
		if (err.msg[0] == '\0')
			__builtin_trap(); /* a failure must say why */
		return 0;
	}
	pf_report_opts_init(&o);
	pf_report_top(p, &o, &out, &err);
	o.cum = 1;
	o.nodecount = 3;
	o.focus = "a";
	o.hide = "b";
	pf_report_top(p, &o, &out, &err);
	pf_report_opts_init(&o);
	pf_report_peek(p, ".", &o, &out, &err);
	pf_report_traces(p, &o, &out, &err);
	two[0] = p;
	two[1] = p;
	m = pf_report_merge(two, 2, &err);
	if (m)
		pf_report_top(m, &o, &out, &err);
	q = pf_report_with_base(p, p, 1, &err);
	if (q)
		pf_report_top(q, &o, &out, &err);
	if (pf_profile_encode(p, 0, &enc, &err) == 0) {
		struct pf_profile *r = pf_profile_decode(enc.data, enc.len, &err);

		if (!r)
			__builtin_trap(); /* what we encode must decode */
		pf_profile_free(r);
	}
	pf_profile_free(q);
	pf_profile_free(m);
	pf_profile_free(p);
	pf_buf_release(&out);
	pf_buf_release(&enc);
	return 0;
}
