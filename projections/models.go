package projections

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/words"
	"github.com/partnership-ledger/ledger/eventstore"
)

// Errors the queries return. Match them with errors.Is.
var (
	// ErrUnknownPartnership: no events recorded for that slug (at the known_at asked for, or at all).
	ErrUnknownPartnership = errors.New("projections: unknown partnership")
	// ErrOutOfOrder: events were applied with a gap in seq (a repeated seq is ignored).
	ErrOutOfOrder = errors.New("projections: events out of order")
)

// Options configure Models. The zero value is usable.
type Options struct {
	// Now is the clock that gives "today", the default as_of (read in Europe/London). Default time.Now.
	Now func() time.Time
	// Partnerships, when not empty, limits the models to these slugs: other partnerships' payloads
	// are not decoded (their events still count on the recording axis). For one-shot commands.
	Partnerships []string
	// Sparse accepts a log with gaps in seq: the events of some streams only, as a review pack
	// carries its partnership's. A missing seq counts as recorded when the next event given was (the
	// log's recorded_at never decreases along seq), so a known_at resolves to the same events as
	// on the whole log. Without it a gap is an error matching ErrOutOfOrder.
	Sparse bool
}

// Models holds the read models of every partnership, folded from the global log in seq order.
//
// It keeps each partnership's decoded events in seq order, so a known_at is a cut of that list, and
// computes a view on demand for any (as_of, known_at); the view for everything known, as of the
// latest date asked, is cached per partnership.
//
// Models is safe for concurrent use: Apply (usually from a Runner) may run while any number of
// queries read. Returned views are shared and must not be modified.
type Models struct {
	now    func() time.Time
	only   map[string]bool // nil: every partnership
	sparse bool            // Options.Sparse

	mu       sync.RWMutex
	seq      uint64
	advanced chan struct{} // closed and replaced each time seq advances
	index    timeIndex
	parts    map[string]*partnership
	sources  map[string][]domain.SourceRef // source lists by their JSON, decoded once: events cite few
}

// partnership is one stream's decoded events in seq order. entries is appended under Models.mu;
// readers take a snapshot of the slice header under the read lock and use it unlocked, which is safe
// because elements below a snapshot's length are never rewritten.
type partnership struct {
	slug    string
	entries []entry
	corr    []int       // indices in entries of corrections and retractions
	order   []int32     // indices in entries of the other events, by (effective date as recorded, index)
	ids     []uuid.UUID // ids[i] is entries[i].id: one-id Evidence slices of it cost no allocation
	decided int         // DecisionTaken events among entries: sizes the decision register
	names   []namesFrom // council → name as the events recorded so far give them, from each prefix length on
	cache   atomic.Pointer[viewCache]
}

// entry is one decoded event: what the read models need, without the envelope's JSON.
type entry struct {
	seq       uint64
	id        uuid.UUID
	typ       string
	eff       domain.Date
	certainty string
	sources   []domain.SourceRef // shared by every entry citing the same sources (Models.sources)
	payload   domain.Payload     // nil when the type is unknown to this build
}

// NewModels returns empty read models.
func NewModels(opts Options) *Models {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	m := &Models{now: opts.Now, sparse: opts.Sparse, advanced: make(chan struct{}), parts: map[string]*partnership{},
		sources: map[string][]domain.SourceRef{}}
	if len(opts.Partnerships) > 0 {
		m.only = map[string]bool{}
		for _, s := range opts.Partnerships {
			m.only[s] = true
		}
	}
	return m
}

// Seq returns the last seq folded (0 before the first event).
func (m *Models) Seq() uint64 {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.seq
}

