# link_lib.sh - helpers for the tests that run the documentation's link
# commands (readme_link.sh, install.sh) verbatim.

# A small program that burns CPU in a function of its own, so that a
# profile of it has samples in spin().
write_link_prog() { # FILE
	cat >"$1" <<'C'
#include <stdio.h>
#include <time.h>

__attribute__((noinline)) static double spin(void)
{
	volatile double s = 0;
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		for (int i = 0; i < 100000; i++)
			s += i * 0.5;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec) < 300000000L);
	return s;
}

int main(void)
{
	printf("%f\n", spin());
	return 0;
}
C
}

# Put a cc first in PATH that adds what the library was built with under
# make check (UBSan), so that the documented command links as written.
link_cc_wrapper() { # DIR
	mkdir -p "$1"
	if [ -n "${PROFLAB_SANITIZED:-}" ]; then
		printf '#!/bin/sh\nexec %s "$@" -fsanitize=undefined\n' "$(command -v cc)" >"$1/cc"
		chmod +x "$1/cc"
	fi
	PATH=$1:$PATH
}
