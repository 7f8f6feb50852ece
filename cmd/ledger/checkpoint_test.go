package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/transparency-dev/formats/log"
	"golang.org/x/mod/sumdb/note"

	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/fault/faulttest"
)

// keyOf is `ledger key --json` of a ledger: its base64 public key, origin and note verifier key.
type keyOf struct {
	PublicKey string `json:"public_key"`
	Origin    string `json:"origin"`
	VKey      string `json:"vkey"`
}

func ledgerKey(t *testing.T, args ...string) keyOf {
	t.Helper()
	r := ledger(t, nil, append([]string{"key", "--json"}, args...)...)
	require.Equal(t, 0, r.code, r.stderr)
	var k keyOf
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &k))
	return k
}

// recordSaving appends one SavingsReported event of amount pence to store.
func recordSaving(t *testing.T, store string, pence int) {
	t.Helper()
	data := strings.Replace(savingsOK, "500000", fmt.Sprint(pence), 1)
	r := ledger(t, nil, "record", "--store", store, "--partnership", gnn, "--type", "SavingsReported",
		"--effective", "2016-03-01", "--data", data, "--source", pressSource, "--certainty", "reported")
	require.Equal(t, 0, r.code, r.stderr)
}

// keep runs a command that writes a file with -o, and returns the file.
func keep(t *testing.T, name string, args ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	r := ledger(t, nil, append(args, "-o", path)...)
	require.Equal(t, 0, r.code, r.stdout+r.stderr)
	return path
}

// copyLedger copies a bolt ledger and its key file, for a second history under the same key.
func copyLedger(t *testing.T, store string) string {
	t.Helper()
	src := strings.TrimPrefix(store, "bolt:")
	dst := filepath.Join(t.TempDir(), "fork.db")
	for from, to := range map[string]string{src: dst, keyBeside(store): keyBeside(dst)} {
		b, err := os.ReadFile(from)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(to, b, 0o600))
	}
	return "bolt:" + dst
}

