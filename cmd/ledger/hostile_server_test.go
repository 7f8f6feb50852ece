package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/eventstore"
)

// failsInOneLine asserts r failed with code in exactly one line on stderr that contains each of want.
func failsInOneLine(t *testing.T, r result, code int, want ...string) {
	t.Helper()
	assert.Equal(t, code, r.code, "stdout %q stderr %q", r.stdout, r.stderr)
	assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line: %q", r.stderr)
	for _, w := range want {
		assert.Contains(t, r.stderr, w)
	}
}

// Files named on the command line are read only up to a bound: /dev/zero as a token, key, proof
// bundle or tree head file is one line, exit 2, after reading a few bytes more than the bound.
func TestFilesNamedOnTheCommandLineAreBounded(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Fatalf("this test reads /dev/zero: %v", err)
	}
	key, err := audit.NewKey()
	require.NoError(t, err)
	pub := key.PublicText()
	t.Chdir(t.TempDir())
	require.NoError(t, os.Mkdir("pack", 0o755))
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"key", "--server", "http://127.0.0.1:1", "--token-file", "/dev/zero"}, "--token-file: /dev/zero is larger than 4096 bytes; a token is one line"},
		{[]string{"check-proof", "/dev/zero", "--key", pub}, fmt.Sprintf("check-proof: /dev/zero is larger than %d bytes; a proof bundle", maxBundleBytes)},
		{[]string{"check-consistency", "/dev/zero", "--key", pub, "--server", "http://127.0.0.1:1"}, fmt.Sprintf("/dev/zero is larger than %d bytes; a tree head or checkpoint is under 1 KiB", maxHeadFileBytes)},
		{[]string{"verify-pack", "pack", "--key", "/dev/zero"}, "verify-pack: --key: /dev/zero is larger than 16384 bytes; a public key is"},
	} {
		r := ledger(t, nil, tt.args...)
		failsInOneLine(t, r, 2, tt.want)
	}
}

// A server that keeps sending pages past the log's size it stated first (the partnerships list's
// known_at seq) is not followed past it: history reads what the store holds, and asks for no page
// beyond it.
func TestServerThatKeepsSendingPagesIsBounded(t *testing.T) {
	store := seeded(t)
	s := startServe(t, store)
	local := ledger(t, nil, "history", "--partnership", gnn, "--json", "--server", s.base)
	require.Equal(t, 0, local.code, local.stderr)
	var pages atomic.Int32
	endless := rewriting(t, s.base, func(path string, body []byte) []byte {
		if !strings.HasSuffix(path, "/events") {
			return body
		}
		pages.Add(1)
		var page struct {
			Events []eventstore.Event `json:"events"`
			Next   string             `json:"next"`
		}
		require.NoError(t, json.Unmarshal(body, &page))
		last := page.Events[len(page.Events)-1]
		for i := range 50 { // events recorded "later", forever
			e := last
			e.ID, e.Seq = uuid.New(), last.Seq+100+uint64(i)
			page.Events = append(page.Events, e)
		}
		page.Next = path + "?after=1000&limit=100"
		out, err := json.Marshal(page)
		require.NoError(t, err)
		return out
	})
	r := ledger(t, nil, "history", "--partnership", gnn, "--json", "--server", endless)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, local.stdout, r.stdout)
	assert.Equal(t, int32(1), pages.Load(), "no page asked for past the log's size")
}

// A server that answers {} or null (not what the route serves) is at fault: exit 1, one line naming the
// server and route; nothing is written, no empty key or state is printed.
func TestWrongAnswersAreTheServersFault(t *testing.T) {
	for _, body := range []string{`{}`, `null`} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(body)) }))
		t.Cleanup(srv.Close)
		t.Chdir(t.TempDir())
		id := uuid.New()
		for _, tt := range []struct {
			args  []string
			route string
		}{
			{[]string{"key"}, "/v1/audit/key"},
			{[]string{"state", "--partnership", gnn}, "/v1/partnerships/" + gnn},
			{[]string{"history", "--partnership", gnn}, "/v1/partnerships"},
			{[]string{"replay", "--partnership", gnn}, "/v1/partnerships"},
			{[]string{"tree-head", "-o", "head.json"}, "/v1/audit/tree-head"},
			{[]string{"export", "-o", "export.jsonl"}, "/v1/audit/tree-head"},
			{[]string{"prove", "--event", id.String(), "-o", "proof.json"}, "/v1/events/" + id.String() + "/proof"},
		} {
			r := ledger(t, nil, append(tt.args, "--server", srv.URL)...)
			failsInOneLine(t, r, 1, srv.URL+tt.route)
			assert.Empty(t, r.stdout, "%v", tt.args)
		}
		entries, err := os.ReadDir(".")
		require.NoError(t, err)
		assert.Empty(t, entries, "no file written from a wrong answer")
	}
}

