package kurrentdb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"math"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/partnership-ledger/ledger/eventstore"
)

// page is how many events one read asks KurrentDB for. A page is read whole before its events are
// yielded, so that a paused caller never holds a call open on the connection.
const page = 256

// subscribeRetries bounds how often SubscribeAll subscribes again, in a row without delivering an
// event, after its subscription drops.
const subscribeRetries = 5

// mapErr wraps a client error with the operation. A stream that KurrentDB says is deleted also matches
// eventstore.ErrCorrupt: the ledger never deletes, so someone did it behind its back.
func mapErr(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, eventstore.ErrClosed), errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case isCode(err, esdb.ErrorCodeStreamDeleted):
		return fmt.Errorf("%s: %w: KurrentDB says the stream was deleted, which the ledger never does: %w", op, eventstore.ErrCorrupt, err)
	}
	return fmt.Errorf("%s: %w", op, err)
}

// isCode reports whether err wraps an *esdb.Error with the given code. The client wraps some of its
// errors (docs/kurrentdb-protocol.md §8.4), so esdb.FromError is not enough.
func isCode(err error, code esdb.ErrorCode) bool {
	var ee *esdb.Error
	return errors.As(err, &ee) && ee.Code() == code
}

// readPage reads up to n events of a stream (stream != "") or of $all, whole. found is false when
// KurrentDB answers that the stream does not exist (never for $all).
func (s *Store) readPage(ctx context.Context, stream string, dir esdb.Direction, from any, n uint64) (out []*esdb.RecordedEvent, found bool, err error) {
	if stream != "" {
		stream = s.opts.Namespace + stream
	}
	return s.readRawPage(ctx, stream, dir, from, n)
}

// readRawPage is readPage of a KurrentDB stream named in full (the namespace not prepended).
func (s *Store) readRawPage(ctx context.Context, stream string, dir esdb.Direction, from any, n uint64) (out []*esdb.RecordedEvent, found bool, err error) {
	for try := 0; ; try++ {
		out, found, err = s.readPageOnce(ctx, stream, dir, from, n)
		if err != nil && try < transientRetries && ctx.Err() == nil && (transientErr(err) || s.reconnectIfClosed(err)) {
			continue
		}
		return out, found, err
	}
}

func (s *Store) readPageOnce(ctx context.Context, stream string, dir esdb.Direction, from any, n uint64) ([]*esdb.RecordedEvent, bool, error) {
	var out []*esdb.RecordedEvent
	err := s.use(func(c *esdb.Client) error {
		var rs *esdb.ReadStream
		var err error
		if stream != "" {
			rs, err = c.ReadStream(ctx, stream, esdb.ReadStreamOptions{Direction: dir, From: from.(esdb.StreamPosition)}, n)
		} else {
			rs, err = c.ReadAll(ctx, esdb.ReadAllOptions{Direction: dir, From: from.(esdb.AllPosition)}, n)
		}
		if err != nil {
			return err
		}
		defer rs.Close()
		for {
			r, err := rs.Recv()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			if r.Event != nil {
				out = append(out, r.Event)
			}
		}
	})
	if isCode(err, esdb.ErrorCodeResourceNotFound) {
		return nil, false, nil
	}
	return out, true, err
}

// notFoundDamage is the damage of a stream that KurrentDB reads as not existing although the ledger
// holds its events up to revision last.
func notFoundDamage(stream string, last uint64) *eventstore.DamageError {
	return &eventstore.DamageError{Where: "stream " + stream,
		Reason: fmt.Sprintf("KurrentDB reads it as not existing, but the ledger holds its events up to revision %d: it was deleted behind the ledger's back", last)}
}

// gapDamage is the damage of a stream read that found revision got where want should be.
func gapDamage(stream string, want, got uint64) *eventstore.DamageError {
	lo, hi := min(want, got), max(want, got)
	if got > want {
		hi = got - 1
	} else {
		lo = got + 1
	}
	return &eventstore.DamageError{Where: fmt.Sprintf("stream %s at revision %d", stream, got),
		Reason: fmt.Sprintf("KurrentDB reads it where revision %d should come: revisions %d to %d are missing (deleted, truncated or scavenged behind the ledger's back)", want, lo, hi)}
}

