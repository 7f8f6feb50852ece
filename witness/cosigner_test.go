package witness_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/mod/sumdb/note"

	"github.com/partnership-ledger/ledger/api"
	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/eventstore/memstore"
	"github.com/partnership-ledger/ledger/witness"
)

const ledgerOrigin = "ledger.example.gov.uk/norfolk"

// ledgerSide is a ledger as the cosigner sees it: a tree, the key that signs its checkpoints and the
// store that keeps them.
type ledgerSide struct {
	key   audit.Key
	tree  *audit.Tree
	store *memstore.Store
}

func newLedgerSide(seed byte) *ledgerSide {
	return &ledgerSide{key: audit.KeyFromSeed(make32(seed)), tree: audit.NewTree(0), store: memstore.New(memstore.Options{})}
}

func make32(b byte) []byte {
	s := make([]byte, 32)
	for i := range s {
		s[i] = b
	}
	return s
}

// grow appends n events and stores the signed checkpoint of the new size.
func (l *ledgerSide) grow(t *testing.T, tag string, n int) uint64 {
	t.Helper()
	for range n {
		l.tree.Append(sha256.Sum256([]byte(fmt.Sprint(tag, l.tree.Size()))))
	}
	size := l.tree.Size()
	root, err := l.tree.Root(size)
	require.NoError(t, err)
	signed, err := l.key.SignCheckpoint(ledgerOrigin, size, root)
	require.NoError(t, err)
	require.NoError(t, l.store.PutCheckpoint(context.Background(), eventstore.Checkpoint{Size: size, Root: root, Note: signed}))
	return size
}

func (l *ledgerSide) vkey(t *testing.T) string {
	v, err := audit.VerifierKey(ledgerOrigin, l.key.Public())
	require.NoError(t, err)
	return v
}

// countingWitness is a witness over HTTP that counts its 409 answers.
type countingWitness struct {
	remote    witness.Remote
	conflicts atomic.Int32
}

func serveWitness(t *testing.T, logVKey string) *countingWitness {
	t.Helper()
	v, err := witness.ParseLogKey(logVKey)
	require.NoError(t, err)
	st, err := witness.CreateState(t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	k := newWitnessKey(t)
	cw := &countingWitness{}
	h := api.NewWitnessServer(witness.New(k.Signer(), []note.Verifier{v}, st), nil)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w}
		h.ServeHTTP(rec, r)
		if rec.status == http.StatusConflict {
			cw.conflicts.Add(1)
		}
	}))
	t.Cleanup(srv.Close)
	cw.remote, err = witness.ParseRemote(k.VerifierKey() + "@" + srv.URL)
	require.NoError(t, err)
	return cw
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) { r.status = code; r.ResponseWriter.WriteHeader(code) }

// rounds records what each round of a cosigner reported, for tests to wait on.
type rounds struct {
	mu      sync.Mutex
	best    map[uint64]int
	changed chan struct{}
}

func newRounds() *rounds { return &rounds{best: map[uint64]int{}, changed: make(chan struct{}, 1)} }

func (r *rounds) record(size uint64, n int) {
	r.mu.Lock()
	r.best[size] = max(r.best[size], n)
	r.mu.Unlock()
	select {
	case r.changed <- struct{}{}:
	default:
	}
}

// waitFor waits (at most 20 s) until a round reported n cosignatures of the checkpoint of size.
func (r *rounds) waitFor(t *testing.T, size uint64, n int) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		r.mu.Lock()
		got, ok := r.best[size]
		r.mu.Unlock()
		if ok && got >= n {
			return
		}
		select {
		case <-r.changed:
		case <-deadline:
			t.Fatalf("no round reached %d cosignatures of size %d (best %d)", n, size, got)
		}
	}
}

// startCosigner runs a cosigner for l until the test ends or stop is called.
func startCosigner(t *testing.T, l *ledgerSide, quorum int, ws ...witness.Remote) (c *witness.Cosigner, r *rounds, stop func()) {
	t.Helper()
	r = newRounds()
	c = &witness.Cosigner{Witnesses: ws, Quorum: quorum, Store: l.store, Latest: l.store.LatestCheckpoint,
		Proof: l.tree.ConsistencyProof, Retry: 20 * time.Millisecond, Round: r.record}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			assert.NoError(t, <-done)
		})
	}
	t.Cleanup(stop)
	return c, r, stop
}

