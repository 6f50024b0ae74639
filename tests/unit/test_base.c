/* test_base.c - unit tests of src/base: buf, json, err, arena, str. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/json.h"
#include "base/str.h"
#include "base/tabw.h"
#include "t.h"

static void buf_appends_and_terminates(void)
{
	struct pf_buf b = PF_BUF_INIT;
	int i;

	CHECK_STR(b.data, "");
	CHECK_INT(pf_buf_puts(&b, "abc"), 0);
	CHECK_INT(pf_buf_printf(&b, "-%d-", 42), 0);
	CHECK_INT(pf_buf_putc(&b, 'z'), 0);
	CHECK_STR(b.data, "abc-42-z");
	CHECK_INT(b.len, 8);
	for (i = 0; i < 10000; i++)
		pf_buf_puts(&b, "0123456789");
	CHECK_INT(b.len, 8 + 100000);
	CHECK_INT(b.data[b.len], 0);
	pf_buf_truncate(&b, 3);
	CHECK_STR(b.data, "abc");
	pf_buf_release(&b);
	CHECK_STR(b.data, "");
	CHECK_INT(b.len, 0);
}

static void buf_cap_refuses_growth(void)
{
	struct pf_buf b;

	pf_buf_init(&b, 10);
	CHECK_INT(pf_buf_puts(&b, "0123456789"), 0);
	errno = 0;
	CHECK_INT(pf_buf_putc(&b, 'x'), -1);
	CHECK_INT(errno, EFBIG);
	CHECK_STR(b.data, "0123456789");
	pf_buf_release(&b);
}

static void buf_detach_gives_owned_block(void)
{
	struct pf_buf b = PF_BUF_INIT;
	size_t len = 99;
	char *p = pf_buf_detach(&b, &len);

	CHECK_STR(p, "");
	CHECK_INT(len, 0);
	free(p);
	pf_buf_puts(&b, "hello");
	p = pf_buf_detach(&b, &len);
	CHECK_STR(p, "hello");
	CHECK_INT(len, 5);
	CHECK_STR(b.data, "");
	free(p);
}

static void buf_reads_fd_up_to_cap(void)
{
	struct pf_buf b;
	int fds[2];

	CHECK(pipe(fds) == 0);
	CHECK(write(fds[1], "0123456789abc", 13) == 13);
	close(fds[1]);
	pf_buf_init(&b, 10);
	errno = 0;
	CHECK_INT(pf_buf_read_fd(&b, fds[0]), -1);
	CHECK_INT(errno, EFBIG);
	close(fds[0]);
	pf_buf_release(&b);

	CHECK(pipe(fds) == 0);
	CHECK(write(fds[1], "0123456789", 10) == 10);
	close(fds[1]);
	pf_buf_init(&b, 10);
	CHECK_INT(pf_buf_read_fd(&b, fds[0]), 0);
	CHECK_STR(b.data, "0123456789");
	close(fds[0]);
	pf_buf_release(&b);
}

static void json_writes_nested_values(void)
{
	struct pf_buf b = PF_BUF_INIT;
	struct pf_json j;

	pf_json_init(&j, &b, 0);
	pf_json_object_begin(&j);
	pf_json_key(&j, "name");
	pf_json_string(&j, "a \"q\"\n\x01");
	pf_json_key(&j, "list");
	pf_json_array_begin(&j);
	pf_json_int(&j, -3);
	pf_json_double(&j, 0.1);
	pf_json_bool(&j, 1);
	pf_json_null(&j);
	pf_json_array_end(&j);
	pf_json_key(&j, "empty");
	pf_json_object_begin(&j);
	pf_json_object_end(&j);
	pf_json_object_end(&j);
	CHECK_STR(b.data, "{\"name\":\"a \\\"q\\\"\\n\\u0001\",\"list\":[-3,0.1,true,null],\"empty\":{}}");
	pf_buf_release(&b);

	pf_json_init(&j, &b, 1);
	pf_json_object_begin(&j);
	pf_json_key(&j, "a");
	pf_json_array_begin(&j);
	pf_json_uint(&j, 1);
	pf_json_array_end(&j);
	pf_json_object_end(&j);
	CHECK_STR(b.data, "{\n  \"a\": [\n    1\n  ]\n}");
	pf_buf_release(&b);
}

static void err_prefix_and_codes(void)
{
	struct pf_err e = { 0 };

	CHECK_INT(pf_err_set(&e, PF_EINPUT, "line %d: bad", 3), PF_EINPUT);
	pf_err_prefix(&e, "quiz.md");
	CHECK_STR(e.msg, "quiz.md: line 3: bad");
	CHECK_INT(pf_err_exit_status(PF_EINPUT), 2);
	CHECK_INT(pf_err_exit_status(PF_EUSAGE), 2);
	CHECK_INT(pf_err_exit_status(PF_EFAIL), 1);
	CHECK_INT(pf_err_exit_status(0), 0);
	CHECK_INT(pf_err_set(NULL, PF_EFAIL, "ignored"), PF_EFAIL);
}

static void arena_allocates_zeroed_aligned(void)
{
	struct pf_arena a;
	int i;

	pf_arena_init(&a);
	for (i = 0; i < 10000; i++) {
		unsigned char *p = pf_arena_alloc(&a, (size_t)(i % 100) + 1);

		CHECK(p && ((uintptr_t)p % 16) == 0 && p[0] == 0);
		if (!p)
			break;
		p[0] = 0xff;
	}
	CHECK(pf_arena_alloc(&a, 1 << 20) != NULL);
	CHECK_STR(pf_arena_strdup(&a, "text"), "text");
	CHECK_STR(pf_arena_strndup(&a, "textual", 4), "text");
	CHECK(pf_arena_calloc(&a, SIZE_MAX / 2, 4) == NULL);
	pf_arena_release(&a);
	CHECK(a.head == NULL);
}

static void str_helpers(void)
{
	char small[4];

	CHECK_INT(pf_fmt(small, sizeof(small), "%s", "abc"), 0);
	CHECK_INT(pf_fmt(small, sizeof(small), "%s", "abcd"), -1);
	CHECK_STR(small, "abc");
	CHECK(pf_startswith("cpu.pb.gz", "cpu"));
	CHECK(!pf_startswith("cp", "cpu"));
	CHECK(pf_endswith("cpu.pb.gz", ".gz"));
	CHECK(!pf_endswith("gz", ".gz"));
}

static void utf8_decode_and_cut(void)
{
	/* 59 ASCII bytes, then 'é' (2 bytes) straddling byte 60 */
	char line[] = "12345678901234567890123456789012345678901234567890123456789\xc3\xa9!";
	unsigned cp = 0;

	CHECK_INT(pf_utf8_decode("A", 1, &cp), 1);
	CHECK_INT(cp, 'A');
	CHECK_INT(pf_utf8_decode("\xc3\xa9", 2, &cp), 2);
	CHECK_INT(cp, 0xe9);
	CHECK_INT(pf_utf8_decode("\xe2\x82\xac", 3, &cp), 3);
	CHECK_INT(cp, 0x20ac);
	CHECK_INT(pf_utf8_decode("\xf0\x9f\x94\xa5", 4, &cp), 4);
	CHECK_INT(cp, 0x1f525);
	CHECK_INT(pf_utf8_decode("\xff", 1, NULL), 0);          /* never in UTF-8 */
	CHECK_INT(pf_utf8_decode("\xa9", 1, NULL), 0);          /* stray continuation */
	CHECK_INT(pf_utf8_decode("\xc3\xa9", 1, NULL), 0);      /* cut by n */
	CHECK_INT(pf_utf8_decode("\xc3", 2, NULL), 0);          /* cut by the NUL */
	CHECK_INT(pf_utf8_decode("\xc0\xaf", 2, NULL), 0);      /* overlong '/' */
	CHECK_INT(pf_utf8_decode("\xe0\x80\xaf", 3, NULL), 0);  /* overlong */
	CHECK_INT(pf_utf8_decode("\xed\xa0\x80", 3, NULL), 0);  /* surrogate */
	CHECK_INT(pf_utf8_decode("\xf4\x90\x80\x80", 4, NULL), 0); /* past U+10FFFF */

	CHECK_INT(pf_utf8_cut(line, strlen(line), 60), 59);
	CHECK_INT(pf_utf8_cut(line, strlen(line), 61), 61);
	CHECK_INT(pf_utf8_cut(line, strlen(line), 59), 59);
	CHECK_INT(pf_utf8_cut("abc", 3, 60), 3);
	CHECK_INT(pf_utf8_cut("\xf0\x9f\x94\xa5x", 5, 3), 0);
	CHECK_INT(pf_utf8_cut("\xf0\x9f\x94\xa5x", 5, 4), 4);
	/* invalid bytes are not characters: cut where asked */
	CHECK_INT(pf_utf8_cut("ab\xa9\xa9\xa9\xa9\xa9", 7, 5), 5);
	CHECK_INT(pf_utf8_cut("ab\xff\xff" "cd", 6, 3), 3);
}

