package client_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/api/client"
)

func serve(t *testing.T, h http.HandlerFunc) *client.Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := client.New(srv.URL+"/", "pl_secret")
	require.NoError(t, err)
	return c
}

// A problem answer is a *Problem carrying the status, title, detail and the field it names.
func TestProblemAnswersAreErrors(t *testing.T) {
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "Bearer pl_secret", r.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(`{"type":"/problems/bad-request","title":"The request cannot be read","status":400,"detail":"as_of=\"2015-02-30\" is not a valid date","errors":[{"parameter":"as_of","detail":"x"},{"pointer":"/data/amount","detail":"y"}]}`))
	})
	_, err := c.State(context.Background(), "great-yarmouth-north-norfolk", client.Query{AsOf: "2015-02-30"})
	var p *client.Problem
	require.True(t, errors.As(err, &p), "%v", err)
	assert.Equal(t, 400, p.Status)
	assert.Equal(t, "The request cannot be read", p.Title)
	assert.Equal(t, `as_of="2015-02-30" is not a valid date`, p.Detail)
	assert.Equal(t, "/data/amount", p.Pointer())
	assert.Equal(t, "as_of", p.Fields[0].Parameter)
	assert.Equal(t, `GET `+c.Base()+`/v1/partnerships/great-yarmouth-north-norfolk?as_of=2015-02-30: 400 The request cannot be read: as_of="2015-02-30" is not a valid date`, err.Error())
}

// An answer that is not problem+json still says its status; one that is not the JSON the route
// serves, or a server that cannot be reached, is a *TransportError.
func TestOtherFailures(t *testing.T) {
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/audit/key":
			http.Error(w, "upstream down", http.StatusBadGateway)
		default:
			w.Write([]byte(`{"size":`))
		}
	})
	_, err := c.Key(context.Background())
	var p *client.Problem
	require.True(t, errors.As(err, &p), "%v", err)
	assert.Equal(t, 502, p.Status)
	assert.Equal(t, "upstream down", p.Detail)

	_, err = c.TreeHead(context.Background(), 0)
	var te *client.TransportError
	assert.True(t, errors.As(err, &te), "%v", err)

	gone, err := client.New("http://127.0.0.1:1", "")
	require.NoError(t, err)
	_, err = gone.Key(context.Background())
	assert.True(t, errors.As(err, &te), "%v", err)

	for _, bad := range []string{"ftp://x", "127.0.0.1:8080", "http://", "http://u:p@h", "http://h/?q=1"} {
		_, err := client.New(bad, "")
		assert.Error(t, err, bad)
	}
}

// Events arrive with their data and sources as the ledger stores them (RFC 8785), though the server's
// encoder escapes <, > and &; a next link that leaves the API, or pages that go back, end the read.
func TestEventsPagesCanonicalAndBounded(t *testing.T) {
	event := func(seq string) string {
		return `{"id":"0190f5a0-0000-7000-8000-00000000000` + seq + `","stream":"partnership-abc","revision":0,"seq":` + seq +
			`,"type":"T","schema":1,"effective_on":"2016-01-01","recorded_at":"2016-01-01T00:00:00Z","recorded_by":"x",` +
			`"sources":[],"certainty":"reported","data":{"b":"Fish \u0026 chips \u003c3","a":1},` +
			`"prev_hash":"0000000000000000000000000000000000000000000000000000000000000000","hash":"0000000000000000000000000000000000000000000000000000000000000000"}`
	}
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("after") {
		case "0":
			w.Write([]byte(`{"events":[` + event("1") + `],"next":"/v1/events?after=1&limit=1000"}`))
		case "1":
			w.Write([]byte(`{"events":[` + event("2") + `],"next":"http://elsewhere.example/v1/events?after=2"}`))
		}
	})
	var seqs []uint64
	var err error
	for e, rerr := range c.Events(context.Background(), 0, 1<<62) {
		if rerr != nil {
			err = rerr
			break
		}
		seqs = append(seqs, e.Seq)
		assert.Equal(t, `{"a":1,"b":"Fish & chips <3"}`, string(e.Data))
	}
	assert.Equal(t, []uint64{1, 2}, seqs)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not a path of this API")

	back := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"events":[` + event("2") + `,` + event("1") + `]}`))
	})
	for _, rerr := range back.Events(context.Background(), 0, 1<<62) {
		err = rerr
	}
	require.Error(t, err)
	assert.Contains(t, err.Error(), "do not move forward")
}

// Whatever a server answers, a read ends in a value or an error, never a panic: a 2xx answer that is
// not the route's JSON is a *TransportError, any other status a *Problem with that status.
func FuzzAnswers(f *testing.F) {
	f.Add(200, []byte(`{"events":[{"seq":1,"data":{},"sources":[]}],"next":"/v1/events?after=1"}`))
	f.Add(404, []byte(`{"type":"/problems/not-found","title":"Not found","status":404,"errors":[{"pointer":"/x","detail":"d"}]}`))
	f.Add(500, []byte("\xff\x00"))
	f.Add(200, []byte(`{"events":[{"seq":2,"data":"\u003c"},{"seq":1}]}`))
	f.Add(412, []byte(`{"type":"/problems/precondition-failed","title":"Precondition failed","status":412,"current_revision":9,"errors":[{"header":"If-Match","detail":"d"}]}`))
	f.Add(400, []byte(`{"title":"t","current_revision":-1,"expected_revision":1e99,"errors":[{"pointer":"","detail":"d"},{"pointer":null,"detail":7}]}`))
	f.Add(201, []byte(`{"id":"0190f5a0-0000-7000-8000-000000000001","stream":"partnership-p","revision":0,"seq":1,"type":"T","data":{},"sources":[]}`))
	f.Add(200, []byte(`{"partnership":"p","as_of":"2016-01-01","known_at":{"seq":1,"requested":"all"},"entries":null}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 200 || status > 599 || (status >= 300 && status < 400) {
			return
		}
		calls := 0
		c := serve(t, func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/v1/events" {
				calls++
			}
			if calls > 3 {
				w.Write([]byte(`{"events":[]}`))
				return
			}
			w.WriteHeader(status)
			w.Write(body)
		})
		_, err := c.State(context.Background(), "p", client.Query{})
		var p *client.Problem
		var te *client.TransportError
		if status >= 300 {
			require.True(t, errors.As(err, &p), "%v", err)
			assert.Equal(t, status, p.Status)
		} else if err != nil {
			require.True(t, errors.As(err, &te), "%v", err)
		}
		// Every other kind of answer ends the same way: a value, a *Problem of the status, or a
		// *TransportError.
		for _, call := range []func() error{
			func() error {
				_, err := c.Record(context.Background(), "p", client.RecordRequest{Type: "T"}, client.RecordOptions{IfMatch: `"1"`})
				return err
			},
			func() error {
				_, err := c.Event(context.Background(), uuid.MustParse("0190f5a0-0000-7000-8000-000000000001"))
				return err
			},
			func() error { _, err := c.Timeline(context.Background(), "p", client.Query{}); return err },
			func() error { _, err := c.Savings(context.Background(), "p", client.Query{}); return err },
		} {
			err := call()
			if status >= 300 {
				require.True(t, errors.As(err, &p), "%v", err)
				assert.Equal(t, status, p.Status)
				assert.Equal(t, status == 412, p.IsPreconditionFailed())
			} else if err != nil {
				require.True(t, errors.As(err, &te), "%v", err)
			}
		}
		for _, err := range c.Events(context.Background(), 0, 1<<62) {
			if err != nil {
				assert.True(t, errors.As(err, &p) || errors.As(err, &te), "%v", err)
			}
		}
	})
}
