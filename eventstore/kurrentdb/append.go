package kurrentdb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"github.com/partnership-ledger/ledger/eventstore"
)

// indexWait bounds how long Append waits, after KurrentDB acknowledged it, for the index to fold the
// appended events (it normally takes a few milliseconds: the follow subscription delivers them).
const indexWait = 30 * time.Second

// transientRetries bounds how often one Append or one read page is tried again after a failure that
// the client recovers from by itself (a dropped connection, a node that stopped being the leader).
const transientRetries = 3

// transientErr reports whether err is a failure worth one more try: the client rediscovers the node
// after Unavailable, and a server timeout (Aborted) says nothing was decided.
func transientErr(err error) bool {
	return isCode(err, esdb.ErrorUnavailable) || isCode(err, esdb.ErrorAborted) || isCode(err, esdb.ErrorCodeNotLeader)
}

// Append implements eventstore.Store. See the package doc for how it keeps the chain and idempotency.
//
// Errors: as eventstore.Store; a stream that KurrentDB says was deleted (behind the ledger's back)
// matches eventstore.ErrCorrupt; ErrClosed after Close; other server failures wrap the client's
// *esdb.Error (reach it with errors.As). After such a failure the append may or may not have landed:
// retrying it with the same ids is safe.
func (s *Store) Append(ctx context.Context, stream string, expected eventstore.Expected, events ...eventstore.Event) ([]eventstore.Event, error) {
	prepared, err := eventstore.PrepareAppend(stream, events)
	if err != nil {
		return nil, err
	}
	if s.isClosed() {
		return nil, eventstore.ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	opCtx, cancel := s.opContext(ctx)
	defer cancel()
	unlock, err := s.lockStream(opCtx, stream)
	if err != nil {
		return nil, s.ctxErr(ctx, err)
	}
	out, waitIDs, err := s.appendLocked(opCtx, stream, expected, prepared)
	unlock()
	if err != nil || waitIDs == nil {
		return out, s.ctxErr(ctx, err)
	}
	// The events landed: the caller must learn their seq even if ctx ends now.
	wctx, wcancel := context.WithTimeout(context.WithoutCancel(ctx), indexWait)
	defer wcancel()
	for i, id := range waitIDs {
		if err := s.idx.waitID(wctx, id); err != nil {
			return nil, fmt.Errorf("append to %s: appended, but the index has not seen event %s: %w", stream, id, err)
		}
		_, seq, _ := s.idx.lookup(id)
		out[i].Seq = seq
	}
	return out, nil
}

// ctxErr prefers the caller's context error, and ErrClosed when the Store was closed meanwhile.
func (s *Store) ctxErr(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if cerr := ctx.Err(); cerr != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || isCode(err, esdb.ErrorCodeDeadlineExceeded) || isCode(err, esdb.ErrorCodeUnknown)) {
		return cerr
	}
	if s.isClosed() && !errors.Is(err, eventstore.ErrClosed) {
		return fmt.Errorf("%w (%v)", eventstore.ErrClosed, err)
	}
	return err
}

