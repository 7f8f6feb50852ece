package projections

import (
	"errors"
	"fmt"
	"slices"
	"sync"
)

// ErrBadAsOf is matched (errors.Is) by the error a query returns for an as_of that is not a date.
var ErrBadAsOf = errors.New("projections: bad as_of")

// Query is a point in both times. The zero value is today (from the models' clock) as everything
// recorded knows it.
type Query struct {
	AsOf    string  // YYYY-MM-DD; "" means today in Europe/London
	KnownAt KnownAt // the zero value means everything recorded
}

// ParseQuery checks an as_of and a known_at given as text (either may be empty) and returns the
// query. Errors match ErrBadAsOf or ErrBadKnownAt and name the value.
func ParseQuery(asOf, knownAt string) (Query, error) {
	if asOf != "" {
		if _, err := parseDay(asOf); err != nil {
			return Query{}, fmt.Errorf("%w %v", ErrBadAsOf, err)
		}
	}
	k, err := ParseKnownAt(knownAt)
	if err != nil {
		return Query{}, err
	}
	return Query{AsOf: asOf, KnownAt: k}, nil
}

// effEvent is an event as it stands after corrections known at the view's known_at.
type effEvent struct {
	entry              // with corrected payload, effective date and certainty
	evidence  Evidence // the event's id, then the ids of the corrections that changed it
	corrected bool
}

// effView is a partnership's events in effective order (effective_on, ties by seq) for one
// "correction epoch": a prefix of the stream whose corrections and retractions are all known.
type effView struct {
	n      int // entries of the stream it covers
	events []effEvent
}

// viewCache holds a partnership's cached views. Views are immutable once built.
type viewCache struct {
	mu     sync.Mutex
	epochs map[int]*effView // by the number of corrections/retractions in the prefix
	latest *stateCache
}

// stateCache is the state for the whole known stream (prefix length n) as of one date.
type stateCache struct {
	n     int
	asOf  day
	state *State
}

const maxCachedEpochs = 16

// resolved is a query made concrete against a snapshot.
type resolved struct {
	slug   string
	asOf   day
	kseq   uint64
	axes   Axes
	prefix []entry
	snap   snapshot
}

func (m *Models) resolve(slug string, q Query) (resolved, error) {
	var r resolved
	r.slug = slug
	if q.AsOf == "" {
		r.asOf = todayIn(m.now())
	} else {
		d, err := parseDay(q.AsOf)
		if err != nil {
			return r, fmt.Errorf("%w %v", ErrBadAsOf, err)
		}
		r.asOf = d
	}
	snap, ok := m.snapshot(slug)
	r.snap = snap
	r.kseq = resolveKnownAt(q.KnownAt, snap.maxRec)
	r.axes = Axes{AsOf: r.asOf.String(), KnownAt: KnownAtInfo{Seq: r.kseq, Requested: q.KnownAt.String()}}
	if t := recordedAtOf(r.kseq, snap.maxRec); !t.IsZero() {
		r.axes.KnownAt.RecordedAt = &t
	}
	if !ok {
		return r, fmt.Errorf("%w %q", ErrUnknownPartnership, slug)
	}
	r.prefix = cutBySeq(snap.entries, r.kseq)
	if len(r.prefix) == 0 {
		return r, fmt.Errorf("%w %q: nothing recorded for it by known_at %s (seq %d)", ErrUnknownPartnership, slug, q.KnownAt, r.kseq)
	}
	return r, nil
}

// effectiveFor returns the prefix's events in effective order with corrections applied, from the
// cached view of its correction epoch when there is one.
func (p *partnership) effectiveFor(snap snapshot, prefix []entry) []effEvent {
	epoch, _ := slices.BinarySearch(snap.corr, len(prefix)) // corrections inside the prefix
	end := len(snap.entries)
	if epoch < len(snap.corr) {
		end = snap.corr[epoch] // the epoch ends just before the next correction
	}
	c := p.views()
	c.mu.Lock()
	v := c.epochs[epoch]
	c.mu.Unlock()
	if v == nil || v.n != end {
		v = &effView{n: end, events: effective(snap.entries[:end:end])}
		c.mu.Lock()
		if len(c.epochs) >= maxCachedEpochs {
			clear(c.epochs)
		}
		c.epochs[epoch] = v
		c.mu.Unlock()
	}
	if len(prefix) == end {
		return v.events
	}
	// Within an epoch every known correction is already applied: a shorter prefix is a filter by seq.
	last := prefix[len(prefix)-1].seq
	out := make([]effEvent, 0, len(prefix))
	for _, e := range v.events {
		if e.seq <= last {
			out = append(out, e)
		}
	}
	return out
}

