package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/eventstore/kurrentdb"
	"github.com/partnership-ledger/ledger/eventstore/kurrentdb/kurrenttest"
	"github.com/partnership-ledger/ledger/eventstore/memstore"
	"github.com/partnership-ledger/ledger/eventstore/storetest"
)

// exportOf writes an export file of the events appended, in order, to a fresh ledger.
func exportOf(t *testing.T, events ...eventstore.Event) string {
	t.Helper()
	ctx := context.Background()
	src := memstore.New(memstore.Options{})
	for _, e := range events {
		_, err := src.Append(ctx, "partnership-big", eventstore.Any, e)
		require.NoError(t, err)
	}
	path := filepath.Join(t.TempDir(), "big.jsonl")
	f, err := os.Create(path)
	require.NoError(t, err)
	_, err = audit.Export(ctx, src, f)
	require.NoError(t, err)
	require.NoError(t, f.Close())
	return path
}

func exportedEvents(t *testing.T, path string) []eventstore.Event {
	t.Helper()
	var out []eventstore.Event
	for _, line := range strings.Split(strings.TrimSpace(readFile(t, path)), "\n") {
		var e eventstore.Event
		require.NoError(t, json.Unmarshal([]byte(line), &e))
		out = append(out, e)
	}
	return out
}

func kurrentEvents(t *testing.T, url string) []eventstore.Event {
	t.Helper()
	s, err := kurrentdb.Open(context.Background(), url, kurrentdb.Options{})
	require.NoError(t, err)
	defer s.Close()
	return readAll(t, s)
}

// sameLedger checks that got holds want's events: seq, ids, revisions, hashes, recorded_at and content.
func sameLedger(t *testing.T, want, got []eventstore.Event) {
	t.Helper()
	require.Len(t, got, len(want))
	for i, w := range want {
		e := got[i]
		assert.Equal(t, []any{w.Seq, w.ID, w.Stream, w.Revision, w.Hash, w.PrevHash}, []any{e.Seq, e.ID, e.Stream, e.Revision, e.Hash, e.PrevHash})
		assert.True(t, w.RecordedAt.Equal(e.RecordedAt), "seq %d recorded_at", w.Seq)
		assert.True(t, eventstore.SameContent(w, e), "seq %d content", w.Seq)
	}
}

// Six 200 KiB events of one stream are 1.2 MiB, over KurrentDB's maximum append size of 1 MiB: import
// and migrate into the in-process KurrentDB server split their appends to fit and the target is the
// source (issue 20: the import failed with an untranslated "Maximum Append Size"). An import or
// migrate of the same ledger again writes nothing and says so.
func TestImportAndMigrateLargeEventsIntoKurrentDB(t *testing.T) {
	var events []eventstore.Event
	for range 6 {
		events = append(events, storetest.Event("Big", `{"x":"`+strings.Repeat("a", 200<<10)+`"}`))
	}
	file := exportOf(t, events...)
	want := exportedEvents(t, file)
	key := filepath.Join(t.TempDir(), "ledger.key")

	esdbURL := kurrenttest.Start(t).URL()
	r := ledger(t, nil, "import", file, "--store", esdbURL, "--key-file", key)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "imported 6 events in 1 streams; the store verifies")
	sameLedger(t, want, kurrentEvents(t, esdbURL))
	again := ledger(t, nil, "import", file, "--store", esdbURL, "--key-file", key)
	require.Equal(t, 0, again.code, again.stderr)
	assert.Contains(t, again.stdout, "the target held all 6 already: nothing was written")
	sameLedger(t, want, kurrentEvents(t, esdbURL))

	from := tempStore(t)
	r = ledger(t, nil, "import", file, "--store", from)
	require.Equal(t, 0, r.code, r.stderr)
	other := kurrenttest.Start(t).URL()
	r = ledger(t, nil, "migrate", "--from", from, "--to", other, "--key-file", key)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "migrated 6 events in 1 streams")
	sameLedger(t, want, kurrentEvents(t, other))
	sameLedger(t, want, readAll(t, openBolt(t, from)))
}

