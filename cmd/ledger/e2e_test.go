package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// started is the real program serving in-process on a free port.
type started struct {
	base    string
	token   string // the recorder token `ledger demo` printed
	auditor string // the auditor token it printed
	curls   []string
	printed []string // every line the program printed until it was ready, as printed
	revokes []string // the revoke commands the demo printed, as typed: "ledger token revoke ID --store S"
	stop    func() error
}

// startDemo runs `ledger demo --addr 127.0.0.1:0` and waits until it listens and is ready.
func startDemo(t *testing.T, store string) started {
	t.Helper()
	s := startProgram(t, "demo", "--addr", "127.0.0.1:0", "--store", store)
	require.NotEmpty(t, s.token, "the demo printed a recorder token")
	require.NotEmpty(t, s.auditor, "the demo printed an auditor token")
	return s
}

// startServe runs `ledger serve --addr 127.0.0.1:0` over store and waits until it listens and is
// ready: the store is then locked by the server.
func startServe(t testing.TB, store string) started {
	t.Helper()
	return startProgram(t, "serve", "--addr", "127.0.0.1:0", "--store", store)
}

// startProgram runs the program with args (a demo or a server) and waits until it listens (and, for a
// demo, has printed its token) and is ready.
func startProgram(t testing.TB, args ...string) started {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(ctx, args, func(string) string { return "" }, strings.NewReader(""), pw, io.Discard)
		pw.Close()
		done <- err
	}()
	var s started
	sc := bufio.NewScanner(pr)
	end := args[0] != "demo" // a demo's message ends with "Press Ctrl-C to stop."
	for (s.base == "" || !end) && sc.Scan() {
		s.printed = append(s.printed, sc.Text())
		line := strings.TrimSpace(sc.Text())
		end = end || strings.HasPrefix(line, "Press Ctrl-C")
		if b, ok := strings.CutPrefix(line, "listening on "); ok {
			s.base = b
		}
		if _, cmd, ok := strings.Cut(line, "'ledger token revoke "); ok {
			s.revokes = append(s.revokes, "ledger token revoke "+strings.TrimSuffix(cmd, "'):"))
		}
		if strings.HasPrefix(line, "curl ") {
			s.curls = append(s.curls, line)
		}
		if strings.HasPrefix(line, "pl_") {
			if s.token == "" {
				s.token = line
			} else {
				s.auditor = line
			}
		}
	}
	require.NotEmpty(t, s.base, "the program printed where it listens")
	go io.Copy(io.Discard, pr)
	deadline := time.Now().Add(10 * time.Second)
	for {
		res, err := http.Get(s.base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				break
			}
		}
		require.True(t, time.Now().Before(deadline), "ready within 10 s")
		pollPause()
	}
	var once sync.Once
	var stopErr error
	s.stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case stopErr = <-done:
			case <-time.After(20 * time.Second):
				stopErr = context.DeadlineExceeded
			}
		})
		return stopErr
	}
	t.Cleanup(func() { s.stop() })
	return s
}

func TestDemoServesAndReadCommandsUseServer(t *testing.T) {
	// Seed, then issue the first admin token offline, before serving. (Seeding after a token would put
	// the demo's back-dated recorded_at after a real one, and "known at 2016" would then see nothing.)
	store := seeded(t)
	adm := ledger(t, map[string]string{"USER": "ops"}, "token", "issue", "--role", "admin", "--actor", "Democratic services", "--store", store)
	require.Equal(t, 0, adm.code, adm.stderr)
	adminToken := ""
	for _, f := range strings.Fields(adm.stdout) {
		if strings.HasPrefix(f, "pl_") {
			adminToken = f
		}
	}
	require.NotEmpty(t, adminToken)
	s := startDemo(t, store)

	// Tokens through the running server need the admin token.
	viaServer := ledger(t, nil, "token", "issue", "--role", "reader", "--actor", "Press office", "--server", s.base, "--token", adminToken)
	require.Equal(t, 0, viaServer.code, viaServer.stderr)
	assert.Contains(t, viaServer.stdout, "role:     reader")
	noAdmin := ledger(t, nil, "token", "issue", "--role", "reader", "--actor", "x", "--server", s.base, "--token", s.token)
	assert.Equal(t, 2, noAdmin.code)
	assert.Contains(t, noAdmin.stderr, "403")

	res, err := http.Get(s.base + "/v1/partnerships")
	require.NoError(t, err)
	var list struct {
		Partnerships []struct {
			Partnership string `json:"partnership"`
		} `json:"partnerships"`
	}
	require.NoError(t, json.NewDecoder(res.Body).Decode(&list))
	res.Body.Close()
	require.Len(t, list.Partnerships, 2)

	// The store is locked by the server: offline reads fail fast, --server reads work.
	offline := ledger(t, nil, "state", "--partnership", gnn, "--store", store)
	assert.Equal(t, 1, offline.code)
	assert.Contains(t, offline.stderr, "--server")

	st := ledger(t, nil, "state", "--partnership", gnn, "--as-of", "2015-11-07", "--json", "--server", s.base)
	require.Equal(t, 0, st.code, st.stderr)
	assert.Contains(t, st.stdout, "Sheila Oxtoby")
	h := ledger(t, nil, "history", "--partnership", gnn, "--known-at", "2016-06-01", "--server", s.base)
	require.Equal(t, 0, h.code, h.stderr)
	assert.Contains(t, h.stdout, "JointAppointmentMade")
	assert.NotContains(t, h.stdout, "PartnershipDissolved", "known at 2016-06-01 excludes what was recorded later")
	k := ledger(t, nil, "key", "--server", s.base)
	require.Equal(t, 0, k.code, k.stderr)
	assert.Contains(t, k.stdout, "public key:")
	bad := ledger(t, nil, "state", "--partnership", gnn, "--as-of", "2015-02-30", "--server", s.base)
	assert.Equal(t, 2, bad.code)
	assert.Contains(t, bad.stderr, "--as-of")

	// The printed token records through the API.
	body := `{"type":"SavingsReported","effective_on":"2016-03-01","certainty":"reported","sources":[{"kind":"press","title":"EDP"}],"data":{"council":"north-norfolk","financial_year":2015,"category":"shared management","amount_pence":4100000,"status":"forecast","period_to":"2016-03-31"}}`
	req, _ := http.NewRequest("POST", s.base+"/v1/partnerships/norfolk-revenues-benefits/events", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+s.token)
	req.Header.Set("Content-Type", "application/json")
	res, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, 201, res.StatusCode)

	// Graceful shutdown closes the store: it opens again and verifies.
	require.NoError(t, s.stop())
	v := ledger(t, nil, "verify", "--store", store)
	assert.Equal(t, 0, v.code, v.stdout+v.stderr)
}

