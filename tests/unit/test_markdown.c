/*
 * test_markdown.c - the layout engine (src/course/doc.h) and its plain
 * back-end: golden outputs of every Markdown construct at widths 40, 80
 * and 120, plus properties every laid-out line must have.
 *
 * PF_UPDATE_GOLDEN=1 rewrites the golden files instead of comparing (then
 * read the diff before committing it).
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../src/base/buf.h"
#include "../../src/base/str.h"
#include "../../src/course/doc.h"
#include "../../src/course/doc_hl.h"
#include "../../src/course/render_plain.h"
#include "t.h"

static const char *root(void)
{
	const char *r = getenv("PROFLAB_ROOT");

	return r && *r ? r : ".";
}

static int render(const char *md, int width, int flags, struct pf_buf *out)
{
	struct pf_doc doc;
	struct pf_err err = { 0 };
	int rc = pf_doc_layout(&doc, md, strlen(md), width, flags, &err);

	if (rc == 0)
		rc = pf_render_plain(&doc, 0, out);
	pf_doc_release(&doc);
	return rc;
}

/* Every fixture at every width against its golden file. */
static void test_golden(void)
{
	static const int widths[] = { 40, 80, 120 };
	int update = getenv("PF_UPDATE_GOLDEN") != NULL, nfix = 0;
	char dir[4096];
	struct dirent *de;
	DIR *d;

	pf_fmt(dir, sizeof(dir), "%s/tests/fixtures/markdown", root());
	d = opendir(dir);
	CHECK(d != NULL);
	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[4096], gold[4096], base[256];
		struct pf_buf md = PF_BUF_INIT;
		size_t i, n = strlen(de->d_name);

		if (n < 4 || strcmp(de->d_name + n - 3, ".md") != 0)
			continue;
		nfix++;
		pf_fmt(base, sizeof(base), "%.*s", (int)(n - 3), de->d_name);
		pf_fmt(path, sizeof(path), "%s/%s", dir, de->d_name);
		CHECK(pf_buf_read_file(&md, path) == 0);
		for (i = 0; i < sizeof(widths) / sizeof(widths[0]); i++) {
			struct pf_buf out = PF_BUF_INIT, want = PF_BUF_INIT;
			int flags = strstr(base, "ascii") ? PF_DOC_ASCII : 0;

			pf_fmt(gold, sizeof(gold), "%s/tests/golden/markdown/%s.%d.txt", root(), base,
			       widths[i]);
			CHECK(render(md.data, widths[i], flags, &out) == 0);
			if (update) {
				FILE *f = fopen(gold, "w");

				CHECK(f != NULL);
				if (f) {
					fwrite(out.data, 1, out.len, f);
					fclose(f);
				}
			} else if (pf_buf_read_file(&want, gold) < 0) {
				printf("  missing golden file %s\n", gold);
				CHECK(0);
			} else if (strcmp(out.data, want.data) != 0) {
				printf("  %s differs from the layout of %s at width %d; got:\n%s\n", gold,
				       de->d_name, widths[i], out.data);
				CHECK(0);
			}
			pf_buf_release(&out);
			pf_buf_release(&want);
		}
		pf_buf_release(&md);
	}
	closedir(d);
	CHECK(nfix >= 10);
}

/* No line is wider than the width; no Markdown markers or escapes leak. */
static void test_properties(void)
{
	static const char *const files[] = { "tables", "lists", "code-blocks", "utf8", "quotes",
					     "paragraphs", "emphasis", "links", "headings" };
	size_t f;
	int w;

	for (f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		char path[4096];
		struct pf_buf md = PF_BUF_INIT;

		pf_fmt(path, sizeof(path), "%s/tests/fixtures/markdown/%s.md", root(), files[f]);
		CHECK(pf_buf_read_file(&md, path) == 0);
		for (w = 20; w <= 130; w += 7) {
			struct pf_doc doc;
			struct pf_buf out = PF_BUF_INIT;
			size_t i;

			CHECK(pf_doc_layout(&doc, md.data, md.len, w, 0, NULL) == 0);
			for (i = 0; i < doc.nlines; i++) {
				struct pf_buf t = PF_BUF_INIT;

				pf_doc_line_text(&doc, i, &t);
				if (strcmp(files[f], "code-blocks") && strcmp(files[f], "links"))
					if (!CHECK((int)doc.lines[i].width <= w))
						printf("  %s at %d: line %zu is %u wide: %s\n", files[f], w, i,
						       doc.lines[i].width, t.data);
				CHECK(doc.lines[i].width == (uint32_t)pf_doc_strwidth(t.data, t.len));
				pf_buf_release(&t);
			}
			pf_render_plain(&doc, 0, &out);
			CHECK(strstr(out.data, "**") == NULL);
			CHECK(strstr(out.data, "```") == NULL);
			CHECK(strstr(out.data, "|---") == NULL && strstr(out.data, "| ---") == NULL);
			CHECK(strchr(out.data, '\033') == NULL);
			pf_buf_release(&out);
			pf_doc_release(&doc);
		}
		pf_buf_release(&md);
	}
}

