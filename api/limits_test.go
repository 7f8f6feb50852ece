package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/api"
	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/eventstore/bolt"
)

// assertTooMany checks a 429 answer: problem+json with a whole-seconds Retry-After.
func assertTooMany(t *testing.T, r resp) {
	t.Helper()
	require.Equal(t, http.StatusTooManyRequests, r.status, string(r.body))
	assert.Equal(t, "application/problem+json", r.header.Get("Content-Type"))
	secs, err := strconv.Atoi(r.header.Get("Retry-After"))
	require.NoError(t, err, "Retry-After is whole seconds")
	assert.GreaterOrEqual(t, secs, 1)
	var p api.Problem
	require.NoError(t, json.Unmarshal(r.body, &p))
	assert.Equal(t, "/problems/too-many-requests", p.Type)
	assert.Equal(t, 429, p.Status)
}

func TestWritesOverTheRateGet429(t *testing.T) {
	// 0.001 writes/s: after the burst of 2 the next token is 1000 s away, so no clock can refill it.
	e := newEnvWith(t, false, func(c *api.Config) { c.Limits = api.Limits{WritesPerSecond: 0.001, WriteBurst: 2} })
	for i := range 2 {
		r := e.do(t, "POST", gnn+"/events", e.recorder, fmt.Sprintf(savings, 10+i))
		require.Equal(t, 201, r.status, string(r.body))
	}
	before := e.head(t)
	r := e.do(t, "POST", gnn+"/events", e.recorder, fmt.Sprintf(savings, 12))
	assertTooMany(t, r)
	secs, _ := strconv.Atoi(r.header.Get("Retry-After"))
	assert.Greater(t, secs, 900, "about 1000 s")
	assert.Equal(t, before, e.head(t), "a refused write appends nothing")
	assert.Equal(t, 201, e.do(t, "POST", gnn+"/events", e.admin, fmt.Sprintf(savings, 13)).status, "limits are per token")
}

// gatedStore blocks ReadAll and ReadStream while armed, so a test can hold a request in flight.
type gatedStore struct {
	eventstore.Store
	armed   atomic.Bool
	entered chan struct{}
	release chan struct{}
}

func (g *gatedStore) wait() {
	if g.armed.Load() {
		g.entered <- struct{}{}
		<-g.release
	}
}

func (g *gatedStore) ReadAll(ctx context.Context, after uint64, dir eventstore.Direction, limit int) iter.Seq2[eventstore.Event, error] {
	g.wait()
	return g.Store.ReadAll(ctx, after, dir, limit)
}

func (g *gatedStore) ReadStream(ctx context.Context, stream string, from eventstore.Cursor, dir eventstore.Direction, limit int) iter.Seq2[eventstore.Event, error] {
	g.wait()
	return g.Store.ReadStream(ctx, stream, from, dir, limit)
}

// newGatedEnv is a server under lim whose store is a gatedStore (disarmed).
func newGatedEnv(t *testing.T, lim api.Limits) (*env, *gatedStore) {
	g := &gatedStore{entered: make(chan struct{}), release: make(chan struct{})}
	e := newEnvWith(t, false, func(c *api.Config) {
		g.Store = c.Store
		c.Store = g
		c.Limits = lim
	})
	return e, g
}

// holdOne starts a request that blocks inside the store and returns a function that lets it finish
// and gives its answer.
func holdOne(t *testing.T, e *env, g *gatedStore, path, token string) func() resp {
	g.armed.Store(true)
	done := make(chan resp, 1)
	go func() { done <- e.do(t, "GET", path, token, "") }()
	select {
	case <-g.entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the request never reached the store")
	}
	g.armed.Store(false)
	return func() resp { close(g.release); return <-done }
}

