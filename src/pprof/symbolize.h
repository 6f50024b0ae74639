/*
 * symbolize.h - addresses of this process to functions, files and lines,
 * with libdw (elfutils' libdwfl): the modules loaded now (read from
 * /proc/self/maps), their GNU build IDs, and for an address the chain of
 * inlined frames that contain it.
 *
 * Not async-signal-safe (it opens files and allocates). A symbolizer
 * describes the process as it is when created: code unloaded before that
 * (dlclose) cannot be symbolized.
 *
 * Life cycle: pf_symbolizer_new(), lookups, pf_symbolizer_free(). Strings
 * handed out point into the symbolizer and live as long as it does.
 */
#ifndef PF_SYMBOLIZE_H
#define PF_SYMBOLIZE_H

#include <stddef.h>
#include <stdint.h>

#include "../base/err.h"

struct pf_symbolizer;

/* One frame of the source-level call chain at an address. */
struct pf_sym_frame {
	const char *name;      /* function name; NULL when unknown */
	const char *file;      /* source file of the line, or NULL */
	int line;              /* 0 when unknown */
	int column;            /* 0 when unknown */
	const char *func_file; /* file declaring the function, or NULL */
	int start_line;        /* line declaring the function, or 0 */
};

/* What the symbolizer knows about the module containing an address. */
struct pf_sym_module {
	const char *file;  /* path of the ELF file as mapped */
	char build_id[81]; /* lower-case hex, "" when absent */
	int has_dwarf;     /* whether DWARF (lines, inlining) was found */
};

/* A symbolizer for the current process; NULL with err set on failure. */
struct pf_symbolizer *pf_symbolizer_new(struct pf_err *err);
void pf_symbolizer_free(struct pf_symbolizer *s);

/*
 * The source-level frames at addr, innermost (inlined callee) first and
 * the real function last, stored into frames (at most max). Returns the
 * number stored: 0 when the address is in no known module or has no
 * symbol. With only an ELF symbol table (no DWARF) one frame with a name
 * and no file/line is returned. Give return addresses minus one.
 */
int pf_symbolizer_lookup(struct pf_symbolizer *s, uintptr_t addr, struct pf_sym_frame *frames,
			 int max);

/* Describe the module containing addr; 0, or -1 when none does. */
int pf_symbolizer_module(struct pf_symbolizer *s, uintptr_t addr, struct pf_sym_module *out);

#endif
