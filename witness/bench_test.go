package witness_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/mod/sumdb/note"

	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/witness"
)

// BenchmarkAddCheckpoint: one add-checkpoint, in process, each one event larger than the last: parse
// the body, verify the log's signature, the consistency proof (17 hashes at 100,000 events), cosign,
// and record it in the bbolt state (one fsync'd transaction).
func BenchmarkAddCheckpoint(b *testing.B) {
	signer, vkey := newLogKey(b, origin)
	log := &history{tree: audit.NewTree(0), signer: signer}
	log.grow("a", 100_000)
	v, err := witness.ParseLogKey(vkey)
	require.NoError(b, err)
	st, err := witness.CreateState(b.TempDir())
	require.NoError(b, err)
	defer st.Close()
	w := witness.New(newWitnessKey(b).Signer(), []note.Verifier{v}, st)
	_, err = w.AddCheckpoint(log.request(b, 0, 100_000).Marshal())
	require.NoError(b, err)
	bodies := make([][]byte, b.N)
	size := uint64(100_000)
	log.grow("b", b.N)
	for i := range bodies {
		bodies[i] = log.request(b, size+uint64(i), size+uint64(i)+1).Marshal()
	}
	b.ResetTimer()
	for i := range bodies {
		if _, err := w.AddCheckpoint(bodies[i]); err != nil {
			b.Fatal(err)
		}
	}
}
