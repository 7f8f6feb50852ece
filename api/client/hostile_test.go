package client_test

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/api/client"
	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/fault"
)

// requireServerFault asserts err is a *TransportError naming the server and route, whose message for
// people is the same line (not a fault of the caller's input).
func requireServerFault(t *testing.T, c *client.Client, route string, err error) {
	t.Helper()
	var te *client.TransportError
	require.True(t, errors.As(err, &te), "%v", err)
	assert.Contains(t, err.Error(), c.Base()+route)
	assert.Equal(t, fault.Internal, fault.KindOf(err), "a wrong answer is the server's fault: %v", err)
	assert.Equal(t, err.Error(), fault.Message(err))
}

// Answers that are not what a route serves ({}, null, [], nothing, HTML, a 204) are server faults
// naming the server and route, never an empty key, state, list, page or tree head.
func TestWrongAnswersAreServerFaults(t *testing.T) {
	id := uuid.New()
	routes := []struct {
		route string
		call  func(c *client.Client) error
	}{
		{"/v1/audit/key", func(c *client.Client) error { _, err := c.Key(context.Background()); return err }},
		{"/v1/audit/tree-head", func(c *client.Client) error { _, err := c.TreeHead(context.Background(), 0); return err }},
		{"/v1/audit/consistency", func(c *client.Client) error { _, err := c.Consistency(context.Background(), 3, 0); return err }},
		{"/v1/events/" + id.String() + "/proof", func(c *client.Client) error { _, err := c.Proof(context.Background(), id); return err }},
		{"/v1/partnerships/p", func(c *client.Client) error { _, err := c.State(context.Background(), "p", client.Query{}); return err }},
		{"/v1/partnerships", func(c *client.Client) error { _, err := c.List(context.Background(), client.Query{}); return err }},
		{"/v1/events/" + id.String(), func(c *client.Client) error { _, err := c.Event(context.Background(), id); return err }},
		{"/v1/partnerships/p/appointments", func(c *client.Client) error {
			_, err := c.Appointments(context.Background(), "p", client.Query{})
			return err
		}},
		{"/v1/partnerships/p/services", func(c *client.Client) error {
			_, err := c.Services(context.Background(), "p", client.Query{})
			return err
		}},
		{"/v1/partnerships/p/savings", func(c *client.Client) error {
			_, err := c.Savings(context.Background(), "p", client.Query{})
			return err
		}},
		{"/v1/partnerships/p/decisions", func(c *client.Client) error {
			_, err := c.Decisions(context.Background(), "p", client.Query{})
			return err
		}},
		{"/v1/partnerships/p/timeline", func(c *client.Client) error {
			_, err := c.Timeline(context.Background(), "p", client.Query{})
			return err
		}},
		{"/v1/partnerships/p/events", func(c *client.Client) error {
			_, err := c.Record(context.Background(), "p", client.RecordRequest{Type: "SavingsReported"}, client.RecordOptions{})
			return err
		}},
		{"/v1/partnerships/p/events", func(c *client.Client) error {
			for _, err := range c.PartnershipEvents(context.Background(), "p", 10) {
				return err
			}
			return errors.New("no error and no event")
		}},
		{"/v1/events", func(c *client.Client) error {
			for _, err := range c.Events(context.Background(), 0, 10) {
				return err
			}
			return errors.New("no error and no event")
		}},
	}
	for _, answer := range []struct {
		name, body string
		status     int
	}{{"object", `{}`, 200}, {"null", `null`, 200}, {"array", `[]`, 200}, {"empty", ``, 200}, {"html", `<html>hi</html>`, 200}, {"no content", ``, 204}} {
		c := serve(t, func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(answer.status)
			w.Write([]byte(answer.body))
		})
		for _, r := range routes {
			t.Run(answer.name+r.route, func(t *testing.T) {
				requireServerFault(t, c, r.route, r.call(c))
			})
		}
	}
}

