package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	tlog "github.com/transparency-dev/formats/log"
	"golang.org/x/mod/sumdb/note"

	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/witness"
)

// The ledger binary, built once for the tests that run it as a separate process.
var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// ledgerBinary builds ./cmd/ledger once (go build) and returns the binary's path.
func ledgerBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "ledger-bin-")
		if binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "ledger")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	require.NoError(t, binErr)
	return binPath
}

// process is a program started from the built binary.
type process struct {
	cmd    *exec.Cmd
	base   string // from its "listening on URL" line
	stdout *bytes.Buffer
	stderr *syncBuffer
	done   chan struct{}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startProcess runs the binary with args in dir and waits (at most 30 s) for its "listening on"
// line. The process is killed when the test ends.
func startProcess(t *testing.T, dir string, args ...string) *process {
	t.Helper()
	cmd := exec.Command(ledgerBinary(t), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "LEDGER_STORE=", "LEDGER_SERVER=", "LEDGER_KEY_FILE=", "LEDGER_TOKEN=")
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	p := &process{cmd: cmd, stdout: &bytes.Buffer{}, stderr: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stderr = p.stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { p.kill() })
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		io.Copy(io.Discard, out)
	}()
	go func() { cmd.Wait(); close(p.done) }()
	deadline := time.After(30 * time.Second)
	for p.base == "" {
		select {
		case line, ok := <-lines:
			require.True(t, ok, "%s ended before listening: %s", args[0], p.stderr.String())
			p.stdout.WriteString(line + "\n")
			if b, ok := strings.CutPrefix(line, "listening on "); ok {
				p.base = b
			}
		case <-deadline:
			t.Fatalf("%s did not listen within 30 s: %s", args[0], p.stderr.String())
		}
	}
	go func() {
		for range lines {
		}
	}()
	return p
}

// kill ends the process at once (SIGKILL: no shutdown, no flush) and waits for it.
func (p *process) kill() {
	p.cmd.Process.Kill()
	<-p.done
}

// A witness run as its own process keeps what it cosigned through a kill -9: restarted on the same
// state directory, it answers 409 with the size it held and still refuses a fork.
func TestWitnessProcessSurvivesKill(t *testing.T) {
	dir := t.TempDir()
	bin := ledgerBinary(t)
	out, err := exec.Command(bin, "witness", "key", "-o", filepath.Join(dir, "w.key"), "--name", "witness.north-norfolk.example/w").Output()
	require.NoError(t, err)
	wvkey := strings.TrimSpace(string(out))

	const origin = "ledger.example/norfolk"
	skey, vkey, err := note.GenerateKey(nil, origin)
	require.NoError(t, err)
	signer, err := note.NewSigner(skey)
	require.NoError(t, err)
	tree, fork := audit.NewTree(0), audit.NewTree(0)
	for i := range 9 {
		tree.Append(sha256.Sum256([]byte(fmt.Sprint("true-", i))))
		fork.Append(sha256.Sum256([]byte(fmt.Sprint("forged-", i))))
	}
	request := func(tr *audit.Tree, old, size uint64) witness.AddCheckpointRequest {
		root, err := tr.Root(size)
		require.NoError(t, err)
		cp, err := note.Sign(&note.Note{Text: string(tlog.Checkpoint{Origin: origin, Size: size, Hash: root[:]}.Marshal())}, signer)
		require.NoError(t, err)
		req := witness.AddCheckpointRequest{OldSize: old, Checkpoint: cp}
		if old > 0 && old < size {
			p, err := tr.ConsistencyProof(old, size)
			require.NoError(t, err)
			for _, h := range p {
				req.Proof = append(req.Proof, h[:])
			}
		}
		return req
	}

	args := []string{"witness", "serve", "--key-file", "w.key", "--log-key", vkey, "--addr", "127.0.0.1:0", "--state", "state"}
	w := startProcess(t, dir, append(args, "--init")...)
	assert.Contains(t, w.stdout.String(), "witness "+wvkey)
	remote, err := witness.ParseRemote(wvkey + "@" + w.base)
	require.NoError(t, err)
	ctx := context.Background()
	_, err = remote.AddCheckpoint(ctx, http.DefaultClient, request(tree, 0, 4))
	require.NoError(t, err)
	_, err = remote.AddCheckpoint(ctx, http.DefaultClient, request(tree, 4, 7))
	require.NoError(t, err)

	w.kill()
	w = startProcess(t, dir, args...)
	remote, err = witness.ParseRemote(wvkey + "@" + w.base)
	require.NoError(t, err)
	_, err = remote.AddCheckpoint(ctx, http.DefaultClient, request(tree, 0, 8))
	var conflict *witness.ConflictError
	require.ErrorAs(t, err, &conflict, "the restarted witness remembers size 7")
	assert.Equal(t, uint64(7), conflict.Size)
	_, err = remote.AddCheckpoint(ctx, http.DefaultClient, request(fork, 7, 9))
	var refused *witness.RefusedError
	require.ErrorAs(t, err, &refused)
	assert.Equal(t, http.StatusUnprocessableEntity, refused.Status, "a second history under the same key is refused")
	_, err = remote.AddCheckpoint(ctx, http.DefaultClient, request(tree, 7, 9))
	require.NoError(t, err)
}

