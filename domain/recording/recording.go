// Package recording records commands: it loads a partnership's history, asks domain.Decide, and
// appends the accepted events to an eventstore.Store at the exact revision the decision was made
// against.
//
// A Service keeps each partnership's decoded history in memory, folded by a domain.Decider, and
// reads only the events appended after the revision it holds, so a command costs one short read,
// one decision and one append. Commands for one partnership that arrive while an append is in
// flight are decided in turn and appended together, so concurrent writers share syncs.
//
// Waiting is fair and bounded: a caller waits for at most the batch in flight when it arrived and
// then its own, and a command not taken into a batch by its deadline (Options.Timeout, default 5 s)
// is withdrawn and answered with an *UnavailableError: it was never appended, so a retry cannot
// record it twice.
package recording

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/fault"
)

// MaxRetries bounds how often Record decides again after losing a race to another writer when the
// caller gave no expected revision.
const MaxRetries = 64

// DefaultTimeout is how long Record waits for a command to be taken into a batch before it
// withdraws it (Options.Timeout).
const DefaultTimeout = 5 * time.Second

// ErrUnavailable matches an *UnavailableError: a command withdrawn unrecorded.
var ErrUnavailable = errors.New("recording: the partnership is busy")

// UnavailableError is Record's answer for a command that could not be taken into a batch before
// its deadline: it was withdrawn and nothing of it was appended, so the caller may retry it as it
// is (HTTP answers 503 with Retry-After). It matches ErrUnavailable.
type UnavailableError struct {
	Partnership string        // the partnership's slug
	Timeout     time.Duration // the deadline the command had, from its arrival
}

func (e *UnavailableError) Error() string {
	return fmt.Sprintf("partnership %s is busy: the command was not recorded within %s and was withdrawn (nothing was appended); retry it", e.Partnership, e.Timeout)
}

// Is makes an *UnavailableError match ErrUnavailable.
func (e *UnavailableError) Is(target error) bool { return target == ErrUnavailable }

// Result is what Record stored.
type Result struct {
	// Events are the events as stored (revision, seq, recorded_at and hashes filled in).
	Events []eventstore.Event
	// Replayed is true when the command's id was already recorded with the same content: nothing
	// was appended and Events holds the stored events.
	Replayed bool
}

// Service records commands into a store. It is safe for concurrent use: commands for one
// partnership are decided one at a time in this process, and races with other processes are
// resolved by the store's exact-revision append (see Record).
type Service struct {
	store   eventstore.Store
	clock   func() time.Time
	now     func() time.Time
	timeout time.Duration
	newID   func() uuid.UUID
	queued  func() // test hook: a command joined a queue behind a batch in flight

	mu    sync.Mutex
	parts map[string]*partition
}

// partition is the cached, decoded history of one partnership.
type partition struct {
	qmu     sync.Mutex // guards queue and leading
	queue   []*request
	leading bool

	mu     sync.Mutex      // guards the cache; held by the leader while it flushes a batch
	dec    *domain.Decider // the decoded history, folded
	last   uint64          // revision of the last cached event
	exists bool            // false until the stream has an event
}

// Options tune a Service. The zero value gives the defaults.
type Options struct {
	// Clock gives each event's recorded_at (time.Now when nil); a command's own RecordedAt, set
	// only by an offline seed, takes precedence.
	Clock func() time.Time
	// Timeout is how long a command may wait to be taken into a batch before Record withdraws it
	// and answers an *UnavailableError; 0 means DefaultTimeout (5 s), a negative value no limit.
	Timeout time.Duration
	// Now is the clock deadlines are measured on, and the day a correction is made, which its
	// effective_on may not pass (time.Now when nil); tests inject one.
	Now func() time.Time
}

// New returns a Service over store with the default Options and the given recorded_at clock.
func New(store eventstore.Store, clock func() time.Time) *Service {
	return NewWithOptions(store, Options{Clock: clock})
}

