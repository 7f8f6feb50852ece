package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/eventstore"
)

// Reopener closes s and opens the same backing store again (the same file, the same server), to
// show that what was put survives. nil for a store that keeps nothing (memstore).
type Reopener func(t *testing.T, s eventstore.Store) eventstore.Store

// RunCheckpoints runs the eventstore.CheckpointStore contract against stores made by open, each of
// which must implement it. With reopen, it also checks that checkpoints and cosignatures survive a
// reopen. After each test the store still holds no events (checkpoints are never events) and Check
// holds.
func RunCheckpoints(t *testing.T, open Opener, reopen Reopener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s eventstore.Store) eventstore.Store
	}{
		{"EmptyHasNone", testCheckpointsEmpty},
		{"RoundTripAndOrder", testCheckpointsRoundTrip},
		{"SameAgainIsNothingOtherConflicts", testCheckpointsConflict},
		{"BadShapesStoreNothing", testCheckpointsInvalid},
		{"CosignaturesFirstPerSignerKept", testCosignatures},
		{"CosignatureNeedsItsCheckpoint", testCosignatureUnknown},
		{"ConcurrentPuts", testCheckpointsConcurrent},
		{"ContextCancellation", testCheckpointsCancel},
		{"ReturnedValuesAreCopies", testCheckpointsCopies},
		{"SurviveReopen", func(t *testing.T, s eventstore.Store) eventstore.Store {
			if reopen == nil {
				return s // nothing is kept beyond the process: nothing to show
			}
			return testCheckpointsReopen(t, s, reopen)
		}},
		{"AfterClose", testCheckpointsClosed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t)
			_, ok := s.(eventstore.CheckpointStore)
			require.True(t, ok, "%T does not implement eventstore.CheckpointStore", s)
			t.Cleanup(func() { s.Close() })
			s = tt.fn(t, s)
			if _, err := s.Head(ctx); errors.Is(err, eventstore.ErrClosed) {
				return
			}
			assert.Zero(t, head(t, s), "a checkpoint or cosignature was stored as an event")
			Check(t, s)
		})
	}
}

// TestCheckpoint returns a checkpoint of size for tests: a note of the shape C2SP signed-note
// requires, whose root and signature are made up (the store does not check them).
func TestCheckpoint(size uint64, rootByte byte) eventstore.Checkpoint {
	var root eventstore.Hash
	for i := range root {
		root[i] = rootByte
	}
	note := fmt.Sprintf("example.org/ledger\n%d\n%x\n\n— example.org/ledger AAAAAQ%02x==\n", size, root[:4], rootByte)
	return eventstore.Checkpoint{Size: size, Root: root, Note: []byte(note)}
}

// TestCosignature returns a cosignature by witness name with key hash keyHash, whose signature
// bytes end with b.
func TestCosignature(name string, keyHash uint32, b byte) eventstore.Cosignature {
	sig := make([]byte, 4+8+64)
	sig[0], sig[1], sig[2], sig[3] = byte(keyHash>>24), byte(keyHash>>16), byte(keyHash>>8), byte(keyHash)
	for i := 4; i < len(sig); i++ {
		sig[i] = b
	}
	return eventstore.Cosignature{Name: name, Signature: sig}
}

func cps(s eventstore.Store) eventstore.CheckpointStore { return s.(eventstore.CheckpointStore) }

func collectCheckpoints(t *testing.T, s eventstore.CheckpointStore, minSize uint64) []eventstore.Checkpoint {
	t.Helper()
	var out []eventstore.Checkpoint
	for cp, err := range s.Checkpoints(ctx, minSize) {
		require.NoError(t, err)
		out = append(out, cp)
	}
	return out
}

// firstErr returns the first error an iterator yields (nil if none), checking that it comes with a
// zero Checkpoint.
func firstErr(it func(func(eventstore.Checkpoint, error) bool)) error {
	for cp, err := range it {
		if err != nil {
			if cp.Size != 0 || cp.Note != nil {
				return fmt.Errorf("error %w came with a checkpoint of size %d", err, cp.Size)
			}
			return err
		}
	}
	return nil
}

func sizes(list []eventstore.Checkpoint) []uint64 {
	out := []uint64{}
	for _, cp := range list {
		out = append(out, cp.Size)
	}
	return out
}

func testCheckpointsEmpty(t *testing.T, s eventstore.Store) eventstore.Store {
	c := cps(s)
	_, err := c.LatestCheckpoint(ctx)
	assert.ErrorIs(t, err, eventstore.ErrCheckpointNotFound)
	assert.ErrorIs(t, err, eventstore.ErrNotFound)
	_, err = c.CheckpointAt(ctx, 0)
	assert.ErrorIs(t, err, eventstore.ErrCheckpointNotFound)
	assert.Empty(t, collectCheckpoints(t, c, 0))
	return s
}

