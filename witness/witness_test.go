package witness_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	tlog "github.com/transparency-dev/formats/log"
	fnote "github.com/transparency-dev/formats/note"
	"go.etcd.io/bbolt"
	"golang.org/x/mod/sumdb/note"

	"github.com/partnership-ledger/ledger/api"
	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/witness"
)

const origin = "ledger.example/great-yarmouth-north-norfolk"

// history is a log: a Merkle tree (package audit's) over made-up event hashes, and the key that signs
// its checkpoints. Two histories with one key and origin are a fork.
type history struct {
	tree   *audit.Tree
	signer note.Signer
}

func newLogKey(t testing.TB, name string) (note.Signer, string) {
	t.Helper()
	skey, vkey, err := note.GenerateKey(nil, name)
	require.NoError(t, err)
	s, err := note.NewSigner(skey)
	require.NoError(t, err)
	return s, vkey
}

// grow appends n events whose hashes are made from tag and their index.
func (h *history) grow(tag string, n int) {
	for i := 0; i < n; i++ {
		h.tree.Append(sha256.Sum256([]byte(fmt.Sprintf("%s-%d", tag, h.tree.Size()))))
	}
}

// checkpoint is the signed checkpoint of the tree at size.
func (h *history) checkpoint(t testing.TB, size uint64) []byte {
	t.Helper()
	root, err := h.tree.Root(size)
	require.NoError(t, err)
	text := tlog.Checkpoint{Origin: origin, Size: size, Hash: root[:]}.Marshal()
	signed, err := note.Sign(&note.Note{Text: string(text)}, h.signer)
	require.NoError(t, err)
	return signed
}

func (h *history) proof(t testing.TB, from, to uint64) [][]byte {
	t.Helper()
	if from == 0 || from == to {
		return nil
	}
	p, err := h.tree.ConsistencyProof(from, to)
	require.NoError(t, err)
	out := make([][]byte, len(p))
	for i := range p {
		out[i] = p[i][:]
	}
	return out
}

func (h *history) request(t testing.TB, old, size uint64) witness.AddCheckpointRequest {
	return witness.AddCheckpointRequest{OldSize: old, Proof: h.proof(t, old, size), Checkpoint: h.checkpoint(t, size)}
}

// fixture is a witness served over HTTP (api.NewWitnessServer) with its state in dir.
type fixture struct {
	dir    string
	key    witness.Key
	logKey string
	state  *witness.State
	srv    *httptest.Server
	remote witness.Remote
}

func startWitness(t *testing.T, dir string, key witness.Key, logKeys ...string) *fixture {
	t.Helper()
	var vs []note.Verifier
	for _, k := range logKeys {
		v, err := witness.ParseLogKey(k)
		require.NoError(t, err)
		vs = append(vs, v)
	}
	st, err := witness.OpenState(dir, func(path string, opts *bbolt.Options) (*bbolt.DB, error) { return bbolt.Open(path, 0o600, opts) })
	if errors.Is(err, fs.ErrNotExist) {
		st, err = witness.CreateState(dir)
	}
	require.NoError(t, err)
	srv := httptest.NewServer(api.NewWitnessServer(witness.New(key.Signer(), vs, st), nil))
	remote, err := witness.ParseRemote(key.VerifierKey() + "@" + srv.URL)
	require.NoError(t, err)
	f := &fixture{dir: dir, key: key, logKey: logKeys[0], state: st, srv: srv, remote: remote}
	t.Cleanup(f.stop)
	return f
}

func (f *fixture) stop() {
	f.srv.Close()
	f.state.Close()
}

// post sends a raw body and returns the status, content type and body of the answer.
func (f *fixture) post(t testing.TB, body []byte) (int, string, string) {
	t.Helper()
	res, err := http.Post(f.srv.URL+"/add-checkpoint", "text/plain", bytes.NewReader(body))
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, res.Header.Get("Content-Type"), string(b)
}

