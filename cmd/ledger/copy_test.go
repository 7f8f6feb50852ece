package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

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

// An event larger than KurrentDB's maximum append size on its own is refused by import and migrate
// with one line naming it, exit 2, before anything is written.
func TestImportAndMigrateRefuseAnEventTooLargeForKurrentDB(t *testing.T) {
	small := storetest.Event("Small", `{"x":1}`)
	big := storetest.Event("Big", `{"x":1}`)
	big.Sources = json.RawMessage(`[{"kind":"minutes","title":"` + strings.Repeat("b", 1100<<10) + `"}]`)
	file := exportOf(t, small, big)
	bigID := exportedEvents(t, file)[1].ID.String()
	key := filepath.Join(t.TempDir(), "ledger.key")
	esdbURL := kurrenttest.Start(t).URL()

	r := ledger(t, nil, "import", file, "--store", esdbURL, "--key-file", key)
	assert.Equal(t, 2, r.code, r.stderr)
	assert.Equal(t, 1, strings.Count(r.stderr, "\n"), r.stderr)
	assert.Contains(t, r.stderr, "was refused and nothing was written")
	assert.Contains(t, r.stderr, "event seq 2 (id "+bigID)
	assert.Contains(t, r.stderr, "maximum append size of 1048576 bytes")
	assert.Empty(t, kurrentEvents(t, esdbURL), "nothing is written")

	from := tempStore(t)
	require.Equal(t, 0, ledger(t, nil, "import", file, "--store", from).code)
	r = ledger(t, nil, "migrate", "--from", from, "--to", esdbURL, "--key-file", key)
	assert.Equal(t, 2, r.code, r.stderr)
	assert.Equal(t, 1, strings.Count(r.stderr, "\n"), r.stderr)
	assert.Contains(t, r.stderr, "nothing was written")
	assert.Contains(t, r.stderr, "event seq 2 (id "+bigID)
	assert.Empty(t, kurrentEvents(t, esdbURL), "nothing is written")
}