func testCheckpointsRoundTrip(t *testing.T, s eventstore.Store) eventstore.Store {
	c := cps(s)
	for _, size := range []uint64{3, 0, 10, 1 << 40, 7} {
		require.NoError(t, c.PutCheckpoint(ctx, TestCheckpoint(size, byte(size))))
	}
	latest, err := c.LatestCheckpoint(ctx)
	require.NoError(t, err)
	assert.Equal(t, TestCheckpoint(1<<40, 0), withoutCosigs(latest), "the largest size is the latest, whatever the order of puts")
	got, err := c.CheckpointAt(ctx, 7)
	require.NoError(t, err)
	assert.Equal(t, TestCheckpoint(7, 7), withoutCosigs(got))
	assert.Empty(t, got.Cosignatures)
	_, err = c.CheckpointAt(ctx, 8)
	assert.ErrorIs(t, err, eventstore.ErrCheckpointNotFound)

	assert.Equal(t, []uint64{0, 3, 7, 10, 1 << 40}, sizes(collectCheckpoints(t, c, 0)))
	assert.Equal(t, []uint64{7, 10, 1 << 40}, sizes(collectCheckpoints(t, c, 7)), "minSize is inclusive")
	assert.Equal(t, []uint64{10, 1 << 40}, sizes(collectCheckpoints(t, c, 8)))
	assert.Empty(t, collectCheckpoints(t, c, 1<<40+1))
	n := 0
	for range c.Checkpoints(ctx, 0) {
		n++
		break
	}
	assert.Equal(t, 1, n, "the iterator stops when the loop breaks")
	return s
}

func withoutCosigs(cp eventstore.Checkpoint) eventstore.Checkpoint {
	cp.Cosignatures = nil
	return cp
}

func testCheckpointsConflict(t *testing.T, s eventstore.Store) eventstore.Store {
	c := cps(s)
	cp := TestCheckpoint(5, 1)
	require.NoError(t, c.PutCheckpoint(ctx, cp))
	require.NoError(t, c.PutCheckpoint(ctx, cp), "the same checkpoint again is nothing")

	fork := TestCheckpoint(5, 2)
	err := c.PutCheckpoint(ctx, fork)
	var conflict *eventstore.CheckpointConflictError
	require.ErrorAs(t, err, &conflict)
	assert.ErrorIs(t, err, eventstore.ErrConflict)
	assert.Equal(t, eventstore.CheckpointConflictError{Size: 5, StoredRoot: cp.Root, Root: fork.Root}, *conflict)
	assert.Contains(t, err.Error(), cp.Root.String())
	assert.Contains(t, err.Error(), fork.Root.String())

	other := cp
	other.Note = []byte(strings.Replace(string(cp.Note), "example.org/ledger", "example.org/other", 1))
	err = c.PutCheckpoint(ctx, other)
	assert.ErrorIs(t, err, eventstore.ErrConflict, "another note of the same size and root (another origin)")

	got, err := c.CheckpointAt(ctx, 5)
	require.NoError(t, err)
	assert.Equal(t, cp, withoutCosigs(got), "the first checkpoint stays")
	assert.Len(t, collectCheckpoints(t, c, 0), 1)
	return s
}