// The cosigner gets each new checkpoint cosigned by the witnesses that answer, stores cosignatures
// that verify under their pinned keys, learns a witness's size from the cosignatures stored (after a
// restart) or from its 409, and keeps asking a witness that is down.
func TestCosignerGetsCheckpointsWitnessed(t *testing.T) {
	l := newLedgerSide(1)
	a, b := serveWitness(t, l.vkey(t)), serveWitness(t, l.vkey(t))
	var downCalls atomic.Int32
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		downCalls.Add(1)
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
	}))
	t.Cleanup(down.Close)
	downRemote, err := witness.ParseRemote(newWitnessKey(t).VerifierKey() + "@" + down.URL)
	require.NoError(t, err)
	ws := []witness.Remote{a.remote, b.remote, downRemote}

	size := l.grow(t, "a", 5)
	c, r, stop := startCosigner(t, l, 2, ws...)
	r.waitFor(t, size, 2)
	size = l.grow(t, "b", 4)
	c.Notify()
	r.waitFor(t, size, 2)

	ctx := context.Background()
	cp, err := l.store.CheckpointAt(ctx, size)
	require.NoError(t, err)
	assert.Equal(t, 2, witness.CountCosignatures(cp, ws))
	// What GET /checkpoint serves opens under the ledger's key and both witnesses' keys.
	logV, err := note.NewVerifier(l.vkey(t))
	require.NoError(t, err)
	n, err := note.Open(audit.WithCosignatures(cp), note.VerifierList(logV, a.remote.Key, b.remote.Key))
	require.NoError(t, err)
	assert.Len(t, n.Sigs, 3)
	assert.Zero(t, a.conflicts.Load()+b.conflicts.Load(), "the cosigner knew each witness's size")
	deadline := time.After(20 * time.Second)
	for downCalls.Load() < 3 {
		select {
		case <-r.changed:
		case <-deadline:
			t.Fatal("the cosigner does not retry the witness that is down")
		}
	}

	stop()

	// A new cosigner (a restarted server) learns each witness's size from the cosignatures stored.
	size = l.grow(t, "c", 3)
	_, r2, stop2 := startCosigner(t, l, 2, ws...)
	r2.waitFor(t, size, 2)
	stop2()
	assert.Zero(t, a.conflicts.Load()+b.conflicts.Load())

	// A ledger that lost its cosignatures (a new store with the same log) learns from the 409.
	l2 := &ledgerSide{key: l.key, tree: l.tree, store: memstore.New(memstore.Options{})}
	size = l2.grow(t, "d", 2)
	_, r3, _ := startCosigner(t, l2, 2, a.remote, b.remote)
	r3.waitFor(t, size, 2)
	assert.Equal(t, int32(1), a.conflicts.Load(), "one 409, then the proof from the size it held")
	assert.Equal(t, int32(1), b.conflicts.Load())
}