func newWitnessKey(t testing.TB) witness.Key {
	k, err := witness.NewKey("witness.great-yarmouth.example/w1")
	require.NoError(t, err)
	return k
}

// The witness cosigns a log's first checkpoint and every later one that extends it, returns 409 with
// its size for a stale old size, refuses a second history under the same key (a fork) with 422, and
// remembers what it cosigned across a restart.
func TestWitnessCosignsExtensionsAndRefusesForks(t *testing.T) {
	ctx := context.Background()
	signer, vkey := newLogKey(t, origin)
	log := &history{tree: audit.NewTree(0), signer: signer}
	fork := &history{tree: audit.NewTree(0), signer: signer} // the same key, another history
	log.grow("a", 3)
	fork.grow("a", 3) // the same first three events
	log.grow("b", 4)
	fork.grow("forged", 6)

	dir := t.TempDir()
	wkey := newWitnessKey(t)
	f := startWitness(t, dir, wkey, vkey)

	// First sight: old 0, no proof.
	sigs, err := f.remote.AddCheckpoint(ctx, http.DefaultClient, log.request(t, 0, 3))
	require.NoError(t, err)
	require.Len(t, sigs, 1)
	assert.Equal(t, wkey.Signer().Name(), sigs[0].Name)
	ts, err := fnote.CoSigV1Timestamp(sigs[0])
	require.NoError(t, err)
	assert.NotZero(t, ts.Unix(), "a cosignature/v1 carries its signing time")

	// The cosignature verifies under the pinned vkey with transparency-dev's own verifier.
	v, err := fnote.NewVerifierForCosignatureV1(wkey.VerifierKey())
	require.NoError(t, err)
	cosigned := append(log.checkpoint(t, 3), []byte("— "+sigs[0].Name+" "+sigs[0].Base64+"\n")...)
	_, err = note.Open(cosigned, note.VerifierList(v))
	require.NoError(t, err)

	// An extension with its consistency proof.
	_, err = f.remote.AddCheckpoint(ctx, http.DefaultClient, log.request(t, 3, 7))
	require.NoError(t, err)

	// A stale old size: 409, text/x.tlog.size, the size held.
	status, ctype, body := f.post(t, log.request(t, 3, 7).Marshal())
	assert.Equal(t, http.StatusConflict, status)
	assert.Equal(t, "text/x.tlog.size", ctype)
	assert.Equal(t, "7\n", body)
	_, err = f.remote.AddCheckpoint(ctx, http.DefaultClient, log.request(t, 0, 7))
	var conflict *witness.ConflictError
	require.ErrorAs(t, err, &conflict)
	assert.Equal(t, uint64(7), conflict.Size)

	// The fork: a larger tree whose proof from the held size cannot link the held root...
	req := fork.request(t, 7, 9)
	status, ctype, body = f.post(t, req.Marshal())
	assert.Equal(t, http.StatusUnprocessableEntity, status, body)
	assert.Equal(t, "application/problem+json", ctype)
	assert.Contains(t, body, "not an extension")
	// ... nor the fork's tree at the held size.
	status, _, _ = f.post(t, fork.request(t, 7, 7).Marshal())
	assert.Equal(t, http.StatusUnprocessableEntity, status, "same size, another root")
	// The witness still holds the true log at 7.
	status, _, body = f.post(t, log.request(t, 0, 7).Marshal())
	assert.Equal(t, http.StatusConflict, status)
	assert.Equal(t, "7\n", body)

	// The monitoring route serves the checkpoint it cosigned, with both signatures.
	res, err := http.Get(f.srv.URL + "/" + witness.OriginHash(origin) + "/checkpoint")
	require.NoError(t, err)
	served, _ := io.ReadAll(res.Body)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	logV, err := note.NewVerifier(vkey)
	require.NoError(t, err)
	n, err := note.Open(served, note.VerifierList(logV, v))
	require.NoError(t, err)
	assert.Len(t, n.Sigs, 2, "the log's signature and the witness's")
	assert.Equal(t, string(tlog.Checkpoint{Origin: origin, Size: 7, Hash: mustRoot(t, log, 7)}.Marshal()), n.Text)

	// Restart: a new witness over the same state file remembers size 7 and goes on from it.
	f.stop()
	g := startWitness(t, dir, wkey, vkey)
	status, _, body = g.post(t, log.request(t, 0, 7).Marshal())
	assert.Equal(t, http.StatusConflict, status)
	assert.Equal(t, "7\n", body)
	status, _, _ = g.post(t, fork.request(t, 7, 9).Marshal())
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	log.grow("c", 2)
	_, err = g.remote.AddCheckpoint(ctx, http.DefaultClient, log.request(t, 7, 9))
	require.NoError(t, err)
}

