/* test_pprof_codec.c - the profile model and its codec (src/pprof/profile.h). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pprof/functab.h"
#include "pprof/profile.h"
#include "t.h"

/* A small CPU-like profile: main -> work -> leaf, two samples. */
static struct pf_profile *make_profile(void)
{
	struct pf_profile *p = pf_profile_new();
	struct pf_arena *a = &p->arena;
	static const char *names[] = { "main", "work", "leaf" };
	size_t i;

	p->nsample_types = 2;
	p->sample_types = pf_arena_calloc(a, 2, sizeof(*p->sample_types));
	p->sample_types[0] = (struct pf_value_type){ "samples", "count" };
	p->sample_types[1] = (struct pf_value_type){ "cpu", "nanoseconds" };
	p->period_type = (struct pf_value_type){ "cpu", "nanoseconds" };
	p->period = 10000000;
	p->time_nanos = 1700000000000000000LL;
	p->duration_nanos = 2000000000;
	p->nmappings = 1;
	p->mappings = pf_arena_calloc(a, 1, sizeof(*p->mappings));
	p->mappings[0] = (struct pf_mapping){ .id = 1, .start = 0x400000, .limit = 0x500000,
					      .file = "/bin/prog", .build_id = "abcd",
					      .has_functions = 1, .has_line_numbers = 1 };
	p->nfunctions = 3;
	p->functions = pf_arena_calloc(a, 3, sizeof(*p->functions));
	p->nlocations = 3;
	p->locations = pf_arena_calloc(a, 3, sizeof(*p->locations));
	for (i = 0; i < 3; i++) {
		p->functions[i] = (struct pf_function){ .id = i + 1, .name = names[i],
							.system_name = names[i],
							.filename = "prog.c",
							.start_line = (int64_t)i * 10 + 1 };
		p->locations[i].id = i + 1;
		p->locations[i].mapping = 0;
		p->locations[i].address = 0x401000 + i * 16;
		p->locations[i].nlines = 1;
		p->locations[i].lines = pf_arena_calloc(a, 1, sizeof(struct pf_line));
		p->locations[i].lines[0] = (struct pf_line){ (uint32_t)i, (int64_t)i * 10 + 3, 0 };
	}
	p->nsamples = 2;
	p->samples = pf_arena_calloc(a, 2, sizeof(*p->samples));
	for (i = 0; i < 2; i++) {
		struct pf_sample *s = &p->samples[i];

		s->nlocs = (uint32_t)(3 - i);
		s->locs = pf_arena_calloc(a, 3, sizeof(uint32_t));
		s->locs[0] = (uint32_t)(2 - i);
		s->locs[1] = (uint32_t)(1 - i);
		if (i == 0)
			s->locs[2] = 0;
		s->values = pf_arena_calloc(a, 2, sizeof(int64_t));
		s->values[0] = (int64_t)(5 + i);
		s->values[1] = (int64_t)(5 + i) * 10000000;
	}
	p->ncomments = 1;
	p->comments = pf_arena_calloc(a, 1, sizeof(char *));
	p->comments[0] = "made by test";
	return p;
}

static void roundtrip_keeps_everything(void)
{
	struct pf_profile *p = make_profile(), *q;
	struct pf_buf b = PF_BUF_INIT;
	struct pf_err err = { 0 };
	int gz;

	for (gz = 0; gz <= 1; gz++) {
		pf_buf_release(&b);
		CHECK_INT(pf_profile_encode(p, gz, &b, &err), 0);
		CHECK(!gz || ((unsigned char)b.data[0] == 0x1f && (unsigned char)b.data[1] == 0x8b));
		q = pf_profile_decode(b.data, b.len, &err);
		CHECK(q != NULL);
		if (!q) {
			printf("  %s\n", err.msg);
			continue;
		}
		CHECK_INT(q->nsample_types, 2);
		CHECK_STR(q->sample_types[1].type, "cpu");
		CHECK_STR(q->sample_types[1].unit, "nanoseconds");
		CHECK_STR(q->period_type.unit, "nanoseconds");
		CHECK_INT(q->period, 10000000);
		CHECK_INT(q->time_nanos, 1700000000000000000LL);
		CHECK_INT(q->duration_nanos, 2000000000);
		CHECK_INT(q->nsamples, 2);
		CHECK_INT(q->samples[0].nlocs, 3);
		CHECK_STR(q->functions[q->locations[q->samples[0].locs[0]].lines[0].function].name, "leaf");
		CHECK_INT(q->samples[1].values[1], 60000000);
		CHECK_INT(q->locations[2].lines[0].line, 23);
		CHECK_INT(q->locations[0].mapping, 0);
		CHECK_STR(q->mappings[0].build_id, "abcd");
		CHECK(q->mappings[0].has_functions && q->mappings[0].has_line_numbers &&
		      !q->mappings[0].has_filenames);
		CHECK_INT(q->ncomments, 1);
		CHECK_STR(q->comments[0], "made by test");
		CHECK_INT(pf_profile_default_index(q), 1);
		CHECK_INT(pf_profile_sample_index(q, "samples"), 0);
		CHECK_INT(pf_profile_sample_index(q, "1"), 1);
		CHECK_INT(pf_profile_sample_index(q, "2"), -1);
		CHECK_INT(pf_profile_sample_index(q, "alloc_space"), -1);
		pf_profile_free(q);
	}
	pf_buf_release(&b);
	pf_profile_free(p);
}

