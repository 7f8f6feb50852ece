package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
		{"unknown data member", append(record, strings.Replace(savingsOK, `"status"`, `"colour":"red","status"`, 1)), `record: --data: /colour: unknown field "colour"`},
		{"data member of the wrong JSON type", append(record, strings.Replace(savingsOK, `"shared management"`, `["shared management"]`, 1)), "record: --data: /category: must be a string, not a JSON array"},
		// Was "--key: audit: bad key: public key is 6 bytes, want 32".
		{"a pinned key that is not one", []string{"check-proof", filepath.Join(t.TempDir(), "proof.json"), "--key", "nonsense"}, "check-proof: --key: public key is 6 bytes, want 32"},
		{"a tree size out of range", []string{"tree-head", "--store", store, "--size", "99999"}, "tree-head: --size: size 99999 is out of range"},
		{"a rule", append(record, strings.Replace(savingsOK, "north-norfolk", "breckland", 1)), "record: --data: /council: council breckland is not an active partner"},
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
		{"--effective", "2015-02-30", "record: --effective: 2015-02-30 is not a valid date"},
		{"--certainty", "sure", `record: --certainty: "sure" is not a certainty`},
		{"--type", "Nope", `record: --type: "Nope" is not an event type`},
		{"--source", "", "record: --source: needs at least one source"},
		{"--source", "press:", "record: --source #1: title: is required"},
		{"--partnership", "No Pe", `record: --partnership: "No Pe" is not a partnership slug`},
		{"--data", strings.Replace(savingsOK, "north-norfolk", "breckland", 1), "record: --data: /council: council breckland is not an active partner"},
		{"--data", strings.Replace(savingsOK, `"shared management"`, `"a","category":"b"`, 1), `record: --data: /category: repeated member name "category"`},
		{"--data", "{", "record: --data: not valid JSON: it ends before the value does"},
	} {
		t.Run(tt.flag+" "+tt.value, func(t *testing.T) { assertBadInput(t, with(tt.flag, tt.value), "ledger: "+tt.want) })
	}
	// A target that is not an event id was "invalid UUID length: 4"; a second --source is #2.
	assertBadInput(t, []string{"record", "--store", store, "--partnership", gnn, "--type", "EventRetracted", "--effective", "2016-03-01",
		"--data", `{"target":"abcd","reason":"entered_in_error"}`, "--source", "minutes:Cabinet"}, "ledger: record: --data: /target: is not an event id (a UUID such as")
	assertBadInput(t, append(with("", ""), "--source", "press:"), "ledger: record: --source #2: title: is required")
}