/* Code lines may only exceed the width when nothing else can (never). */
static void test_code_wraps(void)
{
	const char *md = "```c\nint a_very_long_identifier_name_that_goes_on = 1234567890123;\n```\n";
	struct pf_doc doc;
	size_t i;

	CHECK(pf_doc_layout(&doc, md, strlen(md), 30, 0, NULL) == 0);
	CHECK(doc.nlines >= 3);
	for (i = 0; i < doc.nlines; i++)
		CHECK(doc.lines[i].width <= 30);
	pf_doc_release(&doc);
}

static void test_colour_and_styles(void)
{
	const char *md = "# T\n\n**b** `c`\n\n```go\nfunc f() {} // x\n```\n";
	struct pf_doc doc;
	struct pf_buf out = PF_BUF_INIT;
	size_t i;
	uint32_t all = 0;

	CHECK(pf_doc_layout(&doc, md, strlen(md), 40, 0, NULL) == 0);
	for (i = 0; i < doc.nspans; i++)
		all |= doc.spans[i].style;
	CHECK(all & PF_DS_H1);
	CHECK(all & PF_DS_BOLD);
	CHECK(all & PF_DS_CODE);
	CHECK(all & PF_DS_KEYWORD);
	CHECK(all & PF_DS_COMMENT);
	CHECK(doc.nheadings == 1);
	CHECK_STR(doc.headings[0].text, "T");
	CHECK(pf_render_plain(&doc, PF_PLAIN_COLOR, &out) == 0);
	CHECK(strstr(out.data, "\033[") != NULL);
	pf_buf_release(&out);
	pf_doc_release(&doc);
}

static void test_sections(void)
{
	const char *md = "# Title\n\nintro\n\n## One\n\na\n\n### sub\n\nb\n\n## Two\n\nc\n";
	struct pf_doc doc;
	struct pf_buf t = PF_BUF_INIT;
	size_t i;

	CHECK(pf_doc_layout(&doc, md, strlen(md), 60, 0, NULL) == 0);
	CHECK_INT(doc.nsections, 3);
	for (i = 0; i < doc.nlines; i++) {
		pf_buf_truncate(&t, 0);
		pf_doc_line_text(&doc, i, &t);
		if (!strcmp(t.data, "intro"))
			CHECK_INT(doc.lines[i].section, 0);
		if (!strcmp(t.data, "b"))
			CHECK_INT(doc.lines[i].section, 1);
		if (!strcmp(t.data, "c"))
			CHECK_INT(doc.lines[i].section, 2);
	}
	CHECK_INT(doc.nheadings, 4);
	pf_buf_release(&t);
	pf_doc_release(&doc);
}

static void test_ascii(void)
{
	const char *md = "- a\n- b\n\n| x | y |\n|---|---|\n| 1 | 2 |\n\n> q\n\n---\n";
	struct pf_doc doc;
	struct pf_buf out = PF_BUF_INIT;
	size_t i;

	CHECK(pf_doc_layout(&doc, md, strlen(md), 40, PF_DOC_ASCII, NULL) == 0);
	CHECK(pf_render_plain(&doc, 0, &out) == 0);
	for (i = 0; i < out.len; i++)
		CHECK((unsigned char)out.data[i] < 0x80);
	CHECK(strstr(out.data, "* a") != NULL);
	CHECK(strstr(out.data, "+---+---+") != NULL);
	pf_buf_release(&out);
	pf_doc_release(&doc);
}

/* Non-ASCII text under PF_DOC_ASCII: transliterated, in every kind of
 * block, so that a terminal without UTF-8 shows it and widths hold. */
