/*
 * symbolize.c - addresses to functions, files, lines and inlined frames
 * with libdwfl, for the process itself (see symbolize.h).
 *
 * The inline chain comes from dwarf_getscopes(): the scopes containing the
 * address, innermost first. The line table gives the position in the
 * innermost scope; each DW_TAG_inlined_subroutine's DW_AT_call_file and
 * DW_AT_call_line give the position in the scope enclosing it, up to the
 * DW_TAG_subprogram that was really called.
 */
#include "symbolize.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct pf_symbolizer {
	Dwfl *dwfl;
};

static char *debuginfo_path;

static const Dwfl_Callbacks callbacks = {
	.find_elf = dwfl_linux_proc_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.debuginfo_path = &debuginfo_path,
};

struct pf_symbolizer *pf_symbolizer_new(struct pf_err *err)
{
	struct pf_symbolizer *s = calloc(1, sizeof(*s));
	int rc;

	if (!s) {
		pf_err_set(err, PF_EFAIL, "symbolizer: out of memory");
		return NULL;
	}
	s->dwfl = dwfl_begin(&callbacks);
	if (!s->dwfl) {
		pf_err_set(err, PF_EFAIL, "symbolizer: %s", dwfl_errmsg(-1));
		goto fail;
	}
	dwfl_report_begin(s->dwfl);
	rc = dwfl_linux_proc_report(s->dwfl, getpid());
	if (rc != 0) {
		pf_err_set(err, PF_EFAIL, "symbolizer: reading /proc/self/maps: %s",
			   rc > 0 ? strerror(rc) : dwfl_errmsg(-1));
		goto fail;
	}
	if (dwfl_report_end(s->dwfl, NULL, NULL) != 0) {
		pf_err_set(err, PF_EFAIL, "symbolizer: %s", dwfl_errmsg(-1));
		goto fail;
	}
	return s;
fail:
	pf_symbolizer_free(s);
	return NULL;
}

void pf_symbolizer_free(struct pf_symbolizer *s)
{
	if (!s)
		return;
	if (s->dwfl)
		dwfl_end(s->dwfl);
	free(s);
}

static const char *die_name(Dwarf_Die *d)
{
	Dwarf_Attribute a;
	const char *n = dwarf_diename(d);

	if (n)
		return n;
	return dwarf_formstring(dwarf_attr_integrate(d, DW_AT_linkage_name, &a));
}

static int die_udata(Dwarf_Die *d, unsigned name, Dwarf_Word *out)
{
	Dwarf_Attribute a;

	if (!dwarf_attr(d, name, &a))
		return -1;
	return dwarf_formudata(&a, out) == 0 ? 0 : -1;
}

int pf_symbolizer_lookup(struct pf_symbolizer *s, uintptr_t addr, struct pf_sym_frame *frames,
			 int max)
{
	Dwfl_Module *m;
	Dwarf_Die *cu, *scopes = NULL;
	Dwarf_Addr bias = 0;
	Dwarf_Files *files = NULL;
	size_t nfiles = 0;
	Dwfl_Line *ln;
	const char *symname, *file = NULL;
	int line = 0, col = 0, ns, i, n = 0;

	if (max <= 0)
		return 0;
	m = dwfl_addrmodule(s->dwfl, addr);
	if (!m)
		return 0;
	symname = dwfl_module_addrname(m, addr);
	cu = dwfl_module_addrdie(m, addr, &bias);
	ln = dwfl_module_getsrc(m, addr);
	if (ln)
		file = dwfl_lineinfo(ln, NULL, &line, &col, NULL, NULL);
	if (cu) {
		if (dwarf_getsrcfiles(cu, &files, &nfiles) != 0)
			files = NULL;
		ns = dwarf_getscopes(cu, addr - bias, &scopes);
		/* After an inlined instance dwarf_getscopes lists the abstract
		 * definition's parents; the concrete chain of callers comes from
		 * the innermost function scope's own parents. */
		for (i = 0; i < ns; i++) {
			int tag = dwarf_tag(&scopes[i]);

			if (tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine)
				break;
		}
		if (i < ns) {
			Dwarf_Die *chain = NULL;
			int nc = dwarf_getscopes_die(&scopes[i], &chain);

			free(scopes);
			scopes = chain;
			ns = nc;
		}
		for (i = 0; i < ns && n < max; i++) {
			Dwarf_Die *d = &scopes[i];
			int tag = dwarf_tag(d), dl = 0;
			Dwarf_Word w;

			if (tag != DW_TAG_subprogram && tag != DW_TAG_inlined_subroutine)
				continue;
			memset(&frames[n], 0, sizeof(frames[n]));
			frames[n].name = die_name(d);
			if (!frames[n].name && tag == DW_TAG_subprogram)
				frames[n].name = symname;
			frames[n].file = file;
			frames[n].line = line;
			frames[n].column = col;
			frames[n].func_file = dwarf_decl_file(d);
			if (dwarf_decl_line(d, &dl) == 0)
				frames[n].start_line = dl;
			if (frames[n].name)
				n++;
			if (tag == DW_TAG_subprogram)
				break;
			/* The position of this inlined call in its caller. */
			file = NULL;
			line = col = 0;
			if (files && die_udata(d, DW_AT_call_file, &w) == 0 && w < nfiles)
				file = dwarf_filesrc(files, w, NULL, NULL);
			if (die_udata(d, DW_AT_call_line, &w) == 0)
				line = (int)w;
			if (die_udata(d, DW_AT_call_column, &w) == 0)
				col = (int)w;
		}
		free(scopes);
	}
	if (n == 0 && symname) {
		memset(&frames[0], 0, sizeof(frames[0]));
		frames[0].name = symname;
		frames[0].file = file;
		frames[0].line = line;
		n = 1;
	}
	return n;
}

int pf_symbolizer_module(struct pf_symbolizer *s, uintptr_t addr, struct pf_sym_module *out)
{
	Dwfl_Module *m = dwfl_addrmodule(s->dwfl, addr);
	const unsigned char *bits = NULL;
	GElf_Addr vaddr;
	Dwarf_Addr bias;
	int len, i;
	static const char hex[] = "0123456789abcdef";

	memset(out, 0, sizeof(*out));
	if (!m)
		return -1;
	out->file = dwfl_module_info(m, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
	/* The build ID note is read with the ELF file. */
	(void)dwfl_module_getelf(m, &bias);
	len = dwfl_module_build_id(m, &bits, &vaddr);
	for (i = 0; i < len && i < 40; i++) {
		out->build_id[2 * i] = hex[bits[i] >> 4];
		out->build_id[2 * i + 1] = hex[bits[i] & 15];
	}
	out->build_id[2 * i] = 0;
	out->has_dwarf = dwfl_module_getdwarf(m, &bias) != NULL;
	return 0;
}
