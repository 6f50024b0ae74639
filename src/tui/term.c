/* term.c - the curses session, its restoration on signals, document drawing (term.h). */
#include "term.h"

#include <curses.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "../base/err.h"

static int active;
static SCREEN *screen;
static struct termios saved_tio;
static int have_tio;
static char leave_seq[128]; /* sgr0, cnorm, rmkx, rmcup, for handlers (and mouse off) */
static size_t leave_len;
/* Deferred mode: SIGINT, SIGTERM and SIGHUP only record themselves, and
 * the caller acts on them at a safe point of its loop. */
static volatile sig_atomic_t deferring, pending;

enum {
	TP_H1 = 1, TP_H2, TP_H3, TP_TIP, TP_WARN, TP_COMMENT, TP_STRING,
	TP_KEYWORD, TP_NUMBER, TP_CODE, TP_LINK, TP_MARK, TP_DIM,
};

static void append_cap(const char *name)
{
	char *s = tigetstr(name);
	size_t n;

	if (!s || s == (char *)-1)
		return;
	n = strlen(s);
	if (leave_len + n < sizeof(leave_seq)) {
		memcpy(leave_seq + leave_len, s, n);
		leave_len += n;
	}
}

static void restore_from_signal(int sig)
{
	static const char mouse_off[] = "\033[?1000l\033[?1002l\033[?1006l";
	ssize_t r;

	if (deferring && (sig == SIGINT || sig == SIGTERM || sig == SIGHUP)) {
		if (!pending)
			pending = sig;
		return;
	}
	if (active) {
		r = write(STDOUT_FILENO, mouse_off, sizeof(mouse_off) - 1);
		r = write(STDOUT_FILENO, leave_seq, leave_len);
		r = write(STDOUT_FILENO, "\r\n", 2);
		(void)r;
		if (have_tio)
			tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tio);
		active = 0;
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_handlers(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGSEGV,
				    SIGBUS, SIGFPE, SIGILL, SIGABRT };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = restore_from_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a deferred signal must wake a blocked getch(). No
	 * SA_RESETHAND either: a deferred signal keeps its handler; the
	 * handler sets SIG_DFL itself before re-raising. */
	sa.sa_flags = 0;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

int pf_term_open_screen(struct pf_err *err)
{
	const char *term = getenv("TERM");
	const char *cup;
	SCREEN *scr;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return pf_err_set(err, PF_EUSAGE, "standard input and output are not a terminal");
	if (!term || !*term)
		return pf_err_set(err, PF_EUSAGE,
				  "cannot start the terminal interface (TERM is not set)");
	/* newterm, not initscr: initscr prints its own message and exits. */
	scr = newterm(NULL, stdout, stdin);
	if (!scr)
		return pf_err_set(err, PF_EUSAGE,
				  "cannot start the terminal interface (TERM=%s: unknown terminal type)",
				  term);
	cup = tigetstr("cup");
	if (!cup || cup == (char *)-1) {
		/* e.g. TERM=dumb: full-screen drawing would come out as garbage. */
		endwin();
		delscreen(scr);
		return pf_err_set(err, PF_EUSAGE,
				  "cannot start the terminal interface (TERM=%s cannot move the "
				  "cursor); read a chapter with proflab lesson N",
				  term);
	}
	if (screen)
		delscreen(screen);
	screen = scr;
	return 0;
}

int pf_term_start(struct pf_err *err)
{
	int rc;

	have_tio = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved_tio) == 0;
	rc = pf_term_open_screen(err);
	if (rc < 0)
		return rc;
	active = 1;
	leave_len = 0;
	append_cap("sgr0");
	append_cap("cnorm");
	append_cap("rmkx"); /* keypad(stdscr, TRUE) put the keypad in application mode */
	append_cap("rmcup");
	install_handlers();
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	curs_set(0);
	set_escdelay(25);
	mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
	mouseinterval(0);
	if (has_colors()) {
		start_color();
		use_default_colors();
		init_pair(TP_H1, COLOR_MAGENTA, -1);
		init_pair(TP_H2, COLOR_CYAN, -1);
		init_pair(TP_H3, COLOR_BLUE, -1);
		init_pair(TP_TIP, COLOR_GREEN, -1);
		init_pair(TP_WARN, COLOR_RED, -1);
		init_pair(TP_COMMENT, COLOR_BLUE, -1);
		init_pair(TP_STRING, COLOR_GREEN, -1);
		init_pair(TP_KEYWORD, COLOR_YELLOW, -1);
		init_pair(TP_NUMBER, COLOR_MAGENTA, -1);
		init_pair(TP_CODE, COLOR_YELLOW, -1);
		init_pair(TP_LINK, COLOR_BLUE, -1);
		init_pair(TP_MARK, COLOR_YELLOW, -1);
		init_pair(TP_DIM, COLOR_WHITE, -1);
	}
	return 0;
}

void pf_term_stop(void)
{
	if (!active)
		return;
	mousemask(0, NULL);
	endwin();
	active = 0;
}

void pf_term_defer_signals(int on)
{
	deferring = on != 0;
}

