/*
 * flame_svg.c - the SVG rendering of a flame tree (flame.h): FlameGraph's
 * structure (a <g> per frame with <title>, <rect> and <text>), root at the
 * bottom, with its own small script for zoom and search so the file needs
 * nothing from outside.
 */
#include "../base/hash.h"
#include "flame.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../base/file.h"
#include "../base/str.h"

enum {
	SVG_WIDTH = 1200,
	FRAME_H = 16,
	FONT_SIZE = 12,
	XPAD = 10,
	YPAD_TOP = FONT_SIZE * 3,
	YPAD_BOTTOM = FONT_SIZE * 2 + 10,
};
#define FONT_W 0.59     /* average glyph width / font size of a monospace font */
#define MIN_WIDTH 0.1   /* px: narrower frames are left out */

/*
 * The script. Coordinates of every frame at full view are kept in
 * data-ox/data-ow; zooming rescales from those, so zooming in and out
 * never accumulates rounding. A frame's name is its title up to the last
 * " (", where the value text starts.
 */
static const char svg_script[] =
	"<script type=\"text/ecmascript\"><![CDATA[\n"
	"'use strict';\n"
	"var W, XPAD, FS, FW, frames, details, matched, unzoombtn, cur_re = null;\n"
	"function init(evt) {\n"
	"  var svg = document.documentElement;\n"
	"  W = +svg.getAttribute('data-width'); XPAD = +svg.getAttribute('data-xpad');\n"
	"  FS = +svg.getAttribute('data-fontsize'); FW = +svg.getAttribute('data-fontwidth');\n"
	"  frames = document.getElementById('frames');\n"
	"  details = document.getElementById('details').firstChild;\n"
	"  matched = document.getElementById('matched');\n"
	"  unzoombtn = document.getElementById('unzoom');\n"
	"  var gs = frames.getElementsByTagName('g');\n"
	"  for (var i = 0; i < gs.length; i++) {\n"
	"    var r = gs[i].getElementsByTagName('rect')[0];\n"
	"    r.setAttribute('data-ox', r.getAttribute('x'));\n"
	"    r.setAttribute('data-ow', r.getAttribute('width'));\n"
	"    r.setAttribute('data-fill', r.getAttribute('fill'));\n"
	"  }\n"
	"  window.addEventListener('click', function (e) {\n"
	"    var g = frame_of(e.target);\n"
	"    if (g) { if (g.getAttribute('class') !== 'hide') zoom(g); return; }\n"
	"    if (e.target.id === 'unzoom') unzoom();\n"
	"    else if (e.target.id === 'search') search_prompt();\n"
	"  }, false);\n"
	"  window.addEventListener('mouseover', function (e) {\n"
	"    var g = frame_of(e.target);\n"
	"    if (g) details.nodeValue = title_of(g);\n"
	"  }, false);\n"
	"  window.addEventListener('mouseout', function (e) {\n"
	"    if (frame_of(e.target)) details.nodeValue = ' ';\n"
	"  }, false);\n"
	"  window.addEventListener('keydown', function (e) {\n"
	"    if ((e.ctrlKey && e.keyCode === 70) || e.key === '/') { e.preventDefault(); search_prompt(); }\n"
	"    else if (e.key === 'Escape') { unzoom(); reset_search(); }\n"
	"  }, false);\n"
	"}\n"
	"function frame_of(t) {\n"
	"  while (t && t.parentNode) {\n"
	"    if (t.parentNode.id === 'frames') return t;\n"
	"    t = t.parentNode;\n"
	"  }\n"
	"  return null;\n"
	"}\n"
	"function title_of(g) { return g.getElementsByTagName('title')[0].textContent; }\n"
	"function name_of(g) { var t = title_of(g); var i = t.lastIndexOf(' ('); return i < 0 ? t : t.substring(0, i); }\n"
	"function place(g, x, w) {\n"
	"  var r = g.getElementsByTagName('rect')[0], t = g.getElementsByTagName('text')[0];\n"
	"  r.setAttribute('x', x.toFixed(2)); r.setAttribute('width', w.toFixed(2));\n"
	"  t.setAttribute('x', (x + 3).toFixed(2));\n"
	"  var fit = Math.floor((w - 6) / (FS * FW)), name = name_of(g);\n"
	"  t.textContent = fit < 3 ? '' : name.length > fit ? name.substring(0, fit - 2) + '..' : name;\n"
	"}\n"
	"function zoom(g) {\n"
	"  var r = g.getElementsByTagName('rect')[0];\n"
	"  var x = +r.getAttribute('data-ox'), w = +r.getAttribute('data-ow'), y = +r.getAttribute('y');\n"
	"  var ratio = (W - 2 * XPAD) / w, eps = 0.0001;\n"
	"  unzoombtn.setAttribute('class', '');\n"
	"  var gs = frames.getElementsByTagName('g');\n"
	"  for (var i = 0; i < gs.length; i++) {\n"
	"    var rr = gs[i].getElementsByTagName('rect')[0];\n"
	"    var ex = +rr.getAttribute('data-ox'), ew = +rr.getAttribute('data-ow'), ey = +rr.getAttribute('y');\n"
	"    if (ey > y) {\n"
	"      if (ex <= x + eps && ex + ew >= x + w - eps) { gs[i].setAttribute('class', 'parent'); place(gs[i], XPAD, W - 2 * XPAD); }\n"
	"      else gs[i].setAttribute('class', 'hide');\n"
	"    } else if (ex >= x - eps && ex + ew <= x + w + eps) {\n"
	"      gs[i].setAttribute('class', ''); place(gs[i], XPAD + (ex - x) * ratio, ew * ratio);\n"
	"    } else gs[i].setAttribute('class', 'hide');\n"
	"  }\n"
	"}\n"
	"function unzoom() {\n"
	"  unzoombtn.setAttribute('class', 'hide');\n"
	"  var gs = frames.getElementsByTagName('g');\n"
	"  for (var i = 0; i < gs.length; i++) {\n"
	"    var r = gs[i].getElementsByTagName('rect')[0];\n"
	"    gs[i].setAttribute('class', '');\n"
	"    place(gs[i], +r.getAttribute('data-ox'), +r.getAttribute('data-ow'));\n"
	"  }\n"
	"}\n"
	"function reset_search() {\n"
	"  var gs = frames.getElementsByTagName('g');\n"
	"  for (var i = 0; i < gs.length; i++) {\n"
	"    var r = gs[i].getElementsByTagName('rect')[0];\n"
	"    r.setAttribute('fill', r.getAttribute('data-fill'));\n"
	"  }\n"
	"  matched.firstChild.nodeValue = ' ';\n"
	"  cur_re = null;\n"
	"}\n"
	"function search_prompt() {\n"
	"  var term = prompt('Search for (regular expression), empty to clear:', cur_re ? cur_re.source : '');\n"
	"  if (term === null) return;\n"
	"  if (term === '') { reset_search(); return; }\n"
	"  try { cur_re = new RegExp(term); } catch (err) { matched.firstChild.nodeValue = 'bad regex'; return; }\n"
	"  search(cur_re);\n"
	"}\n"
	"function search(re) {\n"
	"  var gs = frames.getElementsByTagName('g'), hits = [];\n"
	"  for (var i = 0; i < gs.length; i++) {\n"
	"    var r = gs[i].getElementsByTagName('rect')[0];\n"
	"    if (re.test(name_of(gs[i]))) {\n"
	"      r.setAttribute('fill', 'rgb(230,0,230)');\n"
	"      hits.push([+r.getAttribute('data-ox'), +r.getAttribute('data-ow')]);\n"
	"    } else r.setAttribute('fill', r.getAttribute('data-fill'));\n"
	"  }\n"
	"  // the union of the matched spans: nested matches count once, and\n"
	"  // neighbours overlapping by a rounding error are not counted twice\n"
	"  hits.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });\n"
	"  var sum = 0, end = -1;\n"
	"  for (var j = 0; j < hits.length; j++) {\n"
	"    var e = hits[j][0] + hits[j][1];\n"
	"    if (e > end) { sum += e - Math.max(hits[j][0], end); end = e; }\n"
	"  }\n"
	"  matched.firstChild.nodeValue = 'Matched: ' + (100 * sum / (W - 2 * XPAD)).toFixed(2) + '%';\n"
	"}\n"
	"]]></script>\n";