// runBinary runs the built binary with args in dir and returns its standard output; it must succeed.
func runBinary(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command(ledgerBinary(t), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "LEDGER_STORE=", "LEDGER_SERVER=", "LEDGER_KEY_FILE=", "LEDGER_TOKEN=", "LEDGER_ORIGIN=")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "ledger %s: %s", strings.Join(args, " "), stderr.String())
	return string(out)
}

// seedForWitnesses makes a ledger (the demo, with its key beside it) and returns its store, a
// recorder token and the checkpoint vkey 'ledger key' gives under origin.
func seedForWitnesses(t *testing.T, origin string) (store, token, vkey string) {
	t.Helper()
	store = seeded(t)
	b, err := os.ReadFile(issueToken(t, store, "recorder"))
	require.NoError(t, err)
	k := ledgerKey(t, "--store", store, "--origin", origin)
	require.Equal(t, origin, k.Origin)
	return store, strings.TrimSpace(string(b)), k.VKey
}

// postSaving appends one SavingsReported event of amount pence through a server's API, as a
// recorder.
func postSaving(t *testing.T, base, token string, amount int) {
	t.Helper()
	body := fmt.Sprintf(`{"type":"SavingsReported","effective_on":"2016-03-01","certainty":"reported","sources":[{"kind":"press","title":"EDP, 1 March 2016"}],`+
		`"data":{"council":"north-norfolk","financial_year":2015,"category":"shared management","amount_pence":%d,"status":"forecast","period_to":"2016-03-31"}}`, amount)
	req, err := http.NewRequest("POST", base+"/v1/partnerships/great-yarmouth-north-norfolk/events", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusCreated, res.StatusCode)
}

// waitCosigned waits (at most 30 s) until GET url serves a checkpoint of origin, of at least minSize,
// that verifies under logV and carries a cosignature that verifies under witnessV, and returns its size.
func waitCosigned(t *testing.T, url, origin string, minSize uint64, logV, witnessV note.Verifier, procs ...*process) uint64 {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	var last string
	for {
		res, err := http.Get(url)
		if err == nil {
			b, _ := io.ReadAll(io.LimitReader(res.Body, 1<<16))
			res.Body.Close()
			last = fmt.Sprintf("%d %s", res.StatusCode, b)
			if n, err := note.Open(b, note.VerifierList(logV, witnessV)); err == nil && len(n.Sigs) == 2 {
				cp, err := audit.ParseCheckpointText(n.Text)
				require.NoError(t, err)
				require.Equal(t, origin, cp.Origin)
				if cp.Size >= minSize {
					return cp.Size
				}
			}
		}
		if time.Now().After(deadline) {
			var logs []string
			for _, p := range procs {
				logs = append(logs, p.stderr.String())
			}
			t.Fatalf("no cosigned checkpoint of size %d or more at %s within 30 s; last answer: %s\nlogs:\n%s", minSize, url, last, strings.Join(logs, "\n"))
		}
		pollPause()
	}
}

// waitLog waits (at most 30 s) until p has logged want on stderr.
func waitLog(t *testing.T, p *process, want string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(p.stderr.String(), want) {
		require.True(t, time.Now().Before(deadline), "%q not logged within 30 s:\n%s", want, p.stderr.String())
		pollPause()
	}
}

