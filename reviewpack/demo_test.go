package reviewpack_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/demo"
	"github.com/partnership-ledger/ledger/domain/recording"
	"github.com/partnership-ledger/ledger/domain/words"
	"github.com/partnership-ledger/ledger/eventstore/bolt"
	"github.com/partnership-ledger/ledger/projections"
	"github.com/partnership-ledger/ledger/reviewpack"
)

// demoOptions is the pack the demo's committee would have had: the Great Yarmouth and North Norfolk
// partnership as of the end of its trial.
// demoOptions know everything recorded (known_at "all"): tests record events today, after a pack's
// default known_at (the end of its as-of day), and the golden is the demo's whole record.
var demoOptions = reviewpack.Options{Partnership: demo.GreatYarmouthNorthNorfolk, AsOf: domain.MustDate("2016-06-30"),
	KnownAt: knownAll, Cover: reviewpack.CoverOptions{Committee: "Overview and Scrutiny Committee", Author: "Head of Policy and Performance"}}

var knownAll, _ = projections.ParseKnownAt("all")

// demoPack seeds the Norfolk demo into a fresh store and builds its pack.
func demoPack(t testing.TB) *reviewpack.Pack {
	t.Helper()
	return demoPackWith(t, demoOptions)
}

// demoPackAsOf is the demo's pack as of another date (YYYY-MM-DD).
func demoPackAsOf(t testing.TB, asOf string) *reviewpack.Pack {
	t.Helper()
	o := demoOptions
	o.AsOf = domain.MustDate(asOf)
	return demoPackWith(t, o)
}

func demoPackWith(t testing.TB, opts reviewpack.Options) *reviewpack.Pack {
	t.Helper()
	ctx := context.Background()
	store, err := bolt.Open(filepath.Join(t.TempDir(), "ledger.db"), bolt.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { store.Close() })
	_, err = demo.SeedStore(ctx, store)
	require.NoError(t, err)
	src, err := reviewpack.LoadSource(ctx, store, testKey(), demoOptions.Partnership)
	require.NoError(t, err)
	p, err := reviewpack.Build(ctx, src, opts)
	require.NoError(t, err)
	return p
}

func TestDemoPackIsReproducible(t *testing.T) {
	first, second := demoPack(t), demoPack(t)
	for _, format := range reviewpack.Formats {
		t.Run(format, func(t *testing.T) {
			a := sha256.Sum256(render(t, first, format))
			b := sha256.Sum256(render(t, second, format))
			assert.Equal(t, a, b, "two builds from two seeded ledgers must be byte-identical")
		})
	}
}

func TestDemoMarkdownGolden(t *testing.T) {
	golden(t, filepath.Join("testdata", "demo.md"), render(t, demoPack(t), "md"))
}

func TestDemoPDFText(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext is not installed (apt-get install poppler-utils); CI installs it")
	}
	path := filepath.Join(t.TempDir(), "pack.pdf")
	require.NoError(t, os.WriteFile(path, render(t, demoPack(t), "pdf"), 0o644))
	out, err := exec.Command("pdftotext", path, "-").Output()
	require.NoError(t, err)
	for _, want := range []string{"Sheila Oxtoby", "Karen Sly", "£40,000"} {
		assert.Contains(t, string(out), want)
	}
}

func TestDemoPackVerifies(t *testing.T) {
	dir := t.TempDir()
	_, err := reviewpack.WriteDir(demoPack(t), dir, reviewpack.Formats)
	require.NoError(t, err)
	v, err := reviewpack.VerifyDir(context.Background(), dir, testKey().Public())
	require.NoError(t, err)
	assert.Equal(t, demo.GreatYarmouthNorthNorfolk, v.Partnership)

	// One cited fact edited in pack.json: the £40,000 forecast becomes £50,000.
	path := filepath.Join(dir, "pack.json")
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Contains(t, string(b), `"amount_pence": 4000000`)
	require.NoError(t, os.WriteFile(path, bytes.Replace(b, []byte(`"amount_pence": 4000000`), []byte(`"amount_pence": 5000000`), 1), 0o644))
	_, err = reviewpack.VerifyDir(context.Background(), dir, testKey().Public())
	require.ErrorIs(t, err, reviewpack.ErrRefused)
	assert.Contains(t, err.Error(), "the event was altered")
}

// TestDemoPackReadsWell holds the wording a committee member stumbled on when reading the demo pack:
// each phrase below was in an earlier pack.
func TestDemoPackReadsWell(t *testing.T) {
	md := string(render(t, demoPack(t), "md"))
	for _, want := range []string{
		"Two officers are shared between the councils",               // a sentence starts with a capital
		"Karen Sly as chief finance officer (s151) of both councils", // the post and its role said once
		"Sheila Oxtoby as chief executive and head of paid service of both councils",
		"such as HR and finance",                                         // acronyms keep their capitals
		"no savings target was recorded",                                 // not "a target of £0"
		"on an interim basis",                                            // the article agrees
		"cabinet of North Norfolk District Council",                      // review bodies by name, not slug
		"Savings forecast for North Norfolk District Council in 2015/16", // the chronology names councils
	} {
		assert.Contains(t, md, want)
	}
	for _, bad := range []string{
		"two officers", "(chief finance officer (s151)", "head of hr", "Head of HR", "target of £0", "targets of £0",
		"a interim", "great-yarmouth full council", "north-norfolk cabinet", "for great-yarmouth", "june-2016",
		"Business case published: Business case",
	} {
		assert.NotContains(t, md, bad)
	}
}

