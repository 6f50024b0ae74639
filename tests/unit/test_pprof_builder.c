/* test_pprof_builder.c - raw stacks to a symbolized profile (builder.h),
 * on addresses of this test program itself. */
#include "pprof/builder.h"
#include "pprof/functab.h"
#include "pprof/symbolize.h"
#include "base/str.h"

#include <fcntl.h>
#include <gelf.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "t.h"

static const struct pf_value_type types[2] = {
	{ "samples", "count" },
	{ "cpu", "nanoseconds" },
};
static const struct pf_value_type period_type = { "cpu", "nanoseconds" };

__attribute__((noinline)) static uintptr_t get_ra(void)
{
	uintptr_t ra = (uintptr_t)__builtin_return_address(0);

	__asm__ volatile("" ::: "memory");
	return ra;
}

/* The call to get_ra() is inlined into its callers: its return address
 * lies in an inlined frame of inlined_helper. */
static volatile int sink;
static const int inlined_call_line = __LINE__ + 4;
static inline __attribute__((always_inline)) uintptr_t inlined_helper(void)
{
	sink += 3;
	return get_ra() + 0;
}

static const int outer_call_line = __LINE__ + 4;
__attribute__((noinline)) static uintptr_t outer_caller(void)
{
	sink += 5;
	uintptr_t r = inlined_helper();

	sink += 7;
	return r;
}

static const int plain_call_line = __LINE__ + 4;
__attribute__((noinline)) static uintptr_t plain_caller(void)
{
	sink += 11;
	uintptr_t r = get_ra();

	sink += 13;
	return r;
}

static const struct pf_function *line_func(const struct pf_profile *p, const struct pf_location *l,
					   uint32_t i)
{
	return &p->functions[l->lines[i].function];
}

static const struct pf_location *find_loc(const struct pf_profile *p, uint64_t addr)
{
	size_t i;

	for (i = 0; i < p->nlocations; i++)
		if (p->locations[i].address == addr)
			return &p->locations[i];
	return NULL;
}

static void test_merge_and_symbolize(void)
{
	struct pf_builder *b = pf_builder_new(types, 2, period_type, 1000000);
	struct pf_err err = { 0 };
	uintptr_t ra = plain_caller();
	uintptr_t s1[3] = { (uintptr_t)get_ra, ra, 0 };
	uintptr_t s2[2] = { (uintptr_t)plain_caller, ra };
	int64_t v[2] = { 1, 1000000 };
	struct pf_profile *p;
	const struct pf_location *l;
	struct pf_functab t;
	const struct pf_func_stat *fs;

	CHECK(b != NULL);
	CHECK_INT(pf_builder_add(b, s1, 3, v), 0);
	CHECK_INT(pf_builder_add(b, s1, 3, v), 0);
	CHECK_INT(pf_builder_add(b, s2, 2, v), 0);
	pf_builder_set_time(b, 123, 456);
	pf_builder_add_comment(b, "hello");
	p = pf_builder_finish(b, &err);
	pf_builder_free(b);
	if (!CHECK(p != NULL)) {
		printf("  %s\n", err.msg);
		return;
	}
	CHECK_INT(p->nsamples, 2);
	CHECK_INT(p->nsample_types, 2);
	CHECK_STR(p->period_type.type, "cpu");
	CHECK_INT(p->period, 1000000);
	CHECK_INT(p->time_nanos, 123);
	CHECK_INT(p->duration_nanos, 456);
	CHECK(p->ncomments >= 1 && strcmp(p->comments[0], "hello") == 0);
	/* 0 pcs are dropped: s1 has 2 frames, merged twice */
	CHECK_INT(p->samples[0].nlocs, 2);
	CHECK_INT(p->samples[0].values[0], 2);
	CHECK_INT(p->samples[0].values[1], 2000000);
	/* leaf at its exact address, return addresses at pc-1 */
	l = find_loc(p, (uintptr_t)get_ra);
	CHECK(l != NULL);
	if (l && CHECK(l->nlines == 1)) {
		CHECK_STR(line_func(p, l, 0)->name, "get_ra");
		CHECK(pf_endswith(line_func(p, l, 0)->filename, "test_pprof_builder.c"));
		CHECK(l->lines[0].line > 0);
		CHECK(l->mapping != PF_NONE);
	}
	l = find_loc(p, ra - 1);
	CHECK(l != NULL);
	if (l && CHECK(l->nlines >= 1)) {
		CHECK_STR(line_func(p, l, l->nlines - 1)->name, "plain_caller");
		CHECK_INT(l->lines[l->nlines - 1].line, plain_call_line);
	}
	/* the main executable is the first mapping, with a build ID */
	CHECK(p->nmappings >= 2);
	if (p->nmappings) {
		CHECK(pf_endswith(p->mappings[0].file, "test_pprof_builder"));
		CHECK(strlen(p->mappings[0].build_id) >= 16);
		CHECK(p->mappings[0].has_functions);
		CHECK(p->mappings[0].has_line_numbers);
		CHECK(p->mappings[0].has_inline_frames);
	}
	CHECK_INT(pf_functab_build(&t, p, 1), 0);
	fs = pf_functab_find(&t, "plain_caller");
	CHECK(fs && fs->cum == 3000000 && fs->flat == 1000000);
	fs = pf_functab_find(&t, "get_ra");
	CHECK(fs && fs->flat == 2000000);
	pf_functab_release(&t);

	/* the encoded profile decodes to the same thing */
	{
		struct pf_buf out = PF_BUF_INIT;
		struct pf_profile *q;

		CHECK_INT(pf_profile_encode(p, 1, &out, &err), 0);
		q = pf_profile_decode(out.data, out.len, &err);
		CHECK(q != NULL);
		if (q) {
			CHECK_INT(q->nlocations, p->nlocations);
			CHECK_INT(q->nfunctions, p->nfunctions);
			pf_profile_free(q);
		}
		pf_buf_release(&out);
	}
	pf_profile_free(p);
}

