package memstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/eventstore/memstore"
	"github.com/partnership-ledger/ledger/eventstore/storetest"
)

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) eventstore.Store { return memstore.New(memstore.Options{}) })
}

// FromEvents keeps events exactly as given, even ones whose hashes no longer verify, and appends
// after them.
func TestFromEventsKeepsWhatItIsGiven(t *testing.T) {
	ctx := context.Background()
	src := memstore.New(memstore.Options{})
	sealed, err := src.Append(ctx, "s", eventstore.Any, storetest.Event("T", `{"n":1}`), storetest.Event("T", `{"n":2}`))
	require.NoError(t, err)
	tampered := append([]eventstore.Event(nil), sealed...)
	tampered[1].Data = []byte(`{"n":3}`)

	s := memstore.FromEvents(tampered, memstore.Options{Now: func() time.Time { return time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC) }})
	got := storetest.Collect(t, s.ReadAll(ctx, 0, eventstore.Forward, 0))
	assert.Equal(t, tampered, got)
	var v eventstore.ChainVerifier
	require.NoError(t, v.Add(got[0]))
	assert.Error(t, v.Add(got[1]), "the edited event no longer verifies")

	next, err := s.Append(ctx, "s", eventstore.Exact(1), storetest.Event("T", `{"n":4}`))
	require.NoError(t, err)
	assert.Equal(t, uint64(3), next[0].Seq)
	assert.Equal(t, uint64(2), next[0].Revision)
	assert.Equal(t, 0, s.ReadStreamCalls())
	storetest.Collect(t, s.ReadStream(ctx, "s", eventstore.Start, eventstore.Forward, 0))
	assert.Equal(t, 1, s.ReadStreamCalls())
}

func TestCheckpointContract(t *testing.T) {
	storetest.RunCheckpoints(t, func(t *testing.T) eventstore.Store { return memstore.New(memstore.Options{}) }, nil)
}