// An end date is the last day in force (docs/domain.md, rules 4 and 6): the pack as of an officer's
// last day has them in office, names the last day of an end recorded in advance, and the pack as of
// the next day does not have them at that council.
func TestPackLastDay(t *testing.T) {
	ctx := context.Background()
	store, err := bolt.Open(filepath.Join(t.TempDir(), "ledger.db"), bolt.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { store.Close() })
	_, err = demo.SeedStore(ctx, store)
	require.NoError(t, err)
	_, err = recording.New(store, nil).Record(ctx, "test", domain.Command{Partnership: demo.GreatYarmouthNorthNorfolk,
		Type: domain.TypeAppointmentEnded, EffectiveOn: "2016-09-01", Certainty: "confirmed",
		Sources: []domain.SourceRef{{Kind: domain.SourceMinutes, Title: "Minutes"}},
		Data: []byte(`{"officer":{"name":"Karen Sly"},"post":"chief-finance-officer","councils":["great-yarmouth"],
		  "last_day":"2016-09-20","reason":"notice"}`)}, nil)
	require.NoError(t, err)
	pack := func(asOf string) string {
		src, err := reviewpack.LoadSource(ctx, store, testKey(), demo.GreatYarmouthNorthNorfolk)
		require.NoError(t, err)
		opts := demoOptions
		opts.AsOf = domain.MustDate(asOf)
		p, err := reviewpack.Build(ctx, src, opts)
		require.NoError(t, err)
		return string(render(t, p, "md"))
	}
	last := pack("2016-09-30")
	assert.Contains(t, last, "Sheila Oxtoby serves Great Yarmouth Borough Council 50%, North Norfolk District Council 50% as chief executive")
	notice := pack("2016-09-20")
	assert.Contains(t, notice, "Great Yarmouth Borough Council 50% (last day 20 September 2016), North Norfolk District Council 50% as chief finance officer")
	next := pack("2016-09-21")
	assert.Contains(t, next, "Karen Sly serves North Norfolk District Council 50% as chief finance officer")
	assert.NotContains(t, next, "(last day")
	// The dissolution, with effect from 1 October 2016, ends what was still shared (issue 21).
	dissolved := pack("2016-10-01")
	assert.Contains(t, dissolved, "No officer was shared between the councils on the as-of date.")
	assert.NotContains(t, dissolved, "Sheila Oxtoby serves")
}

// TestPackTenseAfterDates (issue 21): once the as-of date is past the review's due date and the
// trial's end, the summary, option 1 and the cover say so in the past tense, in the one wording
// words.ReviewDue and words.TrialEnd give; before them, the future.
func TestPackTenseAfterDates(t *testing.T) {
	for _, tc := range []struct {
		asOf string
		want []string
		not  []string
	}{
		{"2016-06-15", []string{"A review is due on 30 June 2016", "The trial period runs to 30 June 2016"}, []string{"was due", "trial period ended"}},
		{"2016-07-15", []string{"The review was due on 30 June 2016", "The trial period ended on 30 June 2016", "30 June 2016 (passed by the as-of date)"}, []string{"A review is due", "trial period runs to"}},
	} {
		var md bytes.Buffer
		require.NoError(t, demoPackAsOf(t, tc.asOf).Render("md", &md))
		for _, w := range tc.want {
			assert.Contains(t, md.String(), w, tc.asOf)
		}
		for _, w := range tc.not {
			assert.NotContains(t, md.String(), w, tc.asOf)
		}
	}
}

// TestAbsenceHasNoCertainty (issue 21): a fact saying something is not recorded (option 2's missing
// section 113 agreement, option 4's missing exit terms) carries no source's certainty label: no source
// says what the record lacks. Its certainty says what it rests on, the record up to the pack's last
// event (issue 21's committee review: an absence had none in section 2 and a source's in section 9).
func TestAbsenceHasNoCertainty(t *testing.T) {
	p := demoPackAsOf(t, "2016-06-15")
	n := 0
	for _, o := range p.Report.Options {
		for _, f := range o.Facts {
			if strings.HasPrefix(f.Text, "No ") || strings.Contains(f.Text, "what the record lacks") {
				n++
				assert.True(t, f.Absence, f.Text)
				assert.Regexp(t, `^rests on what the record holds up to event [0-9]+$`, f.Certainty, f.Text)
			}
		}
	}
	assert.GreaterOrEqual(t, n, 2, "the demo's June pack states the missing s113 agreement and exit terms")
	var md bytes.Buffer
	require.NoError(t, p.Render("md", &md))
	assert.NotRegexp(t, `No section 113 agreement is recorded[^\n]*\(reported\)`, md.String())
	assert.NotRegexp(t, `No notice period or exit terms are recorded[^\n]*\(reported\)`, md.String())
}

// TestNetNeedsOneOffCosts (issue 21): where no one-off costs are recorded the pack works out no net
// figure (was "No one-off costs were recorded; the forecast net saving is £80,000", £0 costs taken
// for granted), and a net resting on forecasts is never headed "Net saving".
func TestNetNeedsOneOffCosts(t *testing.T) {
	var md bytes.Buffer
	require.NoError(t, demoPackAsOf(t, "2016-06-15").Render("md", &md))
	assert.Contains(t, md.String(), "No one-off costs were recorded, so no net saving can be worked out.")
	assert.Contains(t, md.String(), words.NetNoOneOff)
	assert.Contains(t, md.String(), "| Net (forecast or outturn) |")
	assert.NotContains(t, md.String(), "| Net saving |")
	assert.NotContains(t, md.String(), "the forecast net saving is")
}
