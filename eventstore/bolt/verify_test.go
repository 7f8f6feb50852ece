package bolt_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bbolt "go.etcd.io/bbolt"

	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/eventstore/bolt"
	"github.com/partnership-ledger/ledger/eventstore/storetest"
)

// indexedLedger writes a store whose indexes were flushed (every 40 entries) with two streams
// interleaved, and returns its path and how many events it holds.
func indexedLedger(t testing.TB) (string, uint64) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ledger.db")
	var opts bolt.Options
	bolt.SetFlushAt(&opts, 40)
	s, err := bolt.Open(path, opts)
	require.NoError(t, err)
	for i := range 100 {
		_, err := s.Append(context.Background(), fmt.Sprintf("s%d", i%2), eventstore.Any, storetest.Event("T", fmt.Sprintf(`{"i":%d}`, i)))
		require.NoError(t, err)
	}
	require.NoError(t, s.Close())
	return path, 100
}

// editedCopy writes pristine to a new file, changes it through bbolt as someone holding the file
// could, and returns its path.
func editedCopy(t *testing.T, pristine []byte, edit func(tx *bbolt.Tx) error) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "edited.db")
	require.NoError(t, os.WriteFile(p, pristine, 0o600))
	db, err := bbolt.Open(p, 0o600, nil)
	require.NoError(t, err)
	require.NoError(t, db.Update(edit))
	require.NoError(t, db.Close())
	return p
}

func verifyFile(t *testing.T, path string) (audit.Report, error) {
	t.Helper()
	s, err := bolt.Open(path, bolt.Options{ReadOnly: true})
	if err != nil {
		return audit.Report{}, err
	}
	defer s.Close()
	return audit.Verify(context.Background(), s, nil)
}

// TestVerifyHoldsIndexesAgainstEvents edits only the indexes, keeping their counts (which the file
// check on Open holds against meta "indexed"): audit.Verify, which GET /v1/audit/verify runs, names
// the event whose entry is wrong.
func TestVerifyHoldsIndexesAgainstEvents(t *testing.T) {
	pristinePath, _ := indexedLedger(t)
	pristine, err := os.ReadFile(pristinePath)
	require.NoError(t, err)
	rep, err := verifyFile(t, pristinePath)
	require.NoError(t, err)
	require.True(t, rep.Intact)
	require.True(t, rep.IndexesChecked)

	edits := map[string]func(tx *bbolt.Tx) error{
		"revs index": func(tx *bbolt.Tx) error { // swap two seqs inside a chunk of s0
			c := tx.Bucket([]byte("revs")).Cursor()
			k, v := c.Seek([]byte("s0\x00"))
			v = bytes.Clone(v)
			require.GreaterOrEqual(t, len(v), 16)
			a, b := bytes.Clone(v[:8]), bytes.Clone(v[8:16])
			copy(v, b)
			copy(v[8:], a)
			return tx.Bucket([]byte("revs")).Put(bytes.Clone(k), v)
		},
		"ids index": func(tx *bbolt.Tx) error { // point an id at another event
			c := tx.Bucket([]byte("ids")).Cursor()
			k, v := c.First()
			return tx.Bucket([]byte("ids")).Put(bytes.Clone(k), binary.BigEndian.AppendUint64(nil, binary.BigEndian.Uint64(v)+1))
		},
		"meta": func(tx *bbolt.Tx) error { // the last recorded_at
			return tx.Bucket([]byte("meta")).Put([]byte("recorded_at"), binary.BigEndian.AppendUint64(nil, 1))
		},
	}
	for field, edit := range edits {
		t.Run(field, func(t *testing.T) {
			rep, err := verifyFile(t, editedCopy(t, pristine, edit))
			require.NoError(t, err)
			assert.False(t, rep.Intact)
			require.NotNil(t, rep.FirstBad)
			assert.Equal(t, field, rep.FirstBad.Field, "%v", rep.FirstBad)
		})
	}
}

// TestOpenRefusesDamage: Open reports damage in one DamageError rather than crashing or treating
// the file as a new ledger.
func TestOpenRefusesDamage(t *testing.T) {
	path, _ := indexedLedger(t)
	pristine, err := os.ReadFile(path)
	require.NoError(t, err)
	for name, change := range map[string]func(b []byte) []byte{
		"empty":            func(b []byte) []byte { return nil },
		"cut short":        func(b []byte) []byte { return b[:3*4096] },
		"meta page 0 flip": func(b []byte) []byte { b[16+20] ^= 1; return b },
		"meta page 1 flip": func(b []byte) []byte { b[4096+16+20] ^= 1; return b },
		"not a store":      func(b []byte) []byte { return bytes.Repeat([]byte("ledger"), 4096) },
	} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "x.db")
			require.NoError(t, os.WriteFile(p, change(bytes.Clone(pristine)), 0o600))
			for _, opts := range []bolt.Options{{}, {ReadOnly: true}} {
				_, err := bolt.Open(p, opts)
				assert.ErrorIs(t, err, eventstore.ErrDamaged, "read-only %v", opts.ReadOnly)
			}
		})
	}
}

