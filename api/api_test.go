package api_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/api"
	"github.com/partnership-ledger/ledger/api/contracttest"
	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/demo"
	"github.com/partnership-ledger/ledger/domain/recording"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/eventstore/bolt"
	"github.com/partnership-ledger/ledger/fault/faulttest"
	"github.com/partnership-ledger/ledger/projections"
	"github.com/partnership-ledger/ledger/tokens"
)

const gnn = "/v1/partnerships/great-yarmouth-north-norfolk"

// env is a running server over a temp bbolt store seeded with the Norfolk demo.
type env struct {
	srv      *httptest.Server
	handler  http.Handler
	store    *bolt.Store
	models   *projections.Models
	log      *audit.Log
	recorder string // a recorder token
	admin    string
	auditor  string
}

func newEnv(t testing.TB, private bool) *env {
	t.Helper()
	return newEnvWith(t, private, nil)
}

// testOrigin is the checkpoint origin of the test servers.
const testOrigin = "ledger.example.gov.uk/api-test"

// newEnvWith is newEnv with a hook that may change the server's Config before it starts.
func newEnvWith(t testing.TB, private bool, configure func(*api.Config)) *env {
	t.Helper()
	store, err := bolt.Open(filepath.Join(t.TempDir(), "ledger.db"), bolt.Options{})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	_, err = demo.SeedStore(ctx, store)
	require.NoError(t, err)
	key, err := audit.NewKey()
	require.NoError(t, err)
	models := projections.NewModels(projections.Options{})
	runner := projections.NewRunner(store, models)
	log := audit.NewLog(store, key)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); runner.Run(ctx) }()
	go func() { defer wg.Done(); log.Run(ctx) }()
	ts := tokens.New(store, nil)
	issue := func(role string) string {
		i, err := ts.Issue(ctx, role, "test "+role, "test")
		require.NoError(t, err)
		return i.Token
	}
	e := &env{store: store, models: models, log: log, recorder: issue(tokens.RoleRecorder), admin: issue(tokens.RoleAdmin), auditor: issue(tokens.RoleAuditor)}
	checkpoints, err := audit.NewCheckpointer(log, store, testOrigin)
	require.NoError(t, err)
	cfg := api.Config{Store: store, Models: models, Log: log, Recorder: recording.New(store, nil), Tokens: ts, Private: private, Checkpoints: checkpoints}
	if configure != nil {
		configure(&cfg)
	}
	h := api.NewServer(cfg)
	e.handler = h
	e.srv = httptest.NewServer(validating(t, h, nil)) // every exchange is checked against the document (contract_test.go)
	t.Cleanup(func() { e.srv.Close(); cancel(); wg.Wait(); store.Close() })
	e.settle(t)
	return e
}

// settle waits until the read models and the Merkle tree have folded everything the store holds.
func (e *env) settle(t testing.TB) {
	t.Helper()
	head, err := e.store.Head(context.Background())
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, e.models.WaitFor(ctx, head.Seq))
	require.NoError(t, e.log.WaitFor(ctx, head.Seq))
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

