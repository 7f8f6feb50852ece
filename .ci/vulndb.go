//go:build ignore

// Command vulndb turns the OSV files of the golang.org/x/vulndb module (its data/osv directory)
// into the offline database layout that govulncheck reads with -db file://DIR (the v1 schema of
// the Go vulnerability database API):
//
//	DIR/index/db.json       {"modified": T}, T the newest entry's modified time, or -modified
//	DIR/index/modules.json  [{"path": MODULE, "vulns": [{"id": ID, "modified": T}]}], sorted by path and id
//	DIR/ID/<ID>.json        each OSV entry, byte for byte
//
// "fixed" is left out of the modules index: govulncheck then reads every entry of a module it
// uses and decides from the entry's own ranges, which is exact (the index's fixed is only a
// shortcut). The output is written to a temporary directory and renamed into place, so an
// interrupted run leaves no half-built database behind.
//
// Usage (from .ci/run): go run .ci/vulndb.go -src MODDIR/data/osv -out DIR [-modified RFC3339]
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

type entry struct {
	ID       string    `json:"id"`
	Modified time.Time `json:"modified"`
	Affected []struct {
		Package struct {
			Name      string `json:"name"`
			Ecosystem string `json:"ecosystem"`
		} `json:"package"`
	} `json:"affected"`
}

type moduleVuln struct {
	ID       string    `json:"id"`
	Modified time.Time `json:"modified"`
}

type module struct {
	Path  string       `json:"path"`
	Vulns []moduleVuln `json:"vulns"`
}

func main() {
	src := flag.String("src", "", "directory of OSV files named <ID>.json (the vulndb module's data/osv)")
	out := flag.String("out", "", "directory to create (must not exist)")
	modified := flag.String("modified", "", "RFC 3339 time for index/db.json when it is later than every entry's")
	flag.Parse()
	if *src == "" || *out == "" {
		fail(fmt.Errorf("usage: go run .ci/vulndb.go -src DIR -out DIR [-modified RFC3339]"))
	}
	if err := build(*src, *out, *modified); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "vulndb:", err)
	os.Exit(1)
}

func build(src, out, modified string) error {
	names, err := filepath.Glob(filepath.Join(src, "*.json"))
	if err != nil {
		return err
	}
	if len(names) == 0 {
		return fmt.Errorf("no OSV files in %s", src)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(out), ".vulndb-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	for _, d := range []string{"ID", "index"} {
		if err := os.Mkdir(filepath.Join(tmp, d), 0o755); err != nil {
			return err
		}
	}
	var newest time.Time
	if modified != "" {
		if newest, err = time.Parse(time.RFC3339, modified); err != nil {
			return fmt.Errorf("-modified: %w", err)
		}
	}
	mods := map[string]*module{}
	for _, name := range names {
		b, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		var e entry
		if err := json.Unmarshal(b, &e); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if e.ID == "" || filepath.Base(name) != e.ID+".json" {
			return fmt.Errorf("%s: the file name does not match its id %q", name, e.ID)
		}
		if e.Modified.After(newest) {
			newest = e.Modified
		}
		seen := map[string]bool{}
		for _, a := range e.Affected {
			p := a.Package.Name
			if p == "" || seen[p] || !strings.EqualFold(a.Package.Ecosystem, "Go") {
				continue
			}
			seen[p] = true
			m := mods[p]
			if m == nil {
				m = &module{Path: p}
				mods[p] = m
			}
			m.Vulns = append(m.Vulns, moduleVuln{ID: e.ID, Modified: e.Modified})
		}
		if err := os.WriteFile(filepath.Join(tmp, "ID", e.ID+".json"), b, 0o644); err != nil {
			return err
		}
	}
	list := make([]*module, 0, len(mods))
	for _, m := range mods {
		sort.Slice(m.Vulns, func(i, j int) bool { return m.Vulns[i].ID < m.Vulns[j].ID })
		list = append(list, m)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Path < list[j].Path })
	if err := writeJSON(filepath.Join(tmp, "index", "modules.json"), list); err != nil {
		return err
	}
	if err := writeJSON(filepath.Join(tmp, "index", "db.json"), map[string]time.Time{"modified": newest}); err != nil {
		return err
	}
	if err := os.Rename(tmp, out); err != nil {
		return err
	}
	fmt.Printf("vulndb: %d entries, %d modules → %s\n", len(names), len(list), out)
	return nil
}

func writeJSON(name string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return os.WriteFile(name, b, 0o644)
}
