package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/eventstore"
)

// issueToken issues a token of role offline into store and writes it to a file, whose path it returns.
func issueToken(t testing.TB, store, role string) string {
	t.Helper()
	r := ledger(t, nil, "token", "issue", "--role", role, "--actor", "Internal audit", "--store", store)
	require.Equal(t, 0, r.code, r.stderr)
	for _, f := range strings.Fields(r.stdout) {
		if strings.HasPrefix(f, "pl_") {
			file := filepath.Join(t.TempDir(), role+".token")
			require.NoError(t, os.WriteFile(file, []byte(f+"\n"), 0o600))
			return file
		}
	}
	t.Fatalf("no token in %q", r.stdout)
	return ""
}

// publicKey returns the ledger's public key as `ledger key --json` prints it.
func publicKey(t testing.TB, args ...string) string {
	t.Helper()
	r := ledger(t, nil, append([]string{"key", "--json"}, args...)...)
	require.Equal(t, 0, r.code, r.stderr)
	var k struct {
		PublicKey string `json:"public_key"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &k))
	require.NotEmpty(t, k.PublicKey)
	return k.PublicKey
}

// A ledger served by a running server (which locks the store) is read with --server by every command
// that only reads, and each prints what the same command prints from the store once the server has
// stopped. verify and check-consistency check what they download against the pinned key; pack writes
// the same files, and no key file, here or anywhere.
func TestEveryReadCommandWithServerMatchesTheStore(t *testing.T) {
	store := seeded(t)
	auditor := issueToken(t, store, "auditor")
	pub := publicKey(t, "--store", store)
	dir := t.TempDir()
	kept := filepath.Join(dir, "kept-head.json")
	require.Equal(t, 0, ledger(t, nil, "tree-head", "--size", "10", "-o", kept, "--store", store).code)
	var hist []eventstore.Event
	h := ledger(t, nil, "history", "--partnership", gnn, "--json", "--store", store)
	require.Equal(t, 0, h.code, h.stderr)
	require.NoError(t, json.Unmarshal([]byte(h.stdout), &hist))
	event := hist[3].ID.String()

	// Each read command, as the local and the --server form take it (the --server form gets a token
	// and the pinned key where it needs them).
	type readCmd struct {
		name        string
		args        []string
		serverExtra []string
		localExtra  []string
	}
	cmds := []readCmd{
		{name: "history", args: []string{"history", "--partnership", gnn}},
		{name: "history --json --known-at", args: []string{"history", "--partnership", gnn, "--json", "--known-at", "2016-06-01"}},
		{name: "state", args: []string{"state", "--partnership", gnn, "--as-of", "2015-11-07"}},
		{name: "state --json --known-at", args: []string{"state", "--partnership", gnn, "--as-of", "2016-07-01", "--known-at", "2015-12-18", "--json"}},
		{name: "replay", args: []string{"replay", "--partnership", gnn}},
		{name: "replay --json --until", args: []string{"replay", "--partnership", gnn, "--until", "2015-11-10", "--json"}},
		{name: "prove", args: []string{"prove", "--event", event}},
		{name: "tree-head", args: []string{"tree-head"}},
		{name: "tree-head --size", args: []string{"tree-head", "--size", "7"}},
		{name: "check-consistency", args: []string{"check-consistency", kept, "--key", pub}, serverExtra: []string{"--token-file", auditor}},
		{name: "export", args: []string{"export"}, serverExtra: []string{"--token-file", auditor}},
		{name: "verify", args: []string{"verify"}, serverExtra: []string{"--token-file", auditor, "--key", pub}},
		{name: "verify --tree-head", args: []string{"verify", "--tree-head", kept, "--key", pub}, serverExtra: []string{"--token-file", auditor}},
		{name: "checkpoint", args: []string{"checkpoint", "--key", pub}},
		{name: "consistency-proof", args: []string{"consistency-proof", kept}},
		{name: "key", args: []string{"key"}},
		{name: "key --json", args: []string{"key", "--json"}},
	}

	work := t.TempDir()
	t.Chdir(work) // where a careless command would create a key file or a store
	s := startServe(t, store)
	locked := ledger(t, nil, "state", "--partnership", gnn, "--store", store)
	require.Equal(t, 1, locked.code, "the server holds the store: %s", locked.stderr)

	viaServer := map[string]result{}
	for _, c := range cmds {
		r := ledger(t, nil, append(append(slices.Clone(c.args), c.serverExtra...), "--server", s.base)...)
		require.Equal(t, 0, r.code, "%s --server: %s%s", c.name, r.stdout, r.stderr)
		viaServer[c.name] = r
	}
	serverPack := filepath.Join(work, "pack")
	packArgs := []string{"pack", "--partnership", gnn, "--as-of", "2016-06-30", "--known-at", "2016-06-01", "--committee", "Joint Shared Services Committee", "--format", "md,html,pdf",
		"--meeting", "north-norfolk:cabinet=2016-07-04", "--meeting", "Joint Shared Services Committee=2016-07-01", "--since", "2016-01-01"}
	sp := ledger(t, nil, append(slices.Clone(packArgs), "-o", serverPack, "--server", s.base)...)
	require.Equal(t, 0, sp.code, sp.stderr)
	entries, err := os.ReadDir(work)
	require.NoError(t, err)
	require.Len(t, entries, 1, "only the pack directory: no key file, no store")
	assert.Equal(t, "pack", entries[0].Name())
	vp := ledger(t, nil, "verify-pack", serverPack, "--key", pub, "--server", s.base)
	assert.Equal(t, 0, vp.code, "verify-pack reads only the directory, --server or not: %s", vp.stdout+vp.stderr)
	bundle := filepath.Join(t.TempDir(), "proof.json")
	require.NoError(t, os.WriteFile(bundle, []byte(viaServer["prove"].stdout), 0o644))
	cp := ledger(t, nil, "check-proof", bundle, "--key", pub, "--server", s.base)
	assert.Equal(t, 0, cp.code, "check-proof reads only the file, --server or not: %s", cp.stdout+cp.stderr)
	require.NoError(t, s.stop())

	for _, c := range cmds {
		t.Run(c.name, func(t *testing.T) {
			local := ledger(t, nil, append(append(slices.Clone(c.args), c.localExtra...), "--store", store)...)
			require.Equal(t, 0, local.code, local.stderr)
			assert.Equal(t, local.stdout, viaServer[c.name].stdout)
		})
	}
	t.Run("pack", func(t *testing.T) {
		localPack := filepath.Join(t.TempDir(), "pack")
		lp := ledger(t, nil, append(slices.Clone(packArgs), "-o", localPack, "--store", store)...)
		require.Equal(t, 0, lp.code, lp.stderr)
		assert.Equal(t, lp.stdout, strings.ReplaceAll(sp.stdout, serverPack, localPack))
		for _, name := range []string{"pack.html", "pack.pdf", "pack.md", "pack.json", "manifest.json"} {
			want, err := os.ReadFile(filepath.Join(localPack, name))
			require.NoError(t, err)
			got, err := os.ReadFile(filepath.Join(serverPack, name))
			require.NoError(t, err)
			assert.True(t, bytes.Equal(want, got), "%s is byte for byte the local pack's", name)
		}
	})
	t.Run("verify --json", func(t *testing.T) {
		// The same report, except that only the store's own verify can hold its indexes to the events.
		local := ledger(t, nil, "verify", "--json", "--store", store)
		require.Equal(t, 0, local.code, local.stderr)
		var rep audit.Report
		require.NoError(t, json.Unmarshal([]byte(local.stdout), &rep))
		assert.True(t, rep.IndexesChecked)
		rep.IndexesChecked = false
		want, err := json.MarshalIndent(rep, "", "  ")
		require.NoError(t, err)
		s2 := startServe(t, store)
		remote := ledger(t, nil, "verify", "--json", "--server", s2.base, "--token-file", auditor, "--key", pub)
		require.Equal(t, 0, remote.code, remote.stderr)
		assert.Equal(t, string(want)+"\n", remote.stdout)
	})
}

// What --server cannot do, or needs, is refused as bad input in one line, and nothing is created.
func TestServerReadsRefuseWhatTheyCannotCheck(t *testing.T) {
	store := seeded(t)
	issueToken(t, store, "auditor") // the ledger now has an event in ledger-tokens
	pub := publicKey(t, "--store", store)
	work := t.TempDir()
	t.Chdir(work)
	s := startServe(t, store)
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"verify without a pinned key", []string{"verify"}, "--key PUBKEY is required with --server"},
		{"check-consistency without a pinned key", []string{"check-consistency", writeHead(t, s.base)}, "--key PUBKEY is required: the ledger's public key or note verifier key, which 'ledger key' prints"},
		{"verify without an auditor token", []string{"verify", "--key", pub}, "auditor token"},
		{"export without an auditor token", []string{"export", "-o", filepath.Join(work, "out.jsonl")}, "auditor token"},
		{"export --salvage", []string{"export", "--salvage", "-o", filepath.Join(work, "out.jsonl")}, "does not go with --server"},
		{"state of no partnership", []string{"state", "--partnership", "no-such-partnership"}, "404"},
		{"a bad date, refused before asking", []string{"state", "--partnership", gnn, "--as-of", "2015-02-30"}, "--as-of"},
		{"tree-head beyond the ledger", []string{"tree-head", "--size", "999999"}, "size"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := ledger(t, nil, append(slices.Clone(tt.args), "--server", s.base)...)
			assert.Equal(t, 2, r.code, "stdout %q stderr %q", r.stdout, r.stderr)
			assert.Contains(t, r.stderr, tt.want)
			assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line: %q", r.stderr)
			for _, w := range []string{"export: export:", "verify: verify:"} {
				assert.NotContains(t, r.stderr, w, "no doubled prefix")
			}
		})
	}
	entries, err := os.ReadDir(work)
	require.NoError(t, err)
	names := []string{}
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.Equal(t, []string{"head.json"}, names, "nothing but the test's own head file")

	notURL := ledger(t, nil, "key", "--server", "ftp://example.org")
	assert.Equal(t, 2, notURL.code, notURL.stderr)
	assert.Contains(t, notURL.stderr, "--server")

	require.NoError(t, s.stop())
	gone := ledger(t, nil, "key", "--server", s.base)
	assert.Equal(t, 1, gone.code, "a server that cannot be reached is exit 1: %s", gone.stderr)
	assert.Equal(t, 1, strings.Count(gone.stderr, "\n"), "one line: %q", gone.stderr)
}

// writeHead saves the server's latest tree head in head.json in the working directory.
func writeHead(t *testing.T, base string) string {
	t.Helper()
	r := ledger(t, nil, "tree-head", "-o", "head.json", "--server", base)
	require.Equal(t, 0, r.code, r.stderr)
	return "head.json"
}

// rewriting is a server in front of a real one that changes what it answers on the way through.
func rewriting(t *testing.T, base string, rewrite func(path string, body []byte) []byte) string {
	t.Helper()
	target, err := url.Parse(base)
	require.NoError(t, err)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, err := http.NewRequestWithContext(r.Context(), r.Method, target.String()+r.URL.RequestURI(), nil)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		req.Header = r.Header.Clone()
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.Header().Set("Content-Type", res.Header.Get("Content-Type"))
		w.WriteHeader(res.StatusCode)
		w.Write(rewrite(r.URL.Path, body))
	}))
	t.Cleanup(proxy.Close)
	return proxy.URL
}

// rewritingEvents is rewriting for the pages of GET /v1/events: rewrite gets each page's events, and
// whether the page is the last.
func rewritingEvents(t *testing.T, base string, rewrite func(events []eventstore.Event, last bool) []eventstore.Event) string {
	return rewriting(t, base, func(path string, body []byte) []byte {
		if path != "/v1/events" {
			return body
		}
		var page struct {
			Events []eventstore.Event `json:"events"`
			Next   string             `json:"next,omitempty"`
		}
		require.NoError(t, json.Unmarshal(body, &page))
		page.Events = rewrite(page.Events, page.Next == "")
		out, err := json.Marshal(page)
		require.NoError(t, err)
		return out
	})
}

// verify --server and check-consistency --server trust nothing the server says: an event altered on
// the way, or a tree head signed by another key, is exit 1 naming it.
func TestVerifyWithServerCatchesAServerThatLies(t *testing.T) {
	store := seeded(t)
	auditor := issueToken(t, store, "auditor")
	pub := publicKey(t, "--store", store)
	s := startServe(t, store)
	t.Chdir(t.TempDir())
	writeHead(t, s.base)

	var victim eventstore.Event
	tampered := rewritingEvents(t, s.base, func(events []eventstore.Event, last bool) []eventstore.Event {
		for i, e := range events {
			if e.Seq == 12 {
				events[i].EffectiveOn = "2001-01-01" // back-dated on the way
				victim = e
			}
		}
		return events
	})
	v := ledger(t, nil, "verify", "--server", tampered, "--token-file", auditor, "--key", pub)
	assert.Equal(t, 1, v.code, v.stdout+v.stderr)
	require.NotZero(t, victim.Seq, "the proxy altered an event")
	assert.Contains(t, v.stdout, "TAMPERED")
	assert.Contains(t, v.stdout, victim.ID.String())
	c := ledger(t, nil, "check-consistency", "head.json", "--key", pub, "--server", tampered, "--token-file", auditor)
	assert.Equal(t, 1, c.code, c.stdout+c.stderr)
	assert.Contains(t, c.stdout, victim.ID.String())

	// A tree head signed by another key: the server is not the ledger whose key was pinned.
	other, err := audit.NewKey()
	require.NoError(t, err)
	forged := rewriting(t, s.base, func(path string, body []byte) []byte {
		if path != "/v1/audit/tree-head" {
			return body
		}
		var th audit.TreeHead
		require.NoError(t, json.Unmarshal(body, &th))
		out, err := json.Marshal(other.Sign(th.Size, th.Root, th.Timestamp))
		require.NoError(t, err)
		return out
	})
	f := ledger(t, nil, "verify", "--server", forged, "--token-file", auditor, "--key", pub)
	assert.Equal(t, 1, f.code, f.stdout+f.stderr)
	assert.Contains(t, f.stderr, "a key other than the pinned one")
	assert.Contains(t, f.stderr, other.ID())
	assert.Equal(t, 1, strings.Count(f.stderr, "\n"), "one line: %q", f.stderr)

	// The last event left out: every event sent verifies, but the signed tree head covers one more.
	short := rewritingEvents(t, s.base, func(events []eventstore.Event, last bool) []eventstore.Event {
		if last && len(events) > 0 {
			events = events[:len(events)-1]
		}
		return events
	})
	cut := ledger(t, nil, "verify", "--server", short, "--token-file", auditor, "--key", pub)
	assert.Equal(t, 1, cut.code, cut.stdout+cut.stderr)
	assert.Contains(t, cut.stderr, "did not send events seq 31 to 31, which its signed tree head of size 31 covers")

	// One event left out in the middle, for an auditor.
	gap := rewritingEvents(t, s.base, func(events []eventstore.Event, last bool) []eventstore.Event {
		return slices.DeleteFunc(events, func(e eventstore.Event) bool { return e.Seq == 12 })
	})
	hole := ledger(t, nil, "verify", "--server", gap, "--token-file", auditor, "--key", pub)
	assert.Equal(t, 1, hole.code, hole.stdout+hole.stderr)
	assert.Contains(t, hole.stderr, "did not send events seq 12 to 12")

	// The last event edited and its hash recomputed: every chain verifies, but the events are not the
	// ones the server's signed tree head covers.
	resealed := rewritingEvents(t, s.base, func(events []eventstore.Event, last bool) []eventstore.Event {
		if last && len(events) > 0 {
			e := &events[len(events)-1]
			e.RecordedBy = "someone else"
			e.Hash = eventstore.ComputeHash(*e, e.PrevHash)
		}
		return events
	})
	rs := ledger(t, nil, "verify", "--server", resealed, "--token-file", auditor, "--key", pub)
	assert.Equal(t, 1, rs.code, rs.stdout+rs.stderr)
	assert.Contains(t, rs.stderr, "are not the ones its signed tree head of size 31")

	honest := rewriting(t, s.base, func(_ string, body []byte) []byte { return body })
	ok := ledger(t, nil, "verify", "--server", honest, "--token-file", auditor, "--key", pub)
	assert.Equal(t, 0, ok.code, "an honest answer through the proxy verifies: %s", ok.stdout+ok.stderr)
}

// The commands that write or serve a store on this machine refuse --server: they would open (or
// create) a store and a key file here, behind the back of the server the user named.
func TestStoreCommandsRefuseServer(t *testing.T) {
	work := t.TempDir()
	t.Chdir(work)
	for _, args := range [][]string{
		{"record", "--partnership", gnn, "--type", "SavingsReported", "--effective", "2016-03-01", "--data", savingsOK, "--source", pressSource},
		{"seed"}, {"import", "export.jsonl"}, {"migrate", "--from", "bolt:a.db", "--to", "bolt:b.db"},
		{"gen", "--partnerships", "1", "--events", "10"}, {"serve", "--addr", "127.0.0.1:0"}, {"demo", "--addr", "127.0.0.1:0"},
	} {
		t.Run(args[0], func(t *testing.T) {
			r := ledger(t, nil, append(slices.Clone(args), "--server", "http://127.0.0.1:1")...)
			assert.Equal(t, 2, r.code, r.stderr)
			assert.Contains(t, r.stderr, "--server (or LEDGER_SERVER) is for the commands that read")
			assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line: %q", r.stderr)
			env := ledger(t, map[string]string{"LEDGER_SERVER": "http://127.0.0.1:1"}, args...)
			assert.Equal(t, 2, env.code, env.stderr)
		})
	}
	entries, err := os.ReadDir(work)
	require.NoError(t, err)
	assert.Empty(t, entries, "no store, no key file")
}

// Text a server sends is printed escaped, as text read from a store is: a hostile server cannot move
// the cursor or rewrite the terminal through `ledger key`.
func TestServerTextIsPrintedEscaped(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"public_key":"AAAA\u001b[2J","key_id":"k\u202eid","algorithm":"Ed25519"}`))
	}))
	t.Cleanup(srv.Close)
	r := ledger(t, nil, "key", "--server", srv.URL)
	require.Equal(t, 1, r.code, "a key that is not one is the server's fault: %s", r.stderr)
	assert.Empty(t, r.stdout)
	assert.NotContains(t, r.stderr, "\x1b")
	assert.Contains(t, r.stderr, `AAAA\x1b[2J`)
	assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line: %q", r.stderr)
}

