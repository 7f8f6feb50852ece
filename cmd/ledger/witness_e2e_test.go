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
	w := startProcess(t, dir, args...)
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