func (e *env) do(t testing.TB, method, path, token string, body string, headers ...string) resp {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	require.NoError(t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return send(t, req)
}

// send sends req and reads the whole answer. A test server of newEnvWith checks the exchange against
// the OpenAPI document, and a violation fails t (contract_test.go).
func send(t testing.TB, req *http.Request) resp {
	t.Helper()
	req.Header.Set(contracttest.CallerHeader, "send")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	contractOf(t, res.Header)
	return resp{status: res.StatusCode, header: res.Header, body: b}
}

func (e *env) head(t testing.TB) uint64 {
	h, err := e.store.Head(context.Background())
	require.NoError(t, err)
	return h.Seq
}

func problemOf(t testing.TB, r resp) api.Problem {
	t.Helper()
	require.Equal(t, "application/problem+json", r.header.Get("Content-Type"), "body %s", r.body)
	var p api.Problem
	require.NoError(t, json.Unmarshal(r.body, &p))
	assert.Equal(t, r.status, p.Status)
	return p
}

const savings = `{"type":"SavingsReported","effective_on":"2016-03-01","certainty":"reported","sources":[{"kind":"press","title":"EDP, 1 March 2016"}],"data":{"council":"north-norfolk","financial_year":2015,"category":"shared management","amount_pence":%d,"status":"forecast","period_to":"2016-03-31"}}`

func TestRecordingAcceptance(t *testing.T) {
	e := newEnv(t, false)
	body := fmt.Sprintf(savings, 4200000)

	t.Run("no token is 401", func(t *testing.T) {
		before := e.head(t)
		r := e.do(t, "POST", gnn+"/events", "", body)
		assert.Equal(t, 401, r.status)
		problemOf(t, r)
		assert.Equal(t, before, e.head(t))
	})
	t.Run("wrong role is 403", func(t *testing.T) {
		r := e.do(t, "POST", gnn+"/events", e.auditor, body)
		assert.Equal(t, 403, r.status)
	})
	t.Run("valid POST is 201 and min_seq shows it", func(t *testing.T) {
		r := e.do(t, "POST", gnn+"/events", e.recorder, body)
		require.Equal(t, 201, r.status, string(r.body))
		var ev eventstore.Event
		require.NoError(t, json.Unmarshal(r.body, &ev))
		assert.Equal(t, "test recorder", ev.RecordedBy, "recorded_by comes from the token")
		assert.Positive(t, ev.Seq)
		g := e.do(t, "GET", fmt.Sprintf("%s/timeline?min_seq=%d", gnn, ev.Seq), "", "")
		require.Equal(t, 200, g.status)
		assert.Contains(t, string(g.body), ev.ID.String())
	})
	t.Run("shares summing to 9999 is 422 naming the field", func(t *testing.T) {
		before := e.head(t)
		r := e.do(t, "POST", gnn+"/events", e.recorder, `{"type":"CostShareAgreed","effective_on":"2016-03-01","certainty":"confirmed","sources":[{"kind":"minutes","title":"Cabinet"}],"data":{"subject":"head-of-hr","basis":"fixed_ratio","shares":[{"council":"great-yarmouth","basis_points":4999},{"council":"north-norfolk","basis_points":5000}],"applies_from":"2016-03-01"}}`)
		assert.Equal(t, 422, r.status)
		p := problemOf(t, r)
		var pointers []string
		for _, f := range p.Errors {
			pointers = append(pointers, f.Pointer)
		}
		assert.Contains(t, pointers, "/data/shares")
		assert.Equal(t, before, e.head(t), "the revision is unchanged")
	})
	t.Run("more sources than an event may carry is refused naming /sources", func(t *testing.T) {
		before := e.head(t)
		sources := strings.Repeat(`{"kind":"press","title":"EDP, 1 March 2016"},`, domain.MaxSources+1)
		over := strings.Replace(fmt.Sprintf(savings, 100), `"sources":[{"kind":"press","title":"EDP, 1 March 2016"}]`,
			`"sources":[`+strings.TrimSuffix(sources, ",")+`]`, 1)
		r := e.do(t, "POST", gnn+"/events", e.recorder, over)
		assert.Equal(t, 422, r.status, string(r.body))
		var pointers []string
		for _, f := range problemOf(t, r).Errors {
			pointers = append(pointers, f.Pointer)
		}
		assert.Contains(t, pointers, "/sources")
		assert.Equal(t, before, e.head(t), "nothing is written")
	})
	t.Run("a body over the limit is 413", func(t *testing.T) {
		before := e.head(t)
		fat := strings.Repeat(`{"kind":"web","title":"`+strings.Repeat("a", 100)+`"},`, api.MaxBodyBytes/100)
		over := strings.Replace(fmt.Sprintf(savings, 100), `"sources":[`, `"sources":[`+fat, 1)
		r := e.do(t, "POST", gnn+"/events", e.recorder, over)
		assert.Equal(t, 413, r.status, string(r.body))
		problemOf(t, r)
		assert.Equal(t, before, e.head(t), "nothing is written")
	})
	t.Run("one Idempotency-Key appends once", func(t *testing.T) {
		before := e.head(t)
		b := fmt.Sprintf(savings, 100)
		r1 := e.do(t, "POST", gnn+"/events", e.recorder, b, "Idempotency-Key", "retry-1")
		r2 := e.do(t, "POST", gnn+"/events", e.recorder, b, "Idempotency-Key", "retry-1")
		require.Equal(t, 201, r1.status, string(r1.body))
		assert.Equal(t, 201, r2.status)
		assert.JSONEq(t, string(r1.body), string(r2.body), "a retry answers the first response")
		assert.Equal(t, before+1, e.head(t))
		r3 := e.do(t, "POST", gnn+"/events", e.recorder, fmt.Sprintf(savings, 200), "Idempotency-Key", "retry-1")
		assert.Equal(t, 422, r3.status)
		assert.Equal(t, before+1, e.head(t))
	})
	t.Run("stale If-Match is 412 with the current revision", func(t *testing.T) {
		before := e.head(t)
		r := e.do(t, "POST", gnn+"/events", e.recorder, fmt.Sprintf(savings, 300), "If-Match", `"2"`)
		assert.Equal(t, 412, r.status)
		p := problemOf(t, r)
		require.NotNil(t, p.CurrentRevision)
		assert.Greater(t, *p.CurrentRevision, uint64(2))
		assert.Equal(t, before, e.head(t))
		// Was 409 (RFC 9110 §13.1.1: 412), naming no current ETag.
		assert.Equal(t, fmt.Sprintf(`If-Match: "2" does not match the partnership, which is now at revision %d (ETag "%d"): nothing was recorded; read it again and retry`, *p.CurrentRevision, *p.CurrentRevision), p.Detail)
		assert.Equal(t, fmt.Sprintf(`"%d"`, *p.CurrentRevision), r.header.Get("ETag"))
		faulttest.AssertForPeople(t, p.Detail)
		require.Len(t, p.Errors, 1)
		assert.Equal(t, "If-Match", p.Errors[0].Header)
		faulttest.AssertForPeople(t, p.Errors[0].Detail)
		var raw map[string]any
		require.NoError(t, json.Unmarshal(r.body, &raw))
		assert.IsType(t, 0.0, raw["current_revision"], "an integer")
	})
	refusals := []struct {
		name, body string
		headers    []string
		status     int
		field      string
	}{
		{"not JSON", `{"type":`, nil, 400, ""},
		{"unknown field", `{"type":"SavingsReported","bogus":1}`, nil, 400, "/bogus"},
		{"bad date", strings.Replace(fmt.Sprintf(savings, 1), "2016-03-01", "2016-02-30", 1), nil, 400, "/effective_on"},
		{"amount not a number", strings.Replace(fmt.Sprintf(savings, 1), `"amount_pence":1`, `"amount_pence":"lots"`, 1), nil, 400, ""},
		{"unknown type", `{"type":"Frobnicated","effective_on":"2016-03-01","certainty":"reported","sources":[{"kind":"press","title":"x"}],"data":{}}`, nil, 400, "/type"},
		{"council not a partner", strings.Replace(fmt.Sprintf(savings, 1), "north-norfolk", "breckland", 1), nil, 422, "/data/council"},
		{"malformed If-Match", fmt.Sprintf(savings, 1), []string{"If-Match", "soon"}, 400, ""},
		{"body over 1 MiB", `{"type":"` + strings.Repeat("a", api.MaxBodyBytes) + `"}`, nil, 413, ""},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			before := e.head(t)
			r := e.do(t, "POST", gnn+"/events", e.recorder, tt.body, tt.headers...)
			assert.Equal(t, tt.status, r.status, string(r.body))
			p := problemOf(t, r)
			if tt.field != "" {
				found := false
				for _, f := range p.Errors {
					found = found || f.Pointer == tt.field
				}
				assert.True(t, found, "problem names %s: %s", tt.field, r.body)
			}
			assert.Equal(t, before, e.head(t), "nothing appended")
		})
	}
}

