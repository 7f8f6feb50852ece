package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// packText builds the demo partnership's pack from store as of asOf (with extra flags) and returns
// its Markdown. It knows everything recorded (--known-at all; an extra --known-at wins): the tests
// record events today, after the default known_at, the end of the as-of day.
func packText(t *testing.T, store, asOf string, extra ...string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "pack")
	args := []string{"pack", "--store", store, "--partnership", gnn, "--as-of", asOf, "--format", "md,json", "-o", dir}
	if !slices.Contains(extra, "--known-at") { // a flag is given once (TestPackQueryFlagsOnce)
		args = append(args, "--known-at", "all")
	}
	args = append(args, extra...)
	r := ledger(t, nil, args...)
	require.Equal(t, 0, r.code, r.stderr)
	md, err := os.ReadFile(filepath.Join(dir, "pack.md"))
	require.NoError(t, err)
	return string(md)
}

// section returns the Markdown of the section whose heading starts with "## "+heading.
func section(t *testing.T, md, heading string) string {
	t.Helper()
	i := strings.Index(md, "\n## "+heading)
	require.GreaterOrEqual(t, i, 0, "no section %q", heading)
	rest := md[i+1:]
	if j := strings.Index(rest[3:], "\n## "); j >= 0 {
		rest = rest[:j+3]
	}
	return rest
}

// The pack's risks come from the facts: Great Yarmouth's head of paid service and s151 officer are
// both North Norfolk officers on interim shared appointments, so both lapse if the trial ends
// unreplaced; each of the two holds a statutory role at both councils; once the trial end has passed
// with no review outcome recorded, that is a risk too, and an outcome from each council removes it.
func TestPackRisksFromFacts(t *testing.T) {
	store := seeded(t)
	risks := section(t, packText(t, store, "2016-06-15", "--known-at", "2016-06-15"), "8. Risks")
	for _, want := range []string{
		"Great Yarmouth Borough Council's head of paid service and chief finance officer (s151) are both held by officers of North Norfolk District Council on interim shared appointments: Sheila Oxtoby and Karen Sly.",
		"If the trial ends on 30 June 2016 without a decision to continue the sharing or to replace them, Great Yarmouth Borough Council loses both its statutory officers at once",
		"Sheila Oxtoby is head of paid service at Great Yarmouth Borough Council and North Norfolk District Council.",
		"Karen Sly is chief finance officer (s151) at Great Yarmouth Borough Council and North Norfolk District Council.",
	} {
		assert.Contains(t, risks, want)
	}
	assert.NotContains(t, risks, "North Norfolk District Council's head of paid service", "the employing council keeps its own officers")
	assert.NotContains(t, risks, "no decision on the arrangement's future", "the trial has not ended on 15 June 2016")

	// August 2016, as known then: the trial ended and the review fell due with no outcome recorded.
	risks = section(t, packText(t, store, "2016-08-01", "--known-at", "2016-08-01"), "8. Risks")
	assert.Contains(t, risks, "The trial ended, and the review was due, on 30 June 2016, and by 1 August 2016 no decision on the arrangement's future is recorded for Great Yarmouth Borough Council or North Norfolk District Council.")
	assert.Contains(t, risks, "If the sharing ends without a decision", "the trial end is past: the lapse no longer waits for it")

	// Once both councils' outcomes are known (September 2016), that risk is gone.
	risks = section(t, packText(t, store, "2016-09-20", "--known-at", "2016-09-20"), "8. Risks")
	assert.NotContains(t, risks, "no decision on the arrangement's future")
}

