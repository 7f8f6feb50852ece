package eventstore

import (
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/partnership-ledger/ledger/fault"
)

// Sentinel errors. Match them with errors.Is; typed errors below carry the details.
var (
	// ErrConflict: an append's expectation did not hold, or an id was reused with other content.
	ErrConflict = errors.New("eventstore: conflict")
	// ErrInvalidEvent: a proposed event breaks an envelope rule (see InvalidEventError).
	ErrInvalidEvent = errors.New("eventstore: invalid event")
	// ErrTooLarge: an event's data is over MaxDataBytes or the whole event over MaxEventBytes (an
	// *InvalidEventError), or one append is
	// larger than the store takes in one write (an *AppendTooLargeError: KurrentDB's maximum append
	// size, see AppendLimiter). Nothing was written. Also matches ErrInvalidEvent.
	ErrTooLarge = errors.New("eventstore: event too large")
	// ErrInvalidJSON: data or sources is not valid JSON, or cannot be canonicalised exactly.
	ErrInvalidJSON = errors.New("eventstore: invalid JSON")
	// ErrNotFound: no event or stream with that name or id.
	ErrNotFound = errors.New("eventstore: not found")
	// ErrClosed: the store was closed.
	ErrClosed = errors.New("eventstore: store closed")
	// ErrLocked: another process holds the store's file.
	ErrLocked = errors.New("eventstore: store is locked by another process")
	// ErrCorrupt: stored bytes do not decode or do not match their hashes.
	ErrCorrupt = errors.New("eventstore: corrupt data")
	// ErrDamaged: the store lost, moved or cut off what was written to it (a deleted or truncated
	// stream, a revision gap, a damaged file), as opposed to an event whose bytes changed. Every
	// error matching ErrDamaged also matches ErrCorrupt; see DamageError.
	ErrDamaged = errors.New("eventstore: store damaged")
	// ErrContended: an append lost the race for its stream's next revision every time it tried
	// (other writers kept appending first); nothing was written and it may be retried. See
	// ContendedError.
	ErrContended = errors.New("eventstore: stream contended")
)

// ContendedError reports an append that gave up after Attempts tries, each beaten by another writer
// to the stream's next revision. Nothing was written. It matches ErrContended, not ErrConflict: the
// caller's expectation still holds, and retrying later is safe.
type ContendedError struct {
	Stream   string
	Attempts int
}

func (e *ContendedError) Error() string {
	return fmt.Sprintf("append to %s: gave up after %d attempts, each beaten by another writer to the stream; nothing was written, try again", e.Stream, e.Attempts)
}

// Is makes a *ContendedError match ErrContended.
func (e *ContendedError) Is(target error) bool { return target == ErrContended }

// DamageError reports damage to a store: what is damaged and how. It matches ErrDamaged and
// ErrCorrupt. Readers (ReadStream, ReadAll, SubscribeAll) yield it instead of the events they could
// not trust, so a verifier that reads the whole log stops on it.
type DamageError struct {
	Where  string // what is damaged, e.g. "stream p-1 at revision 3" or "page 17 of ledger.db"
	Reason string // what is wrong there, e.g. "it was deleted (KurrentDB soft delete)"
}

func (e *DamageError) Error() string {
	return fmt.Sprintf("the store is damaged at %s: %s", e.Where, e.Reason)
}

// Is makes a *DamageError match ErrDamaged and ErrCorrupt.
func (e *DamageError) Is(target error) bool { return target == ErrDamaged || target == ErrCorrupt }

// ConflictError reports an append whose expected revision did not hold.
type ConflictError struct {
	Stream       string
	Expected     Expected
	Actual       uint64 // the stream's last revision; meaningless when !ActualExists
	ActualExists bool   // false when the stream has no events
}

func (e *ConflictError) Error() string {
	actual := "no stream"
	if e.ActualExists {
		actual = fmt.Sprintf("revision %d", e.Actual)
	}
	return fmt.Sprintf("append to %s: expected %s, but the stream is at %s", e.Stream, e.Expected, actual)
}

// Is makes a *ConflictError match ErrConflict.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// DuplicateIDError reports an event id that already exists with other content.
type DuplicateIDError struct {
	ID     uuid.UUID
	Stream string // stream of the stored event
}

func (e *DuplicateIDError) Error() string {
	return fmt.Sprintf("event %s already exists in %s with other content", e.ID, e.Stream)
}

// Is makes a *DuplicateIDError match ErrConflict.
func (e *DuplicateIDError) Is(target error) bool { return target == ErrConflict }

// InvalidEventError reports the first envelope rule a proposed event breaks.
type InvalidEventError struct {
	ID       uuid.UUID
	Field    string // envelope field name as in JSON, e.g. "stream", "data"
	Reason   string
	tooLarge bool
}

