package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/fault"
	"github.com/partnership-ledger/ledger/fault/faulttest"
)

// TestErrorsForPeopleOnTheCommandLine: each kind of bad input a read or write command meets is one
// line on stderr, exit 2, written for people: the flag or JSON pointer at fault and what is wrong,
// never "projections: " or a Go type name.
func TestErrorsForPeopleOnTheCommandLine(t *testing.T) {
	store := seeded(t)
	record := []string{"record", "--store", store, "--partnership", gnn, "--type", "SavingsReported", "--effective", "2016-03-01",
		"--source", pressSource, "--certainty", "reported", "--data"}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"as_of not a date", []string{"state", "--store", store, "--partnership", gnn, "--as-of", "2016-13-01"}, `state: --as-of: "2016-13-01" is not a valid date (YYYY-MM-DD): month out of range`},
		{"known_at unreadable", []string{"state", "--store", store, "--partnership", gnn, "--known-at", "yesterday"}, `state: --known-at: "yesterday": want a seq number`},
		{"unknown partnership", []string{"state", "--store", store, "--partnership", "no-such-partnership"}, `no partnership "no-such-partnership" is recorded`},
		{"nothing recorded by known_at", []string{"state", "--store", store, "--partnership", gnn, "--known-at", "1"}, `partnership "great-yarmouth-north-norfolk": nothing recorded for it by known_at 1`},
		{"history known_at", []string{"history", "--store", store, "--partnership", gnn, "--known-at", "2016-02-30"}, `history: --known-at: "2016-02-30": not a valid date (YYYY-MM-DD): day out of range`},
		{"replay until", []string{"replay", "--store", store, "--partnership", gnn, "--until", "soon"}, `replay: --until: "soon": want a seq number`},
		{"pack as_of", []string{"pack", "--store", store, "--partnership", gnn, "--as-of", "2016-02-30", "-o", t.TempDir()}, `pack: --as-of: "2016-02-30" is not a valid date`},
		{"pack unknown partnership", []string{"pack", "--store", store, "--partnership", "no-such-partnership", "--as-of", "2016-06-01", "-o", t.TempDir()}, `no partnership "no-such-partnership"`},
		{"unknown data member", append(record, strings.Replace(savingsOK, `"status"`, `"colour":"red","status"`, 1)), `record: --data (/data/colour): unknown field "colour"`},
		{"data member of the wrong JSON type", append(record, strings.Replace(savingsOK, `"shared management"`, `["shared management"]`, 1)), "record: --data (/data/category): must be a string, not a JSON array"},
		// Was "--key: audit: bad key: public key is 6 bytes, want 32".
		{"a pinned key that is not one", []string{"check-proof", filepath.Join(t.TempDir(), "proof.json"), "--key", "nonsense"}, "check-proof: --key: public key is 6 bytes, want 32"},
		{"a tree size out of range", []string{"tree-head", "--store", store, "--size", "99999"}, "tree-head: --size: size 99999 is out of range"},
		{"a rule", append(record, strings.Replace(savingsOK, "north-norfolk", "breckland", 1)), "record: --data (/data/council): council breckland is not an active partner"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assertBadInput(t, tt.args, tt.want) })
	}
}

