package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An end is told with both days, from words.LastDay and words.EndedFrom (issue 21 review): the last
// day served ("until 30 September 2016 (the last day)") or the first day not ("with effect from 1
// October 2016 (the last day was 30 September 2016)"), never a bare "until"/"to"/"ended on" that
// could mean either. The partner table keeps the notice column for notices and says how a former
// partner ceased to be one in its own "Until" column.
func TestEndDatesInOneConvention(t *testing.T) {
	store := seeded(t)
	md := packText(t, store, "2016-10-01")
	wind := section(t, md, "2.")
	assert.Contains(t, wind, "in September 2016) with effect from 1 October 2016 (the last day was 30 September 2016); from that day nothing is shared")
	assert.Contains(t, wind, "ended with the partnership with effect from 1 October 2016 (the last day was 30 September 2016): Sheila Oxtoby")
	assert.Contains(t, wind, "The cost shares ended with effect from 1 October 2016 (the last day was 30 September 2016):")
	assert.Contains(t, section(t, md, "9."), "Sheila Oxtoby and Karen Sly held these roles until 30 September 2016 (the last day)")
	assert.NotContains(t, md, "ended on 1 October 2016")
	assert.NotContains(t, md, "until 30 September 2016;")
	assert.Contains(t, md, "| Council | Kind | Partner since | Notice of withdrawal | Until |")
	assert.Contains(t, md, "| Great Yarmouth Borough Council | borough | 2015-10-15 |  | dissolved with effect from 1 October 2016 (the last day was 30 September 2016) |")
	assert.NotContains(t, md, "not a partner since")

	r := ledger(t, nil, "state", "--store", store, "--partnership", gnn, "--as-of", "2016-10-01")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "until 30 September 2016 (the last day)")
	assert.False(t, strings.Contains(r.stdout, "until 2016-10-01"), r.stdout)
}

// With no --committee the pack is worded for the bodies the review names (the demo's full council
// and cabinet): "the councils' meetings", with verbs agreeing, not "the committee"; the PDF's running
// label is "REVIEW REPORT", not "SCRUTINY REPORT". Given --committee, the committee it is.
func TestPackWordedForItsBodies(t *testing.T) {
	store := seeded(t)
	md := packText(t, store, "2016-10-01")
	assert.NotContains(t, md, "the committee")
	assert.Contains(t, md, "| **Purpose** | To give the councils' meetings the facts they need on the partnership's wind-down")
	assert.Contains(t, md, "**Recommendation.** That the councils' meetings note that the partnership was dissolved with effect from 1 October 2016 (the last day was 30 September 2016), and consider with")
	assert.Contains(t, md, "Section 7 lists three matters the councils' meetings should weigh:")
	june := packText(t, store, "2016-06-15")
	assert.NotContains(t, june, "the committee")
	assert.Contains(t, june, "**Recommendation.** That the councils' meetings consider the facts set out in this report and recommend to ")

	named := packText(t, store, "2016-06-15", "--committee", "Joint Scrutiny Committee")
	assert.Contains(t, named, "**Recommendation.** That the committee considers the facts set out in this report and recommends to ")

	dir := filepath.Join(t.TempDir(), "pack")
	r := ledger(t, nil, "pack", "--store", store, "--partnership", gnn, "--as-of", "2016-10-01", "--format", "pdf", "-o", dir)
	require.Equal(t, 0, r.code, r.stderr)
	text, err := exec.Command("pdftotext", filepath.Join(dir, "pack.pdf"), "-").Output()
	require.NoError(t, err)
	assert.Contains(t, string(text), "REVIEW REPORT")
	assert.NotContains(t, string(text), "SCRUTINY")
}

// A correction that changes an event's certainty is listed, in words (words.CertaintyText), in
// "What changed" and in section 10's changes since the last report, like any other corrected field.
func TestCertaintyCorrectionListed(t *testing.T) {
	store := seeded(t)
	r := ledger(t, nil, "record", "--store", store, "--partnership", gnn, "--type", "EventCorrected", "--effective", "2016-06-01",
		"--data", `{"target":"2ab58fe0-f365-55cf-86e4-cb74e7355bf8","certainty":"reported","reason":"the article reports the appointment"}`,
		"--source", pressSource, "--certainty", "reported")
	require.Equal(t, 0, r.code, r.stderr)
	md := packText(t, store, "2016-10-01", "--since", "30")
	assert.Contains(t, md, "| Certainty | inferred from other facts | reported by a secondary source |")
	assert.Contains(t, section(t, md, "10."), "Corrected event 8: the article reports the appointment. Certainty: inferred from other facts → reported by a secondary source.")
}

// A fact's certainty is said in the one wording (words.CertaintyText) after the fact, and a table's
// Certainty column keeps its first word, as the glossary explains with the same words.
func TestCertaintyInOneWording(t *testing.T) {
	md := packText(t, seeded(t), "2016-10-01")
	wind := section(t, md, "2.")
	assert.Contains(t, wind, "from that day nothing is shared between the councils. (inferred from other facts) [30]")
	assert.NotContains(t, md, "(inferred)")
	assert.NotContains(t, md, "(reported)")
	assert.Contains(t, md, "- **Certainty**: How certain a fact is, said in full after a fact and by its first word in a table's Certainty column: confirmed by a primary source (such as minutes); reported by a secondary source (such as the press); inferred from other facts.")
}

// The vacant-role finding is stated in full once, as a gap (section 9); the wind-down's Matter 2 and
// the risks refer to it.
func TestVacantRoleStatedOnce(t *testing.T) {
	md := packText(t, seeded(t), "2016-10-01")
	assert.Equal(t, 1, strings.Count(md, "held these roles until 30 September 2016 (the last day)"), "once, in section 9 (fixfacts2: Great Yarmouth's designations are not recorded as ended)")
	assert.Contains(t, section(t, md, "2."), "- No head of paid service or chief finance officer (s151) is recorded for North Norfolk District Council from 1 October 2016: see section 9.")
	assert.Contains(t, section(t, md, "8."), "- Who has held the head of paid service and chief finance officer (s151) of Great Yarmouth Borough Council since 1 October 2016 is not recorded (the gap in section 9).")
}
