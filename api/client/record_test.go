package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/api/client"
	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/fault"
)

var recordedEvent = `{"id":"0190f5a0-0000-7000-8000-000000000001","stream":"partnership-p","revision":7,"seq":40,` +
	`"type":"SavingsReported","schema_version":1,"effective_on":"2016-03-01","recorded_at":"2016-03-02T10:00:00Z",` +
	`"actor":"a","certainty":"reported","sources":[{"kind":"press","title":"\u003cEDP\u003e"}],"data":{"b":1,"a":"\u0026"},` +
	`"prev_hash":"` + zeros + `","hash":"` + zeros + `"}`

var zeros = strings.Repeat("0", 64)

// Record sends the event as JSON (no HTML escaping) with its If-Match and Idempotency-Key headers,
// and reads back the event, its ETag, its Location and whether it was replayed.
func TestRecordSendsHeadersAndReadsTheAnswer(t *testing.T) {
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "POST", r.Method)
		assert.Equal(t, "/v1/partnerships/p/events", r.URL.Path)
		assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
		assert.Equal(t, `"6"`, r.Header.Get("If-Match"))
		assert.Equal(t, "retry-1", r.Header.Get("Idempotency-Key"))
		body, err := io.ReadAll(r.Body)
		assert.NoError(t, err)
		assert.JSONEq(t, `{"type":"SavingsReported","effective_on":"2016-03-01","certainty":"reported",
			"sources":[{"kind":"press","title":"<EDP>"}],"data":{"amount_pence":4200000}}`, string(body))
		assert.Contains(t, string(body), `"title":"<EDP>"`, "sent as written, not HTML-escaped")
		w.Header().Set("ETag", `"7"`)
		w.Header().Set("Location", "/v1/events/0190f5a0-0000-7000-8000-000000000001")
		w.Header().Set("Idempotent-Replayed", "true")
		w.WriteHeader(http.StatusCreated)
		w.Write([]byte(recordedEvent))
	})
	got, err := c.Record(context.Background(), "p", client.RecordRequest{Type: "SavingsReported", EffectiveOn: "2016-03-01",
		Certainty: "reported", Sources: []domain.SourceRef{{Kind: domain.SourcePress, Title: "<EDP>"}},
		Data: map[string]any{"amount_pence": 4200000}}, client.RecordOptions{IfMatch: `"6"`, IdempotencyKey: "retry-1"})
	require.NoError(t, err)
	assert.Equal(t, `"7"`, got.ETag)
	assert.Equal(t, "/v1/events/0190f5a0-0000-7000-8000-000000000001", got.Location)
	assert.True(t, got.Replayed)
	assert.Equal(t, uint64(7), got.Event.Revision)
	assert.Equal(t, `{"a":"&","b":1}`, string(got.Event.Data), "data as the ledger stores it (RFC 8785)")
	assert.Equal(t, `[{"kind":"press","title":"<EDP>"}]`, string(got.Event.Sources))
}

// Without options Record sends neither header, and an answer without Idempotent-Replayed is not a
// replay.
func TestRecordWithoutOptionsSendsNoConditions(t *testing.T) {
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		assert.Empty(t, r.Header.Values("If-Match"))
		assert.Empty(t, r.Header.Values("Idempotency-Key"))
		w.WriteHeader(http.StatusCreated)
		w.Write([]byte(recordedEvent))
	})
	got, err := c.Record(context.Background(), "p", client.RecordRequest{Type: "SavingsReported"}, client.RecordOptions{})
	require.NoError(t, err)
	assert.False(t, got.Replayed)
	assert.Empty(t, got.ETag)
}

// A stale If-Match answered 412 (RFC 9110 §13.1.1) is a typed problem: IsPreconditionFailed, with the
// stream's current entity-tag and revision to retry from, and the header at fault.
func TestPreconditionFailedIsTyped(t *testing.T) {
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/problem+json")
		w.Header().Set("ETag", `"9"`)
		w.WriteHeader(http.StatusPreconditionFailed)
		w.Write([]byte(`{"type":"/problems/precondition-failed","title":"The partnership has changed","status":412,` +
			`"detail":"If-Match \"6\" does not name the partnership's last event, revision 9","current_revision":9,` +
			`"errors":[{"header":"If-Match","detail":"revision \"6\" is no longer the partnership's last"}]}`))
	})
	_, err := c.Record(context.Background(), "p", client.RecordRequest{Type: "SavingsReported"}, client.RecordOptions{IfMatch: `"6"`})
	var p *client.Problem
	require.True(t, errors.As(err, &p), "%v", err)
	assert.True(t, p.IsPreconditionFailed())
	assert.Equal(t, 412, p.Status)
	assert.Equal(t, `"9"`, p.ETag)
	require.NotNil(t, p.CurrentRevision)
	assert.Equal(t, uint64(9), *p.CurrentRevision)
	assert.Nil(t, p.ExpectedRevision)
	require.Len(t, p.Fields, 1)
	assert.Equal(t, "If-Match", p.Fields[0].Header)
}

