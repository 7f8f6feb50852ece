package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/eventstore/bolt"
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
			`--source #1 (/sources/0/assumed/1): "colour" is not a detail of a source that can be assumed`},
		{"the old flag", `{"kind":"press","title":"EDP","illustrative":true}`, "reported", "--source #1 (/sources/0/illustrative): is the form of events recorded before per-detail marks"},
		{"confirmed by minutes whose minute number is assumed", `{"kind":"minutes","title":"Cabinet","locator":"minute 10","assumed":["locator"]}`, "confirmed",
			"--certainty (/certainty): confirmed needs a confirming source"},
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

// The demo's pack as members read it for June 2016 (issue 21, point 4): "What changed" shows the trial
// end moving from 31 March to 30 June 2016 with when, by whom, why and the evidence; every fact and
// table row says how certain it is; the article held by its SHA-256 is not called invented, only its
// assumed details are named; a retraction reads in words, never as its code.
func TestDemoPackShowsProvenance(t *testing.T) {
	store := seeded(t)
	r := ledger(t, nil, "record", "--store", store, "--partnership", gnn, "--type", "EventRetracted", "--effective", "2016-03-01",
		"--data", `{"target":"f6caa24b-1650-56e4-b793-91465c8d3137","reason":"source_withdrawn","notes":"the article did not name finance"}`,
		"--source", pressSource, "--certainty", "reported")
	require.Equal(t, 0, r.code, r.stderr)
	dir := filepath.Join(t.TempDir(), "pack")
	p := ledger(t, nil, "pack", "--store", store, "--partnership", gnn, "--as-of", "2016-06-15", "--known-at", "all", "--format", "md,json", "-o", dir)
	require.Equal(t, 0, p.code, p.stderr)
	md, err := os.ReadFile(filepath.Join(dir, "pack.md"))
	require.NoError(t, err)
	text := string(md)

	assert.Contains(t, text, "### What changed")
	assert.Contains(t, text, "| [21] | Partnership proposed of 7 October 2015 [5] | Trial ends on | 31 March 2016 | 30 June 2016 | 2015-12-19 09:00 UTC, the demo loader (ledger seed), not a person | "+
		"The trial runs to around June 2016, when both councils review it; 31 March 2016 was the savings date | the December 2015 article: the trial “is to expected to last until sometime around June 2016” |")
	assert.Contains(t, text, "| [22] | Joint appointment made of 7 November 2015 [8] | Sources |")
	assert.NotContains(t, text, "| Certainty | inferred | reported |", "the article does not report the appointment's employer or time shares (fixdemo)")
	assert.Contains(t, text, "| [31] | Service sharing proposed of 18 December 2015 [19] | The whole event | Service sharing proposed of 18 December 2015 | retracted: no longer part of the record in effect |")
	assert.Contains(t, text, "Its source was withdrawn (the article did not name finance)")
	assert.NotContains(t, text, "source_withdrawn", "a retraction in words, never its code")

	// Certainty on every fact, in every section.
	assert.Contains(t, text, "as chief executive on an interim basis since 7 November 2015. (inferred from other facts) [8, 22]")
	assert.Contains(t, text, "The trial period runs to 30 June 2016; continuing beyond it needs a decision by each council. (inferred from other facts) [")
	assert.Contains(t, text, "| Certainty and events |")
	assert.Contains(t, text, "| interim | 2015-11-07 | Full Council 15 October 2015, item 8 (every detail assumed)<br>Cabinet 19 October 2015, minute 10 (every detail assumed) | inferred [8, 22] |")
	assert.Contains(t, text, "| 2015/16 | North Norfolk District Council | not recorded | £40,000 | not recorded | not recorded | cannot be worked out: one-off costs not recorded | not recorded | reported [16] |")
	assert.Contains(t, text, "| Chief executive (Sheila Oxtoby) | equal | Great Yarmouth Borough Council 50%, North Norfolk District Council 50% | 2015-11-07 | inferred [14] |")

	// The article is held: its headline, publisher and date are assumed, not the whole of it.
	assert.Contains(t, text, "Press: Shared chief executive expects £40,000 saving at each council, Eastern Daily Press, 18 December 2015 (assumed: title, publisher and date; text held, SHA-256 a7caed1a9930…)")
	assert.NotContains(t, text, "illustrative")
	assert.NotContains(t, text, "invented")
	assert.Contains(t, text, "“Shared chief executive expects £40,000 saving at each council”, 18 December 2015, Eastern Daily Press: assumed: title, publisher and date [8, 9, 16, 17, 18, 20]", "the retracted event no longer cites it")
	assert.Contains(t, text, "“North Norfolk District Council, Cabinet minutes”, 19 October 2015: every detail assumed")
	assert.NotContains(t, text, "| confirmed |", "the demo confirms nothing")
}

