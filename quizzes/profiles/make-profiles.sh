#!/usr/bin/env bash
# make-profiles.sh - regenerate the bundled profiles that profile questions
# fall back on when the learner has not profiled the exercise yet.
#
# Each profile is a real recording by proflab's own CPU profiler of the
# pristine exercise, built the way its manifest builds it and run at the
# manifest's rate (250 Hz). The recording is done in a fixed scratch
# directory so that the paths stored in the profile (mappings, source
# files) say nothing about the machine that made it.
#
#   BUILD=build bash quizzes/profiles/make-profiles.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${BUILD:-build}
case $build in /*) ;; *) build=$root/$build ;; esac
work=/tmp/proflab-quiz-profiles
rm -rf "$work"
mkdir -p "$work"
cp "$build/libproflab.so" "$work/"
export PROFLAB_RUNTIME=$work/libproflab.so

record() { # exercise source binary
	local ex=$1 src=$2 bin=$3
	cp "$root/exercises/$ex/$src" "$work/"
	(cd "$work" && cc -O2 -g -fno-omit-frame-pointer -o "$bin" "$src" &&
		"$build/proflab" record -cpuprofile "$ex.cpu.pb.gz" -hz 250 -- "./$bin" >/dev/null)
	cp "$work/$ex.cpu.pb.gz" "$here/"
	echo "$ex.cpu.pb.gz:"
	"$build/proflab" pprof -top -nodecount=4 "$here/$ex.cpu.pb.gz" | sed -n '/flat%/,$p'
}

record 01-sales-report report.c report
record 02-log-clients logstat.c logstat
rm -rf "$work"
