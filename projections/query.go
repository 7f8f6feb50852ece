package projections

import (
	"errors"
	"fmt"
	"github.com/partnership-ledger/ledger/domain/words"
	"iter"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/partnership-ledger/ledger/domain"
)

// ErrBadAsOf is matched (errors.Is) by the error a query returns for an as_of that is not a date.
var ErrBadAsOf = errors.New("projections: bad as_of")

// Query is a point in both times. The zero value is today (from the models' clock) as everything
// recorded knows it. Text from people becomes a Query once, at the edge: ParseQuery.
type Query struct {
	AsOf    domain.Date // the date in effect; the zero Date means today in Europe/London
	KnownAt KnownAt     // the zero value means everything recorded
}

// ParseQuery checks an as_of (YYYY-MM-DD) and a known_at (ParseKnownAt) given as text (either may be
// empty: today, everything recorded) and returns the query. Errors match ErrBadAsOf or
// ErrBadKnownAt and name the value.
func ParseQuery(asOf, knownAt string) (Query, error) {
	var q Query
	if asOf != "" {
		d, err := ParseAsOf(asOf)
		if err != nil {
			return Query{}, err
		}
		q.AsOf = d
	}
	k, err := ParseKnownAt(knownAt)
	if err != nil {
		return Query{}, err
	}
	q.KnownAt = k
	return q, nil
}

// ParseAsOf reads an as_of, YYYY-MM-DD (years 0001–9999). The error matches ErrBadAsOf (BadAsOf:
// a fault.Malformed at the parameter as_of) and names the value and what is wrong with it.
func ParseAsOf(s string) (domain.Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return domain.Date{}, BadAsOf(s, fmt.Errorf("%q is not a valid date (YYYY-MM-DD): %s", s, dateProblem(err)))
	}
	d, err := domain.NewDate(t.Year(), t.Month(), t.Day())
	if err != nil {
		return domain.Date{}, BadAsOf(s, fmt.Errorf("%q is not a valid date (YYYY-MM-DD): %v", s, err))
	}
	return d, nil
}

// effEvent is an event as it stands after corrections known at the view's known_at.
type effEvent struct {
	entry              // with corrected payload, effective date and certainty
	evidence  Evidence // the event's id, then the ids of the corrections that changed it
	corrected bool
}

// touchedView is what a partnership's corrections and retractions made of their targets, for one
// "correction epoch": the prefixes of the stream holding the same corrections and retractions.
// Targets come before their corrections, so every target of an epoch is in each of its prefixes.
type touchedView struct {
	events  []effEvent     // the targets as corrected (retracted ones left out), by (effective date, seq)
	touched map[int32]bool // indices in entries of the targets: not taken as recorded
}

// viewCache holds a partnership's cached views. Views are immutable once built.
type viewCache struct {
	mu     sync.Mutex
	epochs map[int]*touchedView // by the number of corrections/retractions in the prefix
	latest *stateCache
	parts  reuse // pieces of the views built, for the next query's view
}

// stateCache is the state for the whole known stream (prefix length n) as of one date.
type stateCache struct {
	n     int
	asOf  domain.Date
	state *State
}

const maxCachedEpochs = 16

// resolved is a query made concrete against a snapshot.
type resolved struct {
	slug   string
	asOf   domain.Date
	kseq   uint64
	axes   Axes
	prefix []entry
	snap   snapshot
}

func (m *Models) resolve(slug string, q Query) (resolved, error) {
	return m.resolveAt(slug, m.asOf(q), q.KnownAt)
}

// asOf returns q's as_of: today in Europe/London by the models' clock when q gives none.
func (m *Models) asOf(q Query) domain.Date {
	if q.AsOf.IsZero() {
		return domain.LondonDate(m.now())
	}
	return q.AsOf
}

// resolveAt makes a point in both times concrete for one partnership against a snapshot.
func (m *Models) resolveAt(slug string, asOf domain.Date, k KnownAt) (resolved, error) {
	r := resolved{slug: slug, asOf: asOf}
	snap, ok := m.snapshot(slug)
	r.snap = snap
	r.kseq = resolveKnownAt(k, snap.maxRec)
	r.axes = Axes{AsOf: r.asOf, KnownAt: KnownAtInfo{Seq: r.kseq, Requested: k.String()}}
	if t := recordedAtOf(r.kseq, snap.maxRec); !t.IsZero() {
		r.axes.KnownAt.RecordedAt = &t
	}
	if !ok {
		return r, UnknownPartnership(slug, "")
	}
	r.prefix = cutBySeq(snap.entries, r.kseq)
	if len(r.prefix) == 0 {
		return r, UnknownPartnership(slug, fmt.Sprintf("nothing recorded for it by known_at %s (seq %d)", k, r.kseq))
	}
	return r, nil
}

