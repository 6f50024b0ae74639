/*
 * doc_hl.h - a small syntax highlighter for the code blocks of chapters:
 * keywords, strings, comments and numbers of C, Go and shell sessions.
 *
 * It works a line at a time and gives each byte PF_DS_* style bits
 * (doc.h); a block comment or raw string that spans lines is carried in
 * an int state the caller keeps between lines (start at 0).
 */
#ifndef PF_DOC_HL_H
#define PF_DOC_HL_H

#include <stddef.h>
#include <stdint.h>

enum pf_hl_lang {
	PF_HL_NONE,
	PF_HL_C,
	PF_HL_GO,
	PF_HL_SH,      /* sh, bash: every line a command, # comments */
	PF_HL_CONSOLE, /* console: "$ " lines are commands, the rest output */
};

/* The language of a fence's info string ("c", "go", "console"...). */
enum pf_hl_lang pf_doc_hl_lang(const char *info);

/* Fill styles[0..n) for one line (no newline) of code in lang; bytes that
 * are plain code get 0. *state must be 0 before the first line. */
void pf_doc_hl_line(enum pf_hl_lang lang, const char *s, size_t n, int *state,
		    uint32_t *styles);

#endif
