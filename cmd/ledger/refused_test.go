package main

import (
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/eventstore/kurrentdb/kurrenttest"
	"github.com/partnership-ledger/ledger/eventstore/storetest"
)

// TestRefusedCommandsWriteNothing runs every command that opens a store or makes a key with an input
// it refuses (bad input, nothing found, a rule, a busy port) against a store in an empty directory:
// the directory stays empty (no store file, no key) and the refusal is one line on stderr (issue 16,
// point 6).
func TestRefusedCommandsWriteNothing(t *testing.T) {
	inputs := t.TempDir() // files the commands read live apart from the store's directory
	garbage := filepath.Join(inputs, "g.jsonl")
	require.NoError(t, os.WriteFile(garbage, []byte("garbage\n"), 0o600))
	notAnEvent := filepath.Join(inputs, "e.jsonl")
	require.NoError(t, os.WriteFile(notAnEvent, []byte("{}\n"), 0o600))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	busy := ln.Addr().String()
	const id = "01a22a35-d927-7276-8378-2b9896d50cc6"

	tests := []struct {
		name string
		args []string // after the command's --store
		code int
	}{
		{"record refused by a rule (no such partnership)", []string{"record", "--partnership", gnn, "--type", "SavingsReported",
			"--effective", "2016-03-01", "--data", savingsOK, "--source", pressSource, "--certainty", "reported"}, 2},
		{"record with a repeated member name", []string{"record", "--partnership", gnn, "--type", "SavingsReported",
			"--effective", "2016-03-01", "--data", `{"amount_pence":100,"amount_pence":999}`, "--source", pressSource}, 2},
		{"record without --partnership", []string{"record", "--type", "SavingsReported"}, 2},
		{"import of garbage", []string{"import", garbage}, 2},
		{"import of a line that is no event", []string{"import", notAnEvent}, 2},
		{"import of a missing file", []string{"import", filepath.Join(inputs, "none.jsonl")}, 2},
		{"token revoke of a token never issued", []string{"token", "revoke", id}, 2},
		{"token revoke of a bad id", []string{"token", "revoke", "nope"}, 2},
		{"token issue with a bad role", []string{"token", "issue", "--role", "king", "--actor", "bob"}, 2},
		{"token issue with a refused actor", []string{"token", "issue", "--role", "reader", "--actor", "Clerk \u202egnp.exe"}, 2},
		{"token issue with a stray argument", []string{"token", "issue", "--role", "reader", "--actor", "bob", "extra"}, 2},
		{"token without a subcommand", []string{"token", "list"}, 2},
		{"seed with a stray argument", []string{"seed", "extra"}, 2},
		{"gen with no partnership", []string{"gen", "--partnerships", "0"}, 2},
		{"migrate from a missing store", []string{"migrate", "--to", "bolt:NEW"}, 2},
		{"demo on a busy port", []string{"demo", "--addr", busy}, 2},
		{"serve on a busy port", []string{"serve", "--addr", busy}, 2},
		{"serve with a bad timeout", []string{"serve", "--record-timeout", "0s"}, 2},
		{"key with a stray argument", []string{"key", "extra"}, 2},
		{"tree-head of a missing store", []string{"tree-head"}, 2},
		{"tree-head with a stray argument", []string{"tree-head", "extra"}, 2},
		{"prove in a missing store", []string{"prove", "--event", id}, 2},
		{"export of a missing store", []string{"export"}, 2},
		{"verify of a missing store", []string{"verify"}, 2},
		{"state of a missing store", []string{"state", "--partnership", gnn}, 2},
		{"history of a missing store", []string{"history", "--partnership", gnn}, 2},
		{"pack of a missing store", []string{"pack", "--partnership", gnn, "--as-of", "2020-01-01", "-o", "OUT"}, 2},
		{"replay of a missing store", []string{"replay", "--partnership", gnn}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			args := []string{tt.args[0], "--store", "bolt:" + filepath.Join(dir, "ledger.db")}
			for _, a := range tt.args[1:] {
				a = strings.ReplaceAll(a, "NEW", filepath.Join(dir, "new.db"))
				args = append(args, strings.ReplaceAll(a, "OUT", filepath.Join(dir, "out")))
			}
			r := ledger(t, nil, args...)
			assert.Equal(t, tt.code, r.code, "stdout %q stderr %q", r.stdout, r.stderr)
			assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line: %q", r.stderr)
			assert.True(t, strings.HasPrefix(r.stderr, "ledger: "), "the refusal itself, no warning first: %q", r.stderr)
			entries, err := os.ReadDir(dir)
			require.NoError(t, err)
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			assert.Empty(t, names, "a refused command leaves no store file, no key, no output file")
		})
	}
}