func TestReadsAcceptance(t *testing.T) {
	e := newEnv(t, false)
	r := e.do(t, "GET", "/v1/partnerships", "", "")
	require.Equal(t, 200, r.status)
	assert.Contains(t, string(r.body), "great-yarmouth-north-norfolk")
	assert.Contains(t, string(r.body), "norfolk-revenues-benefits")

	before := e.do(t, "GET", gnn+"/appointments?as_of=2015-11-06", "", "")
	after := e.do(t, "GET", gnn+"/appointments?as_of=2015-11-07", "", "")
	require.Equal(t, 200, before.status)
	require.Equal(t, 200, after.status)
	assert.NotContains(t, string(before.body), "Sheila Oxtoby")
	assert.Contains(t, string(after.body), "Sheila Oxtoby")

	bad := e.do(t, "GET", gnn+"?as_of=2015-02-30", "", "")
	assert.Equal(t, 400, bad.status)
	p := problemOf(t, bad)
	require.Len(t, p.Errors, 1)
	assert.Equal(t, "as_of", p.Errors[0].Parameter)

	st := e.do(t, "GET", gnn+"?as_of=2015-11-07", "", "")
	require.Equal(t, 200, st.status)
	etag := st.header.Get("ETag")
	require.NotEmpty(t, etag)
	assert.Equal(t, 304, e.do(t, "GET", gnn+"?as_of=2015-11-07", "", "", "If-None-Match", etag).status)

	assert.Equal(t, 404, e.do(t, "GET", "/v1/partnerships/no-such-thing", "", "").status)
	assert.Equal(t, 503, e.do(t, "GET", gnn+"?min_seq=999999", "", "").status)

	// ledger-tokens is for auditors only.
	all := e.do(t, "GET", "/v1/events?limit=1000", "", "")
	assert.NotContains(t, string(all.body), tokens.Stream)
	audited := e.do(t, "GET", "/v1/events?limit=1000", e.auditor, "")
	assert.Contains(t, string(audited.body), tokens.Stream)
	assert.NotContains(t, string(audited.body), "token\":", "no secret is ever stored")
}

