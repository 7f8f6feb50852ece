package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/witness"
)

// waitCheckpointSize waits (at most 30 s) until the server at base serves a checkpoint of size and
// returns its text.
func waitCheckpointSize(t *testing.T, base string, size uint64) []byte {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get(base + "/checkpoint")
		require.NoError(t, err)
		text, err := io.ReadAll(io.LimitReader(res.Body, 1<<16))
		res.Body.Close()
		require.NoError(t, err)
		if cp, err := audit.ParseCheckpoint(text); err == nil && cp.Size == size {
			return text
		}
		require.True(t, time.Now().Before(deadline), "no checkpoint of size %d at %s within 30 s: %s", size, base, text)
		pollPause()
	}
}

// follow runs 'ledger audit follow --once' against base with the kept state in dir.
func follow(t *testing.T, base, key, dir string, more ...string) result {
	t.Helper()
	return ledger(t, nil, append([]string{"audit", "follow", "--server", base, "--key", key, "--state", dir, "--once"}, more...)...)
}

// audit follow keeps the first checkpoint it sees, says nothing when nothing is new, keeps a new one
// that extends it (consistency proof from the API), and on a fork (another history under the same
// key: the same size with another root, or a larger tree no proof links) exits 1 naming both
// checkpoints, keeping the kept one and the fork's checkpoint as evidence.
func TestAuditFollowKeepsAndCatchesAFork(t *testing.T) {
	store := seeded(t)
	k := ledgerKey(t, "--store", store)
	tok, err := os.ReadFile(issueToken(t, store, "recorder"))
	require.NoError(t, err)
	// The kept checkpoint below is one larger than the store: keep it off a power of two, where an
	// RFC 9162 consistency proof omits the kept root and a fork reads as a proof that fails to verify.
	if n := headSeq(t, store) + 1; n&(n-1) == 0 {
		recordSaving(t, store, 1)
	}
	fork := copyLedger(t, store) // the same ledger and key, before either grows
	token := strings.TrimSpace(string(tok))
	n := headSeq(t, store)
	state := filepath.Join(t.TempDir(), "audit")

	s := startServe(t, store)
	waitCheckpointSize(t, s.base, n)
	r := follow(t, s.base, k.VKey, state)
	require.Equal(t, 0, r.code, r.stdout+r.stderr)
	assert.Equal(t, safef("first checkpoint kept: size %d, root ", n), r.stdout[:len(safef("first checkpoint kept: size %d, root ", n))])
	kept, err := os.ReadFile(filepath.Join(state, "checkpoint"))
	require.NoError(t, err)
	pin, err := audit.ParsePinnedKey(k.VKey)
	require.NoError(t, err)
	first, err := audit.VerifyCheckpoint(kept, pin)
	require.NoError(t, err)
	assert.Equal(t, n, first.Size)

	r = follow(t, s.base, k.VKey, state)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, safef("nothing new: the server's checkpoint is the kept one (size %d, root %s)\n", n, first.Root), r.stdout)

	postSaving(t, s.base, token, 100)
	waitCheckpointSize(t, s.base, n+1)
	r = follow(t, s.base, k.PublicKey, state) // the bare public key pins it too
	require.Equal(t, 0, r.code, r.stderr)
	grown, err := audit.ParseCheckpoint(waitCheckpointSize(t, s.base, n+1))
	require.NoError(t, err)
	assert.Equal(t, safef("new checkpoint kept: size %d, root %s, extends size %d (root %s)\n", n+1, grown.Root, n, first.Root), r.stdout)
	require.NoError(t, s.stop())

	// The copy grows by another event: a second history of the same size.
	recordSaving(t, fork, 999)
	f := startServe(t, fork)
	other, err := audit.ParseCheckpoint(waitCheckpointSize(t, f.base, n+1))
	require.NoError(t, err)
	require.NotEqual(t, grown.Root, other.Root)
	r = follow(t, f.base, k.VKey, state)
	assert.Equal(t, 1, r.code, r.stdout+r.stderr)
	oneLine(t, r, "fork")
	for _, want := range []string{"FORK: ", safef("checkpoint of size %d (root %s)", n+1, other.Root), safef("kept checkpoint of size %d (root %s)", n+1, grown.Root), "two histories under one key"} {
		assert.Contains(t, r.stdout, want)
	}
	evidence, err := os.ReadFile(filepath.Join(state, safef("fork-%d-%s.checkpoint", n+1, other.Root.String()[:16])))
	require.NoError(t, err, "the fork's checkpoint is kept as evidence")
	assert.Equal(t, other.Note, evidence)
	still, err := os.ReadFile(filepath.Join(state, "checkpoint"))
	require.NoError(t, err)
	assert.Equal(t, grown.Note, still, "the kept checkpoint is unchanged")
	require.NoError(t, f.stop())

	// Larger than the kept one, and the server's own proof leads to its root from another root at
	// the kept size: a proven fork.
	recordSaving(t, fork, 998)
	f = startServe(t, fork)
	larger, err := audit.ParseCheckpoint(waitCheckpointSize(t, f.base, n+2))
	require.NoError(t, err)
	r = follow(t, f.base, k.VKey, state)
	assert.Equal(t, 1, r.code, r.stdout+r.stderr)
	oneLine(t, r, "larger fork")
	assert.Contains(t, r.stdout, safef("FORK: the server's checkpoint of size %d (root %s) does not extend the kept checkpoint of size %d (root %s): its own consistency proof", n+2, larger.Root, n+1, grown.Root))
	require.NoError(t, f.stop())
}

