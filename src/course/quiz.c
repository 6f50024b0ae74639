/*
 * quiz.c - reading quiz files (the format is documented in quiz.h) and
 * finding the quizzes in the data directory.
 *
 * The parser is line based rather than a Markdown tree walk: every
 * problem must name its line, and the structure (heading, key lines,
 * choice items, blockquote) is line shaped anyway. Question text and
 * explanations stay inline Markdown for whoever displays them.
 */
#include "quiz.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/paths.h"
#include "../base/str.h"

#define QUIZ_MAX_FILE (1u << 20)
#define QUIZ_MAX_QUESTIONS 200

struct parser {
	struct pf_quiz *quiz;
	const char *path;
	struct pf_err *err;
	struct pf_quiz_question *cur;
	int in_body;          /* still collecting question text */
	int answer_line;      /* 0 when the question has no answer: line */
	char *answer;         /* raw answer text */
	int tolerance_line;
	int in_comment;       /* inside <!-- ... --> */
	int comment_line;     /* where that comment began */
	struct pf_buf body;
	struct pf_buf expl;
	size_t alloc;
};

static int perr(struct parser *p, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int perr(struct parser *p, int line, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return pf_err_set(p->err, PF_EINPUT, "%s:%d: %s", p->path, line, msg);
}

static char *dupn(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/* Trim blanks at both ends of [s, s+n) in place; returns the new start. */
static const char *trim(const char *s, size_t *n)
{
	while (*n && isspace((unsigned char)s[0])) {
		s++;
		(*n)--;
	}
	while (*n && isspace((unsigned char)s[*n - 1]))
		(*n)--;
	return s;
}

static void question_free(struct pf_quiz_question *qq)
{
	int i;

	free(qq->text);
	free(qq->explanation);
	for (i = 0; i < qq->nchoices; i++)
		free(qq->choices[i]);
	free(qq->alternatives);
	free(qq->exercise);
	free(qq->profile_kind);
	free(qq->sample);
	free(qq->ask_func);
	free(qq->fallback);
	free(qq->profile_used);
	memset(qq, 0, sizeof(*qq));
}

void pf_quiz_release(struct pf_quiz *q)
{
	size_t i;

	for (i = 0; i < q->n; i++)
		question_free(&q->q[i]);
	free(q->q);
	q->q = NULL;
	q->n = 0;
}

static int type_from_name(const char *s, enum pf_quiz_type *t)
{
	static const struct {
		const char *name;
		enum pf_quiz_type type;
	} names[] = {
		{ "single", PF_QUIZ_SINGLE }, { "multiple", PF_QUIZ_MULTIPLE },
		{ "order", PF_QUIZ_ORDER },   { "number", PF_QUIZ_NUMBER },
		{ "text", PF_QUIZ_TEXT },     { "profile", PF_QUIZ_PROFILE },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i].name) == 0) {
			*t = names[i].type;
			return 0;
		}
	return -1;
}

/* Letters "a, c" or "c,a,d,b" into indexes; -1 with a message on junk. */
static int parse_letters(const char *s, int nchoices, int *out, int *nout, char *why,
			 size_t whysz)
{
	*nout = 0;
	for (; *s; s++) {
		int c = tolower((unsigned char)*s);

		if (isspace((unsigned char)*s) || *s == ',')
			continue;
		if (c < 'a' || c > 'z' || (s[1] && !isspace((unsigned char)s[1]) && s[1] != ',')) {
			pf_fmt(why, whysz, "'%s' is not a list of letters", s);
			return -1;
		}
		if (c - 'a' >= nchoices) {
			pf_fmt(why, whysz, "'%c' is not one of the choices a-%c", c,
			       'a' + nchoices - 1);
			return -1;
		}
		if (*nout >= PF_QUIZ_MAX_CHOICES) {
			pf_fmt(why, whysz, "too many letters");
			return -1;
		}
		out[(*nout)++] = c - 'a';
	}
	return 0;
}