// WaitFor blocks until the models have folded seq or ctx is done; then it returns ctx's error.
func (m *Models) WaitFor(ctx context.Context, seq uint64) error {
	for {
		m.mu.RLock()
		done, ch := m.seq >= seq, m.advanced
		m.mu.RUnlock()
		if done {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Apply folds the next event of the global log. An event at or below Seq is ignored (a replay);
// a gap returns an error matching ErrOutOfOrder unless the models are Sparse. Events of streams other than partnerships only
// advance the recording axis. A payload this build cannot decode is kept, as an event of unknown
// type, so that the log is never refused.
func (m *Models) Apply(e eventstore.Event) error {
	ent, slug, isPart := m.decodeEntry(e)
	m.mu.Lock()
	defer m.mu.Unlock()
	if e.Seq <= m.seq {
		return nil
	}
	if err := m.checkNext(e.Seq); err != nil {
		return err
	}
	m.appendLocked(e, ent, slug, isPart)
	close(m.advanced)
	m.advanced = make(chan struct{})
	return nil
}

// decodeEntry decodes a partnership event's payload; isPart is false for other streams and for
// partnerships the models leave out.
func (m *Models) decodeEntry(e eventstore.Event) (ent entry, slug string, isPart bool) {
	slug, ok := slugOf(e.Stream)
	if !ok || (m.only != nil && !m.only[slug]) {
		return entry{}, "", false
	}
	return decodeEntry(e), slug, true
}

// slugOf returns the partnership slug of a stream name, if it is a partnership stream.
func slugOf(stream string) (string, bool) {
	slug, ok := strings.CutPrefix(stream, domain.StreamPrefix)
	return slug, ok && slug != ""
}

// insertOrdered puts the next entry (index len(p.entries), effective on eff) into p.order, after
// every entry effective on or before eff. Readers hold snapshots of p.order and read them unlocked,
// so an insertion before the end (a back-dated event) writes a new slice rather than moving elements
// a snapshot can see; an event in date order, the usual case, is appended.
func (p *partnership) insertOrdered(eff domain.Date) {
	next := int32(len(p.entries))
	if n := len(p.order); n == 0 || !p.entries[p.order[n-1]].eff.After(eff) {
		p.order = append(p.order, next)
		return
	}
	at, _ := slices.BinarySearchFunc(p.order, eff, func(i int32, d domain.Date) int {
		if !p.entries[i].eff.After(d) {
			return -1
		}
		return 1
	})
	order := make([]int32, 0, len(p.order)+1+len(p.order)/4)
	order = append(append(append(order, p.order[:at]...), next), p.order[at:]...)
	p.order = order
}

// namesFrom is the council names given by the first from entries of a partnership (and by no fewer).
type namesFrom struct {
	from  int
	names words.Names // never changed once stored
}

// namesAt returns the council names known to the first n entries: a timeline at a known_at names
// councils as the ledger then did, not as a later CouncilJoinedPartnership does.
func namesAt(list []namesFrom, n int) words.Names {
	i, _ := slices.BinarySearchFunc(list, n+1, func(x namesFrom, target int) int { return x.from - target })
	if i == 0 {
		return nil
	}
	return list[i-1].names
}

// learnNames records the council names the last entry gives. Readers use p.names unlocked: a new
// name adds a new map, and no map is changed once added.
func (p *partnership) learnNames(payload domain.Payload) {
	var named []domain.Council
	switch v := payload.(type) {
	case domain.PartnershipProposed:
		named = v.Partners
	case domain.CouncilJoinedPartnership:
		named = []domain.Council{v.Council}
	}
	var cur, next words.Names
	if n := len(p.names); n > 0 {
		cur = p.names[n-1].names
	}
	for _, c := range named {
		if c.Name != "" && cur[c.Council] != c.Name {
			if next == nil {
				next = maps.Clone(cur)
				if next == nil {
					next = words.Names{}
				}
			}
			next[c.Council] = c.Name
		}
	}
	if next != nil {
		p.names = append(p.names, namesFrom{from: len(p.entries), names: next})
	}
}

// snapshot is a consistent cut of the models taken under the read lock and used without it.
type snapshot struct {
	seq     uint64
	maxRec  []int64
	p       *partnership
	entries []entry
	corr    []int
	order   []int32
	ids     []uuid.UUID
	decided int
	names   []namesFrom
}

func (m *Models) snapshot(slug string) (snapshot, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	p := m.parts[slug]
	if p == nil {
		return snapshot{seq: m.seq, maxRec: m.index.maxRec}, false
	}
	return snapshot{seq: m.seq, maxRec: m.index.maxRec, p: p, entries: p.entries, corr: p.corr, order: p.order, ids: p.ids, decided: p.decided, names: p.names}, true
}

// Slugs returns the slug of every partnership with at least one event, sorted.
func (m *Models) Slugs() []string {
	m.mu.RLock()
	out := make([]string, 0, len(m.parts))
	for s := range m.parts {
		out = append(out, s)
	}
	m.mu.RUnlock()
	slices.Sort(out)
	return out
}

// cutBySeq returns the prefix of entries with seq <= k.
func cutBySeq(entries []entry, k uint64) []entry {
	n, _ := slices.BinarySearchFunc(entries, k+1, func(e entry, target uint64) int {
		if e.seq < target {
			return -1
		}
		if e.seq > target {
			return 1
		}
		return 0
	})
	return entries[:n]
}

// checkNext returns an error matching ErrOutOfOrder when seq, above m.seq, does not come next: only
// seq m.seq+1 does, or any when the models are sparse. m.mu is held.
func (m *Models) checkNext(seq uint64) error {
	if seq != m.seq+1 && !m.sparse {
		return fmt.Errorf("%w: got seq %d after %d", ErrOutOfOrder, seq, m.seq)
	}
	return nil
}

// appendLocked adds the next event; m.mu is held and e.Seq is above m.seq (m.seq+1 unless sparse:
// the seqs skipped count as recorded when e was).
func (m *Models) appendLocked(e eventstore.Event, ent entry, slug string, isPart bool) {
	for m.seq+1 < e.Seq {
		m.index.add(e.RecordedAt)
		m.seq++
	}
	m.index.add(e.RecordedAt)
	if isPart {
		p := m.parts[slug]
		if p == nil {
			p = &partnership{slug: slug}
			m.parts[slug] = p
		}
		ent.sources = m.sourcesOf(e.Sources)
		if isCorrection(ent.typ) {
			p.corr = append(p.corr, len(p.entries))
		} else {
			p.insertOrdered(ent.eff)
		}
		p.entries = append(doubling(p.entries), ent)
		p.ids = append(doubling(p.ids), ent.id)
		if ent.typ == domain.TypeDecisionTaken {
			p.decided++
		}
		p.learnNames(ent.payload)
	}
	m.seq = e.Seq
}

// doubling returns s with room for one more element, doubling its capacity when it is full: append
// grows a long slice by a quarter at a time, which during a rebuild copied each partnership's entries
// about five times over.
func doubling[T any](s []T) []T {
	if len(s) < cap(s) || len(s) < 256 {
		return s
	}
	return slices.Grow(s, len(s))
}

// sourcesOf returns an event's source list decoded, decoding each distinct list once (m.mu is held):
// a ledger's events cite a few documents many times. A list this build cannot read is kept as none
// (it was checked when it was recorded).
func (m *Models) sourcesOf(raw []byte) []domain.SourceRef {
	if len(raw) == 0 {
		return nil
	}
	if s, ok := m.sources[string(raw)]; ok {
		return s
	}
	s, err := domain.DecodeStoredSources(raw)
	if err != nil || len(s) == 0 {
		s = nil
	}
	m.sources[string(raw)] = s
	return s
}
