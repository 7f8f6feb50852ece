package bolt_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/eventstore/bolt"
	"github.com/partnership-ledger/ledger/eventstore/storetest"
)

func openTemp(t *testing.T) *bolt.Store {
	t.Helper()
	s, err := bolt.Open(filepath.Join(t.TempDir(), "ledger.db"), bolt.Options{})
	require.NoError(t, err)
	return s
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) eventstore.Store { return openTemp(t) })
}

// TestContractFlushingOften runs the contract with the index tail flushed every few events, so reads
// meet every mix of persisted and in-memory index entries.
func TestContractFlushingOften(t *testing.T) {
	storetest.Run(t, func(t *testing.T) eventstore.Store {
		var opts bolt.Options
		bolt.SetFlushAt(&opts, 3)
		s, err := bolt.Open(filepath.Join(t.TempDir(), "ledger.db"), opts)
		require.NoError(t, err)
		return s
	})
}

// TestReopenAcrossFlushes appends past several flushes, reopening in between, and reads every stream
// and id back.
func TestReopenAcrossFlushes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ledger.db")
	var opts bolt.Options
	bolt.SetFlushAt(&opts, 50)
	ctx := context.Background()
	want := map[string][]eventstore.Event{}
	for round := range 4 {
		s, err := bolt.Open(path, opts)
		require.NoError(t, err)
		for i := range 137 {
			stream := fmt.Sprintf("s%d", i%5)
			got, err := s.Append(ctx, stream, eventstore.Any, storetest.Event("T", fmt.Sprintf(`{"r":%d,"i":%d}`, round, i)))
			require.NoError(t, err)
			want[stream] = append(want[stream], got...)
		}
		for stream, evs := range want {
			assert.Equal(t, evs, storetest.Collect(t, s.ReadStream(ctx, stream, eventstore.Start, eventstore.Forward, 0)), "round %d %s", round, stream)
			e, err := s.EventByID(ctx, evs[len(evs)/2].ID)
			require.NoError(t, err)
			assert.Equal(t, evs[len(evs)/2], e)
		}
		require.NoError(t, s.Close())
	}
	s, err := bolt.Open(path, bolt.Options{})
	require.NoError(t, err)
	defer s.Close()
	for stream, evs := range want {
		back := storetest.Collect(t, s.ReadStream(ctx, stream, eventstore.AfterRevision(uint64(len(evs)-1)), eventstore.Backward, 0))
		require.Len(t, back, len(evs)-1)
		assert.Equal(t, evs[len(evs)-2], back[0])
	}
}

func TestCheckpointContract(t *testing.T) {
	paths := map[eventstore.Store]string{}
	open := func(t *testing.T, path string) eventstore.Store {
		s, err := bolt.Open(path, bolt.Options{})
		require.NoError(t, err)
		paths[s] = path
		return s
	}
	storetest.RunCheckpoints(t, func(t *testing.T) eventstore.Store { return open(t, filepath.Join(t.TempDir(), "ledger.db")) },
		func(t *testing.T, s eventstore.Store) eventstore.Store {
			require.NoError(t, s.Close())
			return open(t, paths[s])
		})
}

// TestCheckpointsBesideEvents: a file holding events and checkpoints reopens (read-only too) with its
// log unchanged and its checkpoints readable; a read-only store refuses a put.
func TestCheckpointsBesideEvents(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ledger.db")
	s, err := bolt.Open(path, bolt.Options{})
	require.NoError(t, err)
	evs, err := s.Append(ctx, "s", eventstore.NoStream, storetest.Event("T", `{"n":1}`), storetest.Event("T", `{"n":2}`))
	require.NoError(t, err)
	cp := storetest.TestCheckpoint(2, 2)
	require.NoError(t, s.PutCheckpoint(ctx, cp))
	more, err := s.Append(ctx, "s", eventstore.Exact(1), storetest.Event("T", `{"n":3}`))
	require.NoError(t, err)
	require.NoError(t, s.Close())

	for _, opts := range []bolt.Options{{}, {ReadOnly: true}} {
		s, err := bolt.Open(path, opts)
		require.NoError(t, err, "read-only %v", opts.ReadOnly)
		assert.Equal(t, append(evs, more...), storetest.Collect(t, s.ReadAll(ctx, 0, eventstore.Forward, 0)))
		got, err := s.LatestCheckpoint(ctx)
		require.NoError(t, err)
		assert.Equal(t, cp.Note, got.Note)
		storetest.Check(t, s)
		if opts.ReadOnly {
			assert.ErrorIs(t, s.PutCheckpoint(ctx, storetest.TestCheckpoint(3, 3)), bolt.ErrReadOnly)
		}
		require.NoError(t, s.Close())
	}
}
