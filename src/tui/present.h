/*
 * present.h - a chapter as slides, for workshops (`proflab present N`):
 * one `##` section per screen under a large title (a block font of its
 * own; a boxed banner when the title does not fit), the chapter's
 * title and introduction first. Right, Space, PgDn and l go forward;
 * Left, Backspace (or Ctrl-H), PgUp and h go back; j/k (Down/Up) scroll a
 * slide that is taller than the screen; g/G first/last; q quits. The
 * bottom line always shows the slide counter; the rest of it is
 * shortened or left out to fit the width.
 */
#ifndef PF_PRESENT_H
#define PF_PRESENT_H

#include "../course/lessons.h"

/* Show chapter l as slides on the terminal. Returns the exit status: 0,
 * 1 when the chapter cannot be read, 2 when stdout is not a terminal. */
int pf_present_run(const struct pf_lesson *l);

#endif
