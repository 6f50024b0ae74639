// profgen writes the profiles that proflab's tests read: cpu, heap,
// allocs, mutex, block and goroutine, into the directory given as the
// first argument. The work is deliberately small and deterministic in
// shape (the same functions every run), so reports have stable names.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"time"
)

var sink []byte
var keep [][]byte

//go:noinline
func hashLoop(n int) uint64 {
	var h uint64 = 1469598103934665603
	for i := 0; i < n; i++ {
		h = (h ^ uint64(i)) * 1099511628211
	}
	return h
}

//go:noinline
func sortWords(n int) int {
	words := make([]string, n)
	for i := range words {
		words[i] = fmt.Sprintf("w%07d", (i*7919)%n)
	}
	sort.Strings(words)
	return len(strings.Join(words, ","))
}

func burn(d time.Duration) uint64 {
	var acc uint64
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		acc += hashLoop(200000)
		acc += uint64(sortWords(2000))
	}
	return acc
}

//go:noinline
func allocSmall(n int) {
	for i := 0; i < n; i++ {
		sink = make([]byte, 64)
	}
}

//go:noinline
func allocBig(n int) {
	for i := 0; i < n; i++ {
		keep = append(keep, make([]byte, 32<<10))
	}
}

func contend() {
	var mu sync.Mutex
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				mu.Lock()
				time.Sleep(50 * time.Microsecond)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	ch := make(chan int)
	go func() {
		time.Sleep(20 * time.Millisecond)
		ch <- 1
	}()
	<-ch
}

func write(dir, name string, f func(*os.File) error) {
	out, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := f(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	out.Close()
}

func main() {
	dir := os.Args[1]
	cpuTime := 1500 * time.Millisecond
	if len(os.Args) > 2 {
		d, err := time.ParseDuration(os.Args[2])
		if err == nil {
			cpuTime = d
		}
	}
	runtime.MemProfileRate = 4096
	runtime.SetMutexProfileFraction(1)
	runtime.SetBlockProfileRate(1)

	cpu, err := os.Create(filepath.Join(dir, "cpu.pb.gz"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	pprof.StartCPUProfile(cpu)
	burn(cpuTime)
	pprof.StopCPUProfile()
	cpu.Close()

	allocSmall(20000)
	allocBig(64)
	contend()
	runtime.GC()
	for _, name := range []string{"heap", "allocs", "mutex", "block", "goroutine"} {
		p := pprof.Lookup(name)
		write(dir, name+".pb.gz", func(f *os.File) error { return p.WriteTo(f, 0) })
	}
	runtime.KeepAlive(keep)
}
