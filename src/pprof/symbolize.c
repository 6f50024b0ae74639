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
#include <fcntl.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "../base/str.h"

/* What we know of a module beyond libdwfl: its user data. */
struct mod_state {
	struct mod_state *next;
	int own_dwarf;  /* -1 not yet known; else whether its file has .debug_info */
	int want_lines; /* DWARF from a separate debug file may be loaded */
};

/* A name made here (see plain_name), kept as long as the symbolizer. */
struct name_node {
	struct name_node *next;
	char name[];
};

struct pf_symbolizer {
	Dwfl *dwfl;
	struct mod_state *states; /* every one allocated, for freeing */
	struct name_node *names;
};

static char *debuginfo_path;

/* Whether the file at fd has the .gnu_debuglink CRC (zlib's CRC-32). */
static int crc_matches(int fd, GElf_Word want)
{
	unsigned char buf[8192]; /* small: this may run on a crashing thread's stack */
	uLong crc = crc32(0L, Z_NULL, 0);
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		crc = crc32(crc, buf, (uInt)n);
	if (n < 0 || lseek(fd, 0, SEEK_SET) < 0)
		return 0;
	return (GElf_Word)crc == want;
}

/*
 * Separate debug files: by build ID under /usr/lib/debug/.build-id (where
 * Debian's -dbg and -dbgsym packages put them), then by .gnu_debuglink
 * next to the file, in its .debug/ and under /usr/lib/debug. libdw's
 * standard search ends, for every module without one, by loading
 * libdebuginfod and libcurl's two dozen libraries, which costs more than
 * the rest of a profile's symbolization; it is used only when
 * DEBUGINFOD_URLS asks for debuginfod.
 */
static int find_debuginfo(Dwfl_Module *mod, void **userdata, const char *modname,
			  Dwarf_Addr base, const char *file_name, const char *debuglink_file,
			  GElf_Word debuglink_crc, char **debuginfo_file_name)
{
	static const char *const fmts[] = { "%.*s/%s", "%.*s/.debug/%s", "/usr/lib/debug%.*s/%s" };
	const char *urls = getenv("DEBUGINFOD_URLS"), *slash;
	char path[4096];
	size_t i;
	int fd;

	if (urls && *urls)
		return dwfl_standard_find_debuginfo(mod, userdata, modname, base, file_name,
						    debuglink_file, debuglink_crc,
						    debuginfo_file_name);
	fd = dwfl_build_id_find_debuginfo(mod, userdata, modname, base, file_name, debuglink_file,
					  debuglink_crc, debuginfo_file_name);
	if (fd >= 0 || !debuglink_file || !file_name || !(slash = strrchr(file_name, '/')))
		return fd;
	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		if (pf_fmt(path, sizeof(path), fmts[i], (int)(slash - file_name), file_name,
			   debuglink_file) < 0 ||
		    strcmp(path, file_name) == 0)
			continue;
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (crc_matches(fd, debuglink_crc)) {
			*debuginfo_file_name = strdup(path);
			return fd;
		}
		close(fd);
	}
	errno = ENOENT;
	return -1;
}

static const Dwfl_Callbacks callbacks = {
	.find_elf = dwfl_linux_proc_find_elf,
	.find_debuginfo = find_debuginfo,
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
	struct mod_state *st, *next;

	if (!s)
		return;
	if (s->dwfl)
		dwfl_end(s->dwfl);
	for (st = s->states; st; st = next) {
		next = st->next;
		free(st);
	}
	while (s->names) {
		struct name_node *n = s->names;

		s->names = n->next;
		free(n);
	}
	free(s);
}

/* A symbol-table name without its version ("__libc_start_main@@GLIBC_2.34"
 * in a debug file's .symtab), as DWARF and .dynsym would name it. */
