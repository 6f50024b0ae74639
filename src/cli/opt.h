/*
 * opt.h - command-line options, Go-flag style and GNU style alike.
 *
 * proflab's options follow go tool pprof (-top, -sample_index=alloc_space,
 * -hz 1000) and also accept the GNU spellings (--plain, --format=json).
 * Each command declares a table of struct pf_opt; pf_opt_parse() fills the
 * targets and collects the positional arguments.
 *
 * Accepted forms: -name, --name, -name=value, --name=value, -name value.
 * Flags (PF_OPT_FLAG) also take -name=true|false|1|0. "--" ends the
 * options. -h and --help (and -help) request the command's help.
 */
#ifndef PF_OPT_H
#define PF_OPT_H

#include "../base/err.h"

enum pf_opt_kind {
	PF_OPT_FLAG,   /* int *: set to 1 (or the =value) */
	PF_OPT_STRING, /* const char **: the value (points into argv) */
	PF_OPT_INT,    /* long *: a decimal integer */
	PF_OPT_DOUBLE, /* double *: a number */
	PF_OPT_FUNC,   /* custom: fn(value, ctx, err) -> 0 or negative */
};

struct pf_opt {
	const char *name;      /* without dashes; NULL ends the table */
	enum pf_opt_kind kind;
	void *target;
	int (*fn)(const char *name, const char *value, void *ctx, struct pf_err *err);
	int takes_value;       /* for PF_OPT_FUNC: whether a value follows */
};

enum {
	PF_OPT_STOP_AT_ARG = 1, /* stop at the first positional argument (like Go's flag) */
};

/*
 * Parse argv[1..argc-1] (argv[0] is the command name). Positional
 * arguments are stored in order into pos, which must hold argc entries;
 * pos may be argv + 1 (positionals are then compacted in place)
 * and counted in *npos. With PF_OPT_STOP_AT_ARG, the first positional and
 * everything after it are positional. Returns 0, 1 when help was asked
 * for, or PF_EUSAGE with err set ("unknown option -x", "bad value...").
 */
int pf_opt_parse(const struct pf_opt *opts, int argc, char **argv, int flags,
		 char **pos, int *npos, struct pf_err *err);

/*
 * The usual ending of a command's parse: on help prints the command's
 * help and returns 0 via *status; on error prints "proflab CMD: MESSAGE"
 * and the usage line and sets *status to 2. Returns 1 when the command
 * should stop with *status, 0 when it should go on.
 */
struct pf_command;
int pf_opt_done(const struct pf_command *c, int rc, const struct pf_err *err, int *status);

#endif