/* The output of Go's tabwriter.NewWriter(w, 1, 8, 1, '\t', 0) on the same
 * text (go1.19), as runtime/pprof uses it for debug=1 heap profiles. */
static void tabw_matches_go(void)
{
	static const char in[] = "head\n#\t0x1\tf+0x1\ta.c:1\n#\t0x22\tlonger_function_name+0x10\tb.c:22\n"
				 "#\t0x3\n#\t0x4\tg+0x4\n\n# x = 1\na\tb\n\tc\td\t\xc3\xa9\tf\n";
	static const char want[] = "head\n#\t0x1\tf+0x1\t\t\t\ta.c:1\n#\t0x22\tlonger_function_name+0x10\tb.c:22\n"
				   "#\t0x3\n#\t0x4\tg+0x4\n\n# x = 1\na\tb\n\tc\td\t\xc3\xa9\tf\n";
	struct pf_buf b;

	pf_buf_init(&b, 0);
	CHECK_INT(pf_tabw_format(in, sizeof(in) - 1, &b), 0);
	CHECK_STR(b.data, want);
	pf_buf_release(&b);
}

static void json_quote_keeps_utf8_valid(void)
{
	struct pf_buf b = PF_BUF_INIT;

	pf_json_quote(&b, "caf\xc3\xa9 \xe2\x82\xac");
	CHECK_STR(b.data, "\"caf\xc3\xa9 \xe2\x82\xac\"");
	pf_buf_truncate(&b, 0);
	pf_json_quote(&b, "a\xff b\xc3 c\xed\xa0\x80 \x1b[0m\x7f");
	CHECK_STR(b.data, "\"a\\ufffd b\\ufffd c\\ufffd\\ufffd\\ufffd \\u001b[0m\x7f\"");
	pf_buf_truncate(&b, 0);
	/* a character cut at the end of the string */
	pf_json_quote(&b, "x\xe2\x82");
	CHECK_STR(b.data, "\"x\\ufffd\\ufffd\"");
	pf_buf_release(&b);
}

int main(void)
{
	T_RUN(buf_appends_and_terminates);
	T_RUN(buf_cap_refuses_growth);
	T_RUN(buf_detach_gives_owned_block);
	T_RUN(buf_reads_fd_up_to_cap);
	T_RUN(json_writes_nested_values);
	T_RUN(err_prefix_and_codes);
	T_RUN(arena_allocates_zeroed_aligned);
	T_RUN(str_helpers);
	T_RUN(utf8_decode_and_cut);
	T_RUN(json_quote_keeps_utf8_valid);
	T_RUN(tabw_matches_go);
	return t_exit();
}
