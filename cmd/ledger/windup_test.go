package main

import (
	"encoding/json"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/domain/words"
)

// A net needs both the savings and the one-off costs recorded (domain.Totals.Net): 'ledger state'
// took unrecorded one-off costs as £0 (net_pence 4000000, "£40,000 (forecast)") and flagged a
// £50,000 target as missed by a forecast less costs nobody recorded. Now the net is absent (JSON
// null, the text says it cannot be worked out) and nothing is flagged until the costs are recorded;
// with them, the net and the flag come back.
func TestStateNetNeedsOneOffCosts(t *testing.T) {
	store := seeded(t)
	rec := func(typ, data string) {
		t.Helper()
		r := ledger(t, nil, "record", "--store", store, "--partnership", gnn, "--type", typ, "--effective", "2016-05-01",
			"--data", data, "--source", `{"kind":"minutes","title":"Cabinet"}`, "--certainty", "confirmed")
		require.Equal(t, 0, r.code, r.stderr)
	}
	rec("SavingsTargetSet", `{"council":"north-norfolk","financial_year":2015,"category":"shared management","amount_pence":5000000}`)

	raw := ledger(t, nil, "state", "--store", store, "--partnership", gnn, "--as-of", "2016-06-30", "--known-at", "all", "--json")
	require.Equal(t, 0, raw.code, raw.stderr)
	assert.Regexp(t, `"net_pence": ?null`, raw.stdout, "an absent net is null in the state JSON")
	assert.NotRegexp(t, `"net_pence": ?4000000`, raw.stdout)
	var st struct {
		Savings struct {
			Years []struct {
				Councils []map[string]json.RawMessage `json:"councils"`
			} `json:"years"`
			BelowTarget []string `json:"below_target"`
		} `json:"savings"`
	}
	require.NoError(t, json.Unmarshal([]byte(raw.stdout), &st))
	require.Len(t, st.Savings.Years, 1)
	for _, cs := range st.Savings.Years[0].Councils {
		assert.Equal(t, "null", string(cs["net_pence"]), "no one-off costs recorded: no net")
		assert.Equal(t, "null", string(cs["against_target_pence"]))
		assert.Equal(t, "false", string(cs["below_target"]), "nothing to compare: not flagged")
	}
	assert.Empty(t, st.Savings.BelowTarget)

	text := ledger(t, nil, "state", "--store", store, "--partnership", gnn, "--as-of", "2016-06-30", "--known-at", "all")
	require.Equal(t, 0, text.code, text.stderr)
	assert.Contains(t, text.stdout, words.NetNoOneOff)
	assert.NotContains(t, text.stdout, "£40,000 (forecast)", "a forecast less costs not recorded is no net")
	assert.NotContains(t, text.stdout, "BELOW TARGET")
	assert.False(t, regexp.MustCompile(`£0(\D|$)`).MatchString(text.stdout))

	// With the one-off costs recorded, the net is the forecast less them, and below the target.
	rec("OneOffCostIncurred", `{"council":"north-norfolk","financial_year":2015,"category":"recruitment","amount_pence":500000}`)
	text = ledger(t, nil, "state", "--store", store, "--partnership", gnn, "--as-of", "2016-06-30", "--known-at", "all")
	require.Equal(t, 0, text.code, text.stderr)
	assert.Contains(t, text.stdout, "£35,000 (forecast)")
	assert.Contains(t, text.stdout, "BELOW TARGET")
	md := packMarkdown(t, store, "--as-of", "2016-06-30", "--known-at", "all")
	assert.Contains(t, md, "North Norfolk District Council, 2015/16: forecast net saving £35,000 is £15,000 below the target of £50,000.")
}

