// manystacks writes a heap profile with about N distinct call stacks
// (default 100000) to the file given as the first argument: every
// allocation is recorded (MemProfileRate = 1) and each one is made at the
// end of a different path through four mutually recursive functions,
// chosen by the base-4 digits of a counter.
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
)

var keep [][]byte

//go:noinline
func f0(s string, d int) { step(s, d+1) }

//go:noinline
func f1(s string, d int) { step(s, d+1) }

//go:noinline
func f2(s string, d int) { step(s, d+1) }

//go:noinline
func f3(s string, d int) { step(s, d+1) }

//go:noinline
func step(s string, d int) {
	if d >= len(s) {
		keep = append(keep, make([]byte, 16+len(s)))
		return
	}
	switch s[d] {
	case '0':
		f0(s, d)
	case '1':
		f1(s, d)
	case '2':
		f2(s, d)
	default:
		f3(s, d)
	}
}

func main() {
	n := 100000
	if len(os.Args) > 2 {
		if v, err := strconv.Atoi(os.Args[2]); err == nil {
			n = v
		}
	}
	runtime.MemProfileRate = 1
	for i := 0; i < n; i++ {
		s := strconv.FormatInt(int64(i), 4)
		for len(s) < 11 {
			s = "0" + s
		}
		step(s, 0)
	}
	runtime.GC()
	f, err := os.Create(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := pprof.WriteHeapProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	f.Close()
	runtime.KeepAlive(keep)
}