// A witness and a ledger server, each its own process on loopback: after an append the server's
// checkpoint grows, the witness cosigns it (the ledger's client sends it with the consistency proof
// from the size the witness held) and GET /checkpoint serves the cosignature, which verifies under
// the witness's pinned vkey; the witness serves the same checkpoint.
func TestWitnessAndServerAsProcesses(t *testing.T) {
	dir := t.TempDir()
	const origin = "ledger.example.gov.uk/e2e-norfolk"
	store, token, vkey := seedForWitnesses(t, origin)
	wvkey := strings.TrimSpace(runBinary(t, dir, "witness", "key", "-o", "w.key", "--name", "witness.north-norfolk.example/ledger"))

	w := startProcess(t, dir, "witness", "serve", "--key-file", "w.key", "--log-key", vkey, "--addr", "127.0.0.1:0", "--state", "witness-state", "--init")
	s := startProcess(t, dir, "serve", "--store", store, "--origin", origin, "--addr", "127.0.0.1:0",
		"--witness", wvkey+"@"+w.base, "--witness-quorum", "1")
	assert.Contains(t, s.stdout.String(), "asking 1 witness(es) to cosign each checkpoint of "+origin+" (quorum 1)")

	logV, err := note.NewVerifier(vkey)
	require.NoError(t, err)
	witnessV, err := witness.ParseVerifierKey(wvkey)
	require.NoError(t, err)
	size := waitCosigned(t, s.base+"/checkpoint", origin, 1, logV, witnessV, s, w)

	postSaving(t, s.base, token, 100)
	grown := waitCosigned(t, s.base+"/checkpoint", origin, size+1, logV, witnessV, s, w)
	assert.Equal(t, size+1, grown, "the checkpoint after the append, cosigned")
	assert.Equal(t, grown, waitCosigned(t, w.base+"/"+witness.OriginHash(origin)+"/checkpoint", origin, grown, logV, witnessV, s, w),
		"the witness serves what it cosigned")
	waitLog(t, s, `"msg":"checkpoint witnessed"`)

	// An auditor following the server with the witness pinned keeps the cosigned checkpoint and says
	// who cosigned it and when.
	r := follow(t, s.base, vkey, filepath.Join(dir, "audit"), "--witness", wvkey, "--quorum", "1")
	require.Equal(t, 0, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stdout, fmt.Sprintf("first checkpoint kept: size %d, root ", grown))
	assert.Contains(t, r.stdout, "; cosigned by witness.north-norfolk.example/ledger (at 20")

	// A pack built by the server embeds the witnessed checkpoint; verify-pack requires its cosignature.
	pack := filepath.Join(dir, "pack")
	r = ledger(t, nil, "pack", "--server", s.base, "--partnership", "great-yarmouth-north-norfolk", "--as-of", "2016-06-30", "--format", "json", "-o", pack)
	require.Equal(t, 0, r.code, r.stdout+r.stderr)
	r = ledger(t, nil, "verify-pack", pack, "--key", vkey, "--witness", wvkey)
	require.Equal(t, 0, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stdout, fmt.Sprintf("checkpoint of size %d (root ", size), "the oldest witnessed checkpoint covering the pack (known at the end of its as-of day), not the latest")
	assert.Contains(t, r.stdout, "covers the tree head; cosigned by witness.north-norfolk.example/ledger (at 20")

	// With --server the server's witnesses decide: pack refuses --witness there (exit 2, one line).
	r = ledger(t, nil, "pack", "--server", s.base, "--partnership", "great-yarmouth-north-norfolk", "--as-of", "2016-06-30", "--format", "json", "--witness", wvkey, "-o", filepath.Join(dir, "refused"))
	assert.Equal(t, 2, r.code, r.stdout+r.stderr)
	assert.Equal(t, 1, strings.Count(strings.TrimSpace(r.stderr), "\n")+1, r.stderr)
	assert.NoDirExists(t, filepath.Join(dir, "refused"))

	// From the store, pinning the same witness and quorum embeds the same witnessed checkpoint: the
	// same bytes as the server's pack. Without them, the ledger's own checkpoint at the pack's size.
	s.kill()
	fromStore := filepath.Join(dir, "pack-store")
	r = ledger(t, nil, "pack", "--store", store, "--origin", origin, "--partnership", "great-yarmouth-north-norfolk", "--as-of", "2016-06-30", "--format", "json", "--witness", wvkey, "--quorum", "1", "-o", fromStore)
	require.Equal(t, 0, r.code, r.stdout+r.stderr)
	want, err := os.ReadFile(filepath.Join(pack, "pack.json"))
	require.NoError(t, err)
	got, err := os.ReadFile(filepath.Join(fromStore, "pack.json"))
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got), "a pack from the store pinning the server's witnesses is the server's pack")
	unpinned := filepath.Join(dir, "pack-unpinned")
	r = ledger(t, nil, "pack", "--store", store, "--origin", origin, "--partnership", "great-yarmouth-north-norfolk", "--as-of", "2016-06-30", "--format", "json", "-o", unpinned)
	require.Equal(t, 0, r.code, r.stdout+r.stderr)
	r = ledger(t, nil, "verify-pack", unpinned, "--key", vkey)
	require.Equal(t, 0, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stdout, "it had no witness quorum yet when the pack was built")
}

