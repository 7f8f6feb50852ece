package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// packLedger writes a small partnership history straight into a bolt store and returns the --store
// value and the public key that will sign its tree heads.
func packLedger(t *testing.T) (store, pub string) {
	t.Helper()
	return packLedgerWith(t, "shared management")
}

// packLedgerWith is packLedger with the savings category given, which the pack's chronology prints.
func packLedgerWith(t *testing.T, category string) (store, pub string) {
	t.Helper()
	cat, err := json.Marshal(category)
	require.NoError(t, err)
	return writeEvents(t, "partnership-gy-nn", []storedEvent{
		{"SavingsReported", "2015-12-18", "2015-12-18T12:00:00Z", "reported",
			`[{"kind":"press","title":"Shared chief executive: £40,000 saving each","published":"2015-12-18"}]`,
			`{"council":"north-norfolk","financial_year":2015,"category":` + string(cat) + `,"amount_pence":4000000,"status":"forecast","period_to":"2016-03-31"}`},
		{"SavingsReported", "2015-12-18", "2015-12-18T12:01:00Z", "reported",
			`[{"kind":"press","title":"Shared chief executive: £40,000 saving each","published":"2015-12-18"}]`,
			`{"council":"great-yarmouth","financial_year":2015,"category":"shared management","amount_pence":4000000,"status":"forecast","period_to":"2016-03-31"}`},
	})
}

func TestPackThenVerifyPack(t *testing.T) {
	store, pub := packLedger(t)
	dir := filepath.Join(t.TempDir(), "pack")
	r := ledger(t, nil, "pack", "--store", store, "--partnership", "gy-nn", "--as-of", "2016-06-30",
		"--format", "html,pdf,md,json", "-o", dir, "--committee", "Scrutiny Committee", "--author", "Head of Policy")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	for _, name := range []string{"pack.html", "pack.pdf", "pack.md", "pack.json", "manifest.json"} {
		assert.FileExists(t, filepath.Join(dir, name))
		if name != "manifest.json" {
			assert.Contains(t, r.stdout, name)
		}
	}

	ok := ledger(t, nil, "verify-pack", dir, "--key", pub)
	require.Equal(t, 0, ok.code, "stdout: %s\nstderr: %s", ok.stdout, ok.stderr)
	assert.Contains(t, ok.stdout, "valid: review pack for gy-nn as of 2016-06-30")

	// A second build of the same pack is byte-identical.
	again := filepath.Join(t.TempDir(), "again")
	require.Equal(t, 0, ledger(t, nil, "pack", "--store", store, "--partnership", "gy-nn", "--as-of", "2016-06-30",
		"-o", again, "--committee", "Scrutiny Committee", "--author", "Head of Policy").code)
	for _, name := range []string{"pack.html", "pack.pdf", "pack.md", "pack.json", "manifest.json"} {
		a, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		b, err := os.ReadFile(filepath.Join(again, name))
		require.NoError(t, err)
		assert.Equal(t, a, b, "%s differs between two builds", name)
	}

	// Edit one cited fact: the £40,000 forecast becomes £50,000.
	path := filepath.Join(dir, "pack.json")
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Contains(t, string(b), `"amount_pence": 4000000`)
	require.NoError(t, os.WriteFile(path, []byte(strings.Replace(string(b), `"amount_pence": 4000000`, `"amount_pence": 5000000`, 1)), 0o644))
	bad := ledger(t, nil, "verify-pack", dir, "--key", pub)
	assert.Equal(t, 1, bad.code)
	assert.Contains(t, bad.stdout, "REFUSED")
	assert.Contains(t, bad.stdout, "SavingsReported")
	assert.Contains(t, bad.stdout, "the event was altered")
}

