/* render_plain.c - laid-out documents as text, with optional ANSI colour (render_plain.h). */
#include "render_plain.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* The SGR parameters of a style: the first matching colour wins, then the
 * attributes are added. */
static void sgr(uint32_t st, struct pf_buf *out)
{
	const char *color = NULL;

	if (st & PF_DS_H1)
		color = "1;35";
	else if (st & PF_DS_H2)
		color = "1;36";
	else if (st & PF_DS_H3)
		color = "1;34";
	else if (st & PF_DS_WARN)
		color = "31";
	else if (st & PF_DS_TIP)
		color = "32";
	else if (st & PF_DS_COMMENT)
		color = "2;37";
	else if (st & PF_DS_STRING)
		color = "32";
	else if (st & PF_DS_KEYWORD)
		color = "1;34";
	else if (st & PF_DS_NUMBER)
		color = "35";
	else if (st & PF_DS_PROMPT)
		color = "2";
	else if (st & PF_DS_LABEL)
		color = "2;3";
	else if (st & PF_DS_URL)
		color = "2;4";
	else if (st & PF_DS_LINK)
		color = "4;34";
	else if (st & PF_DS_CODE)
		color = "33";
	else if (st & (PF_DS_RULE | PF_DS_BORDER | PF_DS_QUOTE))
		color = "2";
	else if (st & PF_DS_MARK)
		color = "1;33";
	else if (st & PF_DS_BLOCK)
		color = "37";
	pf_buf_puts(out, "\033[0");
	if (color)
		pf_buf_printf(out, ";%s", color);
	if (st & PF_DS_BOLD)
		pf_buf_puts(out, ";1");
	if (st & PF_DS_ITALIC)
		pf_buf_puts(out, ";3");
	if (st & PF_DS_STRIKE)
		pf_buf_puts(out, ";9");
	if (st & PF_DS_MATCH)
		pf_buf_puts(out, ";7");
	pf_buf_putc(out, 'm');
}

int pf_render_plain(const struct pf_doc *doc, int flags, struct pf_buf *out)
{
	size_t i;
	uint32_t k;

	for (i = 0; i < doc->nlines; i++) {
		const struct pf_doc_line *l = &doc->lines[i];
		int styled = 0;

		for (k = 0; k < l->nspans; k++) {
			const struct pf_doc_span *sp = &doc->spans[l->span + k];

			if (flags & PF_PLAIN_COLOR) {
				if (sp->style) {
					sgr(sp->style, out);
					styled = 1;
				} else if (styled) {
					pf_buf_puts(out, "\033[0m");
					styled = 0;
				}
			}
			pf_buf_append(out, doc->text.data + sp->off, sp->len);
		}
		if (styled)
			pf_buf_puts(out, "\033[0m");
		if (pf_buf_putc(out, '\n') < 0)
			return -1;
	}
	return 0;
}

static int usable_width(long w)
{
	return w >= 20 && w <= 1000;
}

int pf_render_plain_width(void)
{
	const char *s = getenv("COLUMNS");
	struct winsize ws;
	char *end;
	long w;

	/* The terminal knows its width; COLUMNS is a shell variable that is
	 * often not exported, or stale after a resize. */
	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 &&
	    usable_width(ws.ws_col))
		return ws.ws_col;
	if (!s || !*s)
		return 80;
	w = strtol(s, &end, 10);
	if (*end || !usable_width(w))
		return 80;
	return (int)w;
}

int pf_render_plain_use_color(int plain_requested)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	if (plain_requested || !isatty(STDOUT_FILENO))
		return 0;
	if (nc && *nc)
		return 0;
	if (!term || !*term || strcmp(term, "dumb") == 0)
		return 0;
	return 1;
}
