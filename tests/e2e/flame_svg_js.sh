# flame_svg_js.sh - the SVG's embedded script, run in node against a small
# DOM stand-in: click-to-zoom rescales the subtree and hides the rest,
# reset restores the layout, search highlights and reports the share.
. "$(dirname "$0")/lib.sh"

command -v node >/dev/null || { fail "node installed" "run: make deps"; exit 1; }
[ -x "$PROFLAB" ] || { fail "proflab is built" "$PROFLAB"; exit 1; }

"$PROFLAB" flame --bench-gen=300 -o "$TMP/p.pb.gz" || { fail "generate profile"; exit 1; }
run "$PROFLAB" flame "$TMP/p.pb.gz" -o "$TMP/p.svg" -sample_index=samples
expect_rc "svg written" 0
run "$PROFLAB" flame "$TMP/p.pb.gz" --folded -sample_index=samples
printf '%s\n' "$OUT" >"$TMP/p.folded"

cat >"$TMP/check.js" <<'EOF'
'use strict';
const fs = require('fs');
const svg = fs.readFileSync(process.argv[2], 'utf8');
const folded = fs.readFileSync(process.argv[3], 'utf8').trim().split('\n');
let failed = 0;
function check(name, ok, detail) {
  console.log((ok ? 'PASS ' : 'FAIL ') + name);
  if (!ok) { failed = 1; if (detail !== undefined) console.log('  ' + detail); }
}
// --- a DOM stand-in for exactly what the script touches ---
class El {
  constructor(tag, attrs, text) { this.tag = tag; this.attrs = attrs || {}; this.children = []; this.textContent = text || ''; this.parentNode = null; this.id = this.attrs.id || ''; }
  getAttribute(k) { return k in this.attrs ? String(this.attrs[k]) : null; }
  setAttribute(k, v) { this.attrs[k] = String(v); }
  add(c) { c.parentNode = this; this.children.push(c); return c; }
  getElementsByTagName(t) { const out = []; const walk = (e) => { for (const c of e.children) { if (c.tag === t) out.push(c); walk(c); } }; walk(this); return out; }
  get firstChild() { const self = this; return { get nodeValue() { return self.textContent; }, set nodeValue(v) { self.textContent = v; } }; }
}
const unesc = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
const root = new El('svg', {});
const m = svg.match(/<svg [^>]*>/)[0];
for (const a of m.matchAll(/([\w:-]+)="([^"]*)"/g)) root.attrs[a[1]] = a[2];
const byId = {};
for (const id of ['details', 'matched', 'unzoom', 'search', 'frames']) byId[id] = root.add(new El(id === 'frames' ? 'g' : 'text', { id }));
const frames = byId.frames;
const re = /<g><title>([^<]*)<\/title><rect x="([^"]*)" y="([^"]*)" width="([^"]*)" height="[^"]*" fill="([^"]*)"[^>]*\/><text x="([^"]*)" y="[^"]*">([^<]*)<\/text><\/g>/g;
for (const f of svg.matchAll(re)) {
  const g = frames.add(new El('g', {}));
  g.add(new El('title', {}, unesc(f[1])));
  g.add(new El('rect', { x: f[2], y: f[3], width: f[4], fill: f[5] }));
  g.add(new El('text', { x: f[6] }, unesc(f[7])));
}
const listeners = {};
global.document = { documentElement: root, getElementById: (id) => byId[id] || null };
global.window = { addEventListener: (ev, fn) => { listeners[ev] = fn; } };
global.prompt = () => global.__answer;
const script = svg.match(/<!\[CDATA\[([\s\S]*?)\]\]>/)[1];
(0, eval)(script + '\nglobal.__api = { init, zoom, unzoom, search };');
const api = global.__api;
api.init({});
const gs = frames.getElementsByTagName('g');
check('script parses and finds the frames', gs.length > 10, gs.length);
const R = (g) => g.getElementsByTagName('rect')[0];
const num = (g, k) => parseFloat(R(g).getAttribute(k));
const W = +root.attrs['data-width'], XPAD = +root.attrs['data-xpad'];
const title = (g) => g.getElementsByTagName('title')[0].textContent;
const name = (g) => { const t = title(g); return t.substring(0, t.lastIndexOf(' (')); };
// pick a frame two levels up from the bottom (a child of main.main)
const rows = [...new Set(gs.map((g) => num(g, 'y')))].sort((a, b) => b - a);
const row2 = gs.filter((g) => num(g, 'y') === rows[2]).sort((a, b) => num(b, 'width') - num(a, 'width'));
const target = row2[0];
const tx = num(target, 'x'), tw = num(target, 'width'), ty = num(target, 'y');
const orig = gs.map((g) => [num(g, 'x'), num(g, 'width')]);
listeners.click({ target: R(target) });
check('click zooms: frame spans the full width', Math.abs(num(target, 'x') - XPAD) < 0.01 && Math.abs(num(target, 'width') - (W - 2 * XPAD)) < 0.01, num(target, 'x') + ' ' + num(target, 'width'));
let okDesc = true, okOther = true, okParent = true, nd = 0;
gs.forEach((g, i) => {
  const [ox, ow] = orig[i], y = num(g, 'y'), cls = g.getAttribute('class');
  const inside = ox >= tx - 1e-3 && ox + ow <= tx + tw + 1e-3;
  if (y < ty && inside) { nd++; const want = XPAD + (ox - tx) * (W - 2 * XPAD) / tw; if (cls !== '' || Math.abs(num(g, 'x') - want) > 0.05) okDesc = false; }
  else if (y > ty) { if (ox <= tx + 1e-3 && ox + ow >= tx + tw - 1e-3) { if (cls !== 'parent') okParent = false; } else if (cls !== 'hide') okOther = false; }
  else if (y <= ty && !inside && cls !== 'hide') okOther = false;
});
check('click zooms: callees rescaled (' + nd + ')', okDesc && nd > 0);
check('click zooms: callers shown as parents', okParent);
check('click zooms: everything else hidden', okOther);
const label = target.getElementsByTagName('text')[0].textContent;
check('zoomed label shows the full name', label === name(target), label + ' vs ' + name(target));
listeners.click({ target: { id: 'unzoom', parentNode: root } });
check('reset zoom restores every frame', gs.every((g, i) => Math.abs(num(g, 'x') - orig[i][0]) < 0.01 && Math.abs(num(g, 'width') - orig[i][1]) < 0.01 && g.getAttribute('class') === ''));
// search: the share of frames whose name matches, not counting nested matches twice
const pat = 'pkg1[0-9]\\.';
global.__answer = pat;
listeners.click({ target: { id: 'search', parentNode: root } });
const hl = gs.filter((g) => R(g).getAttribute('fill') === 'rgb(230,0,230)');
check('search highlights exactly the matching frames', hl.length > 0 && hl.length === gs.filter((g) => new RegExp(pat).test(name(g))).length, hl.length);
const shown = byId.matched.textContent;
// expected share from the folded stacks: a stack counts once if any frame matches
let hit = 0, tot = 0;
for (const l of folded) { const i = l.lastIndexOf(' '); const v = +l.substring(i + 1); tot += v; if (l.substring(0, i).split(';').some((f) => new RegExp(pat).test(f))) hit += v; }
const want = (100 * hit / tot).toFixed(2);
const got = parseFloat(shown.replace('Matched: ', ''));
// frames under 0.1px are not in the SVG, so allow a small difference
check('search reports the matched share (' + shown + ', folded says ' + want + '%)', Math.abs(got - want) < 0.5);
global.__answer = '';
listeners.click({ target: { id: 'search', parentNode: root } });
check('empty search clears the highlight', gs.every((g) => R(g).getAttribute('fill') === R(g).getAttribute('data-fill')) && byId.matched.textContent === ' ');
process.exit(failed);
EOF
node "$TMP/check.js" "$TMP/p.svg" "$TMP/p.folded"
