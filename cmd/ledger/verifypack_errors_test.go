package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/reviewpack"
)

// TestVerifyPackBadInputOrTampered (issue 21): verify-pack tells bad input (exit 2, one line on
// stderr: a file too large, not complete JSON, naming no pack format) from a pack whose contents do
// not check (exit 1, one REFUSED line on stdout), with words for people: the limit, the byte and line
// where a file stops, the member at fault with what it allows, and an event left out of the stream
// named as missing between the [n] around it rather than as the next event's prev_hash.
// Was: an oversize file exit 1; a truncated file "names no pack format"; leaf_index -1 "cannot
// unmarshal number -1 into Go struct field CitedEvent.Evidence.events.leaf_index of type uint64";
// a dropped event "[13]: prev_hash … does not name the stream's previous event".
func TestVerifyPackBadInputOrTampered(t *testing.T) {
	store := seeded(t)
	pub := publicKey(t, "--store", store)
	dir := filepath.Join(t.TempDir(), "pack")
	r := ledger(t, nil, "pack", "--store", store, "--partnership", gnn, "--as-of", "2016-06-15", "--format", "md,json", "-o", dir)
	require.Equal(t, 0, r.code, r.stderr)
	raw, err := os.ReadFile(filepath.Join(dir, "pack.json"))
	require.NoError(t, err)
	var pack map[string]any
	require.NoError(t, json.Unmarshal(raw, &pack))
	events := pack["events"].([]any)
	require.Greater(t, len(events), 14)
	seqOf := func(i int) int { return int(events[i].(map[string]any)["event"].(map[string]any)["seq"].(float64)) }

	tmp := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(tmp, name)
		require.NoError(t, os.WriteFile(p, b, 0o644))
		return p
	}
	edited := func(name string, edit func(p map[string]any)) string {
		var p map[string]any
		require.NoError(t, json.Unmarshal(raw, &p))
		edit(p)
		b, err := json.Marshal(p)
		require.NoError(t, err)
		return write(name, b)
	}
	without := func(p map[string]any, drop ...int) {
		var kept []any
		for i, e := range p["events"].([]any) {
			if !slices.Contains(drop, i) {
				kept = append(kept, e)
			}
		}
		p["events"] = kept
	}
	big := filepath.Join(tmp, "big.json")
	require.NoError(t, os.WriteFile(big, nil, 0o644))
	require.NoError(t, os.Truncate(big, reviewpack.MaxFileBytes+1))
	bigDir := filepath.Join(tmp, "bigdir")
	require.NoError(t, os.MkdirAll(bigDir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(bigDir, "pack.json"), raw, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(bigDir, "pack.md"), nil, 0o644))
	require.NoError(t, os.Truncate(filepath.Join(bigDir, "pack.md"), reviewpack.MaxFileBytes+1))
	truncDir := filepath.Join(tmp, "truncdir")
	require.NoError(t, os.MkdirAll(truncDir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(truncDir, "pack.json"), raw[:5000], 0o644))
	line := strings.Count(string(raw[:5000]), "\n") + 1

	for _, tt := range []struct {
		name, target string
		code         int
		want         string
		not          string
	}{
		{"a file over the limit", big, 2, fmt.Sprintf("verify-pack: %s is larger than 67108864 bytes (64 MiB), the most any file of a review pack may be", big), ""},
		{"a rendering over the limit", bigDir, 2, "pack.md is larger than 67108864 bytes (64 MiB)", ""},
		{"a truncated pack.json", write("trunc.json", raw[:5000]), 2,
			fmt.Sprintf("is not a review pack's pack.json: not complete JSON: it ends at byte 5000 (line %d, column", line), "names no pack format"},
		{"a truncated pack.json in a directory", truncDir, 2, filepath.Join(truncDir, "pack.json") + " is not a review pack's pack.json: not complete JSON: it ends at byte 5000", ""},
		{"not JSON", write("text.json", []byte("{\"format\":\n  x")), 2, "not valid JSON at byte 14 (line 2, column 4)", ""},
		{"empty", write("empty.json", nil), 2, "is not a review pack's pack.json: empty: not JSON", ""},
		{"a list", write("list.json", []byte("[1]")), 2, "is not a review pack's pack.json: must be an object, not a JSON array", ""},
		{"no format", write("noformat.json", []byte(`{"events":[]}`)), 2, `is not a review pack's pack.json: it names no pack format`, ""},
		{"a negative leaf index", edited("neg.json", func(p map[string]any) { p["events"].([]any)[3].(map[string]any)["leaf_index"] = -1 }), 1,
			"neg.json does not verify: it cannot be read: /events/3/leaf_index: must be a whole number from 0 to 18446744073709551615, not a JSON number -1", "Go struct"},
		{"a leaf index of the wrong type", edited("str.json", func(p map[string]any) { p["events"].([]any)[5].(map[string]any)["leaf_index"] = "7" }), 1,
			"/events/5/leaf_index: must be a whole number from 0 to 18446744073709551615, not a JSON string", ""},
		{"a hash that is not one", edited("hash.json", func(p map[string]any) {
			p["events"].([]any)[4].(map[string]any)["event"].(map[string]any)["hash"] = "ab"
		}), 1, `hash.json does not verify: it cannot be read: /events/4: hash "ab": want 64 hex digits`, ""},
		{"an event dropped", edited("drop.json", func(p map[string]any) { without(p, 12) }), 1,
			fmt.Sprintf("one event of the stream is missing between [%d] and [%d]", seqOf(11), seqOf(13)), "prev_hash"},
		{"two events dropped", edited("drop2.json", func(p map[string]any) { without(p, 12, 13) }), 1,
			fmt.Sprintf("two events of the stream are missing between [%d] and [%d]", seqOf(11), seqOf(14)), "prev_hash"},
		{"the first event dropped", edited("first.json", func(p map[string]any) { without(p, 0) }), 1,
			fmt.Sprintf("one event of the stream is missing before the first event given, [%d]", seqOf(1)), "prev_hash"},
		{"two events swapped", edited("swap.json", func(p map[string]any) {
			ev := p["events"].([]any)
			ev[12], ev[13] = ev[13], ev[12]
		}), 1, fmt.Sprintf("event [%d] (id", seqOf(13)), "missing"},
		{"an event repeated", edited("twice.json", func(p map[string]any) {
			ev := p["events"].([]any)
			p["events"] = append(ev[:13:13], ev[12:]...)
		}), 1, "the events are repeated or out of order", "missing"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := ledger(t, nil, "verify-pack", tt.target, "--key", pub)
			assert.Equal(t, tt.code, r.code, "stdout %q stderr %q", r.stdout, r.stderr)
			out := r.stderr
			if tt.code == 1 {
				out = r.stdout
				assert.True(t, strings.HasPrefix(out, "REFUSED: "+tt.target+" does not verify: "), out)
			} else {
				assert.Empty(t, r.stdout)
				assert.True(t, strings.HasPrefix(out, "ledger: verify-pack: "), out)
			}
			assert.Equal(t, 1, strings.Count(out, "\n"), "one line: %q", out)
			assert.Contains(t, out, tt.want)
			if tt.not != "" {
				assert.NotContains(t, out, tt.not)
			}
		})
	}
}