func TestPrivateServerNeedsATokenToRead(t *testing.T) {
	e := newEnv(t, true)
	assert.Equal(t, 401, e.do(t, "GET", "/v1/partnerships", "", "").status)
	assert.Equal(t, 200, e.do(t, "GET", "/v1/partnerships", e.auditor, "").status)
}

func TestTokensIssueAndRevoke(t *testing.T) {
	e := newEnv(t, false)
	assert.Equal(t, 403, e.do(t, "POST", "/v1/admin/tokens", e.recorder, `{"role":"reader","actor":"x"}`).status)
	r := e.do(t, "POST", "/v1/admin/tokens", e.admin, `{"role":"recorder","actor":"Clerk to the Council"}`)
	require.Equal(t, 201, r.status, string(r.body))
	var issued tokens.Issued
	require.NoError(t, json.Unmarshal(r.body, &issued))
	assert.Equal(t, 201, e.do(t, "POST", gnn+"/events", issued.Token, fmt.Sprintf(savings, 5)).status)
	assert.Equal(t, 204, e.do(t, "DELETE", "/v1/admin/tokens/"+issued.TokenID.String(), e.admin, "").status)
	assert.Equal(t, 401, e.do(t, "POST", gnn+"/events", issued.Token, fmt.Sprintf(savings, 6)).status)
	assert.Equal(t, 400, e.do(t, "POST", "/v1/admin/tokens", e.admin, `{"role":"emperor","actor":"x"}`).status)
	assert.Equal(t, 404, e.do(t, "DELETE", "/v1/admin/tokens/"+issued.TokenID.String(), e.admin, "").status)

	// One rule for actor names (eventstore.ActorProblem): an actor its own events would be refused for
	// gets no token (400 at /actor), and one they are not refused for records (it got a token whose
	// every POST failed with a 400 naming /recorded_by).
	for _, actor := range []string{`Mallory\tAuditor`, `Mallory\nAuditor General`, `Mallory\rAuditor General`} {
		r := e.do(t, "POST", "/v1/admin/tokens", e.admin, `{"role":"recorder","actor":"`+actor+`"}`)
		assert.Equal(t, 400, r.status, string(r.body))
		assert.Contains(t, string(r.body), `"pointer":"/actor"`)
	}
	wide := e.do(t, "POST", "/v1/admin/tokens", e.admin, `{"role":"recorder","actor":"`+strings.Repeat("é", 150)+`"}`)
	require.Equal(t, 201, wide.status, string(wide.body))
	require.NoError(t, json.Unmarshal(wide.body, &issued))
	rec := e.do(t, "POST", gnn+"/events", issued.Token, fmt.Sprintf(savings, 7))
	assert.Equal(t, 201, rec.status, string(rec.body))
}

func TestStreamResumesWithoutGapOrDuplicate(t *testing.T) {
	e := newEnv(t, false)
	read := func(lastID string, n int) []string {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "GET", e.srv.URL+"/v1/stream", nil)
		if lastID != "" {
			req.Header.Set("Last-Event-ID", lastID)
		}
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		assert.Equal(t, "text/event-stream", res.Header.Get("Content-Type"))
		var ids []string
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() && len(ids) < n {
			if id, ok := strings.CutPrefix(sc.Text(), "id: "); ok {
				ids = append(ids, id)
			}
		}
		return ids
	}
	first := read("", 10)
	require.Len(t, first, 10)
	rest := read(first[9], 5)
	require.Len(t, rest, 5)
	all := append(first, rest...)
	for i, id := range all {
		assert.Equal(t, fmt.Sprint(i+1), id, "ids are seqs, contiguous across the resume")
	}
	assert.Equal(t, 400, e.do(t, "GET", "/v1/stream", "", "", "Last-Event-ID", "yesterday").status)
}