// endDamage is the damage of a stream that KurrentDB reads as ending at revision end (-1: no events)
// although the ledger holds its events up to revision last.
func endDamage(stream string, end int64, last uint64) *eventstore.DamageError {
	what := fmt.Sprintf("KurrentDB's stream ends at revision %d", end)
	if end < 0 {
		what = "KurrentDB reads no events of it"
	}
	return &eventstore.DamageError{Where: fmt.Sprintf("stream %s at revision %d", stream, last),
		Reason: what + fmt.Sprintf(", but the ledger holds its events up to revision %d: they were removed behind the ledger's back", last)}
}

// linkDamage is the damage of an event whose prev_hash does not name the event before it.
func linkDamage(stream string, rev uint64) *eventstore.DamageError {
	return &eventstore.DamageError{Where: fmt.Sprintf("stream %s at revision %d", stream, rev),
		Reason: "its prev_hash does not name the hash of the event KurrentDB reads before it: events were moved, swapped or replaced"}
}

// continues decodes r, which must be the ledger event at revision want of stream and, when linked,
// chained to prev (an event at revision 0 chains to the zero hash).
func (s *Store) continues(stream string, r *esdb.RecordedEvent, want uint64, linked bool, prev eventstore.Hash) (eventstore.Event, error) {
	if r.EventNumber != want {
		return eventstore.Event{}, gapDamage(stream, want, r.EventNumber)
	}
	e, ok, err := decode(s.opts.Namespace, r)
	if err != nil {
		return e, err
	}
	if !ok {
		return e, &eventstore.DamageError{Where: fmt.Sprintf("stream %s at revision %d", stream, r.EventNumber),
			Reason: "KurrentDB holds an event there that the ledger did not write (its metadata has no ledger marker)"}
	}
	if !linked && want == 0 {
		linked, prev = true, eventstore.ZeroHash
	}
	if linked && e.PrevHash != prev {
		return e, linkDamage(stream, e.Revision)
	}
	return e, nil
}

// readRange calls fn with the ledger events of a stream from revision from, up to n of KurrentDB's
// events, until fn returns false. Seq is not set.
func (s *Store) readRange(ctx context.Context, stream string, from, n uint64, fn func(eventstore.Event) bool) error {
	for n > 0 {
		rs, _, err := s.readPage(ctx, stream, esdb.Forwards, esdb.Revision(from), min(n, page))
		if err != nil {
			return mapErr("read "+stream, err)
		}
		for _, r := range rs {
			e, ok, err := decode(s.opts.Namespace, r)
			if err != nil {
				return err
			}
			if ok && !fn(e) {
				return nil
			}
			from = r.EventNumber + 1
		}
		if uint64(len(rs)) < min(n, page) {
			return nil
		}
		n -= uint64(len(rs))
	}
	return nil
}

// readOne reads the ledger event at a stream's revision, seq not set.
func (s *Store) readOne(ctx context.Context, stream string, rev uint64) (eventstore.Event, error) {
	var got eventstore.Event
	found := false
	err := s.readRange(ctx, stream, rev, 1, func(e eventstore.Event) bool {
		got, found = e, e.Revision == rev
		return false
	})
	if err == nil && !found {
		err = fmt.Errorf("%w: event %s@%d is in the index but not in KurrentDB", eventstore.ErrCorrupt, stream, rev)
	}
	return got, err
}

// resolveSeq finds the seq of a ledger event read from its stream, waiting for the index to fold it
// when it is newer than the index.
func (s *Store) resolveSeq(ctx context.Context, e eventstore.Event, pos esdb.Position) (uint64, error) {
	for range 2 {
		ent, seq, ok := s.idx.lookup(e.ID)
		if ok && ent.stream == e.Stream && ent.rev == e.Revision {
			return seq, nil
		}
		if ok {
			break // the id is elsewhere too (written behind the ledger's back): go by position
		}
		if err := s.idx.waitID(ctx, e.ID); err != nil {
			return 0, err
		}
	}
	if pos.Commit != math.MaxUint64 {
		if err := s.idx.waitPosition(ctx, pos); err != nil {
			return 0, err
		}
		if seq, ok := s.idx.seqAt(pos); ok {
			return seq, nil
		}
	}
	return 0, fmt.Errorf("%w: event %s at %s@%d has no seq", eventstore.ErrCorrupt, e.ID, e.Stream, e.Revision)
}

