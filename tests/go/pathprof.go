// pathprof writes paths.pb.gz, a small CPU profile whose source file
// names need cleaning ("./nptl/x.c", "a//b/../c.c", "dir/"), into the
// directory given as the first argument. The profile is encoded by hand
// (the standard library has no protobuf), so the test controls every
// file name; go tool pprof shows them through filepath.Clean.
package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
)

type enc struct{ bytes.Buffer }

func (e *enc) varint(v uint64) {
	for v >= 0x80 {
		e.WriteByte(byte(v) | 0x80)
		v >>= 7
	}
	e.WriteByte(byte(v))
}

func (e *enc) uint(field int, v uint64) {
	e.varint(uint64(field) << 3)
	e.varint(v)
}

func (e *enc) bytes(field int, b []byte) {
	e.varint(uint64(field)<<3 | 2)
	e.varint(uint64(len(b)))
	e.Write(b)
}

var strs = []string{""}

func str(s string) uint64 {
	for i, t := range strs {
		if t == s {
			return uint64(i)
		}
	}
	strs = append(strs, s)
	return uint64(len(strs) - 1)
}

type fn struct{ name, file string }

// Functions, by id (index + 1). Two spellings of one file make one
// source listing once cleaned.
var fns = []fn{
	{"start_thread", "./nptl/pthread_create.c"},
	{"worker", "src//a/../b/./w.c"},
	{"helper", "./src.c"},
	{"helper", "src.c"},
	{"rooted", "/../no/such/./dir//x.c"},
	{"updir", "../up/../up/f.c"},
	{"trailing", "lib/dir/"},
	{"nofile", ""},
}

// Samples: stacks of (function id, line), leaf first, and a value.
var samples = []struct {
	stack [][2]int
	value int64
}{
	{[][2]int{{2, 12}, {1, 442}}, 30e6},
	{[][2]int{{3, 4}, {2, 14}, {1, 442}}, 20e6},
	{[][2]int{{4, 5}, {2, 14}, {1, 442}}, 10e6},
	{[][2]int{{5, 7}, {1, 442}}, 10e6},
	{[][2]int{{6, 3}, {7, 9}, {8, 1}, {1, 442}}, 10e6},
}

func main() {
	var p enc
	var vt enc
	vt.uint(1, str("cpu"))
	vt.uint(2, str("nanoseconds"))
	p.bytes(1, vt.Bytes())
	locs := map[[2]int]uint64{}
	var locMsgs [][]byte
	for _, s := range samples {
		var m enc
		for _, fl := range s.stack {
			id, ok := locs[fl]
			if !ok {
				id = uint64(len(locs) + 1)
				locs[fl] = id
				var l, ln enc
				ln.uint(1, uint64(fl[0]))
				ln.uint(2, uint64(fl[1]))
				l.uint(1, id)
				l.uint(3, 0x1000*id)
				l.bytes(4, ln.Bytes())
				locMsgs = append(locMsgs, l.Bytes())
			}
			m.uint(1, id)
		}
		m.uint(2, uint64(s.value))
		p.bytes(2, m.Bytes())
	}
	for _, l := range locMsgs {
		p.bytes(4, l)
	}
	for i, f := range fns {
		var m enc
		m.uint(1, uint64(i+1))
		m.uint(2, str(f.name))
		m.uint(3, str(f.name))
		if f.file != "" {
			m.uint(4, str(f.file))
		}
		p.bytes(5, m.Bytes())
	}
	var pt enc
	pt.uint(1, str("cpu"))
	pt.uint(2, str("nanoseconds"))
	p.bytes(11, pt.Bytes())
	p.uint(12, 10e6)
	for _, s := range strs {
		p.bytes(6, []byte(s))
	}

	var out bytes.Buffer
	z := gzip.NewWriter(&out)
	z.Write(p.Bytes())
	z.Close()
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: pathprof DIR")
		os.Exit(2)
	}
	if err := os.WriteFile(filepath.Join(os.Args[1], "paths.pb.gz"), out.Bytes(), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
