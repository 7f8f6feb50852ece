package audit_test

import (
	"bytes"
	"context"
	"iter"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/eventstore/bolt"
)

func openBolt(t *testing.T, name string) *bolt.Store {
	t.Helper()
	s, err := bolt.Open(filepath.Join(t.TempDir(), name), bolt.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

// TestBoltExportImport moves a ledger between two bbolt stores through an export file.
func TestBoltExportImport(t *testing.T) {
	exportImportRoundTrip(t, openBolt(t, "src.db"), openBolt(t, "dst.db"), true)
}

func TestBoltLogProves(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	store := openBolt(t, "ledger.db")
	events := recordSome(t, store, 9)
	key := testKey(5)
	log := audit.NewLog(store, key)
	runCtx, stop := context.WithCancel(ctx)
	ran := make(chan error, 1)
	go func() { ran <- log.Run(runCtx) }()
	require.NoError(t, log.WaitFor(ctx, 9))
	more := recordSome(t, store, 3)
	require.NoError(t, log.WaitFor(ctx, 12))

	b, err := log.Prove(ctx, more[1].ID)
	require.NoError(t, err)
	require.NoError(t, audit.CheckBundle(b, key.Public()))
	c, err := log.Consistency(9, 12)
	require.NoError(t, err)
	require.NoError(t, audit.CheckConsistency(audit.HeadOfTree(c.From), audit.HeadOfTree(c.To), c.Proof, audit.PinnedKey{Public: key.Public()}))
	assert.True(t, events[8].RecordedAt.Equal(c.From.Timestamp))

	rep, err := audit.Verify(ctx, store, nil)
	require.NoError(t, err)
	assert.True(t, rep.Intact)
	assert.Equal(t, rep.Root, c.To.Root)

	var buf bytes.Buffer
	_, err = audit.Export(ctx, store, &buf)
	require.NoError(t, err)
	fileRep, err := audit.VerifyExport(ctx, &buf, audit.VerifyOptions{})
	require.NoError(t, err)
	assert.Equal(t, rep.Root, fileRep.Root)

	stop()
	assert.ErrorIs(t, <-ran, context.Canceled)
}

// oneAtATime hides a store's AppendBatch, so a copy appends one run at a time (as before batches).
type oneAtATime struct{ eventstore.Store }

// BenchmarkCopyIntoBolt copies a ledger of 20,000 events in 300 interleaved streams (each run one
// event, as in the reference ledger) from memory into a new bbolt file, with the whole of Copy:
// check, append, read back and verify. "batched" sends up to 4096 runs per AppendBatch; "one append
// per run" is the copy without batches. It reports events/s.
func BenchmarkCopyIntoBolt(b *testing.B) {
	events := sealedEvents(20_000, 300)
	src := withEvents(events)
	source := func() iter.Seq2[eventstore.Event, error] {
		return src.ReadAll(context.Background(), 0, eventstore.Forward, 0)
	}
	for _, tc := range []struct {
		name string
		wrap func(*bolt.Store) eventstore.Store
	}{
		{"batched", func(s *bolt.Store) eventstore.Store { return s }},
		{"one append per run", func(s *bolt.Store) eventstore.Store { return oneAtATime{s} }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				dst, err := bolt.Open(filepath.Join(b.TempDir(), "copy.db"), bolt.Options{})
				require.NoError(b, err)
				b.StartTimer()
				rep, err := audit.Copy(context.Background(), tc.wrap(dst), source, audit.CopyOptions{})
				require.NoError(b, err)
				require.Equal(b, uint64(len(events)), rep.Copied)
				b.StopTimer()
				require.NoError(b, dst.Close())
				b.StartTimer()
			}
			b.ReportMetric(float64(len(events))*float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