func testCheckpointsInvalid(t *testing.T, s eventstore.Store) eventstore.Store {
	c := cps(s)
	good := TestCheckpoint(4, 4)
	bad := map[string][]byte{
		"empty":           nil,
		"no blank line":   []byte("example.org/ledger\n4\nAAAA\n"),
		"no final \\n":    good.Note[:len(good.Note)-1],
		"not UTF-8":       append([]byte("example.org/ledger\n4\n\xff\n\n"), good.Note...),
		"over the limit":  append([]byte(strings.Repeat("x", eventstore.MaxCheckpointNoteBytes)), good.Note...),
		"just over limit": append(good.Note, []byte(strings.Repeat("y", eventstore.MaxCheckpointNoteBytes-len(good.Note)+1))...),
	}
	for name, note := range bad {
		cp := good
		cp.Note = note
		err := c.PutCheckpoint(ctx, cp)
		assert.ErrorIs(t, err, eventstore.ErrInvalidCheckpoint, name)
	}
	assert.Empty(t, collectCheckpoints(t, c, 0), "nothing stored")

	atLimit := good
	atLimit.Note = append(append([]byte(nil), good.Note[:len(good.Note)-1]...), []byte(strings.Repeat("z", eventstore.MaxCheckpointNoteBytes-len(good.Note))+"\n")...)
	require.Len(t, atLimit.Note, eventstore.MaxCheckpointNoteBytes)
	require.NoError(t, c.PutCheckpoint(ctx, atLimit), "a note of exactly the limit")

	for name, cs := range map[string]eventstore.Cosignature{
		"no name":       {Name: "", Signature: TestCosignature("w", 1, 1).Signature},
		"name with +":   {Name: "a+b", Signature: TestCosignature("w", 1, 1).Signature},
		"name with sp":  {Name: "a b", Signature: TestCosignature("w", 1, 1).Signature},
		"long name":     {Name: strings.Repeat("n", eventstore.MaxKeyNameBytes+1), Signature: TestCosignature("w", 1, 1).Signature},
		"short sig":     {Name: "w", Signature: []byte{1, 2, 3, 4}},
		"long sig":      {Name: "w", Signature: make([]byte, eventstore.MaxSignatureBytes+1)},
		"name not utf8": {Name: "w\xff", Signature: TestCosignature("w", 1, 1).Signature},
	} {
		added, err := c.PutCosignature(ctx, 4, good.Root, cs)
		assert.ErrorIs(t, err, eventstore.ErrInvalidCheckpoint, name)
		assert.False(t, added, name)
	}
	got, err := c.CheckpointAt(ctx, 4)
	require.NoError(t, err)
	assert.Empty(t, got.Cosignatures)
	return s
}

func testCosignatures(t *testing.T, s eventstore.Store) eventstore.Store {
	c := cps(s)
	cp := TestCheckpoint(9, 9)
	require.NoError(t, c.PutCheckpoint(ctx, cp))
	a1 := TestCosignature("witness.great-yarmouth.example", 0xa1a1a1a1, 1)
	a2 := TestCosignature("witness.great-yarmouth.example", 0xa1a1a1a1, 2) // same signer, later
	b := TestCosignature("witness.north-norfolk.example", 0xb2b2b2b2, 3)
	a3 := TestCosignature("witness.great-yarmouth.example", 0x0a0a0a0a, 4) // same name, other key

	for _, step := range []struct {
		c    eventstore.Cosignature
		want bool
	}{{a1, true}, {a2, false}, {b, true}, {a1, false}, {a3, true}} {
		added, err := c.PutCosignature(ctx, 9, cp.Root, step.c)
		require.NoError(t, err)
		assert.Equal(t, step.want, added, step.c.Signer())
	}
	got, err := c.CheckpointAt(ctx, 9)
	require.NoError(t, err)
	assert.Equal(t, []eventstore.Cosignature{a1, b, a3}, got.Cosignatures, "first per signer, in the order stored")
	latest, err := c.LatestCheckpoint(ctx)
	require.NoError(t, err)
	assert.Equal(t, got, latest)
	listed := collectCheckpoints(t, c, 0)
	require.Len(t, listed, 1)
	assert.Equal(t, got, listed[0])

	// A later checkpoint starts with none; the earlier keeps its own.
	require.NoError(t, c.PutCheckpoint(ctx, TestCheckpoint(10, 10)))
	latest, err = c.LatestCheckpoint(ctx)
	require.NoError(t, err)
	assert.Empty(t, latest.Cosignatures)
	assert.Equal(t, "witness.great-yarmouth.example+a1a1a1a1", a1.Signer())
	return s
}

func testCosignatureUnknown(t *testing.T, s eventstore.Store) eventstore.Store {
	c := cps(s)
	cp := TestCheckpoint(2, 2)
	w := TestCosignature("w", 1, 1)
	added, err := c.PutCosignature(ctx, 2, cp.Root, w)
	assert.ErrorIs(t, err, eventstore.ErrCheckpointNotFound)
	assert.False(t, added)
	require.NoError(t, c.PutCheckpoint(ctx, cp))
	other := TestCheckpoint(2, 3).Root
	added, err = c.PutCosignature(ctx, 2, other, w)
	var conflict *eventstore.CheckpointConflictError
	require.ErrorAs(t, err, &conflict, "a cosignature of another root at that size")
	assert.Equal(t, cp.Root, conflict.StoredRoot)
	assert.Equal(t, other, conflict.Root)
	assert.False(t, added)
	got, err := c.CheckpointAt(ctx, 2)
	require.NoError(t, err)
	assert.Empty(t, got.Cosignatures)
	return s
}

