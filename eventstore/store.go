package eventstore

import (
	"context"
	"fmt"
	"iter"
	"time"
)

// Store is an append-only event log of many streams with one global order (seq). Implementations are
// safe for concurrent use. Nothing in a Store is ever updated or deleted.
//
// Start points are exclusive everywhere ("after"), and a limit counts the events returned; a limit of
// 0 or less means no limit. Iterators stop at the first error, which they yield with a zero Event.
type Store interface {
	// Append appends events to one stream, atomically, at the stream's exact next revisions, and
	// returns them as stored (revision, seq, recorded_at and hashes filled in). It returns only after
	// the events are durable.
	//
	// Errors: *InvalidEventError (ErrInvalidEvent) for bad input; *ConflictError (ErrConflict) when
	// expected does not hold; *DuplicateIDError (ErrConflict) when an id exists with other content.
	// If every event's id already exists with the same content, Append returns the stored events and
	// appends nothing, whatever expected says.
	Append(ctx context.Context, stream string, expected Expected, events ...Event) ([]Event, error)

	// ReadStream reads one stream from the cursor in the given direction. A stream that does not exist
	// yields nothing.
	ReadStream(ctx context.Context, stream string, from Cursor, dir Direction, limit int) iter.Seq2[Event, error]

	// ReadAll reads the global log. Forwards it starts after afterSeq (0: from the first event);
	// backwards it yields events with seq < afterSeq, newest first (0: from the last event).
	ReadAll(ctx context.Context, afterSeq uint64, dir Direction, limit int) iter.Seq2[Event, error]

	// SubscribeAll yields every event after afterSeq in seq order, then waits for new events and yields
	// them as they are appended, without gaps or duplicates, until ctx is done (then it yields ctx.Err()).
	SubscribeAll(ctx context.Context, afterSeq uint64) iter.Seq2[Event, error]

	// Head returns the position of the last event in the global log (zero Head when empty).
	Head(ctx context.Context) (Head, error)

	// Close releases the store. Calls after Close return ErrClosed.
	Close() error
}

// Head describes the end of the global log.
type Head struct {
	Seq        uint64    `json:"seq"`         // seq of the last event; 0 when empty
	RecordedAt time.Time `json:"recorded_at"` // recorded_at of the last event
	Hash       Hash      `json:"hash"`        // hash of the last event
}

// Direction is the order of a read.
type Direction int

const (
	// Forward reads oldest first.
	Forward Direction = iota
	// Backward reads newest first.
	Backward
)

func (d Direction) String() string {
	if d == Backward {
		return "backward"
	}
	return "forward"
}

// Cursor is an exclusive start point in a stream. The zero Cursor is the edge the read starts from:
// before the first event when reading forwards, after the last when reading backwards.
type Cursor struct {
	rev uint64
	set bool
}

// Start is the zero Cursor: read from the beginning (forwards) or from the end (backwards).
var Start Cursor

// AfterRevision is the cursor just past rev: forwards the read starts at rev+1, backwards at rev-1.
func AfterRevision(rev uint64) Cursor { return Cursor{rev: rev, set: true} }

// Revision returns the cursor's revision and whether it names one (false for Start).
func (c Cursor) Revision() (uint64, bool) { return c.rev, c.set }

// Expected is what an append expects of its stream. The zero value is Any.
type Expected struct {
	kind expectKind
	rev  uint64
}

type expectKind int

const (
	expectAny expectKind = iota
	expectNoStream
	expectStreamExists
	expectExact
)

var (
	// Any appends whatever the stream's state (still at the exact next revision).
	Any = Expected{kind: expectAny}
	// NoStream appends only if the stream has no events.
	NoStream = Expected{kind: expectNoStream}
	// StreamExists appends only if the stream has at least one event.
	StreamExists = Expected{kind: expectStreamExists}
)

// Exact appends only if the stream's last revision is rev.
func Exact(rev uint64) Expected { return Expected{kind: expectExact, rev: rev} }

// IsAny, IsNoStream, IsStreamExists report the kind of expectation.
func (x Expected) IsAny() bool { return x.kind == expectAny }

// IsNoStream reports whether x is NoStream.
func (x Expected) IsNoStream() bool { return x.kind == expectNoStream }

// IsStreamExists reports whether x is StreamExists.
func (x Expected) IsStreamExists() bool { return x.kind == expectStreamExists }

// Revision returns the exact revision expected and true, or false for the other kinds.
func (x Expected) Revision() (uint64, bool) { return x.rev, x.kind == expectExact }

// Check reports whether the expectation holds for a stream whose last revision is last (exists false
// when the stream has no events). On failure it returns a *ConflictError for stream.
func (x Expected) Check(stream string, last uint64, exists bool) error {
	ok := true
	switch x.kind {
	case expectNoStream:
		ok = !exists
	case expectStreamExists:
		ok = exists
	case expectExact:
		ok = exists && last == x.rev
	}
	if ok {
		return nil
	}
	return &ConflictError{Stream: stream, Expected: x, Actual: last, ActualExists: exists}
}

func (x Expected) String() string {
	switch x.kind {
	case expectNoStream:
		return "no stream"
	case expectStreamExists:
		return "stream exists"
	case expectExact:
		return fmt.Sprintf("revision %d", x.rev)
	}
	return "any"
}

// AnyRetries bounds how often a store retries an Any append that lost a race on a backend that
// cannot append at "the next revision" atomically (KurrentDB); bbolt never needs to. Running out of
// retries is a *ContendedError.
const AnyRetries = 16

// AppendLimiter is implemented by a store that refuses an append whose events together are larger
// than a limit (KurrentDB: MaxAppendSize, 1 MiB by default), with an *AppendTooLargeError. A copy of
// a ledger (audit.Copy) splits its appends to fit, and refuses an event that cannot fit alone before
// it writes anything. A store without a limit (bbolt, memstore) does not implement it.
type AppendLimiter interface {
	// MaxAppendBytes is the largest total size of one append, in the units of AppendBytes; 0: no
	// limit.
	MaxAppendBytes() int
	// AppendBytes is the size e counts towards MaxAppendBytes as the store will write it (for
	// KurrentDB: data, metadata and twice the event type's length, in bytes). e is a sealed event.
	AppendBytes(e Event) int
}

// StreamAppend is one append of a batch: the arguments of Store.Append.
type StreamAppend struct {
	Stream   string
	Expected Expected
	Events   []Event
}

// BatchAppender is implemented by a store that can take several appends, to several streams, at
// once and commit them together (bbolt: one transaction and one fsync for many), which a copy of a
// ledger of many interleaved streams needs to be fast. The appends take consecutive places in the
// log, in order, as if one caller had made them one after another. The batch is not atomic: each
// append is judged as Append judges it, and once one fails the ones after it are not applied.
// AppendBatch returns the stored events of each append up to the first that failed, and that
// append's error; it returns after every append it applied is durable.
type BatchAppender interface {
	AppendBatch(ctx context.Context, appends []StreamAppend) ([][]Event, error)
}
