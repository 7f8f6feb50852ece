package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/domain/words"
	"github.com/partnership-ledger/ledger/projections"
)

// stateJSON is `ledger state --json` of the demo partnership at the given flags.
func stateJSON(t *testing.T, store string, args ...string) projections.State {
	t.Helper()
	r := ledger(t, nil, append([]string{"state", "--store", store, "--partnership", gnn, "--json"}, args...)...)
	require.Equal(t, 0, r.code, r.stderr)
	var st projections.State
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &st))
	return st
}

// packMarkdown builds the demo partnership's pack with the given flags and returns its Markdown.
func packMarkdown(t *testing.T, store string, args ...string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "pack")
	r := ledger(t, nil, append([]string{"pack", "--store", store, "--partnership", gnn, "--format", "md", "-o", dir}, args...)...)
	require.Equal(t, 0, r.code, r.stderr)
	md, err := os.ReadFile(filepath.Join(dir, "pack.md"))
	require.NoError(t, err)
	return string(md)
}

// Issue 21 point 1, facts from the one fold, as `ledger state` and `ledger pack` show them: the trial
// starts with the first joint appointment (7 November 2015), not the proposal's date, and ends on the
// proposal's trial end as corrected; the partners are partners since their approving decisions.
func TestTrialAndPartnersFromTheFold(t *testing.T) {
	store := seeded(t)
	st := stateJSON(t, store, "--as-of", "2016-06-15")
	require.NotNil(t, st.TrialPeriod)
	assert.Equal(t, "2015-11-07", st.TrialPeriod.From.String(), "the first joint appointment, not the proposal of 7 October")
	assert.Equal(t, "2016-06-30", st.TrialPeriod.To.String(), "the trial end as corrected")
	since := map[string]string{}
	for _, p := range st.Partners {
		since[p.Council] = p.Since.String()
		require.NotNil(t, p.ApprovedBy, p.Council)
	}
	assert.Equal(t, map[string]string{"great-yarmouth": "2015-10-15", "north-norfolk": "2015-10-19"}, since)

	before := stateJSON(t, store, "--as-of", "2015-10-10")
	require.NotNil(t, before.TrialPeriod)
	assert.True(t, before.TrialPeriod.From.IsZero(), "nothing shared yet: the trial has not started")

	text := ledger(t, nil, "state", "--store", store, "--partnership", gnn, "--as-of", "2016-06-15")
	require.Equal(t, 0, text.code, text.stderr)
	assert.Contains(t, text.stdout, "Trial period: from 7 November 2015 to 30 June 2016")
	assert.Contains(t, text.stdout, "since 2015-10-15 (Full Council 15 October 2015, item 8 (every detail assumed))")

	md := packMarkdown(t, store, "--as-of", "2016-06-15")
	assert.Contains(t, md, "It began as a trial from 7 November 2015 to 30 June 2016.")
	assert.NotContains(t, md, "7 October 2015 to 30 June 2016")
	assert.Contains(t, md, "| Great Yarmouth Borough Council | borough | 2015-10-15 |")
	assert.Contains(t, md, "| North Norfolk District Council | district | 2015-10-19 |")
}

// Issue 21 point 1: PartnershipDissolved (effective 1 October 2016, the day after the officers' last day) ends the sharing. As of 1 October 2016
// nothing is shown as shared — no appointment, statutory role carried for the partnership, time or
// cost share, shared service — and neither council is a current partner; Great Yarmouth's "make
// permanent" review outcome is stated as that decision, not turned into an appointment.
func TestDissolutionEndsTheSharing(t *testing.T) {
	store := seeded(t)
	st := stateJSON(t, store, "--as-of", "2016-10-01")
	assert.Equal(t, projections.StatusDissolved, st.Status.Value)
	assert.Empty(t, st.Partners, "no current partner after the dissolution")
	var former []string
	for _, p := range st.Former {
		former = append(former, p.Council)
		assert.Equal(t, "2016-10-01", p.Until.String())
	}
	assert.Equal(t, []string{"great-yarmouth", "north-norfolk"}, former)
	assert.Empty(t, st.Appointments, "no shared appointment, time share, role or cost share")
	for _, s := range st.Services {
		assert.NotEqual(t, projections.ServiceShared, s.Status, s.Service)
		assert.Nil(t, s.CostShare, s.Service)
	}
	require.Len(t, st.Reviews, 2, "the review outcomes stay, as decisions")

	// The day before, the sharing still stood.
	assert.Len(t, stateJSON(t, store, "--as-of", "2016-09-30").Appointments, 2)

	text := ledger(t, nil, "state", "--store", store, "--partnership", gnn, "--as-of", "2016-10-01")
	require.Equal(t, 0, text.code, text.stderr)
	assert.Contains(t, text.stdout, "Partners: none")
	assert.Contains(t, text.stdout, "Appointments: none")
	assert.Contains(t, text.stdout, "until 30 September 2016 (the last day)")

	md := packMarkdown(t, store, "--as-of", "2016-10-01")
	assert.Contains(t, md, "No officer was shared between the councils on the as-of date.")
	assert.NotContains(t, md, "serves Great Yarmouth Borough Council 50%")
	assert.NotContains(t, md, "| Sheila Oxtoby | Chief executive |", "no appointment in the shared posts table")
	assert.NotContains(t, md, "The cost of the chief executive is shared")
	assert.Contains(t, md, "dissolved with effect from 1 October 2016 (the last day was 30 September 2016)")
	assert.Contains(t, md, "Great Yarmouth Borough Council decided on 13 September 2016 to make the arrangement permanent: Great Yarmouth keeps the posts after the trial, assumed for the demo, whose brief says only that the trial ended in September 2016. (inferred from other facts)",
		"the decision, stated as a decision")
	assert.NotContains(t, md, "permanent since", "not an appointment the record does not hold")
	assert.NotContains(t, md, "| permanent |")
}