/* Decoding must fail with `want` in the message. */
static void expect_error(const void *data, size_t len, const char *want)
{
	struct pf_err err = { 0 };
	struct pf_profile *q = pf_profile_decode(data, len, &err);

	CHECK(q == NULL);
	if (!CHECK(strstr(err.msg, want) != NULL))
		printf("    message was: %s (wanted %s)\n", err.msg, want);
	pf_profile_free(q);
}

static void corrupt_inputs_are_named(void)
{
	struct pf_profile *p = make_profile();
	struct pf_buf b = PF_BUF_INIT;
	struct pf_err err = { 0 };

	expect_error("", 0, "empty file");
	expect_error("\x1f\x8b\x08\x00garbage", 11, "gzip");
	expect_error("\xff\xff\xff\xff\xff", 5, "protobuf");
	CHECK_INT(pf_profile_encode(p, 1, &b, &err), 0);
	expect_error(b.data, b.len / 2, "truncated");

	pf_buf_release(&b);
	p->functions[0].id = 2; /* duplicate function id */
	CHECK_INT(pf_profile_encode(p, 0, &b, &err), 0);
	expect_error(b.data, b.len, "duplicate function id 2");
	p->functions[0].id = 1;
	pf_buf_release(&b);

	pf_profile_free(p);
}

static void raw_protobuf_hand_made(void)
{
	/* string_table ["", "x"], sample_type {type 1 unit 5}: unit out of range. */
	static const unsigned char bad_string[] = { 0x32, 0x00, 0x32, 0x01, 'x', 0x0a, 0x04,
						    0x08, 0x01, 0x10, 0x05 };
	/* string_table ["", "x"], one sample with location id 7 and no locations. */
	static const unsigned char bad_loc[] = { 0x32, 0x00, 0x32, 0x01, 'x', 0x12, 0x02, 0x08, 0x07 };
	/* one sample type, one sample with two values. */
	static const unsigned char bad_values[] = { 0x32, 0x00, 0x32, 0x01, 'x', 0x0a, 0x04, 0x08,
						    0x01, 0x10, 0x01, 0x12, 0x04, 0x10, 0x01,
						    0x10, 0x02 };
	/* string table not starting with "". */
	static const unsigned char bad_first[] = { 0x32, 0x01, 'x' };

	expect_error(bad_string, sizeof(bad_string), "string 5 of 2");
	expect_error(bad_loc, sizeof(bad_loc), "missing location 7");
	expect_error(bad_values, sizeof(bad_values), "2 values, want 1");
	expect_error(bad_first, sizeof(bad_first), "does not start");
}

static void write_and_read_file(void)
{
	struct pf_profile *p = make_profile(), *q;
	struct pf_err err = { 0 };
	char path[] = "/tmp/pf_codec_XXXXXX";
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	close(fd);
	CHECK_INT(pf_profile_write(p, path, &err), 0);
	q = pf_profile_read(path, &err);
	CHECK(q != NULL);
	if (q)
		CHECK_INT(q->nsamples, 2);
	pf_profile_free(q);
	unlink(path);
	CHECK(pf_profile_read(path, &err) == NULL);
	CHECK(strstr(err.msg, path) != NULL);
	CHECK(pf_profile_write(p, "/nonexistent-dir/x.pb.gz", &err) < 0);
	CHECK(strstr(err.msg, "/nonexistent-dir/x.pb.gz") != NULL);
	pf_profile_free(p);
}

static void functab_flat_and_cum(void)
{
	struct pf_profile *p = make_profile();
	struct pf_functab t;
	const struct pf_func_stat *f;

	/* Samples: main;work;leaf = 5 and work;leaf... see make_profile:
	 * sample 0 stack leaf<-work<-main (5), sample 1 stack work<-main (6). */
	CHECK_INT(pf_functab_build(&t, p, 0), 0);
	CHECK_INT(t.total, 11);
	CHECK_INT(t.n, 3);
	f = pf_functab_find(&t, "leaf");
	CHECK(f && f->flat == 5 && f->cum == 5);
	f = pf_functab_find(&t, "work");
	CHECK(f && f->flat == 6 && f->cum == 11);
	f = pf_functab_find(&t, "main");
	CHECK(f && f->flat == 0 && f->cum == 11);
	CHECK_STR(t.items[0].name, "work");
	CHECK(pf_functab_find(&t, "nothing") == NULL);
	pf_functab_release(&t);
	CHECK_INT(pf_functab_build(&t, p, 2), -1);
	pf_profile_free(p);
}

int main(void)
{
	T_RUN(roundtrip_keeps_everything);
	T_RUN(corrupt_inputs_are_named);
	T_RUN(raw_protobuf_hand_made);
	T_RUN(write_and_read_file);
	T_RUN(functab_flat_and_cum);
	return t_exit();
}