// TestReadOnlyOpenChangesNothing: a read-only store cannot append and leaves the file as it was.
func TestReadOnlyOpenChangesNothing(t *testing.T) {
	path, n := indexedLedger(t)
	before, err := os.ReadFile(path)
	require.NoError(t, err)
	s, err := bolt.Open(path, bolt.Options{ReadOnly: true})
	require.NoError(t, err)
	_, err = s.Append(context.Background(), "s0", eventstore.Any, storetest.Event("T", `{}`))
	assert.ErrorIs(t, err, bolt.ErrReadOnly)
	assert.Len(t, storetest.Collect(t, s.ReadAll(context.Background(), 0, eventstore.Forward, 0)), int(n))
	require.NoError(t, s.Close())
	after, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(before, after))
}

// FuzzOpenDamagedFile opens a small store with bytes changed anywhere and reads it every way: a damaged
// file is an error, never a panic or a fault. (The seed corpus runs with go test; go test -fuzz
// FuzzOpenDamagedFile explores.)
func FuzzOpenDamagedFile(f *testing.F) {
	path, _ := indexedLedger(f)
	pristine, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	for _, off := range []int{0, 20, 40, 4096 + 30, 2*4096 + 9, 3*4096 + 17, 5*4096 + 100, 8*4096 + 64} {
		f.Add(uint32(off), byte(0x01))
		f.Add(uint32(off), byte(0xff))
	}
	f.Fuzz(func(t *testing.T, off uint32, x byte) {
		if x == 0 {
			return
		}
		b := bytes.Clone(pristine)
		b[int(off)%len(b)] ^= x
		p := filepath.Join(t.TempDir(), "f.db")
		require.NoError(t, os.WriteFile(p, b, 0o600))
		s, err := bolt.Open(p, bolt.Options{ReadOnly: true})
		if err != nil {
			assert.ErrorIs(t, err, eventstore.ErrCorrupt, "an open that fails says why")
			return
		}
		defer s.Close()
		_, _ = audit.Verify(context.Background(), s, nil)
		for _, stream := range []string{"s0", "s1"} {
			for _, err := range s.ReadStream(context.Background(), stream, eventstore.Start, eventstore.Forward, 0) {
				if err != nil {
					break
				}
			}
		}
	})
}

// TestReadsHoldIndexesAgainstEvents edits one index entry, keeping every count (so Open accepts the
// file): a read, an append's head lookup and an id lookup through the entry each fail with a
// DamageError instead of answering, or chaining to, another event; the append writes nothing.
func TestReadsHoldIndexesAgainstEvents(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ledger.db")
	var opts bolt.Options
	bolt.SetFlushAt(&opts, 40)
	s, err := bolt.Open(path, opts)
	require.NoError(t, err)
	tok, err := s.Append(ctx, "tok", eventstore.Any, storetest.Event("Issued", `{"i":0}`), storetest.Event("Issued", `{"i":1}`), storetest.Event("Revoked", `{"i":0}`))
	require.NoError(t, err)
	for i := range 60 {
		_, err := s.Append(ctx, "fill", eventstore.Any, storetest.Event("T", fmt.Sprintf(`{"i":%d}`, i)))
		require.NoError(t, err)
	}
	require.NoError(t, s.Close())
	pristine, err := os.ReadFile(path)
	require.NoError(t, err)

	open := func(t *testing.T, edit func(tx *bbolt.Tx) error) *bolt.Store {
		s, err := bolt.Open(editedCopy(t, pristine, edit), bolt.Options{})
		require.NoError(t, err, "the counts still hold, so the file opens")
		t.Cleanup(func() { s.Close() })
		return s
	}
	t.Run("revs entry pointed at the revision before", func(t *testing.T) {
		s := open(t, func(tx *bbolt.Tx) error {
			k := append([]byte("tok\x00"), make([]byte, 8)...)
			v := bytes.Clone(tx.Bucket([]byte("revs")).Get(k))
			require.Len(t, v, 24, "tok's three entries are flushed into one chunk")
			copy(v[16:], v[8:16])
			return tx.Bucket([]byte("revs")).Put(k, v)
		})
		var err error
		for _, err = range s.ReadStream(ctx, "tok", eventstore.Start, eventstore.Forward, 0) {
			if err != nil {
				break
			}
		}
		assert.ErrorIs(t, err, eventstore.ErrDamaged, "a forward read")
		for _, err = range s.ReadStream(ctx, "tok", eventstore.Start, eventstore.Backward, 1) {
			if err != nil {
				break
			}
		}
		assert.ErrorIs(t, err, eventstore.ErrDamaged, "a backward read of the last revision")
		before, err := s.Head(ctx)
		require.NoError(t, err)
		_, err = s.Append(ctx, "tok", eventstore.Any, storetest.Event("Issued", `{"i":2}`))
		assert.ErrorIs(t, err, eventstore.ErrDamaged, "an append chaining to the stream's last event")
		after, err := s.Head(ctx)
		require.NoError(t, err)
		assert.Equal(t, before, after, "the append wrote nothing")
	})
	t.Run("ids entry pointed at another event", func(t *testing.T) {
		s := open(t, func(tx *bbolt.Tx) error {
			return tx.Bucket([]byte("ids")).Put(tok[0].ID[:], binary.BigEndian.AppendUint64(nil, tok[1].Seq))
		})
		_, err := s.EventByID(ctx, tok[0].ID)
		assert.ErrorIs(t, err, eventstore.ErrDamaged, "an id lookup")
		e := storetest.Event("Issued", `{"i":0}`)
		e.ID = tok[0].ID
		_, err = s.Append(ctx, "tok", eventstore.Any, e)
		assert.ErrorIs(t, err, eventstore.ErrDamaged, "an idempotent re-send's lookup")
	})
}
