package recording_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/recording"
	"github.com/partnership-ledger/ledger/eventstore/bolt"
)

// BenchmarkRecordBolt records savings targets into a real bbolt store: one writer (each append
// synced before the next), and 64 concurrent writers over 16 partnerships.
func BenchmarkRecordBolt(b *testing.B) {
	setup := func(b *testing.B, partnerships int) *recording.Service {
		store, err := bolt.Open(filepath.Join(b.TempDir(), "ledger.db"), bolt.Options{Now: clock})
		require.NoError(b, err)
		b.Cleanup(func() { _ = store.Close() })
		svc := recording.New(store, clock)
		for i := range partnerships {
			c := cmd(domain.TypePartnershipProposed, "2015-10-01", proposal)
			c.Partnership = fmt.Sprintf("p-%03d", i)
			_, err := svc.Record(context.Background(), "bench", c, nil)
			require.NoError(b, err)
		}
		return svc
	}
	b.Run("one-writer", func(b *testing.B) {
		svc := setup(b, 1)
		c := cmd(domain.TypeSavingsTargetSet, "2015-12-01", target)
		c.Partnership = "p-000"
		for b.Loop() {
			if _, err := svc.Record(context.Background(), "bench", c, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("64-writers-16-partnerships", func(b *testing.B) {
		svc := setup(b, 16)
		var n atomic.Int64
		b.SetParallelism(32) // 64 goroutines on 2 CPUs
		b.RunParallel(func(pb *testing.PB) {
			c := cmd(domain.TypeSavingsTargetSet, "2015-12-01", target)
			c.Partnership = fmt.Sprintf("p-%03d", n.Add(1)%16)
			for pb.Next() {
				if _, err := svc.Record(context.Background(), "bench", c, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}