func mustRoot(t testing.TB, h *history, size uint64) []byte {
	r, err := h.tree.Root(size)
	require.NoError(t, err)
	return r[:]
}

// Every refusal of tlog-witness has its status; nothing refused changes what the witness holds.
func TestWitnessStatuses(t *testing.T) {
	signer, vkey := newLogKey(t, origin)
	log := &history{tree: audit.NewTree(0), signer: signer}
	log.grow("a", 5)
	f := startWitness(t, t.TempDir(), newWitnessKey(t), vkey)
	good := log.request(t, 0, 5)

	otherSigner, _ := newLogKey(t, origin) // same name, another key
	impostor := &history{tree: log.tree, signer: otherSigner}
	strangerSigner, _ := newLogKey(t, "stranger.example/log")
	stranger := &history{tree: log.tree, signer: strangerSigner}
	strangerCP := stranger.checkpoint(t, 5)
	strangerCP = bytes.Replace(strangerCP, []byte(origin), []byte("stranger.example/log"), 1) // text names it

	// The log's signature with one bit of the Ed25519 signature flipped (its key hash kept).
	text, sigLine, _ := strings.Cut(string(good.Checkpoint), "\n\n")
	name, b64, _ := strings.Cut(strings.TrimSuffix(strings.TrimPrefix(sigLine, "— "), "\n"), " ")
	sig := mustB64(t, b64)
	sig[10] ^= 1
	tampered := []byte(text + "\n\n— " + name + " " + base64.StdEncoding.EncodeToString(sig) + "\n")
	emptyRoot := func() []byte {
		text := tlog.Checkpoint{Origin: origin, Size: 0, Hash: make([]byte, 32)}.Marshal()
		b, err := note.Sign(&note.Note{Text: string(text)}, signer)
		require.NoError(t, err)
		return b
	}()

	for _, tc := range []struct {
		name   string
		body   []byte
		status int
	}{
		{"no old line", []byte("5\n\n" + string(good.Checkpoint)), 400},
		{"old with a leading zero", []byte("old 00\n\n" + string(good.Checkpoint)), 400},
		{"old not a number", []byte("old x\n\n" + string(good.Checkpoint)), 400},
		{"a proof line that is not a hash", []byte("old 0\nnot base64!\n\n" + string(good.Checkpoint)), 400},
		{"no empty line", []byte("old 0\n"), 400},
		{"no checkpoint", []byte("old 0\n\n"), 400},
		{"not a note", []byte("old 0\n\n" + origin + "\n5\n"), 400},
		{"a checkpoint starting with an empty line", []byte("old 0\n\n\n" + string(good.Checkpoint)), 400},
		{"old above the checkpoint's size", witness.AddCheckpointRequest{OldSize: 6, Proof: [][]byte{make([]byte, 32)}, Checkpoint: good.Checkpoint}.Marshal(), 400},
		{"an unknown origin", witness.AddCheckpointRequest{Checkpoint: strangerCP}.Marshal(), 404},
		{"signed by another key of the same name", witness.AddCheckpointRequest{Checkpoint: impostor.checkpoint(t, 5)}.Marshal(), 403},
		{"a signature that does not verify", witness.AddCheckpointRequest{Checkpoint: tampered}.Marshal(), 403},
		{"size 0 with another root", witness.AddCheckpointRequest{Checkpoint: emptyRoot}.Marshal(), 422},
		{"a proof from size 0", witness.AddCheckpointRequest{Proof: [][]byte{make([]byte, 32)}, Checkpoint: good.Checkpoint}.Marshal(), 422},
		{"64 proof lines", witness.AddCheckpointRequest{Proof: make64(), Checkpoint: good.Checkpoint}.Marshal(), 400},
		{"a body over the limit", append([]byte("old 0\n"), bytes.Repeat([]byte("A"), witness.MaxRequestBytes)...), 413},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, ctype, body := f.post(t, tc.body)
			assert.Equal(t, tc.status, status, body)
			assert.Equal(t, "application/problem+json", ctype)
		})
	}
	// Nothing was held: the good checkpoint is still a first sight. It carries 150 signatures by keys
	// the witness does not know, which tlog-witness says it must ignore (more than note.Open's 100).
	crowded := good
	crowded.Checkpoint = bytes.Clone(good.Checkpoint)
	for i := range 150 {
		crowded.Checkpoint = fmt.Appendf(crowded.Checkpoint, "— unknown.example/k%d %s\n", i, base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{byte(i)}, 72)))
	}
	status, ctype, body := f.post(t, crowded.Marshal())
	assert.Equal(t, 200, status, body)
	assert.Equal(t, "text/plain; charset=utf-8", ctype)
	assert.True(t, strings.HasPrefix(body, "— witness.great-yarmouth.example/w1 "), body)
	// Unknown routes and the monitoring route of an unknown log are 404 problems.
	for _, path := range []string{"/nothing", "/" + witness.OriginHash("stranger.example/log") + "/checkpoint"} {
		res, err := http.Get(f.srv.URL + path)
		require.NoError(t, err)
		res.Body.Close()
		assert.Equal(t, 404, res.StatusCode, path)
	}
	// Another method on a witness path is 405 with Allow, as a problem.
	for _, tc := range []struct{ method, path, allow string }{
		{http.MethodGet, "/add-checkpoint", "POST"},
		{http.MethodPut, "/add-checkpoint", "POST"},
		{http.MethodPost, "/" + witness.OriginHash(origin) + "/checkpoint", "GET, HEAD"},
	} {
		req, err := http.NewRequest(tc.method, f.srv.URL+tc.path, nil)
		require.NoError(t, err)
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		res.Body.Close()
		assert.Equal(t, 405, res.StatusCode, tc.path)
		assert.Equal(t, tc.allow, res.Header.Get("Allow"), tc.path)
		assert.Equal(t, "application/problem+json", res.Header.Get("Content-Type"), tc.path)
	}
}

