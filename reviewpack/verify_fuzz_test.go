package reviewpack_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/partnership-ledger/ledger/reviewpack"
)

// FuzzVerifyFile: whatever a pack.json holds, VerifyFile never panics, and it either verifies, or
// says the file is not a pack (ErrNotAPack), or refuses it (ErrRefused) in words for people: each
// problem on one line, never a Go type name. Seeds: the fixture pack whole, truncated, with a
// negative leaf index, with an event dropped, with two swapped, with one repeated.
func FuzzVerifyFile(f *testing.F) {
	var buf bytes.Buffer
	if err := fixturePack(f).Render("json", &buf); err != nil {
		f.Fatal(err)
	}
	whole := buf.Bytes()
	edit := func(change func(events []any) []any) []byte {
		var p map[string]any
		if err := json.Unmarshal(whole, &p); err != nil {
			f.Fatal(err)
		}
		p["events"] = change(p["events"].([]any))
		b, err := json.Marshal(p)
		if err != nil {
			f.Fatal(err)
		}
		return b
	}
	f.Add(whole)
	f.Add(whole[:len(whole)/2])
	f.Add([]byte(`{"format":"ledger-review-pack-v3"}`))
	f.Add([]byte("[1]"))
	f.Add(edit(func(ev []any) []any { ev[1].(map[string]any)["leaf_index"] = -1; return ev }))
	f.Add(edit(func(ev []any) []any { return append(ev[:2:2], ev[3:]...) }))
	f.Add(edit(func(ev []any) []any { ev[1], ev[2] = ev[2], ev[1]; return ev }))
	f.Add(edit(func(ev []any) []any { return append(ev[:2:2], ev[1:]...) }))
	pub := testKey().Public()
	path := filepath.Join(f.TempDir(), "pack.json")
	f.Fuzz(func(t *testing.T, b []byte) {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := reviewpack.VerifyFile(context.Background(), path, pub)
		var refused *reviewpack.RefusedError
		var notAPack *reviewpack.NotAPackError
		var lines []string
		switch {
		case err == nil:
			return
		case errors.As(err, &refused):
			lines = refused.Problems
		case errors.As(err, &notAPack):
			lines = []string{notAPack.Reason}
		default:
			t.Fatalf("neither refused nor not a pack: %v", err)
		}
		for _, l := range lines {
			if l == "" || strings.ContainsAny(l, "\n\r") || strings.Contains(l, "Go struct") || strings.Contains(l, "Go value") || strings.Contains(l, "json: cannot") || strings.Contains(l, "of type ") {
				t.Fatalf("not one line for people: %q", l)
			}
		}
	})
}