// chainedExport writes an export file of events as a store would have chained them in one stream,
// without a store's checks: the file a ledger written before a cap, or a forger, could hand over.
func chainedExport(t *testing.T, events ...eventstore.Event) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "chained.jsonl")
	f, err := os.Create(path)
	require.NoError(t, err)
	enc := json.NewEncoder(f)
	enc.SetEscapeHTML(false)
	prev := eventstore.ZeroHash
	at := time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, e := range events {
		e.Stream, e.Revision, e.Seq, e.Schema = "partnership-big", uint64(i), uint64(i+1), 1
		e.RecordedAt = at.Add(time.Duration(i) * time.Second)
		e.PrevHash = prev
		e.Hash = eventstore.ComputeHash(e, prev)
		prev = e.Hash
		require.NoError(t, enc.Encode(e))
	}
	require.NoError(t, f.Close())
	return path
}

// An event over the cap on a whole event (eventstore.MaxEventBytes: data and sources together) is
// refused by import into bbolt and into KurrentDB with one line naming it, exit 2, before anything
// is written (the tester's export of 40 events with 14 MiB of sources each took 178 s and 2.4 GB to
// import, and then a page of the server took 4.3 GB).
func TestImportRefusesAnEventOverTheCap(t *testing.T) {
	small := storetest.Event("Small", `{"x":1}`)
	big := storetest.Event("Big", `{"x":1}`)
	big.Sources = json.RawMessage(`[{"kind":"minutes","title":"` + strings.Repeat("b", eventstore.MaxEventBytes) + `"}]`)
	file := chainedExport(t, small, big)
	bigID := big.ID.String()
	key := filepath.Join(t.TempDir(), "ledger.key")
	esdbURL := kurrenttest.Start(t).URL()
	boltFile := filepath.Join(t.TempDir(), "new.db")

	for _, store := range []string{esdbURL, boltFile} {
		r := ledger(t, nil, "import", file, "--store", store, "--key-file", key)
		assert.Equal(t, 2, r.code, r.stderr)
		assert.Equal(t, 1, strings.Count(r.stderr, "\n"), r.stderr)
		assert.Contains(t, r.stderr, "was refused and nothing was written")
		assert.Contains(t, r.stderr, "event seq 2 (id "+bigID)
		assert.Contains(t, r.stderr, fmt.Sprintf("limit on a whole event of %d bytes", eventstore.MaxEventBytes))
	}
	assert.Empty(t, kurrentEvents(t, esdbURL), "nothing is written")
	assert.NoFileExists(t, boltFile, "nothing is written")
}

// Ctrl-C (the context cancelled) during an import or a migration into a new bolt file: the file goes
// with the failure (writeStore.Discard), so the message says nothing was kept and the same command
// starts again from the beginning, and does so. Before, it said "N events were written (run the same
// command again to resume)" about a file it had just removed.
func TestCancelledCopyIntoANewFileSaysNothingWasKept(t *testing.T) {
	src := tempStore(t)
	require.Equal(t, 0, ledger(t, nil, "gen", "--store", src, "--events", "5000", "--partnerships", "30").code)
	file := filepath.Join(t.TempDir(), "all.jsonl")
	require.Equal(t, 0, ledger(t, nil, "export", "--store", src, "-o", file).code)
	t.Cleanup(func() { copyProgressHook = nil })

	cancelledRun := func(args ...string) result {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		copyProgressHook = func(phase audit.CopyPhase, done, total uint64) {
			if phase == audit.PhaseCopy && done == total { // every event appended, the check of the target to come
				cancel()
			}
		}
		defer func() { copyProgressHook = nil }()
		var out, errOut strings.Builder
		err := run(ctx, args, func(string) string { return "" }, strings.NewReader(""), &out, &errOut)
		return result{stdout: out.String(), stderr: errorLine(err), code: exitCode(err), err: err}
	}
	for name, args := range map[string]func(dst string) []string{
		"import":  func(dst string) []string { return []string{"import", file, "--store", dst} },
		"migrate": func(dst string) []string { return []string{"migrate", "--from", src, "--to", dst} },
	} {
		path := filepath.Join(t.TempDir(), "new.db")
		r := cancelledRun(args("bolt:" + path)...)
		require.ErrorIs(t, r.err, context.Canceled, name)
		assert.Equal(t, 1, r.code, name)
		assert.Contains(t, r.stderr, "nothing was kept (the 5000 events written went with the new file", name)
		assert.Contains(t, r.stderr, "which was removed; the same command starts again from the beginning", name)
		assert.NotContains(t, r.stderr, "resume", name)
		assert.NoFileExists(t, path, "%s: the new file was removed, as the message says", name)

		again := ledger(t, nil, args("bolt:"+path)...)
		require.Equal(t, 0, again.code, "%s: %s", name, again.stderr)
		assert.NotContains(t, again.stdout, "held the first", "%s starts from the beginning", name)
		assert.Contains(t, again.stdout, "5000 events", name)
	}
}

