package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// packFiles builds the demo pack in every format and returns each file's text (the PDF's through
// pdftotext, its words joined by single spaces).
func packFiles(t *testing.T, store, asOf string, extra ...string) map[string]string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "pack")
	r := ledger(t, nil, append([]string{"pack", "--store", store, "--partnership", gnn, "--as-of", asOf, "-o", dir}, extra...)...)
	require.Equal(t, 0, r.code, r.stderr)
	out := map[string]string{}
	for _, f := range []string{"html", "md", "json"} {
		b, err := os.ReadFile(filepath.Join(dir, "pack."+f))
		require.NoError(t, err)
		out[f] = string(b)
	}
	pdf, err := exec.Command("pdftotext", "-raw", filepath.Join(dir, "pack.pdf"), "-").Output()
	require.NoError(t, err, "pdftotext (apt-get install poppler-utils)")
	out["pdf"] = strings.Join(strings.Fields(string(pdf)), " ")
	return out
}

// A minute number (or a whole minute) that its minutes source marks assumed is marked wherever the
// minute is printed: the chronology's "Minute:" lines, the shared posts' "Approved by" column and
// option 2, in every rendering (the committee member read them as known).
func TestPackMarksAssumedMinutes(t *testing.T) {
	store := seeded(t)
	files := packFiles(t, store, "2016-06-15")
	gy := "Full Council 15 October 2015, item 8 (every detail assumed)"
	nn := "Cabinet 19 October 2015, minute 10 (every detail assumed)"
	for format, text := range files {
		assert.Contains(t, text, gy, format)
		assert.Contains(t, text, nn, format)
	}
	md := files["md"]
	assert.Contains(t, md, "Minute: "+gy)
	assert.Contains(t, md, "Minute: "+nn)
	assert.NotContains(t, md, "Minute: Full Council 15 October 2015, item 8<", "an unmarked minute in the chronology")
	assert.Contains(t, md, "| "+gy+"<br>"+nn+" |", "the Approved by column")
	perm := section(t, md, "2. Options")
	perm = perm[strings.Index(perm, "### Option 2"):strings.Index(perm, "### Option 3")]
	assert.Contains(t, perm, "The present arrangement rests on the approvals recorded: "+gy+" and "+nn+".")
	var pack struct {
		Report struct {
			Chronology   []struct{ Minutes []string }
			Appointments []struct{ Approvals []string }
		}
	}
	require.NoError(t, json.Unmarshal([]byte(files["json"]), &pack))
	var minutes []string
	for _, c := range pack.Report.Chronology {
		minutes = append(minutes, c.Minutes...)
	}
	assert.Contains(t, minutes, "Minute: "+gy)
	require.NotEmpty(t, pack.Report.Appointments)
	assert.Equal(t, []string{gy, nn}, pack.Report.Appointments[0].Approvals)
}

// The demo as members read it keeps to its two articles (issue 21's review): no shared head of HR,
// which the article only says "could be shared"; the September 2016 ending, which no article
// reports, inferred and marked as the demo's assumption; no meeting stated as fact.
func TestDemoPackKeepsToItsArticles(t *testing.T) {
	store := seeded(t)
	june := packText(t, store, "2016-06-15", "--known-at", "2016-06-15")
	assert.NotContains(t, june, "head of HR")
	assert.Contains(t, june, "Two officers are shared between the councils")
	assert.Contains(t, june, "Human resources named as a possible candidate for sharing by Great Yarmouth Borough Council and North Norfolk District Council. Note: A business case to be looked at: the article says back-office roles such as HR and finance could be shared")
	assert.Contains(t, june, "Minutes: Great Yarmouth Borough Council, Full Council minutes, 15 October 2015, item 8 (every detail assumed)")

	october := packText(t, store, "2016-10-01")
	assert.Contains(t, october, "Great Yarmouth Borough Council decided on 13 September 2016 to make the arrangement permanent: Great Yarmouth keeps the posts after the trial, "+
		"assumed for the demo, whose brief says only that the trial ended in September 2016. (inferred from other facts)")
	assert.Contains(t, october, "Report: The demo's brief (not a council document): the trial ended in September 2016, 6 September 2016 (assumed: kind of document and date)")
	for _, gone := range []string{"resignation", "prefers its own management team", "offers the shared officers permanent posts", "leader ended", "Press report:"} {
		assert.NotContains(t, october, gone, "nothing the articles do not say")
	}
	chron := section(t, october, "3. Chronology")
	assert.NotContains(t, chron, "2016 | reported", "no September event is reported")
}

// The cover states both axes in words (the one date formatter, domain.Date.Long, and words.Instant)
// in every rendering a person reads; pack.json keeps the ISO forms machines read.
func TestPackCoverDatesInWords(t *testing.T) {
	store := seeded(t)
	files := packFiles(t, store, "2016-06-15", "--known-at", "2016-06-15")
	for _, format := range []string{"md", "html", "pdf"} {
		text := files[format]
		cover := text[:strings.Index(text, "Executive summary")] // Appendix B keeps the tree head's RFC 3339 timestamp for auditors
		assert.NotContains(t, cover, "T09:02:00Z", "%s: no RFC 3339 time for people", format)
		assert.NotContains(t, cover, "2016-06-15", format)
		assert.Contains(t, text, "the end of 15 June 2016 (ledger event 23, recorded 19 December 2015 at 09:02 UTC)", format)
	}
	assert.Contains(t, files["md"], "| **State as of** | 15 June 2016 |")
	assert.NotContains(t, files["md"], "| **State as of** | 2016-06-15 |")
	assert.Contains(t, files["json"], `"as_of": "2016-06-15"`)
	assert.Contains(t, files["json"], `"time": "2015-12-19T09:02:00Z"`)
}