// `ledger checkpoint` signs and keeps the checkpoint; the Go and transparency-dev libraries verify it
// under the vkey `ledger key` prints; a server serves the same bytes; the origin is set by --origin.
func TestCheckpointCommand(t *testing.T) {
	store := seeded(t)
	k := ledgerKey(t, "--store", store)
	assert.True(t, strings.HasPrefix(k.Origin, "partnership-ledger/"), k.Origin)
	text := ledger(t, nil, "key", "--store", store)
	assert.Contains(t, text.stdout, "vkey:       "+k.VKey)
	assert.Contains(t, text.stdout, "origin:     "+k.Origin)

	path := keep(t, "checkpoint.txt", "checkpoint", "--store", store)
	signed, err := os.ReadFile(path)
	require.NoError(t, err)
	v, err := note.NewVerifier(k.VKey)
	require.NoError(t, err)
	cp, _, _, err := log.ParseCheckpoint(signed, k.Origin, v)
	require.NoError(t, err, "%s", signed)
	assert.Equal(t, headSeq(t, store), cp.Size)
	again := ledger(t, nil, "checkpoint", "--store", store, "--key", k.VKey)
	require.Equal(t, 0, again.code, again.stderr)
	assert.Equal(t, string(signed), again.stdout, "deterministic, and kept")

	pub := ledgerKey(t, "--store", store).PublicKey
	s := startServe(t, store)
	remote := ledger(t, nil, "checkpoint", "--server", s.base, "--key", pub)
	require.Equal(t, 0, remote.code, remote.stderr)
	assert.Equal(t, string(signed), remote.stdout, "the server serves the kept checkpoint")
	rk := ledgerKey(t, "--server", s.base)
	assert.Equal(t, k, rk, "ledger key --server says the same")
	require.NoError(t, s.stop())

	other := ledgerKey(t, "--store", seeded(t))
	wrong := ledger(t, nil, "checkpoint", "--store", store, "--key", other.VKey)
	assert.Equal(t, 1, wrong.code, wrong.stderr)
	oneLine(t, wrong, "checkpoint")

	// A ledger keeps one origin (docs/integrity.md §10): an --origin (LEDGER_ORIGIN) other than its
	// stored checkpoints' is refused before anything is signed or served, exit 2, naming both.
	named := map[string]string{"LEDGER_ORIGIN": "ledger.example.gov.uk/" + gnn}
	for _, args := range [][]string{{"key", "--store", store}, {"checkpoint", "--store", store},
		{"serve", "--store", store, "--addr", "127.0.0.1:0"}, {"consistency-proof", "--store", store, path, "-o", filepath.Join(t.TempDir(), "p.json")}} {
		r := ledger(t, named, args...)
		assert.Equal(t, 2, r.code, r.stdout+r.stderr)
		assert.Contains(t, r.stderr, `differs from "`+k.Origin+`", the origin of this ledger's stored checkpoints`)
		oneLine(t, r, args[0])
	}
	// A ledger started under --origin keeps it: without --origin, the commands (and serve) take the
	// origin of its stored checkpoints, and 'ledger key' prints the vkey of that origin.
	fresh := seeded(t)
	r := ledger(t, named, "checkpoint", "--store", fresh)
	require.Equal(t, 0, r.code, r.stderr)
	assert.True(t, strings.HasPrefix(r.stdout, "ledger.example.gov.uk/"+gnn+"\n"), r.stdout)
	recordSaving(t, fresh, 1)
	fk := ledgerKey(t, "--store", fresh)
	assert.Equal(t, "ledger.example.gov.uk/"+gnn, fk.Origin)
	r = ledger(t, nil, "checkpoint", "--store", fresh, "--key", fk.VKey)
	require.Equal(t, 0, r.code, r.stderr)
	assert.True(t, strings.HasPrefix(r.stdout, "ledger.example.gov.uk/"+gnn+"\n"), r.stdout)
	fs := startServe(t, fresh)
	served := ledger(t, nil, "checkpoint", "--server", fs.base, "--key", fk.VKey)
	require.Equal(t, 0, served.code, served.stderr)
	assert.Equal(t, r.stdout, served.stdout, "serve without --origin keeps the stored origin")
	require.NoError(t, fs.stop())

	for _, bad := range []string{"https://ledger.example.gov.uk/x", "a b", "a+b"} {
		r := ledger(t, nil, "checkpoint", "--store", store, "--origin", bad)
		assert.Equal(t, 2, r.code, r.stderr)
		oneLine(t, r, "checkpoint --origin")
		assert.Contains(t, r.stderr, "--origin")
	}
}

// check-consistency and verify --tree-head take a kept checkpoint as they take a tree head, under
// the base64 key or the vkey; consistency-proof writes a file check-consistency checks offline.
func TestConsistencyWithCheckpoints(t *testing.T) {
	store := seeded(t)
	k := ledgerKey(t, "--store", store)
	oldCP := keep(t, "checkpoint.txt", "checkpoint", "--store", store)
	oldHead := keep(t, "head.json", "tree-head", "--store", store)
	n := headSeq(t, store)
	recordSaving(t, store, 2)
	recordSaving(t, store, 3)

	for _, key := range []string{k.PublicKey, k.VKey} {
		r := ledger(t, nil, "check-consistency", oldCP, "--key", key, "--store", store)
		require.Equal(t, 0, r.code, r.stdout+r.stderr)
		assert.Contains(t, r.stdout, fmt.Sprintf("extends the checkpoint of size %d", n))
		r = ledger(t, nil, "verify", "--tree-head", oldCP, "--tree-head", oldHead, "--key", key, "--store", store)
		require.Equal(t, 0, r.code, r.stdout+r.stderr)
		assert.Contains(t, r.stdout, "extends all 2 kept tree heads")
	}

	nowhere := "bolt:" + filepath.Join(t.TempDir(), "none.db") // offline: no store is opened
	for _, old := range []string{oldCP, oldHead} {
		proof := keep(t, "proof.json", "consistency-proof", old, "--store", store)
		r := ledger(t, nil, "check-consistency", proof, "--key", k.VKey, "--store", nowhere)
		require.Equal(t, 0, r.code, r.stdout+r.stderr)
		assert.Contains(t, r.stdout, fmt.Sprintf("of size %d", n+2))
		assert.Contains(t, r.stdout, "checked offline")
		var f audit.ConsistencyFile
		b, err := os.ReadFile(proof)
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(b, &f))
		assert.Equal(t, n, f.From.Size())
		assert.Equal(t, n+2, f.To.Size())
	}
	_, err := os.Stat(strings.TrimPrefix(nowhere, "bolt:"))
	assert.True(t, os.IsNotExist(err), "the offline check created no store")

	// The same through a server.
	auditor := issueToken(t, store, "auditor")
	s := startServe(t, store)
	r := ledger(t, nil, "check-consistency", oldCP, "--key", k.VKey, "--server", s.base, "--token-file", auditor)
	require.Equal(t, 0, r.code, r.stdout+r.stderr)
	for _, old := range []string{oldCP, oldHead} {
		proof := filepath.Join(t.TempDir(), "proof.json")
		r = ledger(t, nil, "consistency-proof", old, "-o", proof, "--server", s.base)
		require.Equal(t, 0, r.code, r.stdout+r.stderr)
		r = ledger(t, nil, "check-consistency", proof, "--key", k.PublicKey)
		require.Equal(t, 0, r.code, r.stdout+r.stderr)
	}
	require.NoError(t, s.stop())
}

