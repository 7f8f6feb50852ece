package reviewpack_test

import (
	"context"
	"io"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/reviewpack"
)

// benchPack composes the pack of a partnership with n events.
func benchPack(b *testing.B, n int) *reviewpack.Pack {
	b.Helper()
	ev := evidenceOf(b, manyEvents(n), reviewpack.CoverOptions{Committee: "Scrutiny Committee"})
	r, err := reviewpack.Compose(context.Background(), ev)
	require.NoError(b, err)
	return &reviewpack.Pack{Report: r, Evidence: ev}
}

// BenchmarkCompose10k folds a 10,000-event partnership into the report (projections + text).
func BenchmarkCompose10k(b *testing.B) {
	ev := evidenceOf(b, manyEvents(10000), reviewpack.CoverOptions{})
	b.ResetTimer()
	for b.Loop() {
		_, err := reviewpack.Compose(context.Background(), ev)
		require.NoError(b, err)
	}
}

// BenchmarkRender10k renders the pack of a 10,000-event partnership in each format. Targets: HTML
// ≤ 200 ms, PDF ≤ 1 s.
func BenchmarkRender10k(b *testing.B) {
	p := benchPack(b, 10000)
	for _, format := range reviewpack.Formats {
		b.Run(format, func(b *testing.B) {
			var w countingWriter
			for b.Loop() {
				w = 0
				require.NoError(b, p.Render(format, &w))
			}
			b.ReportMetric(float64(w)/1e6, "MB/pack")
		})
	}
}

// BenchmarkPack10k is what a request for a pack costs once the events
// are read: compose the report, then render it.
func BenchmarkPack10k(b *testing.B) {
	ev := evidenceOf(b, manyEvents(10000), reviewpack.CoverOptions{})
	for _, format := range []string{"html", "pdf"} {
		b.Run(format, func(b *testing.B) {
			for b.Loop() {
				r, err := reviewpack.Compose(context.Background(), ev)
				require.NoError(b, err)
				require.NoError(b, (&reviewpack.Pack{Report: r, Evidence: ev}).Render(format, io.Discard))
			}
		})
	}
}

type countingWriter int

func (w *countingWriter) Write(p []byte) (int, error) {
	*w += countingWriter(len(p))
	return len(p), nil
}