// A server's own failure (5xx) is exit 1 in one line, as is an answer that is not the route's JSON; a
// 4xx answer is exit 2.
func TestServerFailuresMapToExitCodes(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/audit/key":
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusInternalServerError)
			w.Write([]byte(`{"type":"/problems/internal","title":"Internal error","status":500,"detail":"see the server's log"}`))
		case "/v1/audit/tree-head":
			w.Write([]byte(`<html>not JSON</html>`))
		default:
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"type":"/problems/unauthorized","title":"Unauthorized","status":401,"detail":"a valid bearer token is required"}`))
		}
	}))
	t.Cleanup(srv.Close)
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"key"}, 1, "500 Internal error: see the server's log"},
		{[]string{"tree-head"}, 1, "/v1/audit/tree-head: the answer is not a JSON object"},
		{[]string{"state", "--partnership", gnn}, 2, "401 Unauthorized: a valid bearer token is required"},
	} {
		r := ledger(t, nil, append(slices.Clone(tt.args), "--server", srv.URL)...)
		assert.Equal(t, tt.code, r.code, "%v: %s", tt.args, r.stderr)
		assert.Contains(t, r.stderr, tt.want)
		assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line: %q", r.stderr)
	}
}

// A ledger larger than a page (1,000 events) is read through every page: the partnership's events,
// the global log and the state come out as from the store.
func TestServerReadsPageThroughALedger(t *testing.T) {
	store := tempStore(t)
	gen := ledger(t, nil, "gen", "--partnerships", "2", "--events", "2500", "--store", store)
	require.Equal(t, 0, gen.code, gen.stderr)
	auditor := issueToken(t, store, "auditor")
	pub := publicKey(t, "--store", store)
	cmds := [][]string{
		{"history", "--partnership", "ref-partnership-001", "--json"},
		{"history", "--partnership", "ref-partnership-000", "--known-at", "1800"},
		{"state", "--partnership", "ref-partnership-000", "--json", "--as-of", "2030-01-01"},
		{"export"},
	}
	s := startServe(t, store)
	viaServer := make([]result, len(cmds))
	for i, args := range cmds {
		viaServer[i] = ledger(t, nil, append(slices.Clone(args), "--server", s.base, "--token-file", auditor)...)
		require.Equal(t, 0, viaServer[i].code, "%v: %s", args, viaServer[i].stderr)
	}
	v := ledger(t, nil, "verify", "--server", s.base, "--token-file", auditor, "--key", pub)
	require.Equal(t, 0, v.code, v.stderr)
	require.NoError(t, s.stop())
	for i, args := range cmds {
		local := ledger(t, nil, append(slices.Clone(args), "--store", store)...)
		require.Equal(t, 0, local.code, local.stderr)
		assert.Equal(t, local.stdout, viaServer[i].stdout, "%v", args)
	}
	assert.Equal(t, 2501, strings.Count(viaServer[3].stdout, "\n"), "every event exported")
	local := ledger(t, nil, "verify", "--store", store)
	assert.Equal(t, local.stdout, v.stdout)
}
