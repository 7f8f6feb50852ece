package recording_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/recording"
	"github.com/partnership-ledger/ledger/eventstore/bolt"
)

// BenchmarkRecordLatency measures how long each caller of Record waits when W writers record
// into one partnership of a real bbolt store (synced appends) whose history already holds 3,000
// events: in date order (each event dated on the latest effective date, decided on the folded
// state) and back-dated (each event dated before the latest, so every decision replays the
// partnership's history). It reports the callers' p50, p99 and maximum wait in milliseconds, and
// how many commands were withdrawn unanswered past their deadline (503).
//
//	go test -run '^$' -bench RecordLatency -benchtime 2000x -count 1 ./domain/recording/
func BenchmarkRecordLatency(b *testing.B) {
	const history = 3000
	for _, order := range []struct {
		name, effective string
	}{{"in-date-order", "2016-03-01"}, {"back-dated", "2015-12-02"}} {
		for _, writers := range []int{8, 64} {
			b.Run(fmt.Sprintf("%s/%d-writers", order.name, writers), func(b *testing.B) {
				svc := prefilled(b, history)
				lat := make([][]time.Duration, writers)
				var next, withdrawn atomic.Int64
				var wg sync.WaitGroup
				b.ResetTimer()
				for w := range writers {
					wg.Go(func() {
						c := cmd(domain.TypeOneOffCostIncurred, order.effective,
							fmt.Sprintf(`{"council":"north-norfolk","financial_year":2015,"category":"w%d","amount_pence":1}`, w))
						for next.Add(1) <= int64(b.N) {
							t0 := time.Now()
							_, err := svc.Record(context.Background(), "bench", c, nil)
							lat[w] = append(lat[w], time.Since(t0))
							switch {
							case errors.Is(err, recording.ErrUnavailable):
								withdrawn.Add(1)
							case err != nil:
								b.Error(err)
								return
							}
						}
					})
				}
				wg.Wait()
				b.StopTimer()
				all := slices.Concat(lat...)
				slices.Sort(all)
				if len(all) == 0 {
					return
				}
				ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
				b.ReportMetric(ms(all[len(all)/2]), "p50-ms")
				b.ReportMetric(ms(all[len(all)*99/100]), "p99-ms")
				b.ReportMetric(ms(all[len(all)-1]), "max-ms")
				b.ReportMetric(float64(withdrawn.Load()), "withdrawn")
			})
		}
	}
}

// prefilled returns a Service over a fresh bbolt store whose partnership gy-nn holds n events.
func prefilled(b *testing.B, n int) *recording.Service {
	b.Helper()
	store, err := bolt.Open(filepath.Join(b.TempDir(), "ledger.db"), bolt.Options{Now: clock})
	require.NoError(b, err)
	b.Cleanup(func() { _ = store.Close() })
	svc := recording.New(store, clock)
	_, err = svc.Record(context.Background(), "bench", cmd(domain.TypePartnershipProposed, "2015-10-01", proposal), nil)
	require.NoError(b, err)
	var wg sync.WaitGroup
	var next atomic.Int64
	for range 32 {
		wg.Go(func() {
			for i := next.Add(1); i < int64(n); i = next.Add(1) {
				c := cmd(domain.TypeOneOffCostIncurred, "2016-03-01",
					fmt.Sprintf(`{"council":"north-norfolk","financial_year":2015,"category":"h%d","amount_pence":1}`, i))
				if _, err := svc.Record(context.Background(), "bench", c, nil); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	return svc
}
