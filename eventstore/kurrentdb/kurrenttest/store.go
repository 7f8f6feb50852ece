package kurrenttest

import (
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// deletedRevision is the revision KurrentDB gives a tombstone record and the
// $tb value a soft delete writes (EventNumber.DeletedStream).
const deletedRevision = math.MaxInt64

// record is one entry of the global log: an event of some stream, a
// $metadata event of a $$stream, or a tombstone record.
type record struct {
	stream    string
	revision  uint64
	most      int64 // event id, big-endian bytes 0-7
	least     int64 // event id, big-endian bytes 8-15
	eventType string
	json      bool
	data      []byte
	meta      []byte
	created   time.Time
	pos       uint64
	dropped   bool // removed by Server.DropEvent: in no read, no subscription
}

// streamState is what the server knows of one stream. events[i] has
// revision i; a soft delete keeps them (reads hide them through $tb).
type streamState struct {
	events     []*record
	tombstoned bool
}

// last is the stream's current version: -1 when nothing was ever written.
func (st *streamState) last() int64 { return int64(len(st.events)) - 1 }

// expectedKind is the oneof variant of an expected revision.
type expectedKind int

const (
	expectAny expectedKind = iota
	expectNoStream
	expectStreamExists
	expectRevision
)

// expected is an expected stream revision as sent by the client.
type expected struct {
	kind     expectedKind
	revision uint64
}

// serverNumber is the number the real server uses for e (-2 Any, -1
// NoStream, -4 StreamExists), as put in wrong-expected-version trailers.
func (e expected) serverNumber() string {
	switch e.kind {
	case expectAny:
		return "-2"
	case expectNoStream:
		return "-1"
	case expectStreamExists:
		return "-4"
	}
	return strconv.FormatUint(e.revision, 10)
}

// outcome is the result of checking an expected revision.
type outcome int

const (
	outcomeOK outcome = iota
	outcomeWrongVersion
	outcomeDeleted
)

// state is the in-memory database. Every method must be called with
// Server.mu held.
type state struct {
	log     []*record // $all, in position order
	streams map[string]*streamState
	pos     uint64 // position of the last record, or of the last zero-event marker
}

func newState() *state {
	return &state{streams: map[string]*streamState{}}
}

func (s *state) stream(name string) *streamState {
	st, ok := s.streams[name]
	if !ok {
		st = &streamState{}
		s.streams[name] = st
	}
	return st
}

// metaStreamOf returns the metadata stream of name ("$$name").
func metaStreamOf(name string) string { return "$$" + name }

// isMetaStream reports whether name is a metadata stream, and of which stream.
func isMetaStream(name string) (string, bool) {
	if strings.HasPrefix(name, "$$") {
		return name[2:], true
	}
	return "", false
}

// tombstoned reports whether name, or the stream name is the metadata of, is tombstoned.
func (s *state) tombstoned(name string) bool {
	if base, ok := isMetaStream(name); ok {
		if st, ok := s.streams[base]; ok && st.tombstoned {
			return true
		}
	}
	st, ok := s.streams[name]
	return ok && st.tombstoned
}

// streamMeta is the part of a stream's metadata the server applies.
type streamMeta struct {
	exists   bool
	tb       int64 // truncate before; -1 when unset
	maxCount int64 // -1 when unset
	raw      map[string]any
}

// metadata returns the latest metadata of stream name.
func (s *state) metadata(name string) streamMeta {
	m := streamMeta{tb: -1, maxCount: -1}
	st, ok := s.streams[metaStreamOf(name)]
	if !ok || len(st.events) == 0 {
		return m
	}
	m.exists = true
	latest := st.events[len(st.events)-1]
	if err := json.Unmarshal(latest.data, &m.raw); err != nil {
		m.raw = nil
		return m
	}
	if v, ok := m.raw["$tb"].(float64); ok {
		m.tb = clampInt64(v)
	}
	if v, ok := m.raw["$maxCount"].(float64); ok {
		m.maxCount = clampInt64(v)
	}
	return m
}

func clampInt64(v float64) int64 {
	if v >= math.MaxInt64 {
		return math.MaxInt64
	}
	if v < 0 {
		return -1
	}
	return int64(v)
}

// softDeleted reports whether name was soft-deleted and not written since.
func (s *state) softDeleted(name string) bool {
	if _, ok := isMetaStream(name); ok {
		return false
	}
	return s.metadata(name).tb == deletedRevision
}

// check applies the expected-revision rules of KurrentDB 24.10 (spec §4.2).
func (s *state) check(name string, exp expected) outcome {
	if s.tombstoned(name) {
		return outcomeDeleted
	}
	cur := s.stream(name).last()
	soft := s.softDeleted(name)
	switch exp.kind {
	case expectAny:
		return outcomeOK
	case expectNoStream:
		if cur == -1 || soft {
			return outcomeOK
		}
	case expectStreamExists:
		if soft {
			return outcomeDeleted
		}
		if cur >= 0 || s.metadata(name).exists {
			return outcomeOK
		}
	case expectRevision:
		if int64(exp.revision) == cur && exp.revision <= math.MaxInt64 {
			return outcomeOK
		}
	}
	return outcomeWrongVersion
}

// write assigns rec the next position and appends it to the global log
// and, unless it is a tombstone record, to its stream.
func (s *state) write(rec *record, tombstone bool) {
	s.pos = s.nextPosition(len(rec.stream) + len(rec.eventType) + len(rec.data) + len(rec.meta))
	rec.pos = s.pos
	s.log = append(s.log, rec)
	st := s.stream(rec.stream)
	if tombstone {
		st.tombstoned = true
		return
	}
	rec.revision = uint64(len(st.events))
	st.events = append(st.events, rec)
}

// nextPosition imitates a byte offset in a transaction log: positions are
// strictly increasing, greater than zero and have gaps.
func (s *state) nextPosition(size int) uint64 {
	return s.pos + 96 + uint64(size)
}

// marker advances the log for a zero-event append, as the real server
// writes an empty marker record, and returns the marker's position.
func (s *state) marker() uint64 {
	s.pos = s.nextPosition(0)
	return s.pos
}

// writeMetadata writes a $metadata event to $$name holding the current
// metadata with $tb replaced by tb.
func (s *state) writeMetadata(name string, tb int64, now time.Time, id [2]int64) *record {
	raw := map[string]any{}
	for k, v := range s.metadata(name).raw {
		raw[k] = v
	}
	raw["$tb"] = tb
	data, _ := json.Marshal(raw) // a map of JSON-decoded values always marshals
	rec := &record{
		stream:    metaStreamOf(name),
		most:      id[0],
		least:     id[1],
		eventType: "$metadata",
		json:      true,
		data:      data,
		meta:      []byte{},
		created:   now,
	}
	s.write(rec, false)
	return rec
}

// readable returns the lowest revision of name a read may return and
// whether the stream is visible at all (false: StreamNotFound).
func (s *state) readable(name string) (int64, bool) {
	st := s.stream(name)
	last := st.last()
	if last < 0 {
		return 0, false
	}
	if _, ok := isMetaStream(name); ok {
		// The real server reads metadata streams with a fixed maxCount of 1.
		return last, true
	}
	m := s.metadata(name)
	if m.tb == deletedRevision {
		return 0, false
	}
	lowest := int64(0)
	if m.tb > lowest {
		lowest = m.tb
	}
	if m.maxCount >= 0 && last+1-m.maxCount > lowest {
		lowest = last + 1 - m.maxCount
	}
	return lowest, true
}

// indexAtOrAfter returns the index in the log of the first record whose
// position is >= pos.
func (s *state) indexAtOrAfter(pos uint64) int {
	return sort.Search(len(s.log), func(i int) bool { return s.log[i].pos >= pos })
}

// indexAfter returns the index in the log of the first record whose
// position is > pos.
func (s *state) indexAfter(pos uint64) int {
	return sort.Search(len(s.log), func(i int) bool { return s.log[i].pos > pos })
}

// resolve returns the event a "$>" link record points to ("<rev>@<stream>"), or nil.
func (s *state) resolve(link *record) *record {
	revText, name, ok := strings.Cut(string(link.data), "@")
	if !ok {
		return nil
	}
	rev, err := strconv.ParseUint(revText, 10, 64)
	if err != nil {
		return nil
	}
	st, ok := s.streams[name]
	if !ok || st.tombstoned || rev >= uint64(len(st.events)) || st.events[rev].dropped {
		return nil
	}
	return st.events[rev]
}
