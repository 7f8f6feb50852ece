package witness_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/mod/sumdb/note"

	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/witness"
)

// The ledger's client takes no answer of a witness on trust: only cosignatures that verify under the
// pinned key are returned; anything else is an error (never a panic), and a redirect is not followed.
func TestRemoteTrustsNoAnswer(t *testing.T) {
	signer, vkey := newLogKey(t, origin)
	log := &history{tree: audit.NewTree(0), signer: signer}
	log.grow("a", 4)
	req := log.request(t, 0, 4)

	// A real cosignature by another witness key, and by the pinned one, to replay.
	pinned, other := newWitnessKey(t), newWitnessKey(t)
	cosign := func(k witness.Key) string {
		n, err := note.Open(req.Checkpoint, note.VerifierList(mustLogVerifier(t, vkey)))
		require.NoError(t, err)
		signed, err := note.Sign(&note.Note{Text: n.Text}, k.Signer())
		require.NoError(t, err)
		return string(signed[len(n.Text)+1:])
	}
	good, stranger := cosign(pinned), cosign(other)
	tampered := []byte(good)
	tampered[len(tampered)-10] ^= 1

	for _, tc := range []struct {
		name   string
		status int
		body   string
		want   string
	}{
		{"a cosignature by another key", 200, stranger, "no cosignature by its pinned key"},
		{"a cosignature that does not verify", 200, string(tampered), "does not verify"},
		{"not signature lines", 200, "hello\n", "does not verify"},
		{"nothing", 200, "", "no cosignature by its pinned key"},
		{"409 without a size", 409, "many\n", "without a size"},
		{"409 with a leading zero", 409, "07\n", "without a size"},
		{"a refusal", 422, `{"type":"/problems/unprocessable"}`, "answered 422"},
		{"a redirect", 302, "", "answered 302"},
		{"too long", 200, strings.Repeat("— x y\n", witness.MaxResponseBytes), "over"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tc.status == 302 {
					w.Header().Set("Location", "http://127.0.0.1:1/elsewhere")
				}
				w.WriteHeader(tc.status)
				w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			remote, err := witness.ParseRemote(pinned.VerifierKey() + "@" + srv.URL)
			require.NoError(t, err)
			hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			sigs, err := remote.AddCheckpoint(context.Background(), hc, req)
			assert.Empty(t, sigs)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	// The genuine answer, with a stranger's line beside it: only the pinned key's is kept.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(stranger + good))
	}))
	defer srv.Close()
	remote, err := witness.ParseRemote(pinned.VerifierKey() + "@" + srv.URL)
	require.NoError(t, err)
	sigs, err := remote.AddCheckpoint(context.Background(), http.DefaultClient, req)
	require.NoError(t, err)
	require.Len(t, sigs, 1)
	assert.Equal(t, pinned.Name(), sigs[0].Name)
}

func mustLogVerifier(t *testing.T, vkey string) note.Verifier {
	v, err := witness.ParseLogKey(vkey)
	require.NoError(t, err)
	return v
}
