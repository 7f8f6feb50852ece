package domain

import (
	"encoding/json"
	"fmt"
	"time"

	gojson "github.com/goccy/go-json"
	"github.com/google/uuid"
)

// Envelope is the part of a stored event that the domain reads, in the store's plain types. It
// mirrors eventstore.Event without importing it; domain/recording converts one into the other.
type Envelope struct {
	ID          uuid.UUID
	Stream      string
	Seq         uint64
	Revision    uint64
	Type        string
	Schema      int
	EffectiveOn string
	RecordedAt  time.Time
	RecordedBy  string
	Sources     json.RawMessage
	Certainty   string
	Data        json.RawMessage
}

// DemoActor is the recorded_by of the demo ledger's events (package domain/demo, `ledger seed`): not a
// person, and worded so wherever people read who recorded an event (words.Actor).
const DemoActor = "demo-seed"

// Recorded is the domain's view of one stored event of a partnership: its envelope fields parsed
// into value types and its payload decoded. A history is a slice of Recorded in seq order.
type Recorded struct {
	ID          uuid.UUID
	Seq         uint64
	Revision    uint64
	Type        string
	Schema      int
	EffectiveOn Date
	RecordedAt  time.Time
	RecordedBy  string
	Sources     []SourceRef
	Certainty   Certainty
	Data        json.RawMessage // the payload as stored; may be nil in a cache (it is Payload encoded)
	Payload     Payload         // Data decoded by DecodePayload
}

// DecodeEnvelope parses a stored event's envelope fields and decodes its payload with
// DecodeStoredPayload (the strict checks ran when the event was recorded). Errors match
// ErrMalformed (bad dates, sources or certainty; undecodable data) or ErrUnknownEventType. It is
// safe for concurrent use.
func DecodeEnvelope(e Envelope) (Recorded, error) {
	eff, err := ParseDate(e.EffectiveOn)
	if err != nil {
		return Recorded{}, fmt.Errorf("event %s: effective_on: %w: %w", e.ID, ErrMalformed, err)
	}
	sources, err := DecodeStoredSources(e.Sources)
	if err != nil {
		return Recorded{}, fmt.Errorf("event %s: %w", e.ID, err)
	}
	var cert Certainty
	if e.Certainty != "" {
		if cert, err = ParseCertainty(e.Certainty); err != nil {
			return Recorded{}, fmt.Errorf("event %s: certainty: %w: %w", e.ID, ErrMalformed, err)
		}
	}
	schema := e.Schema
	if schema == 0 {
		schema = CurrentSchema
	}
	p, err := DecodeStoredPayload(e.Type, schema, e.Data)
	if err != nil {
		return Recorded{}, fmt.Errorf("event %s: %w", e.ID, err)
	}
	return Recorded{ID: e.ID, Seq: e.Seq, Revision: e.Revision, Type: e.Type, Schema: schema, EffectiveOn: eff,
		RecordedAt: e.RecordedAt, RecordedBy: e.RecordedBy, Sources: sources, Certainty: cert,
		Data: e.Data, Payload: p}, nil
}

// DecodeStoredSources decodes an event's source list as stored (nil for none), with the fast decoder
// DecodeStoredPayload uses: the strict checks (ParseSources) ran when the event was recorded. Errors
// match ErrMalformed. It is safe for concurrent use.
func DecodeStoredSources(raw []byte) ([]SourceRef, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	unmarshal := gojson.Unmarshal
	if containsNull(raw) {
		unmarshal = json.Unmarshal // as in DecodeStoredPayload: go-json mishandles null for text types
	}
	var sources []SourceRef
	if err := unmarshal(raw, &sources); err != nil {
		return nil, fmt.Errorf("sources: %w: %w", ErrMalformed, err)
	}
	return sources, nil
}
