package main

import (
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bbolt "go.etcd.io/bbolt"

	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/fault/faulttest"
)

const gnn = "great-yarmouth-north-norfolk"

// seeded returns the --store of a fresh ledger holding the Norfolk demo.
func seeded(t *testing.T) string {
	t.Helper()
	store := tempStore(t)
	r := ledger(t, nil, "seed", "--store", store)
	require.Equal(t, 0, r.code, r.stderr)
	return store
}

func headSeq(t *testing.T, store string) uint64 {
	t.Helper()
	r := ledger(t, nil, "verify", "--json", "--store", store)
	require.Equal(t, 0, r.code, r.stderr)
	var rep audit.Report
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &rep))
	return rep.Events
}

func TestSeedTwiceThenVerify(t *testing.T) {
	store := seeded(t)
	again := ledger(t, nil, "seed", "--store", store)
	require.Equal(t, 0, again.code)
	assert.Contains(t, again.stdout, "nothing changed")
	v := ledger(t, nil, "verify", "--store", store)
	assert.Equal(t, 0, v.code, v.stderr)
	assert.Contains(t, v.stdout, "intact")
}

const savingsOK = `{"council":"north-norfolk","financial_year":2015,"category":"shared management","amount_pence":500000,"status":"forecast","period_to":"2016-03-31"}`
const pressSource = `{"kind":"press","title":"Eastern Daily Press, 2 March 2016"}`

func TestRecordAppendsOneEvent(t *testing.T) {
	store := seeded(t)
	before := headSeq(t, store)
	r := ledger(t, map[string]string{"USER": "clerk"}, "record", "--store", store, "--partnership", gnn, "--type", "SavingsReported",
		"--effective", "2016-03-01", "--data", savingsOK, "--source", pressSource, "--certainty", "reported", "--json")
	require.Equal(t, 0, r.code, r.stderr)
	var stored []eventstore.Event
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &stored))
	require.Len(t, stored, 1)
	assert.Equal(t, before+1, stored[0].Seq)
	assert.Equal(t, "cli:clerk", stored[0].RecordedBy)
	assert.Equal(t, before+1, headSeq(t, store))

	// With $USER unset the event was stored as recorded by "cli:", naming no one.
	r = ledger(t, nil, "record", "--store", store, "--partnership", gnn, "--type", "SavingsReported",
		"--effective", "2016-03-02", "--data", savingsOK, "--source", pressSource, "--certainty", "reported", "--json")
	require.Equal(t, 0, r.code, r.stderr)
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &stored))
	assert.Equal(t, "cli:unknown", stored[0].RecordedBy)
}

func TestRecordRefusesBadInput(t *testing.T) {
	store := seeded(t)
	before := headSeq(t, store)
	base := []string{"record", "--store", store, "--partnership", gnn, "--source", pressSource, "--certainty", "reported"}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown type", []string{"--type", "FrobnicationDone", "--effective", "2016-03-01", "--data", `{}`}, "FrobnicationDone"},
		{"council not a partner", []string{"--type", "SavingsReported", "--effective", "2016-03-01",
			"--data", strings.Replace(savingsOK, "north-norfolk", "breckland", 1)}, "breckland"},
		{"shares summing to 9,999", []string{"--type", "CostShareAgreed", "--effective", "2016-03-01", "--data",
			`{"subject":"head-of-hr","basis":"ratio","shares":[{"council":"great-yarmouth","basis_points":4999},{"council":"north-norfolk","basis_points":5000}],"applies_from":"2016-03-01"}`}, "--data (/data/shares): shares sum to 9999"},
		{"impossible date", []string{"--type", "SavingsReported", "--effective", "2015-02-30", "--data", savingsOK}, "2015-02-30"},
		{"negative amount", []string{"--type", "OneOffCostIncurred", "--effective", "2016-03-01", "--data",
			`{"council":"north-norfolk","financial_year":2015,"category":"implementation","amount_pence":-100}`}, "amount_pence"},
		{"malformed JSON", []string{"--type", "SavingsReported", "--effective", "2016-03-01", "--data", `{"council":`}, "record: --data (/data/council): not valid JSON: it ends before the value does"},
		{"missing flag", []string{"--type", "SavingsReported", "--data", savingsOK}, "--effective is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ledger(t, nil, append(base, tt.args...)...)
			assert.Equal(t, 2, r.code, "stdout %q stderr %q", r.stdout, r.stderr)
			assert.Contains(t, r.stderr, tt.want)
			assert.Len(t, strings.Split(strings.TrimSpace(r.stderr), "\n"), 1, "one line: %q", r.stderr)
			assert.Equal(t, before, headSeq(t, store), "nothing appended")
		})
	}
}

