package audit_test

import (
	"context"
	"encoding/json"
	"errors"
	"iter"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/eventstore/memstore"
)

// limitedStore is a memstore with a maximum append size, as KurrentDB has: it counts data and
// sources, refuses a larger append as KurrentDB does, and records the size of every append.
type limitedStore struct {
	*memstore.Store
	limit   int
	appends []int // events per append
}

func (s *limitedStore) MaxAppendBytes() int                { return s.limit }
func (s *limitedStore) AppendBytes(e eventstore.Event) int { return len(e.Data) + len(e.Sources) }
func (s *limitedStore) total(events []eventstore.Event) (n int) {
	for _, e := range events {
		n += s.AppendBytes(e)
	}
	return n
}

func (s *limitedStore) Append(ctx context.Context, stream string, x eventstore.Expected, events ...eventstore.Event) ([]eventstore.Event, error) {
	if n := s.total(events); n > s.limit {
		return nil, &eventstore.AppendTooLargeError{Stream: stream, Events: len(events), Bytes: n, Limit: s.limit}
	}
	s.appends = append(s.appends, len(events))
	return s.Store.Append(ctx, stream, x, events...)
}

// bigEvents returns n sealed events of one stream, each with a payload of kib KiB.
func bigEvents(n, kib int) []eventstore.Event {
	events := sealedEvents(n, 1)
	var prev eventstore.Hash
	for i := range events {
		events[i].Data = json.RawMessage(`{"x":"` + strings.Repeat("a", kib<<10) + `"}`)
		events[i] = eventstore.Seal(events[i], prev)
		prev = events[i].Hash
	}
	return events
}

func storeSource(s eventstore.Store) func() iter.Seq2[eventstore.Event, error] {
	return func() iter.Seq2[eventstore.Event, error] {
		return s.ReadAll(context.Background(), 0, eventstore.Forward, 0)
	}
}

// Six 200 KiB events of one stream go into a store that takes 1 MiB per append in two appends, and
// the copy is the source; the progress callback sees every phase in order and ends at the total.
func TestCopySplitsAppendsByTheTargetsLimit(t *testing.T) {
	ctx := context.Background()
	src := withEvents(bigEvents(6, 200))
	dst := &limitedStore{Store: newMemStore(), limit: 1 << 20}
	var phases []audit.CopyPhase
	last := map[audit.CopyPhase]uint64{}
	rep, err := audit.Copy(ctx, dst, storeSource(src), audit.CopyOptions{Progress: func(p audit.CopyPhase, done, total uint64) {
		if len(phases) == 0 || phases[len(phases)-1] != p {
			phases = append(phases, p)
		}
		last[p] = done
		assert.True(t, total == 0 || done <= total, "%s: %d of %d", p, done, total)
	}})
	require.NoError(t, err)
	assert.Equal(t, []int{5, 1}, dst.appends, "five 200 KiB events fit in 1 MiB, the sixth goes alone")
	assert.Equal(t, uint64(6), rep.Copied)
	assert.Equal(t, 2, rep.Appends)
	assert.Equal(t, []audit.CopyPhase{audit.PhaseCheck, audit.PhaseCopy, audit.PhaseVerify}, phases)
	for _, p := range phases {
		assert.Equal(t, uint64(6), last[p], p)
	}
	assert.Equal(t, readAll(t, src), readAll(t, dst.Store))
	assert.Equal(t, uint64(6), rep.Head.Seq)
}

// An event larger than the target's maximum append size is refused, naming it, before anything is
// written.
func TestCopyRefusesAnEventTooLargeForTheTarget(t *testing.T) {
	ctx := context.Background()
	events := bigEvents(3, 200)
	src := withEvents(events)
	dst := &limitedStore{Store: newMemStore(), limit: 150 << 10}
	_, err := audit.Copy(ctx, dst, storeSource(src), audit.CopyOptions{})
	require.ErrorIs(t, err, eventstore.ErrTooLarge)
	var tl *audit.EventTooLargeError
	require.ErrorAs(t, err, &tl)
	assert.Equal(t, uint64(1), tl.Seq)
	assert.Equal(t, events[0].ID, tl.ID)
	assert.Equal(t, 150<<10, tl.Limit)
	assert.Contains(t, err.Error(), "event seq 1 (id "+events[0].ID.String())
	assert.Empty(t, dst.appends)
	assert.Empty(t, readAll(t, dst.Store), "nothing is written")
}

