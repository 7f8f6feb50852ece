package witness_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/mod/sumdb/note"

	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/fault"
	"github.com/partnership-ledger/ledger/witness"
)

// FuzzParseAddCheckpoint: no body panics the parser; what it reads writes back to the same bytes
// (one reading, one writing of the format).
func FuzzParseAddCheckpoint(f *testing.F) {
	f.Add([]byte("old 0\n\nlog\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n— log AAAAAAAA\n"))
	f.Add([]byte("old 20852014\nPlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n\nx\n"))
	f.Add([]byte("old 01\n\n"))
	f.Add([]byte("old 18446744073709551616\n\nx"))
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := witness.ParseAddCheckpoint(body)
		if err != nil {
			assert.Equal(t, fault.Malformed, fault.KindOf(err))
			return
		}
		assert.Equal(t, body, req.Marshal())
	})
}

// FuzzAddCheckpoint: whatever the body, a witness answers with a cosignature or an error for people
// of a tlog-witness kind, never a panic, and changes its state only when it cosigns.
func FuzzAddCheckpoint(f *testing.F) {
	signer, vkey := newLogKey(f, origin)
	log := &history{tree: audit.NewTree(0), signer: signer}
	log.grow("a", 9)
	f.Add(log.request(f, 0, 3).Marshal())
	f.Add(log.request(f, 3, 9).Marshal())
	f.Add(log.request(f, 0, 0).Marshal())
	f.Add([]byte("old 3\n\n" + origin + "\n3\nAAAA\n\n— x y\n"))
	v, err := witness.ParseLogKey(vkey)
	require.NoError(f, err)
	st, err := witness.CreateState(f.TempDir())
	require.NoError(f, err)
	f.Cleanup(func() { st.Close() })
	w := witness.New(newWitnessKey(f).Signer(), []note.Verifier{v}, st)
	f.Fuzz(func(t *testing.T, body []byte) {
		before, _, err := st.Latest(origin)
		require.NoError(t, err)
		cosigs, err := w.AddCheckpoint(body)
		after, _, err2 := st.Latest(origin)
		require.NoError(t, err2)
		if err != nil {
			var conflict *witness.ConflictError
			if !errors.As(err, &conflict) {
				assert.Contains(t, []fault.Kind{fault.Malformed, fault.Forbidden, fault.NotFound, fault.Unprocessable}, fault.KindOf(err), "%v", err)
			}
			assert.Equal(t, before, after, "a refusal changes nothing")
			return
		}
		assert.True(t, bytes.HasPrefix(cosigs, []byte("— ")), "%q", cosigs)
		assert.True(t, bytes.HasSuffix(after, cosigs), "the state holds what was cosigned")
	})
}