// effectiveFor returns the events of the first n entries in effect on d, in effective order
// (effective date, then seq) with the corrections among those entries applied: what
// upTo(effective(entries[:n]), d) gives, without building it. Events no correction touched come
// from the partnership's order as recorded; the few that were touched come from the cached view of
// the prefix's correction epoch (domain.EffectiveView over the targets and their corrections).
func (p *partnership) effectiveFor(snap snapshot, n int, d domain.Date) iter.Seq[effEvent] {
	epoch, _ := slices.BinarySearch(snap.corr, n) // corrections inside the prefix
	var tv *touchedView
	if epoch > 0 {
		tv = p.touchedFor(snap, epoch)
	}
	return func(yield func(effEvent) bool) {
		var touched []effEvent
		var skip map[int32]bool
		if tv != nil {
			touched, skip = tv.events, tv.touched
		}
		order := snap.order
		for {
			// The next event as recorded: in the prefix, not touched by a correction.
			for len(order) > 0 && (int(order[0]) >= n || skip[order[0]]) {
				order = order[1:]
			}
			var next effEvent
			switch {
			case len(order) > 0 && (len(touched) == 0 || before(snap.entries[order[0]], touched[0].entry)):
				i := order[0]
				order = order[1:]
				next = effEvent{entry: snap.entries[i], evidence: Evidence(snap.ids[i : i+1 : i+1])}
			case len(touched) > 0:
				next, touched = touched[0], touched[1:]
			default:
				return
			}
			if next.eff.After(d) || !yield(next) {
				return
			}
		}
	}
}

// before orders events by effective date, then seq.
func before(a, b entry) bool { return a.eff.Before(b.eff) || (a.eff == b.eff && a.seq < b.seq) }

// touchedFor returns the view of the corrections in the first epoch entries of snap.corr.
func (p *partnership) touchedFor(snap snapshot, epoch int) *touchedView {
	c := p.views()
	c.mu.Lock()
	tv := c.epochs[epoch]
	c.mu.Unlock()
	if tv != nil {
		return tv
	}
	targets := map[uuid.UUID]bool{}
	for _, i := range snap.corr[:epoch] {
		switch t := snap.entries[i].payload.(type) {
		case domain.EventCorrected:
			targets[t.Target] = true
		case domain.EventRetracted:
			targets[t.Target] = true
		}
	}
	end := snap.corr[epoch-1] + 1
	tv = &touchedView{touched: map[int32]bool{}}
	var sub []entry // targets and corrections, in seq order
	for i, e := range snap.entries[:end] {
		if isCorrection(e.typ) {
			sub = append(sub, e)
		} else if targets[e.id] {
			sub = append(sub, e)
			tv.touched[int32(i)] = true
		}
	}
	tv.events = effective(sub)
	c.mu.Lock()
	if len(c.epochs) >= maxCachedEpochs {
		clear(c.epochs)
	}
	c.epochs[epoch] = tv
	c.mu.Unlock()
	return tv
}

func (p *partnership) views() *viewCache {
	if c := p.cache.Load(); c != nil {
		return c
	}
	p.cache.CompareAndSwap(nil, &viewCache{epochs: map[int]*touchedView{}})
	return p.cache.Load()
}

// Axes returns where in both times q falls for the partnership slug — the resolved as_of and the known
// prefix of the log — without folding anything: what a cache of answers is keyed by. Errors as for
// State.
func (m *Models) Axes(slug string, q Query) (Axes, error) {
	r, err := m.resolve(slug, q)
	return r.axes, err
}