// A second history under the ledger's key is refused by a witness that cosigned the first: nothing
// is stored, and the cosigner logs it as an error naming the witness.
func TestCosignerForkIsRefused(t *testing.T) {
	l := newLedgerSide(2)
	a := serveWitness(t, l.vkey(t))
	size := l.grow(t, "true", 6)
	_, r, stop := startCosigner(t, l, 1, a.remote)
	r.waitFor(t, size, 1)
	stop()

	fork := &ledgerSide{key: l.key, tree: audit.NewTree(0), store: memstore.New(memstore.Options{})}
	fork.grow(t, "forged", 4)
	size = fork.grow(t, "forged", 5)
	var logs strings.Builder
	var mu sync.Mutex
	fr := newRounds()
	c := &witness.Cosigner{Witnesses: []witness.Remote{a.remote}, Quorum: 1, Store: fork.store, Latest: fork.store.LatestCheckpoint,
		Proof: fork.tree.ConsistencyProof, Retry: time.Hour, Round: fr.record,
		Logger: newTestLogger(&mu, &logs)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	fr.waitFor(t, size, 0)
	cancel()
	require.NoError(t, <-done)
	cp, err := fork.store.CheckpointAt(context.Background(), size)
	require.NoError(t, err)
	assert.Empty(t, cp.Cosignatures)
	mu.Lock()
	defer mu.Unlock()
	assert.Contains(t, logs.String(), "another history")
	assert.Contains(t, logs.String(), a.remote.Key.Name())
}

// Each witness is asked on its own: a witness that never answers (it hangs, and the cosigner's HTTP
// client would wait for it as long as it likes) delays neither the healthy witness nor the quorum it
// makes, checkpoint after checkpoint.
func TestCosignerHungWitnessDelaysNoOther(t *testing.T) {
	l := newLedgerSide(3)
	a := serveWitness(t, l.vkey(t))
	release := make(chan struct{})
	var hung atomic.Int32
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hung.Add(1)
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(slow.Close)
	t.Cleanup(func() { close(release) })
	slowRemote, err := witness.ParseRemote(newWitnessKey(t).VerifierKey() + "@" + slow.URL)
	require.NoError(t, err)

	r := newRounds()
	c := &witness.Cosigner{Witnesses: []witness.Remote{slowRemote, a.remote}, Quorum: 1, Store: l.store,
		Latest: l.store.LatestCheckpoint, Proof: l.tree.ConsistencyProof, Retry: time.Hour, Round: r.record,
		HTTP: &http.Client{}} // no timeout: only the test's end releases the hung witness
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	t.Cleanup(func() { cancel(); <-done })
	size := l.grow(t, "a", 3)
	go func() { done <- c.Run(ctx) }()
	r.waitFor(t, size, 1)
	for range 3 {
		size = l.grow(t, "b", 2)
		c.Notify()
		r.waitFor(t, size, 1)
	}
	assert.Equal(t, int32(1), hung.Load(), "the hung witness is still being asked its first time")
}

// A witness that answers 409 with a size larger than the ledger's checkpoint (here 2^64-1) backs it
// with nothing: the cosigner logs it as a misbehaving witness (not as another history), keeps
// nothing of it, and asks again at the next checkpoint, which the witness then cosigns.
func TestCosignerHugeConflictSizeIsNotKept(t *testing.T) {
	l := newLedgerSide(4)
	a := serveWitness(t, l.vkey(t))
	target, err := url.Parse(a.remote.URL)
	require.NoError(t, err)
	proxy := httputil.NewSingleHostReverseProxy(target)
	var lies atomic.Int32
	liar := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if lies.Add(1) == 1 {
			w.Header().Set("Content-Type", "text/x.tlog.size")
			w.WriteHeader(http.StatusConflict)
			fmt.Fprint(w, "18446744073709551615\n")
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(liar.Close)
	liarRemote, err := witness.ParseRemote(a.remote.VKey + "@" + liar.URL)
	require.NoError(t, err)

	var logs strings.Builder
	var mu sync.Mutex
	r := newRounds()
	c := &witness.Cosigner{Witnesses: []witness.Remote{liarRemote}, Quorum: 1, Store: l.store,
		Latest: l.store.LatestCheckpoint, Proof: l.tree.ConsistencyProof, Retry: time.Hour, Round: r.record,
		Logger: newTestLogger(&mu, &logs)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	t.Cleanup(func() { cancel(); <-done })
	size := l.grow(t, "a", 4)
	go func() { done <- c.Run(ctx) }()
	r.waitFor(t, size, 0)
	size = l.grow(t, "b", 3)
	c.Notify()
	r.waitFor(t, size, 1)
	mu.Lock()
	defer mu.Unlock()
	assert.Contains(t, logs.String(), "witness misbehaves")
	assert.Contains(t, logs.String(), "18446744073709551615")
	assert.NotContains(t, logs.String(), "another history")
}

// A witness's refusal reaches the ledger's log in full (an RFC 9457 problem's title and detail), up
// to witness.MaxRefusalBytes, on one line.
func TestRefusalIsReadable(t *testing.T) {
	l := newLedgerSide(5)
	long := strings.Repeat("the reason goes on ", 20) + "\n\x1b[2J" + strings.Repeat("x", 2000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusForbidden)
		detail, _ := json.Marshal(long)
		fmt.Fprintf(w, `{"type":"/problems/forbidden","title":"Forbidden","status":403,"detail":%s}`, detail)
	}))
	t.Cleanup(srv.Close)
	remote, err := witness.ParseRemote(newWitnessKey(t).VerifierKey() + "@" + srv.URL)
	require.NoError(t, err)
	size := l.grow(t, "a", 2)
	cp, err := l.store.CheckpointAt(context.Background(), size)
	require.NoError(t, err)
	_, err = remote.AddCheckpoint(context.Background(), http.DefaultClient, witness.AddCheckpointRequest{Checkpoint: cp.Note})
	var refused *witness.RefusedError
	require.ErrorAs(t, err, &refused)
	assert.Equal(t, http.StatusForbidden, refused.Status)
	assert.True(t, strings.HasPrefix(refused.Body, "Forbidden: the reason goes on the reason goes on"), refused.Body)
	assert.Contains(t, refused.Body, strings.Repeat("the reason goes on ", 20))
	assert.NotContains(t, refused.Body, "\n")
	assert.LessOrEqual(t, len(refused.Body), witness.MaxRefusalBytes+len("…"))
}