func make64() [][]byte {
	p := make([][]byte, 64)
	for i := range p {
		p[i] = make([]byte, 32)
	}
	return p
}

// Two requests from the same old size for one log: exactly one advances it, the other gets 409
// (tlog-witness: the check of the old size and the update are one atomic step).
func TestWitnessAdvancesOnceUnderRace(t *testing.T) {
	signer, vkey := newLogKey(t, origin)
	log := &history{tree: audit.NewTree(0), signer: signer}
	log.grow("a", 40)
	f := startWitness(t, t.TempDir(), newWitnessKey(t), vkey)
	_, err := f.remote.AddCheckpoint(context.Background(), http.DefaultClient, log.request(t, 0, 10))
	require.NoError(t, err)

	const n = 12
	bodies := make([][]byte, n)
	for i := range bodies {
		bodies[i] = log.request(t, 10, uint64(11+i)).Marshal()
	}
	statuses := make([]int, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			statuses[i], _, _ = f.post(t, bodies[i])
		}()
	}
	close(start)
	wg.Wait()
	ok, conflicts := 0, 0
	winner := 0
	for i, s := range statuses {
		switch s {
		case 200:
			ok++
			winner = 11 + i
		case 409:
			conflicts++
		}
	}
	assert.Equal(t, 1, ok, "exactly one advanced the log: %v", statuses)
	assert.Equal(t, n-1, conflicts, "%v", statuses)
	status, _, body := f.post(t, log.request(t, 0, 40).Marshal())
	assert.Equal(t, 409, status)
	assert.Equal(t, fmt.Sprintf("%d\n", winner), body, "the witness holds the winner's size")
}