static void test_ascii_text(void)
{
	const char *md = "# Flame graphs \xe2\x80\x94 a tour\n\n"
			 "Flat \xe2\x86\x92 cum \xc2\xb7 a \xc3\x97 b \xe2\x89\xa4 n\xc2\xb2"
			 "\xe2\x80\xa6 caf\xc3\xa9 cafe\xcc\x81 \xe2\x98\x83\n\n"
			 "```text\nx \xe2\x80\x94 y\n```\n\n"
			 "| a\xe2\x80\xa6 | b |\n|---|---|\n| \xe2\x86\x92 | 1 |\n";
	const char *text = "a \xe2\x80\x94 b \xe2\x86\x92 c \xc2\xb7 d\xe2\x80\xa6 e\xc2\xb2 "
			   "\xe2\x98\x83 \xff";
	struct pf_buf out = PF_BUF_INIT, t = PF_BUF_INIT;
	struct pf_doc doc;
	size_t i;

	CHECK(pf_doc_ascii(text, strlen(text), &t) == 0);
	CHECK_STR(t.data, "a -- b -> c - d... e^2 ? ?");
	CHECK(pf_doc_layout(&doc, md, strlen(md), 80, PF_DOC_ASCII, NULL) == 0);
	CHECK(pf_render_plain(&doc, 0, &out) == 0);
	for (i = 0; i < out.len; i++)
		CHECK((unsigned char)out.data[i] < 0x80);
	CHECK(strstr(out.data, "Flame graphs -- a tour") != NULL);
	CHECK(strstr(out.data, "Flat -> cum - a x b <= n^2...") != NULL);
	CHECK(strstr(out.data, "caf? cafe ?") != NULL);
	CHECK(strstr(out.data, "x -- y") != NULL);
	CHECK(strstr(out.data, "| a... |") != NULL);
	CHECK(doc.nheadings > 0 && strcmp(doc.headings[0].text, "Flame graphs -- a tour") == 0);
	for (i = 0; i < doc.nlines; i++) { /* one column per byte */
		struct pf_buf l = PF_BUF_INIT;

		pf_doc_line_text(&doc, i, &l);
		CHECK_INT(doc.lines[i].width, l.len);
		pf_buf_release(&l);
	}
	pf_buf_release(&t);
	pf_buf_release(&out);
	pf_doc_release(&doc);
}

static void test_widths(void)
{
	CHECK_INT(pf_doc_strwidth("abc", 3), 3);
	CHECK_INT(pf_doc_strwidth("日本", strlen("日本")), 4);
	CHECK_INT(pf_doc_strwidth("e\xcc\x81", 3), 1);
	CHECK_INT(pf_doc_strwidth("\xff", 1), 1);
}

static void test_highlight(void)
{
	const char *line = "for i := 0; i < n; i++ { s += \"x\" } // slow";
	uint32_t st[128];
	int state = 0;

	pf_doc_hl_line(PF_HL_GO, line, strlen(line), &state, st);
	CHECK(st[0] == PF_DS_KEYWORD);                             /* for */
	CHECK(st[strstr(line, "0;") - line] == PF_DS_NUMBER);
	CHECK(st[strstr(line, "\"x\"") - line] == PF_DS_STRING);
	CHECK(st[strstr(line, "// slow") - line] == PF_DS_COMMENT);
	CHECK(st[strstr(line, "n;") - line] == 0);
	CHECK(pf_doc_hl_lang("console") == PF_HL_CONSOLE);
	CHECK(pf_doc_hl_lang("c") == PF_HL_C);
	CHECK(pf_doc_hl_lang("text") == PF_HL_NONE);
	state = 0;
	pf_doc_hl_line(PF_HL_C, "/* open", 7, &state, st);
	CHECK(state != 0);
	pf_doc_hl_line(PF_HL_C, "still */ x", 10, &state, st);
	CHECK(st[0] == PF_DS_COMMENT && st[9] == 0 && state == 0);
}

/* Deep nesting and a huge paragraph stay fast (no quadratic blow-up). */
static void test_pathological(void)
{
	struct pf_buf md = PF_BUF_INIT;
	struct pf_doc doc;
	struct timespec a, b;
	int i;
	double ms;

	for (i = 0; i < 200; i++)
		pf_buf_pad(&md, '>', 1);
	pf_buf_puts(&md, " deep\n\n");
	for (i = 0; i < 100; i++) {
		pf_buf_pad(&md, ' ', (size_t)i * 2);
		pf_buf_puts(&md, "- item\n");
	}
	for (i = 0; i < 20000; i++)
		pf_buf_puts(&md, "word ");
	pf_buf_puts(&md, "\n");
	clock_gettime(CLOCK_MONOTONIC, &a);
	CHECK(pf_doc_layout(&doc, md.data, md.len, 80, 0, NULL) == 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
	CHECK(doc.nlines > 1000);
	CHECK(ms < 5000); /* a generous bound; the real target is in make bench */
	pf_doc_release(&doc);
	pf_buf_release(&md);
}

int main(void)
{
	T_RUN(test_golden);
	T_RUN(test_properties);
	T_RUN(test_code_wraps);
	T_RUN(test_colour_and_styles);
	T_RUN(test_sections);
	T_RUN(test_ascii);
	T_RUN(test_ascii_text);
	T_RUN(test_widths);
	T_RUN(test_highlight);
	T_RUN(test_pathological);
	return t_exit();
}