/* Append s XML-escaped; bytes that are not valid UTF-8, and control
 * characters, become '?', so any name yields well-formed XML. */
static int put_xml(struct pf_buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		unsigned c = *p;
		size_t n = 0, k;

		if (c < 0x80) {
			const char *rep = NULL;

			switch (c) {
			case '&': rep = "&amp;"; break;
			case '<': rep = "&lt;"; break;
			case '>': rep = "&gt;"; break;
			case '"': rep = "&quot;"; break;
			case '\'': rep = "&apos;"; break;
			default: break;
			}
			if (rep ? pf_buf_puts(out, rep) < 0
				: pf_buf_putc(out, c < 0x20 || c == 0x7f ? '?' : (int)c) < 0)
				return -1;
			p++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3;
		for (k = 1; k <= n; k++)
			if ((p[k] & 0xc0) != 0x80)
				break;
		/* Reject overlong forms and surrogates / values past U+10FFFF. */
		if (n == 0 || k <= n || (c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] >= 0xa0) ||
		    (c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] >= 0x90)) {
			if (pf_buf_putc(out, '?') < 0)
				return -1;
			p++;
			continue;
		}
		if (pf_buf_append(out, p, n + 1) < 0)
			return -1;
		p += n + 1;
	}
	return 0;
}