void pf_quiz_normalise(const char *s, size_t n, struct pf_buf *out)
{
	int space = 0;

	s = trim(s, &n);
	for (; n; s++, n--) {
		if (isspace((unsigned char)*s)) {
			space = 1;
			continue;
		}
		if (space)
			pf_buf_putc(out, ' ');
		space = 0;
		pf_buf_putc(out, tolower((unsigned char)*s));
	}
}

static int parse_number(const char *s, double *v)
{
	char *end;
	size_t n = strlen(s);

	s = trim(s, &n);
	if (n == 0)
		return -1;
	errno = 0;
	*v = strtod(s, &end);
	if (errno || end != s + n || *v != *v)
		return -1;
	return 0;
}

/* Check the finished question and turn its answer line into the key. */
static int finish_question(struct parser *p)
{
	struct pf_quiz_question *qq = p->cur;
	char why[200];
	int letters[PF_QUIZ_MAX_CHOICES], n, i, rc = 0;
	size_t len;

	if (!qq)
		return 0;
	p->cur = NULL;
	len = p->body.len;
	trim(p->body.data, &len);
	pf_buf_truncate(&p->body, len);
	qq->text = pf_buf_detach(&p->body, NULL);
	qq->explanation = pf_buf_detach(&p->expl, NULL);
	if (qq->text[0] == '\0')
		return perr(p, qq->line, "the question has no text after ##");
	if ((int)qq->type < 0)
		return perr(p, qq->line, "the question has no type: line");
	if (qq->explanation[0] == '\0')
		return perr(p, qq->line, "the question has no explanation (lines starting with \"> \")");
	switch (qq->type) {
	case PF_QUIZ_SINGLE:
	case PF_QUIZ_MULTIPLE:
	case PF_QUIZ_ORDER:
		if (qq->nchoices < 2)
			return perr(p, qq->line, "a %s question needs at least two choices (- a) ...)",
				    qq->type == PF_QUIZ_ORDER ? "order" :
				    qq->type == PF_QUIZ_SINGLE ? "single" : "multiple");
		if (!p->answer)
			return perr(p, qq->line, "the question has no answer: line");
		if (parse_letters(p->answer, qq->nchoices, letters, &n, why, sizeof(why)) < 0)
			return perr(p, p->answer_line, "answer: %s", why);
		if (n == 0)
			return perr(p, p->answer_line, "answer: no letter given");
		if (qq->type == PF_QUIZ_SINGLE && n != 1)
			return perr(p, p->answer_line, "a single-choice answer is one letter");
		if (qq->type == PF_QUIZ_ORDER && n != qq->nchoices)
			return perr(p, p->answer_line,
				    "an order answer lists every letter once (%d given, %d choices)", n,
				    qq->nchoices);
		for (i = 0; i < n; i++) {
			if (qq->correct_mask & (1u << letters[i]))
				return perr(p, p->answer_line, "answer: '%c' appears twice",
					    'a' + letters[i]);
			qq->correct_mask |= 1u << letters[i];
			qq->order[i] = letters[i];
		}
		break;
	case PF_QUIZ_NUMBER:
		if (!p->answer)
			return perr(p, qq->line, "the question has no answer: line");
		if (parse_number(p->answer, &qq->number) < 0)
			return perr(p, p->answer_line, "answer: '%s' is not a number", p->answer);
		break;
	case PF_QUIZ_TEXT: {
		struct pf_buf alts = PF_BUF_INIT;
		const char *s = p->answer;

		if (!s)
			return perr(p, qq->line, "the question has no answer: line");
		while (1) {
			const char *bar = strchr(s, '|');
			size_t l = bar ? (size_t)(bar - s) : strlen(s);
			size_t before = alts.len;

			pf_quiz_normalise(s, l, &alts);
			if (alts.len == before) {
				pf_buf_release(&alts);
				return perr(p, p->answer_line, "answer: an empty alternative");
			}
			pf_buf_putc(&alts, '\0');
			if (!bar)
				break;
			s = bar + 1;
		}
		pf_buf_putc(&alts, '\0');
		qq->alternatives = pf_buf_detach(&alts, NULL);
		break;
	}
	case PF_QUIZ_PROFILE:
		if (p->answer)
			return perr(p, p->answer_line,
				    "a profile question has no answer: line (its answer comes from the profile)");
		if (!qq->exercise || !qq->profile_kind || qq->ask == PF_QUIZ_ASK_NONE ||
		    !qq->fallback)
			return perr(p, qq->line,
				    "a profile question needs exercise:, profile:, ask: and fallback: lines");
		if (qq->nchoices)
			return perr(p, qq->line, "a profile question makes its own choices");
		break;
	}
	if (qq->type != PF_QUIZ_SINGLE && qq->type != PF_QUIZ_MULTIPLE &&
	    qq->type != PF_QUIZ_ORDER && qq->type != PF_QUIZ_PROFILE && qq->nchoices)
		return perr(p, qq->line, "only single, multiple and order questions have choices");
	if (p->tolerance_line && qq->type != PF_QUIZ_NUMBER &&
	    !(qq->type == PF_QUIZ_PROFILE && qq->ask == PF_QUIZ_ASK_FLAT_PERCENT))
		return perr(p, p->tolerance_line, "tolerance: applies to number questions only");
	return rc;
}

