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
// errors (kurrentdb-protocol.md §8.4), so esdb.FromError is not enough.
func isCode(err error, code esdb.ErrorCode) bool {
	var ee *esdb.Error
	return errors.As(err, &ee) && ee.Code() == code
}

// readPage reads up to n events of a stream (stream != "") or of $all, whole. A stream that does not
// exist gives no events and no error.
func (s *Store) readPage(ctx context.Context, stream string, dir esdb.Direction, from any, n uint64) ([]*esdb.RecordedEvent, error) {
	for try := 0; ; try++ {
		out, err := s.readPageOnce(ctx, stream, dir, from, n)
		if err != nil && try < transientRetries && ctx.Err() == nil && (transientErr(err) || s.reconnectIfClosed(err)) {
			continue
		}
		return out, err
	}
}

func (s *Store) readPageOnce(ctx context.Context, stream string, dir esdb.Direction, from any, n uint64) ([]*esdb.RecordedEvent, error) {
	var out []*esdb.RecordedEvent
	err := s.use(func(c *esdb.Client) error {
		var rs *esdb.ReadStream
		var err error
		if stream != "" {
			rs, err = c.ReadStream(ctx, s.opts.Namespace+stream, esdb.ReadStreamOptions{Direction: dir, From: from.(esdb.StreamPosition)}, n)
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
		return nil, nil
	}
	return out, err
}

// readRange calls fn with the ledger events of a stream from revision from, up to n of KurrentDB's
// events, until fn returns false. Seq is not set.
func (s *Store) readRange(ctx context.Context, stream string, from, n uint64, fn func(eventstore.Event) bool) error {
	for n > 0 {
		rs, err := s.readPage(ctx, stream, esdb.Forwards, esdb.Revision(from), min(n, page))
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

// ReadStream implements eventstore.Store.
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

		rev, set := from.Revision()
		var pos esdb.StreamPosition
		edir := esdb.Forwards
		if dir == eventstore.Forward {
			pos = esdb.Start{}
			if set {
				if rev == math.MaxUint64 {
					return
				}
				pos = esdb.Revision(rev + 1)
			}
		} else {
			edir = esdb.Backwards
			pos = esdb.End{}
			if set {
				if rev == 0 {
					return
				}
				pos = esdb.Revision(rev - 1)
			}
		}
		returned := 0
		for {
			n := uint64(page)
			if limit > 0 {
				n = min(n, uint64(limit-returned))
			}
			rs, err := s.readPage(opCtx, stream, edir, pos, n)
			if err != nil {
				fail(err)
				return
			}
			for _, r := range rs {
				e, ok, err := decode(s.opts.Namespace, r)
				if err != nil {
					fail(err)
					return
				}
				if !ok {
					continue
				}
				if e.Seq, err = s.resolveSeq(opCtx, e, r.Position); err != nil {
					fail(err)
					return
				}
				if !yield(e, nil) {
					return
				}
				if returned++; limit > 0 && returned >= limit {
					return
				}
			}
			if uint64(len(rs)) < n {
				return
			}
			last := rs[len(rs)-1].EventNumber
			if edir == esdb.Forwards {
				pos = esdb.Revision(last + 1)
			} else {
				if last == 0 {
					return
				}
				pos = esdb.Revision(last - 1)
			}
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
		returned := 0
		for {
			rs, err := s.readPage(opCtx, "", edir, from, page)
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
				e.Seq = seq
				if !yield(e, nil) {
					return
				}
				if returned++; seq == stop || (limit > 0 && returned >= limit) {
					return
				}
			}
			if len(rs) < page {
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