// flipByte changes one byte inside the stored payload of event seq in a bolt file.
func flipByte(t *testing.T, path string, seq uint64) {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, nil)
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte("events"))
		k := binary.BigEndian.AppendUint64(nil, seq)
		v := append([]byte(nil), b.Get(k)...)
		i := strings.LastIndex(string(v), `"`) - 1 // inside the last JSON string of the payload
		require.Positive(t, i)
		v[i] ^= 0x01
		return b.Put(k, v)
	}))
}

func TestVerifyNamesTheTamperedEvent(t *testing.T) {
	store := seeded(t)
	r := ledger(t, nil, "history", "--store", store, "--partnership", gnn, "--json")
	require.Equal(t, 0, r.code, r.stderr)
	var hist []eventstore.Event
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &hist))
	victim := hist[5]
	flipByte(t, strings.TrimPrefix(store, "bolt:"), victim.Seq)

	v := ledger(t, nil, "verify", "--store", store)
	assert.Equal(t, 1, v.code)
	assert.Contains(t, v.stdout, "TAMPERED")
	assert.Contains(t, v.stdout, victim.ID.String())
	vj := ledger(t, nil, "verify", "--json", "--store", store)
	assert.Equal(t, 1, vj.code)
	var rep audit.Report
	require.NoError(t, json.Unmarshal([]byte(vj.stdout), &rep))
	require.NotNil(t, rep.FirstBad)
	assert.Equal(t, victim.Seq, rep.FirstBad.Seq)
	assert.Equal(t, victim.ID, rep.FirstBad.ID)
	assert.Equal(t, "hash", rep.FirstBad.Field)
}

func TestProofChecksOfflineAgainstThePinnedKey(t *testing.T) {
	store := seeded(t)
	dir := t.TempDir()
	key := ledger(t, nil, "key", "--json", "--store", store)
	require.Equal(t, 0, key.code, key.stderr)
	var k struct {
		PublicKey string `json:"public_key"`
	}
	require.NoError(t, json.Unmarshal([]byte(key.stdout), &k))

	r := ledger(t, nil, "history", "--store", store, "--partnership", gnn, "--json")
	var hist []eventstore.Event
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &hist))
	bundle := filepath.Join(dir, "proof.json")
	p := ledger(t, nil, "prove", "--store", store, "--event", hist[3].ID.String(), "-o", bundle)
	require.Equal(t, 0, p.code, p.stderr)

	ok := ledger(t, nil, "check-proof", bundle, "--key", k.PublicKey)
	assert.Equal(t, 0, ok.code, ok.stdout+ok.stderr)
	assert.Contains(t, ok.stdout, "valid")

	// A tampered bundle is refused.
	b, err := os.ReadFile(bundle)
	require.NoError(t, err)
	tampered := strings.Replace(string(b), "Sheila Oxtoby", "Sheila 0xtoby", 1)
	if tampered == string(b) {
		tampered = strings.Replace(string(b), `"effective_on": "`+hist[3].EffectiveOn, `"effective_on": "2014-01-01`, 1)
	}
	require.NotEqual(t, string(b), tampered)
	bad := filepath.Join(dir, "tampered.json")
	require.NoError(t, os.WriteFile(bad, []byte(tampered), 0o644))
	refused := ledger(t, nil, "check-proof", bad, "--key", k.PublicKey)
	assert.Equal(t, 1, refused.code)
	assert.Contains(t, refused.stdout, "REFUSED")

	// Another ledger's key is refused.
	other := ledger(t, nil, "key", "--json", "--store", seeded(t))
	var ok2 struct {
		PublicKey string `json:"public_key"`
	}
	require.NoError(t, json.Unmarshal([]byte(other.stdout), &ok2))
	wrong := ledger(t, nil, "check-proof", bundle, "--key", ok2.PublicKey)
	assert.Equal(t, 1, wrong.code)
	// Was "REFUSED: check proof: audit: tree head was signed by another key: ...".
	assert.Contains(t, wrong.stdout+wrong.stderr, "signed by another key")
	faulttest.AssertForPeople(t, strings.TrimSpace(wrong.stdout+wrong.stderr))
	// The same for a kept tree head: was "(audit: tree head was signed by another key ...)".
	head := filepath.Join(dir, "head.json")
	require.Equal(t, 0, ledger(t, nil, "tree-head", "--store", store, "-o", head).code)
	wrongHead := ledger(t, nil, "verify", "--store", store, "--tree-head", head, "--key", ok2.PublicKey)
	assert.NotEqual(t, 0, wrongHead.code)
	assert.Contains(t, wrongHead.stdout+wrongHead.stderr, "signed by another key")
	faulttest.AssertForPeople(t, strings.TrimSpace(wrongHead.stdout+wrongHead.stderr))

	// Usage mistakes are exit 2.
	assert.Equal(t, 2, ledger(t, nil, "check-proof", bundle).code)
	assert.Equal(t, 2, ledger(t, nil, "prove", "--store", store, "--event", "not-a-uuid").code)
}