// TestPackTakesAnyText: an emoji once panicked fpdf, and 'ledger pack --format html,pdf,md,json' wrote
// none of the four. Every file is written, the PDF marks what its fonts cannot show and says so, the
// others hold the exact text, and the pack verifies.
func TestPackTakesAnyText(t *testing.T) {
	const category = "shared management 👩‍👩‍👧 مجلس 共享 𠀋 Cyngor ŵ ŷ"
	store, pub := packLedgerWith(t, category)
	dir := filepath.Join(t.TempDir(), "pack")
	r := ledger(t, nil, "pack", "--store", store, "--partnership", "gy-nn", "--as-of", "2016-06-30",
		"--format", "html,pdf,md,json", "-o", dir)
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	for _, name := range []string{"pack.html", "pack.md", "pack.json"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		assert.Contains(t, string(b), category, "%s holds the exact text", name)
	}
	out, err := exec.Command("pdftotext", filepath.Join(dir, "pack.pdf"), "-").Output()
	require.NoError(t, err, "pdftotext (apt-get install poppler-utils)")
	text := strings.Join(strings.Fields(string(out)), " ")
	assert.Contains(t, text, "shared management □ □□□□ □□ □ Cyngor ŵ ŷ")
	assert.Contains(t, text, "Some characters cannot be shown in this PDF and are printed as □; the HTML and JSON packs hold the exact text.")

	ok := ledger(t, nil, "verify-pack", dir, "--key", pub)
	require.Equal(t, 0, ok.code, "stdout: %s\nstderr: %s", ok.stdout, ok.stderr)
	assert.Contains(t, ok.stdout, "pack.html, pack.pdf, pack.md, pack.json")
}

func TestPackBadInput(t *testing.T) {
	store, pub := packLedger(t)
	out := filepath.Join(t.TempDir(), "p")
	aFile := filepath.Join(t.TempDir(), "a-file")
	require.NoError(t, os.WriteFile(aFile, []byte("x"), 0o644))
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no partnership", []string{"pack", "--store", store, "--as-of", "2016-06-30", "-o", out}, "--partnership is required"},
		{"no as-of", []string{"pack", "--store", store, "--partnership", "gy-nn", "-o", out}, "--as-of is required"},
		{"no output", []string{"pack", "--store", store, "--partnership", "gy-nn", "--as-of", "2016-06-30"}, "-o DIR is required"},
		{"bad format", []string{"pack", "--store", store, "--partnership", "gy-nn", "--as-of", "2016-06-30", "-o", out, "--format", "docx"}, `unknown format "docx"`},
		{"bad date", []string{"pack", "--store", store, "--partnership", "gy-nn", "--as-of", "2016-02-30", "-o", out}, "2016-02-30"},
		{"unknown partnership", []string{"pack", "--store", store, "--partnership", "nowhere", "--as-of", "2016-06-30", "-o", out}, `"nowhere"`},
		{"cover not UTF-8", []string{"pack", "--store", store, "--partnership", "gy-nn", "--as-of", "2016-06-30", "-o", out, "--committee", "\xff\x00\x1b\u202e"}, "pack: --committee invalid UTF-8"},
		{"cover control", []string{"pack", "--store", store, "--partnership", "gy-nn", "--as-of", "2016-06-30", "-o", out, "--meeting", "EDP\u0085"}, "pack: --meeting control character U+0085"},
		{"cover line feed", []string{"pack", "--store", store, "--partnership", "gy-nn", "--as-of", "2016-06-30", "-o", out, "--committee", "a\nb"}, "pack: --committee control character U+000A"},
		{"cover tab", []string{"pack", "--store", store, "--partnership", "gy-nn", "--as-of", "2016-06-30", "-o", out, "--author", "a\tb"}, "pack: --author control character U+0009"},
		{"cover bidi", []string{"pack", "--store", store, "--partnership", "gy-nn", "--as-of", "2016-06-30", "-o", out, "--author", "a\u202eb"}, "U+202E"},
		{"cover too long", []string{"pack", "--store", store, "--partnership", "gy-nn", "--as-of", "2016-06-30", "-o", out, "--author", strings.Repeat("a", 60000)}, "pack: --author is 60000 characters long"},
		{"output is a file", []string{"pack", "--store", store, "--partnership", "gy-nn", "--as-of", "2016-06-30", "-o", aFile}, "is a file; give a directory"},
		{"check-proof of a tree head", []string{"check-proof", aFile + ".head.json", "--key", pub}, "is not a proof bundle"},
		{"check-proof of {}", []string{"check-proof", aFile + ".empty.json", "--key", pub}, "is not a proof bundle"},
		{"verify-pack without key", []string{"verify-pack", out}, "--key PUBKEY is required"},
		{"verify-pack bad key", []string{"verify-pack", out, "--key", "not-a-key"}, "--key"},
		{"verify-pack no directory", []string{"verify-pack", filepath.Join(out, "missing"), "--key", pub}, "is not a pack directory or a pack.json file"},
		{"verify-pack of {}", []string{"verify-pack", aFile + ".empty.json", "--key", pub}, "is not a review pack's pack.json"},
	}
	head := ledger(t, nil, "tree-head", "--store", store)
	require.Equal(t, 0, head.code, head.stderr)
	require.NoError(t, os.WriteFile(aFile+".head.json", []byte(head.stdout), 0o644))
	require.NoError(t, os.WriteFile(aFile+".empty.json", []byte("{}"), 0o644))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ledger(t, nil, tt.args...)
			assert.Equal(t, 2, r.code, "stdout: %s", r.stdout)
			assert.Contains(t, r.stderr, tt.want)
			assert.Equal(t, 1, strings.Count(strings.TrimSpace(r.stderr), "\n")+1, "one line: %q", r.stderr)
			assert.NoDirExists(t, out, "nothing written")
		})
	}
}