/* Warm colours by library, slightly varied by name so that neighbouring
 * frames of one library stay apart; red/blue by change for diffs. */
static void frame_fill(const struct pf_flame *fg, uint32_t i, double maxd, char *dst, size_t size)
{
	const struct pf_flame_node *nd = &fg->nodes[i];

	if (fg->diff) {
		double d = pf_flame_delta(fg, i), t = maxd > 0 ? (d < 0 ? -d : d) / maxd : 0;
		int c = (int)(230.0 * (1.0 - t) + 0.5);

		if (d > 0)
			pf_fmt(dst, size, "rgb(255,%d,%d)", c, c);
		else if (d < 0)
			pf_fmt(dst, size, "rgb(%d,%d,255)", c, c);
		else
			pf_fmt(dst, size, "rgb(235,235,235)");
		return;
	}
	{
		uint32_t h = (uint32_t)pf_hash_str(PF_HASH_SEED, nd->lib);
		uint32_t v = (uint32_t)pf_hash_str(PF_HASH_SEED, nd->name);
		int r = 200 + (int)(h % 56), g = 60 + (int)((h >> 8) % 150) + (int)(v % 21) - 10,
		    b = (int)((h >> 16) % 60);

		pf_fmt(dst, size, "rgb(%d,%d,%d)", r, g < 0 ? 0 : g, b);
	}
}

int pf_flame_write_svg(const struct pf_flame *fg, const char *title, struct pf_buf *out,
		       struct pf_err *err)
{
	struct pf_flame_layout l;
	struct pf_buf tt = PF_BUF_INIT;
	double maxd = 0, width = SVG_WIDTH - 2 * XPAD, fw = FONT_SIZE * FONT_W;
	uint32_t maxdepth = 0;
	size_t i;
	int height, rc = PF_EFAIL;
	char fill[40], deftitle[160];

