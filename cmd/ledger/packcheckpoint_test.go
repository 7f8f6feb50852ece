package main

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/witness"
)

// A pack built on a ledger without witnesses embeds the ledger's checkpoint at its size and says it
// has no witness quorum yet; verify-pack checks it, and with --witness requires cosignatures: a pack
// without them is refused in one line naming the witness missing (exit 1); bad witness flags are bad
// input (exit 2). The pack still rebuilds byte for byte.
func TestVerifyPackRequiresTheWitnessQuorum(t *testing.T) {
	store, pub := packLedger(t)
	dir := filepath.Join(t.TempDir(), "pack")
	again := filepath.Join(t.TempDir(), "again")
	for _, out := range []string{dir, again} {
		r := ledger(t, nil, "pack", "--store", store, "--partnership", "gy-nn", "--as-of", "2016-06-30", "--format", "md,json", "-o", out)
		require.Equal(t, 0, r.code, r.stderr)
	}
	assert.Equal(t, mustRead(t, filepath.Join(dir, "pack.json")), mustRead(t, filepath.Join(again, "pack.json")), "reproducible byte for byte")

	ok := ledger(t, nil, "verify-pack", dir, "--key", pub)
	require.Equal(t, 0, ok.code, ok.stdout+ok.stderr)
	assert.Contains(t, ok.stdout, "  checkpoint of size 2 (root ")
	assert.Contains(t, ok.stdout, "covers the tree head; it had no witness quorum yet when the pack was built")
	assert.Contains(t, string(mustRead(t, filepath.Join(dir, "pack.md"))), "It has no witness quorum yet")

	w1, err := witness.NewKey("witness.great-yarmouth.example/ledger")
	require.NoError(t, err)
	w2, err := witness.NewKey("witness.north-norfolk.example/ledger")
	require.NoError(t, err)
	r := ledger(t, nil, "verify-pack", dir, "--key", pub, "--witness", w1.VerifierKey(), "--witness", w2.VerifierKey(), "--quorum", "1")
	assert.Equal(t, 1, r.code, r.stdout+r.stderr)
	oneLine(t, r, "no quorum")
	assert.Contains(t, r.stdout, "REFUSED: "+dir+": its checkpoint of size 2 is cosigned by none of the pinned witnesses: 1 of the pinned witnesses needed, 0 found; missing: witness.great-yarmouth.example/ledger, witness.north-norfolk.example/ledger")

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--witness", "junk"}, "verify-pack: --witness: a witness key is NAME+HASH+KEY"},
		{[]string{"--quorum", "1"}, "verify-pack: --witness: a quorum needs witnesses"},
		{[]string{"--witness", w1.VerifierKey(), "--quorum", "2"}, "verify-pack: --quorum: the quorum must be 1 to 1"},
		// Was "verify-pack: --quorum: the witness ... is given twice".
		{[]string{"--witness", w1.VerifierKey(), "--witness", w1.VerifierKey(), "--quorum", "1"}, "verify-pack: --witness: the witness witness.great-yarmouth.example/ledger is given twice"},
	} {
		r := ledger(t, nil, append([]string{"verify-pack", dir, "--key", pub}, tt.args...)...)
		failsInOneLine(t, r, 2, tt.want)
	}
}