// NewWithOptions returns a Service over store.
func NewWithOptions(store eventstore.Store, opts Options) *Service {
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Timeout == 0 {
		opts.Timeout = DefaultTimeout
	}
	return &Service{store: store, clock: opts.Clock, now: opts.Now, timeout: opts.Timeout, newID: eventstore.NewID,
		parts: map[string]*partition{}}
}

func (s *Service) partition(slug string) *partition {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.parts[slug]
	if p == nil {
		p = &partition{dec: domain.NewDecider(nil)}
		p.dec.SetClock(s.now)
		s.parts[slug] = p
	}
	return p
}

// catchUp reads the events appended after the cached revision. p.mu is held.
func (s *Service) catchUp(ctx context.Context, p *partition, stream string) error {
	from := eventstore.Start
	if p.exists {
		from = eventstore.AfterRevision(p.last)
	}
	for e, err := range s.store.ReadStream(ctx, stream, from, eventstore.Forward, 0) {
		if err != nil {
			return fmt.Errorf("read %s: %w", stream, err)
		}
		if err := p.add(e); err != nil {
			return err
		}
	}
	return nil
}

// add appends a stored event to the cache unless it is already there.
func (p *partition) add(e eventstore.Event) error {
	if p.exists && e.Revision <= p.last {
		return nil
	}
	r, err := FromEvent(e)
	if err != nil {
		return err
	}
	r.Data = nil // the decoded payload is enough: domain encodes it again when it needs the bytes
	p.dec.Add(r)
	p.last, p.exists = e.Revision, true
	return nil
}

// History returns the partnership's recorded events in seq order, decoded, read up to the store's
// current end. The slice is a copy; its elements must not be modified. Their Data is nil (the cache
// keeps only the decoded Payload).
//
// Errors: a *domain.ValidationError for a bad slug; store read errors, wrapped; a stored event that
// does not decode (matching domain.ErrMalformed or domain.ErrUnknownEventType).
func (s *Service) History(ctx context.Context, partnership string) ([]domain.Recorded, error) {
	slug, err := domain.ParsePartnershipSlug(partnership)
	if err != nil {
		return nil, &domain.ValidationError{Problems: []domain.Problem{{Field: "/partnership", Message: err.Error()}}}
	}
	p := s.partition(slug.String())
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := s.catchUp(ctx, p, slug.Stream()); err != nil {
		return nil, err
	}
	return append([]domain.Recorded(nil), p.dec.History()...), nil
}