	pf_flame_layout_init(&l);
	if (pf_flame_layout(fg, 0, width, MIN_WIDTH, &l) < 0)
		goto oom;
	for (i = 0; i < l.n; i++) {
		if (l.rects[i].depth > maxdepth)
			maxdepth = l.rects[i].depth;
		if (fg->diff) {
			double d = pf_flame_delta(fg, l.rects[i].node);

			if (d < 0)
				d = -d;
			if (d > maxd)
				maxd = d;
		}
	}
	if (!title) {
		pf_fmt(deftitle, sizeof(deftitle), "%s: %s", fg->diff ? "Differential flame graph" : "Flame graph",
		       fg->sample_type);
		title = deftitle;
	}
	height = YPAD_TOP + YPAD_BOTTOM + (int)(maxdepth + 1) * FRAME_H;
	if (pf_buf_printf(out,
			  "<?xml version=\"1.0\" standalone=\"no\"?>\n"
			  "<svg version=\"1.1\" width=\"%d\" height=\"%d\" onload=\"init(evt)\" "
			  "viewBox=\"0 0 %d %d\" xmlns=\"http://www.w3.org/2000/svg\" "
			  "xmlns:xlink=\"http://www.w3.org/1999/xlink\" data-width=\"%d\" "
			  "data-xpad=\"%d\" data-fontsize=\"%d\" data-fontwidth=\"%.2f\">\n"
			  "<style type=\"text/css\">\n"
			  "text { font-family: monospace; font-size: %dpx; fill: rgb(0,0,0); }\n"
			  "#title { text-anchor: middle; font-size: %dpx; }\n"
			  "#frames > *:hover { stroke: black; stroke-width: 0.5; cursor: pointer; }\n"
			  "#unzoom, #search { cursor: pointer; }\n"
			  ".hide { display: none; }\n"
			  ".parent { opacity: 0.5; }\n"
			  "</style>\n",
			  SVG_WIDTH, height, SVG_WIDTH, height, SVG_WIDTH, XPAD, FONT_SIZE, FONT_W,
			  FONT_SIZE, FONT_SIZE + 5) < 0 ||
	    pf_buf_puts(out, svg_script) < 0 ||
	    pf_buf_printf(out,
			  "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"rgb(248,248,240)\"/>\n"
			  "<text id=\"title\" x=\"%d\" y=\"%d\">",
			  SVG_WIDTH, height, SVG_WIDTH / 2, FONT_SIZE * 2) < 0 ||
	    put_xml(out, title) < 0 ||
	    pf_buf_printf(out,
			  "</text>\n"
			  "<text id=\"unzoom\" class=\"hide\" x=\"%d\" y=\"%d\">Reset Zoom</text>\n"
			  "<text id=\"search\" x=\"%d\" y=\"%d\">Search</text>\n"
			  "<text id=\"details\" x=\"%d\" y=\"%d\"> </text>\n"
			  "<text id=\"matched\" x=\"%d\" y=\"%d\"> </text>\n"
			  "<g id=\"frames\">\n",
			  XPAD, FONT_SIZE * 2, SVG_WIDTH - XPAD - 60, FONT_SIZE * 2, XPAD,
			  height - FONT_SIZE, SVG_WIDTH - XPAD - 160, height - FONT_SIZE) < 0)
		goto oom;
	for (i = 0; i < l.n; i++) {
		const struct pf_flame_rect *r = &l.rects[i];
		const struct pf_flame_node *nd = &fg->nodes[r->node];
		double x = XPAD + r->x, y = height - YPAD_BOTTOM - (double)(r->depth + 1) * FRAME_H;
		int fit = (int)((r->w - 6) / fw);
		size_t len = strlen(nd->name);

		frame_fill(fg, r->node, maxd, fill, sizeof(fill));
		pf_buf_truncate(&tt, 0);
		if (pf_flame_title(fg, r->node, &tt) < 0 || pf_buf_puts(out, "<g><title>") < 0 ||
		    put_xml(out, tt.data) < 0 ||
		    pf_buf_printf(out,
				  "</title><rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%d\" "
				  "fill=\"%s\" rx=\"2\" ry=\"2\"/><text x=\"%.2f\" y=\"%.1f\">",
				  x, y, r->w, FRAME_H - 1, fill, x + 3, y + FRAME_H - 4.5) < 0)
			goto oom;
		if (fit >= 3) {
			if ((size_t)fit >= len) {
				if (put_xml(out, nd->name) < 0)
					goto oom;
			} else {
				/* Cut on a UTF-8 boundary. */
				char *cut = strndup(nd->name, (size_t)fit - 2);
				size_t cl;
				int bad;

				if (!cut)
					goto oom;
				cl = strlen(cut);
				while (cl > 0 && ((unsigned char)cut[cl - 1] & 0xc0) == 0x80)
					cl--;
				if (cl > 0 && (unsigned char)cut[cl - 1] >= 0xc0)
					cl--;
				cut[cl] = 0;
				bad = put_xml(out, cut) < 0 || pf_buf_puts(out, "..") < 0;
				free(cut);
				if (bad)
					goto oom;
			}
		}
		if (pf_buf_puts(out, "</text></g>\n") < 0)
			goto oom;
	}
	if (pf_buf_puts(out, "</g>\n</svg>\n") < 0)
		goto oom;
	rc = 0;
	goto out;
oom:
	rc = pf_err_set(err, PF_EFAIL, "out of memory writing the SVG");
out:
	pf_buf_release(&tt);
	pf_flame_layout_release(&l);
	return rc;
}

int pf_flame_write_svg_file(const struct pf_flame *fg, const char *title, const char *path,
			    struct pf_err *err)
{
	struct pf_buf b = PF_BUF_INIT;
	int rc;

	rc = pf_flame_write_svg(fg, title, &b, err);
	if (rc == 0)
		rc = pf_file_write_atomic(path, b.data, b.len, 0, err);
	pf_buf_release(&b);
	return rc;
}

int pf_flame_write_svg_diff(const struct pf_profile *cur, const struct pf_profile *base, int si,
			    const char *path, struct pf_buf *out, struct pf_err *err)
{
	struct pf_flame *fg;
	int rc;

	fg = pf_flame_new_diff(cur, base, si, err);
	if (!fg)
		return err && err->code ? err->code : PF_EFAIL;
	if (path)
		rc = pf_flame_write_svg_file(fg, NULL, path, err);
	else
		rc = pf_flame_write_svg(fg, NULL, out, err);
	pf_flame_free(fg);
	return rc;
}
