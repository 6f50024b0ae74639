/*
 * quiz_grade.c - grading answers against a quiz's key (quiz.h): one
 * answer at a time for the interactive quiz, a whole answers file for
 * `proflab quiz N --answers`. Both go through pf_quiz_grade(), so the TUI
 * and the command line can never disagree about what is right.
 */
#include "quiz.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../base/str.h"

enum pf_quiz_type pf_quiz_answer_type(const struct pf_quiz_question *qq)
{
	if (qq->type != PF_QUIZ_PROFILE)
		return qq->type;
	return qq->ask == PF_QUIZ_ASK_TOP_FLAT ? PF_QUIZ_SINGLE : PF_QUIZ_NUMBER;
}

/* Letters separated by commas and/or blanks: "a,c", "a c", "C, A". */
static int letters(const char *s, int nchoices, int *out, int *n, struct pf_err *err)
{
	*n = 0;
	for (; *s; s++) {
		int c = tolower((unsigned char)*s);

		if (isspace((unsigned char)*s) || *s == ',')
			continue;
		if (c < 'a' || c > 'z' || (s[1] && !isspace((unsigned char)s[1]) && s[1] != ','))
			return pf_err_set(err, PF_EINPUT, "'%s' is not a letter or a list of letters",
					  s);
		if (c - 'a' >= nchoices)
			return pf_err_set(err, PF_EINPUT, "'%c' is not one of the choices a-%c", c,
					  'a' + nchoices - 1);
		if (*n >= PF_QUIZ_MAX_CHOICES)
			return pf_err_set(err, PF_EINPUT, "too many letters");
		out[(*n)++] = c - 'a';
	}
	if (*n == 0)
		return pf_err_set(err, PF_EINPUT, "no answer given");
	return 0;
}

/* Whether a normalised text answer matches one normalised alternative,
 * in which '#' stands for a whole number (one or more digits). */
static int text_matches(const char *alt, const char *ans)
{
	while (*alt) {
		if (*alt == '#') {
			if (!isdigit((unsigned char)*ans))
				return 0;
			while (isdigit((unsigned char)*ans))
				ans++;
			alt++;
			continue;
		}
		if (*alt != *ans)
			return 0;
		alt++;
		ans++;
	}
	return *ans == '\0';
}

/* The length of the function name s[0..n) without the " (inline)" that
 * `top` appends to inlined frames (and the blanks before it). */
static size_t without_inline(const char *s, size_t n)
{
	static const char mark[] = "(inline)";
	size_t m = sizeof(mark) - 1;

	if (n <= m || memcmp(s + n - m, mark, m) != 0)
		return n;
	n -= m;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return n;
}

static int describe_key(const struct pf_quiz_question *qq, char *dst, size_t sz)
{
	struct pf_buf b = PF_BUF_INIT;
	enum pf_quiz_type t = pf_quiz_answer_type(qq);
	int i, first = 1;

	switch (t) {
	case PF_QUIZ_SINGLE:
	case PF_QUIZ_MULTIPLE:
		for (i = 0; i < qq->nchoices; i++)
			if (qq->correct_mask & (1u << i)) {
				pf_buf_printf(&b, "%s%c) %s", first ? "" : "; ", 'a' + i,
					      qq->choices[i]);
				first = 0;
			}
		break;
	case PF_QUIZ_ORDER:
		for (i = 0; i < qq->nchoices; i++)
			pf_buf_printf(&b, "%s%c", i ? "," : "", 'a' + qq->order[i]);
		break;
	case PF_QUIZ_NUMBER:
		pf_buf_printf(&b, "%g", qq->number);
		if (qq->tolerance > 0)
			pf_buf_printf(&b, " (within %g%s)", qq->tolerance,
				      qq->tolerance_relative ? "%" : "");
		break;
	case PF_QUIZ_TEXT:
	case PF_QUIZ_PROFILE:
		pf_buf_puts(&b, qq->alternatives ? qq->alternatives : "");
		break;
	}
	pf_fmt(dst, sz, "%s", b.data);
	pf_buf_release(&b);
	return 0;
}

int pf_quiz_grade(const struct pf_quiz *q, size_t i, const char *answer,
		  struct pf_quiz_verdict *v, struct pf_err *err)
{
	const struct pf_quiz_question *qq = &q->q[i];
	struct pf_buf norm = PF_BUF_INIT;
	int idx[PF_QUIZ_MAX_CHOICES], n, k, rc = 0;
	unsigned mask = 0;
	double x;
	char *end;