// ReadStream implements eventstore.Store. It trusts KurrentDB's answer only as far as it agrees
// with the index and with itself: a stream the index knows to be deleted, tombstoned or truncated
// (its $$stream metadata) or to have revisions out of order, a stream KurrentDB reads as not existing
// or shorter than the index holds it, a revision gap, and an event whose prev_hash does not name
// the one read before it each end the read with an *eventstore.DamageError (eventstore.ErrDamaged).
func (s *Store) ReadStream(ctx context.Context, stream string, from eventstore.Cursor, dir eventstore.Direction, limit int) iter.Seq2[eventstore.Event, error] {
	return func(yield func(eventstore.Event, error) bool) {
		if err := s.start(ctx); err != nil {
			yield(eventstore.Event{}, err)
			return
		}
		if eventstore.ValidateStreamName(stream) != nil {
			return // no such stream can exist
		}
		opCtx, cancel := s.opContext(ctx)
		defer cancel()
		fail := func(err error) { yield(eventstore.Event{}, s.ctxErr(ctx, mapErr("read "+stream, err))) }
		if err := s.idx.damaged(stream); err != nil {
			fail(err)
			return
		}
		head, folded := s.idx.streamHead(stream)

		// next is the revision the next event read must have; backwards, the first event read
		// sets it (it may be below the cursor, never below what the index holds).
		rev, set := from.Revision()
		var pos esdb.StreamPosition
		edir, fwd := esdb.Forwards, dir == eventstore.Forward
		next, top, first := uint64(0), uint64(math.MaxUint64), true
		if fwd {
			pos = esdb.Start{}
			if set {
				if rev == math.MaxUint64 {
					return
				}
				next = rev + 1
				pos = esdb.Revision(next)
			}
		} else {
			edir = esdb.Backwards
			pos = esdb.End{}
			if set {
				if rev == 0 {
					return
				}
				top = rev - 1
				pos = esdb.Revision(top)
			}
		}
		var prev *eventstore.Event // the ledger event yielded last, for the chain link
		returned := 0
		for {
			n := uint64(page)
			if limit > 0 {
				n = min(n, uint64(limit-returned))
			}
			rs, found, err := s.readPage(opCtx, stream, edir, pos, n)
			if err != nil {
				fail(err)
				return
			}
			if !found {
				if folded {
					fail(notFoundDamage(stream, head.rev))
				}
				return
			}
			for _, r := range rs {
				if !fwd && first {
					if r.EventNumber > top || (folded && r.EventNumber < min(top, head.rev)) {
						fail(endDamage(stream, int64(r.EventNumber), head.rev))
						return
					}
					next = r.EventNumber
				}
				first = false
				if r.EventNumber != next {
					fail(gapDamage(stream, next, r.EventNumber))
					return
				}
				e, ok, err := decode(s.opts.Namespace, r)
				switch {
				case err != nil:
					fail(err)
					return
				case !ok && folded:
					_, err := s.continues(stream, r, next, false, eventstore.ZeroHash) // names the foreign event
					fail(err)
					return
				case !ok:
					prev = nil // not a ledger stream: skip what is not a ledger event
				default:
					var link error
					switch {
					case fwd && prev != nil && e.PrevHash != prev.Hash,
						fwd && e.Revision == 0 && e.PrevHash != eventstore.ZeroHash:
						link = linkDamage(stream, e.Revision)
					case !fwd && prev != nil && prev.PrevHash != e.Hash:
						link = linkDamage(stream, prev.Revision)
					}
					if link != nil {
						fail(link)
						return
					}
					if e.Seq, err = s.resolveSeq(opCtx, e, r.Position); err != nil {
						fail(err)
						return
					}
					if !yield(e, nil) {
						return
					}
					prev = &e
					if returned++; limit > 0 && returned >= limit {
						return
					}
				}
				if fwd {
					next++
				} else if next == 0 {
					return // revision 0 read: the whole stream
				} else {
					next--
				}
			}
			if uint64(len(rs)) < n {
				// KurrentDB has nothing more in this direction.
				switch {
				case fwd && folded && next <= head.rev:
					fail(endDamage(stream, int64(next)-1, head.rev))
				case !fwd && folded && first:
					fail(endDamage(stream, -1, head.rev))
				case !fwd && !first: // backwards, it stopped above revision 0
					fail(&eventstore.DamageError{Where: fmt.Sprintf("stream %s at revision %d", stream, next+1),
						Reason: fmt.Sprintf("KurrentDB reads no events before it: revisions 0 to %d are missing (deleted, truncated or scavenged behind the ledger's back)", next)})
				}
				return
			}
			pos = esdb.Revision(next)
		}
	}
}