// State returns the partnership slug at q. Errors: ErrUnknownPartnership when nothing was recorded
// for slug by q's known_at. The result is shared: do not modify it. Safe for concurrent use.
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
		// The prefix's share of the partnership's decisions, as a capacity (a little over, rarely under).
		hint := r.snap.decided*len(r.prefix)/len(r.snap.entries) + 8
		body = fold(r.slug, p.effectiveFor(r.snap, len(r.prefix), r.asOf), hint, r.asOf, &c.parts)
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
	names := namesAt(r.snap.names, len(r.prefix))
	tl := &Timeline{Partnership: slug, Axes: r.axes, Entries: []TimelineEntry{}}
	for e := range r.snap.p.effectiveFor(r.snap, len(r.prefix), r.asOf) {
		tl.Entries = append(tl.Entries, TimelineEntry{
			Seq: e.seq, ID: e.id, Type: e.typ, EffectiveOn: e.eff, Certainty: e.certainty, Sources: e.sources,
			Description: describe(e, names), Corrected: e.corrected, Evidence: e.evidence, Payload: e.payload,
		})
	}
	var current map[uuid.UUID]domain.Recorded // each corrected target as corrected so far, in seq order
	var at map[uuid.UUID]int                  // the prefix's entries by id, once a correction needs them
	for _, i := range r.snap.corr {
		if i >= len(r.prefix) {
			break
		}
		e := &r.prefix[i]
		c := Correction{Seq: e.seq, ID: e.id, Type: e.typ, Sources: e.sources, Certainty: e.certainty}
		var id uuid.UUID // the target
		switch p := e.payload.(type) {
		case domain.EventCorrected:
			id = p.Target
		case domain.EventRetracted:
			id = p.Target
		}
		if at == nil {
			at = indexByID(r.prefix)
		}
		target, ok := at[id] // the target's index in the prefix
		if ok && target > i {
			ok = false // recorded after its correction: not its target (Decide never records one)
		}
		if ok {
			c.TargetSeq, c.TargetOn = r.prefix[target].seq, r.prefix[target].eff
		}
		switch p := e.payload.(type) {
		case domain.EventCorrected:
			c.Target, c.Reason, c.Evidence = p.Target, p.Reason, p.Evidence
			if current == nil {
				current = correctedTargets(r.prefix, r.snap.corr)
			}
			if t, ok := current[p.Target]; ok {
				if corrected, fields, err := domain.Correct(t, p); err == nil {
					current[p.Target] = corrected
					for _, f := range fields {
						c.Changes = append(c.Changes, CorrectedChange{Field: f.Field, Before: f.Before, After: f.After})
					}
				}
			}
		case domain.EventRetracted:
			c.Target, c.Reason, c.Notes = p.Target, p.Reason, p.Notes
			if ok {
				c.Retracted = words.Event(r.prefix[target].typ, r.prefix[target].payload, names)
			}
		}
		tl.Corrections = append(tl.Corrections, c)
	}
	return tl, nil
}

// indexByID returns the index of each entry by its id.
func indexByID(entries []entry) map[uuid.UUID]int {
	out := make(map[uuid.UUID]int, len(entries))
	for j := range entries {
		out[entries[j].id] = j
	}
	return out
}

// correctedTargets returns the events of the prefix that corrections in it target, as recorded, keyed
// by id: the starting point from which Timeline applies the corrections in seq order.
func correctedTargets(prefix []entry, corr []int) map[uuid.UUID]domain.Recorded {
	want := map[uuid.UUID]bool{}
	for _, i := range corr {
		if i >= len(prefix) {
			break
		}
		if p, ok := prefix[i].payload.(domain.EventCorrected); ok {
			want[p.Target] = true
		}
	}
	out := make(map[uuid.UUID]domain.Recorded, len(want))
	for _, e := range prefix {
		if want[e.id] && e.payload != nil {
			out[e.id] = domain.Recorded{ID: e.id, Seq: e.seq, Type: e.typ, Schema: domain.CurrentSchema, EffectiveOn: e.eff,
				Sources: e.sources, Certainty: domain.Certainty(e.certainty), Payload: e.payload}
		}
	}
	return out
}

// List returns the partnerships list at q, sorted by slug; partnerships with nothing recorded by
// q's known_at are left out. The error is always nil (the query was checked when parsed: ParseQuery);
// it is kept for callers written against an earlier List. Safe for concurrent use.
func (m *Models) List(q Query) (*List, error) {
	first, _ := m.resolve("", q) // "" is no partnership: only the axes are wanted
	out := &List{Axes: first.axes, Partnerships: []Summary{}}
	// Every partnership at the same cut of the log, even while events arrive.
	cut := KnownAtSeq(first.kseq)
	for _, slug := range m.Slugs() {
		r, err := m.resolveAt(slug, first.asOf, cut)
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