static int start_question(struct parser *p, int line, const char *text, size_t n)
{
	struct pf_quiz *q = p->quiz;
	struct pf_quiz_question *qq;

	if (q->n == QUIZ_MAX_QUESTIONS)
		return perr(p, line, "more than %d questions", QUIZ_MAX_QUESTIONS);
	if (q->n == p->alloc) {
		size_t na = p->alloc ? p->alloc * 2 : 8;
		struct pf_quiz_question *nq = realloc(q->q, na * sizeof(*nq));

		if (!nq)
			return pf_err_set(p->err, PF_EFAIL, "out of memory");
		q->q = nq;
		p->alloc = na;
	}
	qq = &q->q[q->n++];
	memset(qq, 0, sizeof(*qq));
	qq->type = (enum pf_quiz_type)-1;
	qq->line = line;
	p->cur = qq;
	p->in_body = 1;
	free(p->answer);
	p->answer = NULL;
	p->answer_line = 0;
	p->tolerance_line = 0;
	pf_buf_release(&p->body);
	pf_buf_release(&p->expl);
	text = trim(text, &n);
	pf_buf_append(&p->body, text, n);
	return 0;
}

static int set_once(struct parser *p, int line, char **field, const char *key, const char *v)
{
	if (*field)
		return perr(p, line, "%s: given twice", key);
	*field = strdup(v);
	if (!*field)
		return pf_err_set(p->err, PF_EFAIL, "out of memory");
	return 0;
}