static void test_inline_frames(void)
{
	struct pf_builder *b = pf_builder_new(types, 2, period_type, 1);
	struct pf_err err = { 0 };
	uintptr_t ra = outer_caller();
	uintptr_t s[2] = { (uintptr_t)get_ra, ra };
	int64_t v[2] = { 1, 1 };
	struct pf_profile *p;
	const struct pf_location *l;

	CHECK_INT(pf_builder_add(b, s, 2, v), 0);
	p = pf_builder_finish(b, &err);
	pf_builder_free(b);
	if (!CHECK(p != NULL))
		return;
	l = find_loc(p, ra - 1);
	if (CHECK(l != NULL) && CHECK(l->nlines == 2)) {
		/* inlined callee first, caller last */
		CHECK_STR(line_func(p, l, 0)->name, "inlined_helper");
		CHECK_INT(l->lines[0].line, inlined_call_line);
		CHECK_STR(line_func(p, l, 1)->name, "outer_caller");
		CHECK_INT(l->lines[1].line, outer_call_line);
	}
	pf_profile_free(p);
}

static void test_unknown_address(void)
{
	struct pf_builder *b = pf_builder_new(types, 2, period_type, 1);
	struct pf_err err = { 0 };
	uintptr_t s[1] = { 0x10 };
	int64_t v[2] = { 1, 1 };
	struct pf_profile *p;
	char name[64];

	CHECK_INT(pf_builder_add(b, s, 1, v), 0);
	p = pf_builder_finish(b, &err);
	CHECK(pf_builder_finish(b, &err) == NULL);
	pf_builder_free(b);
	if (!CHECK(p != NULL))
		return;
	CHECK_INT(p->nlocations, 1);
	CHECK_INT(p->locations[0].nlines, 0);
	CHECK(p->locations[0].mapping == PF_NONE);
	pf_profile_free(p);

	CHECK_INT(pf_symbolize_name((uintptr_t)plain_caller, name, sizeof(name)), 0);
	CHECK_STR(name, "plain_caller");
	CHECK_INT(pf_symbolize_name(0x10, name, sizeof(name)), -1);
}