// A key is checked: 32 bytes of Ed25519, and the key id its own.
func TestKeyAnswerIsChecked(t *testing.T) {
	key, err := audit.NewKey()
	require.NoError(t, err)
	other, err := audit.NewKey()
	require.NoError(t, err)
	for _, tt := range []struct{ body, want string }{
		{fmt.Sprintf(`{"public_key":%q,"key_id":%q,"algorithm":"Ed25519"}`, key.PublicText(), other.ID()), "is not the id of its public key"},
		{fmt.Sprintf(`{"public_key":%q,"key_id":"x","algorithm":"Ed25519"}`, base64.StdEncoding.EncodeToString(make([]byte, 31))), "not an Ed25519 public key"},
		{fmt.Sprintf(`{"public_key":%q,"key_id":%q,"algorithm":"RSA"}`, key.PublicText(), key.ID()), "not Ed25519"},
		{fmt.Sprintf(`{"public_key":%q,"key_id":%q,"algorithm":"Ed25519","origin":"example.org/a","vkey":%q}`, key.PublicText(), key.ID(), mustVKey(t, "example.org/a", other)), "is not its public key under its origin"},
		{fmt.Sprintf(`{"public_key":%q,"key_id":%q,"algorithm":"Ed25519","origin":"example.org/b","vkey":%q}`, key.PublicText(), key.ID(), mustVKey(t, "example.org/a", key)), "is not its public key under its origin"},
		{fmt.Sprintf(`{"public_key":%q,"key_id":%q,"algorithm":"Ed25519","origin":"example.org/a","vkey":"nonsense"}`, key.PublicText(), key.ID()), "is not its public key under its origin"},
	} {
		c := serve(t, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(tt.body)) })
		_, err := c.Key(context.Background())
		requireServerFault(t, c, "/v1/audit/key", err)
		assert.Contains(t, err.Error(), tt.want)
	}
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"public_key":%q,"key_id":%q,"algorithm":"Ed25519"}`, key.PublicText(), key.ID())
	})
	k, err := c.Key(context.Background())
	require.NoError(t, err)
	assert.Equal(t, key.ID(), k.KeyID)

	vkey := mustVKey(t, "example.org/a", key)
	c = serve(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"public_key":%q,"key_id":%q,"algorithm":"Ed25519","origin":"example.org/a","vkey":%q}`, key.PublicText(), key.ID(), vkey)
	})
	k, err = c.Key(context.Background())
	require.NoError(t, err)
	assert.Equal(t, vkey, k.VKey)
}

func mustVKey(t *testing.T, origin string, key audit.Key) string {
	t.Helper()
	vkey, err := audit.VerifierKey(origin, key.Public())
	require.NoError(t, err)
	return vkey
}

// A checkpoint answer that is not a signed checkpoint is refused; one is returned as sent.
func TestCheckpointAnswerIsChecked(t *testing.T) {
	key, err := audit.NewKey()
	require.NoError(t, err)
	signed, err := key.SignCheckpoint("example.org/a", 3, audit.EmptyRoot)
	require.NoError(t, err)
	for _, body := range []string{"", "{}", "example.org/a\n3\nAAAA\n\n— x AAAA\n", strings.Repeat("x", client.MaxCheckpointBytes+1)} {
		c := serve(t, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(body)) })
		_, err := c.Checkpoint(context.Background())
		requireServerFault(t, c, "/checkpoint", err)
	}
	c := serve(t, func(w http.ResponseWriter, r *http.Request) { w.Write(signed) })
	got, err := c.Checkpoint(context.Background())
	require.NoError(t, err)
	assert.Equal(t, signed, got)
}

// A proof bundle of another event than the one asked for is refused; a tree head of another size
// than asked, or without a 64-byte signature, too.
func TestProofAndHeadAnswersAreTheOnesAskedFor(t *testing.T) {
	key, err := audit.NewKey()
	require.NoError(t, err)
	th := key.Sign(5, audit.Hash{1}, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	asked, other := uuid.New(), uuid.New()
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/proof"):
			json.NewEncoder(w).Encode(map[string]any{"event": map[string]any{"id": other, "seq": 1, "data": map[string]any{}, "sources": []any{}},
				"leaf_index": 0, "audit_path": []string{}, "tree_head": th})
		case r.URL.Query().Get("size") == "9":
			json.NewEncoder(w).Encode(th)
		default:
			bad := th
			bad.Signature = bad.Signature[:10]
			json.NewEncoder(w).Encode(bad)
		}
	})
	_, err = c.Proof(context.Background(), asked)
	requireServerFault(t, c, "/v1/events/"+asked.String()+"/proof", err)
	assert.Contains(t, err.Error(), "the proof of event "+other.String()+", not of "+asked.String())
	_, err = c.TreeHead(context.Background(), 9)
	requireServerFault(t, c, "/v1/audit/tree-head?size=9", err)
	assert.Contains(t, err.Error(), "size 9 was asked for")
	_, err = c.TreeHead(context.Background(), 0)
	requireServerFault(t, c, "/v1/audit/tree-head", err)
	assert.Contains(t, err.Error(), fmt.Sprintf("signature is 10 bytes, not %d", ed25519.SignatureSize))
}

// The client does not follow a redirect, so the token never reaches another server (here another
// port of the same host); the error names where the redirect pointed.
func TestRedirectsAreNotFollowed(t *testing.T) {
	var reached atomic.Int32
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
		w.Write([]byte(`{}`))
	}))
	t.Cleanup(elsewhere.Close)
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL+r.URL.Path, http.StatusFound)
	})
	_, err := c.Key(context.Background())
	requireServerFault(t, c, "/v1/audit/key", err)
	assert.Contains(t, err.Error(), "302 Found, redirecting to "+elsewhere.URL+"/v1/audit/key")
	assert.Zero(t, reached.Load(), "the redirect was not followed")
}

