package bolt_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/eventstore/bolt"
	"github.com/partnership-ledger/ledger/eventstore/storetest"
)

// AppendBatch puts many appends to interleaved streams in consecutive places of the log, in order,
// in far fewer commits than appends; after a reopen the log is the same and verifies.
func TestAppendBatchCommitsTogetherInOrder(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ledger.db")
	var opts bolt.Options
	var commits atomic.Int64
	bolt.SetAfterSync(&opts, func(int) { commits.Add(1) })
	s, err := bolt.Open(path, opts)
	require.NoError(t, err)

	const n = 300
	var batch []eventstore.StreamAppend
	for i := range n {
		stream := fmt.Sprintf("s-%d", i%7)
		x := eventstore.NoStream
		if i >= 7 {
			x = eventstore.Exact(uint64(i/7 - 1))
		}
		batch = append(batch, eventstore.StreamAppend{Stream: stream, Expected: x,
			Events: []eventstore.Event{storetest.Event("T", fmt.Sprintf(`{"i":%d}`, i))}})
	}
	out, err := s.AppendBatch(ctx, batch)
	require.NoError(t, err)
	require.Len(t, out, n)
	for i, evs := range out {
		require.Len(t, evs, 1)
		assert.Equal(t, uint64(i+1), evs[0].Seq, "append %d takes the next place in the log", i)
		assert.Equal(t, batch[i].Stream, evs[0].Stream)
		assert.Equal(t, uint64(i/7), evs[0].Revision)
	}
	assert.Less(t, commits.Load(), int64(n/10), "the appends share commits")

	require.NoError(t, s.Close())
	s, err = bolt.Open(path, bolt.Options{})
	require.NoError(t, err)
	defer s.Close()
	var v eventstore.ChainVerifier
	for e, err := range s.ReadAll(ctx, 0, eventstore.Forward, 0) {
		require.NoError(t, err)
		require.NoError(t, v.Add(e))
		assert.Equal(t, out[e.Seq-1][0].Hash, e.Hash)
	}
	assert.Equal(t, uint64(n), v.Count())
}

// Once an append of a batch is refused, the ones after it are not applied: the caller gets the
// stored events of those before it and the refusal.
func TestAppendBatchStopsAtTheFirstRefusal(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	defer s.Close()
	ev := func(i int) []eventstore.Event {
		return []eventstore.Event{storetest.Event("T", fmt.Sprintf(`{"i":%d}`, i))}
	}
	out, err := s.AppendBatch(ctx, []eventstore.StreamAppend{
		{Stream: "a", Expected: eventstore.NoStream, Events: ev(1)},
		{Stream: "b", Expected: eventstore.NoStream, Events: ev(2)},
		{Stream: "a", Expected: eventstore.NoStream, Events: ev(3)}, // a exists: refused
		{Stream: "c", Expected: eventstore.NoStream, Events: ev(4)},
	})
	require.ErrorIs(t, err, eventstore.ErrConflict)
	require.Len(t, out, 2)
	head, err := s.Head(ctx)
	require.NoError(t, err)
	assert.Equal(t, uint64(2), head.Seq, "nothing after the refused append was applied")
	assert.Empty(t, storetest.Collect(t, s.ReadStream(ctx, "c", eventstore.Start, eventstore.Forward, 0)))

	// The store goes on as usual.
	next, err := s.Append(ctx, "c", eventstore.NoStream, ev(5)...)
	require.NoError(t, err)
	assert.Equal(t, uint64(3), next[0].Seq)
}
