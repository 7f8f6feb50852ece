package eventstore

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// MaxDataBytes is the largest payload, in bytes of its canonical JSON form, that an event may carry.
// Documents are referenced by an event's sources, never embedded.
const MaxDataBytes = 256 << 10

// MaxEventBytes is the largest event a store takes, as Size counts it: its data and sources
// (canonical JSON), its text fields and the rest of its envelope. It is the one cap on a whole event:
// every backend refuses a larger event on append (Prepare), a copy (ledger import, ledger migrate)
// refuses a source holding one before it writes anything, and the server's pages are bounded by
// bytes in the same measure. 960 KiB holds the largest event a valid command makes (MaxDataBytes of
// data and the domain's most sources, each at its longest: about 850 KB), and one event so capped
// always fits in one append to KurrentDB under its default maximum append size (1 MiB).
const MaxEventBytes = 960 << 10

// envelopeBytes is what Size counts for the fixed part of an envelope: ids, numbers, recorded_at,
// hashes and the JSON field names, as an export line writes them (about 400 bytes).
const envelopeBytes = 512

// Size returns an event's size in bytes as the store's cap (MaxEventBytes) and the server's page budget
// count it: the bytes of its data and sources as they are (canonical JSON once prepared), of its
// stream, type, effective_on, recorded_by and certainty, and 512 for the rest of the envelope. It is
// within a few hundred bytes of the event's line in an export file.
func Size(e Event) int {
	return envelopeBytes + len(e.Data) + len(e.Sources) + len(e.Stream) + len(e.Type) +
		len(e.EffectiveOn) + len(e.RecordedBy) + len(e.Certainty)
}

// CheckSize returns an *InvalidEventError matching ErrTooLarge when an event is over MaxEventBytes
// (Size), naming the larger of its data and its sources as the field at fault; nil otherwise.
func CheckSize(e Event) error {
	n := Size(e)
	if n <= MaxEventBytes {
		return nil
	}
	field, hint := "sources", "give fewer or shorter sources"
	if len(e.Data) > len(e.Sources) {
		field, hint = "data", "reference large documents in sources instead"
	}
	return &InvalidEventError{ID: e.ID, Field: field, tooLarge: true, Reason: fmt.Sprintf(
		"makes the event %d bytes (data %d, sources %d); the limit on a whole event is %d bytes (%s)",
		n, len(e.Data), len(e.Sources), MaxEventBytes, hint)}
}

// MaxStreamNameBytes is the longest stream name a store accepts.
const MaxStreamNameBytes = 200

// HashVersion names the canonical byte layout that event hashes are computed over (docs/integrity.md).
const HashVersion = "ledger-event-v1"

// Hash is a SHA-256 digest. In JSON and text it is 64 lowercase hex digits.
type Hash [32]byte

// ZeroHash is the prev_hash of the first event in every stream.
var ZeroHash Hash

// String returns the hash as lowercase hex.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// MarshalText encodes the hash as lowercase hex.
func (h Hash) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

// UnmarshalText decodes 64 hex digits; anything else is an error.
func (h *Hash) UnmarshalText(b []byte) error {
	parsed, err := ParseHash(string(b))
	if err != nil {
		return err
	}
	*h = parsed
	return nil
}

// ParseHash decodes 64 hex digits into a Hash.
func ParseHash(s string) (Hash, error) {
	var h Hash
	if len(s) != 64 {
		return h, fmt.Errorf("hash %q: want 64 hex digits, got %d characters", s, len(s))
	}
	if _, err := hex.Decode(h[:], []byte(s)); err != nil {
		return h, fmt.Errorf("hash %q: %v", s, err)
	}
	return h, nil
}

// Event is the ledger's envelope: one immutable fact in one stream. Fields a store assigns on append
// (Revision, Seq, PrevHash, Hash and, when zero, RecordedAt) are ignored in what a caller proposes.
//
// Data and Sources hold canonical JSON (RFC 8785) once stored; payloads are decoded by domain/, never here.
type Event struct {
	ID            uuid.UUID       `json:"id"`
	Stream        string          `json:"stream"`
	Revision      uint64          `json:"revision"`
	Seq           uint64          `json:"seq"`
	Type          string          `json:"type"`
	Schema        int             `json:"schema"`
	EffectiveOn   string          `json:"effective_on"`
	RecordedAt    time.Time       `json:"recorded_at"`
	RecordedBy    string          `json:"recorded_by"`
	Sources       json.RawMessage `json:"sources"`
	Certainty     string          `json:"certainty"`
	CorrelationID uuid.UUID       `json:"correlation_id,omitzero"`
	CausationID   uuid.UUID       `json:"causation_id,omitzero"`
	Data          json.RawMessage `json:"data"`
	PrevHash      Hash            `json:"prev_hash"`
	Hash          Hash            `json:"hash"`
}