func TestBackupWhileWriting(t *testing.T) {
	e := newEnv(t, false)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ctx.Err() == nil; i++ {
			e.store.Append(ctx, "partnership-load", eventstore.Any, eventstore.Event{ID: eventstore.NewID(), Type: "T",
				EffectiveOn: "2016-01-01", RecordedBy: "t", Data: []byte(fmt.Sprintf(`{"i":%d}`, i))})
		}
	}()
	assert.Equal(t, 403, e.do(t, "GET", "/v1/admin/backup", e.auditor, "").status)
	r := e.do(t, "GET", "/v1/admin/backup", e.admin, "")
	cancel()
	<-done
	require.Equal(t, 200, r.status)
	path := filepath.Join(t.TempDir(), "restored.db")
	require.NoError(t, os.WriteFile(path, r.body, 0o600))
	restored, err := bolt.Open(path, bolt.Options{})
	require.NoError(t, err)
	defer restored.Close()
	rep, err := audit.Verify(context.Background(), restored, nil)
	require.NoError(t, err)
	assert.True(t, rep.Intact)
	assert.Greater(t, rep.Events, uint64(30))
}

func TestOperations(t *testing.T) {
	e := newEnv(t, false)
	assert.Equal(t, 200, e.do(t, "GET", "/healthz", "", "").status)
	assert.Equal(t, 200, e.do(t, "GET", "/readyz", "", "").status)
	e.do(t, "GET", "/v1/partnerships", "", "")
	m := e.do(t, "GET", "/metrics", "", "")
	assert.True(t, bytes.Contains(m.body, []byte(`ledger_http_request_duration_seconds_count{method="GET",route="GET /v1/partnerships",status="200"}`)))
	assert.True(t, bytes.Contains(m.body, []byte("ledger_projection_lag_events 0")))
	v := e.do(t, "GET", "/v1/audit/verify", e.auditor, "")
	require.Equal(t, 200, v.status)
	assert.Contains(t, string(v.body), `"intact":true`)
	assert.Equal(t, 401, e.do(t, "GET", "/v1/audit/verify", "", "").status)
	assert.Equal(t, 404, e.do(t, "GET", "/v1/nothing-here", "", "").status)
}

func FuzzRecordBody(f *testing.F) {
	e := newEnv(f, false)
	f.Add(fmt.Sprintf(savings, 1), "")
	f.Add(`{"type":"CostShareAgreed","data":{"shares":[]}}`, `"1"`)
	f.Add(`[]`, "x")
	f.Add(`{"type":"SavingsReported","effective_on":"2015-13-01"}`, "")
	f.Fuzz(func(t *testing.T, body, ifMatch string) {
		before := e.head(t)
		var headers []string
		if ifMatch != "" {
			headers = []string{"If-Match", ifMatch}
		}
		req, err := http.NewRequest("POST", e.srv.URL+gnn+"/events", bytes.NewReader([]byte(body)))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+e.recorder)
		req.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(headers); i += 2 {
			if strings.ContainsAny(headers[i+1], "\r\n\x00") {
				return
			}
			req.Header.Set(headers[i], headers[i+1])
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return // the client refused the header
		}
		answer, err := io.ReadAll(res.Body)
		res.Body.Close()
		require.NoError(t, err)
		require.Less(t, res.StatusCode, 500, "never a 500 for a body")
		if res.StatusCode >= 400 {
			require.Equal(t, before, e.head(t), "a refusal appends nothing")
			var p api.Problem
			require.NoError(t, json.Unmarshal(answer, &p), "%s", answer)
			if !faulttest.AssertForPeople(t, p.Detail) { // never a Go type name (issue 22)
				t.FailNow()
			}
			for _, f := range p.Errors {
				if !faulttest.AssertForPeople(t, f.Detail) {
					t.FailNow()
				}
			}
			return
		}
		// Accepted: what is stored is the gate's canonical form of the data sent, and it reads back
		// as the value sent.
		var sent struct {
			Type string          `json:"type"`
			Data json.RawMessage `json:"data"`
		}
		require.NoError(t, json.Unmarshal([]byte(body), &sent))
		var ev eventstore.Event
		require.NoError(t, json.Unmarshal(answer, &ev))
		want, err := eventstore.Gate(sent.Data)
		require.NoError(t, err, "an accepted body passed the gate")
		for got, err := range e.store.ReadAll(context.Background(), ev.Seq-1, eventstore.Forward, 1) {
			require.NoError(t, err)
			require.Equal(t, string(want), string(got.Data))
			stored, err := domain.DecodeStoredPayload(got.Type, got.Schema, got.Data)
			require.NoError(t, err)
			strict, err := domain.DecodePayload(sent.Type, domain.CurrentSchema, sent.Data)
			require.NoError(t, err)
			if c, ok := strict.(domain.EventCorrected); ok && len(c.Data) > 0 {
				c.Data, err = eventstore.Gate(c.Data) // raw JSON inside: compare its canonical form
				require.NoError(t, err)
				strict = c
			}
			require.Equal(t, strict, stored, "read back equal")
		}
	})
}

