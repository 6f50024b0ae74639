/*
 * symbolize.h - addresses of this process to functions, files and lines,
 * with libdw (elfutils' libdwfl): the modules loaded now (read from
 * /proc/self/maps), their GNU build IDs, and for an address the chain of
 * inlined frames that contain it.
 *
 * Not async-signal-safe (it opens files and allocates). A symbolizer
 * describes the process as it is when created: code unloaded before that
 * (dlclose) cannot be symbolized. Modules are opened lazily, on the first
 * lookup that needs them; separate debug files are looked for by build ID
 * (/usr/lib/debug/.build-id) and by .gnu_debuglink, and through debuginfod
 * only when DEBUGINFOD_URLS is set.
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
};

/* A symbolizer for the current process; NULL with err set on failure. */
struct pf_symbolizer *pf_symbolizer_new(struct pf_err *err);
void pf_symbolizer_free(struct pf_symbolizer *s);

/*
 * The source-level frames at addr, innermost (inlined callee) first and
 * the real function last, stored into frames (at most max). Returns the
 * number stored: 0 when the address is in no known module or has no
 * symbol. With only an ELF symbol table (no DWARF, or DWARF in a debug
 * file not asked for with pf_symbolizer_want_lines) one frame with a name
 * and no file/line is returned. Give return addresses minus one.
 */
int pf_symbolizer_lookup(struct pf_symbolizer *s, uintptr_t addr, struct pf_sym_frame *frames,
			 int max);

/* Describe the module containing addr; 0, or -1 when none does. Reads
 * only the module's ELF headers, never its debug information. */
int pf_symbolizer_module(struct pf_symbolizer *s, uintptr_t addr, struct pf_sym_module *out);

/* The address where the ELF symbol containing addr starts (for Go's
 * "name+0xoffset"); 0, or -1 when no symbol contains it. */
int pf_symbolizer_symbol_start(struct pf_symbolizer *s, uintptr_t addr, uintptr_t *start);

/*
 * Let lookups in the module containing addr use the DWARF of a separate
 * debug file (files, lines, inlined frames). By default they use only
 * DWARF in the module's own file; a separate debug file (libc's from
 * libc6-dbg) gives names from its symbol table, as loading its DWARF
 * means decompressing all of it. Ask for the modules whose lines matter,
 * such as those where samples' leaves are. No effect for an address in
 * no module.
 */
void pf_symbolizer_want_lines(struct pf_symbolizer *s, uintptr_t addr);

/* Whether lookups in the module containing addr use DWARF (lines,
 * inlining): 1 or 0. Loads (and may decompress) that debug information,
 * so ask only about modules that matter. */
int pf_symbolizer_has_dwarf(struct pf_symbolizer *s, uintptr_t addr);

#endif