// Record decides a command against the partnership's history and appends the resulting event.
// actor is the recorded_by of the event (from the caller's credentials, never from the request).
//
// Commands for one partnership that arrive while an append is in flight are queued; when that
// append ends, the queue is taken as the next batch: its commands are decided one after the other
// against the history including each other, and appended together in one atomic append (one
// sync); each caller gets its own Result or error. So a caller waits for at most the batch in
// flight when it arrived, then its own.
//
// Deadline: a command not yet taken into a batch when its deadline passes (Options.Timeout after
// Record was called, default 5 s) or when ctx ends is withdrawn: Record answers an
// *UnavailableError (matching ErrUnavailable) or ctx's error, and the command is never appended.
// Once taken into a batch a command is answered with the batch's outcome, even if the append ends
// after the deadline: either it was appended and the Result says so, or it was not and the error
// says why. An answer is never ambiguous, so retrying a command after an error cannot duplicate it.
// (Withdrawing commands already decided would throw the batch's decisions away; under overload no
// batch would then ever commit. So the wait is bounded by the deadline plus one batch.)
//
// With expected nil, the append is made at the revision the decision was made against; if another
// writer got there first (*eventstore.ConflictError) Record reads the newer events and decides
// again, up to MaxRetries times while the deadline allows. With expected set, the stream must be
// at exactly that revision: otherwise Record returns an *eventstore.ConflictError (matching
// eventstore.ErrConflict) and appends nothing.
//
// A command whose ID was already recorded with the same content appends nothing and answers the
// stored event (Result.Replayed), whatever expected says.
//
// Errors: *domain.ValidationError (domain.ErrValidation) when the command breaks a rule;
// *eventstore.ConflictError or *eventstore.DuplicateIDError (eventstore.ErrConflict);
// *UnavailableError (ErrUnavailable); eventstore.ErrInvalidEvent from the store; read errors and
// ctx errors, wrapped.
func (s *Service) Record(ctx context.Context, actor string, cmd domain.Command, expected *uint64) (Result, error) {
	slug, err := domain.ParsePartnershipSlug(cmd.Partnership)
	if err != nil {
		_, derr := domain.Decide(nil, cmd)
		return Result{}, derr
	}
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	p := s.partition(slug.String())
	req := &request{ctx: ctx, actor: actor, cmd: cmd, expected: expected, done: make(chan struct{})}
	if s.timeout > 0 {
		req.deadline = s.now().Add(s.timeout)
	}

	p.qmu.Lock()
	p.queue = append(p.queue, req)
	if p.leading {
		p.qmu.Unlock()
		if s.queued != nil {
			s.queued()
		}
		return s.await(ctx, slug.String(), req)
	}
	// Lead one batch (the queue holds just this request, or what arrived since the last batch
	// ended), then hand the queue, if any, to a drainer: a caller never flushes batches after its own.
	p.leading = true
	p.qmu.Unlock()
	if s.flushNext(p, slug.Stream()) {
		go func() {
			for s.flushNext(p, slug.Stream()) {
			}
		}()
	}
	<-req.done
	return req.res, req.err
}

// await waits for a queued request's answer, withdrawing it if its deadline passes or ctx ends
// before a batch takes it.
func (s *Service) await(ctx context.Context, slug string, req *request) (Result, error) {
	var expired <-chan time.Time
	if !req.deadline.IsZero() {
		t := time.NewTimer(max(0, req.deadline.Sub(s.now())))
		defer t.Stop()
		expired = t.C
	}
	select {
	case <-req.done:
		return req.res, req.err
	case <-expired:
		if req.state.CompareAndSwap(queued, withdrawn) {
			return Result{}, &UnavailableError{Partnership: slug, Timeout: s.timeout}
		}
	case <-ctx.Done():
		if req.state.CompareAndSwap(queued, withdrawn) {
			return Result{}, ctx.Err()
		}
	}
	<-req.done // taken into a batch: its outcome is the answer
	return req.res, req.err
}

// flushNext takes the partition's queue as one batch, flushes it and answers its requests. It
// reports whether more requests are queued, in which case the caller must call it again; when it
// reports false the partition has no leader.
func (s *Service) flushNext(p *partition, stream string) bool {
	p.qmu.Lock()
	batch := p.queue
	p.queue = nil
	p.qmu.Unlock()
	taken := batch[:0:0]
	for _, r := range batch {
		if !r.state.CompareAndSwap(queued, batched) {
			continue // withdrawn by its caller, who has answered it
		}
		if s.expired(r) {
			r.finish(Result{}, &UnavailableError{Partnership: r.cmd.Partnership, Timeout: s.timeout})
			continue
		}
		taken = append(taken, r)
	}
	if len(taken) > 0 {
		// Requests' contexts differ, so the store calls run without their cancellation; each
		// request's own context is checked before it is decided.
		p.mu.Lock()
		s.flush(context.WithoutCancel(taken[0].ctx), p, stream, taken)
		p.mu.Unlock()
	}
	p.qmu.Lock()
	defer p.qmu.Unlock()
	if len(p.queue) == 0 {
		p.leading = false
		return false
	}
	return true
}

// expired reports whether a request's deadline has passed.
func (s *Service) expired(r *request) bool {
	return !r.deadline.IsZero() && !s.now().Before(r.deadline)
}