func TestReviewPackOverHTTP(t *testing.T) {
	e := newEnv(t, false)
	pdf := e.do(t, "GET", gnn+"/review-pack?as_of=2016-06-30&format=pdf", "", "")
	require.Equal(t, 200, pdf.status, string(pdf.body))
	assert.Equal(t, "application/pdf", pdf.header.Get("Content-Type"))
	assert.True(t, bytes.HasPrefix(pdf.body, []byte("%PDF")))
	again := e.do(t, "GET", gnn+"/review-pack?as_of=2016-06-30&format=pdf", "", "")
	assert.Equal(t, pdf.body, again.body, "the same pack twice is byte-identical")
	md := e.do(t, "GET", gnn+"/review-pack?as_of=2016-06-30&format=md", "", "")
	require.Equal(t, 200, md.status)
	assert.Contains(t, string(md.body), "Sheila Oxtoby")
	assert.Contains(t, string(md.body), "Karen Sly")
	// Issue 21 point 3: the default known_at is the end of the as-of day, so a June pack does not
	// know what was recorded in September; known_at=all asks for it.
	june := e.do(t, "GET", gnn+"/review-pack?as_of=2016-06-15&format=md", "", "")
	require.Equal(t, 200, june.status, string(june.body))
	assert.Contains(t, string(june.body), "as recorded in the ledger by the end of 15 June 2016 (event ")
	assert.NotContains(t, string(june.body), "2016-09")
	juneAll := e.do(t, "GET", gnn+"/review-pack?as_of=2016-06-15&format=md&known_at=all", "", "")
	require.Equal(t, 200, juneAll.status, string(juneAll.body))
	assert.Contains(t, string(juneAll.body), "2016-09")
	assert.Equal(t, 400, e.do(t, "GET", gnn+"/review-pack?as_of=2016-06-30&format=docx", "", "").status)
	assert.Equal(t, 400, e.do(t, "GET", gnn+"/review-pack?format=pdf", "", "").status, "as_of is required")
}

// Cover options are text like any other: a pack never carries invalid UTF-8, a control character, a
// bidirectional control or a name longer than the ledger's name limit. Each is refused with a 400
// naming the query parameter, before anything is rendered.
func TestReviewPackCoverOptionsAreText(t *testing.T) {
	e := newEnv(t, false)
	tests := []struct{ query, param, detail string }{
		{"committee=%FF%00%1B%E2%80%AE", "committee", "invalid UTF-8"},
		{"committee=A%00B", "committee", "U+0000"},
		{"committee=A%0AB", "committee", "U+000A"},
		{"author=Head%20of%20Policy%09(acting)", "author", "U+0009"},
		{"meeting=x%1By", "meeting", "U+001B"},
		{"author=x%C2%85", "author", "U+0085"},
		{"author=Head%E2%80%AEof", "author", "U+202E"},
		{"author=" + strings.Repeat("a", 60000), "author", "60000 characters"},
		{"committee=" + strings.Repeat("%C3%A9", 201), "committee", "201 characters"},
	}
	for _, tt := range tests {
		for _, format := range []string{"md", "json", "pdf"} {
			r := e.do(t, "GET", gnn+"/review-pack?as_of=2016-06-30&format="+format+"&"+tt.query, "", "")
			require.Equal(t, 400, r.status, "%s %s: %s", format, tt.param, r.body)
			p := problemOf(t, r)
			require.Len(t, p.Errors, 1)
			assert.Equal(t, tt.param, p.Errors[0].Parameter)
			assert.Contains(t, p.Errors[0].Detail, tt.detail)
		}
	}
	ok := e.do(t, "GET", gnn+"/review-pack?as_of=2016-06-30&format=md&committee="+strings.Repeat("%C3%A9", 200)+"&author=Head%20of%20Policy%20(acting)", "", "")
	require.Equal(t, 200, ok.status, string(ok.body))
	assert.Contains(t, string(ok.body), strings.Repeat("é", 200))
}