// prove --server refuses a bundle of another event, and one whose proof does not lead to its tree
// head (or, with --key, whose head is not signed by the pinned key), writing nothing.
func TestProveWithServerChecksTheBundle(t *testing.T) {
	store := seeded(t)
	pub := publicKey(t, "--store", store)
	exp := ledger(t, nil, "export", "--store", store)
	require.Equal(t, 0, exp.code, exp.stderr)
	var ids []uuid.UUID
	for _, line := range strings.Split(strings.TrimSpace(exp.stdout), "\n") {
		var e eventstore.Event
		require.NoError(t, json.Unmarshal([]byte(line), &e))
		ids = append(ids, e.ID)
	}
	s := startServe(t, store)
	t.Chdir(t.TempDir())
	asked, other := ids[4], ids[9]
	swapped := rewriting(t, s.base, func(path string, body []byte) []byte {
		if path != "/v1/events/"+asked.String()+"/proof" {
			return body
		}
		return []byte(strings.ReplaceAll(string(body), `"id":"`+asked.String(), `"id":"`+other.String()))
	})
	r := ledger(t, nil, "prove", "--event", asked.String(), "-o", "proof.json", "--server", swapped)
	failsInOneLine(t, r, 1, swapped, "the proof of event "+other.String()+", not of "+asked.String())
	assert.NoFileExists(t, "proof.json")

	otherKey, err := audit.NewKey()
	require.NoError(t, err)
	for _, tt := range []struct {
		name    string
		rewrite func(b *audit.Bundle)
		key     string
		want    string
	}{
		{"altered event", func(b *audit.Bundle) { b.Event.RecordedBy = "someone else" }, "", "does not check"},
		{"broken path", func(b *audit.Bundle) { b.AuditPath[0][0] ^= 1 }, "", "does not check"},
		{"head of another key", func(b *audit.Bundle) {
			b.TreeHead = otherKey.Sign(b.TreeHead.Size, b.TreeHead.Root, b.TreeHead.Timestamp)
		}, pub, "does not check"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			lying := rewriting(t, s.base, func(path string, body []byte) []byte {
				var b audit.Bundle
				require.NoError(t, json.Unmarshal(body, &b))
				tt.rewrite(&b)
				out, err := json.Marshal(b)
				require.NoError(t, err)
				return out
			})
			args := []string{"prove", "--event", asked.String(), "-o", "proof.json", "--server", lying}
			if tt.key != "" {
				args = append(args, "--key", tt.key)
			}
			failsInOneLine(t, ledger(t, nil, args...), 1, lying, tt.want)
			assert.NoFileExists(t, "proof.json")
		})
	}
	ok := ledger(t, nil, "prove", "--event", asked.String(), "-o", "proof.json", "--server", s.base, "--key", pub)
	require.Equal(t, 0, ok.code, ok.stderr)
	assert.Equal(t, 0, ledger(t, nil, "check-proof", "proof.json", "--key", pub).code)
}

// One ledger at a time: --server and --store together are refused; an explicit --store beats
// LEDGER_SERVER from the environment.
func TestStoreFlagAndServerChoice(t *testing.T) {
	store := seeded(t)
	both := ledger(t, nil, "state", "--partnership", gnn, "--store", store, "--server", "http://127.0.0.1:1")
	failsInOneLine(t, both, 2, "--server URL (a running server) or --store SPEC (a store here), not both")
	env := ledger(t, map[string]string{"LEDGER_SERVER": "http://127.0.0.1:1"}, "state", "--partnership", gnn, "--store", store)
	assert.Equal(t, 0, env.code, "the explicit --store is read, not the server in the environment: %s", env.stderr)
	assert.Contains(t, env.stdout, "Great Yarmouth")
	fromEnv := ledger(t, map[string]string{"LEDGER_SERVER": "http://127.0.0.1:1"}, "state", "--partnership", gnn)
	assert.Equal(t, 1, fromEnv.code, "without --store, LEDGER_SERVER is asked: %s", fromEnv.stderr)
}

