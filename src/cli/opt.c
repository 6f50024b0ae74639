/* opt.c - the option parser declared in opt.h. */
#include "opt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"

static const struct pf_opt *find(const struct pf_opt *opts, const char *name, size_t len)
{
	for (; opts->name; opts++)
		if (strlen(opts->name) == len && strncmp(opts->name, name, len) == 0)
			return opts;
	return NULL;
}

static int set_value(const struct pf_opt *o, const char *value, int explicit_value,
		     struct pf_err *err)
{
	char *end;

	switch (o->kind) {
	case PF_OPT_FLAG:
		if (!explicit_value || strcmp(value, "true") == 0 || strcmp(value, "1") == 0)
			*(int *)o->target = 1;
		else if (strcmp(value, "false") == 0 || strcmp(value, "0") == 0)
			*(int *)o->target = 0;
		else
			return pf_err_set(err, PF_EUSAGE, "bad value '%s' for -%s: want true or false",
					  value, o->name);
		return 0;
	case PF_OPT_STRING:
		*(const char **)o->target = value;
		return 0;
	case PF_OPT_INT: {
		long v;

		errno = 0;
		v = strtol(value, &end, 10);
		if (errno || end == value || *end)
			return pf_err_set(err, PF_EUSAGE, "bad value '%s' for -%s: want an integer",
					  value, o->name);
		*(long *)o->target = v;
		return 0;
	}
	case PF_OPT_DOUBLE: {
		double v;

		errno = 0;
		v = strtod(value, &end);
		if (errno || end == value || *end)
			return pf_err_set(err, PF_EUSAGE, "bad value '%s' for -%s: want a number",
					  value, o->name);
		*(double *)o->target = v;
		return 0;
	}
	case PF_OPT_FUNC:
		return o->fn(o->name, value, o->target, err);
	}
	return pf_err_set(err, PF_EUSAGE, "internal: bad option kind for -%s", o->name);
}

static int takes_value(const struct pf_opt *o)
{
	if (o->kind == PF_OPT_FLAG)
		return 0;
	if (o->kind == PF_OPT_FUNC)
		return o->takes_value;
	return 1;
}

int pf_opt_parse(const struct pf_opt *opts, int argc, char **argv, int flags,
		 char **pos, int *npos, struct pf_err *err)
{
	int i, only_pos = 0;

	*npos = 0;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *name, *eq, *value;
		const struct pf_opt *o;
		size_t len;
		int rc;

		if (only_pos || a[0] != '-' || a[1] == '\0') {
			pos[(*npos)++] = argv[i];
			if (flags & PF_OPT_STOP_AT_ARG)
				only_pos = 1;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_pos = 1;
			continue;
		}
		name = a + 1 + (a[1] == '-');
		if (strcmp(name, "h") == 0 || strcmp(name, "help") == 0)
			return 1;
		eq = strchr(name, '=');
		len = eq ? (size_t)(eq - name) : strlen(name);
		o = find(opts, name, len);
		if (!o)
			return pf_err_set(err, PF_EUSAGE, "unknown option %.*s", (int)(len + (size_t)(name - a)), a);
		if (eq) {
			value = eq + 1;
		} else if (takes_value(o)) {
			if (i + 1 >= argc)
				return pf_err_set(err, PF_EUSAGE, "option -%s needs a value", o->name);
			value = argv[++i];
		} else {
			value = "";
		}
		rc = set_value(o, value, eq != NULL || takes_value(o), err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int pf_opt_done(const struct pf_command *c, int rc, const struct pf_err *err, int *status)
{
	if (rc == 1) {
		pf_command_print_help(c);
		*status = 0;
		return 1;
	}
	if (rc < 0) {
		fprintf(stderr, "proflab %s: %s\n", c->name, err->msg);
		fprintf(stderr, "usage: proflab %s %s (see proflab %s --help)\n", c->name,
			c->synopsis, c->name);
		*status = 2;
		return 1;
	}
	return 0;
}