static void test_many_stacks(void)
{
	struct pf_builder *b = pf_builder_new(types, 2, period_type, 1);
	struct pf_err err = { 0 };
	int64_t v[2] = { 1, 10 };
	struct pf_profile *p;
	size_t i, total = 0;

	for (i = 0; i < 20000; i++) {
		uintptr_t s[3] = { 0x1000 + (i % 5000) * 16, 0x900000, 0x800000 };

		CHECK_INT(pf_builder_add(b, s, 3, v), 0);
	}
	p = pf_builder_finish(b, &err);
	pf_builder_free(b);
	if (!CHECK(p != NULL))
		return;
	CHECK_INT(p->nsamples, 5000);
	CHECK_INT(p->nlocations, 5002);
	for (i = 0; i < p->nsamples; i++)
		total += (size_t)p->samples[i].values[1];
	CHECK_INT(total, 200000);
	pf_profile_free(p);
}

/* dl_iterate_phdr callback: the main program (the first object) gives
 * its load bias. */
static int main_bias(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	*(uintptr_t *)data = (uintptr_t)info->dlpi_addr;
	return 1;
}

/* The run-time address of an entry of this program's PLT (past PLT0),
 * which has no symbol, or 0 if it has no PLT. */
static uintptr_t plt_entry(void)
{
	uintptr_t bias = 0, addr = 0;
	int fd = open("/proc/self/exe", O_RDONLY);
	Elf *e;
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (fd < 0)
		return 0;
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (e && elf_getshdrstrndx(e, &shstrndx) == 0) {
		while ((scn = elf_nextscn(e, scn))) {
			GElf_Shdr sh;
			const char *name;

			if (!gelf_getshdr(scn, &sh))
				continue;
			name = elf_strptr(e, shstrndx, sh.sh_name);
			if (name && strcmp(name, ".plt") == 0 && sh.sh_size >= 48)
				addr = sh.sh_addr + 32;
		}
	}
	if (e)
		elf_end(e);
	close(fd);
	dl_iterate_phdr(main_bias, &bias);
	return addr ? bias + addr : 0;
}

/* One address without a name (a PLT stub's) must not clear the
 * mapping's symbolization flags: go tool pprof would then symbolize the
 * whole mapping again from the binary, with its own tools, and lose the
 * inlined frames proflab wrote. */
static void test_unnamed_address_keeps_mapping_flags(void)
{
	struct pf_builder *b = pf_builder_new(types, 2, period_type, 1000000);
	struct pf_err err = { 0 };
	uintptr_t plt = plt_entry(), ra = plain_caller();
	uintptr_t s1[2] = { plt, ra };
	uintptr_t s2[2] = { (uintptr_t)get_ra, ra };
	int64_t v[2] = { 1, 1000000 };
	struct pf_profile *p;
	const struct pf_location *l;

	CHECK(b != NULL);
	if (!CHECK(plt != 0))
		return;
	CHECK_INT(pf_builder_add(b, s1, 2, v), 0);
	CHECK_INT(pf_builder_add(b, s2, 2, v), 0);
	p = pf_builder_finish(b, &err);
	pf_builder_free(b);
	if (!CHECK(p != NULL))
		return;
	l = find_loc(p, plt);
	/* the test means something only if the stub really has no name */
	if (CHECK(l != NULL)) {
		CHECK_INT(l->nlines, 0);
		CHECK_INT(l->mapping, 0);
	}
	CHECK(pf_endswith(p->mappings[0].file, "test_pprof_builder"));
	CHECK(p->mappings[0].has_functions);
	CHECK(p->mappings[0].has_filenames);
	CHECK(p->mappings[0].has_line_numbers);
	CHECK(p->mappings[0].has_inline_frames);
	pf_profile_free(p);
}

int main(void)
{
	T_RUN(test_merge_and_symbolize);
	T_RUN(test_inline_frames);
	T_RUN(test_unknown_address);
	T_RUN(test_many_stacks);
	T_RUN(test_unnamed_address_keeps_mapping_flags);
	return t_exit();
}