// appendLocked does the append with the stream's lock held. It returns the stored events; waitIDs is
// non-nil when they were appended now, and the index must fold them before their seq is known
// (stored events found by idempotency already carry theirs).
func (s *Store) appendLocked(ctx context.Context, stream string, expected eventstore.Expected, prepared []eventstore.Event) (out []eventstore.Event, waitIDs []uuid.UUID, err error) {
	var lastTail tail
	transient := 0
	for attempt := 0; ; attempt++ {
		// Order matters: the tail first, then what the index holds of the stream, then the ids in the
		// index; every event the tail read saw is then either in the index or after that head.
		t, err := s.readTail(ctx, stream)
		if err != nil && transient < transientRetries && (transientErr(err) || s.reconnectIfClosed(err)) {
			transient++
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		lastTail = t
		head, folded := s.idx.streamHead(stream)
		stored, err := s.existing(ctx, prepared)
		if err != nil {
			return nil, nil, err
		}
		if stored != nil {
			return stored, nil, nil
		}
		// Ids in the part of the stream the index has not folded: a retry after a lost
		// acknowledgement. Wait for the index to fold them, then answer from it.
		if found, err := s.unfolded(ctx, stream, t, head, folded, prepared); err != nil {
			return nil, nil, err
		} else if found != uuid.Nil {
			if err := s.idx.waitID(ctx, found); err != nil {
				return nil, nil, err
			}
			continue
		}
		if err := expected.Check(stream, t.last, t.exists); err != nil {
			return nil, nil, err
		}
		if len(prepared) == 0 {
			return nil, nil, nil
		}
		if attempt > eventstore.AnyRetries {
			break
		}
		sealed, data, err := s.seal(stream, t, prepared)
		if err != nil {
			return nil, nil, err
		}
		var rev esdb.ExpectedRevision = esdb.NoStream{}
		if t.exists {
			rev = esdb.Revision(t.last)
		}
		err = s.use(func(c *esdb.Client) error {
			_, err := c.AppendToStream(ctx, s.opts.Namespace+stream, esdb.AppendToStreamOptions{ExpectedRevision: rev}, data...)
			return err
		})
		switch {
		case err == nil:
			ids := make([]uuid.UUID, len(sealed))
			for i, e := range sealed {
				ids[i] = e.ID
			}
			return sealed, ids, nil
		case isCode(err, esdb.ErrorCodeWrongExpectedVersion), isCode(err, esdb.ErrorCodeNotLeader):
			// Another writer got there first (or the client moved to the leader): nothing was
			// written, so read the tail again and, if the expectation still holds, chain to it.
			continue
		case transient < transientRetries && (transientErr(err) || s.reconnectIfClosed(err)):
			// The append may or may not have landed: the next round's idempotency check (index,
			// then the unfolded tail) tells, so retrying never appends twice.
			transient++
			continue
		}
		return nil, nil, mapErr(fmt.Sprintf("append to %s", stream), err)
	}
	return nil, nil, &eventstore.ConflictError{Stream: stream, Expected: expected, Actual: lastTail.last, ActualExists: lastTail.exists}
}

// existing answers idempotency from the index: the stored events when every id exists with the same
// content, nil when none exists, and *DuplicateIDError otherwise.
func (s *Store) existing(ctx context.Context, prepared []eventstore.Event) ([]eventstore.Event, error) {
	var stored []eventstore.Event
	for _, e := range prepared {
		ent, seq, ok := s.idx.lookup(e.ID)
		if !ok {
			continue
		}
		old, err := s.readOne(ctx, ent.stream, ent.rev)
		if err != nil {
			return nil, err
		}
		old.Seq = seq
		if !eventstore.SameContent(old, e) {
			return nil, &eventstore.DuplicateIDError{ID: e.ID, Stream: old.Stream}
		}
		stored = append(stored, old)
	}
	if len(stored) > 0 && len(stored) < len(prepared) {
		return nil, &eventstore.DuplicateIDError{ID: stored[0].ID, Stream: stored[0].Stream}
	}
	return stored, nil
}

// tail is the end of a stream as KurrentDB has it.
type tail struct {
	exists bool
	last   uint64
	hash   eventstore.Hash
	rec    time.Time
}

// readTail reads a stream's last event.
func (s *Store) readTail(ctx context.Context, stream string) (tail, error) {
	var t tail
	// What the index knew before the read: only that can contradict the read's answer.
	known, knew := s.idx.streamHead(stream)
	var got *esdb.RecordedEvent
	err := s.use(func(c *esdb.Client) error {
		rs, err := c.ReadStream(ctx, s.opts.Namespace+stream, esdb.ReadStreamOptions{Direction: esdb.Backwards, From: esdb.End{}}, 1)
		if err != nil {
			return err
		}
		defer rs.Close()
		r, err := rs.Recv()
		if err != nil {
			return err
		}
		got = r.Event
		return nil
	})
	switch {
	case isCode(err, esdb.ErrorCodeResourceNotFound), errors.Is(err, io.EOF):
		if knew {
			return t, fmt.Errorf("%w: stream %s: KurrentDB has no events, but the ledger knows revision %d (deleted behind the ledger's back?)",
				eventstore.ErrCorrupt, stream, known)
		}
		return t, nil
	case err != nil:
		return t, mapErr(fmt.Sprintf("append to %s: read its last event", stream), err)
	}
	e, ok, err := decode(s.opts.Namespace, got)
	if err != nil {
		return t, err
	}
	if !ok {
		return t, fmt.Errorf("%w: stream %s: its last event (%s, revision %d) is not a ledger event", eventstore.ErrCorrupt, stream, got.EventID, got.EventNumber)
	}
	return tail{exists: true, last: e.Revision, hash: e.Hash, rec: e.RecordedAt}, nil
}

// unfolded looks for the proposed ids among the stream's events that KurrentDB has (up to t.last) and
// the index had not folded (after revision rev, when folded), and returns the first it finds (uuid.Nil
// when none is there).
func (s *Store) unfolded(ctx context.Context, stream string, t tail, rev uint64, folded bool, prepared []eventstore.Event) (uuid.UUID, error) {
	if !t.exists || len(prepared) == 0 {
		return uuid.Nil, nil
	}
	from := uint64(0)
	if folded {
		if rev >= t.last {
			return uuid.Nil, nil
		}
		from = rev + 1
	}
	want := make(map[uuid.UUID]bool, len(prepared))
	for _, e := range prepared {
		want[e.ID] = true
	}
	found := uuid.Nil
	err := s.readRange(ctx, stream, from, t.last-from+1, func(e eventstore.Event) bool {
		if want[e.ID] {
			found = e.ID
			return false
		}
		return true
	})
	return found, err
}

// seal assigns revisions, recorded_at and the chain to the prepared events, and encodes them.
func (s *Store) seal(stream string, t tail, prepared []eventstore.Event) ([]eventstore.Event, []esdb.EventData, error) {
	_, idxRec := s.idx.snapshot()
	s.mu.Lock()
	floor := max(s.lastRec, idxRec, t.rec.UnixNano())
	now := s.opts.Now().UTC().Round(0)
	if now.UnixNano() < floor {
		now = time.Unix(0, floor).UTC() // recorded_at never goes back
	}
	if n := now.UnixNano(); n > s.lastRec {
		s.lastRec = n
	}
	s.mu.Unlock()
	rev, prev := uint64(0), eventstore.ZeroHash
	if t.exists {
		rev, prev = t.last+1, t.hash
	}
	out := make([]eventstore.Event, len(prepared))
	data := make([]esdb.EventData, len(prepared))
	for i, e := range prepared {
		e.Revision = rev
		if e.RecordedAt.IsZero() {
			e.RecordedAt = now
		}
		e = eventstore.Seal(e, prev)
		d, err := encode(e)
		if err != nil {
			return nil, nil, err
		}
		out[i], data[i] = e, d
		prev = e.Hash
		rev++
	}
	return out, data, nil
}