// TestOpenStoreCreatesTheFileOnlyByAnAppend: the store a writing command opens reads as an empty
// ledger until its first Append; an Append the store itself refuses leaves no file and no key behind.
func TestOpenStoreCreatesTheFileOnlyByAnAppend(t *testing.T) {
	dir := t.TempDir()
	var stderr strings.Builder
	a := &app{stdout: &stderr, stderr: &stderr, getenv: func(string) string { return "" }, now: time.Now}
	a.store = "bolt:" + filepath.Join(dir, "ledger.db")
	ctx := context.Background()
	s, err := a.openStore(ctx, a.store)
	require.NoError(t, err)
	head, err := s.Head(ctx)
	require.NoError(t, err)
	assert.Zero(t, head.Seq)
	for range s.ReadAll(ctx, 0, eventstore.Forward, 0) {
		t.Fatal("a store not yet created holds no event")
	}
	_, err = s.Append(ctx, "", eventstore.NoStream, eventstore.Event{ID: uuid.New(), Type: "X"})
	require.ErrorIs(t, err, eventstore.ErrInvalidEvent)
	require.NoError(t, s.Close())
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries, "the refused first append removed the file it created, and made no key")
	assert.Empty(t, stderr.String())
}

// TestDiscardRemovesAStoreTheCommandCreated: an import or migration refused part-way discards the bolt
// file it created, events and all, and the key made with them; a store that existed is left as it was. A ledger that
// does not exist has no token to revoke: "no ledger at", not "not found".
func TestDiscardRemovesAStoreTheCommandCreated(t *testing.T) {
	dir := t.TempDir()
	a := &app{stdout: io.Discard, stderr: io.Discard, getenv: func(string) string { return "" }, now: time.Now}
	a.store = "bolt:" + filepath.Join(dir, "ledger.db")
	ctx := context.Background()
	s, err := a.openStore(ctx, a.store)
	require.NoError(t, err)
	require.EqualError(t, s.mustExist(), "bolt:"+filepath.Join(dir, "ledger.db")+": no ledger at "+filepath.Join(dir, "ledger.db")+
		" (a command that changes a ledger never creates one; check the path, or start a ledger with 'ledger seed' or 'ledger record')")
	_, err = s.Append(ctx, "partnership-abc", eventstore.NoStream, storetest.Event("X", `{}`))
	require.NoError(t, err)
	require.NoError(t, s.mustExist(), "once created, it exists")
	s.Discard()
	require.NoError(t, s.Close())
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries, "no store file, no key")

	existing := seeded(t)
	before := headSeq(t, existing)
	s, err = a.openStore(ctx, existing)
	require.NoError(t, err)
	s.Discard()
	require.NoError(t, s.Close())
	assert.Equal(t, before, headSeq(t, existing), "a store that existed is kept")
}

// TestRefusedCommandsWriteNothingInKurrentDB: against an empty KurrentDB (kurrenttest), a refused
// command appends no event and makes no key at --key-file (a key was made before the refusal).
func TestRefusedCommandsWriteNothingInKurrentDB(t *testing.T) {
	srv := kurrenttest.Start(t)
	inputs := t.TempDir()
	garbage := filepath.Join(inputs, "g.jsonl")
	require.NoError(t, os.WriteFile(garbage, []byte("garbage\n"), 0o600))
	keyDir := t.TempDir()
	for _, args := range [][]string{
		{"token", "revoke", "01a22a35-d927-7276-8378-2b9896d50cc6"},
		{"record", "--partnership", gnn, "--type", "SavingsReported", "--effective", "2016-03-01", "--data", savingsOK,
			"--source", pressSource, "--certainty", "reported"},
		{"import", garbage},
		{"token", "issue", "--role", "king", "--actor", "bob"},
	} {
		t.Run(strings.Join(args[:2], " "), func(t *testing.T) {
			r := ledger(t, nil, append([]string{args[0], "--store", srv.URL(), "--key-file", filepath.Join(keyDir, "ledger.key")}, args[1:]...)...)
			assert.Equal(t, 2, r.code, "stdout %q stderr %q", r.stdout, r.stderr)
			assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line: %q", r.stderr)
			entries, err := os.ReadDir(keyDir)
			require.NoError(t, err)
			assert.Empty(t, entries, "no key")
			a := &app{stdout: io.Discard, stderr: io.Discard, getenv: func(string) string { return "" }, now: time.Now}
			s, err := a.openExistingStore(context.Background(), srv.URL())
			require.NoError(t, err)
			defer s.Close()
			head, err := s.Head(context.Background())
			require.NoError(t, err)
			assert.Zero(t, head.Seq, "no event")
		})
	}
}

// TestRefusedImportWithTheDefaultStore: the tester's case, with no --store (ledger.db in the working
// directory): importing garbage leaves the directory as it was.
func TestRefusedImportWithTheDefaultStore(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	require.NoError(t, os.WriteFile("g.jsonl", []byte("garbage\n"), 0o600))
	r := ledger(t, nil, "import", "g.jsonl")
	assert.Equal(t, 2, r.code, r.stderr)
	assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line: %q", r.stderr)
	assert.Contains(t, r.stderr, "g.jsonl was refused and nothing was written")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1)
	assert.Equal(t, "g.jsonl", entries[0].Name(), "no ledger.db, no ledger.key")
}