// Money that was not recorded is "not recorded" in a pack, never £0: a council's year with only a
// savings target read "forecast savings of £0 … the net saving is £0 … (£0 short)", its row
// Forecast £0, One-off costs £0, Net £0, and the chart drew £0 bars (compose turned nil into 0).
func TestPackNeverWritesUnrecordedMoneyAsZero(t *testing.T) {
	_, dir := recordThenPack(t, "SavingsTargetSet", `{"council":"north-norfolk","financial_year":2016,"category":"m","amount_pence":300000}`)
	md, err := os.ReadFile(filepath.Join(dir, "pack.md"))
	require.NoError(t, err)
	js, err := os.ReadFile(filepath.Join(dir, "pack.json"))
	require.NoError(t, err)
	assert.NotContains(t, string(md), "£0", "no figure not recorded is written as £0")
	assert.NotContains(t, string(js), `"£0"`)
	assert.NotContains(t, string(md), "–", "one phrase for not recorded, not a dash")
	assert.Contains(t, string(md), "| 2016/17 | North Norfolk District Council | £3,000 | not recorded | not recorded | not recorded | not recorded | not recorded")
	assert.Contains(t, string(md), "North Norfolk District Council, 2016/17: net saving not recorded against a target of £3,000.")
	assert.NotContains(t, string(md), "short)", "no shortfall of £0")
	assert.Contains(t, string(md), "one-off costs were recorded", "the summary does not sum absent costs as £0")
	var pack struct {
		Report struct {
			Finance struct {
				Chart struct {
					Series []struct {
						Name   string   `json:"name"`
						Values []*int64 `json:"values_pence"`
					} `json:"series"`
				} `json:"chart"`
			} `json:"finance"`
		} `json:"report"`
	}
	require.NoError(t, json.Unmarshal(js, &pack))
	series := pack.Report.Finance.Chart.Series
	require.Len(t, series, 4)
	require.Len(t, series[1].Values, 2)
	assert.Nil(t, series[1].Values[1], "no forecast for 2016/17: the chart has no point, not a point at £0")
	assert.NotNil(t, series[0].Values[1], "the target of 2016/17 is drawn")
}

// An officer designated to a statutory role without a joint appointment has no post, share or
// basis: the pack read "Bob Other serves North Norfolk District Council as  on a stated basis" and
// counted him among the officers shared, replay wrote "councils North Norfolk District Council 0%",
// and 'ledger state' wrote roles with its own underscore replacement (now words.Role).
func TestDesignationOnlyOfficerInWords(t *testing.T) {
	store, dir := recordThenPack(t, "StatutoryRoleDesignated", `{"council":"north-norfolk","role":"monitoring_officer","officer":{"name":"Bob Other"}}`)
	md, err := os.ReadFile(filepath.Join(dir, "pack.md"))
	require.NoError(t, err)
	assert.NotContains(t, string(md), "as  on")
	assert.NotContains(t, string(md), "Bob Other serves")
	assert.Contains(t, string(md), "Two officers are shared", "Bob Other holds no shared post")
	assert.Contains(t, string(md), "Designated to a statutory role without a shared post: Bob Other, monitoring officer at North Norfolk District Council since 1 May 2016.")

	rp := ledger(t, nil, "replay", "--store", store, "--partnership", gnn, "--type", "StatutoryRoleDesignated")
	require.Equal(t, 0, rp.code, rp.stderr)
	assert.Contains(t, rp.stdout, "councils North Norfolk District Council;")
	assert.NotContains(t, rp.stdout, " 0%")

	st := ledger(t, nil, "state", "--store", store, "--partnership", gnn, "--as-of", "2016-06-30")
	require.Equal(t, 0, st.code, st.stderr)
	assert.Contains(t, st.stdout, "monitoring officer")
	assert.NotContains(t, st.stdout, "_officer")
	assert.NotContains(t, st.stdout, "paid_service")
}

