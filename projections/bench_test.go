package projections_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/partnership-ledger/ledger/domain/refdata"
	"github.com/partnership-ledger/ledger/eventstore/bolt"
	"github.com/partnership-ledger/ledger/eventstore/memstore"
	"github.com/partnership-ledger/ledger/projections"
)

// refStore opens the 1M-event reference ledger, generating it once into the temp dir (about 25 s).
func refStore(b *testing.B) *bolt.Store {
	if testing.Short() {
		b.Skip("the 1M-event reference ledger is for full benchmark runs, not -short")
	}
	path := filepath.Join(os.TempDir(), "ledger-ref-1m.db")
	_, statErr := os.Stat(path)
	s, err := bolt.Open(path, bolt.Options{})
	if err != nil {
		b.Fatal(err)
	}
	if os.IsNotExist(statErr) {
		if err := refdata.Generate(context.Background(), s, refdata.Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// BenchmarkRebuild1M folds every read model from the 1M-event log.
func BenchmarkRebuild1M(b *testing.B) {
	s := refStore(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m, err := projections.Load(context.Background(), s, projections.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if m.Seq() != 1_000_000 {
			b.Fatalf("folded %d events", m.Seq())
		}
	}
	b.ReportMetric(float64(b.N)*1e6/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkQueryAsOfKnownAt asks one partnership's state at varying as_of and known_at, and reports the
// 99th percentile latency.
func BenchmarkQueryAsOfKnownAt(b *testing.B) {
	s := refStore(b)
	m, err := projections.Load(context.Background(), s, projections.Options{})
	if err != nil {
		b.Fatal(err)
	}
	lat := make([]time.Duration, 0, b.N)
	runtime.GC() // start from the steady state of a server that has loaded: the load's garbage collected
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// refdata writes each partnership's ~3,333 events together: know part of the chosen one's history.
		p := i % 300
		q, err := projections.ParseQuery("20"+strconv.Itoa(16+i%6)+"-"+twoDigits(1+i%12)+"-15", strconv.Itoa(p*3333+1000+i%2000))
		if err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		if _, err := m.State("ref-partnership-"+threeDigits(p), q); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
}

// BenchmarkStateFold asks one partnership of the reference data (3,333 events in memory, no 1M
// ledger needed) for its state at varying as_of and known_at: every query a fresh fold of the domain's
// State and its mapping to the view, none from the cache. It measures the fold alone, per query
// (docs/benchmarks.md, issue 19).
func BenchmarkStateFold(b *testing.B) {
	s := memstore.New(memstore.Options{})
	if err := refdata.Generate(context.Background(), s, refdata.Options{Partnerships: 3, Events: 10_000}); err != nil {
		b.Fatal(err)
	}
	m, err := projections.Load(context.Background(), s, projections.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		q, err := projections.ParseQuery("20"+strconv.Itoa(16+i%6)+"-"+twoDigits(1+i%12)+"-15", strconv.Itoa(1000+i%2000))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := m.State("ref-partnership-000", q); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMemory1M reports the Go heap and the RSS with every read model of 1M events loaded.
func BenchmarkMemory1M(b *testing.B) {
	s := refStore(b)
	for i := 0; i < b.N; i++ {
		m, err := projections.Load(context.Background(), s, projections.Options{})
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "heap-MiB")
		b.ReportMetric(rssMiB(), "rss-MiB")
		runtime.KeepAlive(m)
	}
}

func rssMiB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

func twoDigits(n int) string   { return strconv.Itoa(100 + n)[1:] }
func threeDigits(n int) string { return strconv.Itoa(1000 + n)[1:] }