// oldFormatLedger writes events the way a ledger recorded them before per-detail marks (issue 21,
// point 4): minutes cited with the one illustrative flag and the fact recorded as confirmed, and a
// fact citing a report published after the event was recorded. It returns the --store and the
// public key.
func oldFormatLedger(t *testing.T) (store, pub string) {
	t.Helper()
	minutes := `[{"kind":"minutes","title":"Great Yarmouth Full Council minutes","published":"2015-10-15","locator":"item 8","illustrative":true}]`
	return writeEvents(t, "partnership-gy-nn", []storedEvent{
		{"PartnershipProposed", "2015-10-15", "2015-10-16T09:00:00Z", "confirmed", minutes,
			`{"name":"Shared management","purpose":"share a chief executive","partners":[{"council":"great-yarmouth","name":"Great Yarmouth Borough Council","kind":"borough"},{"council":"north-norfolk","name":"North Norfolk District Council","kind":"district"}],"trial_ends_on":"2016-03-31"}`},
		{"SavingsReported", "2015-12-18", "2015-12-18T12:00:00Z", "confirmed",
			`[{"kind":"report","title":"Outturn report 2015/16","published":"2016-07-01"}]`,
			`{"council":"north-norfolk","financial_year":2015,"category":"shared management","amount_pence":4000000,"status":"forecast","period_to":"2016-03-31"}`},
	})
}

// storedEvent is an event as a store holds it, before it is sealed: type, effective date, recorded_at
// (RFC 3339), certainty, sources and data (JSON).
type storedEvent struct{ typ, eff, rec, certainty, sources, data string }

// writeEvents appends events straight into a new bolt store, as recorded (no Decide: events of any
// age and form), and returns the --store and the public key that will sign its tree heads.
func writeEvents(t *testing.T, stream string, events []storedEvent) (store, pub string) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "ledger.db")
	s, err := bolt.Open(path, bolt.Options{})
	require.NoError(t, err)
	for i, e := range events {
		rec, err := time.Parse(time.RFC3339, e.rec)
		require.NoError(t, err)
		_, err = s.Append(context.Background(), stream, eventstore.Any, eventstore.Event{
			ID: uuid.NewSHA1(uuid.NameSpaceURL, []byte{byte(i)}), Stream: stream, Type: e.typ,
			EffectiveOn: e.eff, RecordedAt: rec, RecordedBy: "test", Certainty: e.certainty,
			Sources: json.RawMessage(e.sources), Data: json.RawMessage(e.data),
		})
		require.NoError(t, err)
	}
	require.NoError(t, s.Close())
	key, _, err := audit.LoadOrCreateKey(filepath.Join(dir, "ledger.key"))
	require.NoError(t, err)
	return "bolt:" + path, key.PublicText()
}

// Events recorded with the old illustrative flag keep verifying (their bytes and hashes never
// change), decode as stored, and read as "every detail assumed"; one recorded as confirmed without a
// confirming source is shown as such; a source published after the event citing it was recorded is
// flagged; the pack built from them verifies.
func TestOldFormatEventsStillVerifyAndReadHonestly(t *testing.T) {
	store, pub := oldFormatLedger(t)
	v := ledger(t, nil, "verify", "--store", store)
	require.Equal(t, 0, v.code, v.stderr)
	assert.Contains(t, v.stdout, "intact")

	h := ledger(t, nil, "history", "--store", store, "--partnership", "gy-nn", "--json")
	require.Equal(t, 0, h.code, h.stderr)
	assert.Contains(t, h.stdout, `"illustrative": true`, "the stored source, as stored")

	dir := filepath.Join(t.TempDir(), "pack")
	p := ledger(t, nil, "pack", "--store", store, "--partnership", "gy-nn", "--as-of", "2016-06-30", "--format", "md,json", "-o", dir)
	require.Equal(t, 0, p.code, p.stderr)
	md, err := os.ReadFile(filepath.Join(dir, "pack.md"))
	require.NoError(t, err)
	text := string(md)
	assert.Contains(t, text, "Minutes: Great Yarmouth Full Council minutes, 15 October 2015, item 8 (every detail assumed)")
	assert.Contains(t, text, "| recorded as confirmed; no confirming source |", "the chronology's certainty")
	assert.Contains(t, text, "(recorded as confirmed; no confirming source)", "a fact resting on it")
	assert.Contains(t, text, "**Confirmed without a confirming source.** One event was recorded as confirmed, but none of its sources confirms it: "+
		"a confirmed fact needs minutes, a report or an agreement none of whose details is assumed. Read it as unconfirmed: Partnership proposed of 15 October 2015 [1].")
	assert.Contains(t, text, "**Source published after it was cited.** Savings reported of 18 December 2015 [2] cites “Outturn report 2015/16”, published 1 July 2016, but the source was cited on 18 December 2015")

	ok := ledger(t, nil, "verify-pack", dir, "--key", pub)
	assert.Equal(t, 0, ok.code, "stdout: %s\nstderr: %s", ok.stdout, ok.stderr)
}
