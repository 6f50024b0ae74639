#!/usr/bin/env python3
"""lesson_script.py - turn a chapter into a bash script that runs it.

Every command a chapter shows must work. This reads lessons/NN-slug.md and
prints a bash script that, in a scratch directory:

  * writes each fenced block whose info string has file=NAME
    (```go file=main.go) to NAME, in the order the chapter shows them;
  * runs each line starting with "$ " of the ```sh / ```console blocks, in
    order, in one shell (so background jobs and `kill %job` work), feeding
    the "(pprof) ..." lines that follow a command to its standard input;
  * prints "PASS <chapter>: <command>" or "FAIL ..." with the output.

A command must exit 0, unless an HTML comment `<!-- test: exit=N -->` stands
right before its block. Lines ending in "&" start background jobs, which
are killed at the end.
"""
import re
import shlex
import sys


def parse(path):
    steps = []  # ("file", name, text) | ("cmd", line, stdin, expect)
    lines = open(path, encoding="utf-8").read().split("\n")
    expect = 0
    i = 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r"<!--\s*test:\s*exit=(\d+)\s*-->", line.strip())
        if m:
            expect = int(m.group(1))
            i += 1
            continue
        fence = re.match(r"^(`{3,}|~{3,})\s*(.*)$", line)
        if not fence:
            if line.strip():
                expect = 0
            i += 1
            continue
        marker, info = fence.group(1), fence.group(2).split()
        body = []
        i += 1
        while i < len(lines) and not lines[i].startswith(marker):
            body.append(lines[i])
            i += 1
        i += 1
        lang = info[0] if info else ""
        attrs = dict(a.split("=", 1) for a in info[1:] if "=" in a)
        if "file" in attrs:
            steps.append(("file", attrs["file"], "\n".join(body) + "\n"))
        elif lang in ("sh", "console"):
            j = 0
            while j < len(body):
                if body[j].startswith("$ "):
                    cmd = body[j][2:]
                    stdin = []
                    j += 1
                    while j < len(body) and body[j].startswith("(pprof) "):
                        stdin.append(body[j][len("(pprof) "):])
                        j += 1
                    steps.append(("cmd", cmd, stdin, expect))
                else:
                    j += 1
        expect = 0
    return steps


def main():
    path, chapter = sys.argv[1], sys.argv[2]
    out = ["set -u", "n=0"]
    for step in parse(path):
        if step[0] == "file":
            name, text = step[1], step[2]
            out.append("mkdir -p \"$(dirname %s)\"" % shlex.quote(name))
            out.append("cat > %s <<'PROFLAB_EOF'\n%sPROFLAB_EOF" % (shlex.quote(name), text))
            continue
        cmd, stdin, expect = step[1], step[2], step[3]
        label = shlex.quote("%s: %s" % (chapter, cmd))
        out.append("n=$((n+1))")
        if cmd.rstrip().endswith("&"):
            body = cmd.rstrip()[:-1]
            out.append("%s >\"bg.$n.log\" 2>&1 &" % body)
            out.append("echo %s" % shlex.quote("# started in background: " + body))
            continue
        feed = "\n".join(stdin + ["quit"]) + "\n" if stdin else ""
        out.append("printf '%%s' %s > stdin.$n" % shlex.quote(feed))
        out.append("%s >\"out.$n\" 2>&1 <stdin.$n" % cmd)
        out.append("rc=$?")
        out.append("if [ $rc -eq %d ]; then echo PASS %s; else echo FAIL %s; "
                   "echo \"  exit status $rc, want %d\"; sed 's/^/  | /' \"out.$n\" | tail -40; fi"
                   % (expect, label, label, expect))
    out.append("for j in $(jobs -p); do kill $j 2>/dev/null; done; wait 2>/dev/null; true")
    print("\n".join(out))


if __name__ == "__main__":
    main()
