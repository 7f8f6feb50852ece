//go:build ignore

// Command vulngate reads govulncheck's JSON stream (govulncheck -format json, protocol v1) on
// standard input and fails when the code calls a vulnerable function (a "finding" whose trace
// starts at a function) that the accept file does not list.
//
// The accept file has one exception a line: an OSV id, the module@version it is accepted in,
// and the reason, e.g.
//
//	GO-2026-6809 stdlib@v1.26.8 fixed in go1.26.10, which this toolchain cannot be moved to yet
//
// An exception holds for that exact version only: moving the toolchain or the module makes a
// remaining finding fail again. Blank lines and lines starting with # are ignored. Exceptions
// that match nothing are reported so the file can be pruned.
//
// Exit status: 0 when every reachable finding is accepted, 1 otherwise, 2 on unreadable input.
//
// Usage: govulncheck -format json ./... | go run .ci/vulngate.go -accept .ci/govulncheck-accept.txt
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

type frame struct {
	Module   string `json:"module"`
	Version  string `json:"version"`
	Package  string `json:"package"`
	Function string `json:"function"`
	Receiver string `json:"receiver"`
}

type message struct {
	Finding *struct {
		OSV          string  `json:"osv"`
		FixedVersion string  `json:"fixed_version"`
		Trace        []frame `json:"trace"`
	} `json:"finding"`
}

func main() {
	acceptFile := flag.String("accept", "", "file of accepted findings (id module@version reason)")
	flag.Parse()
	accepted, err := readAccept(*acceptFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "vulngate:", err)
		os.Exit(2)
	}
	type hit struct{ fixed, example string }
	found := map[string]*hit{} // "id module@version" → first call seen
	dec := json.NewDecoder(bufio.NewReader(os.Stdin))
	for {
		var m message
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			fmt.Fprintln(os.Stderr, "vulngate: reading govulncheck output:", err)
			os.Exit(2)
		}
		f := m.Finding
		if f == nil || len(f.Trace) == 0 || f.Trace[0].Function == "" {
			continue // imported or required, not called
		}
		t := f.Trace[0]
		key := f.OSV + " " + t.Module + "@" + t.Version
		fn := t.Function
		if t.Receiver != "" {
			fn = t.Receiver + "." + fn
		}
		call := t.Package + "." + fn
		if h := found[key]; h == nil {
			found[key] = &hit{fixed: f.FixedVersion, example: call}
		} else if call < h.example {
			h.example = call // the same line every run, whatever order findings come in
		}
	}
	keys := make([]string, 0, len(found))
	for k := range found {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	bad := 0
	for _, k := range keys {
		h := found[k]
		if reason, ok := accepted[k]; ok {
			fmt.Printf("vulngate: accepted   %s (fixed in %s; called via %s): %s\n", k, h.fixed, h.example, reason)
			delete(accepted, k)
			continue
		}
		bad++
		fmt.Printf("vulngate: REACHABLE  %s (fixed in %s; called via %s)\n", k, h.fixed, h.example)
	}
	stale := make([]string, 0, len(accepted))
	for k := range accepted {
		stale = append(stale, k)
	}
	sort.Strings(stale)
	for _, k := range stale {
		fmt.Printf("vulngate: the exception %q matches no finding any more; remove it from %s\n", k, *acceptFile)
	}
	fmt.Printf("vulngate: %d reachable, %d accepted, %d not accepted\n", len(keys), len(keys)-bad, bad)
	if bad > 0 {
		os.Exit(1)
	}
}

func readAccept(name string) (map[string]string, error) {
	out := map[string]string{}
	if name == "" {
		return out, nil
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 3 || !strings.HasPrefix(f[0], "GO-") || !strings.Contains(f[1], "@") {
			return nil, fmt.Errorf("%s:%d: want 'GO-ID module@version reason'", name, i+1)
		}
		out[f[0]+" "+f[1]] = strings.Join(f[2:], " ")
	}
	return out, nil
}