// NewID returns a new event id: a UUIDv7, so ids sort roughly by creation time.
func NewID() uuid.UUID { return uuid.Must(uuid.NewV7()) }

// PrepareAppend checks one append's stream name and events and returns the events prepared (Prepare)
// for that stream: what every backend's Append does first, so all refuse the same input with the
// same message. Errors are *InvalidEventError (a bad name, a bad event, an id twice in the append).
func PrepareAppend(stream string, events []Event) ([]Event, error) {
	if err := ValidateStreamName(stream); err != nil {
		return nil, &InvalidEventError{Field: "stream", Reason: err.Error()}
	}
	prepared := make([]Event, len(events))
	seen := make(map[uuid.UUID]bool, len(events))
	for i, e := range events {
		e.Stream = stream
		p, err := Prepare(e)
		if err != nil {
			return nil, fmt.Errorf("append to %s: event %d: %w", stream, i, err)
		}
		if seen[p.ID] {
			return nil, &InvalidEventError{ID: p.ID, Field: "id", Reason: fmt.Sprintf("%s appears twice in one append", p.ID)}
		}
		seen[p.ID] = true
		prepared[i] = p
	}
	return prepared, nil
}

// Prepare validates a proposed event and returns it with Data and Sources passed through Gate (in
// canonical form) and Schema defaulted to 1. Data is at most MaxDataBytes and the whole event at
// most MaxEventBytes (CheckSize). It is what every store calls before writing, so every backend refuses the same input
// with the same message. The error is an *InvalidEventError.
func Prepare(e Event) (Event, error) {
	bad := func(field, format string, args ...any) (Event, error) {
		return Event{}, &InvalidEventError{ID: e.ID, Field: field, Reason: fmt.Sprintf(format, args...)}
	}
	if e.ID == uuid.Nil {
		return bad("id", "is required")
	}
	if err := ValidateStreamName(e.Stream); err != nil {
		return bad("stream", "%v", err)
	}
	if e.Type == "" {
		return bad("type", "is required")
	}
	if len(e.Type) > 100 || !printableASCII(e.Type) {
		return bad("type", "must be at most 100 printable ASCII characters")
	}
	if e.Schema == 0 {
		e.Schema = 1
	}
	if e.Schema < 0 {
		return bad("schema", "must be 1 or more, got %d", e.Schema)
	}
	if _, err := time.Parse(time.DateOnly, e.EffectiveOn); err != nil {
		return bad("effective_on", "%q is not a valid date (YYYY-MM-DD)", e.EffectiveOn)
	}
	if e.RecordedBy == "" {
		return bad("recorded_by", "is required (the actor recording the event)")
	}
	if msg := ActorProblem(e.RecordedBy); msg != "" {
		return bad("recorded_by", "%s", msg)
	}
	if len(e.Certainty) > 50 || !printableASCII(e.Certainty) {
		return bad("certainty", "must be at most 50 printable ASCII characters")
	}
	if len(e.Sources) == 0 {
		e.Sources = json.RawMessage("[]")
	}
	sources, err := Gate(e.Sources)
	if err != nil {
		return bad("sources", "%v", err)
	}
	if sources[0] != '[' {
		return bad("sources", "must be a JSON array")
	}
	e.Sources = sources
	if len(e.Data) == 0 {
		return bad("data", "is required (a JSON value)")
	}
	data, err := Gate(e.Data)
	if err != nil {
		return bad("data", "%v", err)
	}
	if len(data) > MaxDataBytes {
		return Event{}, &InvalidEventError{ID: e.ID, Field: "data", Reason: fmt.Sprintf(
			"is %d bytes in canonical form; the limit is %d (reference large documents in sources instead)",
			len(data), MaxDataBytes), tooLarge: true}
	}
	e.Data = data
	if err := CheckSize(e); err != nil {
		return Event{}, err
	}
	if !e.RecordedAt.IsZero() {
		e.RecordedAt = e.RecordedAt.UTC().Round(0)
	}
	return e, nil
}

