package main

import (
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