// A gap is derived from what the ledger lacks at the pack's point in both times: recording the
// missing fact removes it, and the gap cites the facts that make it matter.
func TestPackGapsAppearAndDisappear(t *testing.T) {
	store := seeded(t)
	gaps := section(t, packText(t, store, "2016-06-30"), "9. Gaps and unknowns")
	for _, want := range []string{
		"No section 113 agreement is recorded for two shared posts: Sheila Oxtoby as chief executive and Karen Sly as chief finance officer.",
		"No monitoring officer is recorded for Great Yarmouth Borough Council or North Norfolk District Council.",
		"No outturn is recorded for 2015/16, which ended on 31 March 2016, for Great Yarmouth Borough Council or North Norfolk District Council.",
		"whether the savings were made by 31 March 2016 cannot be answered",
		"No savings target is recorded for 2015/16",
		"No exit terms are recorded for the two shared posts",
		"Why it matters:",
	} {
		assert.Contains(t, gaps, want)
	}
	assert.Contains(t, gaps, "[8, 9, 22, 23]", "the s113 gap cites the shared appointments (8, 9) and the corrections adding the article to them (22, 23)")

	// Record an s113 agreement between both councils with a notice period, and a monitoring officer at
	// Great Yarmouth: those gaps go (the monitoring officer's only for Great Yarmouth).
	for _, e := range []struct{ typ, data string }{
		{"AgreementExecuted", `{"reference":"s113-2016","kind":"s113","title":"Section 113 agreement","parties":["great-yarmouth","north-norfolk"],"signed":"2016-05-01","commences":"2016-05-01","notice_days":90}`},
		{"StatutoryRoleDesignated", `{"council":"great-yarmouth","role":"monitoring_officer","officer":{"name":"Alex Example"}}`},
	} {
		r := ledger(t, nil, "record", "--store", store, "--partnership", gnn, "--type", e.typ, "--effective", "2016-05-01",
			"--data", e.data, "--source", `{"kind":"agreement","title":"Test record"}`, "--certainty", "confirmed")
		require.Equal(t, 0, r.code, r.stderr)
	}
	after := section(t, packText(t, store, "2016-06-30"), "9. Gaps and unknowns")
	assert.NotContains(t, after, "No section 113 agreement")
	assert.NotContains(t, after, "No exit terms")
	assert.Contains(t, after, "No monitoring officer is recorded for North Norfolk District Council.")
	// As known before those events were recorded, the gaps stand.
	before := section(t, packText(t, store, "2016-06-30", "--known-at", "2016-06-30"), "9. Gaps and unknowns")
	assert.Contains(t, before, "No section 113 agreement")
}

// Risks and gaps are printed in every format: the HTML and PDF packs carry the same sentences as the
// Markdown.
func TestPackFindingsInEveryFormat(t *testing.T) {
	store := seeded(t)
	dir := filepath.Join(t.TempDir(), "pack")
	r := ledger(t, nil, "pack", "--store", store, "--partnership", gnn, "--as-of", "2016-06-15", "--format", "html,pdf", "-o", dir)
	require.Equal(t, 0, r.code, r.stderr)
	html, err := os.ReadFile(filepath.Join(dir, "pack.html"))
	require.NoError(t, err)
	pdf, err := exec.Command("pdftotext", "-raw", filepath.Join(dir, "pack.pdf"), "-").Output()
	require.NoError(t, err, "pdftotext (apt-get install poppler-utils)")
	flat := strings.Join(strings.Fields(string(pdf)), " ")
	for _, want := range []string{"8. Risks", "9. Gaps and unknowns", "Sheila Oxtoby is head of paid service at Great Yarmouth Borough Council and North Norfolk District Council.",
		"No monitoring officer is recorded for Great Yarmouth Borough Council or North Norfolk District Council.", "Why it matters:"} {
		assert.Contains(t, string(html), want)
		assert.Contains(t, flat, want)
	}
}