func TestParallelVerificationsAndPacksAreLimited(t *testing.T) {
	e, g := newGatedEnv(t, api.Limits{Verifications: 1, PackRenders: 1})
	finish := holdOne(t, e, g, "/v1/audit/verify", e.auditor)
	assertTooMany(t, e.do(t, "GET", "/v1/audit/verify", e.auditor, ""))
	first := finish()
	assert.Equal(t, 200, first.status, string(first.body))
	assert.Equal(t, 200, e.do(t, "GET", "/v1/audit/verify", e.auditor, "").status, "free again once the first ends")

	g.release = make(chan struct{})
	finish = holdOne(t, e, g, gnn+"/review-pack?as_of=2016-06-30&format=md", "")
	assertTooMany(t, e.do(t, "GET", gnn+"/review-pack?as_of=2016-01-31&format=md", "", ""))
	first = finish()
	assert.Equal(t, 200, first.status, string(first.body))
	assert.Equal(t, 200, e.do(t, "GET", gnn+"/review-pack?as_of=2016-01-31&format=md", "", "").status)
}

// Issue #18 (tester): the per-caller pack limit equalled the core count, so one address, and certainly
// several, could keep every core busy with uncached PDFs. A server-wide cap refuses a render over it
// at once, whoever asks, with 429 and Retry-After, while a cached pack is still served.
func TestServerWidePackRendersAreCapped(t *testing.T) {
	e, g := newGatedEnv(t, api.Limits{PackRenders: 5, ServerPackRenders: 1})
	cached := e.do(t, "GET", gnn+"/review-pack?as_of=2016-01-31&format=md", e.admin, "")
	require.Equal(t, 200, cached.status, string(cached.body))
	finish := holdOne(t, e, g, gnn+"/review-pack?as_of=2016-06-30&format=md", "")
	for _, tok := range []string{"", e.auditor, e.admin} {
		r := e.do(t, "GET", gnn+"/review-pack?as_of=2016-03-31&format=md", tok, "")
		assertTooMany(t, r)
		assert.Equal(t, "5", r.header.Get("Retry-After"))
		assert.Contains(t, string(r.body), "on this server")
	}
	again := e.do(t, "GET", gnn+"/review-pack?as_of=2016-01-31&format=md", e.auditor, "")
	require.Equal(t, 200, again.status, "a cached pack needs no render slot")
	assert.Equal(t, cached.body, again.body)
	first := finish()
	assert.Equal(t, 200, first.status, string(first.body))
	assert.Equal(t, 200, e.do(t, "GET", gnn+"/review-pack?as_of=2016-03-31&format=md", e.auditor, "").status, "free again once the render ends")
}

// Issue #18: review packs could keep both cores busy. Renders are counted per caller per minute; a
// repeat is served from the cache without counting.
func TestPackRendersPerMinuteAndTheCache(t *testing.T) {
	e := newEnvWith(t, false, func(c *api.Config) { c.Limits = api.Limits{PacksPerMinute: 2} })
	pdf := e.do(t, "GET", gnn+"/review-pack?as_of=2016-06-30&format=pdf", "", "")
	require.Equal(t, 200, pdf.status)
	md := e.do(t, "GET", gnn+"/review-pack?as_of=2016-06-30&format=md", "", "")
	require.Equal(t, 200, md.status)
	for range 5 {
		again := e.do(t, "GET", gnn+"/review-pack?as_of=2016-06-30&format=pdf", "", "")
		require.Equal(t, 200, again.status, "a repeat is cached and costs nothing")
		assert.Equal(t, pdf.body, again.body)
	}
	assertTooMany(t, e.do(t, "GET", gnn+"/review-pack?as_of=2016-06-30&format=json", "", ""))
	assertTooMany(t, e.do(t, "GET", gnn+"/review-pack?as_of=2016-06-30&format=pdf&committee=Audit", "", ""))
	assert.Equal(t, 200, e.do(t, "GET", gnn+"/review-pack?as_of=2016-06-30&format=json", e.auditor, "").status, "another caller has its own budget")

	// The cache key includes the known prefix of the log: a new event makes a new pack.
	r := e.do(t, "POST", gnn+"/events", e.recorder, fmt.Sprintf(savings, 7654321))
	require.Equal(t, 201, r.status, string(r.body))
	e.settle(t)
	june := e.do(t, "GET", gnn+"/review-pack?as_of=2016-06-30&format=md", e.admin, "")
	require.Equal(t, 200, june.status)
	assert.False(t, bytes.Contains(june.body, []byte("76,543")), "recorded today: after the default known_at, the end of the as-of day")
	fresh := e.do(t, "GET", gnn+"/review-pack?as_of=2016-06-30&known_at=all&format=md", e.admin, "")
	require.Equal(t, 200, fresh.status)
	assert.NotEqual(t, md.body, fresh.body)
	assert.True(t, bytes.Contains(fresh.body, []byte("76,543")), "the new figure is in the new pack")
	old := e.do(t, "GET", gnn+"/review-pack?as_of=2016-06-30&format=md&known_at=33", e.admin, "")
	require.Equal(t, 200, old.status)
	assert.False(t, bytes.Contains(old.body, []byte("76,543")), "a pack as known at an earlier seq does not have it")
}