int pf_term_pending_signal(void)
{
	return pending;
}

void pf_term_clear_signal(void)
{
	pending = 0;
}

void pf_term_exit_by_signal(int sig)
{
	sigset_t set;

	deferring = 0;
	pf_term_stop();
	fflush(stdout);
	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	_exit(128 + sig); /* the default action of sig did not end the process */
}

int pf_term_ascii(void)
{
	return !pf_doc_locale_is_utf8();
}

void pf_term_suspend(void)
{
	def_prog_mode();
	endwin();
}

void pf_term_resume(void)
{
	reset_prog_mode();
	clearok(stdscr, TRUE);
	refresh();
}

unsigned long pf_term_attr(uint32_t st)
{
	unsigned long a = A_NORMAL;
	int pair = 0;

	if (st & PF_DS_H1)
		pair = TP_H1;
	else if (st & PF_DS_H2)
		pair = TP_H2;
	else if (st & PF_DS_H3)
		pair = TP_H3;
	else if (st & PF_DS_WARN)
		pair = TP_WARN;
	else if (st & PF_DS_TIP)
		pair = TP_TIP;
	else if (st & PF_DS_COMMENT)
		pair = TP_COMMENT;
	else if (st & PF_DS_STRING)
		pair = TP_STRING;
	else if (st & PF_DS_KEYWORD)
		pair = TP_KEYWORD;
	else if (st & PF_DS_NUMBER)
		pair = TP_NUMBER;
	else if (st & (PF_DS_LINK | PF_DS_URL))
		pair = TP_LINK;
	else if (st & PF_DS_CODE)
		pair = TP_CODE;
	else if (st & PF_DS_MARK)
		pair = TP_MARK;
	if (pair && has_colors())
		a |= COLOR_PAIR(pair);
	if (st & (PF_DS_BOLD | PF_DS_KEYWORD | PF_DS_MARK | PF_DS_TH))
		a |= A_BOLD;
	if (st & PF_DS_ITALIC)
		a |= A_ITALIC;
	if (st & (PF_DS_LINK | PF_DS_URL))
		a |= A_UNDERLINE;
	if (st & (PF_DS_RULE | PF_DS_BORDER | PF_DS_QUOTE | PF_DS_LABEL | PF_DS_PROMPT |
		  PF_DS_STRIKE | PF_DS_URL))
		a |= A_DIM;
	if (st & PF_DS_MATCH)
		a |= A_REVERSE;
	return a;
}

/* Put n bytes at the cursor, at most *room columns; *room is reduced. */
static void put_clipped(const char *s, size_t n, int *room, unsigned long attr)
{
	int w = pf_doc_strwidth(s, n);

	if (*room <= 0)
		return;
	attrset((attr_t)attr);
	if (w <= *room) {
		addnstr(s, (int)n);
		*room -= w;
		return;
	}
	while (n > 0 && w > *room) { /* drop characters from the end */
		size_t k = n - 1;

		while (k > 0 && ((unsigned char)s[k] & 0xc0) == 0x80)
			k--;
		n = k;
		w = pf_doc_strwidth(s, n);
	}
	addnstr(s, (int)n);
	*room -= w;
	*room = *room > 0 ? *room : 0;
	if (*room == 0)
		*room = -1; /* clipped: stop */
}

void pf_term_put(int y, int x, int w, const char *s, unsigned long attr)
{
	struct pf_buf t = PF_BUF_INIT;
	int room = w;

	/* the same transliteration as the documents laid out for ASCII */
	if (pf_term_ascii() && pf_doc_ascii(s, strlen(s), &t) == 0)
		s = t.data;
	move(y, x);
	put_clipped(s, strlen(s), &room, attr);
	attrset(A_NORMAL);
	pf_buf_release(&t);
}

void pf_term_draw_line(const struct pf_doc *doc, size_t i, int y, int x, int w,
		       size_t match_off, size_t match_len)
{
	int room = w, used;
	size_t pos = 0;
	uint32_t k;

	move(y, x);
	if (i < doc->nlines) {
		const struct pf_doc_line *l = &doc->lines[i];

		for (k = 0; k < l->nspans && room > 0; k++) {
			const struct pf_doc_span *sp = &doc->spans[l->span + k];
			const char *s = doc->text.data + sp->off;
			size_t a = 0, len = sp->len;

			/* split the span at the edges of the match */
			while (a < len && room > 0) {
				size_t b = len;
				uint32_t st = sp->style;
				size_t abs = pos + a;

				if (match_len) {
					if (abs < match_off)
						b = a + (match_off - abs < len - a ? match_off - abs : len - a);
					else if (abs < match_off + match_len) {
						size_t e = match_off + match_len - abs;

						b = a + (e < len - a ? e : len - a);
						st |= PF_DS_MATCH;
					}
				}
				put_clipped(s + a, b - a, &room, pf_term_attr(st));
				a = b;
			}
			pos += len;
		}
	}
	attrset(A_NORMAL);
	used = room < 0 ? w : w - room;
	if (used < w)
		hline(' ', w - used);
}
