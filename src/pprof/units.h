/*
 * units.h - pprof's measurement units: scaling a value between units,
 * the text form of a value and of a percentage, exactly as go tool pprof
 * (internal/measurement) prints them.
 *
 * Units come in families (bytes: B kB MB GB TB PB, powers of 1024; time:
 * ns us ms s hrs); a unit name is matched case-insensitively, with a
 * trailing "s" dropped when longer than two letters ("nanoseconds",
 * "bytes"). Other units ("count") are printed without a suffix.
 */
#ifndef PF_UNITS_H
#define PF_UNITS_H

#include <stddef.h>
#include <stdint.h>

/*
 * Scale value from unit `from` to unit `to`; "minimum" and "auto" pick the
 * largest unit of the family in which the value is at least 1. Stores the
 * unit's short name ("ms", "MB", or "" for uninteresting units such as
 * "count") in unit_out (size >= 16) and returns the scaled value.
 */
double pf_units_scale(int64_t value, const char *from, const char *to, char *unit_out,
		      size_t size);
/* "1.50s", "12MB", "0": value scaled to `to` with two decimals, ".00"
 * dropped (ScaledLabel). dst size >= 48. */
void pf_units_label(int64_t value, const char *from, const char *to, char *dst, size_t size);
/* "  100%", "12.34%", " 0.12%": value as a percentage of total (width 6,
 * as pprof's columns print it). dst size >= 32. */
void pf_units_percentage(int64_t value, int64_t total, char *dst, size_t size);

#endif
