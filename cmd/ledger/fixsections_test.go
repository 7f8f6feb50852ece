package main

import (
	"os"
	"path/filepath"
	"strings"
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

// fixsections #3: a list empty on the as-of date that the dissolution ended says so (shared posts,
// statutory roles, services and cost shares of the October pack), not "None recorded"; a list never
// recorded still reads "None recorded".
func TestEmptiedListsSayTheDissolutionEndedThem(t *testing.T) {
	store := seeded(t)
	md := packMarkdown(t, store, "--as-of", "2016-10-01")
	const ended = "None on 1 October 2016: ended with the dissolution. [30]"
	for _, sec := range []string{"4. Appointments and statutory roles", "5. Shared services", "6. Finance"} {
		s := section(t, md, sec)
		assert.Contains(t, s, ended, sec)
		assert.NotContains(t, s, "None recorded.", sec)
	}
	assert.Equal(t, 1, strings.Count(section(t, md, "4. Appointments and statutory roles"), ended), "shared posts (fixfacts2: Great Yarmouth's designations are not recorded as ended)")
	june := packMarkdown(t, store, "--as-of", "2016-06-15")
	assert.NotContains(t, june, "ended with the dissolution")
}

// fixsections #2: section 9 says which of its checks do not apply (the revenues and benefits
// partnership shares nothing yet), and a partner with no approving decision recorded is a gap,
// flagged in the partner table.
func TestGapsSayWhichChecksApply(t *testing.T) {
	store := seeded(t)
	dir := t.TempDir()
	r := ledger(t, nil, "pack", "--store", store, "--partnership", "norfolk-revenues-benefits", "--as-of", "2010-03-01", "--format", "md", "-o", dir)
	assert.Equal(t, 0, r.code, r.stderr)
	b, err := os.ReadFile(filepath.Join(dir, "pack.md"))
	assert.NoError(t, err)
	md := string(b)
	gaps := section(t, md, "9. Gaps and unknowns")
	assert.NotContains(t, gaps, "The record holds each of the facts this pack looks for")
	assert.Contains(t, gaps, "- No decision approving the partnership is recorded for North Norfolk District Council, Borough Council of King's Lynn and West Norfolk or Great Yarmouth Borough Council: each is shown as a partner from 9 February 2010, the date of the event that named them. _Why it matters:_")
	assert.Contains(t, gaps, "These checks do not apply here: section 113 agreements, approvals and cost shares of shared posts (no shared post is recorded), the statutory roles of councils that share theirs (no council shares a statutory role), outturns of ended years and savings targets (no savings are recorded) and exit terms (nothing is shared yet).")
	assert.Contains(t, section(t, md, "4. Appointments and statutory roles"), "| North Norfolk District Council | district | 2010-02-09 (no approving decision recorded: section 9) |")

	june := packMarkdown(t, store, "--as-of", "2016-06-15")
	assert.NotContains(t, june, "No decision approving the partnership", "both councils' decisions are recorded")
	assert.NotContains(t, june, "do not apply here", "every check applies to the shared management")
}

// fixsections #4: a review outcome is in words wherever it is listed (the chronology, "Changes since
// the last report"); the summary names the matters of section 7 rather than giving examples that may
// not be among them; a flag over one source cites its events once.
func TestOutcomesAndMattersInWords(t *testing.T) {
	store := seeded(t)
	md := packMarkdown(t, store, "--as-of", "2016-10-01", "--since", "2016-06-15")
	assert.NotContains(t, md, "review outcome: terminate")
	assert.Contains(t, section(t, md, "3. Chronology"), "| North Norfolk District Council decided to end the partnership (review outcome). |")
	assert.Contains(t, section(t, md, "10. Changes since the last report"), "| Great Yarmouth Borough Council decided to make the arrangement permanent (review outcome). |")
	assert.Contains(t, md, "Section 7 lists three matters the councils' meetings should weigh: the councils' differing review outcomes, facts reported only in the press and sources with assumed details.")
	assert.NotContains(t, md, "such as facts reported only in the press")

	dir := t.TempDir()
	r := ledger(t, nil, "pack", "--store", store, "--partnership", "norfolk-revenues-benefits", "--as-of", "2010-03-01", "--format", "md", "-o", dir)
	assert.Equal(t, 0, r.code, r.stderr)
	b, err := os.ReadFile(filepath.Join(dir, "pack.md"))
	assert.NoError(t, err)
	assert.Contains(t, string(b), "Eastern Daily Press: assumed: title, publisher and date. [1, 2, 3, 4]")
	assert.NotContains(t, string(b), "[1, 2, 3, 4]. [1, 2, 3, 4]")
}