	memset(v, 0, sizeof(*v));
	if (qq->type == PF_QUIZ_PROFILE && !qq->resolved)
		return pf_err_set(err, PF_EFAIL, "question %zu: its profile was not read", i + 1);
	describe_key(qq, v->expected, sizeof(v->expected));
	pf_quiz_normalise(answer, strlen(answer), &norm);
	if (norm.len == 0) {
		rc = pf_err_set(err, PF_EINPUT, "no answer given");
		goto out;
	}
	switch (pf_quiz_answer_type(qq)) {
	case PF_QUIZ_SINGLE:
		/* Profile questions also take the function's name. */
		if (qq->type == PF_QUIZ_PROFILE && norm.len > 1) {
			size_t al = strlen(answer);
			const char *a = answer;

			while (al && isspace((unsigned char)a[0])) {
				a++;
				al--;
			}
			while (al && isspace((unsigned char)a[al - 1]))
				al--;
			/* A name copied from `top` may carry " (inline)". */
			al = without_inline(a, al);
			for (k = 0; k < qq->nchoices; k++)
				if (strlen(qq->choices[k]) == al && memcmp(qq->choices[k], a, al) == 0)
					break;
			if (k < qq->nchoices) {
				v->correct = !!(qq->correct_mask & (1u << k));
				break;
			}
			/* Any other function name is simply wrong. */
			if (!memchr(a, ',', al) && !memchr(a, ' ', al) && !memchr(a, '\t', al)) {
				v->correct = 0;
				break;
			}
		}
		rc = letters(norm.data, qq->nchoices, idx, &n, err);
		if (rc < 0)
			break;
		if (n != 1) {
			rc = pf_err_set(err, PF_EINPUT, "one letter expected, %d given", n);
			break;
		}
		v->correct = !!(qq->correct_mask & (1u << idx[0]));
		break;
	case PF_QUIZ_MULTIPLE:
		rc = letters(norm.data, qq->nchoices, idx, &n, err);
		if (rc < 0)
			break;
		for (k = 0; k < n; k++)
			mask |= 1u << idx[k];
		v->correct = mask == qq->correct_mask;
		break;
	case PF_QUIZ_ORDER:
		rc = letters(norm.data, qq->nchoices, idx, &n, err);
		if (rc < 0)
			break;
		for (k = 0; k < n; k++) {
			if (mask & (1u << idx[k])) {
				rc = pf_err_set(err, PF_EINPUT, "'%c' appears twice in the order",
						'a' + idx[k]);
				goto out;
			}
			mask |= 1u << idx[k];
		}
		if (n != qq->nchoices) {
			rc = pf_err_set(err, PF_EINPUT,
					"an order lists every letter a-%c once (%d given)",
					'a' + qq->nchoices - 1, n);
			break;
		}
		v->correct = 1;
		for (k = 0; k < n; k++)
			if (idx[k] != qq->order[k])
				v->correct = 0;
		break;
	case PF_QUIZ_NUMBER: {
		double tol;

		errno = 0;
		x = strtod(norm.data, &end);
		/* A trailing % is accepted for answers in percent. */
		if (*end == '%')
			end++;
		if (errno || end == norm.data || *end != '\0' || !isfinite(x)) {
			rc = pf_err_set(err, PF_EINPUT, "'%s' is not a number", norm.data);
			break;
		}
		tol = qq->tolerance_relative ? fabs(qq->number) * qq->tolerance / 100.0 :
					       qq->tolerance;
		/* A hair of slack so 0.1-style decimal answers on the edge count. */
		v->correct = fabs(x - qq->number) <= tol + 1e-9 * fmax(1.0, fabs(qq->number));
		break;
	}
	case PF_QUIZ_TEXT:
	case PF_QUIZ_PROFILE: {
		const char *alt;

		for (alt = qq->alternatives; alt && *alt; alt += strlen(alt) + 1)
			if (text_matches(alt, norm.data))
				v->correct = 1;
		/* Show only the first alternative as the right answer. */
		pf_fmt(v->expected, sizeof(v->expected), "%s", qq->alternatives);
		break;
	}
	}
out:
	pf_buf_release(&norm);
	return rc;
}