/* "key: value" lines of a question; 1 when the line is not one. */
static int key_line(struct parser *p, int line, const char *s, size_t n)
{
	static const char *const keys[] = { "type",    "answer", "tolerance", "exercise",
					    "profile", "sample", "ask",       "fallback" };
	struct pf_quiz_question *qq = p->cur;
	char key[16], val[1024];
	const char *colon = memchr(s, ':', n);
	size_t kl, vl, i;
	const char *v;

	if (!colon)
		return 1;
	kl = (size_t)(colon - s);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strlen(keys[i]) == kl && memcmp(keys[i], s, kl) == 0)
			break;
	if (i == sizeof(keys) / sizeof(keys[0]))
		return 1;
	memcpy(key, s, kl);
	key[kl] = '\0';
	vl = n - kl - 1;
	v = trim(colon + 1, &vl);
	if (vl == 0)
		return perr(p, line, "%s: has no value", key);
	if (vl >= sizeof(val))
		return perr(p, line, "%s: value too long", key);
	memcpy(val, v, vl);
	val[vl] = '\0';
	p->in_body = 0;
	if (strcmp(key, "type") == 0) {
		if ((int)qq->type >= 0)
			return perr(p, line, "type: given twice");
		if (type_from_name(val, &qq->type) < 0)
			return perr(p, line,
				    "unknown type '%s' (single, multiple, order, number, text or profile)",
				    val);
	} else if (strcmp(key, "answer") == 0) {
		if (p->answer)
			return perr(p, line, "answer: given twice");
		p->answer = strdup(val);
		p->answer_line = line;
	} else if (strcmp(key, "tolerance") == 0) {
		size_t tl = strlen(val);

		if (p->tolerance_line)
			return perr(p, line, "tolerance: given twice");
		p->tolerance_line = line;
		if (tl > 1 && val[tl - 1] == '%') {
			qq->tolerance_relative = 1;
			val[tl - 1] = '\0';
		}
		if (parse_number(val, &qq->tolerance) < 0 || qq->tolerance < 0)
			return perr(p, line, "tolerance: '%.*s' is not a number >= 0", (int)vl, v);
	} else if (strcmp(key, "exercise") == 0) {
		return set_once(p, line, &qq->exercise, key, val);
	} else if (strcmp(key, "profile") == 0) {
		if (strcmp(val, "cpu") != 0 && strcmp(val, "heap") != 0)
			return perr(p, line, "profile: is cpu or heap, not '%s'", val);
		return set_once(p, line, &qq->profile_kind, key, val);
	} else if (strcmp(key, "sample") == 0) {
		return set_once(p, line, &qq->sample, key, val);
	} else if (strcmp(key, "fallback") == 0) {
		if (val[0] == '/' || strstr(val, ".."))
			return perr(p, line, "fallback: a path inside quizzes/, not '%s'", val);
		return set_once(p, line, &qq->fallback, key, val);
	} else if (strcmp(key, "ask") == 0) {
		if (qq->ask != PF_QUIZ_ASK_NONE)
			return perr(p, line, "ask: given twice");
		if (strcmp(val, "top-flat") == 0) {
			qq->ask = PF_QUIZ_ASK_TOP_FLAT;
		} else if (strncmp(val, "flat-percent ", 13) == 0 && val[13]) {
			size_t fl = strlen(val + 13);
			const char *f = trim(val + 13, &fl);

			qq->ask = PF_QUIZ_ASK_FLAT_PERCENT;
			qq->ask_func = dupn(f, fl);
		} else {
			return perr(p, line, "ask: is top-flat or flat-percent FUNCTION, not '%s'",
				    val);
		}
	}
	return 0;
}

static int choice_line(struct parser *p, int line, const char *s, size_t n)
{
	struct pf_quiz_question *qq = p->cur;
	int letter;

	/* "- a) text" */
	if (n < 4 || s[0] != '-' || s[1] != ' ' || !islower((unsigned char)s[2]) || s[3] != ')')
		return 1;
	p->in_body = 0;
	letter = s[2] - 'a';
	if (letter != qq->nchoices)
		return perr(p, line, "choice %c) out of sequence (expected %c)", s[2],
			    'a' + qq->nchoices);
	s += 4;
	n -= 4;
	s = trim(s, &n);
	if (n == 0)
		return perr(p, line, "choice %c) has no text", 'a' + letter);
	qq->choices[qq->nchoices] = dupn(s, n);
	if (!qq->choices[qq->nchoices])
		return pf_err_set(p->err, PF_EFAIL, "out of memory");
	qq->nchoices++;
	return 0;
}

