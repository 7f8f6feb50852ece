package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ledger replay prints a minute with what its sources mark assumed, as the pack and ledger state do
// (issue 21's acceptance test: "records the decision Full Council 15 October 2015, item 8" read as
// known), in the decision's label and in a partner's "approved by", from a store and a server.
func TestReplayMarksAssumedMinutes(t *testing.T) {
	store := seeded(t)
	check := func(where string, r result) {
		require.Equal(t, 0, r.code, r.stderr)
		assert.Contains(t, r.stdout, "records the decision Full Council 15 October 2015, item 8 (every detail assumed): ", where)
		assert.Contains(t, r.stdout, "records the decision Cabinet 19 October 2015, minute 10 (every detail assumed): ", where)
		assert.Contains(t, r.stdout, "→ Full Council 15 October 2015, item 8 (every detail assumed)\n", where)
		for _, line := range strings.Split(r.stdout, "\n") {
			for _, m := range []string{"item 8", "minute 10"} {
				if strings.Contains(line, m) {
					assert.Contains(t, line, m+" (every detail assumed)", where+": an unmarked minute")
				}
			}
		}
	}
	check("store", ledger(t, nil, "replay", "--store", store, "--partnership", gnn, "--as-of", "2016-06-15"))
	s := startServe(t, store)
	check("server", ledger(t, nil, "replay", "--server", s.base, "--partnership", gnn, "--as-of", "2016-06-15"))
}

// A retraction recorded at the command line without $USER reads "by someone at the command line whose
// name was not recorded" in the pack, never "by cli:unknown" (issue 21's acceptance test), in its
// words and in the "What changed" table.
func TestPackWordsWhoRecorded(t *testing.T) {
	store := seeded(t)
	r := ledger(t, nil, "record", "--store", store, "--partnership", gnn, "--type", "EventRetracted", "--effective", "2016-03-01",
		"--data", `{"target":"f6caa24b-1650-56e4-b793-91465c8d3137","reason":"source_withdrawn","notes":"the article did not name finance"}`,
		"--source", pressSource, "--certainty", "reported")
	require.Equal(t, 0, r.code, r.stderr)
	dir := filepath.Join(t.TempDir(), "pack")
	p := ledger(t, nil, "pack", "--store", store, "--partnership", gnn, "--as-of", "2016-06-15", "--known-at", "all", "--format", "md", "-o", dir)
	require.Equal(t, 0, p.code, p.stderr)
	md, err := os.ReadFile(filepath.Join(dir, "pack.md"))
	require.NoError(t, err)
	assert.NotContains(t, string(md), "cli:")
	assert.Contains(t, string(md), "by someone at the command line whose name was not recorded: ")
	assert.Contains(t, string(md), "UTC, someone at the command line whose name was not recorded |")
}