// A 405 says the methods the route takes (Allow); a problem whose revisions are malformed still has
// its title and detail; a 409 is not a failed precondition.
func TestProblemHeadersAndRevisions(t *testing.T) {
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/problem+json")
		switch r.URL.Path {
		case "/v1/events/" + uuid.Nil.String():
			w.Header().Add("Allow", "GET, HEAD")
			w.Header().Add("Allow", "OPTIONS")
			w.WriteHeader(http.StatusMethodNotAllowed)
			w.Write([]byte(`{"type":"/problems/method-not-allowed","title":"Method not allowed","status":405,"detail":"x"}`))
		default:
			w.WriteHeader(http.StatusConflict)
			w.Write([]byte(`{"type":"/problems/conflict","title":"The partnership has changed","status":409,"detail":"y","current_revision":"nine","expected_revision":3}`))
		}
	})
	_, err := c.Event(context.Background(), uuid.Nil)
	var p *client.Problem
	require.True(t, errors.As(err, &p), "%v", err)
	assert.Equal(t, []string{"GET", "HEAD", "OPTIONS"}, p.Allow)
	assert.Equal(t, fault.MethodNotAllowed, fault.KindOf(err))
	assert.False(t, p.IsPreconditionFailed())

	_, err = c.Record(context.Background(), "p", client.RecordRequest{Type: "SavingsReported"}, client.RecordOptions{})
	require.True(t, errors.As(err, &p), "%v", err)
	assert.Equal(t, "The partnership has changed", p.Title)
	assert.Equal(t, "y", p.Detail)
	assert.Nil(t, p.CurrentRevision, "a revision that is not a whole number is not read")
	assert.False(t, p.IsPreconditionFailed())
}

// An answer that is not the one asked for (another stream or type for a record, another event,
// another partnership's read model) is a server fault.
func TestAnswersOfAnotherThingAreServerFaults(t *testing.T) {
	asked := uuid.MustParse("0190f5a0-0000-7000-8000-000000000002")
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/partnerships/q/events", "/v1/events/" + asked.String():
			w.WriteHeader(http.StatusCreated)
			w.Write([]byte(recordedEvent))
		default:
			var v map[string]any
			require.NoError(t, json.Unmarshal([]byte(`{"partnership":"other","as_of":"2016-01-01","known_at":{"seq":1,"requested":"all"}}`), &v))
			json.NewEncoder(w).Encode(v)
		}
	})
	ctx := context.Background()
	_, err := c.Record(ctx, "q", client.RecordRequest{Type: "SavingsReported"}, client.RecordOptions{})
	requireServerFault(t, c, "/v1/partnerships/q/events", err)
	assert.Contains(t, err.Error(), `an event of stream "partnership-p", not of partnership "q"`)

	_, err = c.Event(ctx, asked)
	requireServerFault(t, c, "/v1/events/"+asked.String(), err)

	_, err = c.Timeline(ctx, "p", client.Query{AsOf: "2016-01-01"})
	requireServerFault(t, c, "/v1/partnerships/p/timeline?as_of=2016-01-01", err)
	assert.Contains(t, err.Error(), `the timeline of partnership "other", not of "p"`)
	_, err = c.Appointments(ctx, "p", client.Query{})
	requireServerFault(t, c, "/v1/partnerships/p/appointments", err)
}

// "pointer": "" names the whole body (RFC 6901), told apart from a field that names no pointer.
func TestWholeBodyPointerIsReadBack(t *testing.T) {
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(`{"type":"/problems/malformed","title":"The request cannot be read","status":400,"detail":"the body must be a JSON object, not a JSON array",` +
			`"errors":[{"pointer":"","detail":"the body must be a JSON object, not a JSON array"},{"header":"If-Match","detail":"x"},{"pointer":"/data","detail":"y"}]}`))
	})
	_, err := c.Record(context.Background(), "p", client.RecordRequest{Type: "SavingsReported"}, client.RecordOptions{})
	var p *client.Problem
	require.True(t, errors.As(err, &p), "%v", err)
	require.Len(t, p.Fields, 3)
	assert.True(t, p.Fields[0].WholeBody)
	assert.Equal(t, "the body must be a JSON object, not a JSON array", p.Fields[0].Detail)
	assert.False(t, p.Fields[1].WholeBody)
	assert.Equal(t, "If-Match", p.Fields[1].Header)
	assert.False(t, p.Fields[2].WholeBody)
	assert.Equal(t, "/data", p.Pointer())
}