// A request's state: queued until a batch takes it or its caller withdraws it.
const (
	queued    int32 = iota
	batched         // taken into a batch: answered with the batch's outcome
	withdrawn       // answered by its caller, never appended
)

// request is one caller's command waiting in a partition's queue.
type request struct {
	ctx      context.Context
	actor    string
	cmd      domain.Command
	expected *uint64
	deadline time.Time // zero: none
	state    atomic.Int32
	res      Result
	err      error
	done     chan struct{}
	sameAs   *request // a repeat, within one batch, of an earlier request's id and content
}

func (r *request) finish(res Result, err error) {
	r.res, r.err = res, err
	close(r.done)
}

// flush decides and appends one batch. p.mu is held; every request is finished on return.
func (s *Service) flush(ctx context.Context, p *partition, stream string, batch []*request) {
	for attempt := 0; ; attempt++ {
		if err := s.catchUp(ctx, p, stream); err != nil {
			for _, r := range batch {
				r.finish(Result{}, err)
			}
			return
		}
		base, baseLast, baseExists := p.dec.Len(), p.last, p.exists
		rev, exists := p.last, p.exists
		var accepted []*request
		var events []eventstore.Event
		pending := map[uuid.UUID]*request{}
		var retry []*request
		for _, r := range batch {
			if err := r.ctx.Err(); err != nil {
				r.finish(Result{}, err)
				continue
			}
			decided, err := p.dec.Decide(r.cmd)
			if err != nil {
				r.finish(Result{}, err)
				continue
			}
			n := decided[0]
			if n.Replay {
				if first, ok := pending[n.ID]; ok {
					r.sameAs = first
					retry = append(retry, r)
					continue
				}
				stored, err := s.store.Append(ctx, stream, eventstore.Any, s.envelope(stream, r.actor, n))
				if err != nil {
					err = fmt.Errorf("record %s in %s: %w", r.cmd.Type, stream, err)
				}
				r.finish(Result{Events: stored, Replayed: true}, err)
				continue
			}
			if r.expected != nil {
				if err := eventstore.Exact(*r.expected).Check(stream, rev, exists); err != nil {
					r.finish(Result{}, err)
					continue
				}
			}
			next := uint64(0)
			if exists {
				next = rev + 1
			}
			env := s.envelope(stream, r.actor, n)
			// Provisional until the append succeeds: Confirm replaces it, Truncate drops it.
			p.dec.Add(domain.Recorded{ID: env.ID, Revision: next, Type: n.Type, Schema: n.Schema,
				EffectiveOn: n.EffectiveOn, RecordedAt: env.RecordedAt, RecordedBy: r.actor, Sources: n.Sources,
				Certainty: n.Certainty, Payload: n.Payload})
			rev, exists = next, true
			pending[env.ID] = r
			accepted = append(accepted, r)
			events = append(events, env)
		}
		if len(events) == 0 {
			finishRepeats(retry)
			return
		}
		exp := eventstore.NoStream
		if baseExists {
			exp = eventstore.Exact(baseLast)
		}
		stored, err := s.store.Append(ctx, stream, exp, events...)
		if err == nil && len(stored) == len(events) {
			recs := make([]domain.Recorded, len(stored))
			for i, e := range stored {
				if recs[i], err = FromEvent(e); err != nil {
					break
				}
				recs[i].Data = nil
			}
			if err == nil && p.dec.Confirm(recs) {
				p.last, p.exists = stored[len(stored)-1].Revision, true
				for i, r := range accepted {
					r.finish(Result{Events: stored[i : i+1]}, nil)
				}
				finishRepeats(retry)
				return
			}
		}
		// Nothing of ours is in the cache any more; the store has what it has.
		p.dec.Truncate(base)
		p.last, p.exists = baseLast, baseExists
		var ce *eventstore.ConflictError
		switch {
		case errors.As(err, &ce) && attempt < MaxRetries:
			// Another process appended: read its events and decide the batch again. Requests
			// with an expected revision are checked again against the newer stream.
		case err != nil && len(accepted) > 1:
			// One event spoiled the batch (too large, say): append each on its own.
			for _, r := range accepted {
				s.flush(ctx, p, stream, []*request{r})
			}
			finishRepeats(retry)
			return
		default:
			if err == nil {
				err = fmt.Errorf("record in %s: the store answered %d events for %d", stream, len(stored), len(events))
			}
			for _, r := range accepted {
				r.finish(Result{}, fmt.Errorf("record %s in %s: %w", r.cmd.Type, stream, err))
			}
			finishRepeats(retry)
			return
		}
		// Decide again, without the requests whose deadline passed meanwhile: nothing of theirs
		// was appended.
		batch = batch[:0]
		for _, r := range append(accepted, retry...) {
			if s.expired(r) {
				r.finish(Result{}, &UnavailableError{Partnership: r.cmd.Partnership, Timeout: s.timeout})
				continue
			}
			batch = append(batch, r)
		}
		if len(batch) == 0 {
			return
		}
	}
}