func testCheckpointsConcurrent(t *testing.T, s eventstore.Store) eventstore.Store {
	c := cps(s)
	const n = 8
	cp := TestCheckpoint(6, 6)
	var wg sync.WaitGroup
	errs := make(chan error, 3*n)
	for i := range n {
		wg.Add(2)
		go func() {
			defer wg.Done()
			errs <- c.PutCheckpoint(ctx, cp)
		}()
		go func() {
			defer wg.Done()
			errs <- c.PutCheckpoint(ctx, TestCheckpoint(uint64(100+i), byte(i)))
		}()
	}
	wg.Wait()
	for range 2 * n {
		require.NoError(t, <-errs)
	}
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.PutCosignature(ctx, 6, cp.Root, TestCosignature(fmt.Sprintf("w%d", i), uint32(i), byte(i)))
			errs <- err
		}()
	}
	wg.Wait()
	for range n {
		require.NoError(t, <-errs)
	}
	got, err := c.CheckpointAt(ctx, 6)
	require.NoError(t, err)
	assert.Len(t, got.Cosignatures, n)
	assert.Len(t, collectCheckpoints(t, c, 0), n+1)
	return s
}

func testCheckpointsCancel(t *testing.T, s eventstore.Store) eventstore.Store {
	c := cps(s)
	done, cancel := context.WithCancel(ctx)
	cancel()
	assert.ErrorIs(t, c.PutCheckpoint(done, TestCheckpoint(1, 1)), context.Canceled)
	_, err := c.LatestCheckpoint(done)
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, firstErr(c.Checkpoints(done, 0)), context.Canceled)
	_, err = c.LatestCheckpoint(ctx)
	assert.ErrorIs(t, err, eventstore.ErrCheckpointNotFound, "a put with a done context stored nothing")
	return s
}

func testCheckpointsCopies(t *testing.T, s eventstore.Store) eventstore.Store {
	c := cps(s)
	cp := TestCheckpoint(3, 3)
	want := TestCheckpoint(3, 3)
	w := TestCosignature("w", 7, 7)
	require.NoError(t, c.PutCheckpoint(ctx, cp))
	_, err := c.PutCosignature(ctx, 3, cp.Root, w)
	require.NoError(t, err)
	cp.Note[0] = 'X'
	w.Signature[5] = 0
	got, err := c.CheckpointAt(ctx, 3)
	require.NoError(t, err)
	got.Note[1] = 'Y'
	got.Cosignatures[0].Signature[6] = 0
	again, err := c.CheckpointAt(ctx, 3)
	require.NoError(t, err)
	assert.Equal(t, want.Note, again.Note, "neither the caller's bytes nor a returned copy alias what is stored")
	assert.Equal(t, TestCosignature("w", 7, 7), again.Cosignatures[0])
	return s
}

func testCheckpointsReopen(t *testing.T, s eventstore.Store, reopen Reopener) eventstore.Store {
	c := cps(s)
	require.NoError(t, c.PutCheckpoint(ctx, TestCheckpoint(0, 0)))
	cp := TestCheckpoint(4, 4)
	require.NoError(t, c.PutCheckpoint(ctx, cp))
	w := TestCosignature("w", 1, 1)
	_, err := c.PutCosignature(ctx, 4, cp.Root, w)
	require.NoError(t, err)

	s = reopen(t, s)
	c = cps(s)
	latest, err := c.LatestCheckpoint(ctx)
	require.NoError(t, err)
	want := cp
	want.Cosignatures = []eventstore.Cosignature{w}
	assert.Equal(t, want, latest)
	assert.Equal(t, []uint64{0, 4}, sizes(collectCheckpoints(t, c, 0)))
	added, err := c.PutCosignature(ctx, 4, cp.Root, TestCosignature("w", 1, 2))
	require.NoError(t, err)
	assert.False(t, added, "the signer's first cosignature is still known after a reopen")
	assert.ErrorIs(t, c.PutCheckpoint(ctx, TestCheckpoint(4, 5)), eventstore.ErrConflict)
	return s
}

func testCheckpointsClosed(t *testing.T, s eventstore.Store) eventstore.Store {
	c := cps(s)
	require.NoError(t, c.PutCheckpoint(ctx, TestCheckpoint(1, 1)))
	require.NoError(t, s.Close())
	assert.ErrorIs(t, c.PutCheckpoint(ctx, TestCheckpoint(2, 2)), eventstore.ErrClosed)
	_, err := c.PutCosignature(ctx, 1, TestCheckpoint(1, 1).Root, TestCosignature("w", 1, 1))
	assert.ErrorIs(t, err, eventstore.ErrClosed)
	_, err = c.LatestCheckpoint(ctx)
	assert.ErrorIs(t, err, eventstore.ErrClosed)
	_, err = c.CheckpointAt(ctx, 1)
	assert.ErrorIs(t, err, eventstore.ErrClosed)
	assert.ErrorIs(t, firstErr(c.Checkpoints(ctx, 0)), eventstore.ErrClosed)
	return s
}