func (e *InvalidEventError) Error() string {
	return fmt.Sprintf("invalid event: %s %s", e.Field, e.Reason)
}

// Is makes an *InvalidEventError match ErrInvalidEvent, and ErrTooLarge when the data or the event is
// too big.
func (e *InvalidEventError) Is(target error) bool {
	return target == ErrInvalidEvent || (e.tooLarge && target == ErrTooLarge)
}

// RecordedAtBeforeError is the *InvalidEventError for an event proposed with a recorded_at before the
// log's last one: recorded_at never goes back along seq, so a verifier can hold every ledger to it
// (back-dated history is loaded before anything is recorded live).
func RecordedAtBeforeError(id uuid.UUID, proposed, last time.Time) error {
	return &InvalidEventError{ID: id, Field: "recorded_at", Reason: fmt.Sprintf(
		"%s is before the ledger's last recorded_at (%s): recorded_at never goes back, so load back-dated history before recording anything live",
		proposed.UTC().Format(time.RFC3339Nano), last.UTC().Format(time.RFC3339Nano))}
}

// Fault describes the conflict for people (fault.Conflict): what was expected, where the partnership
// is now, and what to do ("the partnership has changed since revision 3; it is now at revision 25:
// read it again and retry"). The error itself is its cause (errors.As finds the revisions).
func (e *ConflictError) Fault() *fault.Error {
	now := "nothing is recorded for it yet"
	if e.ActualExists {
		now = fmt.Sprintf("it is now at revision %d", e.Actual)
	}
	var msg string
	switch rev, exact := e.Expected.Revision(); {
	case exact:
		msg = fmt.Sprintf("the partnership has changed since revision %d; %s: read it again and retry", rev, now)
	case e.Expected.IsNoStream():
		msg = fmt.Sprintf("the partnership was expected to have nothing recorded, but %s: read it again and retry", now)
	default:
		msg = fmt.Sprintf("the partnership was expected to have events, but %s: read it again and retry", now)
	}
	return &fault.Error{Kind: fault.Conflict, Message: msg, Err: e}
}

// Fault describes the taken id for people (fault.Unprocessable, at /id).
func (e *DuplicateIDError) Fault() *fault.Error {
	return (&fault.Error{Kind: fault.Unprocessable, Message: fmt.Sprintf("the event id %s is taken by another event", e.ID), Err: e}).At("/id", "the event id is taken by another event")
}

// Fault describes the broken envelope rule for people (fault.Malformed, or fault.TooLarge for data
// over the limit), at the pointer of the envelope field.
func (e *InvalidEventError) Fault() *fault.Error {
	k := fault.Malformed
	if e.tooLarge {
		k = fault.TooLarge
	}
	return (&fault.Error{Kind: k, Message: e.Field + " " + e.Reason}).At("/"+e.Field, e.Reason)
}

// Fault describes the contention for people (fault.Busy: nothing was written, a retry is safe).
func (e *ContendedError) Fault() *fault.Error {
	return &fault.Error{Kind: fault.Busy, Message: e.Error()}
}

// AppendTooLargeError reports an append the store refused because its events together are larger
// than it takes in one write (KurrentDB's maximum append size, 1 MiB by default). Nothing was
// written. It matches ErrTooLarge and ErrInvalidEvent: the same append is refused every time, while
// the events may fit in several smaller appends (see AppendLimiter) unless one is too large alone.
type AppendTooLargeError struct {
	Stream string
	Events int // events in the refused append
	Bytes  int // their size as the store counts it; 0 when the store did not say
	Limit  int // the store's limit in bytes; 0 when unknown
}

func (e *AppendTooLargeError) Error() string {
	size := ""
	if e.Bytes > 0 {
		size = fmt.Sprintf(" (%d bytes)", e.Bytes)
	}
	limit := "the store's maximum append size"
	if e.Limit > 0 {
		limit = fmt.Sprintf("the store's maximum append size of %d bytes", e.Limit)
	}
	what, verb := "an event", "exceeds"
	if e.Events > 1 {
		what, verb = fmt.Sprintf("%d events", e.Events), "exceed"
	}
	return fmt.Sprintf("append to %s: %s%s %s %s; nothing was written: append fewer events at a time, "+
		"or raise the server's limit (KurrentDB: MaxAppendSize)", e.Stream, what, size, verb, limit)
}

// Is makes an *AppendTooLargeError match ErrTooLarge and ErrInvalidEvent.
func (e *AppendTooLargeError) Is(target error) bool {
	return target == ErrTooLarge || target == ErrInvalidEvent
}

// Fault describes the refused append for people (fault.TooLarge).
func (e *AppendTooLargeError) Fault() *fault.Error {
	return &fault.Error{Kind: fault.TooLarge, Message: e.Error()}
}
