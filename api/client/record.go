package client

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/google/uuid"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/eventstore"
)

// RecordRequest is the body of POST /v1/partnerships/{id}/events (the document's RecordRequest): one
// event to record, for the partnership named by the path. The server decodes it with
// domain.DecodeCommand and checks it against the partnership's rules (domain.Decide); the event id,
// its recorded_at and the actor (the token's) never come from the body.
type RecordRequest struct {
	// Type is an event type, e.g. "SavingsReported" (domain.EventTypes; docs/domain.md describes each).
	Type string `json:"type"`
	// EffectiveOn is the civil date the event takes effect, YYYY-MM-DD (1900-01-01 to 2199-12-31).
	EffectiveOn string `json:"effective_on"`
	// Certainty is how sure the record is: "confirmed" (a primary source), "reported" (a secondary
	// source) or "inferred" (deduced from other facts).
	Certainty string `json:"certainty"`
	// Sources are the evidence, at least one.
	Sources []domain.SourceRef `json:"sources"`
	// Data is the payload of Type, encoded with encoding/json: a domain payload (domain.SavingsReported,
	// ...), a map, or a json.RawMessage. Amounts are integer pence ("amount_pence"), dates YYYY-MM-DD.
	Data any `json:"data"`
}

// RecordOptions are the request headers of a Record, each sent only when not empty.
type RecordOptions struct {
	// IfMatch is the If-Match header (RFC 9110 §13.1.1): record only if the partnership's stream is
	// still at the revision an entity-tag names, e.g. `"12"` (with the quotes), as Recorded.ETag and
	// Problem.ETag give it; "*" records only into a partnership that has events. When the stream has
	// moved on the answer is a *Problem for which IsPreconditionFailed is true, and nothing is recorded.
	IfMatch string
	// IdempotencyKey is the Idempotency-Key header: the same key sent again by the same token with the
	// same body records nothing and answers the event the first request recorded (Recorded.Replayed);
	// with another body it is a 422 naming the header. Text of at most 200 code points, without control
	// characters; the key belongs to the token that sent it.
	IdempotencyKey string
}

// Recorded is the answer of a Record: 201 Created with the event as stored.
type Recorded struct {
	Event eventstore.Event
	// ETag is the answer's ETag header: the strong entity-tag of the stream after the event, its
	// revision in quotes (`"12"`); send it as the next Record's IfMatch.
	ETag string
	// Location is the event's own URL path, /v1/events/{id}.
	Location string
	// Replayed is true when an IdempotencyKey seen before answered the event recorded then
	// (Idempotent-Replayed: true); nothing new was recorded.
	Replayed bool
}

// Record is POST /v1/partnerships/{id}/events: it records req in partnership slug and returns the
// event as stored, with its headers. The client's token must have the recorder role.
//
// Errors: a *Problem as docs/errors.md lists them — 400 for a body that cannot be read, naming the
// JSON pointer (errors[].pointer, e.g. /data/amount_pence) or header (If-Match, Idempotency-Key); 401
// and 403 for the token; 412 when IfMatch no longer holds (IsPreconditionFailed, with ETag and
// CurrentRevision); 415 for a Content-Type refused; 422 for a command that breaks a rule of the
// partnership; 429 and 503 with Retry-After. An answer that is not the event asked for (another
// stream or type) is a *TransportError.
func (c *Client) Record(ctx context.Context, slug string, req RecordRequest, opts RecordOptions) (Recorded, error) {
	path := "/v1/partnerships/" + url.PathEscape(slug) + "/events"
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(req); err != nil {
		return Recorded{}, c.fail(http.MethodPost, path, "the request cannot be sent as JSON: %v", err)
	}
	var headers []string
	if opts.IfMatch != "" {
		headers = append(headers, "If-Match", opts.IfMatch)
	}
	if opts.IdempotencyKey != "" {
		headers = append(headers, "Idempotency-Key", opts.IdempotencyKey)
	}
	resp, err := c.do(ctx, http.MethodPost, path, &body, "application/json", headers...)
	if err != nil {
		return Recorded{}, err
	}
	defer resp.Close()
	var e eventstore.Event
	if err := c.decode(http.MethodPost, path, resp, MaxEventAnswerBytes, &e, "id", "stream", "revision", "seq", "type"); err != nil {
		return Recorded{}, err
	}
	switch {
	case e.Stream != domain.StreamPrefix+slug:
		return Recorded{}, c.fail(http.MethodPost, path, "the answer is an event of stream %q, not of partnership %q", cut(e.Stream, 100), slug)
	case e.Type != req.Type:
		return Recorded{}, c.fail(http.MethodPost, path, "the answer is an event of type %q, not %q", cut(e.Type, 100), req.Type)
	}
	if err := canonical(&e); err != nil {
		return Recorded{}, c.fail(http.MethodPost, path, "event %s: not JSON: %v", e.ID, err)
	}
	return Recorded{Event: e, ETag: resp.header.Get("ETag"), Location: resp.header.Get("Location"),
		Replayed: resp.header.Get("Idempotent-Replayed") == "true"}, nil
}

// Event is GET /v1/events/{id}: one event of the log, with its data and sources as the ledger stores
// them (RFC 8785). An event of the ledger's own streams (ledger-*) is served to an auditor token only;
// for others, as for an id never recorded, the answer is a *Problem with status 404. An answer that is
// another event is a *TransportError. The event is not verified: Proof gives what proves it.
func (c *Client) Event(ctx context.Context, id uuid.UUID) (eventstore.Event, error) {
	var e eventstore.Event
	path := "/v1/events/" + id.String()
	if err := c.getJSON(ctx, path, MaxEventAnswerBytes, &e, "id", "stream", "revision", "seq", "type"); err != nil {
		return e, err
	}
	if e.ID != id {
		return e, c.fail(http.MethodGet, path, "the answer is event %s, not %s", e.ID, id)
	}
	if err := canonical(&e); err != nil {
		return e, c.fail(http.MethodGet, path, "event %s: not JSON: %v", id, err)
	}
	return e, nil
}