func TestOldTreeHeadIsConsistentAfterMoreEvents(t *testing.T) {
	store := seeded(t)
	th := filepath.Join(t.TempDir(), "head.json")
	r := ledger(t, nil, "tree-head", "--store", store, "-o", th)
	require.Equal(t, 0, r.code, r.stderr)
	// It says what it wrote, as prove and consistency-proof do (it printed nothing).
	assert.Contains(t, r.stderr, "wrote the signed tree head of size ")
	assert.Contains(t, r.stderr, " to "+th)
	assert.Empty(t, r.stdout)
	rec := ledger(t, nil, "record", "--store", store, "--partnership", gnn, "--type", "SavingsReported",
		"--effective", "2016-03-01", "--data", savingsOK, "--source", pressSource, "--certainty", "reported")
	require.Equal(t, 0, rec.code, rec.stderr)
	c := ledger(t, nil, "check-consistency", th, "--store", store, "--key", publicKey(t, "--store", store))
	assert.Equal(t, 0, c.code, c.stdout+c.stderr)
	assert.Contains(t, c.stdout, "consistent")
}

func TestExportImportVerify(t *testing.T) {
	store := seeded(t)
	file := filepath.Join(t.TempDir(), "export.jsonl")
	r := ledger(t, nil, "export", "--store", store, "-o", file)
	require.Equal(t, 0, r.code, r.stderr)
	v := ledger(t, nil, "verify", "--file", file, "--json")
	require.Equal(t, 0, v.code, v.stderr)
	target := tempStore(t)
	imp := ledger(t, nil, "import", file, "--store", target)
	require.Equal(t, 0, imp.code, imp.stderr)
	a := ledger(t, nil, "verify", "--json", "--store", store)
	b := ledger(t, nil, "verify", "--json", "--store", target)
	assert.JSONEq(t, a.stdout, b.stdout, "same events, same root")
	again := ledger(t, nil, "import", file, "--store", target)
	assert.Equal(t, 0, again.code, again.stderr)
	assert.Contains(t, again.stdout, "nothing was written", "a second import of the same file changes nothing and says so")
	other := tempStore(t)
	require.Equal(t, 0, ledger(t, nil, "gen", "--partnerships", "1", "--events", "5", "--store", other).code)
	refused := ledger(t, nil, "import", file, "--store", other)
	assert.Equal(t, 2, refused.code)
	assert.Contains(t, refused.stderr, "not empty")
	assert.Equal(t, uint64(5), headSeq(t, other), "nothing was written")
}