// A fork: two copies of one ledger, under one key and origin, each given a different event. The
// witness cosigns the first copy's checkpoint and refuses the second's (422: another history), which
// the second server logs as an error and never serves as cosigned.
func TestWitnessRefusesAForkedLedger(t *testing.T) {
	dirA, dirB := t.TempDir(), t.TempDir()
	const origin = "ledger.example.gov.uk/fork-norfolk"
	storeA, token, vkey := seedForWitnesses(t, origin)
	storeB := copyLedger(t, storeA) // the same ledger and key, before either grows
	wvkey := strings.TrimSpace(runBinary(t, dirA, "witness", "key", "-o", "w.key", "--name", "witness.great-yarmouth.example/ledger"))
	w := startProcess(t, dirA, "witness", "serve", "--key-file", "w.key", "--log-key", vkey, "--addr", "127.0.0.1:0", "--state", "witness-state", "--init")
	logV, err := note.NewVerifier(vkey)
	require.NoError(t, err)
	witnessV, err := witness.ParseVerifierKey(wvkey)
	require.NoError(t, err)

	a := startProcess(t, dirA, "serve", "--store", storeA, "--origin", origin, "--addr", "127.0.0.1:0", "--witness", wvkey+"@"+w.base)
	size := waitCosigned(t, a.base+"/checkpoint", origin, 1, logV, witnessV, a, w)
	postSaving(t, a.base, token, 100)
	require.Equal(t, size+1, waitCosigned(t, a.base+"/checkpoint", origin, size+1, logV, witnessV, a, w))
	// An auditor follows A, requiring the witness's cosignature, and keeps A's checkpoint.
	auditState := filepath.Join(t.TempDir(), "audit")
	r := follow(t, a.base, vkey, auditState, "--witness", wvkey)
	require.Equal(t, 0, r.code, r.stdout+r.stderr)
	require.Contains(t, r.stdout, fmt.Sprintf("first checkpoint kept: size %d", size+1))
	kept, err := audit.ParseCheckpoint(mustRead(t, filepath.Join(auditState, "checkpoint")))
	require.NoError(t, err)
	a.kill()

	b := startProcess(t, dirB, "serve", "--store", storeB, "--origin", origin, "--addr", "127.0.0.1:0", "--witness", wvkey+"@"+w.base)
	postSaving(t, b.base, token, 999) // the same size as A's, another event
	waitLog(t, w, "add-checkpoint refused: the log shows another history")
	waitLog(t, b, "it has seen another history of this log")

	res, err := http.Get(b.base + "/checkpoint")
	require.NoError(t, err)
	served, _ := io.ReadAll(res.Body)
	res.Body.Close()
	n, err := note.Open(served, note.VerifierList(logV))
	require.NoError(t, err, "B's checkpoint is signed by the ledger's key")
	cp, err := audit.ParseCheckpointText(n.Text)
	require.NoError(t, err)
	assert.Equal(t, size+1, cp.Size, "B's checkpoint has A's size")
	_, err = note.Open(served, note.VerifierList(witnessV))
	assert.Error(t, err, "B's checkpoint carries no cosignature of the witness: %s", served)

	// The auditor who kept A's checkpoint follows B: exit 1, naming both checkpoints.
	other, err := audit.ParseCheckpoint(served)
	require.NoError(t, err)
	r = follow(t, b.base, vkey, auditState)
	assert.Equal(t, 1, r.code, r.stdout+r.stderr)
	oneLine(t, r, "audit follow of the fork")
	assert.Contains(t, r.stdout, fmt.Sprintf("FORK: the server's checkpoint of size %d (root %s) and the kept checkpoint of size %d (root %s) are two histories under one key",
		other.Size, other.Root, kept.Size, kept.Root))
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return b
}