// TestFilesNamedOnTheCommandLineAreDescribedForPeople: a file of the wrong shape, a member of the
// wrong JSON type, an export line that does not read and a file that is not JSON are each one line
// naming the file (and line) and what is wrong, exit 2, for every command that reads a file. Was
// "json: cannot unmarshal array into Go value of type struct { TreeHead *audit.TreeHead ... }",
// "... of type uuid.UUID", "export line 1: json: cannot unmarshal string into Go struct field
// Event.seq of type uint64" (and verify --file exited 1 where import exited 2), "invalid character
// 'i' looking for beginning of value".
func TestFilesNamedOnTheCommandLineAreDescribedForPeople(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
		return p
	}
	array, proof := write("b.json", "[1,2]\n"), write("p.json", `{"event":{"id":5}}`)
	// A list member of the wrong type is named with its index, a file cut short by where it stops
	// (was "/proof: must be a string", "not valid JSON: it ends before the value does").
	listed, cut := write("l.json", `{"event":{},"audit_path":["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",7]}`), write("c.json", "{\"event\":\n {\"id\":")
	notJSON, badLine := write("n.jsonl", "in\n"), write("e.jsonl", `{"seq":"x"}`+"\n")
	key := "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
	target := "bolt:" + filepath.Join(dir, "i.db")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"check-consistency, an array", []string{"check-consistency", array, "--key", key}, "check-consistency: " + array + " cannot be read: must be an object, not a JSON array"},
		{"verify --tree-head, an array", []string{"verify", "--tree-head", array, "--key", key}, "verify: " + array + " cannot be read: must be an object, not a JSON array"},
		{"check-proof, a number for an id", []string{"check-proof", proof, "--key", key}, "check-proof: " + proof + " cannot be read: /event/id: must be a string, not a JSON number"},
		{"check-proof, a number in a list", []string{"check-proof", listed, "--key", key}, "check-proof: " + listed + " cannot be read: /audit_path/1: must be a string, not a JSON number"},
		{"check-proof, a file cut short", []string{"check-proof", cut, "--key", key}, "check-proof: " + cut + " cannot be read: not complete JSON: it ends at byte 17 (line 2, column 8) before the value does"},
		{"check-consistency, neither JSON nor a checkpoint", []string{"check-consistency", notJSON, "--key", key}, notJSON + " is neither a tree head (JSON) nor a checkpoint: not a signed checkpoint"},
		{"import, a member of the wrong type", []string{"import", "--store", target, badLine}, "export line 1: /seq: must be a whole number, not a JSON string"},
		{"verify --file, a member of the wrong type", []string{"verify", "--file", badLine}, "verify: " + badLine + ": export line 1: /seq: must be a whole number, not a JSON string"},
		{"import, not JSON", []string{"import", "--store", target, notJSON}, "export line 1: not valid JSON at byte 1"},
		{"verify --file, not JSON", []string{"verify", "--file", notJSON}, "verify: " + notJSON + ": export line 1: not valid JSON at byte 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assertBadInput(t, tt.args, tt.want) })
	}
}

// assertBadInput runs the ledger with args and asserts bad input: exit 2, one line on stderr holding
// want, written for people (faulttest.AssertForPeople).
func assertBadInput(t *testing.T, args []string, want string) {
	t.Helper()
	r := ledger(t, nil, args...)
	assert.Equal(t, 2, r.code, "stdout %q stderr %q", r.stdout, r.stderr)
	assert.Contains(t, r.stderr, want)
	assert.Len(t, strings.Split(strings.TrimSpace(r.stderr), "\n"), 1, "one line: %q", r.stderr)
	faulttest.AssertForPeople(t, strings.TrimPrefix(strings.TrimSpace(r.stderr), "ledger: "))
}

// TestRecordNamesTheFlagsTyped: 'ledger record' names the flag at fault, not the command's JSON
// pointer, in one format, "ledger: record: --flag: message". Was "ledger: /effective_on: …",
// "ledger: record: --data: at /amount_pence (byte 95): …", "--source #1: invalid command:
// /sources/0/title: …", "unexpected end of JSON input".
func TestRecordNamesTheFlagsTyped(t *testing.T) {
	store := seeded(t)
	flags := map[string]string{"--partnership": gnn, "--type": "SavingsReported", "--effective": "2016-03-01",
		"--data": savingsOK, "--certainty": "reported", "--source": pressSource}
	with := func(flag, value string) []string {
		args := []string{"record", "--store", store}
		for f, v := range flags {
			if f == flag {
				v = value
			}
			if v != "" {
				args = append(args, f, v)
			}
		}
		return args
	}
	for _, tt := range []struct{ flag, value, want string }{
		{"--effective", "2015-02-30", "record: --effective (/effective_on): 2015-02-30 is not a valid date"},
		{"--certainty", "sure", `record: --certainty (/certainty): "sure" is not a certainty`},
		{"--type", "Nope", `record: --type (/type): "Nope" is not an event type`},
		{"--source", "", "record: --source (/sources): needs at least one source"},
		{"--source", "press:", "record: --source #1 (/sources/0/title): is required"},
		{"--partnership", "No Pe", `record: --partnership (/partnership): "No Pe" is not a partnership slug`},
		{"--data", strings.Replace(savingsOK, "north-norfolk", "breckland", 1), "record: --data (/data/council): council breckland is not an active partner"},
		{"--data", strings.Replace(savingsOK, `"shared management"`, `"a","category":"b"`, 1), `record: --data (/data/category): repeated member name "category"`},
		{"--data", "{", "record: --data (/data): not valid JSON: it ends before the value does"},
	} {
		t.Run(tt.flag+" "+tt.value, func(t *testing.T) { assertBadInput(t, with(tt.flag, tt.value), "ledger: "+tt.want) })
	}
	// A target that is not an event id was "invalid UUID length: 4"; a second --source is #2.
	assertBadInput(t, []string{"record", "--store", store, "--partnership", gnn, "--type", "EventRetracted", "--effective", "2016-03-01",
		"--data", `{"target":"abcd","reason":"entered_in_error"}`, "--source", "minutes:Cabinet"}, "ledger: record: --data (/data/target): is not an event id (a UUID such as")
	assertBadInput(t, append(with("", ""), "--source", "press:"), "ledger: record: --source #2 (/sources/1/title): is required")
}

