package witness_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	tlog "github.com/transparency-dev/formats/log"
	"golang.org/x/mod/sumdb/note"

	"github.com/partnership-ledger/ledger/witness"
)

// Quorum.Check counts only cosignatures that verify under the pinned witnesses' cosignature/v1 keys,
// names those missing (absent, or altered), and reads each cosignature's time; ParseQuorum refuses
// bad keys, a witness twice and a quorum out of range.
func TestQuorumCheck(t *testing.T) {
	skey, _, err := note.GenerateKey(nil, "ledger.example/q")
	require.NoError(t, err)
	ledger, err := note.NewSigner(skey)
	require.NoError(t, err)
	w1, err := witness.NewKey("witness.example/w1")
	require.NoError(t, err)
	w2, err := witness.NewKey("witness.example/w2")
	require.NoError(t, err)
	w3, err := witness.NewKey("witness.example/w3")
	require.NoError(t, err)
	text := string(tlog.Checkpoint{Origin: "ledger.example/q", Size: 3, Hash: make([]byte, 32)}.Marshal())
	signed, err := note.Sign(&note.Note{Text: text}, ledger, w1.Signer(), w2.Signer())
	require.NoError(t, err)

	q, err := witness.ParseQuorum([]string{w1.VerifierKey(), w2.VerifierKey(), w3.VerifierKey()}, 2)
	require.NoError(t, err)
	cosigned, missing, met := q.Check(signed)
	assert.True(t, met)
	require.Len(t, cosigned, 2)
	assert.Equal(t, "witness.example/w1", cosigned[0].Witness)
	assert.Equal(t, "witness.example/w2", cosigned[1].Witness)
	assert.False(t, cosigned[0].Time.IsZero())
	assert.Equal(t, []string{"witness.example/w3"}, missing)

	all, err := witness.ParseQuorum([]string{w1.VerifierKey(), w2.VerifierKey(), w3.VerifierKey()}, 0)
	require.NoError(t, err)
	assert.Equal(t, 3, all.N, "0 is all of them")
	_, _, met = all.Check(signed)
	assert.False(t, met)

	// w2's cosignature altered: it no longer counts.
	lines := strings.Split(string(signed), "\n")
	for i, l := range lines {
		if sig, ok := strings.CutPrefix(l, "— witness.example/w2 "); ok {
			b := mustB64(t, sig)
			b[len(b)-1] ^= 1 // the Ed25519 signature's last byte: still base64, no longer valid
			lines[i] = "— witness.example/w2 " + base64.StdEncoding.EncodeToString(b)
		}
	}
	cosigned, missing, met = q.Check([]byte(strings.Join(lines, "\n")))
	assert.False(t, met)
	assert.Len(t, cosigned, 1)
	assert.Equal(t, []string{"witness.example/w2", "witness.example/w3"}, missing)

	for _, bad := range []struct {
		vkeys []string
		n     int
		want  string
	}{
		{[]string{"junk"}, 1, "a witness key is NAME+HASH+KEY"},
		{[]string{w1.VerifierKey(), w1.VerifierKey()}, 0, "given twice"},
		{nil, 1, "a quorum needs witnesses"},
		{[]string{w1.VerifierKey()}, 2, "the quorum must be 1 to 1"},
		{[]string{w1.VerifierKey()}, -1, "the quorum must be 1 to 1"},
	} {
		_, err := witness.ParseQuorum(bad.vkeys, bad.n)
		require.Error(t, err)
		assert.Contains(t, err.Error(), bad.want)
	}
	empty, err := witness.ParseQuorum(nil, 0)
	require.NoError(t, err)
	_, _, met = empty.Check(signed)
	assert.True(t, met, "no witnesses pinned: nothing required")
}