// recordThenPack records one event of typ (effective 1 May 2016) on the demo ledger, then writes its
// pack as of 30 June 2016 in Markdown and JSON; it returns the store and the pack's directory.
func recordThenPack(t *testing.T, typ, data string) (store, dir string) {
	store = seeded(t)
	r := ledger(t, nil, "record", "--store", store, "--partnership", gnn, "--type", typ, "--effective", "2016-05-01",
		"--data", data, "--source", `{"kind":"minutes","title":"Cabinet"}`, "--certainty", "confirmed")
	require.Equal(t, 0, r.code, r.stderr)
	dir = filepath.Join(t.TempDir(), "pack")
	p := ledger(t, nil, "pack", "--store", store, "--partnership", gnn, "--as-of", "2016-06-30", "--known-at", "all", "--format", "md,json", "-o", dir)
	require.Equal(t, 0, p.code, p.stderr)
	return store, dir
}

// gyNNPackJSON builds gy-nn's pack as of 2016-06-30 in packLedger's ledger and returns its pack.json
// and the ledger's public key.
func gyNNPackJSON(t *testing.T) ([]byte, string) {
	t.Helper()
	store, pub := packLedger(t)
	dir := filepath.Join(t.TempDir(), "pack")
	require.Equal(t, 0, ledger(t, nil, "pack", "--store", store, "--partnership", "gy-nn", "--as-of", "2016-06-30", "-o", dir).code)
	b, err := os.ReadFile(filepath.Join(dir, "pack.json"))
	require.NoError(t, err)
	return b, pub
}

// TestVerifyPackOneFile: a member who downloaded pack.json alone checks it with verify-pack: every
// event, audit path and the signature are checked and the report rebuilt, and the renderings it could
// not check are named. A tampered pack.json is refused on one line naming the event by [n] and id.
func TestVerifyPackOneFile(t *testing.T) {
	b, pub := gyNNPackJSON(t)
	one := filepath.Join(t.TempDir(), "gy-nn-pack.json")
	require.NoError(t, os.WriteFile(one, b, 0o644))

	ok := ledger(t, nil, "verify-pack", one, "--key", pub)
	require.Equal(t, 0, ok.code, "stdout: %s\nstderr: %s", ok.stdout, ok.stderr)
	assert.Contains(t, ok.stdout, "valid: review pack for gy-nn as of 2016-06-30")
	assert.Contains(t, ok.stdout, "the report rebuilds from those events; pack.json matches it\n", "one file matches (was \"pack.json match it\")")
	assert.Contains(t, ok.stdout, "not checked, because absent: pack.html, pack.pdf, pack.md, manifest.json")

	var f struct {
		Events []struct {
			Event struct {
				ID  string `json:"id"`
				Seq uint64 `json:"seq"`
			} `json:"event"`
		} `json:"events"`
	}
	require.NoError(t, json.Unmarshal(b, &f))
	require.NoError(t, os.WriteFile(one, []byte(strings.Replace(string(b), `"amount_pence": 4000000`, `"amount_pence": 5000000`, 1)), 0o644))
	bad := ledger(t, nil, "verify-pack", one, "--key", pub)
	assert.Equal(t, 1, bad.code)
	assert.Equal(t, 1, strings.Count(strings.TrimSpace(bad.stdout), "\n")+1, "one line: %q", bad.stdout)
	first := f.Events[0].Event
	assert.Contains(t, bad.stdout, "REFUSED: "+one+" does not verify: event ["+strconv.FormatUint(first.Seq, 10)+"] (id "+first.ID+", SavingsReported)")
}