// The state answer is cached by the axes it was folded at: asking again gives the same bytes without
// a fold, and an event recorded since shows at once (the known prefix is part of the key).
func TestStateCacheIsNeverStale(t *testing.T) {
	e := newEnv(t, false)
	type stateBody struct {
		LastSeq uint64 `json:"last_seq"`
		KnownAt struct {
			Seq uint64 `json:"seq"`
		} `json:"known_at"`
	}
	get := func(query string) (stateBody, []byte) {
		r := e.do(t, "GET", gnn+"?as_of=2016-06-30"+query, "", "")
		require.Equal(t, 200, r.status, string(r.body))
		var b stateBody
		require.NoError(t, json.Unmarshal(r.body, &b))
		return b, r.body
	}
	first, firstBody := get("")
	again, againBody := get("")
	assert.Equal(t, firstBody, againBody)
	assert.Equal(t, first, again)

	r := e.do(t, "POST", gnn+"/events", e.recorder, fmt.Sprintf(savings, 4100000))
	require.Equal(t, 201, r.status, string(r.body))
	var ev eventstore.Event
	require.NoError(t, json.Unmarshal(r.body, &ev))
	after, _ := get(fmt.Sprintf("&min_seq=%d", ev.Seq))
	assert.Equal(t, ev.Seq, after.LastSeq, "the new event is in the state")
	assert.Greater(t, after.KnownAt.Seq, first.KnownAt.Seq)
	old, oldBody := get(fmt.Sprintf("&known_at=%d", first.KnownAt.Seq))
	assert.Equal(t, first.LastSeq, old.LastSeq, "the earlier cut still answers as before")
	assert.NotEqual(t, firstBody, oldBody, "known_at is echoed as asked, so the body differs only there")
}

// TestPagesAreBoundedByBytes: a page of events stops before api.MaxPageBytes (eventstore.Size), well
// before its count limit, and its next link goes on from the first event it left out.
func TestPagesAreBoundedByBytes(t *testing.T) {
	e := newEnv(t, false)
	before := e.head(t)
	const n = 6
	fat := make([]eventstore.Event, n)
	for i := range fat {
		fat[i] = eventstore.Event{ID: eventstore.NewID(), Type: "Bulk", EffectiveOn: "2016-01-01", RecordedBy: "test",
			Certainty: "confirmed", Data: json.RawMessage(`{}`),
			Sources: json.RawMessage(`[{"kind":"web","title":"` + strings.Repeat("s", 900_000) + `"}]`)}
	}
	_, err := e.store.Append(context.Background(), "bulk", eventstore.NoStream, fat...)
	require.NoError(t, err)
	perPage := api.MaxPageBytes / eventstore.Size(fat[0])
	require.Less(t, perPage, n)

	path := fmt.Sprintf("/v1/events?after=%d&limit=1000", before)
	var got []uuid.UUID
	pages := 0
	for path != "" {
		r := e.do(t, "GET", path, e.auditor, "")
		require.Equal(t, 200, r.status, string(r.body))
		var p struct {
			Events []eventstore.Event `json:"events"`
			Next   string             `json:"next"`
		}
		require.NoError(t, json.Unmarshal(r.body, &p))
		require.NotEmpty(t, p.Events)
		assert.LessOrEqual(t, len(p.Events), perPage, "page %d passes the byte budget", pages)
		for _, ev := range p.Events {
			got = append(got, ev.ID)
		}
		path = p.Next
		pages++
	}
	require.Len(t, got, n, "following next reads every event once")
	for i := range fat {
		assert.Equal(t, fat[i].ID, got[i])
	}
	assert.Equal(t, (n+perPage-1)/perPage, pages)
}
