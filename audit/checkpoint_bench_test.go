package audit_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/eventstore/bolt"
	"github.com/partnership-ledger/ledger/eventstore/memstore"
)

type checkpointStoreCloser interface {
	eventstore.CheckpointStore
	Close() error
}

// BenchmarkCheckpoint is the cost of one checkpoint a server signs after appends, over a tree of
// 100,000 events: "sign" is the root and the signed note (audit.Log.Checkpoint); "sign+keep" each
// time one more event and audit.Checkpointer.SignNow into a store (bolt: one transaction, fsync'd,
// which holds bbolt's one writer for that long). Figures and the command: docs/benchmarks.md.
func BenchmarkCheckpoint(b *testing.B) {
	const base, spare = 100_000, 50_000
	events := sealedEvents(base+spare, 30)
	newLog := func(b *testing.B) *audit.Log {
		lg := audit.NewLog(memstore.New(memstore.Options{}), testKey(1))
		for _, e := range events[:base] {
			require.NoError(b, lg.Add(e))
		}
		return lg
	}
	b.Run("sign", func(b *testing.B) {
		lg := newLog(b)
		for b.Loop() {
			_, err := lg.Checkpoint(origin, base)
			require.NoError(b, err)
		}
	})
	for name, open := range map[string]func(b *testing.B) checkpointStoreCloser{
		"memstore": func(b *testing.B) checkpointStoreCloser { return memstore.New(memstore.Options{}) },
		"bolt": func(b *testing.B) checkpointStoreCloser {
			s, err := bolt.Open(filepath.Join(b.TempDir(), "ledger.db"), bolt.Options{})
			require.NoError(b, err)
			return s
		},
	} {
		b.Run("sign+keep/"+name, func(b *testing.B) {
			lg := newLog(b)
			store := open(b)
			defer store.Close()
			cpr, err := audit.NewCheckpointer(lg, store, origin)
			require.NoError(b, err)
			next := base
			for b.Loop() {
				if next == len(events) {
					b.Fatalf("more than %d checkpoints: raise spare", spare)
				}
				require.NoError(b, lg.Add(events[next]))
				next++
				if _, _, err := cpr.SignNow(context.Background()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