// start checks that a read may begin.
func (s *Store) start(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.isClosed() {
		return eventstore.ErrClosed
	}
	return nil
}

// ReadAll implements eventstore.Store. It reads $all from KurrentDB a page at a time, keeps the ledger
// events (v4.2.0 has no server-side filter on reads) and yields those the index has folded, with
// their seq. The limit counts ledger events.
func (s *Store) ReadAll(ctx context.Context, afterSeq uint64, dir eventstore.Direction, limit int) iter.Seq2[eventstore.Event, error] {
	return func(yield func(eventstore.Event, error) bool) {
		if err := s.start(ctx); err != nil {
			yield(eventstore.Event{}, err)
			return
		}
		opCtx, cancel := s.opContext(ctx)
		defer cancel()
		head, _ := s.idx.snapshot()
		n := head.Seq
		if n == 0 {
			return
		}
		hi := s.idx.at(n).pos // nothing newer than the head when the read began
		var from esdb.AllPosition
		var skip *esdb.Position // forwards: positions up to here were yielded (a read from P includes P)
		edir := esdb.Forwards
		stop := uint64(n) // the last seq to yield
		if dir == eventstore.Forward {
			if afterSeq >= n {
				return
			}
			from = esdb.Start{}
			if afterSeq > 0 {
				p := s.idx.at(afterSeq).pos
				from, skip = p, &p
			}
		} else {
			edir = esdb.Backwards
			from, stop = esdb.End{}, 1
			if afterSeq == 1 {
				return
			}
			if afterSeq > 0 && afterSeq <= n {
				from = s.idx.at(afterSeq).pos // a backwards read from P excludes P
			}
		}
		// want is the seq the next event must have: KurrentDB's $all must still hold every ledger
		// event the index folded.
		want := afterSeq + 1
		if edir == esdb.Backwards {
			want = n
			if afterSeq > 0 && afterSeq <= n {
				want = afterSeq - 1
			}
		}
		missing := func(got uint64) error {
			lo, hi := min(want, got), max(want, got)
			if edir == esdb.Forwards {
				hi--
			} else {
				lo++
			}
			return &eventstore.DamageError{Where: fmt.Sprintf("$all at seq %d", want),
				Reason: fmt.Sprintf("KurrentDB's $all no longer holds the ledger events of seq %d to %d (removed or scavenged behind the ledger's back)", lo, hi)}
		}
		damaged := s.idx.damagedStreams()
		returned := 0
		for {
			rs, _, err := s.readPage(opCtx, "", edir, from, page)
			if err != nil {
				yield(eventstore.Event{}, s.ctxErr(ctx, mapErr("read all", err)))
				return
			}
			for _, r := range rs {
				if (skip != nil && !after(r.Position, *skip)) || after(r.Position, hi) {
					continue
				}
				seq, ok := s.idx.seqAt(r.Position)
				if !ok {
					continue
				}
				e, ok, err := decode(s.opts.Namespace, r)
				if err != nil {
					yield(eventstore.Event{}, err)
					return
				}
				if !ok {
					continue
				}
				if seq != want {
					yield(eventstore.Event{}, missing(seq))
					return
				}
				if err := damaged[e.Stream]; err != nil {
					yield(eventstore.Event{}, fmt.Errorf("read all at seq %d: %w", seq, err))
					return
				}
				e.Seq = seq
				if !yield(e, nil) {
					return
				}
				if returned++; seq == stop || (limit > 0 && returned >= limit) {
					return
				}
				if edir == esdb.Forwards {
					want++
				} else {
					want--
				}
			}
			if len(rs) < page {
				// It ended before stop.
				if edir == esdb.Forwards {
					yield(eventstore.Event{}, missing(stop+1))
				} else {
					yield(eventstore.Event{}, missing(stop-1))
				}
				return
			}
			last := rs[len(rs)-1].Position
			from = last
			if edir == esdb.Forwards {
				skip = &last
			}
		}
	}
}