// A target that holds the source's first events is completed; a second copy writes nothing; a target
// holding other events is refused with nothing written.
func TestCopyResumesAndIsIdempotent(t *testing.T) {
	ctx := context.Background()
	events := sealedEvents(50, 4)
	src := withEvents(events)

	part := withEvents(events[:17])
	rep, err := audit.Copy(ctx, part, storeSource(src), audit.CopyOptions{})
	require.NoError(t, err)
	assert.Equal(t, uint64(17), rep.Resumed)
	assert.Equal(t, uint64(33), rep.Copied)
	assert.Equal(t, readAll(t, src), readAll(t, part))

	rep, err = audit.Copy(ctx, part, storeSource(src), audit.CopyOptions{})
	require.NoError(t, err)
	assert.Equal(t, uint64(50), rep.Resumed)
	assert.Zero(t, rep.Copied)
	assert.Zero(t, rep.Appends)

	other := sealedEvents(3, 1)
	other[0].RecordedBy = "someone else"
	other[0] = eventstore.Seal(other[0], eventstore.ZeroHash)
	foreign := withEvents(other[:1])
	_, err = audit.Copy(ctx, foreign, storeSource(src), audit.CopyOptions{})
	var ne *audit.NotEmptyError
	require.ErrorAs(t, err, &ne)
	assert.ErrorIs(t, err, audit.ErrStoreNotEmpty)
	assert.Equal(t, uint64(1), ne.Seq)
	assert.Len(t, readAll(t, foreign), 1, "nothing is written")

	longer := withEvents(events)
	_, err = audit.Copy(ctx, longer, storeSource(withEvents(events[:10])), audit.CopyOptions{})
	require.ErrorAs(t, err, &ne)
	assert.Zero(t, ne.Seq)
	assert.Contains(t, err.Error(), "more than the 10 of the source")
}

// A source that does not verify is refused before anything is written.
func TestCopyRefusesASourceThatDoesNotVerify(t *testing.T) {
	ctx := context.Background()
	events := sealedEvents(8, 2)
	events[5].RecordedBy = "mallory"
	dst := newMemStore()
	_, err := audit.Copy(ctx, dst, storeSource(withEvents(events)), audit.CopyOptions{})
	var bad *audit.BadEvent
	require.ErrorAs(t, err, &bad)
	assert.Equal(t, uint64(6), bad.Seq)
	assert.ErrorIs(t, err, audit.ErrTampered)
	assert.Empty(t, readAll(t, dst))
}

// batchingStore is a memstore that takes batches (eventstore.BatchAppender), one Append each, and
// records how many appends each batch carried.
type batchingStore struct {
	*memstore.Store
	batches []int
	failSeq uint64 // the append of the event with this seq fails (0: none)
}

var errDiskFull = errors.New("disk full")

func (s *batchingStore) AppendBatch(ctx context.Context, appends []eventstore.StreamAppend) ([][]eventstore.Event, error) {
	s.batches = append(s.batches, len(appends))
	var out [][]eventstore.Event
	for _, a := range appends {
		if a.Events[0].Seq == s.failSeq {
			return out, errDiskFull
		}
		evs, err := s.Store.Append(ctx, a.Stream, a.Expected, a.Events...)
		if err != nil {
			return out, err
		}
		out = append(out, evs)
	}
	return out, nil
}

// Into a store that takes batches, the runs of a ledger of interleaved streams (one event each here)
// go in a few batches, not one append at a time, and the copy is the source.
func TestCopyBatchesRunsIntoAStoreThatTakesBatches(t *testing.T) {
	ctx := context.Background()
	events := sealedEvents(5000, 7)
	src := withEvents(events)
	dst := &batchingStore{Store: newMemStore()}
	rep, err := audit.Copy(ctx, dst, storeSource(src), audit.CopyOptions{})
	require.NoError(t, err)
	assert.Equal(t, uint64(5000), rep.Copied)
	assert.Equal(t, 5000, rep.Appends, "one append per run: the streams interleave")
	assert.Equal(t, []int{4096, 904}, dst.batches)
	assert.Equal(t, readAll(t, src), readAll(t, dst.Store))

	// A batch that fails part-way: the copy stops naming the failing event's seq, with what the
	// target stored before it checked and counted; running the copy again completes it.
	bad := &batchingStore{Store: newMemStore(), failSeq: 4500}
	rep, err = audit.Copy(ctx, bad, storeSource(src), audit.CopyOptions{})
	require.ErrorIs(t, err, errDiskFull)
	assert.Contains(t, err.Error(), "copy seq 4500 ")
	assert.Equal(t, uint64(4499), rep.Copied)
	assert.Len(t, readAll(t, bad.Store), 4499)
	bad.failSeq = 0
	rep, err = audit.Copy(ctx, bad, storeSource(src), audit.CopyOptions{})
	require.NoError(t, err)
	assert.Equal(t, uint64(4499), rep.Resumed)
	assert.Equal(t, readAll(t, src), readAll(t, bad.Store))
}
