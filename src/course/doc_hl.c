/* doc_hl.c - keyword/string/comment highlighting of code blocks (doc_hl.h). */
#include "doc_hl.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "doc.h"

/* States carried between lines. */
enum { ST_CODE = 0, ST_BLOCK_COMMENT = 1, ST_RAW_STRING = 2 };

static const char *const c_words[] = {
	"auto", "break", "case", "char", "const", "continue", "default", "do", "double",
	"else", "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long",
	"register", "restrict", "return", "short", "signed", "sizeof", "static", "struct",
	"switch", "typedef", "union", "unsigned", "void", "volatile", "while", "bool",
	"size_t", "ssize_t", "uint8_t", "uint16_t", "uint32_t", "uint64_t", "int8_t",
	"int16_t", "int32_t", "int64_t", "NULL", "true", "false", NULL,
};

static const char *const go_words[] = {
	"break", "case", "chan", "const", "continue", "default", "defer", "else",
	"fallthrough", "for", "func", "go", "goto", "if", "import", "interface", "map",
	"package", "range", "return", "select", "struct", "switch", "type", "var", "bool",
	"byte", "error", "float32", "float64", "int", "int8", "int16", "int32", "int64",
	"rune", "string", "uint", "uint8", "uint16", "uint32", "uint64", "uintptr", "nil",
	"true", "false", "iota", "any", NULL,
};

static const char *const sh_words[] = {
	"if", "then", "else", "elif", "fi", "for", "in", "do", "done", "while", "until",
	"case", "esac", "function", "export", "local", "return", NULL,
};

enum pf_hl_lang pf_doc_hl_lang(const char *info)
{
	static const char *const sh[] = { "sh", "bash", "shell", "zsh", NULL };
	char word[32];
	size_t n = 0, i;

	if (!info)
		return PF_HL_NONE;
	while (info[n] && !isspace((unsigned char)info[n]) && info[n] != '{' && n + 1 < sizeof(word)) {
		word[n] = info[n];
		n++;
	}
	word[n] = '\0';
	if (!strcasecmp(word, "c") || !strcasecmp(word, "h"))
		return PF_HL_C;
	if (!strcasecmp(word, "go") || !strcasecmp(word, "golang"))
		return PF_HL_GO;
	if (!strcasecmp(word, "console") || !strcasecmp(word, "shell-session"))
		return PF_HL_CONSOLE;
	for (i = 0; sh[i]; i++)
		if (!strcasecmp(word, sh[i]))
			return PF_HL_SH;
	return PF_HL_NONE;
}

static int is_word(const char *const *words, const char *s, size_t n)
{
	size_t i;

	for (i = 0; words[i]; i++)
		if (strlen(words[i]) == n && memcmp(words[i], s, n) == 0)
			return 1;
	return 0;
}

static int ident_char(int c)
{
	return isalnum(c) || c == '_';
}

static void fill(uint32_t *styles, size_t from, size_t to, uint32_t st)
{
	size_t i;

	for (i = from; i < to; i++)
		styles[i] = st;
}

/* A quoted string starting at s[i] (the quote); returns the index after it. */
static size_t quoted(const char *s, size_t n, size_t i, int escapes)
{
	char q = s[i++];

	while (i < n && s[i] != q) {
		if (escapes && s[i] == '\\' && i + 1 < n)
			i++;
		i++;
	}
	return i < n ? i + 1 : n;
}