// audit follow refuses bad input in one line, exit 2, and a checkpoint without the quorum of pinned
// witnesses is not kept (exit 1 with --once, naming who did not cosign).
func TestAuditFollowRefusals(t *testing.T) {
	store := seeded(t)
	k := ledgerKey(t, "--store", store)
	other := ledgerKey(t, "--store", seeded(t))
	wkey, err := witness.NewKey("witness.example/w1")
	require.NoError(t, err)
	wvkey := wkey.VerifierKey()
	dir := t.TempDir()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"audit"}, "audit: want 'audit follow"},
		{[]string{"audit", "follow", "--key", k.VKey, "--state", dir}, "--server URL is required"},
		{[]string{"audit", "follow", "--server", "http://127.0.0.1:1", "--state", dir}, "--key PUBKEY is required"},
		{[]string{"audit", "follow", "--server", "http://127.0.0.1:1", "--key", k.VKey}, "--state DIR is required"},
		{[]string{"audit", "follow", "--server", "http://127.0.0.1:1", "--key", "nonsense", "--state", dir}, "--key"},
		{[]string{"audit", "follow", "--server", "http://127.0.0.1:1", "--key", k.VKey, "--state", dir, "--interval", "0s"}, "--interval must be a positive duration"},
		{[]string{"audit", "follow", "--server", "http://127.0.0.1:1", "--key", k.VKey, "--state", dir, "--witness", "x+y+z"}, "--witness: the witness key \"x+y+z\" is not an Ed25519 cosignature/v1 key"},
		{[]string{"audit", "follow", "--server", "http://127.0.0.1:1", "--key", k.VKey, "--state", dir, "--quorum", "1"}, "--witness: a quorum needs witnesses"},
		{[]string{"audit", "follow", "--server", "http://127.0.0.1:1", "--key", k.VKey, "--state", dir, "--witness", wvkey, "--quorum", "2"}, "--quorum: the quorum must be 1 to 1"},
		{[]string{"audit", "follow", "--server", "http://127.0.0.1:1", "--key", k.VKey, "--state", dir, "--witness", wvkey, "--witness", wvkey}, "is given twice"},
		{[]string{"audit", "follow", "--server", "ftp://x", "--key", k.VKey, "--state", dir}, "--server"},
	} {
		r := ledger(t, nil, tt.args...)
		failsInOneLine(t, r, 2, tt.want)
	}

	s := startServe(t, store)
	t.Cleanup(func() { s.stop() })
	r := follow(t, s.base, k.VKey, dir, "--witness", wvkey)
	failsInOneLine(t, r, 1, "has no witness quorum yet (0 of 1 needed)", "not cosigned by witness.example/w1")
	_, err = os.Stat(filepath.Join(dir, "checkpoint"))
	assert.ErrorIs(t, err, os.ErrNotExist, "a checkpoint without its quorum is not kept")

	r = follow(t, s.base, k.VKey, dir)
	require.Equal(t, 0, r.code, r.stderr)
	r = follow(t, s.base, other.VKey, dir)
	failsInOneLine(t, r, 2, "is not a checkpoint of the ledger the pinned key signs")
}