int pf_quiz_key(const struct pf_quiz *q, size_t i, struct pf_buf *out)
{
	const struct pf_quiz_question *qq = &q->q[i];
	int k, first = 1;

	switch (pf_quiz_answer_type(qq)) {
	case PF_QUIZ_SINGLE:
	case PF_QUIZ_MULTIPLE:
		for (k = 0; k < qq->nchoices; k++)
			if (qq->correct_mask & (1u << k)) {
				pf_buf_printf(out, "%s%c", first ? "" : ",", 'a' + k);
				first = 0;
				if (qq->type == PF_QUIZ_PROFILE)
					break; /* ties: any one of them is right */
			}
		return 0;
	case PF_QUIZ_ORDER:
		for (k = 0; k < qq->nchoices; k++)
			pf_buf_printf(out, "%s%c", k ? "," : "", 'a' + qq->order[k]);
		return 0;
	case PF_QUIZ_NUMBER:
		return pf_buf_printf(out, "%.17g", qq->number);
	case PF_QUIZ_TEXT:
	case PF_QUIZ_PROFILE:
		return pf_buf_puts(out, qq->alternatives ? qq->alternatives : "");
	}
	return 0;
}

int pf_quiz_grade_answers(const struct pf_quiz *q, const char *name, const char *text,
			  struct pf_quiz_result *res, struct pf_err *err)
{
	const char *s = text;
	size_t qi = 0;
	int line = 0, rc = 0;
	char ans[1024];

	memset(res, 0, sizeof(*res));
	res->total = (int)q->n;
	res->verdicts = calloc(q->n ? q->n : 1, sizeof(*res->verdicts));
	if (!res->verdicts)
		return pf_err_set(err, PF_EFAIL, "out of memory");
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		size_t lead = strspn(s, " \t");

		line++;
		if (n && s[n - 1] == '\r')
			n--;
		if (lead >= n || s[lead] == '#')
			goto next;
		if (qi == q->n) {
			rc = pf_err_set(err, PF_EINPUT,
					"%s:%d: more answers than the %zu questions of the quiz", name,
					line, q->n);
			goto out;
		}
		if (n >= sizeof(ans)) {
			rc = pf_err_set(err, PF_EINPUT, "%s:%d: answer too long", name, line);
			goto out;
		}
		memcpy(ans, s, n);
		ans[n] = '\0';
		rc = pf_quiz_grade(q, qi, ans, &res->verdicts[qi], err);
		if (rc < 0) {
			char where[300];

			pf_fmt(where, sizeof(where), "%s:%d: question %zu", name, line, qi + 1);
			pf_err_prefix(err, where);
			goto out;
		}
		if (res->verdicts[qi].correct)
			res->score++;
		qi++;
next:
		if (!nl)
			break;
		s = nl + 1;
	}
	if (qi < q->n)
		rc = pf_err_set(err, PF_EINPUT, "%s:%d: %zu answers for %zu questions (one line each)",
				name, line ? line : 1, qi, q->n);
out:
	if (rc < 0) {
		free(res->verdicts);
		res->verdicts = NULL;
	}
	return rc;
}

int pf_quiz_plain(const char *md, struct pf_buf *out)
{
	const char *s = md;

	while (*s) {
		if (*s == '\\' && s[1] && strchr("\\`*_[]()#>-!", s[1])) {
			pf_buf_putc(out, s[1]);
			s += 2;
		} else if (*s == '`') {
			const char *e = strchr(s + 1, '`');

			if (e) {
				pf_buf_append(out, s + 1, (size_t)(e - s - 1));
				s = e + 1;
			} else {
				pf_buf_putc(out, *s++);
			}
		} else if ((s[0] == '*' && s[1] == '*') || (s[0] == '_' && s[1] == '_')) {
			s += 2;
		} else if ((*s == '*' || *s == '_') &&
			   (((s == md || !isalnum((unsigned char)s[-1])) && s[1] &&
			     !isspace((unsigned char)s[1])) ||
			    (s > md && !isspace((unsigned char)s[-1]) &&
			     !isalnum((unsigned char)s[1])))) {
			/* emphasis markers at a word edge; snake_case stays intact */
			s++;
		} else if (*s == '[') {
			const char *close = strchr(s, ']');

			if (close && close[1] == '(' && strchr(close, ')')) {
				const char *paren = strchr(close, ')');

				pf_buf_append(out, s + 1, (size_t)(close - s - 1));
				pf_buf_puts(out, " (");
				pf_buf_append(out, close + 2, (size_t)(paren - close - 2));
				pf_buf_putc(out, ')');
				s = paren + 1;
			} else {
				pf_buf_putc(out, *s++);
			}
		} else {
			pf_buf_putc(out, *s++);
		}
	}
	return 0;
}
