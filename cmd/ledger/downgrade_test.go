package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/reviewpack"
)

// TestVerifyPackDowngradeForgery (issue 21, acceptance): the demo's June and October packs of today's
// format, relabelled ledger-review-pack-v3 or -v2 with their report altered (£80,000 made £180,000),
// are refused (exit 1) on one line naming a member the claimed format never had, rather than passing
// as "report NOT checked". A kept v3 pack given a member only v4 has, at any depth, is refused the
// same way, naming it by its JSON pointer.
func TestVerifyPackDowngradeForgery(t *testing.T) {
	store := seeded(t)
	pub := publicKey(t, "--store", store)
	for _, asOf := range []string{"2016-06-15", "2016-10-01"} {
		dir := filepath.Join(t.TempDir(), "pack")
		r := ledger(t, nil, "pack", "--store", store, "--partnership", gnn, "--as-of", asOf, "-o", dir)
		require.Equal(t, 0, r.code, r.stderr)
		b, err := os.ReadFile(filepath.Join(dir, "pack.json"))
		require.NoError(t, err)
		require.Contains(t, string(b), "£80,000")
		for _, to := range []string{"v3", "v2"} {
			t.Run(asOf+" as "+to, func(t *testing.T) {
				forged := strings.Replace(string(b), `"format": "`+reviewpack.FormatVersion+`"`, `"format": "ledger-review-pack-`+to+`"`, 1)
				require.NotEqual(t, string(b), forged)
				forged = strings.ReplaceAll(forged, "£80,000", "£180,000")
				one := filepath.Join(t.TempDir(), "pack.json")
				require.NoError(t, os.WriteFile(one, []byte(forged), 0o644))
				r := ledger(t, nil, "verify-pack", one, "--key", pub)
				assert.Equal(t, 1, r.code, "stdout: %s\nstderr: %s", r.stdout, r.stderr)
				assert.Equal(t, 1, strings.Count(r.stdout, "\n"), "one line: %q", r.stdout)
				assert.Regexp(t, `^REFUSED: .*pack\.json does not verify: it is labelled ledger-review-pack-`+to+`, but carries /[a-z_/0-9]+, a member that format never had`, r.stdout)
				assert.NotContains(t, r.stdout, "NOT checked")
			})
		}
	}

	kept := filepath.Join("..", "..", "reviewpack", "testdata", "packs", "v3", "june", "pack.json")
	b, err := os.ReadFile(kept)
	require.NoError(t, err)
	for _, tt := range []struct{ from, to, ptr string }{
		{`"report": {`, `"report": {"options_heading": "Winding down",`, "/report/options_heading"},
		{`"why": `, `"certainty": "reported", "why": `, "/report/"},
		{`"report": {`, `"report": {"corrections_note": "x",`, "/report/corrections_note"},
	} {
		require.Contains(t, string(b), tt.from)
		one := filepath.Join(t.TempDir(), "pack.json")
		require.NoError(t, os.WriteFile(one, []byte(strings.Replace(string(b), tt.from, tt.to, 1)), 0o644))
		r := ledger(t, nil, "verify-pack", one, "--key", "2KEs7sRHMC+xEFDLJRRDC4JTaWMJ7xXn04oS1Bzh6T8=")
		assert.Equal(t, 1, r.code, "stdout: %s\nstderr: %s", r.stdout, r.stderr)
		assert.Contains(t, r.stdout, "is labelled ledger-review-pack-v3, but carries "+tt.ptr)
	}
}

// TestVerifyPackMessagesNameTheFault (issue 21): the demo's October pack with its last event left out
// is refused naming the event the report cites and the pack lacks (was "the report does not match …
// appointments item 1 differs"); with its tree head's root changed, the failed signature is said once
// (was a line of every event's audit path, ~6 KB); a REFUSED line names the file once.
func TestVerifyPackMessagesNameTheFault(t *testing.T) {
	store := seeded(t)
	pub := publicKey(t, "--store", store)
	dir := filepath.Join(t.TempDir(), "pack")
	require.Equal(t, 0, ledger(t, nil, "pack", "--store", store, "--partnership", gnn, "--as-of", "2016-10-01", "-o", dir).code)
	b, err := os.ReadFile(filepath.Join(dir, "pack.json"))
	require.NoError(t, err)
	var p map[string]any
	require.NoError(t, json.Unmarshal(b, &p))
	events := p["events"].([]any)
	last := events[len(events)-1].(map[string]any)["event"].(map[string]any)["seq"].(float64)

	write := func(v map[string]any) string {
		out, err := json.Marshal(v)
		require.NoError(t, err)
		path := filepath.Join(t.TempDir(), "pack.json")
		require.NoError(t, os.WriteFile(path, out, 0o644))
		return path
	}
	p["events"] = events[:len(events)-1]
	path := write(p)
	r := ledger(t, nil, "verify-pack", path, "--key", pub)
	assert.Equal(t, 1, r.code, r.stdout+r.stderr)
	assert.Equal(t, fmt.Sprintf("REFUSED: %s does not verify: the report cites [%d], which the pack does not hold (an event left out of its events)\n", path, int(last)), r.stdout)

	p["events"] = events
	th := p["tree_head"].(map[string]any)
	root := th["root"].(string)
	th["root"] = map[bool]string{true: "1", false: "0"}[root[0] == '0'] + root[1:]
	path = write(p)
	r = ledger(t, nil, "verify-pack", path, "--key", pub)
	assert.Equal(t, 1, r.code, r.stdout+r.stderr)
	assert.Equal(t, 1, strings.Count(r.stdout, "\n"))
	assert.Equal(t, 1, strings.Count(r.stdout, "signed tree head"), r.stdout)
	assert.NotContains(t, r.stdout, "event [", "no event is blamed for a root the key did not sign")
	assert.Less(t, len(r.stdout), 1000)
	assert.Equal(t, 1, strings.Count(r.stdout, "pack.json"), "the file is named once: %s", r.stdout)
}