func TestHistoryKnownAt(t *testing.T) {
	store := seeded(t)
	all := ledger(t, nil, "history", "--store", store, "--partnership", gnn, "--json")
	june := ledger(t, nil, "history", "--store", store, "--partnership", gnn, "--json", "--known-at", "2016-06-01")
	require.Equal(t, 0, june.code, june.stderr)
	var a, j []eventstore.Event
	require.NoError(t, json.Unmarshal([]byte(all.stdout), &a))
	require.NoError(t, json.Unmarshal([]byte(june.stdout), &j))
	assert.Less(t, len(j), len(a))
	for _, e := range j {
		assert.False(t, e.RecordedAt.After(mustLondonEndOfDay(t, "2016-06-01")), "%s recorded %s", e.Type, e.RecordedAt)
	}
	bad := ledger(t, nil, "history", "--store", store, "--partnership", gnn, "--known-at", "2016-02-30")
	assert.Equal(t, 2, bad.code)
	assert.Contains(t, bad.stderr, "2016-02-30")
	missing := ledger(t, nil, "history", "--store", store, "--partnership", "no-such-partnership")
	assert.Equal(t, 2, missing.code)
}

func mustLondonEndOfDay(t *testing.T, day string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation("Europe/London")
	require.NoError(t, err)
	d, err := time.ParseInLocation(time.DateOnly, day, loc)
	require.NoError(t, err)
	return d.AddDate(0, 0, 1).Add(-time.Nanosecond)
}

func TestGenSmallLedgerThenVerify(t *testing.T) {
	store := tempStore(t)
	r := ledger(t, nil, "gen", "--partnerships", "3", "--events", "300", "--store", store)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "generated 300 events in 3 partnerships")
	assert.Equal(t, uint64(300), headSeq(t, store))
	st := ledger(t, nil, "state", "--partnership", "ref-partnership-001", "--json", "--store", store)
	require.Equal(t, 0, st.code, st.stderr)
	assert.Contains(t, st.stdout, "Chief executive of ref-partnership-001")
	again := ledger(t, nil, "gen", "--partnerships", "3", "--events", "300", "--store", store)
	assert.Equal(t, 2, again.code)
	assert.Contains(t, again.stderr, "not empty")
	assert.Equal(t, 2, ledger(t, nil, "gen", "--partnerships", "0", "--store", tempStore(t)).code)
}

// Commands that only read refuse a bolt file that does not exist, and leave nothing behind: a mistyped
// path must not verify as an intact, empty ledger.
func TestReadCommandsNeedAnExistingLedger(t *testing.T) {
	dir := t.TempDir()
	missing := "bolt:" + filepath.Join(dir, "typo.db")
	for _, args := range [][]string{
		{"verify", "--store", missing},
		{"state", "--store", missing, "--partnership", "great-yarmouth-north-norfolk"},
		{"history", "--store", missing, "--partnership", "great-yarmouth-north-norfolk"},
		{"tree-head", "--store", missing},
		{"export", "--store", missing},
		{"migrate", "--from", missing, "--to", "bolt:" + filepath.Join(dir, "new.db")},
	} {
		t.Run(args[0], func(t *testing.T) {
			r := ledger(t, nil, args...)
			assert.Equal(t, 2, r.code, r.stderr)
			assert.Contains(t, r.stderr, "no ledger at")
			assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line: %q", r.stderr)
			entries, err := os.ReadDir(dir)
			require.NoError(t, err)
			assert.Empty(t, entries, "nothing created")
		})
	}
}

func TestMigrateSaysWhereTheKeyGoes(t *testing.T) {
	from := seeded(t)
	to := "bolt:" + filepath.Join(t.TempDir(), "copy.db")
	r := ledger(t, nil, "migrate", "--from", from, "--to", to)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "copy "+keyBeside(from)+" to "+keyBeside(to))
}

// A KurrentDB connection string the client cannot parse is a mistake to correct (exit 2), not a
// server to wait for.
func TestBadConnectionStringIsAUsageError(t *testing.T) {
	r := ledger(t, nil, "state", "--store", "esdb://", "--partnership", "great-yarmouth-north-norfolk")
	assert.Equal(t, 2, r.code, r.stderr)
	assert.Contains(t, r.stderr, "bad connection string")
	assert.NotContains(t, r.stderr, "is KurrentDB running")
}