// Issue #18: /v1/admin/backup was cut off by the 2-minute write timeout on a slow link. A client
// that reads nothing for longer than the server's WriteTimeout still gets the whole backup.
func TestBackupOutlivesTheWriteTimeoutOnASlowLink(t *testing.T) {
	e := newEnv(t, false)
	pad := bytes.Repeat([]byte("x"), 400)
	for b := range 4 {
		batch := make([]eventstore.Event, 500)
		for i := range batch {
			batch[i] = eventstore.Event{ID: eventstore.NewID(), Type: "T", EffectiveOn: "2016-01-01", RecordedBy: "t",
				Data: []byte(fmt.Sprintf(`{"i":%d,"pad":"%s"}`, b*500+i, pad))}
		}
		_, err := e.store.Append(context.Background(), "partnership-load", eventstore.Any, batch...)
		require.NoError(t, err)
	}
	full := e.do(t, "GET", "/v1/admin/backup", e.admin, "")
	require.Equal(t, 200, full.status)
	require.Greater(t, len(full.body), 512<<10, "the backup is larger than the socket buffers below")

	const writeTimeout = 300 * time.Millisecond
	slow := httptest.NewUnstartedServer(e.handler)
	slow.Config.WriteTimeout = writeTimeout
	slow.Listener = smallBuffers{slow.Listener}
	slow.Start()
	defer slow.Close()
	client := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if tc, ok := c.(*net.TCPConn); ok {
			tc.SetReadBuffer(64 << 10)
		}
		return c, err
	}}}
	req, _ := http.NewRequest("GET", slow.URL+"/v1/admin/backup", nil)
	req.Header.Set("Authorization", "Bearer "+e.admin)
	res, err := client.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, 200, res.StatusCode)
	head := make([]byte, 4096)
	_, err = io.ReadFull(res.Body, head)
	require.NoError(t, err)
	<-time.After(2 * writeTimeout) // the slow link: nothing is read for twice the write timeout
	rest, err := io.ReadAll(res.Body)
	require.NoError(t, err, "the transfer is not cut off")
	got := append(head, rest...)
	assert.Equal(t, len(full.body), len(got))

	path := filepath.Join(t.TempDir(), "restored.db")
	require.NoError(t, os.WriteFile(path, got, 0o600))
	restored, err := bolt.Open(path, bolt.Options{})
	require.NoError(t, err)
	defer restored.Close()
	rep, err := audit.Verify(context.Background(), restored, nil)
	require.NoError(t, err)
	assert.True(t, rep.Intact)
}

// smallBuffers gives accepted connections a small send buffer, so a slow reader holds the server's
// writes back instead of the kernel absorbing the whole answer.
type smallBuffers struct{ net.Listener }

func (l smallBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetWriteBuffer(64 << 10)
	}
	return c, err
}