static void hl_cgo(enum pf_hl_lang lang, const char *s, size_t n, int *state, uint32_t *st)
{
	const char *const *words = lang == PF_HL_GO ? go_words : c_words;
	size_t i = 0, j;

	while (i < n) {
		if (*state == ST_BLOCK_COMMENT) {
			const char *end = memmem(s + i, n - i, "*/", 2);

			j = end ? (size_t)(end - s) + 2 : n;
			fill(st, i, j, PF_DS_COMMENT);
			if (end)
				*state = ST_CODE;
			i = j;
			continue;
		}
		if (*state == ST_RAW_STRING) {
			const char *end = memchr(s + i, '`', n - i);

			j = end ? (size_t)(end - s) + 1 : n;
			fill(st, i, j, PF_DS_STRING);
			if (end)
				*state = ST_CODE;
			i = j;
			continue;
		}
		if (s[i] == '/' && i + 1 < n && s[i + 1] == '/') {
			fill(st, i, n, PF_DS_COMMENT);
			return;
		}
		if (s[i] == '/' && i + 1 < n && s[i + 1] == '*') {
			fill(st, i, i + 2, PF_DS_COMMENT);
			*state = ST_BLOCK_COMMENT;
			i += 2;
			continue;
		}
		if (lang == PF_HL_GO && s[i] == '`') {
			st[i++] = PF_DS_STRING;
			*state = ST_RAW_STRING;
			continue;
		}
		if (s[i] == '"' || s[i] == '\'') {
			j = quoted(s, n, i, 1);
			fill(st, i, j, PF_DS_STRING);
			i = j;
			continue;
		}
		if (lang == PF_HL_C && s[i] == '#') {
			for (j = 0; j < i && isspace((unsigned char)s[j]); j++)
				;
			if (j == i) { /* a preprocessor line: the directive */
				j = i + 1;
				while (j < n && isalpha((unsigned char)s[j]))
					j++;
				fill(st, i, j, PF_DS_KEYWORD);
				i = j;
				continue;
			}
		}
		if (isdigit((unsigned char)s[i]) && (i == 0 || !ident_char((unsigned char)s[i - 1]))) {
			j = i;
			while (j < n && (isalnum((unsigned char)s[j]) || s[j] == '.' || s[j] == '_'))
				j++;
			fill(st, i, j, PF_DS_NUMBER);
			i = j;
			continue;
		}
		if (ident_char((unsigned char)s[i])) {
			j = i;
			while (j < n && ident_char((unsigned char)s[j]))
				j++;
			fill(st, i, j, is_word(words, s + i, j - i) ? PF_DS_KEYWORD : 0);
			i = j;
			continue;
		}
		st[i++] = 0;
	}
}

static void hl_sh(const char *s, size_t n, int console, uint32_t *st)
{
	size_t i = 0, j;
	int first = 1; /* at the first word of a command */

	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (console && !(i + 1 < n && s[i] == '$' && s[i + 1] == ' '))
		return; /* output of a command */
	if (i + 1 < n && (s[i] == '$' || s[i] == '#') && s[i + 1] == ' ' &&
	    (s[i] == '$' || i == 0)) {
		if (s[i] == '#' && i == 0) { /* a comment line, not a root prompt */
			fill(st, 0, n, PF_DS_COMMENT);
			return;
		}
		fill(st, i, i + 2, PF_DS_PROMPT);
		i += 2;
	}
	while (i < n) {
		if (s[i] == '#' && (i == 0 || isspace((unsigned char)s[i - 1]))) {
			fill(st, i, n, PF_DS_COMMENT);
			return;
		}
		if (s[i] == '"' || s[i] == '\'') {
			j = quoted(s, n, i, s[i] == '"');
			fill(st, i, j, PF_DS_STRING);
			i = j;
			first = 0;
			continue;
		}
		if (s[i] == '$' && i + 1 < n && (ident_char((unsigned char)s[i + 1]) || s[i + 1] == '{')) {
			j = i + 1;
			if (s[j] == '{') {
				while (j < n && s[j] != '}')
					j++;
				if (j < n)
					j++;
			} else {
				while (j < n && ident_char((unsigned char)s[j]))
					j++;
			}
			fill(st, i, j, PF_DS_NUMBER);
			i = j;
			first = 0;
			continue;
		}
		if (s[i] == '|' || s[i] == ';' || s[i] == '&' || s[i] == '(') {
			st[i++] = 0;
			first = 1;
			continue;
		}
		if (!isspace((unsigned char)s[i])) {
			j = i;
			while (j < n && !isspace((unsigned char)s[j]) && s[j] != ';' && s[j] != '|' &&
			       s[j] != '"' && s[j] != '\'')
				j++;
			if (first && memchr(s + i, '=', j - i) == NULL)
				fill(st, i, j, PF_DS_KEYWORD);
			else
				fill(st, i, j, is_word(sh_words, s + i, j - i) ? PF_DS_KEYWORD : 0);
			first = is_word(sh_words, s + i, j - i);
			i = j;
			continue;
		}
		st[i++] = 0;
	}
}

void pf_doc_hl_line(enum pf_hl_lang lang, const char *s, size_t n, int *state,
		    uint32_t *styles)
{
	fill(styles, 0, n, 0);
	switch (lang) {
	case PF_HL_C:
	case PF_HL_GO:
		hl_cgo(lang, s, n, state, styles);
		break;
	case PF_HL_SH:
	case PF_HL_CONSOLE:
		hl_sh(s, n, lang == PF_HL_CONSOLE, styles);
		break;
	case PF_HL_NONE:
		break;
	}
}
