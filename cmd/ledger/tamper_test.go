package main

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bbolt "go.etcd.io/bbolt"
)

// TestVerifyCatchesEveryRandomByteFlip flips one random byte of one random stored event in a copy of
// the demo ledger's bbolt file, 100 times, and checks that `ledger verify` exits 1 every time.
func TestVerifyCatchesEveryRandomByteFlip(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 7))
	store := seeded(t)
	pristine, err := os.ReadFile(strings.TrimPrefix(store, "bolt:"))
	require.NoError(t, err)
	dir := t.TempDir()
	for trial := range 100 {
		path := filepath.Join(dir, "trial.db")
		require.NoError(t, os.WriteFile(path, pristine, 0o600))
		db, err := bbolt.Open(path, 0o600, nil)
		require.NoError(t, err)
		var seq uint64
		var at int
		require.NoError(t, db.Update(func(tx *bbolt.Tx) error {
			b := tx.Bucket([]byte("events"))
			n := b.Stats().KeyN
			seq = uint64(1 + rng.IntN(n))
			k := binary.BigEndian.AppendUint64(nil, seq)
			v := append([]byte(nil), b.Get(k)...)
			at = rng.IntN(len(v))
			v[at] ^= byte(1 + rng.IntN(255))
			return b.Put(k, v)
		}))
		require.NoError(t, db.Close())
		r := ledger(t, nil, "verify", "--store", "bolt:"+path)
		assert.Equal(t, 1, r.code, "trial %d: byte %d of event seq %d flipped, verify said %q %q", trial, at, seq, r.stdout, r.stderr)
		assert.Regexp(t, fmt.Sprintf(`(seq|want) %d\b`, seq), r.stdout+r.stderr, "trial %d: the message names the event", trial)
	}
}