static int parse_line(struct parser *p, int line, const char *s, size_t n, int *have_title)
{
	struct pf_quiz *q = p->quiz;
	size_t tn = n;
	const char *t = trim(s, &tn);
	int rc;

	/* HTML comments, possibly over several lines, are skipped. */
	if (p->in_comment || (tn >= 4 && strncmp(t, "<!--", 4) == 0)) {
		const char *close = NULL, *c;

		for (c = t; c + 3 <= t + tn; c++)
			if (memcmp(c, "-->", 3) == 0)
				close = c;
		p->in_comment = close == NULL;
		if (close && close + 3 != t + tn)
			return perr(p, line, "text after the end of a comment");
		if (!p->in_comment)
			p->comment_line = 0;
		else if (!p->comment_line)
			p->comment_line = line;
		return 0;
	}
	if (!*have_title) {
		if (tn == 0)
			return 0;
		if (n < 2 || s[0] != '#' || s[1] != ' ')
			return perr(p, line, "a quiz starts with a \"# Title\" line");
		s += 2;
		n -= 2;
		s = trim(s, &n);
		pf_fmt(q->title, sizeof(q->title), "%.*s", (int)n, s);
		*have_title = 1;
		return 0;
	}
	if (n >= 2 && s[0] == '#' && s[1] == '#' && (n == 2 || s[2] == ' ')) {
		rc = finish_question(p);
		if (rc < 0)
			return rc;
		return start_question(p, line, s + 2, n - 2);
	}
	if (!p->cur) {
		if (tn == 0)
			return 0;
		return perr(p, line, "text before the first question (questions start with \"## \")");
	}
	if (tn > 0 && t[0] == '>') {
		p->in_body = 0;
		t++;
		tn--;
		if (tn && *t == ' ') {
			t++;
			tn--;
		}
		if (p->expl.len)
			pf_buf_putc(&p->expl, '\n');
		pf_buf_append(&p->expl, t, tn);
		return 0;
	}
	if (tn == 0) {
		if (p->in_body)
			pf_buf_putc(&p->body, '\n');
		return 0;
	}
	rc = choice_line(p, line, t, tn);
	if (rc <= 0)
		return rc;
	rc = key_line(p, line, t, tn);
	if (rc <= 0)
		return rc;
	if (!p->in_body)
		return perr(p, line,
			    "unexpected text '%.*s' (question text goes right after the ## heading)",
			    (int)(tn < 40 ? tn : 40), t);
	pf_buf_putc(&p->body, '\n');
	pf_buf_append(&p->body, t, tn);
	return 0;
}

/* Number and slug from "NN-slug.md"; -1 when the name is not of that form. */
static int name_parts(const char *name, int *number, char *slug, size_t slugsz)
{
	char *end;
	long num;
	size_t len = strlen(name);

	if (!isdigit((unsigned char)name[0]) || len < 4 || strcmp(name + len - 3, ".md") != 0)
		return -1;
	num = strtol(name, &end, 10);
	if (*end != '-' || num <= 0 || num > 999)
		return -1;
	*number = (int)num;
	pf_fmt(slug, slugsz, "%.*s", (int)(len - 3 - (size_t)(end + 1 - name)), end + 1);
	return 0;
}

int pf_quiz_parse(struct pf_quiz *q, const char *path, const char *text, size_t len,
		  struct pf_err *err)
{
	struct parser p;
	const char *s = text, *end = text + len, *base, *slash;
	int line = 0, have_title = 0, rc = 0;

	memset(q, 0, sizeof(*q));
	memset(&p, 0, sizeof(p));
	p.quiz = q;
	p.path = path;
	p.err = err;
	pf_buf_init(&p.body, 0);
	pf_buf_init(&p.expl, 0);
	pf_fmt(q->path, sizeof(q->path), "%s", path);
	slash = strrchr(path, '/');
	base = slash ? slash + 1 : path;
	if (slash)
		pf_fmt(q->dir, sizeof(q->dir), "%.*s", (int)(slash - path), path);
	else
		pf_fmt(q->dir, sizeof(q->dir), ".");
	if (name_parts(base, &q->number, q->slug, sizeof(q->slug)) < 0) {
		q->number = 0;
		pf_fmt(q->slug, sizeof(q->slug), "%s", base);
	}
	if (memchr(text, '\0', len)) {
		rc = pf_err_set(err, PF_EINPUT, "%s: not a text file", path);
		goto out;
	}
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);

		line++;
		if (n && s[n - 1] == '\r')
			n--;
		rc = parse_line(&p, line, s, n, &have_title);
		if (rc < 0)
			goto out;
		s = nl ? nl + 1 : end;
	}
	if (p.in_comment) {
		rc = perr(&p, p.comment_line, "a comment that is never closed with -->");
		goto out;
	}
	rc = finish_question(&p);
	if (rc < 0)
		goto out;
	if (!have_title) {
		rc = pf_err_set(err, PF_EINPUT, "%s:1: the quiz is empty (no \"# Title\" line)", path);
		goto out;
	}
	if (q->n == 0)
		rc = perr(&p, line ? line : 1, "the quiz has no questions (\"## \" headings)");
