package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// Issue 21's acceptance (fixsections #1): "Changes since the last report" compares with the risks and
// gaps the last report held (as of its own day), closes a finding by the event after whose recording it
// no longer holds (from the facts, not from its kind), and a gap that still holds in another form says
// where it moved.
func TestChangesSinceCloseFindingsByTheirFacts(t *testing.T) {
	store := seeded(t)
	oct := section(t, packMarkdown(t, store, "--as-of", "2016-10-01", "--since", "2016-06-15"), "10. Changes since the last report")
	for _, want := range []string{
		"- Gap now a matter of the winding down: No exit terms are recorded for the two shared posts: no agreement in the ledger sets a notice period or an end date. With the partnership dissolved, it is set out in section 2 (Matter 4: exit terms).",
		"- Gap now a matter of the winding down: No section 113 agreement is recorded for two shared posts: Sheila Oxtoby as chief executive and Karen Sly as chief finance officer. With the partnership dissolved, it is set out in section 2 (Matter 4: exit terms).",
		"- Risk no longer applies: Sheila Oxtoby is head of paid service at Great Yarmouth Borough Council and North Norfolk District Council. Closed by event 26 (Sheila Oxtoby no longer head of paid service at North Norfolk District Council).",
		"- Risk no longer applies: Karen Sly is chief finance officer (s151) at Great Yarmouth Borough Council and North Norfolk District Council. Closed by event 27 (",
	} {
		assert.Contains(t, oct, want)
	}
	assert.NotContains(t, oct, "Gap no longer applies: No exit terms", "Matter 4 still raises it")
	assert.NotContains(t, oct, "The trial ended, and the review was due", "the June report did not hold that risk: the trial had not ended")
	assert.NotContains(t, oct, "Closed by event 30 (Partnership dissolved: the shared management ended, assumed for the demo, whose brief says only that the trial ended in September 2016). [8, 10, 11", "the dissolution is not named for what the vacating closed")

	june := section(t, packMarkdown(t, store, "--as-of", "2016-06-15", "--since", "2015-12-18"), "10. Changes since the last report")
	assert.NotContains(t, june, "event 22 (Corrected event 8", "a certainty correction closes nothing")
	assert.NotContains(t, june, "The trial ended on 31 March 2016", "the December report, as of 18 December 2015, held no such risk")
	assert.Contains(t, june, "- New gap: No outturn is recorded for 2015/16, which ended on 31 March 2016")
}