func (p *partnership) views() *viewCache {
	if c := p.cache.Load(); c != nil {
		return c
	}
	p.cache.CompareAndSwap(nil, &viewCache{epochs: map[int]*effView{}})
	return p.cache.Load()
}

// upTo returns the events in effect on d: a prefix of a view in effective order.
func upTo(events []effEvent, d day) []effEvent {
	n, _ := slices.BinarySearchFunc(events, d+1, func(e effEvent, target day) int {
		if e.eff < target {
			return -1
		}
		return 1
	})
	return events[:n]
}

// State returns the partnership slug at q. Errors: ErrBadAsOf for an as_of that is not a date;
// ErrUnknownPartnership when nothing was recorded for slug by q's known_at. The result is shared:
// do not modify it. Safe for concurrent use.
func (m *Models) State(slug string, q Query) (*State, error) {
	r, err := m.resolve(slug, q)
	if err != nil {
		return nil, err
	}
	return m.state(r), nil
}

func (m *Models) state(r resolved) *State {
	p := r.snap.p
	c := p.views()
	c.mu.Lock()
	hit := c.latest
	c.mu.Unlock()
	var body *State
	if hit != nil && hit.n == len(r.prefix) && hit.asOf == r.asOf {
		body = hit.state
	} else {
		events := upTo(p.effectiveFor(r.snap, r.prefix), r.asOf)
		body = fold(r.slug, events)
		body.LastSeq = r.prefix[len(r.prefix)-1].seq
		if len(r.prefix) == len(r.snap.entries) {
			c.mu.Lock()
			c.latest = &stateCache{n: len(r.prefix), asOf: r.asOf, state: body}
			c.mu.Unlock()
		}
	}
	out := *body // a shallow copy: the facts are shared, the axes are this query's
	out.Axes = r.axes
	return &out
}

// Timeline returns every event of the partnership in effect on q's as_of, in effective order, as
// known at q's known_at, each with a line a councillor can read. Errors as for State. Safe for
// concurrent use.
func (m *Models) Timeline(slug string, q Query) (*Timeline, error) {
	r, err := m.resolve(slug, q)
	if err != nil {
		return nil, err
	}
	events := upTo(r.snap.p.effectiveFor(r.snap, r.prefix), r.asOf)
	tl := &Timeline{Partnership: slug, Axes: r.axes, Entries: make([]TimelineEntry, 0, len(events))}
	for _, e := range events {
		tl.Entries = append(tl.Entries, TimelineEntry{
			Seq: e.seq, ID: e.id, Type: e.typ, EffectiveOn: e.eff.String(), Certainty: e.certainty,
			Description: describe(e), Corrected: e.corrected, Evidence: e.evidence,
		})
	}
	return tl, nil
}

// List returns the partnerships list at q, sorted by slug; partnerships with nothing recorded by
// q's known_at are left out. Errors: ErrBadAsOf. Safe for concurrent use.
func (m *Models) List(q Query) (*List, error) {
	first, err := m.resolve("", q)
	if errors.Is(err, ErrBadAsOf) {
		return nil, err
	}
	out := &List{Axes: first.axes, Partnerships: []Summary{}}
	// Every partnership at the same cut of the log, even while events arrive.
	q.AsOf, q.KnownAt = first.asOf.String(), KnownAtSeq(first.kseq)
	for _, slug := range m.Slugs() {
		r, err := m.resolve(slug, q)
		if err != nil {
			continue // nothing known of it at this cut
		}
		st := m.state(r)
		partners := make([]string, len(st.Partners))
		for i, p := range st.Partners {
			partners[i] = p.Council
		}
		out.Partnerships = append(out.Partnerships, Summary{
			Partnership: slug, Name: st.Name, Purpose: st.Purpose, Partners: partners,
			Status: st.Status.Value, EventCount: len(r.prefix), LastSeq: st.LastSeq,
		})
	}
	return out, nil
}
