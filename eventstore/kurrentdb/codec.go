package kurrentdb

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"github.com/partnership-ledger/ledger/eventstore"
)

// marker is the value of the "ledger" key in the metadata of every ledger event: the hash layout
// version, so that a reader knows how the event's hash was computed.
const marker = eventstore.HashVersion

// meta is the JSON event metadata holding the envelope fields that KurrentDB has no place for.
type meta struct {
	Ledger        string          `json:"ledger"`
	Schema        int             `json:"schema"`
	EffectiveOn   string          `json:"effective_on"`
	RecordedAt    time.Time       `json:"recorded_at"`
	RecordedBy    string          `json:"recorded_by"`
	Sources       json.RawMessage `json:"sources"`
	Certainty     string          `json:"certainty"`
	CorrelationID uuid.UUID       `json:"correlation_id,omitzero"`
	CausationID   uuid.UUID       `json:"causation_id,omitzero"`
	PrevHash      eventstore.Hash `json:"prev_hash"`
	Hash          eventstore.Hash `json:"hash"`
}

// encode returns the KurrentDB form of a sealed event.
func encode(e eventstore.Event) (esdb.EventData, error) {
	m := meta{
		Ledger: marker, Schema: e.Schema, EffectiveOn: e.EffectiveOn, RecordedAt: e.RecordedAt.UTC(),
		RecordedBy: e.RecordedBy, Sources: e.Sources, Certainty: e.Certainty,
		CorrelationID: e.CorrelationID, CausationID: e.CausationID, PrevHash: e.PrevHash, Hash: e.Hash,
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	// Sources is canonical JSON and is hashed as bytes: it must be stored byte for byte, so no
	// HTML escaping (which would also rewrite U+2028 and U+2029).
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return esdb.EventData{}, fmt.Errorf("encode metadata of %s: %w", e.ID, err)
	}
	return esdb.EventData{
		EventID:     e.ID,
		EventType:   e.Type,
		ContentType: esdb.ContentTypeJson,
		Data:        e.Data,
		Metadata:    bytes.TrimSuffix(b.Bytes(), []byte("\n")),
	}, nil
}

// qualifies reports whether a KurrentDB stream can hold ledger events for namespace ns: not a system
// stream, and named with the namespace's prefix.
func qualifies(ns, stream string) bool {
	return stream != "" && stream[0] != '$' && strings.HasPrefix(stream, ns) && len(stream) > len(ns)
}

// decode turns a recorded event into the ledger's envelope (Seq left zero). ok is false when the
// event is not a ledger event (see the package doc), which is not an error. An event that carries the
// marker but does not decode is a ledger event and an error matching eventstore.ErrCorrupt.
func decode(ns string, r *esdb.RecordedEvent) (e eventstore.Event, ok bool, err error) {
	if r == nil || !qualifies(ns, r.StreamID) || len(r.UserMetadata) == 0 || r.UserMetadata[0] != '{' {
		return eventstore.Event{}, false, nil
	}
	var m meta
	if err := json.Unmarshal(r.UserMetadata, &m); err != nil {
		// Decide membership by the marker alone, so every reader counts the same events.
		var probe struct {
			Ledger string `json:"ledger"`
		}
		if json.Unmarshal(r.UserMetadata, &probe) != nil || probe.Ledger != marker {
			return eventstore.Event{}, false, nil
		}
		return eventstore.Event{}, true, fmt.Errorf("%w: event %s at %s@%d: metadata: %v",
			eventstore.ErrCorrupt, r.EventID, r.StreamID, r.EventNumber, err)
	}
	if m.Ledger != marker {
		return eventstore.Event{}, false, nil
	}
	return eventstore.Event{
		ID:            r.EventID,
		Stream:        r.StreamID[len(ns):],
		Revision:      r.EventNumber,
		Type:          r.EventType,
		Schema:        m.Schema,
		EffectiveOn:   m.EffectiveOn,
		RecordedAt:    m.RecordedAt.UTC().Round(0),
		RecordedBy:    m.RecordedBy,
		Sources:       m.Sources,
		Certainty:     m.Certainty,
		CorrelationID: m.CorrelationID,
		CausationID:   m.CausationID,
		Data:          r.Data,
		PrevHash:      m.PrevHash,
		Hash:          m.Hash,
	}, true, nil
}

// metadataDamage returns the damage a stream's KurrentDB metadata (the JSON of a $metadata event in
// $$stream) does to a ledger stream, or nil. KurrentDB applies $tb (a soft delete sets it to
// MaxInt64), $maxCount and $maxAge to every read of the stream and lets a scavenge remove what they
// hide (docs/kurrentdb-protocol.md §3.4, §7); the ledger never sets them. Metadata that does not parse is
// ignored, as KurrentDB ignores it.
func metadataDamage(stream string, data []byte) *eventstore.DamageError {
	var m map[string]json.RawMessage
	if json.Unmarshal(data, &m) != nil {
		return nil
	}
	where := "stream " + stream
	if tb, ok := m["$tb"]; ok {
		f, err := strconv.ParseFloat(string(tb), 64)
		switch {
		case err != nil:
		case f >= math.MaxInt64: // MaxInt64 itself rounds up to 2^63 in a float64
			return &eventstore.DamageError{Where: where, Reason: "it was deleted in KurrentDB (a soft delete, which the ledger never does): " +
				"reads answer that it does not exist, and a scavenge removes its events"}
		case f >= 1:
			n := uint64(f)
			return &eventstore.DamageError{Where: where, Reason: fmt.Sprintf("its KurrentDB metadata sets $tb %d: reads skip revisions 0 to %d, "+
				"and a scavenge removes them (a soft delete followed by a new append does this too)", n, n-1)}
		}
	}
	if mc, ok := m["$maxCount"]; ok && string(mc) != "null" {
		return &eventstore.DamageError{Where: where, Reason: fmt.Sprintf("its KurrentDB metadata sets $maxCount %s: reads show only the newest %s events, "+
			"and a scavenge removes the rest", mc, mc)}
	}
	if ma, ok := m["$maxAge"]; ok && string(ma) != "null" {
		return &eventstore.DamageError{Where: where, Reason: fmt.Sprintf("its KurrentDB metadata sets $maxAge %s s: reads hide older events, "+
			"and a scavenge removes them", ma)}
	}
	return nil
}