// pollPause spaces the polls of /readyz, which the loop above bounds with a deadline.
func pollPause() { <-time.After(20 * time.Millisecond) }

// `ledger demo` prints an auditor token beside the recorder token, with a one-line curl that runs
// the full verification with it (issue 20: /v1/audit/verify could not be tried without stopping the
// demo to issue one).
func TestDemoPrintsAnAuditorToken(t *testing.T) {
	s := startDemo(t, tempStore(t))
	var verifyCurl string
	for _, c := range s.curls {
		if strings.Contains(c, "/v1/audit/verify") {
			verifyCurl = c
		}
	}
	require.NotEmpty(t, verifyCurl, "a curl line for /v1/audit/verify: %q", s.curls)
	assert.Equal(t, "curl -H 'Authorization: Bearer "+s.auditor+"' "+s.base+"/v1/audit/verify", verifyCurl)

	get := func(token string) (int, string) {
		req, err := http.NewRequest(http.MethodGet, s.base+"/v1/audit/verify", nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		return res.StatusCode, string(b)
	}
	code, body := get(s.auditor)
	assert.Equal(t, http.StatusOK, code, body)
	assert.Contains(t, body, `"intact":true`)
	code, _ = get(s.token)
	assert.Equal(t, http.StatusForbidden, code, "the recorder token may not run the verification")
}

// The demo's "revoke it with ..." commands work as printed once the demo has stopped (it said
// 'ledger token revoke ID', which fails while the demo holds the store, and named no store).
func TestDemoRevokeCommandsWorkAsPrinted(t *testing.T) {
	store := seeded(t)
	s := startDemo(t, store)
	require.Len(t, s.revokes, 2, "a revoke command for each token")
	require.NoError(t, s.stop())
	for _, line := range s.revokes {
		args := strings.Fields(line)
		require.Equal(t, "ledger", args[0])
		args = args[1:]
		for i, a := range args {
			args[i] = strings.Trim(a, "'")
		}
		r := ledger(t, nil, args...)
		require.Equal(t, 0, r.code, "%s: %s", line, r.stderr)
		assert.Contains(t, r.stdout, "revoked token")
	}
}

// TestFirstDemoWarnsOfItsNewKeyBeforeServing: the first demo's warning to back up the new key comes
// before the serving banner, not after "Press Ctrl-C to stop." (a newcomer's finding), with stdout and
// stderr on one terminal.
func TestFirstDemoWarnsOfItsNewKeyBeforeServing(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	store := tempStore(t)
	go func() {
		err := run(ctx, []string{"demo", "--addr", "127.0.0.1:0", "--store", store}, func(string) string { return "" }, strings.NewReader(""), pw, pw)
		pw.Close()
		done <- err
	}()
	var lines []string
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if strings.HasPrefix(strings.TrimSpace(sc.Text()), "Press Ctrl-C") {
			break
		}
	}
	go io.Copy(io.Discard, pr)
	cancel()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the demo did not stop within 30 s of its context ending")
	}
	warning, listening := -1, -1
	for i, l := range lines {
		if strings.HasPrefix(l, "warning: created a new tree-signing key") && warning < 0 {
			warning = i
		}
		if strings.HasPrefix(l, "listening on ") && listening < 0 {
			listening = i
		}
	}
	require.GreaterOrEqual(t, warning, 0, "the first demo warns of its new key:\n%s", strings.Join(lines, "\n"))
	require.GreaterOrEqual(t, listening, 0, strings.Join(lines, "\n"))
	assert.Less(t, warning, listening, "the key warning comes before the serving banner:\n%s", strings.Join(lines, "\n"))
}
