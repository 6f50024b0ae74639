/*
 * tabw.h - column alignment of tab-separated text, as Go's text/tabwriter
 * does it with NewWriter(w, 1, 8, 1, '\t', 0): the layout of Go's
 * legacy text profiles (runtime/pprof's debug=1 heap profile), which
 * proflab reproduces byte for byte.
 *
 * A cell is text ended by a tab; the text after a line's last tab is not
 * a cell and is never padded. Consecutive lines that have a cell in
 * column k form a column block; each cell of the block is padded with
 * tabs to the block's width (its widest cell plus one, rounded up to a
 * multiple of 8). A line without any tab ends every block.
 */
#ifndef PF_TABW_H
#define PF_TABW_H

#include <stddef.h>

struct pf_buf;

/* Append text (len bytes, lines ended by '\n') to out with its cells
 * aligned. 0, or -1 when out could not grow (out keeps what was
 * appended before the failure). */
int pf_tabw_format(const char *text, size_t len, struct pf_buf *out);

#endif
