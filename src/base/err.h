/*
 * err.h - the error convention of proflab's libraries.
 *
 * Functions that can fail return 0 on success or a negative value, and
 * describe the failure in a caller-provided struct pf_err. Messages are one
 * line, name the file or argument at fault, and carry no "error:" prefix or
 * trailing newline: the top (CLI or TUI) decides how to show them.
 * A NULL struct pf_err * is allowed and discards the message.
 */
#ifndef PF_ERR_H
#define PF_ERR_H

struct pf_err {
	int code;        /* PF_EFAIL, PF_EUSAGE or PF_EINPUT; 0 when unset */
	char msg[512];
};

/* Codes, chosen to map onto the command exit codes of the contract. */
enum {
	PF_EFAIL = -1,  /* the thing asked for failed: exit 1 */
	PF_EUSAGE = -2, /* bad usage: exit 2 */
	PF_EINPUT = -3, /* malformed input file: exit 2 */
};

/* Record a formatted message and code; returns code so callers can write
 * `return pf_err_set(err, PF_EFAIL, "...")`. */
int pf_err_set(struct pf_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prefix an existing message with "prefix: " (e.g. a file name). */
void pf_err_prefix(struct pf_err *err, const char *prefix);
/* The exit status of the command contract for an error code. */
int pf_err_exit_status(int code);

#endif