// A redirect is not followed (the token would go to another port), a stalled server ends after
// LEDGER_SERVER_TIMEOUT, a problem detail of 60 KB is cut, and a null proof answer is the server's
// fault: each one line, exit 1, naming the server.
func TestHostileServerAnswersEndInOneLine(t *testing.T) {
	var reached atomic.Int32
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
		w.Write([]byte(`{}`))
	}))
	t.Cleanup(elsewhere.Close)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch mode, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/"); mode {
		case "redirect":
			http.Redirect(w, r, elsewhere.URL+r.URL.Path, http.StatusFound)
		case "stall":
			select {
			case <-release:
			case <-r.Context().Done():
			}
		case "big":
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusInternalServerError)
			json.NewEncoder(w).Encode(map[string]string{"title": "Big", "detail": strings.Repeat("A", 60000)})
		case "null":
			w.Write([]byte("null"))
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	env := map[string]string{"LEDGER_SERVER_TIMEOUT": "50ms"}
	token := filepath.Join(t.TempDir(), "t.tok")
	require.NoError(t, os.WriteFile(token, []byte("pl_secret\n"), 0o600))

	r := ledger(t, env, "key", "--server", srv.URL+"/redirect", "--token-file", token)
	failsInOneLine(t, r, 1, srv.URL+"/redirect/v1/audit/key", "redirecting to "+elsewhere.URL+"/redirect/v1/audit/key", "does not follow redirects")
	assert.Zero(t, reached.Load(), "the token went nowhere else")

	r = ledger(t, env, "key", "--server", srv.URL+"/stall")
	failsInOneLine(t, r, 1, srv.URL+"/stall/v1/audit/key", "the server sent no status and headers within 50ms")

	r = ledger(t, env, "key", "--server", srv.URL+"/big")
	failsInOneLine(t, r, 1, "(cut: 59700 more characters)")
	assert.Less(t, len(r.stderr), 600)

	r = ledger(t, env, "prove", "--event", uuid.NewString(), "--server", srv.URL+"/null")
	failsInOneLine(t, r, 1, srv.URL+"/null/v1/events/", "it is null")

	bad := ledger(t, map[string]string{"LEDGER_SERVER_TIMEOUT": "soon"}, "key", "--server", srv.URL)
	failsInOneLine(t, bad, 2, `LEDGER_SERVER_TIMEOUT="soon"`)
}

// A tree head whose size was altered (same key id, a signature that no longer verifies) is reported
// as such, not as a head signed by another key with the same id twice.
func TestAlteredTreeHeadIsNotCalledAnotherKey(t *testing.T) {
	store := seeded(t)
	auditor := issueToken(t, store, "auditor")
	pub := publicKey(t, "--store", store)
	s := startServe(t, store)
	altered := rewriting(t, s.base, func(path string, body []byte) []byte {
		if path != "/v1/audit/tree-head" {
			return body
		}
		var th audit.TreeHead
		require.NoError(t, json.Unmarshal(body, &th))
		th.Size += 5
		out, err := json.Marshal(th)
		require.NoError(t, err)
		return out
	})
	r := ledger(t, nil, "verify", "--server", altered, "--token-file", auditor, "--key", pub)
	failsInOneLine(t, r, 1, "whose signature does not verify under the pinned key")
	assert.NotContains(t, r.stderr, "a key other than")
}

// The signing key file (--key-file) is read only up to audit.MaxKeyFileBytes: a larger file is one
// line, exit 2, naming it (a regular file here: no unbounded read is reproduced).
func TestLargeKeyFileIsRefused(t *testing.T) {
	store := seeded(t)
	big := filepath.Join(t.TempDir(), "big.key")
	require.NoError(t, os.WriteFile(big, make([]byte, audit.MaxKeyFileBytes+1), 0o600))
	r := ledger(t, nil, "tree-head", "--store", store, "--key-file", big)
	failsInOneLine(t, r, 2, fmt.Sprintf("the file %s is larger than %d bytes", big, audit.MaxKeyFileBytes))
}
