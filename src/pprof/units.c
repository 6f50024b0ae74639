/* units.c - pprof's unit scaling and number formatting (units.h). */
#include "units.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../base/str.h"

struct unit {
	const char *name;
	const char *aliases[4];
	double factor;
};

struct unit_type {
	struct unit def;
	const struct unit *units;
	size_t n;
};

static const struct unit byte_units[] = {
	{ "B", { "b", "byte" }, 1 },
	{ "kB", { "kb", "kbyte", "kilobyte" }, 1024.0 },
	{ "MB", { "mb", "mbyte", "megabyte" }, 1048576.0 },
	{ "GB", { "gb", "gbyte", "gigabyte" }, 1073741824.0 },
	{ "TB", { "tb", "tbyte", "terabyte" }, 1099511627776.0 },
	{ "PB", { "pb", "pbyte", "petabyte" }, 1125899906842624.0 },
};

static const struct unit time_units[] = {
	{ "ns", { "ns", "nanosecond" }, 1 },
	{ "us", { "\xce\xbcs", "us", "microsecond" }, 1e3 },
	{ "ms", { "ms", "millisecond" }, 1e6 },
	{ "s", { "s", "sec", "second" }, 1e9 },
	{ "hrs", { "hour", "hr" }, 3600e9 },
};

static const struct unit gcu_units[] = {
	{ "n*GCU", { "nanogcu" }, 1e-9 },   { "u*GCU", { "microgcu" }, 1e-6 },
	{ "m*GCU", { "milligcu" }, 1e-3 },  { "GCU", { "gcu" }, 1 },
	{ "k*GCU", { "kilogcu" }, 1e3 },    { "M*GCU", { "megagcu" }, 1e6 },
	{ "G*GCU", { "gigagcu" }, 1e9 },    { "T*GCU", { "teragcu" }, 1e12 },
	{ "P*GCU", { "petagcu" }, 1e15 },
};

static const struct unit_type unit_types[] = {
	{ { "B", { "b", "byte" }, 1 }, byte_units, sizeof(byte_units) / sizeof(byte_units[0]) },
	{ { "s", { 0 }, 1e9 }, time_units, sizeof(time_units) / sizeof(time_units[0]) },
	{ { "GCU", { 0 }, 1 }, gcu_units, sizeof(gcu_units) / sizeof(gcu_units[0]) },
};

/* Lower-case, drop a trailing 's' when longer than 2 bytes, then find the
 * alias (Go's sniffUnit). */
static const struct unit *sniff(const struct unit_type *ut, const char *name)
{
	char low[64];
	size_t i, n = strlen(name);

	if (n >= sizeof(low))
		return NULL;
	for (i = 0; i < n; i++)
		low[i] = (char)tolower((unsigned char)name[i]);
	low[n] = '\0';
	if (n > 2 && low[n - 1] == 's')
		low[n - 1] = '\0';
	for (i = 0; i < ut->n; i++) {
		size_t j;

		for (j = 0; j < 4 && ut->units[i].aliases[j]; j++)
			if (strcmp(ut->units[i].aliases[j], low) == 0)
				return &ut->units[i];
	}
	return NULL;
}

static int convert(const struct unit_type *ut, int64_t value, const char *from, const char *to,
		   double *v_out, const char **u_out)
{
	const struct unit *fu = sniff(ut, from), *tu;
	double v;

	if (!fu)
		return 0;
	v = (double)value * fu->factor;
	if (strcmp(to, "minimum") == 0 || strcmp(to, "auto") == 0) {
		double f = 0;
		const char *name = NULL;
		size_t i;

		for (i = 0; i < ut->n; i++) {
			if (ut->units[i].factor >= f && v / ut->units[i].factor >= 1.0) {
				f = ut->units[i].factor;
				name = ut->units[i].name;
			}
		}
		if (f != 0) {
			*v_out = v / f;
			*u_out = name;
			return 1;
		}
		*v_out = v / ut->def.factor;
		*u_out = ut->def.name;
		return 1;
	}
	tu = sniff(ut, to);
	if (!tu) {
		*v_out = v / ut->def.factor;
		*u_out = ut->def.name;
		return 1;
	}
	*v_out = v / tu->factor;
	*u_out = tu->name;
	return 1;
}

double pf_units_scale(int64_t value, const char *from, const char *to, char *unit_out,
		      size_t size)
{
	size_t i;

	if (value < 0 && value != INT64_MIN)
		return -pf_units_scale(-value, from, to, unit_out, size);
	for (i = 0; i < sizeof(unit_types) / sizeof(unit_types[0]); i++) {
		double v;
		const char *u;

		if (convert(&unit_types[i], value, from, to, &v, &u)) {
			pf_fmt(unit_out, size, "%s", u);
			return v;
		}
	}
	if (strcmp(to, "count") == 0 || strcmp(to, "sample") == 0 || strcmp(to, "unit") == 0 ||
	    strcmp(to, "minimum") == 0 || strcmp(to, "auto") == 0)
		pf_fmt(unit_out, size, "%s", "");
	else
		pf_fmt(unit_out, size, "%s", to);
	return (double)value;
}

void pf_units_label(int64_t value, const char *from, const char *to, char *dst, size_t size)
{
	char unit[64], num[64];
	double v = pf_units_scale(value, from, to, unit, sizeof(unit));
	size_t n;

	pf_fmt(num, sizeof(num), "%.2f", v);
	n = strlen(num);
	if (n > 3 && strcmp(num + n - 3, ".00") == 0)
		num[n - 3] = '\0';
	if (strcmp(num, "0") == 0 || strcmp(num, "-0") == 0) {
		pf_fmt(dst, size, "0");
		return;
	}
	pf_fmt(dst, size, "%s%s", num, unit);
}

void pf_units_percentage(int64_t value, int64_t total, char *dst, size_t size)
{
	double ratio = 0;

	if (total != 0)
		ratio = fabs((double)value / (double)total) * 100;
	if (ratio >= 99.95 && ratio <= 100.05)
		pf_fmt(dst, size, "  100%%");
	else if (ratio >= 1.0)
		pf_fmt(dst, size, "%5.2f%%", ratio);
	else
		pf_fmt(dst, size, "%5.2g%%", ratio);
}