// Every bad input is exit 2 and every ledger that fails the check exit 1, in one line naming what
// (both sizes and roots where two heads disagree), never a stack trace.
func TestConsistencyRefusals(t *testing.T) {
	store := seeded(t)
	k := ledgerKey(t, "--store", store)
	n := headSeq(t, store)
	fork := copyLedger(t, store) // the same key, soon another history
	old := copyLedger(t, store)  // the ledger as it was
	recordSaving(t, store, 10)
	recordSaving(t, fork, 11)
	cp := keep(t, "checkpoint.txt", "checkpoint", "--store", store)
	forkCP := keep(t, "fork.txt", "checkpoint", "--store", fork)
	proof := keep(t, "proof.json", "consistency-proof", keep(t, "old.txt", "checkpoint", "--store", old), "--store", store)

	otherLedger := ledgerKey(t, "--store", seeded(t))
	otherOrigin, err := audit.ParsePinnedKey(k.PublicKey)
	require.NoError(t, err)
	otherOriginVKey, err := audit.VerifierKey("ledger.example.gov.uk/elsewhere", otherOrigin.Public)
	require.NoError(t, err)
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
		return p
	}
	cpText, err := os.ReadFile(cp)
	require.NoError(t, err)
	proofText, err := os.ReadFile(proof)
	require.NoError(t, err)
	var pf map[string]any
	require.NoError(t, json.Unmarshal(proofText, &pf))
	hashes := pf["proof"].([]any)
	require.NotEmpty(t, hashes)
	hashes[0] = strings.Repeat("0", 64)
	alteredProof, err := json.Marshal(pf)
	require.NoError(t, err)
	pf["from"], pf["to"] = pf["to"], pf["from"]
	swapped, err := json.Marshal(pf)
	require.NoError(t, err)
	// A checkpoint of the right origin and a size the ledger has, signed by a key not the ledger's:
	// a forged OLD, never evidence against the ledger.
	forged, err := audit.KeyFromSeed(bytes.Repeat([]byte{7}, 32)).SignCheckpoint(k.Origin, n, audit.Hash{1})
	require.NoError(t, err)
	forgedCP := write("forged.txt", string(forged))
	// A checkpoint and a tree head of size 0 signed by the ledger's own key with a root that is not
	// the empty tree's: invalid everywhere (audit.CheckEmptyRoot).
	ledgerKeyFile, err := audit.LoadKey(keyBeside(store))
	require.NoError(t, err)
	zero, err := ledgerKeyFile.SignCheckpoint(k.Origin, 0, audit.Hash{9})
	require.NoError(t, err)
	zeroCP := write("zero.txt", string(zero))
	zeroHead, err := json.Marshal(ledgerKeyFile.Sign(0, audit.Hash{9}, time.Unix(0, 0).UTC()))
	require.NoError(t, err)
	zeroTH := write("zero.json", string(zeroHead))
	// A tree head as from, a checkpoint as to.
	oldHead := keep(t, "old.json", "tree-head", "--store", old)
	headText, err := os.ReadFile(oldHead)
	require.NoError(t, err)
	mixedDoc, err := json.Marshal(map[string]any{"from": json.RawMessage(headText), "to": string(cpText), "proof": pf["proof"]})
	require.NoError(t, err)
	mixed := string(mixedDoc)

	for _, tt := range []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"another ledger's key", []string{"check-consistency", cp, "--key", otherLedger.VKey, "--store", store}, 2, []string{cp, "not a checkpoint signed by the key"}},
		{"another origin", []string{"check-consistency", cp, "--key", otherOriginVKey, "--store", store}, 2, []string{cp, "another log's checkpoint"}},
		{"a malformed checkpoint", []string{"check-consistency", write("bad.txt", "ledger/x\nten\nAAAA\n\n— x AAAA\n"), "--key", k.VKey, "--store", store}, 2, []string{"neither a tree head (JSON) nor a checkpoint"}},
		{"an altered checkpoint", []string{"check-consistency", write("altered.txt", strings.Replace(string(cpText), fmt.Sprintf("\n%d\n", n+1), fmt.Sprintf("\n%d\n", n), 1)), "--key", k.VKey, "--store", store}, 2, []string{"does not verify"}},
		{"a malformed key", []string{"check-consistency", cp, "--key", "ledger/x+00000000+AAAA", "--store", store}, 2, []string{"--key"}},
		{"a checkpoint larger than the ledger", []string{"check-consistency", cp, "--key", k.VKey, "--store", old}, 1, []string{fmt.Sprintf("holds %d events", n), fmt.Sprintf("fewer than the %d the checkpoint", n+1)}},
		{"a root that differs", []string{"check-consistency", forkCP, "--key", k.VKey, "--store", store}, 1, []string{fmt.Sprintf("first %d events are not the ones the checkpoint was signed over", n+1)}},
		{"a root that differs, verify", []string{"verify", "--tree-head", forkCP, "--key", k.PublicKey, "--store", store}, 1, []string{"does not extend the kept checkpoint"}},
		{"consistency-proof from a fork", []string{"consistency-proof", forkCP, "--store", store}, 1, []string{"NOT CONSISTENT", fmt.Sprintf("first %d events", n+1)}},
		{"consistency-proof past the ledger", []string{"consistency-proof", cp, "--store", old}, 1, []string{"NOT CONSISTENT", fmt.Sprintf("fewer than the %d", n+1)}},
		{"an altered proof", []string{"check-consistency", write("altered.json", string(alteredProof)), "--key", k.VKey}, 1, []string{"NOT CONSISTENT", fmt.Sprintf("size %d", n), fmt.Sprintf("size %d", n+1)}},
		{"a proof the wrong way round", []string{"check-consistency", write("swapped.json", string(swapped)), "--key", k.VKey}, 2, []string{"larger than the newer"}},
		{"a proof under another key", []string{"check-consistency", proof, "--key", otherLedger.PublicKey}, 2, []string{proof}},
		{"consistency-proof from a forged checkpoint", []string{"consistency-proof", forgedCP, "--store", store}, 2, []string{forgedCP, "not a checkpoint signed by the key"}},
		{"a size-0 checkpoint with a root", []string{"check-consistency", zeroCP, "--key", k.VKey, "--store", store}, 2, []string{zeroCP, "of size 0 has the root"}},
		{"a size-0 checkpoint with a root, verify", []string{"verify", "--tree-head", zeroCP, "--key", k.VKey, "--store", store}, 2, []string{"of size 0 has the root"}},
		{"a size-0 checkpoint with a root, consistency-proof", []string{"consistency-proof", zeroCP, "--store", store}, 2, []string{zeroCP, "of size 0 has the root"}},
		{"a size-0 tree head with a root", []string{"check-consistency", zeroTH, "--key", k.VKey, "--store", store}, 2, []string{zeroTH}},
		{"a proof file with an unknown member", []string{"check-consistency", write("extra.json", strings.Replace(string(proofText), `{`, `{"note":"x",`, 1)), "--key", k.VKey}, 2, []string{"note"}},
		{"a proof file with a key twice", []string{"check-consistency", write("twice.json", strings.Replace(string(proofText), `{`, `{"proof":[],`, 1)), "--key", k.VKey}, 2, []string{"repeated member name \"proof\""}},
		{"a proof file mixing a tree head and a checkpoint", []string{"check-consistency", write("mixed.json", mixed), "--key", k.VKey}, 2, []string{"/to is a checkpoint but /from a tree head"}},
		{"a proof file missing its heads", []string{"check-consistency", write("empty.json", `{"from":null,"to":null,"proof":[]}`), "--key", k.VKey}, 2, []string{"not a consistency proof file"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := ledger(t, nil, tt.args...)
			assert.Equal(t, tt.code, r.code, "%s%s", r.stdout, r.stderr)
			oneLine(t, r, tt.args[0])
			for _, w := range tt.want {
				assert.Contains(t, r.stdout+r.stderr, w)
			}
			assert.NotContains(t, r.stdout+r.stderr, "goroutine")
			// Was "NOT CONSISTENT: ... audit: proof does not verify: ...".
			faulttest.AssertForPeople(t, strings.TrimSpace(r.stdout+r.stderr))
		})
	}
}

