package kurrentdb

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

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
// Errors: as eventstore.Store; events together larger than Options.MaxAppendSize, or than the
// server's own limit, are *eventstore.AppendTooLargeError (eventstore.ErrTooLarge); a stream that KurrentDB says was deleted (behind the ledger's back)
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

// deadlineSkew is how long ctxErr waits for the caller's context to end after a call failed with
// DeadlineExceeded.
const deadlineSkew = 100 * time.Millisecond

// ctxErr prefers the caller's context error, and ErrClosed when the Store was closed meanwhile.
func (s *Store) ctxErr(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if _, ok := ctx.Deadline(); ok && (status.Code(err) == codes.DeadlineExceeded || isCode(err, esdb.ErrorCodeDeadlineExceeded)) {
		// The call's gRPC deadline is the caller's, and the server may answer a moment before
		// the caller's own timer fires.
		t := time.NewTimer(deadlineSkew)
		defer t.Stop()
		select {
		case <-ctx.Done():
		case <-t.C:
		}
	}
	if cerr := ctx.Err(); cerr != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) ||
		isCode(err, esdb.ErrorCodeDeadlineExceeded) || isCode(err, esdb.ErrorCodeUnknown) ||
		status.Code(err) == codes.DeadlineExceeded || status.Code(err) == codes.Canceled) {
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
//
// Each round is one read and one append: the stream's events after what the index holds of it give
// both its end and the ids the index has not folded yet, so the time between learning the end and
// appending at it (in which another writer can get there first) is one round trip. A round lost to
// another writer is tried again after a randomised, growing wait (backoff), at most
// eventstore.AnyRetries times; then the append fails with *eventstore.ContendedError.
func (s *Store) appendLocked(ctx context.Context, stream string, expected eventstore.Expected, prepared []eventstore.Event) (out []eventstore.Event, waitIDs []uuid.UUID, err error) {
	transient, lost := 0, 0
	for {
		// Order matters: what the index holds of the stream first, then KurrentDB's events after
		// it, then the ids in the index; every event of the stream is then in one or the other.
		head, folded := s.idx.streamHead(stream)
		if err := s.idx.damaged(stream); err != nil {
			return nil, nil, fmt.Errorf("append to %s: %w", stream, err)
		}
		t, newer, err := s.readSince(ctx, stream, head, folded)
		if err != nil && transient < transientRetries && (transientErr(err) || s.reconnectIfClosed(err)) {
			transient++
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		stored, err := s.existing(ctx, prepared)
		if err != nil {
			return nil, nil, err
		}
		if stored != nil {
			return stored, nil, nil
		}
		// Ids in the part of the stream the index has not folded: a retry after a lost
		// acknowledgement. Wait for the index to fold them, then answer from it.
		if found := firstProposed(newer, prepared); found != uuid.Nil {
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
		var rev esdb.ExpectedRevision = esdb.NoStream{}
		if t.exists {
			rev = esdb.Revision(t.last)
		}
		// recorded_at is assigned and the events committed under one lock of the Store, so that
		// KurrentDB's order ($all, hence seq) is the order of assignment and recorded_at never
		// decreases along seq (the contract suite's check caught two streams' appends committed in
		// the other order than their recorded_at).
		var res *esdb.WriteResult
		s.order.Lock()
		sealed, data, err := s.seal(stream, t, prepared)
		if err == nil {
			err = s.checkAppendSize(stream, data)
		}
		if err != nil {
			s.order.Unlock()
			return nil, nil, err
		}
		if s.opts.beforeAppend != nil {
			s.opts.beforeAppend(stream)
		}
		err = s.use(func(c *esdb.Client) error {
			var err error
			res, err = c.AppendToStream(ctx, s.opts.Namespace+stream, esdb.AppendToStreamOptions{ExpectedRevision: rev}, data...)
			return err
		})
		s.order.Unlock()
		switch {
		case err == nil:
			last := sealed[len(sealed)-1].Revision
			if res.NextExpectedVersion != last {
				// KurrentDB numbered them otherwise than their hashes say: it kept revisions
				// the ledger could not read (a soft-deleted stream continues its numbering).
				return nil, nil, fmt.Errorf("append to %s: %w", stream, &eventstore.DamageError{
					Where: fmt.Sprintf("stream %s at revision %d", stream, res.NextExpectedVersion),
					Reason: fmt.Sprintf("KurrentDB stored the appended events up to revision %d where the ledger chained them up to %d: "+
						"the stream was deleted or truncated behind the ledger's back", res.NextExpectedVersion, last)})
			}
			ids := make([]uuid.UUID, len(sealed))
			for i, e := range sealed {
				ids[i] = e.ID
			}
			return sealed, ids, nil
		case isCode(err, esdb.ErrorCodeWrongExpectedVersion):
			// Another writer got there first: nothing was written, so read the end again and, if
			// the expectation still holds, chain to it after a wait drawn at random.
			if lost++; lost > eventstore.AnyRetries {
				return nil, nil, &eventstore.ContendedError{Stream: stream, Attempts: lost}
			}
			if err := backoff(ctx, lost); err != nil {
				return nil, nil, err
			}
			continue
		case transient < transientRetries && (transientErr(err) || s.reconnectIfClosed(err)):
			// The append may or may not have landed (or the client moved to the leader): the next
			// round's idempotency check (index, then the unfolded events) tells, so retrying never
			// appends twice.
			transient++
			continue
		}
		if tl := appendTooLarge(stream, data, err); tl != nil {
			return nil, nil, tl
		}
		return nil, nil, mapErr(fmt.Sprintf("append to %s", stream), err)
	}
}

// Backoff after a lost race: the n-th loss in a row waits a random time in [d/2, d), where d starts at
// backoffBase and doubles up to backoffMax, so that writers that collided do not collide again in
// step. Sixteen losses wait about 0.8 s in all (at most 1 s).
const (
	backoffBase = time.Millisecond
	backoffMax  = 100 * time.Millisecond
)

// backoff waits before the next try after the n-th lost race in a row (n ≥ 1), or until ctx ends.
func backoff(ctx context.Context, n int) error {
	d := backoffMax
	if n <= 8 {
		d = min(backoffBase<<(n-1), backoffMax)
	}
	t := time.NewTimer(d/2 + rand.N(d/2))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// firstProposed returns the first of the proposed ids found among events (uuid.Nil when none is).
func firstProposed(events []eventstore.Event, prepared []eventstore.Event) uuid.UUID {
	if len(events) == 0 {
		return uuid.Nil
	}
	want := make(map[uuid.UUID]bool, len(prepared))
	for _, e := range prepared {
		want[e.ID] = true
	}
	for _, e := range events {
		if want[e.ID] {
			return e.ID
		}
	}
	return uuid.Nil
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

// readSince reads the stream's events after head (from revision 0 when the index has not folded the
// stream) and returns the stream's end and those events. Events that do not continue the stream
// (a revision gap, a broken prev_hash link, an event without the ledger's marker) and a stream that
// KurrentDB no longer reads although the index holds its events are *eventstore.DamageError.
func (s *Store) readSince(ctx context.Context, stream string, head streamHead, folded bool) (tail, []eventstore.Event, error) {
	var t tail
	from := uint64(0)
	if folded {
		t = tail{exists: true, last: head.rev, hash: head.hash, rec: head.rec}
		from = head.rev + 1
	}
	var newer []eventstore.Event
	for {
		rs, found, err := s.readPage(ctx, stream, esdb.Forwards, esdb.Revision(from), page)
		if err != nil {
			return t, nil, mapErr(fmt.Sprintf("append to %s: read its end", stream), err)
		}
		if !found && folded {
			return t, nil, fmt.Errorf("append to %s: %w", stream, notFoundDamage(stream, head.rev))
		}
		for _, r := range rs {
			e, err := s.continues(stream, r, from, t.exists, t.hash)
			if err != nil {
				return t, nil, fmt.Errorf("append to %s: %w", stream, err)
			}
			newer = append(newer, e)
			t = tail{exists: true, last: e.Revision, hash: e.Hash, rec: e.RecordedAt}
			from++
		}
		if len(rs) < page {
			return t, newer, nil
		}
	}
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