// One rule for the tree-signing key of a copy: import and migrate never create one (a new key would
// sign heads no auditor's pin verifies); each names the source's key file and where to copy it.
// 'ledger key' only reads: it creates no key and no store, even in an empty directory.
func TestCopiesAndReadCommandsCreateNoKey(t *testing.T) {
	src := seeded(t)
	srcKey := keyBeside(src)
	require.FileExists(t, srcKey)
	file := filepath.Join(t.TempDir(), "all.jsonl")
	require.Equal(t, 0, ledger(t, nil, "export", "--store", src, "-o", file).code)

	dir := t.TempDir()
	imported := filepath.Join(dir, "imported.db")
	r := ledger(t, nil, "import", file, "--store", "bolt:"+imported)
	require.Equal(t, 0, r.code, r.stderr)
	assert.NoFileExists(t, keyBeside(imported), "import creates no key")
	assert.NotContains(t, r.stderr, "created a new tree-signing key")
	assert.Contains(t, r.stdout, "copy the source ledger's key file to "+keyBeside(imported))

	migrated := filepath.Join(dir, "migrated.db")
	r = ledger(t, nil, "migrate", "--from", src, "--to", "bolt:"+migrated)
	require.Equal(t, 0, r.code, r.stderr)
	assert.NoFileExists(t, keyBeside(migrated), "migrate creates no key")
	assert.Contains(t, r.stdout, "copy "+srcKey+" to "+keyBeside(migrated))

	esdbURL := kurrenttest.Start(t).URL()
	kdbKey := filepath.Join(dir, "kdb.key")
	r = ledger(t, nil, "migrate", "--from", src, "--to", esdbURL, "--key-file", kdbKey)
	require.Equal(t, 0, r.code, r.stderr)
	assert.NoFileExists(t, kdbKey)
	assert.Contains(t, r.stdout, "copy "+srcKey+" to "+kdbKey, "the absent --key-file is where the source's key goes")

	empty := t.TempDir()
	k := ledger(t, nil, "key", "--store", "bolt:"+filepath.Join(empty, "ledger.db"))
	assert.Equal(t, 2, k.code, k.stderr)
	assert.Equal(t, 1, strings.Count(k.stderr, "\n"), k.stderr)
	entries, err := os.ReadDir(empty)
	require.NoError(t, err)
	assert.Empty(t, entries, "'ledger key' creates nothing")

	// The README's KurrentDB step: the cluster's key is the bolt ledger's key file, copied.
	secrets := filepath.Join(dir, "secrets", "ledger.key")
	require.NoError(t, os.MkdirAll(filepath.Dir(secrets), 0o700))
	b, err := os.ReadFile(srcKey)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(secrets, b, 0o600))
	mine := ledger(t, nil, "key", "--store", src)
	theirs := ledger(t, nil, "key", "--store", esdbURL, "--key-file", secrets)
	require.Equal(t, 0, theirs.code, theirs.stderr)
	assert.Equal(t, mine.stdout, theirs.stdout, "the cluster signs with the ledger's own key")
}
