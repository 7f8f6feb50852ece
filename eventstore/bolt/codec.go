package bolt

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/partnership-ledger/ledger/eventstore"
)

// The stored form of an envelope: a version byte, then the fields in a fixed order. Variable-length
// fields are a uvarint length followed by the bytes; the payload comes last so that decoding the
// envelope never copies it.
const codecVersion = 1

func encodeEvent(e eventstore.Event) []byte {
	b := make([]byte, 0, 160+len(e.Stream)+len(e.Type)+len(e.RecordedBy)+len(e.Sources)+len(e.Data))
	b = append(b, codecVersion)
	b = append(b, e.ID[:]...)
	b = binary.AppendUvarint(b, e.Revision)
	b = binary.AppendUvarint(b, e.Seq)
	b = appendBytes(b, []byte(e.Stream))
	b = appendBytes(b, []byte(e.Type))
	b = binary.AppendUvarint(b, uint64(e.Schema))
	b = appendBytes(b, []byte(e.EffectiveOn))
	b = binary.BigEndian.AppendUint64(b, uint64(e.RecordedAt.UnixNano()))
	b = appendBytes(b, []byte(e.RecordedBy))
	b = appendBytes(b, e.Sources)
	b = appendBytes(b, []byte(e.Certainty))
	b = append(b, e.CorrelationID[:]...)
	b = append(b, e.CausationID[:]...)
	b = append(b, e.PrevHash[:]...)
	b = append(b, e.Hash[:]...)
	b = appendBytes(b, e.Data)
	return b
}

func appendBytes(b, v []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

var errShort = errors.New("truncated record")

type reader struct {
	b   []byte
	err error
}

func (r *reader) fixed(n int) []byte {
	if r.err != nil || len(r.b) < n {
		r.err = errShort
		return make([]byte, n)
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errShort
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) bytes() []byte {
	n := r.uvarint()
	if r.err != nil || uint64(len(r.b)) < n {
		r.err = errShort
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}

// shared holds the short strings of the envelopes one read has decoded (stream, type, effective date,
// recorder, certainty): a ledger has few distinct values of each, so the events of a long read share
// them instead of allocating five strings each. A nil *shared shares nothing.
type shared struct {
	last [5]string // each field's value in the event before: runs of a stream, type or date are common
	m    map[string]string
}

// The envelope's shared fields, indices in shared.last.
const (
	fieldStream = iota
	fieldType
	fieldEffectiveOn
	fieldRecordedBy
	fieldCertainty
)

// maxShared bounds how many strings a read keeps to share; past it, new values are allocated as usual.
const maxShared = 1 << 14

// str returns string(b), the field's value, shared when an earlier event of the read had it.
func (sh *shared) str(field int, b []byte) string {
	if sh == nil {
		return string(b)
	}
	if sh.last[field] == string(b) {
		return sh.last[field]
	}
	s, ok := sh.m[string(b)]
	if !ok {
		s = string(b)
		if sh.m == nil {
			sh.m = map[string]string{}
		}
		if len(sh.m) < maxShared {
			sh.m[s] = s
		}
	}
	sh.last[field] = s
	return s
}

// decodeEvent decodes a stored envelope. The result's byte slices (sources and data, in one
// allocation) are copies: bbolt's memory is only valid inside its transaction. Its strings come from
// sh (nil: allocated).
func decodeEvent(raw []byte, sh *shared) (eventstore.Event, error) {
	if len(raw) == 0 || raw[0] != codecVersion {
		return eventstore.Event{}, fmt.Errorf("%w: unknown record version", eventstore.ErrCorrupt)
	}
	r := &reader{b: raw[1:]}
	var e eventstore.Event
	copy(e.ID[:], r.fixed(16))
	e.Revision = r.uvarint()
	e.Seq = r.uvarint()
	e.Stream = sh.str(fieldStream, r.bytes())
	e.Type = sh.str(fieldType, r.bytes())
	e.Schema = int(r.uvarint())
	e.EffectiveOn = sh.str(fieldEffectiveOn, r.bytes())
	e.RecordedAt = time.Unix(0, int64(binary.BigEndian.Uint64(r.fixed(8)))).UTC()
	e.RecordedBy = sh.str(fieldRecordedBy, r.bytes())
	e.Sources = r.bytes()
	e.Certainty = sh.str(fieldCertainty, r.bytes())
	copy(e.CorrelationID[:], r.fixed(16))
	copy(e.CausationID[:], r.fixed(16))
	copy(e.PrevHash[:], r.fixed(32))
	copy(e.Hash[:], r.fixed(32))
	e.Data = r.bytes()
	if r.err == nil && len(r.b) != 0 {
		r.err = errors.New("trailing bytes")
	}
	if r.err != nil {
		return eventstore.Event{}, fmt.Errorf("%w: %v", eventstore.ErrCorrupt, r.err)
	}
	b := make([]byte, len(e.Sources)+len(e.Data))
	n := copy(b, e.Sources)
	copy(b[n:], e.Data)
	e.Sources, e.Data = b[:n:n], b[n:]
	return e, nil
}