// The cover has a row per body the review is scheduled for, each with its own meeting: never one
// invented date for both, never "a scrutiny committee" for a full council or a cabinet. A meeting
// given for a body (--meeting COUNCIL:BODY=DATE) is its own; the meeting at which the ledger records
// a council deciding the review's outcome through that body is shown with its minute.
func TestPackCoverRowPerBody(t *testing.T) {
	store := seeded(t)
	cover := func(md string) string { return md[:strings.Index(md, "\n## ")] }
	c := cover(packText(t, store, "2016-06-15"))
	assert.Contains(t, c, "| **Considered by** | Full council of Great Yarmouth Borough Council: meeting date not recorded |")
	assert.Contains(t, c, "| **Considered by** | Cabinet of North Norfolk District Council: meeting date not recorded |")
	assert.NotContains(t, strings.ToLower(c), "scrutiny")
	assert.NotContains(t, c, "**Meeting**", "no one meeting date for both bodies")

	c = cover(packText(t, store, "2016-06-15", "--meeting", "north-norfolk:cabinet=2016-06-20", "--committee", "Joint Scrutiny Panel",
		"--meeting", "Joint scrutiny panel=2016-06-17"))
	assert.Contains(t, c, "| **Prepared for** | Joint Scrutiny Panel: meeting on 17 June 2016 (date given for this pack) |")
	assert.Contains(t, c, "| **Considered by** | Full council of Great Yarmouth Borough Council: meeting date not recorded |")
	assert.Contains(t, c, "| **Considered by** | Cabinet of North Norfolk District Council: meeting on 20 June 2016 (date given for this pack) |")

	// A review of May 2016 for the same bodies, whose outcome Great Yarmouth's full council records at
	// its meeting of 26 May 2016.
	for _, e := range []struct{ typ, eff, data string }{
		{"ReviewScheduled", "2016-05-01", `{"review":"may-2016","due_on":"2016-05-31","bodies":[{"council":"great-yarmouth","body":"full council"},{"council":"north-norfolk","body":"cabinet"}]}`},
		{"ReviewOutcomeRecorded", "2016-05-26", `{"review":"may-2016","council":"great-yarmouth","outcome":"continue","rationale":"The trial has worked.","minute":{"council":"great-yarmouth","body":"Full Council","meeting":"2016-05-26","item":"9","raw":"Full Council 26 May 2016, item 9"}}`},
	} {
		r := ledger(t, nil, "record", "--store", store, "--partnership", gnn, "--type", e.typ, "--effective", e.eff,
			"--data", e.data, "--source", `{"kind":"minutes","title":"Full Council minutes"}`, "--certainty", "confirmed")
		require.Equal(t, 0, r.code, r.stderr)
	}
	c = cover(packText(t, store, "2016-06-30", "--meeting", "cabinet=2016-07-04"))
	assert.Regexp(t, `\| \*\*Considered by\*\* \| Full council of Great Yarmouth Borough Council: the ledger records it deciding the review's outcome at its meeting on 26 May 2016 \(Full Council 26 May 2016, item 9\) \[\d+\] \|`, c)
	assert.Contains(t, c, "| **Considered by** | Cabinet of North Norfolk District Council: meeting on 4 July 2016 (date given for this pack) |")
}

// A meeting option is BODY=DATE naming one body of this pack: anything else is one line, exit 2,
// naming --meeting, and nothing is written.
func TestPackMeetingRefused(t *testing.T) {
	store := seeded(t)
	out := filepath.Join(t.TempDir(), "p")
	for _, tt := range []struct{ meeting, want string }{
		{"2016-06-30", "want BODY=YYYY-MM-DD"},
		{"=2016-06-30", "name the body"},
		{"cabinet=30/06/2016", `"30/06/2016" is not a date`},
		{"scrutiny=2016-06-30", `"scrutiny" is not a body the review is scheduled for`},
		{"great-yarmouth:cabinet=2016-06-30", "north-norfolk:cabinet"},
	} {
		t.Run(tt.meeting, func(t *testing.T) {
			r := ledger(t, nil, "pack", "--store", store, "--partnership", gnn, "--as-of", "2016-06-15", "-o", out, "--meeting", tt.meeting)
			assert.Equal(t, 2, r.code, r.stderr)
			assert.True(t, strings.HasPrefix(r.stderr, "ledger: pack: --meeting"), r.stderr)
			assert.Contains(t, r.stderr, tt.want)
			assert.Equal(t, 1, strings.Count(strings.TrimSpace(r.stderr), "\n")+1, "one line: %q", r.stderr)
			assert.NoDirExists(t, out, "nothing written")
		})
	}
	r := ledger(t, nil, "pack", "--store", store, "--partnership", gnn, "--as-of", "2016-06-15", "-o", out,
		"--meeting", "cabinet=2016-06-20", "--meeting", "north-norfolk:cabinet=2016-06-21")
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "already given")
}