out:
	if (p.cur) {
		/* The question being parsed owns its buffers once detached. */
		if (!p.cur->text)
			p.cur->text = pf_buf_detach(&p.body, NULL);
		if (!p.cur->explanation)
			p.cur->explanation = pf_buf_detach(&p.expl, NULL);
	}
	free(p.answer);
	pf_buf_release(&p.body);
	pf_buf_release(&p.expl);
	if (rc < 0)
		pf_quiz_release(q);
	return rc;
}

int pf_quiz_load(struct pf_quiz *q, const char *path, struct pf_err *err)
{
	struct pf_buf b;
	int rc;

	memset(q, 0, sizeof(*q));
	pf_buf_init(&b, QUIZ_MAX_FILE);
	if (pf_buf_read_file(&b, path) < 0) {
		rc = pf_err_set(err, errno == EFBIG ? PF_EINPUT : PF_EFAIL, "%s: %s", path,
				errno == EFBIG ? "larger than 1 MiB" : strerror(errno));
		pf_buf_release(&b);
		return rc;
	}
	rc = pf_quiz_parse(q, path, b.data, b.len, err);
	pf_buf_release(&b);
	return rc;
}

static int by_number(const void *a, const void *b)
{
	const struct pf_quiz_entry *x = a, *y = b;

	return (x->number > y->number) - (x->number < y->number);
}

int pf_quiz_list_load(struct pf_quiz_list *l, struct pf_err *err)
{
	char dir[4096];
	struct dirent *de;
	DIR *d;
	size_t alloc = 0;

	l->items = NULL;
	l->n = 0;
	pf_fmt(dir, sizeof(dir), "%s/quizzes", pf_paths_datadir());
	d = opendir(dir);
	if (!d)
		return pf_err_set(err, PF_EFAIL, "%s: %s", dir, strerror(errno));
	while ((de = readdir(d))) {
		struct pf_quiz_entry e;

		memset(&e, 0, sizeof(e));
		if (name_parts(de->d_name, &e.number, e.slug, sizeof(e.slug)) < 0)
			continue;
		pf_fmt(e.path, sizeof(e.path), "%s/%s", dir, de->d_name);
		if (l->n == alloc) {
			size_t na = alloc ? alloc * 2 : 16;
			struct pf_quiz_entry *ni = realloc(l->items, na * sizeof(*ni));

			if (!ni) {
				closedir(d);
				pf_quiz_list_release(l);
				return pf_err_set(err, PF_EFAIL, "out of memory");
			}
			l->items = ni;
			alloc = na;
		}
		l->items[l->n++] = e;
	}
	closedir(d);
	if (l->n)
		qsort(l->items, l->n, sizeof(l->items[0]), by_number);
	return 0;
}

void pf_quiz_list_release(struct pf_quiz_list *l)
{
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

const struct pf_quiz_entry *pf_quiz_list_find(const struct pf_quiz_list *l, const char *key)
{
	size_t i;
	char *end;
	long num;

	if (isdigit((unsigned char)key[0])) {
		num = strtol(key, &end, 10);
		if (*end == '\0') {
			for (i = 0; i < l->n; i++)
				if (l->items[i].number == num)
					return &l->items[i];
			return NULL;
		}
	}
	for (i = 0; i < l->n; i++) {
		char full[128];

		pf_fmt(full, sizeof(full), "%02d-%s", l->items[i].number, l->items[i].slug);
		if (strcmp(key, l->items[i].slug) == 0 || strcmp(key, full) == 0)
			return &l->items[i];
	}
	return NULL;
}
