package main

import (
	"bufio"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/eventstore"
)

// TestRecordGateCLI: `ledger record --data` refuses what the gate refuses and what breaks a limit,
// in one line naming the JSON pointer, exit 2, and appends nothing (issue 16).
func TestRecordGateCLI(t *testing.T) {
	store := seeded(t)
	before := headSeq(t, store)
	base := []string{"record", "--store", store, "--partnership", gnn, "--source", pressSource, "--certainty", "reported", "--type", "SavingsReported"}
	const rest = `"council":"north-norfolk","financial_year":2015,"status":"forecast","period_to":"2016-03-31"`
	tests := []struct {
		name, effective, data, want string
	}{
		{"repeated amount was stored as the last", "2016-03-01", `{` + rest + `,"category":"x","amount_pence":100,"amount_pence":999}`, `record: --data (/data/amount_pence): repeated member name "amount_pence"`},
		{"repeated amount spelled with an escape", "2016-03-01", `{` + rest + `,"category":"x","amount_pence":100,"\u0061mount_pence":999}`, `--data (/data/amount_pence): repeated member name`},
		{"lone surrogate", "2016-03-01", `{` + rest + `,"category":"x\ud800y","amount_pence":1}`, "record: --data (/data/category): lone surrogate"},
		{"NUL", "2016-03-01", `{` + rest + `,"category":"x\u0000y","amount_pence":1}`, "U+0000"},
		{"right-to-left override", "2016-03-01", `{` + rest + `,"category":"x` + "\u202e" + `y","amount_pence":1}`, "U+202E"},
		{"100 KB category", "2016-03-01", `{` + rest + `,"category":"` + strings.Repeat("c", 100_000) + `","amount_pence":1}`, "record: --data (/data/category): is 100000 characters long; the limit for names, titles and categories is 200"},
		{"2^53 pence", "2016-03-01", `{` + rest + `,"category":"x","amount_pence":9007199254740992}`, "record: --data (/data/amount_pence): 9007199254740992 pence"},
		{"effective 9999-12-31", "9999-12-31", `{` + rest + `,"category":"x","amount_pence":1}`, "record: --effective (/effective_on): 9999-12-31 is outside the dates the ledger accepts (1900-01-01 to 2199-12-31)"},
		{"effective 0001-01-01", "0001-01-01", `{` + rest + `,"category":"x","amount_pence":1}`, "record: --effective (/effective_on): 0001-01-01 is outside the dates"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ledger(t, nil, append(base, "--effective", tt.effective, "--data", tt.data)...)
			assert.Equal(t, 2, r.code, "stdout %q stderr %q", r.stdout, r.stderr)
			assert.Contains(t, r.stderr, tt.want)
			assert.Len(t, strings.Split(strings.TrimSpace(r.stderr), "\n"), 1, "one line: %q", r.stderr)
			assert.Equal(t, before, headSeq(t, store), "nothing appended")
		})
	}
	r := ledger(t, nil, "record", "--store", store, "--partnership", gnn, "--type", "SavingsReported", "--effective", "2016-03-01",
		"--data", savingsOK, "--certainty", "reported", "--source", "press:EDP \u202etxt.exe")
	assert.Equal(t, 2, r.code, r.stderr)
	assert.Contains(t, r.stderr, "U+202E")

	// The tester: the shorthand trimmed a trailing C1 control (NEL, which Go counts as a space) and
	// stored "EDP". The source is refused as given, on one line, and nothing is appended.
	for name, src := range map[string]string{
		"trailing NEL":       "press:EDP\xc2\x85",
		"leading NEL":        "\xc2\x85press:EDP",
		"NEL before a JSON":  "\xc2\x85" + `{"kind":"press","title":"EDP"}`,
		"NEL around the url": "minutes:Council|\xc2\x85https://example.org/m.pdf",
		"invalid UTF-8":      "press:EDP\xff",
		"ESC":                "press:ED\x1bP",
	} {
		t.Run(name, func(t *testing.T) {
			r := ledger(t, nil, "record", "--store", store, "--partnership", gnn, "--type", "SavingsReported", "--effective", "2016-03-01",
				"--data", savingsOK, "--certainty", "reported", "--source", src)
			assert.Equal(t, 2, r.code, "stdout %q stderr %q", r.stdout, r.stderr)
			assert.Contains(t, r.stderr, "record: --source #1 (/sources/0")
			assert.Len(t, strings.Split(strings.TrimSpace(r.stderr), "\n"), 1, "one line: %q", r.stderr)
			assert.Equal(t, before, headSeq(t, store), "nothing appended")
		})
	}
}