static const char *plain_name(struct pf_symbolizer *s, const char *name)
{
	const char *at = name ? strchr(name, '@') : NULL;
	struct name_node *n;
	size_t len;

	if (!at || at == name)
		return name;
	len = (size_t)(at - name);
	for (n = s->names; n; n = n->next)
		if (strncmp(n->name, name, len) == 0 && n->name[len] == 0)
			return n->name;
	n = malloc(sizeof(*n) + len + 1);
	if (!n)
		return name;
	memcpy(n->name, name, len);
	n->name[len] = 0;
	n->next = s->names;
	s->names = n;
	return n->name;
}

/* The module's state, created on first use; NULL on out of memory. */
static struct mod_state *mod_state(struct pf_symbolizer *s, Dwfl_Module *m)
{
	void **ud = NULL;
	struct mod_state *st;

	dwfl_module_info(m, &ud, NULL, NULL, NULL, NULL, NULL, NULL);
	if (!ud)
		return NULL;
	if (*ud)
		return *ud;
	st = calloc(1, sizeof(*st));
	if (!st)
		return NULL;
	st->own_dwarf = -1;
	st->next = s->states;
	s->states = st;
	*ud = st;
	return st;
}

/* Whether the module's own ELF file has a .debug_info section. */
static int file_has_dwarf(Dwfl_Module *m)
{
	Dwarf_Addr bias;
	Elf *elf = dwfl_module_getelf(m, &bias);
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (!elf || elf_getshdrstrndx(elf, &shstrndx) != 0)
		return 0;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *name;

		if (!gelf_getshdr(scn, &sh))
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (name && (strcmp(name, ".debug_info") == 0 || strcmp(name, ".zdebug_info") == 0))
			return 1;
	}
	return 0;
}

/*
 * Whether lookups in m may use DWARF. A module's own DWARF (the learner's
 * program, libraries built with -g) always; a separate debug file's (say
 * libc's from libc6-dbg) only when asked for with
 * pf_symbolizer_want_lines(): libdw decompresses all its sections when
 * opening it, tens of megabytes for libc, which would dominate the cost of
 * a profile whose only libc frames are __libc_start_main's. Names still
 * come from the debug file's symbol table.
 */
static int dwarf_allowed(struct pf_symbolizer *s, Dwfl_Module *m)
{
	struct mod_state *st = mod_state(s, m);

	if (!st)
		return 1;
	if (st->want_lines)
		return 1;
	if (st->own_dwarf < 0)
		st->own_dwarf = file_has_dwarf(m);
	return st->own_dwarf;
}

void pf_symbolizer_want_lines(struct pf_symbolizer *s, uintptr_t addr)
{
	Dwfl_Module *m = dwfl_addrmodule(s->dwfl, addr);
	struct mod_state *st = m ? mod_state(s, m) : NULL;

	if (st)
		st->want_lines = 1;
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
	symname = plain_name(s, dwfl_module_addrname(m, addr));
	cu = NULL;
	ln = NULL;
	if (dwarf_allowed(s, m)) {
		cu = dwfl_module_addrdie(m, addr, &bias);
		ln = dwfl_module_getsrc(m, addr);
	}
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
	return 0;
}

int pf_symbolizer_symbol_start(struct pf_symbolizer *s, uintptr_t addr, uintptr_t *start)
{
	Dwfl_Module *m = dwfl_addrmodule(s->dwfl, addr);
	GElf_Off off = 0;
	GElf_Sym sym;

	if (!m || !dwfl_module_addrinfo(m, addr, &off, &sym, NULL, NULL, NULL))
		return -1;
	*start = addr - (uintptr_t)off;
	return 0;
}

int pf_symbolizer_has_dwarf(struct pf_symbolizer *s, uintptr_t addr)
{
	Dwfl_Module *m = dwfl_addrmodule(s->dwfl, addr);
	Dwarf_Addr bias;

	return m && dwarf_allowed(s, m) && dwfl_module_getdwarf(m, &bias) != NULL;
}