// --since KNOWN_AT lists the partnership's events recorded after the last report's known-at, in
// words, and what they changed in the position as of the pack's date; the pack verifies, and
// --since is refused when it is not a known-at before the pack's.
func TestPackChangesSinceTheLastReport(t *testing.T) {
	store, pub := seeded(t), ""
	dir := filepath.Join(t.TempDir(), "pack")
	r := ledger(t, nil, "pack", "--store", store, "--partnership", gnn, "--as-of", "2016-10-15", "--known-at", "2016-10-15",
		"--since", "2016-06-15", "--format", "md,html,pdf,json", "-o", dir)
	require.Equal(t, 0, r.code, r.stderr)
	md, err := os.ReadFile(filepath.Join(dir, "pack.md"))
	require.NoError(t, err)
	ch := section(t, string(md), "10. Changes since the last report")
	// The last report knew the ledger up to the last event recorded by 15 June 2016 (the business case).
	m := regexp.MustCompile(`Since the last report, which knew the ledger up to event (\d+) \(by the end of 15 June 2016\), seven events of this partnership were recorded, up to ledger event (\d+)\.`).FindStringSubmatch(ch)
	require.NotNil(t, m, ch)
	assert.Regexp(t, `\| \[`+m[2]+`\] \| 2016-10-01 09:04 \| 2016-\d\d-\d\d \| Partnership dissolved`, ch, "the last event known")
	assert.NotContains(t, ch, "| ["+m[1]+"] |", "the last report knew its own last event")
	assert.NotContains(t, ch, "Business case published", "recorded before the last report")
	for _, want := range []string{
		"### What they changed",
		"- Status: active since 7 November 2015 → dissolved since ",
		"New review outcome: North Norfolk District Council decided on 6 September 2016 to end the partnership. [",
		"No longer in statutory roles: head of paid service at North Norfolk District Council held by Sheila Oxtoby.",
		"Risk no longer applies: Sheila Oxtoby is head of paid service at Great Yarmouth Borough Council and North Norfolk District Council.",
	} {
		assert.Contains(t, ch, want)
	}
	assert.Contains(t, string(md), "Section 10 lists the seven events recorded since the last report (which knew the ledger up to event "+m[1]+")")
	html, err := os.ReadFile(filepath.Join(dir, "pack.html"))
	require.NoError(t, err)
	assert.Contains(t, string(html), "10. Changes since the last report")
	pdf, err := exec.Command("pdftotext", "-raw", filepath.Join(dir, "pack.pdf"), "-").Output()
	require.NoError(t, err)
	assert.Contains(t, strings.Join(strings.Fields(string(pdf)), " "), "10. Changes since the last report Since the last report, which knew the ledger up to event "+m[1])
	key := ledger(t, nil, "key", "--store", store)
	require.Equal(t, 0, key.code, key.stderr)
	pub = strings.Fields(key.stdout)[2]
	v := ledger(t, nil, "verify-pack", dir, "--key", pub)
	assert.Equal(t, 0, v.code, "the changes rebuild from the evidence: %s%s", v.stdout, v.stderr)

	// Without --since there is no such section.
	assert.NotContains(t, packText(t, store, "2016-10-15"), "Changes since the last report")

	out := filepath.Join(t.TempDir(), "p")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--since", "2016-06-15", "--known-at", "2016-06-15"}, "--since: since 2016-06-15 is not before the pack's known-at (2016-06-15"},
		{[]string{"--since", "2016-07-01", "--known-at", "2016-06-15"}, "is not before the pack's known-at"},
		{[]string{"--since", "25", "--known-at", "24"}, "since 25 is not before the pack's known-at (24, up to ledger event 24)"},
		{[]string{"--since", "24", "--known-at", "24"}, "since 24 is not before"},
		{[]string{"--since", "all"}, "--since: since \"all\": want the known-at of the last report"},
		{[]string{"--since", "yesterday"}, "--since: since \"yesterday\": want a seq number"},
		{[]string{"--since", "2016-02-30"}, "--since: since \"2016-02-30\": not a valid date"},
		{[]string{"--since", "2099-01-01"}, "is not before the pack's known-at (2016-06-15"}, // the default: the end of the as-of day
		{[]string{"--since", "2099-01-01", "--known-at", "all"}, "is not before the pack's known-at (all"},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			r := ledger(t, nil, append([]string{"pack", "--store", store, "--partnership", gnn, "--as-of", "2016-06-15", "-o", out}, tt.args...)...)
			assert.Equal(t, 2, r.code, r.stderr)
			assert.True(t, strings.HasPrefix(r.stderr, "ledger: pack: --since: "), r.stderr)
			assert.Contains(t, r.stderr, tt.want)
			assert.Equal(t, 1, strings.Count(strings.TrimSpace(r.stderr), "\n")+1, "one line: %q", r.stderr)
			assert.NoDirExists(t, out, "nothing written")
		})
	}
}

