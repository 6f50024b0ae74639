#!/usr/bin/env bash
# cpu_stress.sh - the CPU profiler under a hostile load: 8 threads at
# 5000 Hz doing malloc/free, dlopen/dlclose and fork+exec must finish
# with no crash, no deadlock and a valid profile. make test runs it for
# CPU_STRESS_SECONDS (default 6) of wall time; `make stress-cpu` runs the
# full 20 seconds.
. "$(dirname "$0")/lib.sh"
PROGS=$BUILD/tests/progs
SECS=${CPU_STRESS_SECONDS:-6}
export HOME=$TMP

for variant in cpu_stress cpu_stress-linked; do
	if [ "$variant" = cpu_stress ]; then
		run timeout -k 5 $((SECS * 4 + 30)) "$PROFLAB" record -cpuprofile "$TMP/$variant.pb.gz" -hz 5000 -- "$PROGS/$variant" "$SECS"
	else
		run timeout -k 5 $((SECS * 4 + 30)) env PROFLAB_CPUPROFILE="$TMP/$variant.pb.gz" PROFLAB_HZ=5000 "$PROGS/$variant" "$SECS"
	fi
	expect_rc "${variant}_finishes" 0
	expect_contains "${variant}_did_work" "$OUT" "ok "
	run go tool pprof -symbolize=none -raw "$TMP/$variant.pb.gz"
	expect_rc "${variant}_profile_valid" 0
	expect_contains "${variant}_profile_has_malloc_churn" "$OUT" "churn_malloc"
	expect_contains "${variant}_profile_has_forks" "$OUT" "churn_exec"
done