// finishRepeats answers requests that repeated an earlier request of the same batch.
func finishRepeats(repeats []*request) {
	for _, r := range repeats {
		first := r.sameAs
		<-first.done
		r.finish(Result{Events: first.res.Events, Replayed: first.err == nil}, first.err)
	}
}

// envelope turns a decided event into the store's envelope.
func (s *Service) envelope(stream, actor string, n domain.NewEvent) eventstore.Event {
	id := n.ID
	if id == uuid.Nil {
		id = s.newID()
	}
	at := n.RecordedAt
	if at.IsZero() {
		at = s.clock()
	}
	return eventstore.Event{ID: id, Stream: stream, Type: n.Type, Schema: n.Schema, EffectiveOn: n.EffectiveOn.String(),
		RecordedAt: at, RecordedBy: actor, Sources: n.SourcesJSON(), Certainty: string(n.Certainty),
		CorrelationID: n.CorrelationID, CausationID: n.CausationID, Data: n.Data}
}

// FromEvent decodes a stored envelope into the domain's view of it. Projections use it too.
//
// Errors match domain.ErrMalformed or domain.ErrUnknownEventType.
func FromEvent(e eventstore.Event) (domain.Recorded, error) {
	return domain.DecodeEnvelope(domain.Envelope{ID: e.ID, Stream: e.Stream, Seq: e.Seq, Revision: e.Revision,
		Type: e.Type, Schema: e.Schema, EffectiveOn: e.EffectiveOn, RecordedAt: e.RecordedAt, RecordedBy: e.RecordedBy,
		Sources: json.RawMessage(e.Sources), Certainty: e.Certainty, Data: json.RawMessage(e.Data)})
}

// Fault describes the withdrawn command for people (fault.Busy: nothing was appended, a retry is safe).
func (e *UnavailableError) Fault() *fault.Error {
	return &fault.Error{Kind: fault.Busy, Message: e.Error()}
}

// idempotencyNamespace is the UUID namespace (RFC 9562 name-based, SHA-1) of IdempotentID.
var idempotencyNamespace = uuid.MustParse("8f0b5a36-3f7e-4c55-9a55-1d1f4f3c2b10")

// IdempotentID is the event id (domain.Command.ID) of a command sent with an idempotency key: the same
// caller, partnership slug and key always give the same id, so a retry or a double submit is answered
// with the first command's event (Record's Result.Replayed) and the same id with other content is
// refused at /id. Keys are scoped to the caller: two callers using the same key make two different
// ids, so neither collides with nor sees the other's event.
//
// Callers: the API's Idempotency-Key header, with the token id as caller (api); the pages' hidden form
// key, with "page:" and the signed-in actor as caller (api/web).
func IdempotentID(caller, partnership, key string) uuid.UUID {
	return uuid.NewSHA1(idempotencyNamespace, []byte(caller+"\x00"+partnership+"\x00"+key))
}
