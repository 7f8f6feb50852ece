// Package recording records commands: it loads a partnership's history, asks domain.Decide, and
// appends the accepted events to an eventstore.Store at the exact revision the decision was made
// against.
//
// A Service keeps each partnership's decoded history in memory and reads only the events appended
// after the revision it holds, so a command costs one short read, one decision and one append.
package recording

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/eventstore"
)

// MaxRetries bounds how often Record decides again after losing a race to another writer when the
// caller gave no expected revision.
const MaxRetries = 64

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
	store eventstore.Store
	clock func() time.Time
	newID func() uuid.UUID

	mu    sync.Mutex
	parts map[string]*partition
}

// partition is the cached, decoded history of one partnership.
type partition struct {
	mu     sync.Mutex
	dec    *domain.Decider // the decoded history, folded
	last   uint64          // revision of the last cached event
	exists bool            // false until the stream has an event
}

// New returns a Service over store. clock gives each event's recorded_at (time.Now when nil);
// a command's own RecordedAt, set only by an offline seed, takes precedence.
func New(store eventstore.Store, clock func() time.Time) *Service {
	if clock == nil {
		clock = time.Now
	}
	return &Service{store: store, clock: clock, newID: eventstore.NewID, parts: map[string]*partition{}}
}

func (s *Service) partition(slug string) *partition {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.parts[slug]
	if p == nil {
		p = &partition{dec: domain.NewDecider(nil)}
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
// With expected nil, the append is made at the revision the decision was made against; if another
// writer got there first (*eventstore.ConflictError) Record reads the newer events and decides
// again, up to MaxRetries times. With expected set, the stream must be at exactly that revision:
// otherwise Record returns an *eventstore.ConflictError (matching eventstore.ErrConflict) and
// appends nothing.
//
// A command whose ID was already recorded with the same content appends nothing and answers the
// stored event (Result.Replayed), whatever expected says.
//
// Errors: *domain.ValidationError (domain.ErrValidation) when the command breaks a rule;
// *eventstore.ConflictError or *eventstore.DuplicateIDError (eventstore.ErrConflict);
// eventstore.ErrInvalidEvent from the store; read errors and ctx errors, wrapped.
func (s *Service) Record(ctx context.Context, actor string, cmd domain.Command, expected *uint64) (Result, error) {
	slug, err := domain.ParsePartnershipSlug(cmd.Partnership)
	if err != nil {
		_, derr := domain.Decide(nil, cmd)
		return Result{}, derr
	}
	stream := slug.Stream()
	p := s.partition(slug.String())
	p.mu.Lock()
	defer p.mu.Unlock()

	for attempt := 0; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return Result{}, err
		}
		if err := s.catchUp(ctx, p, stream); err != nil {
			return Result{}, err
		}
		decided, err := p.dec.Decide(cmd)
		if err != nil {
			return Result{}, err
		}
		replay := len(decided) > 0 && decided[0].Replay
		events := make([]eventstore.Event, len(decided))
		for i, n := range decided {
			events[i] = s.envelope(stream, actor, n)
		}
		exp := eventstore.NoStream
		if p.exists {
			exp = eventstore.Exact(p.last)
		}
		if expected != nil && !replay {
			exp = eventstore.Exact(*expected)
			if err := exp.Check(stream, p.last, p.exists); err != nil {
				return Result{}, err
			}
		}
		stored, err := s.store.Append(ctx, stream, exp, events...)
		var ce *eventstore.ConflictError
		if errors.As(err, &ce) && expected == nil && attempt < MaxRetries {
			continue
		}
		if err != nil {
			return Result{}, fmt.Errorf("record %s in %s: %w", cmd.Type, stream, err)
		}
		for _, e := range stored {
			if err := p.add(e); err != nil {
				return Result{}, err
			}
		}
		return Result{Events: stored, Replayed: replay}, nil
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