// A server that sends nothing (before its headers, or in the middle of its body) ends the request
// after the idle timeout, with one line saying so.
func TestStalledServerEnds(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	for _, mode := range []string{"before headers", "mid-body"} {
		c := serve(t, func(w http.ResponseWriter, r *http.Request) {
			if mode == "mid-body" {
				w.Write([]byte(`{"public_key":"`))
				w.(http.Flusher).Flush()
			}
			select {
			case <-release:
			case <-r.Context().Done():
			}
		})
		c.SetIdleTimeout(50 * time.Millisecond)
		_, err := c.Key(context.Background())
		requireServerFault(t, c, "/v1/audit/key", err)
		want := map[string]string{"before headers": "the server sent no status and headers within 50ms", "mid-body": "the server sent nothing for 50ms"}[mode]
		assert.Contains(t, err.Error(), want, mode)
	}
}

// An answer larger than its route ever is (here a key padded with 1 MiB of spaces, or a problem
// detail of 60 KB) is refused or cut, not held.
func TestAnswersAreBoundedPerRoute(t *testing.T) {
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/audit/key" {
			w.Write([]byte(strings.Repeat(" ", 1<<20) + `{}`))
			return
		}
		detail := 60000
		if r.URL.Path == "/v1/audit/consistency" {
			detail = 1 << 20
		}
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusInternalServerError)
		json.NewEncoder(w).Encode(map[string]string{"title": "Big", "detail": strings.Repeat("A", detail)})
	})
	_, err := c.Consistency(context.Background(), 1, 0)
	var mb *client.Problem
	require.True(t, errors.As(err, &mb), "%v", err)
	assert.Equal(t, fmt.Sprintf("(the error answer is larger than %d bytes and is left out)", client.MaxProblemBytes), mb.Detail)

	_, err = c.Key(context.Background())
	requireServerFault(t, c, "/v1/audit/key", err)
	assert.Contains(t, err.Error(), fmt.Sprintf("larger than %d bytes", client.MaxKeyBytes))

	_, err = c.TreeHead(context.Background(), 0)
	var p *client.Problem
	require.True(t, errors.As(err, &p), "%v", err)
	assert.Less(t, len(err.Error()), 500, "the detail is cut")
	assert.Contains(t, p.Detail, fmt.Sprintf("(cut: %d more characters)", 60000-client.MaxDetail))
}

// A server that keeps sending pages is stopped by what the caller bounded the read with: events past
// the seq the server claimed end it quietly, more bytes than the budget end it with an error; a next
// link with dot segments is not followed.
func TestEndlessPagesEnd(t *testing.T) {
	var pages atomic.Int32
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		pages.Add(1)
		var after int
		fmt.Sscan(r.URL.Query().Get("after"), &after)
		var evs []string
		for i := after + 1; i <= after+3; i++ {
			evs = append(evs, fmt.Sprintf(`{"id":%q,"seq":%d,"data":{"pad":%q},"sources":[]}`, uuid.New(), i, strings.Repeat("x", 1000)))
		}
		fmt.Fprintf(w, `{"events":[%s],"next":"/v1/partnerships/p/events?after=%d&limit=100"}`, strings.Join(evs, ","), after+3)
	})
	var seqs []uint64
	for e, err := range c.PartnershipEvents(context.Background(), "p", 7) {
		require.NoError(t, err)
		seqs = append(seqs, e.Seq)
	}
	assert.Equal(t, []uint64{1, 2, 3, 4, 5, 6, 7}, seqs)
	assert.LessOrEqual(t, pages.Load(), int32(3), "no page is asked for past the claimed seq")

	c.SetMaxHeldBytes(20 << 10)
	var err error
	n := 0
	for _, rerr := range c.PartnershipEvents(context.Background(), "p", 1<<62) {
		if rerr != nil {
			err = rerr
			break
		}
		n++
	}
	requireServerFault(t, c, "/v1/partnerships/p/events", err)
	assert.Contains(t, err.Error(), "more than 20480 bytes of events of partnership p")
	assert.Less(t, n, 30)

	for _, next := range []string{"/v1/../../../x", "/v1/%2e%2e/%2e%2e/x", "/v1/./events", "//evil.example/v1/events", "http://evil.example/v1/events"} {
		dots := serve(t, func(w http.ResponseWriter, r *http.Request) {
			assert.Equal(t, "/v1/events", r.URL.Path, "only the first page is asked for")
			fmt.Fprintf(w, `{"events":[{"seq":1,"data":{},"sources":[]}],"next":%q}`, next)
		})
		var err error
		for _, rerr := range dots.Events(context.Background(), 0, 100) {
			err = rerr
		}
		requireServerFault(t, dots, "/v1/events", err)
		assert.Contains(t, err.Error(), "is not a path of this", next)
	}
}
