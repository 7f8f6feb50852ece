package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/eventstore/bolt"
	"github.com/partnership-ledger/ledger/eventstore/kurrentdb"
	"github.com/partnership-ledger/ledger/eventstore/kurrentdb/kurrenttest"
	"github.com/partnership-ledger/ledger/projections"
)

// readAll returns every event of a store.
func readAll(t *testing.T, s eventstore.Store) []eventstore.Event {
	t.Helper()
	var out []eventstore.Event
	for e, err := range s.ReadAll(context.Background(), 0, eventstore.Forward, 0) {
		require.NoError(t, err)
		out = append(out, e)
	}
	return out
}

// views renders every projection of a store as JSON: the partnership list and each partnership's
// state and timeline, as of a fixed date and as known now.
func views(t *testing.T, s eventstore.Store) map[string]string {
	t.Helper()
	m, err := projections.Load(context.Background(), s, projections.Options{})
	require.NoError(t, err)
	q, err := projections.ParseQuery("2019-06-30", "")
	require.NoError(t, err)
	out := map[string]string{}
	add := func(name string, v any, err error) {
		require.NoError(t, err, name)
		b, err := json.Marshal(v)
		require.NoError(t, err)
		out[name] = string(b)
	}
	l, err := m.List(q)
	add("list", l, err)
	for _, slug := range m.Slugs() {
		st, err := m.State(slug, q)
		add("state/"+slug, st, err)
		tl, err := m.Timeline(slug, q)
		add("timeline/"+slug, tl, err)
	}
	return out
}

func openBolt(t *testing.T, spec string) *bolt.Store {
	t.Helper()
	s, err := bolt.Open(strings.TrimPrefix(spec, "bolt:"), bolt.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

// The Norfolk demo goes bbolt → KurrentDB (the in-process test server, through the real client) →
// bbolt and comes back with the same ids, hashes, seq, revisions, recorded_at and order, and the same
// projections; a non-empty target is refused.
func TestMigrateDemoThroughKurrentDBAndBack(t *testing.T) {
	from := seeded(t)
	esdbURL := kurrenttest.Start(t).URL()
	back := tempStore(t)

	r := ledger(t, nil, "migrate", "--from", from, "--to", esdbURL)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "the target verifies")
	r = ledger(t, nil, "migrate", "--from", esdbURL, "--to", back)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "the target verifies")

	r = ledger(t, nil, "migrate", "--from", from, "--to", back)
	assert.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "nothing was written", "the target holds the same ledger")
	other := tempStore(t)
	require.Equal(t, 0, ledger(t, nil, "gen", "--partnerships", "1", "--events", "5", "--store", other).code)
	r = ledger(t, nil, "migrate", "--from", from, "--to", other)
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "not empty")

	keyFile := filepath.Join(t.TempDir(), "ledger.key")
	for _, store := range []string{esdbURL, back} {
		v := ledger(t, nil, "verify", "--store", store, "--key-file", keyFile)
		assert.Equal(t, 0, v.code, v.stderr)
		assert.Contains(t, v.stdout, "intact")
	}

	original, returned := openBolt(t, from), openBolt(t, back)
	kdb, err := kurrentdb.Open(context.Background(), esdbURL, kurrentdb.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { kdb.Close() })

	want := readAll(t, original)
	require.Greater(t, len(want), 20, "the demo ledger")
	t.Logf("migrated the demo: %d events", len(want))
	assert.Equal(t, want, readAll(t, returned), "bbolt → KurrentDB → bbolt keeps every field")
	sameLedger(t, want, readAll(t, kdb))

	wantViews := views(t, original)
	assert.Greater(t, len(wantViews), 1, "the demo has partnerships")
	assert.Equal(t, wantViews, views(t, kdb), "projections folded from KurrentDB")
	assert.Equal(t, wantViews, views(t, returned), "projections after the round trip")
}

func TestMigrateRefusesBadInvocations(t *testing.T) {
	store := tempStore(t)
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"no target", []string{"migrate", "--from", store}, "--to is required"},
		{"same store", []string{"migrate", "--from", store, "--to", store}, "the same store"},
		{"stray argument", []string{"migrate", "--to", store, "extra"}, "unexpected argument"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := ledger(t, nil, tt.args...)
			assert.Equal(t, 2, r.code)
			assert.Contains(t, r.stderr, tt.want)
		})
	}
}
