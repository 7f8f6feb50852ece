package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/api"
	"github.com/partnership-ledger/ledger/api/web"
	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/domain/demo"
	"github.com/partnership-ledger/ledger/domain/recording"
	"github.com/partnership-ledger/ledger/eventstore/bolt"
	"github.com/partnership-ledger/ledger/projections"
	"github.com/partnership-ledger/ledger/tokens"
)

// TestMountedInTheAPI serves the pages inside the API, clerks checked against the API's token store,
// as cmd/ledger wires them.
func TestMountedInTheAPI(t *testing.T) {
	store, err := bolt.Open(filepath.Join(t.TempDir(), "ledger.db"), bolt.Options{})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	_, err = demo.SeedStore(ctx, store)
	require.NoError(t, err)
	key, err := audit.NewKey()
	require.NoError(t, err)
	models := projections.NewModels(projections.Options{})
	log := audit.NewLog(store, key)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); _ = projections.NewRunner(store, models).Run(ctx) }()
	go func() { defer wg.Done(); _ = log.Run(ctx) }()
	ts := tokens.New(store, nil)
	cfg := api.Config{Store: store, Models: models, Log: log, Recorder: recording.New(store, nil), Tokens: ts}
	cfg.Pages = web.New(web.Config{Models: models, Log: log, Store: store, Recorder: cfg.Recorder,
		Authenticate: func(r *http.Request, tok string) (string, string, bool) {
			p, ok, err := ts.Authenticate(r.Context(), tok)
			return p.Actor, p.Role, ok && err == nil
		}})
	srv := httptest.NewServer(api.NewServer(cfg))
	t.Cleanup(func() { srv.Close(); cancel(); wg.Wait(); store.Close() })
	head, err := store.Head(ctx)
	require.NoError(t, err)
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	require.NoError(t, models.WaitFor(wctx, head.Seq))
	require.NoError(t, log.WaitFor(wctx, head.Seq))

	issue := func(role string) string {
		i, err := ts.Issue(ctx, role, "clerk "+role, "test")
		require.NoError(t, err)
		return i.Token
	}
	signIn := func(token string) *http.Client {
		jar, err := cookiejar.New(nil)
		require.NoError(t, err)
		c := &http.Client{Jar: jar}
		res, err := postSignIn(t, c, srv.URL, url.Values{"token": {token}, "next": {gnn + "/record"}})
		require.NoError(t, err)
		res.Body.Close()
		return c
	}

	tests := []struct {
		name   string
		role   string
		status int
	}{
		{"a recorder may record", tokens.RoleRecorder, http.StatusOK},
		{"an admin may record", tokens.RoleAdmin, http.StatusOK},
		{"a reader may not", tokens.RoleReader, http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := get(t, signIn(issue(tt.role)), srv.URL+gnn+"/record")
			assert.Equal(t, tt.status, status)
			assert.Contains(t, body, "Signed in as clerk "+tt.role)
		})
	}

	t.Run("the event page's proof link is served by the API", func(t *testing.T) {
		_, body := get(t, srv.Client(), srv.URL+gnn+"?as_of=2015-11-07")
		id := regexp.MustCompile(`href="/events/([0-9a-f-]{36})"`).FindStringSubmatch(body)
		require.NotNil(t, id)
		_, ev := get(t, srv.Client(), srv.URL+"/events/"+id[1])
		link := regexp.MustCompile(`href="(/v1/events/[0-9a-f-]{36}/proof)"`).FindStringSubmatch(ev)
		require.NotNil(t, link)
		res, err := srv.Client().Get(srv.URL + link[1])
		require.NoError(t, err)
		defer res.Body.Close()
		require.Equal(t, http.StatusOK, res.StatusCode)
		b, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		var bundle audit.Bundle
		require.NoError(t, json.Unmarshal(b, &bundle))
		assert.Equal(t, id[1], bundle.Event.ID.String())
		assert.NoError(t, audit.CheckBundle(bundle, key.Public()))
	})

	// Issue #18: every answer, pages, JSON and errors of both, says nosniff and carries a CSP; the
	// pages keep their own policy.
	t.Run("security headers on pages, the API and errors", func(t *testing.T) {
		for _, tc := range []struct{ method, path, csp string }{
			{"GET", "/", "default-src 'self'"},
			{"GET", gnn + "?as_of=2015-11-07", "default-src 'self'"},
			{"GET", "/no-such-page", "default-src 'self'"},
			{"GET", "/signin", "default-src 'self'"},
			{"GET", "/v1/partnerships", "default-src 'none'"},
			{"GET", "/v1/partnerships/nowhere", "default-src 'none'"},
			{"POST", "/v1/partnerships/nowhere/events", "default-src 'none'"},
			{"GET", "/v1/no-such-route", "default-src 'none'"},
			{"DELETE", "/healthz", "default-src 'none'"}, // an API route with another method: a 405 problem
		} {
			req, err := http.NewRequest(tc.method, srv.URL+tc.path, nil)
			require.NoError(t, err)
			res, err := srv.Client().Do(req)
			require.NoError(t, err)
			res.Body.Close()
			assert.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"), "%s %s", tc.method, tc.path)
			assert.Contains(t, res.Header.Get("Content-Security-Policy"), tc.csp, "%s %s", tc.method, tc.path)
			assert.Contains(t, res.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'", "%s %s", tc.method, tc.path)
		}
	})
}