// TestRecordNamesFlagAndPointer (issue 21): an error about a field of the event 'ledger record'
// builds names the flag typed and the JSON pointer the HTTP API names for the same field, for
// every flag that fills the event, with the second --source counted from 1 and its pointer from 0
// (was "--source #2: assumed 1: …"); a flag that fills one member given twice is refused (the last
// was recorded silently). Each is one line, exit 2, nothing written.
func TestRecordNamesFlagAndPointer(t *testing.T) {
	store := seeded(t)
	before := headSeq(t, store)
	base := []string{"record", "--store", store, "--partnership", gnn, "--type", "SavingsReported", "--effective", "2016-03-01",
		"--data", savingsOK, "--certainty", "reported", "--source", pressSource}
	for _, tt := range []struct {
		name  string
		extra []string
		want  string
	}{
		{"an assumed detail of the second source", []string{"--source", `{"kind":"press","title":"EDP","assumed":["title","colour"]}`},
			`ledger: record: --source #2 (/sources/1/assumed/1): "colour" is not a detail of a source that can be assumed`},
		{"a second source that is not one", []string{"--source", "nope"}, `ledger: record: --source #2 (/sources/1): "nope" is not a source`},
		{"a third source's date", []string{"--source", "press:x", "--source", `{"kind":"press","title":"EDP","published":"2016-02-30"}`},
			"ledger: record: --source #3 (/sources/2/published): 2016-02-30 is not a valid date"},
		{"a source's member of the wrong type", []string{"--source", `{"kind":"press","title":1}`}, "ledger: record: --source #2 (/sources/1/title): must be a string, not a JSON number"},
		{"--type twice", []string{"--type", "SavingsReported"}, "flag -type: given more than once"},
		{"--effective twice", []string{"--effective", "2016-03-02"}, "flag -effective: given more than once"},
		{"--data twice", []string{"--data", savingsOK}, "flag -data: given more than once"},
		{"--certainty twice", []string{"--certainty", "reported"}, "flag -certainty: given more than once"},
		{"--partnership twice", []string{"--partnership", gnn}, "flag -partnership: given more than once"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assertBadInput(t, append(slices.Clone(base), tt.extra...), tt.want)
			assert.Equal(t, before, headSeq(t, store), "nothing appended")
		})
	}
	for _, tt := range []struct{ flag, value, want string }{
		{"--effective", "2016-13-01", "ledger: record: --effective (/effective_on): 2016-13-01 is not a valid date"},
		{"--certainty", "sure", `ledger: record: --certainty (/certainty): "sure" is not a certainty`},
		{"--type", "Nope", `ledger: record: --type (/type): "Nope" is not an event type`},
		{"--partnership", "No Pe", `ledger: record: --partnership (/partnership): "No Pe" is not a partnership slug`},
		{"--data", strings.Replace(savingsOK, "500000", "-1e400", 1), "ledger: record: --data (/data/amount_pence): "},
	} {
		t.Run(tt.flag, func(t *testing.T) {
			args := slices.Clone(base)
			args[slices.Index(args, tt.flag)+1] = tt.value
			assertBadInput(t, args, tt.want)
			assert.Equal(t, before, headSeq(t, store), "nothing appended")
		})
	}
}

// FuzzRecordSourceFlag: whatever a second --source holds, 'ledger record' refuses it or reads it
// without a panic, and a refusal about one of its fields is one line naming the flag and the JSON
// pointer under /sources/1.
func FuzzRecordSourceFlag(f *testing.F) {
	for _, s := range []string{"press:EDP", "nope", "press:", `{"kind":"press","title":"EDP","assumed":["colour"]}`,
		`{"kind":"press","title":1}`, `{"kind":"press","title":"x","published":"2016-02-30"}`, "{", `{"kind":"press","title":"x","assumed":["title","title"]}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, err := domain.ParseSource(s)
		if err == nil {
			return
		}
		msg := recordError(err, "", 1).Error()
		if strings.ContainsAny(msg, "\n\r") {
			t.Fatalf("more than one line: %q", msg)
		}
		if f := fault.Of(err); f != nil && len(f.Fields) > 0 && !strings.HasPrefix(msg, "record: --source #2 (/sources/1") {
			t.Fatalf("the flag and pointer not named: %q", msg)
		}
	})
}