// SubscribeAll implements eventstore.Store with a filtered $all subscription of its own, starting
// after the position of afterSeq. Every event gets its seq from the index, so seq is the same as in
// ReadAll and on every other reader; a dropped subscription is taken again from the last event
// delivered.
func (s *Store) SubscribeAll(ctx context.Context, afterSeq uint64) iter.Seq2[eventstore.Event, error] {
	return func(yield func(eventstore.Event, error) bool) {
		if err := s.start(ctx); err != nil {
			yield(eventstore.Event{}, err)
			return
		}
		opCtx, cancel := s.opContext(ctx)
		defer cancel()
		fail := func(err error) { yield(eventstore.Event{}, s.ctxErr(ctx, err)) }
		// Start from afterSeq's position, so it must be in the index.
		if err := s.idx.waitSeq(opCtx, afterSeq); err != nil {
			fail(err)
			return
		}
		last := afterSeq
		failures := 0
		for {
			from := esdb.AllPosition(esdb.Start{})
			if last > 0 {
				from = s.idx.at(last).pos
			}
			var sub *esdb.Subscription
			err := s.use(func(c *esdb.Client) error {
				var err error
				sub, err = c.SubscribeToAll(opCtx, esdb.SubscribeToAllOptions{From: from, Filter: s.filter})
				return err
			})
			before := last
			if err == nil {
				var stopped bool
				stopped, err = s.deliver(opCtx, sub, &last, yield)
				sub.Close()
				if stopped {
					return
				}
			}
			if cerr := ctx.Err(); cerr != nil {
				yield(eventstore.Event{}, cerr)
				return
			}
			if s.isClosed() || errors.Is(err, eventstore.ErrCorrupt) {
				fail(err)
				return
			}
			if last > before {
				failures = 0
			}
			if failures++; failures > subscribeRetries {
				fail(mapErr("subscribe to $all", err))
				return
			}
			s.opts.Logger.Warn("kurrentdb: a $all subscription dropped; subscribing again", "err", err)
			s.reconnectIfClosed(err)
			t := time.NewTimer(s.opts.RetryInterval)
			select {
			case <-opCtx.Done():
				t.Stop()
			case <-t.C:
			}
		}
	}
}

// deliver yields what one subscription delivers until it drops (the error) or the caller stops
// (stopped true).
func (s *Store) deliver(ctx context.Context, sub *esdb.Subscription, last *uint64, yield func(eventstore.Event, error) bool) (stopped bool, err error) {
	for {
		ev := sub.Recv()
		if ev.SubscriptionDropped != nil {
			return false, ev.SubscriptionDropped.Error
		}
		if ev.EventAppeared == nil {
			continue
		}
		r := ev.EventAppeared.Event
		e, ok, err := decode(s.opts.Namespace, r)
		if !ok {
			continue
		}
		if err != nil {
			return false, err
		}
		if err := s.idx.waitPosition(ctx, r.Position); err != nil {
			return false, err
		}
		seq, ok := s.idx.seqAt(r.Position)
		if !ok {
			return false, fmt.Errorf("%w: event %s at position %d has no seq", eventstore.ErrCorrupt, e.ID, r.Position.Commit)
		}
		if seq <= *last {
			continue // delivered again after a resubscription
		}
		if seq != *last+1 {
			return false, fmt.Errorf("%w: subscription skipped from seq %d to %d", eventstore.ErrCorrupt, *last, seq)
		}
		if err := s.idx.damaged(e.Stream); err != nil {
			return false, fmt.Errorf("subscribe to $all at seq %d: %w", seq, err)
		}
		e.Seq = seq
		if !yield(e, nil) {
			return true, nil
		}
		*last = seq
	}
}

// Head implements eventstore.Store: the last event the index has folded.
func (s *Store) Head(ctx context.Context) (eventstore.Head, error) {
	if err := s.start(ctx); err != nil {
		return eventstore.Head{}, err
	}
	h, _ := s.idx.snapshot()
	return h, nil
}
