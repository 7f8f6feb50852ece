package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/recording"
	"github.com/partnership-ledger/ledger/domain/refdata"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/eventstore/memstore"
)

// BenchmarkReplay walks one partnership of the reference ledger's size (1,000,000 events over 300
// partnerships: 3,333 events) as ledger replay does, from decoded events to the report (folding with
// ApplyEffect, the words of every fact): docs/benchmarks.md records the figure.
func BenchmarkReplay(b *testing.B) {
	ctx := context.Background()
	store := memstore.New(memstore.Options{})
	require.NoError(b, refdata.Generate(ctx, store, refdata.Options{Partnerships: 1, Events: 3333}))
	var history []domain.Recorded
	for e, err := range store.ReadStream(ctx, domain.StreamPrefix+"ref-partnership-000", eventstore.Start, eventstore.Forward, 0) {
		require.NoError(b, err)
		r, err := recording.FromEvent(e)
		require.NoError(b, err)
		history = append(history, r)
	}
	require.Len(b, history, 3333)
	day := domain.MustDate("2199-12-31")
	b.ReportAllocs()
	for b.Loop() {
		rep := buildWalk(history).replay(day, nil)
		if len(rep.Steps) != len(history) {
			b.Fatalf("%d steps", len(rep.Steps))
		}
	}
}
