package audit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/eventstore"
)

// benchSize is the reference ledger's size (`ledger gen`; docs/benchmarks.md).
const benchSize = 1_000_000

var (
	benchOnce   sync.Once
	benchEvents []eventstore.Event
	benchTree   *audit.Tree
)

// benchLedger returns 1M sealed events over 300 streams and the tree over them, built once.
func benchLedger(b *testing.B) ([]eventstore.Event, *audit.Tree) {
	b.Helper()
	benchOnce.Do(func() {
		benchEvents = sealedEvents(benchSize, 300)
		benchTree = audit.NewTree(benchSize)
		benchTree.AppendAll(hashesOf(benchEvents))
	})
	return benchEvents, benchTree
}

// BenchmarkVerify1M recomputes every hash and chain of 1M events (eventstore.ChainVerifier) and
// builds their Merkle tree: the work of `ledger verify`, without the store's decoding.
func BenchmarkVerify1M(b *testing.B) {
	events, tree := benchLedger(b)
	want, err := tree.Root(benchSize)
	require.NoError(b, err)
	seq := func(yield func(eventstore.Event, error) bool) {
		for _, e := range events {
			if !yield(e, nil) {
				return
			}
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rep, err := audit.VerifyEvents(context.Background(), seq, nil)
		require.NoError(b, err)
		require.True(b, rep.Intact)
		require.Equal(b, want, rep.Root)
	}
	b.ReportMetric(float64(benchSize)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkVerifyStore1M is BenchmarkVerify1M through Verify and an in-memory Store, which sizes the
// tree and id index from the store's head.
func BenchmarkVerifyStore1M(b *testing.B) {
	events, tree := benchLedger(b)
	want, err := tree.Root(benchSize)
	require.NoError(b, err)
	store := withEvents(events)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rep, err := audit.Verify(context.Background(), store, nil)
		require.NoError(b, err)
		require.True(b, rep.Intact)
		require.Equal(b, want, rep.Root)
	}
	b.ReportMetric(float64(benchSize)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkTreeAppend1M builds the tree alone: 1M leaves appended one by one.
func BenchmarkTreeAppend1M(b *testing.B) {
	events, _ := benchLedger(b)
	hashes := hashesOf(events)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		t := audit.NewTree(0)
		for _, h := range hashes {
			t.Append(h)
		}
	}
}

// BenchmarkInclusionProof1M makes and checks one inclusion proof for a random event in a 1M tree, at
// the full size and at a random earlier size.
func BenchmarkInclusionProof1M(b *testing.B) {
	_, tree := benchLedger(b)
	r := rand.New(rand.NewPCG(1, 2))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		size := benchSize - r.Uint64N(1000)
		index := r.Uint64N(size)
		path, err := tree.InclusionProof(index, size)
		if err != nil {
			b.Fatal(err)
		}
		_ = path
	}
}

// BenchmarkInclusionProofAndVerify1M adds the root at that size and the offline check.
func BenchmarkInclusionProofAndVerify1M(b *testing.B) {
	_, tree := benchLedger(b)
	r := rand.New(rand.NewPCG(1, 2))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		size := benchSize - r.Uint64N(1000)
		index := r.Uint64N(size)
		path, err := tree.InclusionProof(index, size)
		if err != nil {
			b.Fatal(err)
		}
		root, _ := tree.Root(size)
		leaf, _ := tree.LeafAt(index)
		if err := audit.VerifyInclusion(index, size, leaf, path, root); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkConsistencyProof1M makes and checks a consistency proof between two random sizes of a 1M tree.
func BenchmarkConsistencyProof1M(b *testing.B) {
	_, tree := benchLedger(b)
	r := rand.New(rand.NewPCG(3, 4))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		second := benchSize - r.Uint64N(1000)
		first := 1 + r.Uint64N(second)
		proof, err := tree.ConsistencyProof(first, second)
		if err != nil {
			b.Fatal(err)
		}
		r1, _ := tree.Root(first)
		r2, _ := tree.Root(second)
		if err := audit.VerifyConsistency(first, second, r1, r2, proof); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRoot1M computes the root at a random earlier size of a 1M tree.
func BenchmarkRoot1M(b *testing.B) {
	_, tree := benchLedger(b)
	r := rand.New(rand.NewPCG(5, 6))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := tree.Root(1 + r.Uint64N(benchSize)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSignTreeHead signs one tree head (Ed25519).
func BenchmarkSignTreeHead(b *testing.B) {
	key := testKey(1)
	_, tree := benchLedger(b)
	root, _ := tree.Root(benchSize)
	events := benchEvents
	b.ReportAllocs()
	for b.Loop() {
		key.Sign(benchSize, root, events[benchSize-1].RecordedAt)
	}
}

// BenchmarkReadExport100k decodes 100k export lines and verifies them (VerifyExport).
func BenchmarkReadExport100k(b *testing.B) {
	events, _ := benchLedger(b)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for _, e := range events[:100_000] {
		require.NoError(b, enc.Encode(e))
	}
	b.SetBytes(int64(buf.Len()))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rep, err := audit.VerifyExport(context.Background(), bytes.NewReader(buf.Bytes()), audit.VerifyOptions{})
		require.NoError(b, err)
		require.True(b, rep.Intact)
	}
}

// BenchmarkLogCatchUp1M feeds 1M events to a Log, as Run does when a server starts on a full ledger.
func BenchmarkLogCatchUp1M(b *testing.B) {
	events, _ := benchLedger(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		log := audit.NewLog(nil, testKey(1))
		for _, e := range events {
			if err := log.Add(e); err != nil {
				b.Fatal(err)
			}
		}
	}
}