// Issue 21 point 3: a pack defaults to known_at = the end of its as-of day (Europe/London), so a June
// pack does not know September; the cover states both axes in words. --known-at all still asks for
// everything recorded.
func TestJunePackDefaultOmitsSeptember(t *testing.T) {
	store := seeded(t)
	dir := filepath.Join(t.TempDir(), "pack")
	r := ledger(t, nil, "pack", "--store", store, "--partnership", gnn, "--as-of", "2016-06-15", "--format", "md", "-o", dir)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "as of 2016-06-15, known at 2016-06-15:")
	mdBytes, err := os.ReadFile(filepath.Join(dir, "pack.md"))
	require.NoError(t, err)
	md := string(mdBytes)
	assert.Regexp(t, `The position on 15 June 2016, as recorded in the ledger by the end of 15 June 2016 \(event \d+\)\.`, md)
	for _, later := range []string{"2016-09", "September 2016", "dissolved", "Review outcome recorded", "decided to make the arrangement permanent"} {
		assert.NotContains(t, md, later, "recorded after 15 June 2016")
	}

	all := packMarkdown(t, store, "--as-of", "2016-06-15", "--known-at", "all")
	assert.Contains(t, all, "Review outcome recorded", "asked for everything recorded")
	assert.Contains(t, all, "as recorded in the ledger by the time the pack was built")
}

// Issue 21 point 2, money honesty as `ledger pack` and `ledger state` show it: a value not recorded is
// "not recorded", never £0; the December 2015 forecasts are never called savings or net savings; and
// once 2015/16 has ended with no outturn recorded by the pack's known-at, the pack says so.
func TestMoneyIsHonestInPacksAndState(t *testing.T) {
	store := seeded(t)
	zero := regexp.MustCompile(`£0(\D|$)`)
	for _, asOf := range []string{"2016-06-15", "2016-10-01"} {
		md := packMarkdown(t, store, "--as-of", asOf)
		assert.False(t, zero.MatchString(md), "as of %s: no £0 for an absent value", asOf)
		// No one-off costs are recorded: no net is worked out (they are not £0).
		assert.Contains(t, md, "No one-off costs were recorded, so no net saving can be worked out.", asOf)
		if asOf == "2016-06-15" { // by October the partnership is dissolved: section 2 is its wind-down
			assert.Contains(t, md, "Great Yarmouth Borough Council, 2015/16: net saving cannot be worked out: one-off costs not recorded; no savings target was recorded.", asOf)
		} else {
			assert.Contains(t, md, "No outturn is recorded for 2015/16 for Great Yarmouth Borough Council or North Norfolk District Council: what the partnership saved in that year cannot be stated from the record.")
		}
		assert.Contains(t, md, "| cannot be worked out: one-off costs not recorded |", asOf)
		assert.NotContains(t, md, "| Net saving |", asOf)
		assert.NotRegexp(t, `[^t] net saving (is |of )?£`, md, "as of %s: a forecast is not called a net saving", asOf)
		// "Did we save £40,000 by March?": the pack answers that no outturn is recorded.
		assert.Contains(t, md, "No outturn is recorded for 2015/16, which ended on 31 March 2016", asOf)

		text := ledger(t, nil, "state", "--store", store, "--partnership", gnn, "--as-of", asOf)
		require.Equal(t, 0, text.code, text.stderr)
		assert.False(t, zero.MatchString(text.stdout), "as of %s: ledger state writes no £0", asOf)
		assert.Contains(t, text.stdout, words.NetNoOneOff, "ledger state works out no net without one-off costs")
		assert.Contains(t, text.stdout, "not recorded")

		st := stateJSON(t, store, "--as-of", asOf)
		require.Len(t, st.Savings.Years, 1)
		for _, cs := range st.Savings.Years[0].Councils {
			assert.Nil(t, cs.TargetPence, "no target recorded: null, not 0")
			assert.Nil(t, cs.OutturnPence)
			assert.Nil(t, cs.OneOffCostsPence)
			assert.False(t, cs.HasOutturn, "the net rests on the forecast")
		}
	}
}