// Keys: a witness's vkey is the cosignature/v1 vkey of transparency-dev/formats (same key id), its
// private text reads back, and a mistyped vkey or key id is refused.
func TestWitnessKeys(t *testing.T) {
	k := newWitnessKey(t)
	v, err := witness.ParseVerifierKey(k.VerifierKey())
	require.NoError(t, err)
	assert.Equal(t, k.Signer().KeyHash(), v.KeyHash())
	assert.Equal(t, k.Name(), v.Name())

	path := t.TempDir() + "/w.key"
	made, err := witness.CreateKeyFile(path, "witness.example/w2")
	require.NoError(t, err)
	_, err = witness.CreateKeyFile(path, "witness.example/w2")
	require.Error(t, err, "a key file is never replaced")
	b, err := audit.ReadFileAtMost(path, audit.MaxKeyFileBytes)
	require.NoError(t, err)
	again, err := witness.ParseKey(strings.TrimSpace(string(b)))
	require.NoError(t, err)
	assert.Equal(t, made.VerifierKey(), again.VerifierKey())

	vk := k.VerifierKey()
	parts := strings.SplitN(vk, "+", 3)
	wrongID := parts[0] + "+00000000+" + parts[2]
	for _, bad := range []string{"", "x", wrongID, parts[0] + "+" + parts[1], "a b+" + parts[1] + "+" + parts[2]} {
		_, err := witness.ParseVerifierKey(bad)
		assert.ErrorIs(t, err, audit.ErrBadKey, bad)
	}
	for _, bad := range []string{"", "with space", "a+b", "tab\there", "x\x00y"} {
		_, err := witness.NewKey(bad)
		assert.Error(t, err, "%q", bad)
	}
	_, err = witness.ParseRemote(vk + "@ftp://x")
	assert.Error(t, err)
	_, err = witness.ParseRemote(vk)
	assert.Error(t, err)
	r, err := witness.ParseRemote(vk + "@http://127.0.0.1:8090/")
	require.NoError(t, err)
	assert.Equal(t, "http://127.0.0.1:8090", r.URL)
}

// A cosignature is Ed25519 over "cosignature/v1\ntime T\n" and the checkpoint's text
// (c2sp.org/tlog-cosignature), checked here byte by byte, not only through the library.
func TestCosignatureBytes(t *testing.T) {
	signer, vkey := newLogKey(t, origin)
	log := &history{tree: audit.NewTree(0), signer: signer}
	log.grow("a", 2)
	k := newWitnessKey(t)
	f := startWitness(t, t.TempDir(), k, vkey)
	sigs, err := f.remote.AddCheckpoint(context.Background(), http.DefaultClient, log.request(t, 0, 2))
	require.NoError(t, err)
	raw := mustB64(t, sigs[0].Base64)
	require.Len(t, raw, 4+8+64)
	assert.Equal(t, k.Signer().KeyHash(), binary.BigEndian.Uint32(raw))
	ts := binary.BigEndian.Uint64(raw[4:])
	text := string(tlog.Checkpoint{Origin: origin, Size: 2, Hash: mustRoot(t, log, 2)}.Marshal())
	msg := fmt.Sprintf("cosignature/v1\ntime %d\n%s", ts, text)
	pub := mustB64(t, strings.SplitN(k.VerifierKey(), "+", 3)[2])[1:]
	assert.True(t, ed25519Verify(pub, []byte(msg), raw[12:]))
	assert.False(t, ed25519Verify(pub, []byte(msg+"x"), raw[12:]))
}