// A hostile or broken server never crashes audit follow: garbage, a checkpoint signed by another key,
// a stall, a huge answer and a broken consistency proof each end --once in one line, exit 1, and
// leave the kept checkpoint as it was.
func TestAuditFollowHostileServer(t *testing.T) {
	store := seeded(t)
	k := ledgerKey(t, "--store", store)
	other := seeded(t)
	recordSaving(t, other, 1) // another key, and a larger tree
	n := headSeq(t, store)
	s := startServe(t, store)
	t.Cleanup(func() { s.stop() })
	o := startServe(t, other)
	t.Cleanup(func() { o.stop() })
	honest := waitCheckpointSize(t, s.base, n)
	foreign := waitCheckpointSize(t, o.base, n+1)

	// A larger checkpoint of the same ledger, for the broken proof: the ledger with one more event.
	grownStore := copyLedger(t, store)
	recordSaving(t, grownStore, 5)
	g := startServe(t, grownStore)
	grown := waitCheckpointSize(t, g.base, n+1)
	// Its real consistency proof from the kept size, with proof[0] altered: the server fails to prove
	// its checkpoint extends the kept one, which is no proof of a fork.
	res, err := http.Get(fmt.Sprintf("%s/v1/audit/consistency?from=%d&to=%d", g.base, n, n+1))
	require.NoError(t, err)
	var wrong map[string]any
	require.NoError(t, json.NewDecoder(res.Body).Decode(&wrong))
	res.Body.Close()
	require.NotEmpty(t, wrong["proof"])
	wrong["proof"].([]any)[0] = strings.Repeat("ab", 32)
	wrongProof, err := json.Marshal(wrong)
	require.NoError(t, err)
	require.NoError(t, g.stop())

	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	hostile := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mode, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		switch {
		case mode == "garbage":
			w.Write([]byte("not a checkpoint\n\n— x AAAA\n"))
		case mode == "foreign":
			w.Write(foreign)
		case mode == "stall":
			select {
			case <-release:
			case <-r.Context().Done():
			}
		case mode == "huge":
			w.Write([]byte(strings.Repeat("A", 1<<20)))
		case mode == "wrongproof" && rest == "v1/audit/key": // the ledger's own key, as its server serves it
			res, err := http.Get(s.base + "/v1/audit/key")
			if err != nil {
				w.WriteHeader(http.StatusBadGateway)
				return
			}
			defer res.Body.Close()
			w.Header().Set("Content-Type", res.Header.Get("Content-Type"))
			io.Copy(w, res.Body)
		case (mode == "badproof" || mode == "wrongproof") && rest == "checkpoint":
			w.Write(grown)
		case mode == "wrongproof":
			w.Header().Set("Content-Type", "application/json")
			w.Write(wrongProof)
		case mode == "badproof":
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"from":{"size":1},"to":{"size":2},"proof":["00"]}`))
		}
	}))
	t.Cleanup(hostile.Close)

	dir := t.TempDir()
	require.Equal(t, 0, follow(t, s.base, k.VKey, dir).code)
	env := map[string]string{"LEDGER_SERVER_TIMEOUT": "100ms"}
	for mode, want := range map[string]string{
		"garbage":    "the answer is not a signed checkpoint",
		"foreign":    "does not verify under the pinned key",
		"stall":      "within 100ms",
		"huge":       "/huge/checkpoint",
		"badproof":   "/badproof/v1/audit/consistency",
		"wrongproof": "did not prove that its checkpoint of size",
	} {
		// Only the stalling server gets the short timeout: under load an answer that does come may
		// take longer than 100ms, which would make the other cases fail for the wrong reason.
		var modeEnv map[string]string
		if mode == "stall" {
			modeEnv = env
		}
		r := ledger(t, modeEnv, "audit", "follow", "--server", hostile.URL+"/"+mode, "--key", k.VKey, "--state", dir, "--once")
		failsInOneLine(t, r, 1, want)
		kept, err := os.ReadFile(filepath.Join(dir, "checkpoint"))
		require.NoError(t, err)
		assert.Equal(t, honest, kept, mode)
		assert.NotContains(t, r.stdout+r.stderr, "FORK", mode)
		evidence, err := filepath.Glob(filepath.Join(dir, "fork-*"))
		require.NoError(t, err)
		assert.Empty(t, evidence, "%s: nothing is filed as evidence", mode)
	}
	// consistency-proof --server against the same broken proof: the server's failure, not a fork, and
	// nothing written (it said NOT CONSISTENT).
	out := filepath.Join(t.TempDir(), "consistency.json")
	r := ledger(t, nil, "consistency-proof", filepath.Join(dir, "checkpoint"), "--server", hostile.URL+"/wrongproof", "-o", out)
	failsInOneLine(t, r, 1, "did not prove that its")
	assert.NotContains(t, r.stdout+r.stderr, "NOT CONSISTENT")
	assert.NoFileExists(t, out)
	// --once on an unchanged kept checkpoint says what it checked; asked for a quorum it lacks, exit 1.
	r = follow(t, s.base, k.VKey, dir)
	require.Equal(t, 0, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stdout, fmt.Sprintf("nothing new: the server's checkpoint is the kept one (size %d", n))
	wv, err := witness.NewKey("witness.example/none")
	require.NoError(t, err)
	r = follow(t, s.base, k.VKey, dir, "--witness", wv.VerifierKey(), "--quorum", "1")
	failsInOneLine(t, r, 1, "nothing new: the server's checkpoint of size")
	assert.Contains(t, r.stderr, "no witness quorum (0 of 1 needed)")
}

// Without --once, audit follow keeps following: it prints one line per new checkpoint as the ledger
// grows, reports a server that stops answering and asks again, and ends without error when its
// context ends (SIGINT/SIGTERM).
func TestAuditFollowKeepsFollowing(t *testing.T) {
	store := seeded(t)
	k := ledgerKey(t, "--store", store)
	tok, err := os.ReadFile(issueToken(t, store, "recorder"))
	require.NoError(t, err)
	n := headSeq(t, store)
	s := startServe(t, store)
	waitCheckpointSize(t, s.base, n)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"audit", "follow", "--server", s.base, "--key", k.VKey, "--state", t.TempDir(), "--interval", "20ms"},
			func(string) string { return "" }, strings.NewReader(""), &out, &errOut)
	}()
	waitFor := func(buf *syncBuffer, want string) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for !strings.Contains(buf.String(), want) {
			require.True(t, time.Now().Before(deadline), "%q not printed within 30 s: %s", want, buf.String())
			pollPause()
		}
	}
	waitFor(&out, safef("first checkpoint kept: size %d", n))
	postSaving(t, s.base, strings.TrimSpace(string(tok)), 100)
	waitFor(&out, safef("new checkpoint kept: size %d", n+1))
	assert.Equal(t, 2, strings.Count(out.String(), "\n"), "one line per new checkpoint: %s", out.String())
	require.NoError(t, s.stop())
	waitFor(&errOut, "; asking again in 20ms")
	cancel()
	select {
	case err := <-done:
		assert.NoError(t, err)
	case <-time.After(30 * time.Second):
		t.Fatal("audit follow did not end within 30 s of its context")
	}
}