// MaxActorRunes bounds an actor name, in Unicode code points (ActorProblem).
const MaxActorRunes = 200

// ActorProblem is the one rule for an actor name: the recorded_by of an event (Prepare), the actor of
// an API token (tokens.CheckActor, at `ledger token issue` and POST /v1/tokens), the person a page's
// session records as, and the CLI's own "cli:USER". It returns "" for a name of 1 to MaxActorRunes
// code points of valid UTF-8 that is not all white space and holds no control character (not even
// tab, line feed or carriage return: an actor is printed on one line), no U+FFFD and no bidirectional
// control (TextProblem); otherwise what is wrong, for people.
func ActorProblem(s string) string {
	if n := utf8.RuneCountInString(s); n == 0 || n > MaxActorRunes || strings.TrimSpace(s) == "" {
		return fmt.Sprintf("must name the person or system acting (1 to %d characters)", MaxActorRunes)
	}
	if msg := TextProblem(s); msg != "" {
		return msg
	}
	if !utf8Printable(s) {
		return "must be one line of printable characters (no tab, line feed or carriage return)"
	}
	return ""
}

// ValidateStreamName checks the store's rule for stream names: non-empty, at most 200 bytes of
// printable ASCII, not starting with '$' (KurrentDB reserves those for system streams).
func ValidateStreamName(s string) error {
	switch {
	case s == "":
		return fmt.Errorf("stream name is empty")
	case len(s) > MaxStreamNameBytes:
		return fmt.Errorf("stream name is %d bytes; the limit is %d", len(s), MaxStreamNameBytes)
	case !printableASCII(s):
		return fmt.Errorf("stream name %q must be printable ASCII", s)
	case s[0] == '$':
		return fmt.Errorf("stream name %q must not start with '$' (reserved for system streams)", s)
	}
	return nil
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

func utf8Printable(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == '\uFFFD' {
			return false
		}
	}
	return true
}

// SameContent reports whether two events carry the same content in the sense of idempotency: every
// envelope field except seq, revision, recorded_at, recorded_by and the hashes. Both must be prepared
// (canonical Data and Sources).
func SameContent(a, b Event) bool {
	return a.ID == b.ID && a.Stream == b.Stream && a.Type == b.Type && a.Schema == b.Schema &&
		a.EffectiveOn == b.EffectiveOn && bytes.Equal(a.Sources, b.Sources) && a.Certainty == b.Certainty &&
		a.CorrelationID == b.CorrelationID && a.CausationID == b.CausationID && bytes.Equal(a.Data, b.Data)
}

// CanonicalBytes returns the ledger-event-v1 byte layout of an event (docs/integrity.md): every envelope
// field but seq, prev_hash and hash, with SHA-256(data) in place of the data. Each variable-length field
// is a 4-byte big-endian length followed by its bytes.
func CanonicalBytes(e Event) []byte {
	var b bytes.Buffer
	b.Grow(256 + len(e.Stream) + len(e.Type) + len(e.Sources))
	lp := func(s []byte) {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(s)))
		b.Write(n[:])
		b.Write(s)
	}
	u64 := func(v uint64) {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], v)
		b.Write(n[:])
	}
	lp([]byte(HashVersion))
	b.Write(e.ID[:])
	lp([]byte(e.Stream))
	u64(e.Revision)
	lp([]byte(e.Type))
	u64(uint64(e.Schema))
	lp([]byte(e.EffectiveOn))
	u64(uint64(e.RecordedAt.UnixNano()))
	lp([]byte(e.RecordedBy))
	lp(e.Sources)
	lp([]byte(e.Certainty))
	b.Write(e.CorrelationID[:])
	b.Write(e.CausationID[:])
	dataHash := sha256.Sum256(e.Data)
	b.Write(dataHash[:])
	return b.Bytes()
}

// ComputeHash returns SHA-256(CanonicalBytes(e) ‖ prev). It is the one function every backend and
// every verifier uses.
func ComputeHash(e Event, prev Hash) Hash {
	h := sha256.New()
	h.Write(CanonicalBytes(e))
	h.Write(prev[:])
	var out Hash
	h.Sum(out[:0])
	return out
}

// Seal fills in an event's chain fields: it sets PrevHash to prev and Hash to ComputeHash(e, prev).
func Seal(e Event, prev Hash) Event {
	e.PrevHash = prev
	e.Hash = ComputeHash(e, prev)
	return e
}