// TestVerifyPackEarlierFormat: packs written before issue 21 (format v2) and before its committee
// review (format v3) and before issue 23 (format v4), kept in reviewpack's testdata, still verify, and
// verify-pack says what it could and could not check.
func TestVerifyPackEarlierFormat(t *testing.T) {
	keys := map[string]string{"v2": "Ws7jZghMUyYASPUH/fXWC+PnOkgT1BhmU6SKkuhfvMs=", "v3": "2KEs7sRHMC+xEFDLJRRDC4JTaWMJ7xXn04oS1Bzh6T8=",
		"v4": "TdZ0Mx61gvibsp52n7xAOfcMAU3nl6l8WeJgkVqqJK4="}
	for _, format := range []string{"v2", "v3", "v4"} {
		for _, name := range []string{"june", "october"} {
			key := keys[format]
			dir := filepath.Join("..", "..", "reviewpack", "testdata", "packs", format, name)
			r := ledger(t, nil, "verify-pack", dir, "--key", key)
			require.Equal(t, 0, r.code, "stdout: %s\nstderr: %s", r.stdout, r.stderr)
			assert.True(t, strings.HasPrefix(r.stdout, "events, proofs and signature valid; report NOT checked: review pack for great-yarmouth-north-norfolk (format ledger-review-pack-"+format+", an earlier format): only its events are proven"), r.stdout)
			assert.NotContains(t, r.stdout, "valid: review pack", "nothing in an earlier format's report is checked")
			assert.NotContains(t, r.stdout, "as of 2016", "its as-of is its own word, not a checked fact")
			assert.Contains(t, r.stdout, "written by an earlier version of the ledger")
			assert.Contains(t, r.stdout, "pack.html, pack.pdf, pack.md, pack.json match the SHA-256s in manifest.json")

			one := ledger(t, nil, "verify-pack", filepath.Join(dir, "pack.json"), "--key", key)
			require.Equal(t, 0, one.code, "stdout: %s\nstderr: %s", one.stdout, one.stderr)
			assert.Contains(t, one.stdout, "not checked, because absent: pack.html, pack.pdf, pack.md, manifest.json")
		}
	}
}

// TestAPackDirectoryIsAKeptHead: every command that reads a kept head takes a review pack's
// directory as its pack.json, as verify-pack does (was "read pack3/: is a directory", Go's words);
// a directory that is not a pack, and a directory where a file is wanted, are one line saying so.
func TestAPackDirectoryIsAKeptHead(t *testing.T) {
	store, pub := packLedger(t)
	dir := filepath.Join(t.TempDir(), "pack3")
	require.Equal(t, 0, ledger(t, nil, "pack", "--store", store, "--partnership", "gy-nn", "--as-of", "2016-06-30", "-o", dir).code)
	proof := filepath.Join(t.TempDir(), "consistency.json")
	cp := ledger(t, nil, "consistency-proof", dir+"/", "--store", store, "-o", proof)
	require.Equal(t, 0, cp.code, cp.stdout+cp.stderr)
	assert.Contains(t, cp.stderr, "wrote the proof")
	for _, args := range [][]string{
		{"check-consistency", dir + "/", "--key", pub, "--store", store},
		{"verify", "--tree-head", dir, "--key", pub, "--store", store},
		{"check-consistency", proof, "--key", pub},
	} {
		r := ledger(t, nil, args...)
		assert.Equal(t, 0, r.code, "%v: %s%s", args, r.stdout, r.stderr)
	}
	empty := t.TempDir()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"consistency-proof", empty, "--store", store}, "consistency-proof: " + empty + " is a directory without a pack.json"},
		{[]string{"check-consistency", empty, "--key", pub}, "check-consistency: " + empty + " is a directory without a pack.json"},
		{[]string{"check-proof", dir, "--key", pub}, "check-proof: " + dir + " is a directory; give a file"},
	} {
		assertBadInput(t, tt.args, tt.want)
	}
}