// TestRefusedRecordWritesNothing: a command refused by a rule or by the gate leaves no store file and
// no key; an accepted one makes both.
func TestRefusedRecordWritesNothing(t *testing.T) {
	dir := t.TempDir()
	store := "bolt:" + filepath.Join(dir, "ledgr.db")
	for _, data := range []string{savingsOK, `{"amount_pence":100,"amount_pence":999}`} {
		r := ledger(t, nil, "record", "--store", store, "--partnership", gnn, "--type", "SavingsReported",
			"--effective", "2016-03-01", "--data", data, "--source", pressSource, "--certainty", "reported")
		assert.Equal(t, 2, r.code, r.stderr)
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		assert.Empty(t, entries, "a refused command leaves no store file and no key")
	}
	r := ledger(t, nil, "record", "--store", store, "--partnership", "gy-nn", "--type", "PartnershipProposed", "--effective", "2015-10-01",
		"--data", `{"name":"GY and NN","purpose":"share senior managers","partners":[{"council":"great-yarmouth","name":"Great Yarmouth Borough Council","kind":"borough"},{"council":"north-norfolk","name":"North Norfolk District Council","kind":"district"}]}`,
		"--source", "minutes:Full Council 15 October 2015")
	require.Equal(t, 0, r.code, r.stderr)
	assert.FileExists(t, filepath.Join(dir, "ledgr.db"))
	assert.FileExists(t, filepath.Join(dir, "ledgr.key"), "the key is made with the ledger's first event")
	assert.Contains(t, r.stderr, "created a new tree-signing key")
}

// TestRefusedTokenWritesNothing: a token for an actor name the ledger refuses creates no store and no key.
func TestRefusedTokenWritesNothing(t *testing.T) {
	dir := t.TempDir()
	for _, actor := range []string{strings.Repeat("a", 201), "Clerk \u202egnp.exe", "   ", "Clerk\u0085", "\u0085Clerk"} {
		r := ledger(t, nil, "token", "issue", "--store", "bolt:"+filepath.Join(dir, "ledger.db"), "--role", "recorder", "--actor", actor)
		assert.Equal(t, 2, r.code, r.stderr)
		assert.Contains(t, r.stderr, "actor")
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		assert.Empty(t, entries)
	}
}

// TestDemoOnABusyPort: `ledger demo` on a port in use appends nothing (no token event, no seed),
// creates no store, and says to choose another address with --addr.
func TestDemoOnABusyPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	dir := t.TempDir()
	r := ledger(t, nil, "demo", "--store", "bolt:"+filepath.Join(dir, "ledger.db"), "--addr", ln.Addr().String())
	assert.Equal(t, 2, r.code, r.stderr)
	assert.Contains(t, r.stderr, "--addr")
	assert.Contains(t, r.stderr, "address already in use")
	assert.Len(t, strings.Split(strings.TrimSpace(r.stderr), "\n"), 1, "one line: %q", r.stderr)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries)

	// On an existing ledger, no token event is appended either.
	store := seeded(t)
	before := headSeq(t, store)
	r = ledger(t, nil, "demo", "--store", store, "--addr", ln.Addr().String())
	assert.Equal(t, 2, r.code, r.stderr)
	assert.Equal(t, before, headSeq(t, store))
}

// TestImportAndVerifyReportGateFailuresAsDamage: an export whose event data repeats a member name
// (re-sealed, so every hash verifies) is damage: verify --file exits 1 naming the event, and import
// refuses it, writing nothing.
func TestImportAndVerifyReportGateFailuresAsDamage(t *testing.T) {
	store := seeded(t)
	export := filepath.Join(t.TempDir(), "ledger.jsonl")
	r := ledger(t, nil, "export", "--store", store, "-o", export)
	require.Equal(t, 0, r.code, r.stderr)

	f, err := os.Open(export)
	require.NoError(t, err)
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	require.NoError(t, sc.Err())
	f.Close()
	// The last partnership event: nothing later chains on it in its stream.
	last := -1
	var ev eventstore.Event
	for i, l := range lines {
		var e eventstore.Event
		if json.Unmarshal([]byte(l), &e) == nil && strings.HasPrefix(e.Stream, "partnership-") {
			last, ev = i, e
		}
	}
	require.GreaterOrEqual(t, last, 0)
	first, _, ok := strings.Cut(strings.TrimPrefix(string(ev.Data), `{"`), `"`)
	require.True(t, ok, "data %s", ev.Data)
	ev.Data = json.RawMessage(`{"` + first + `":null,` + strings.TrimPrefix(string(ev.Data), "{"))
	ev = eventstore.Seal(ev, ev.PrevHash)
	b, err := json.Marshal(ev)
	require.NoError(t, err)
	require.Contains(t, string(b), `"`+first+`":null,"`+first+`":`, "the repeated name survives encoding")
	lines[last] = string(b)
	require.NoError(t, os.WriteFile(export, []byte(strings.Join(lines, "\n")+"\n"), 0o600))

	v := ledger(t, nil, "verify", "--file", export)
	assert.Equal(t, 1, v.code, "stdout %q stderr %q", v.stdout, v.stderr)
	assert.Contains(t, v.stdout+v.stderr, ev.ID.String())
	assert.Contains(t, v.stdout+v.stderr, "repeated member name")

	fresh := tempStore(t)
	im := ledger(t, nil, "import", "--store", fresh, export)
	assert.Equal(t, 1, im.code, "stdout %q stderr %q", im.stdout, im.stderr)
	assert.Contains(t, im.stdout+im.stderr, "repeated member name")
	assert.NoFileExists(t, strings.TrimPrefix(fresh, "bolt:"), "a refused import creates no store")
	assert.NoFileExists(t, keyBeside(fresh), "and no key")
}