// Each option carries the facts and consequences bearing on it: ending the arrangement leaves Great
// Yarmouth to fill the two statutory roles North Norfolk's officers hold for it, on exit terms the
// record does not hold; no option says nothing bears on it when the ledger has facts that do.
func TestPackOptionsWithConsequences(t *testing.T) {
	store := seeded(t)
	opts := section(t, packText(t, store, "2016-06-15", "--known-at", "2016-06-15"), "2. Options")
	assert.NotContains(t, opts, "No recorded facts bear on this option")
	end := opts[strings.Index(opts, "### Option 4"):]
	for _, want := range []string{
		"Great Yarmouth Borough Council would have to fill its head of paid service and chief finance officer (s151) itself: they are now held for it by officers of North Norfolk District Council (section 8).",
		"The record gives North Norfolk District Council as the employer of the two shared officers (chief executive and chief finance officer): ending the arrangement would leave them serving North Norfolk District Council alone, unless the councils agree otherwise.",
		"Any sharing of human resources and finance, named as possible candidates for sharing, would not go ahead.",
		"No notice period or exit terms are recorded (section 9)",
	} {
		assert.Contains(t, end, want)
	}
	perm := opts[strings.Index(opts, "### Option 2"):strings.Index(opts, "### Option 3")]
	assert.Contains(t, perm, "The present arrangement rests on the approvals recorded: Full Council 15 October 2015, item 8 (every detail assumed) and Cabinet 19 October 2015, minute 10 (every detail assumed).")
	assert.Contains(t, perm, "No section 113 agreement is recorded for the shared posts (section 9)")
	cont := opts[:strings.Index(opts, "### Option 2")]
	assert.Contains(t, cont, "Without a decision by each council to continue beyond 30 June 2016, Great Yarmouth Borough Council would lose its head of paid service and chief finance officer (s151) at once (section 8).")

	// With a notice period recorded, the end option states it instead of its absence.
	r := ledger(t, nil, "record", "--store", store, "--partnership", gnn, "--type", "AgreementExecuted", "--effective", "2016-05-01",
		"--data", `{"reference":"s113-2016","kind":"s113","title":"Section 113 agreement","parties":["great-yarmouth","north-norfolk"],"signed":"2016-05-01","commences":"2016-05-01","notice_days":90}`,
		"--source", `{"kind":"agreement","title":"Test record"}`, "--certainty", "confirmed")
	require.Equal(t, 0, r.code, r.stderr)
	opts = section(t, packText(t, store, "2016-06-15"), "2. Options")
	assert.Contains(t, opts, "The s113 agreement may be ended on 90 days' notice.")
	assert.NotContains(t, opts, "No notice period or exit terms are recorded")
	assert.NotContains(t, opts, "No section 113 agreement is recorded")
}