// Each risk and gap says how certain the facts it rests on are: the weakest certainty of the events
// it cites, before their [n], in every rendering.
func TestFindingsStateTheirCertainty(t *testing.T) {
	store := seeded(t)
	files := packFiles(t, store, "2016-06-15", "--known-at", "2016-06-15")
	want := "How certain: inferred from other facts, the weakest of the facts it rests on. [8, 10, 11, 22]" // Sheila Oxtoby's two roles: designations inferred
	for _, format := range []string{"md", "pdf"} {
		assert.Contains(t, files[format], want, format)
	}
	assert.Contains(t, files["html"], "How certain: inferred from other facts, the weakest of the facts it rests on.")
	risks := section(t, files["md"], "8. Risks")
	gaps := section(t, files["md"], "9. Gaps and unknowns")
	for _, sec := range []string{risks, gaps} {
		for _, line := range strings.Split(sec, "\n") {
			if strings.HasPrefix(line, "- ") && strings.Contains(line, "[") {
				assert.Contains(t, line, "How certain: ", "a finding resting on events says how certain they are: %s", line)
			}
		}
	}
	assert.Contains(t, gaps, "How certain: rests on what the record holds up to event 23. [16, 17]", "the outturn gap is an absence: it rests on the record (fixfacts2)")
	var pack struct {
		Report struct{ Risks, Gaps []struct{ Certainty string } }
	}
	require.NoError(t, json.Unmarshal([]byte(files["json"]), &pack))
	require.NotEmpty(t, pack.Report.Risks)
	assert.Equal(t, "inferred", pack.Report.Risks[0].Certainty)
}

// A retraction is listed in words under its own heading (it was filed under "Corrected after the
// as-of date" with no word of what it removed): what the retracted event said, why, when and by whom.
func TestRetractionInWords(t *testing.T) {
	store := seeded(t)
	r := ledger(t, nil, "record", "--store", store, "--partnership", gnn, "--type", "EventRetracted", "--effective", "2016-03-01",
		"--data", `{"target":"f6caa24b-1650-56e4-b793-91465c8d3137","reason":"source_withdrawn","notes":"the article did not name finance"}`,
		"--source", pressSource, "--certainty", "reported")
	require.Equal(t, 0, r.code, r.stderr)
	files := packFiles(t, store, "2016-06-15", "--known-at", "all")
	want := "Event 19, of 18 December 2015, which recorded “Finance named as a possible candidate for sharing by Great Yarmouth Borough Council and North Norfolk District Council”, was retracted on "
	for _, format := range []string{"md", "html", "pdf"} {
		text := files[format]
		assert.Contains(t, text, "Retracted", format)
		assert.Contains(t, text, want, format)
		assert.Contains(t, text, ", after the as-of date, by ", format)
		assert.Contains(t, text, ": its source was withdrawn (the article did not name finance). It is no longer part of the record in effect", format)
		assert.NotContains(t, text, "the ledger retracted event", "%s: not filed as a correction", format)
	}
	assert.Contains(t, files["md"], "- **Retracted.** "+want)
}

// ledger replay writes each event's certainty in words (words.CertaintyText), never as its code alone.
func TestReplayCertaintyInWords(t *testing.T) {
	store := seeded(t)
	r := ledger(t, nil, "replay", "--store", store, "--partnership", gnn, "--as-of", "2016-12-31")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "(recorded 2015-10-08 09:00 UTC, inferred from other facts, as corrected by #21)")
	assert.Contains(t, r.stdout, "UTC, reported by a secondary source)")
	// The demo's corrections no longer change a certainty (fixdemo: the article does not report the
	// appointments' employer or time shares); the appointments read as inferred, in words.
	assert.Contains(t, r.stdout, "(recorded 2015-11-09 09:00 UTC, inferred from other facts, as corrected by #22)")
	assert.NotContains(t, r.stdout, " UTC, reported)")
	assert.NotContains(t, r.stdout, " UTC, inferred)")
}

// ledger state prints a minute with what its sources mark assumed, as the pack does (issue 21's
// review: 'since 2015-10-15 (Full Council 15 October 2015, item 8)' read as known), from a store and
// from a server alike.
func TestStateMarksAssumedMinutes(t *testing.T) {
	store := seeded(t)
	gy := "Full Council 15 October 2015, item 8 (every detail assumed)"
	nn := "Cabinet 19 October 2015, minute 10 (every detail assumed)"
	check := func(where string, r result) {
		require.Equal(t, 0, r.code, r.stderr)
		partners := r.stdout[strings.Index(r.stdout, "Partners:"):strings.Index(r.stdout, "Appointments:")]
		assert.Contains(t, partners, "since 2015-10-15 ("+gy+")", where)
		assert.Contains(t, partners, "since 2015-10-19 ("+nn+")", where)
		decisions := r.stdout[strings.Index(r.stdout, "Decisions:"):]
		assert.Contains(t, decisions, gy, where)
		assert.Contains(t, decisions, nn, where)
		assert.NotContains(t, r.stdout, "item 8)", where+": an unmarked minute")
	}
	check("store", ledger(t, nil, "state", "--partnership", "great-yarmouth-north-norfolk", "--as-of", "2016-06-15", "--store", store))
	s := startServe(t, store)
	check("server", ledger(t, nil, "state", "--partnership", "great-yarmouth-north-norfolk", "--as-of", "2016-06-15", "--known-at", "2016-06-15", "--server", s.base))
}
