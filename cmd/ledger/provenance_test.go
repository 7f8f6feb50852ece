package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/eventstore"
)

// Issue 21, point 4 at the command line: --source takes a source whose assumed details are marked one
// by one; a bad mark and confirmed without a confirming source are one line naming the flag, exit
// 2, and nothing is written.
func TestRecordSourceWithAssumedDetails(t *testing.T) {
	store := seeded(t)
	before := headSeq(t, store)
	article := `{"kind":"press","title":"Shared chief executive","publisher":"Eastern Daily Press","published":"2015-12-18","assumed":["title","publisher"]}`
	r := ledger(t, nil, "record", "--store", store, "--partnership", gnn, "--type", "SavingsReported", "--effective", "2016-03-01",
		"--data", savingsOK, "--source", article, "--certainty", "reported", "--json")
	require.Equal(t, 0, r.code, r.stderr)
	var stored []eventstore.Event
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &stored))
	require.Len(t, stored, 1)
	var sources []domain.SourceRef
	require.NoError(t, json.Unmarshal(stored[0].Sources, &sources))
	require.Len(t, sources, 1)
	assert.Equal(t, []string{"title", "publisher"}, sources[0].Assumed)
	assert.Equal(t, "Eastern Daily Press", sources[0].Publisher)
	before++

	for _, tt := range []struct {
		name, source, certainty, want string
	}{
		{"an unknown detail", `{"kind":"press","title":"EDP","assumed":["title","colour"]}`, "reported",
			`--source #1: assumed 1: "colour" is not a detail of a source that can be assumed`},
		{"the old flag", `{"kind":"press","title":"EDP","illustrative":true}`, "reported", "--source #1: illustrative: is the form of events recorded before per-detail marks"},
		{"confirmed by minutes whose minute number is assumed", `{"kind":"minutes","title":"Cabinet","locator":"minute 10","assumed":["locator"]}`, "confirmed",
			"--certainty: confirmed needs a confirming source"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := ledger(t, nil, "record", "--store", store, "--partnership", gnn, "--type", "SavingsReported", "--effective", "2016-03-01",
				"--data", savingsOK, "--source", tt.source, "--certainty", tt.certainty)
			assert.Equal(t, 2, r.code, "stdout %q stderr %q", r.stdout, r.stderr)
			assert.Contains(t, r.stderr, tt.want)
			assert.Len(t, strings.Split(strings.TrimSpace(r.stderr), "\n"), 1, "one line: %q", r.stderr)
			assert.Equal(t, before, headSeq(t, store), "nothing appended")
		})
	}
}
