package demo_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/demo"
	"github.com/partnership-ledger/ledger/domain/recording"
	"github.com/partnership-ledger/ledger/eventstore/bolt"
)

// TestSeedBolt seeds a real bbolt store, reopens it and seeds again: nothing is appended the
// second time, and the stored events keep the demo's recorded_at, not the store's clock.
func TestSeedBolt(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ledger.db")
	// The store reads its clock on every commit, but the demo's own recorded_at must win.
	noClock := func() time.Time { return time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) }

	store, err := bolt.Open(path, bolt.Options{Now: noClock})
	require.NoError(t, err)
	added, err := demo.SeedStore(ctx, store)
	require.NoError(t, err)
	assert.Equal(t, len(demo.Commands()), added)
	head, err := store.Head(ctx)
	require.NoError(t, err)
	require.NoError(t, store.Close())

	store, err = bolt.Open(path, bolt.Options{Now: noClock})
	require.NoError(t, err)
	defer store.Close()
	again, err := demo.SeedStore(ctx, store)
	require.NoError(t, err)
	assert.Zero(t, again)
	after, err := store.Head(ctx)
	require.NoError(t, err)
	assert.Equal(t, head.Seq, after.Seq)
	assert.Equal(t, head.Hash, after.Hash)

	hist, err := recording.New(store, noClock).History(ctx, demo.GreatYarmouthNorthNorfolk)
	require.NoError(t, err)
	var prev time.Time
	for _, r := range hist {
		assert.False(t, r.RecordedAt.Before(prev))
		prev = r.RecordedAt
	}
	london := domain.London()
	assert.Equal(t, time.Date(2016, 10, 1, 10, 4, 0, 0, london), hist[len(hist)-1].RecordedAt.In(london))

	holders := 0
	for _, e := range domain.EffectiveView(hist) {
		if p, ok := e.Payload.(domain.StatutoryRoleDesignated); ok && p.Officer.Name == "Sheila Oxtoby" &&
			!e.EffectiveOn.After(domain.MustDate("2015-11-07")) {
			holders++
		}
	}
	assert.Equal(t, 2, holders)
}