// TestVerifyPackRelabelled (issue 21): a pack of today's format relabelled as an earlier one, whose
// report verify-pack cannot rebuild, with its as-of and report edited (£80,000 made £800,000). Carrying
// members its label's format never had, it is refused (exit 1) naming the first; pruned to exactly
// that format's members at every depth (formats/ledger-review-pack-v2.json), its events still verify
// (exit 0) but verify-pack never says "valid" of it, says plainly that its report could have been
// rewritten, and never repeats the as-of it was given as a fact.
func TestVerifyPackRelabelled(t *testing.T) {
	b, pub := gyNNPackJSON(t)
	var p map[string]any
	require.NoError(t, json.Unmarshal(b, &p))
	p["format"], p["as_of"] = "ledger-review-pack-v2", "2099-10-01"
	p["checkpoint"] = map[string]any{} // a member only later formats have, whatever the pack held
	forged, err := json.Marshal(p)
	require.NoError(t, err)
	forged = []byte(strings.ReplaceAll(string(forged), "£", "£9"))
	one := filepath.Join(t.TempDir(), "forged.json")
	require.NoError(t, os.WriteFile(one, forged, 0o644))
	r := ledger(t, nil, "verify-pack", one, "--key", pub)
	assert.Equal(t, 1, r.code, "stdout: %s\nstderr: %s", r.stdout, r.stderr)
	assert.Contains(t, r.stdout, "forged.json does not verify: it is labelled ledger-review-pack-v2, but carries /checkpoint, a member that format never had")

	delete(p, "checkpoint")
	shapeJSON, err := os.ReadFile(filepath.Join("..", "..", "reviewpack", "formats", "ledger-review-pack-v2.json"))
	require.NoError(t, err)
	var shape map[string]any
	require.NoError(t, json.Unmarshal(shapeJSON, &shape))
	pruneTo(p, shape)
	forged, err = json.Marshal(p)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(one, forged, 0o644))
	r = ledger(t, nil, "verify-pack", one, "--key", pub)
	require.Equal(t, 0, r.code, "stdout: %s\nstderr: %s", r.stdout, r.stderr)
	first, _, _ := strings.Cut(r.stdout, "\n")
	assert.Equal(t, "events, proofs and signature valid; report NOT checked: review pack for gy-nn (format ledger-review-pack-v2, an earlier format): only its events are proven; its report, renderings, as-of date and cover are not, and anyone who held the pack could have rewritten them without this check noticing (do not rely on its text; rebuild the pack from the ledger to read checked facts)", first)
	assert.NotContains(t, r.stdout, "valid: review pack")
	assert.NotContains(t, r.stdout, "2099-10-01", "the as-of a relabelled pack states is not echoed as a fact")
}

// pruneTo deletes from the JSON value v every member that shape (a reviewpack.Shape decoded as
// JSON) does not allow, at every depth.
func pruneTo(v any, shape map[string]any) {
	switch shape["kind"] {
	case "object":
		m, _ := v.(map[string]any)
		members, _ := shape["members"].(map[string]any)
		for k, sub := range m {
			if s, ok := members[k].(map[string]any); ok {
				pruneTo(sub, s)
			} else {
				delete(m, k)
			}
		}
	case "list":
		l, _ := v.([]any)
		for _, e := range l {
			pruneTo(e, shape["items"].(map[string]any))
		}
	case "map":
		m, _ := v.(map[string]any)
		for _, e := range m {
			pruneTo(e, shape["items"].(map[string]any))
		}
	}
}

// TestPackQueryFlagsOnce (issue 21): --since "" is refused (it built a pack without the section), as
// are --since " 3" and a --since, --as-of or --known-at given twice (the last was chosen silently):
// each is exit 2 naming the flag.
func TestPackQueryFlagsOnce(t *testing.T) {
	store := seeded(t)
	base := []string{"pack", "--store", store, "--partnership", gnn, "-o", filepath.Join(t.TempDir(), "p")}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--as-of", "2016-10-01", "--since", ""}, `pack: --since: since "": want the known-at of the last report`},
		{[]string{"--as-of", "2016-10-01", "--since", " 3"}, `pack: --since: since " 3": want the known-at of the last report, without spaces`},
		{[]string{"--as-of", "2016-10-01", "--since", "5", "--since", "6"}, `flag -since: given more than once`},
		{[]string{"--as-of", "2016-10-01", "--as-of", "2016-06-15"}, `flag -as-of: given more than once`},
		{[]string{"--as-of", "2016-10-01", "--known-at", "all", "--known-at", "3"}, `flag -known-at: given more than once`},
	} {
		assertBadInput(t, append(slices.Clone(base), tt.args...), tt.want)
	}
}

// TestRecordRefusesFutureSource (issue 21): `ledger record` refuses a source published after the
// day the event is recorded (now): exit 2 naming the source's published date, nothing written.
func TestRecordRefusesFutureSource(t *testing.T) {
	store := seeded(t)
	assertBadInput(t, []string{"record", "--store", store, "--partnership", gnn, "--type", "SavingsReported", "--effective", "2016-05-01",
		"--data", `{"council":"north-norfolk","financial_year":2015,"category":"shared management","status":"forecast","period_to":"2016-03-31","amount_pence":100}`,
		"--source", `{"kind":"press","title":"Future","published":"2099-01-01"}`, "--certainty", "reported"},
		"2099-01-01 is after the day the event is recorded")
}