// Every command that checks a signature takes the key the auditor pinned, never the operator's key
// file: without --key it is bad input saying where the key comes from.
func TestEverySignatureCheckNeedsAPinnedKey(t *testing.T) {
	store := seeded(t)
	head := keep(t, "head.json", "tree-head", "--store", store)
	cp := keep(t, "checkpoint.txt", "checkpoint", "--store", store)
	h := ledger(t, nil, "history", "--partnership", gnn, "--json", "--store", store)
	require.Equal(t, 0, h.code, h.stderr)
	var hist []struct {
		ID string `json:"id"`
	}
	require.NoError(t, json.Unmarshal([]byte(h.stdout), &hist))
	bundle := keep(t, "bundle.json", "prove", "--event", hist[0].ID, "--store", store)
	pack := filepath.Join(t.TempDir(), "pack")
	require.Equal(t, 0, ledger(t, nil, "pack", "--partnership", gnn, "--as-of", "2016-06-30", "--format", "json", "-o", pack, "--store", store).code)
	for _, args := range [][]string{
		{"check-consistency", head}, {"check-consistency", cp}, {"verify", "--tree-head", cp},
		{"check-proof", bundle}, {"verify-pack", pack},
	} {
		r := ledger(t, nil, append(args, "--store", store)...)
		assert.Equal(t, 2, r.code, "%v: %s", args, r.stdout+r.stderr)
		oneLine(t, r, args[0])
		assert.Contains(t, r.stderr, "--key PUBKEY is required", "%v", args)
		assert.Contains(t, r.stderr, "'ledger key' prints", "%v", args)
	}
}

