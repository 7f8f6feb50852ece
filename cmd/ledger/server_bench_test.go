package main

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// BenchmarkVerifyOverServer is `ledger verify --server` of a generated 100,000-event ledger served by a
// running server (every event downloaded, 1,000 a page, and checked here against the pinned key),
// beside `ledger verify` of the same store. Figures and the command: docs/benchmarks.md.
func BenchmarkVerifyOverServer(b *testing.B) {
	const events = 100000
	store := "bolt:" + filepath.Join(b.TempDir(), "ref.db")
	gen := ledger(b, nil, "gen", "--partnerships", "30", "--events", "100000", "--store", store)
	require.Equal(b, 0, gen.code, gen.stderr)
	auditor := issueToken(b, store, "auditor")
	pub := publicKey(b, "--store", store)
	b.Run("store", func(b *testing.B) {
		for b.Loop() {
			r := ledger(b, nil, "verify", "--store", store)
			require.Equal(b, 0, r.code, r.stderr)
		}
		b.ReportMetric(float64(b.N)*events/b.Elapsed().Seconds(), "events/s")
	})
	s := startServe(b, store)
	b.Run("server", func(b *testing.B) {
		for b.Loop() {
			r := ledger(b, nil, "verify", "--server", s.base, "--key", pub, "--token-file", auditor)
			require.Equal(b, 0, r.code, r.stderr)
		}
		b.ReportMetric(float64(b.N)*events/b.Elapsed().Seconds(), "events/s")
	})
}
