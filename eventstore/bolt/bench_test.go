package bolt_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/eventstore/bolt"
	"github.com/partnership-ledger/ledger/eventstore/storetest"
)

// benchEvent is about 600 bytes stored, like a typical partnership event.
func benchEvent(i int) eventstore.Event {
	return storetest.Event("SavingsReported", fmt.Sprintf(
		`{"council":"north-norfolk","financial_year":2015,"category":"shared management","amount_pence":%d,"status":"forecast","period_to":"2016-03-31","note":"%s"}`,
		i, strings.Repeat("n", 180)))
}

func benchStore(b *testing.B) *bolt.Store {
	s, err := bolt.Open(filepath.Join(b.TempDir(), "bench.db"), bolt.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// BenchmarkAppend: one writer, one event per append, each synced before the next.
func BenchmarkAppend(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if _, err := s.Append(ctx, fmt.Sprintf("partnership-p%d", i%300), eventstore.Any, benchEvent(i)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
}

// BenchmarkAppendConcurrent: 64 writers, one event per append; the commit loop groups them.
func BenchmarkAppendConcurrent(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	const writers = 64
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < b.N; i += writers {
				if _, err := s.Append(ctx, fmt.Sprintf("partnership-p%d", i%300), eventstore.Any, benchEvent(i)); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
	b.ReportMetric(float64(b.N)/float64(s.Syncs()), "events/sync")
}

// BenchmarkReadAll: a full scan of the global log, decoding every envelope.
func BenchmarkReadAll(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	const n = 200_000
	batch := make([]eventstore.Event, 0, 1000)
	for i := range n {
		batch = append(batch, benchEvent(i))
		if len(batch) == cap(batch) {
			if _, err := s.Append(ctx, fmt.Sprintf("partnership-p%d", i%300), eventstore.Any, batch...); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	b.ResetTimer()
	start := time.Now()
	total := 0
	for i := 0; i < b.N; i++ {
		for _, err := range s.ReadAll(ctx, 0, eventstore.Forward, 0) {
			if err != nil {
				b.Fatal(err)
			}
			total++
		}
	}
	b.ReportMetric(float64(total)/time.Since(start).Seconds(), "events/s")
}