// A running server signs a checkpoint after an append, by itself, and serves it; the checkpoint
// before it is extended by the new one.
func TestServerSignsACheckpointAfterAppends(t *testing.T) {
	store := seeded(t)
	k := ledgerKey(t, "--store", store)
	recorder, err := os.ReadFile(issueToken(t, store, "recorder"))
	require.NoError(t, err)
	n := headSeq(t, store)
	s := startServe(t, store)
	before := filepath.Join(t.TempDir(), "before.txt")
	r := ledger(t, nil, "checkpoint", "--server", s.base, "--key", k.VKey, "-o", before)
	require.Equal(t, 0, r.code, r.stderr)
	// It says what it wrote, as prove and consistency-proof do (it printed nothing).
	assert.Contains(t, r.stderr, "wrote the checkpoint of size ")
	assert.Contains(t, r.stderr, " to "+before)
	assert.Empty(t, r.stdout)

	postSaving(t, s.base, strings.TrimSpace(string(recorder)), 100)

	v, err := note.NewVerifier(k.VKey)
	require.NoError(t, err)
	deadline := time.Now().Add(20 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		res, err := http.Get(s.base + "/checkpoint")
		require.NoError(t, err)
		text, err := io.ReadAll(res.Body)
		res.Body.Close()
		require.NoError(t, err)
		cp, _, _, err := log.ParseCheckpoint(text, k.Origin, v)
		require.NoError(t, err)
		if cp.Size == n+1 {
			break
		}
		require.True(t, time.Now().Before(deadline), "no checkpoint of size %d within 20 s (latest %d)", n+1, cp.Size)
		<-tick.C
	}
	require.NoError(t, s.stop())
	r = ledger(t, nil, "check-consistency", before, "--key", k.VKey, "--store", store)
	require.Equal(t, 0, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stdout, fmt.Sprintf("today (size %d", n+1))
}
