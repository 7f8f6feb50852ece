package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/recording"
	"github.com/partnership-ledger/ledger/domain/words"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/projections"
)

// ledger replay: a partnership's events one by one, each with what it did to the partnership's
// state, from the domain's one fold (domain.State.ApplyEffect).
//
// The axes (docs/replay.md):
//   - --known-at K is the recording axis, as `ledger state --known-at` reads it: only the events
//     recorded by K take part (a correction or retraction recorded later is not applied).
//   - The walk is the effective axis: events in the order the fold applies them, by effective date,
//     ties by seq (domain.EffectiveView), each as corrected by the corrections known at K. A correction
//     or a retraction is listed right after the event it acts on.
//   - --as-of D (default today in London, like `ledger state`) is the date the state is shown as of:
//     events effective after D are still listed, marked "takes effect on …, after the as-of date", and
//     are not folded; the state after the last event listed is `ledger state --as-of D --known-at K`.
//   - --until SEQ|DATE is a point on the walk (the effective axis): the walk stops after event #SEQ,
//     or after the events effective on or before DATE. Nothing after it is listed or folded; an event
//     corrected by a correction the cut leaves out says "as corrected later by #N, after --until".
//   - --type T shows only events of type T (repeatable, or a comma list); every event is still folded.

// replayReport is `ledger replay --json`: the walk's settings and its steps. Keys are stable.
type replayReport struct {
	Partnership string       `json:"partnership"`
	Name        string       `json:"name,omitempty"`    // the partnership's name after the last event folded
	Order       string       `json:"order"`             // always "effective": effective_on, ties by seq
	AsOf        domain.Date  `json:"as_of"`             // events effective after it are listed, not folded
	KnownAt     string       `json:"known_at"`          // as given, "all" by default
	Until       string       `json:"until,omitempty"`   // as given
	Types       []string     `json:"types,omitempty"`   // the types shown; empty: all
	Steps       []replayStep `json:"steps"`             // the events shown, in walk order
	Omitted     int          `json:"omitted,omitempty"` // events folded but not shown (--type)
	// ByAsOf is what the passage of time did after the last event folded, up to the as-of date: an
	// appointment whose ends_on or last_day passed, with the roles it carried (nil when nothing).
	ByAsOf *replayLapse `json:"by_as_of,omitempty"`
}

// replayLapse is what the passage of time changed and ended, not an event.
type replayLapse struct {
	Changed []replayChange `json:"changed,omitempty"`
	Ended   []replayFact   `json:"ended,omitempty"`
	Words   []string       `json:"words"`
}

// replayStep is one event of the walk and its effect.
type replayStep struct {
	Seq         uint64      `json:"seq"`
	ID          string      `json:"id"`
	Type        string      `json:"type"`
	EffectiveOn domain.Date `json:"effective_on"` // as corrected
	RecordedAt  time.Time   `json:"recorded_at"`
	Certainty   string      `json:"certainty,omitempty"` // as corrected
	Hash        string      `json:"hash"`
	// Folded is false for an event the fold did not apply: effective after the as-of date, retracted,
	// or a correction or retraction (whose effect is shown through its target).
	Folded      bool     `json:"folded"`
	AfterAsOf   bool     `json:"after_as_of,omitempty"`
	CorrectedBy []uint64 `json:"corrected_by,omitempty"` // seqs of the corrections applied to it
	// CorrectedAfterUntil holds those of CorrectedBy that --until cut from the walk: applied here,
	// listed only in a walk that goes on past --until.
	CorrectedAfterUntil []uint64        `json:"corrected_after_until,omitempty"`
	RetractedBy         uint64          `json:"retracted_by,omitempty"` // seq of the retraction that removed it
	Corrects            *replayCorrects `json:"corrects,omitempty"`
	Retracts            *replayRetracts `json:"retracts,omitempty"`
	// Made, Changed and Ended are what the event did to the state as of the as-of date (for a
	// correction or retraction: the state known with it against the state known just before it).
	Made    []replayFact   `json:"made"`
	Changed []replayChange `json:"changed"`
	Ended   []replayFact   `json:"ended"`
	// Lapsed and LapseChanged are the facts that the passage of time ended or changed before the
	// event (an appointment whose ends_on or last_day passed, with the roles it carried), not the event.
	Lapsed       []replayFact   `json:"lapsed,omitempty"`
	LapseChanged []replayChange `json:"lapse_changed,omitempty"`
	// Words are the lines the text output prints under the event's heading.
	Words []string `json:"words"`
}

// replayCorrects is what an EventCorrected says of its target.
type replayCorrects struct {
	Event  uint64   `json:"event"`  // the target's seq
	Fields []string `json:"fields"` // the data fields replaced, then effective_on, sources, certainty when set
	Reason string   `json:"reason"`
}

// replayRetracts is what an EventRetracted says of its target.
type replayRetracts struct {
	Event  uint64 `json:"event"` // the target's seq
	Reason string `json:"reason"`
	Notes  string `json:"notes,omitempty"`
}

// replayFact is a domain.Fact: kind, key, fields in the fold's order, and evidence (event ids).
type replayFact struct {
	Kind     string        `json:"kind"`
	Key      string        `json:"key"`
	Label    string        `json:"label"` // the fact in words, as the text output names it
	Fields   []replayField `json:"fields"`
	Evidence []uuid.UUID   `json:"evidence"`
}

// replayField is one field of a fact: its value as typed (dates YYYY-MM-DD, money in pence, shares
// in basis points, lists as text) and in words.
type replayField struct {
	Name  string `json:"name"`
	Value any    `json:"value"`
	Words string `json:"words"`
}

// replayChange is a domain.FactChange: the fact and its fields old → new (absent: not recorded).
type replayChange struct {
	Kind    string              `json:"kind"`
	Key     string              `json:"key"`
	Label   string              `json:"label"`
	Changes []replayFieldChange `json:"changes"`
}

// replayFieldChange is one field changed: before or after is absent (null) when not recorded.
type replayFieldChange struct {
	Name        string `json:"name"`
	Before      any    `json:"before"`
	After       any    `json:"after"`
	BeforeWords string `json:"before_words"`
	AfterWords  string `json:"after_words"`
}

// typeList is --type: repeatable, each a comma list of event types.
type typeList []string

func (t *typeList) String() string { return strings.Join(*t, ",") }

func (t *typeList) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		s = strings.TrimSpace(s)
		if !slices.Contains(domain.EventTypes(), s) {
			return fmt.Errorf("unknown event type %q (the types: %s)", s, strings.Join(domain.EventTypes(), ", "))
		}
		if !slices.Contains(*t, s) {
			*t = append(*t, s)
		}
	}
	return nil
}

var _ flag.Value = (*typeList)(nil)

// replayUntil is --until: a seq on the walk, or a date on the effective axis.
type replayUntil struct {
	set  bool
	seq  uint64
	date domain.Date
}

func parseReplayUntil(s string) (replayUntil, error) {
	in := strings.TrimSpace(s)
	if in == "" {
		return replayUntil{}, nil
	}
	if n, err := strconv.ParseUint(in, 10, 64); err == nil {
		return replayUntil{set: true, seq: n}, nil
	}
	d, err := domain.ParseDate(in)
	if err != nil {
		return replayUntil{}, fmt.Errorf("%q: want a seq number (1234) or an effective date (2016-06-01)", s)
	}
	return replayUntil{set: true, date: d}, nil
}

func cmdReplay(ctx context.Context, a *app, args []string) error {
	fs := a.newFlags("replay")
	slug := fs.String("partnership", "", "the partnership's slug (required)")
	asOf := fs.String("as-of", "", "effective axis: show the state as of this date, YYYY-MM-DD (default: today); events effective after it are listed, not folded")
	knownAt := fs.String("known-at", "", "recording axis: only what was recorded by then: a seq, an RFC 3339 time or a date (default: all)")
	untilText := fs.String("until", "", "effective axis: stop the walk after event SEQ, or after the events effective on or before DATE (default: the end)")
	var types typeList
	fs.Var(&types, "type", "show only events of this `TYPE` (repeat it, or a comma list); every event is still folded")
	asJSON := fs.Bool("json", false, "print the walk as JSON (docs/replay.md)")
	if err := a.parseNoArgs(fs, args); err != nil {
		return err
	}
	ps, err := partnershipFlag("replay", *slug)
	if err != nil {
		return err
	}
	q, err := projections.ParseQuery(*asOf, *knownAt) // one parse of both axes, as 'ledger state' reads them
	if err != nil {
		return badFlag("replay", "", err)
	}
	k := q.KnownAt
	day := q.AsOf
	if day.IsZero() {
		day = domain.LondonDate(a.now())
	}
	until, err := parseReplayUntil(*untilText)
	if err != nil {
		return usageErrorf("replay: --until: %v", err)
	}

	src, err := a.source()
	if err != nil {
		return err
	}
	defer src.Close()
	events, err := src.PartnershipEvents(ctx, ps, k, *knownAt)
	if err != nil {
		return fmt.Errorf("replay: %w", err)
	}
	if len(events) == 0 {
		// Nothing of the partnership recorded by --known-at: refused as 'ledger state' refuses it
		// (the same error, from the same query), not an empty walk.
		if _, err := src.State(ctx, ps.String(), projections.Query{KnownAt: k}); err != nil {
			return fmt.Errorf("replay: %w", err)
		}
	}
	history := make([]domain.Recorded, len(events))
	hashes := make(map[uint64]string, len(events))
	for i, e := range events {
		if history[i], err = replayDecode(e); err != nil {
			return fmt.Errorf("replay: event #%d: %w", e.Seq, err)
		}
		hashes[e.Seq] = e.Hash.String()
	}
	w := buildWalk(history)
	if until.set {
		if w, err = w.cut(until); err != nil {
			return usageErrorf("replay: --until: %v in %s's history%s", err, ps, knownAtWords(*knownAt))
		}
	}
	rep := w.replay(day, types)
	rep.Partnership = ps.String()
	rep.KnownAt = orDefault(strings.TrimSpace(*knownAt), "all")
	rep.Until = strings.TrimSpace(*untilText)
	rep.Types = types
	for i := range rep.Steps {
		rep.Steps[i].Hash = hashes[rep.Steps[i].Seq]
	}
	if *asJSON {
		return writeJSON(a.stdout, rep)
	}
	printReplay(a.stdout, rep)
	return nil
}

// replayDecode decodes a stored event for the walk. An event of a type (or schema) this build does not
// know is kept with no payload, as the read models keep it: it is listed and counts, with no effect.
// Other errors (domain.ErrMalformed: a stored event that does not decode) are returned.
func replayDecode(e eventstore.Event) (domain.Recorded, error) {
	r, err := recording.FromEvent(e)
	if err == nil || !errors.Is(err, domain.ErrUnknownEventType) {
		return r, err
	}
	eff, err := domain.ParseDate(e.EffectiveOn)
	if err != nil {
		return domain.Recorded{}, fmt.Errorf("effective_on: %w: %w", domain.ErrMalformed, err)
	}
	return domain.Recorded{ID: e.ID, Seq: e.Seq, Revision: e.Revision, Type: e.Type, Schema: e.Schema, EffectiveOn: eff,
		RecordedAt: e.RecordedAt, RecordedBy: e.RecordedBy, Certainty: domain.Certainty(e.Certainty), Data: json.RawMessage(e.Data)}, nil
}

func knownAtWords(k string) string {
	if strings.TrimSpace(k) == "" {
		return ""
	}
	return " known at " + strings.TrimSpace(k)
}

// walkItem is one event of the walk: an event in its place on the effective axis, or a correction or
// retraction following the event it acts on.
type walkItem struct {
	pos    int               // index in the history (seq order)
	on     domain.Date       // its place on the effective axis (a correction's or retraction's: its target's)
	eff    *domain.Effective // the event as it stands, when it is in the effective history
	target int               // a correction or retraction of an event in the history: the target's index; else -1
	acts   []int             // an event's corrections and retraction: their indices in the history
}

// walk is a history in replay order.
type walk struct {
	history []domain.Recorded
	items   []walkItem
}

// buildWalk orders the history on the effective axis as domain.EffectiveView does (effective date,
// ties by seq; each event as corrected), a retracted event at its recorded date, and each correction
// and retraction right after the event it acts on, in seq order.
func buildWalk(history []domain.Recorded) walk {
	effs := domain.EffectiveView(history)
	byID := make(map[uuid.UUID]int, len(history))
	for i, r := range history {
		byID[r.ID] = i
	}
	inEffect := make(map[int]*domain.Effective, len(effs))
	for i := range effs {
		inEffect[byID[effs[i].ID]] = &effs[i]
	}
	acts := map[int][]int{}
	target := make([]int, len(history))
	for i, r := range history {
		target[i] = -1
		t, ok := actsOn(r)
		if !ok {
			continue
		}
		if j, ok := byID[t]; ok && j < i && !isActing(history[j]) {
			target[i] = j
			acts[j] = append(acts[j], i)
		}
	}
	heads := make([]walkItem, 0, len(history))
	for i, r := range history {
		if target[i] >= 0 {
			continue
		}
		it := walkItem{pos: i, on: r.EffectiveOn, target: -1, acts: acts[i]}
		if e, ok := inEffect[i]; ok {
			it.eff, it.on = e, e.EffectiveOn
		}
		heads = append(heads, it)
	}
	slices.SortStableFunc(heads, func(a, b walkItem) int {
		if c := a.on.Compare(b.on); c != 0 {
			return c
		}
		return a.pos - b.pos
	})
	w := walk{history: history, items: make([]walkItem, 0, len(history))}
	for _, h := range heads {
		w.items = append(w.items, h)
		for _, j := range h.acts {
			w.items = append(w.items, walkItem{pos: j, on: h.on, target: h.pos})
		}
	}
	return w
}

// actsOn returns the event a correction or retraction names.
func actsOn(r domain.Recorded) (uuid.UUID, bool) {
	switch p := r.Payload.(type) {
	case domain.EventCorrected:
		return p.Target, true
	case domain.EventRetracted:
		return p.Target, true
	}
	return uuid.UUID{}, false
}

// isActing reports whether r is a correction or a retraction.
func isActing(r domain.Recorded) bool {
	_, ok := actsOn(r)
	return ok
}

// cut returns the walk up to u: through the event of seq u.seq, or through the events effective on or
// before u.date (a correction or retraction goes with the event it acts on). A seq that is not in the
// walk is an error.
func (w walk) cut(u replayUntil) (walk, error) {
	if u.seq == 0 && !u.date.IsZero() {
		n := 0
		for n < len(w.items) && !w.items[n].on.After(u.date) {
			n++
		}
		w.items = w.items[:n]
		return w, nil
	}
	for i, it := range w.items {
		if w.history[it.pos].Seq == u.seq {
			w.items = w.items[:i+1]
			return w, nil
		}
	}
	return w, fmt.Errorf("no event #%d", u.seq)
}

// replay folds the walk as of day (domain.State.ApplyEffect) and describes each item of the types
// shown (all when types is empty).
func (w walk) replay(day domain.Date, types []string) replayReport {
	rep := replayReport{Order: "effective", AsOf: day, Steps: []replayStep{}}
	seqOf := make(map[uuid.UUID]uint64, len(w.history))
	for _, r := range w.history {
		seqOf[r.ID] = r.Seq
	}
	full := domain.NewState() // every event known, at any date: the councils' names and the partnership's
	wd := replayWords{names: words.Names{}, labels: map[factID]string{}, minutes: map[string]string{}}
	cited := map[string][]domain.SourceRef{}
	for _, e := range domain.EffectiveView(w.history) {
		full.Apply(e)
		for _, m := range words.Minutes(e.Payload) {
			cited[m.String()] = append(cited[m.String()], e.Sources...)
		}
	}
	for _, e := range domain.EffectiveView(w.history) {
		for _, m := range words.Minutes(e.Payload) {
			wd.minutes[m.String()] = words.MinuteCited(m, cited[m.String()])
		}
	}
	for _, c := range full.Named {
		if c.Name != "" {
			wd.names[c.Council] = c.Name
		}
	}
	rep.Name = full.Name
	listed := make(map[uint64]bool, len(w.items)) // the seqs the walk lists (--until may cut it)
	for _, it := range w.items {
		listed[w.history[it.pos].Seq] = true
	}
	s := domain.NewState()
	for _, it := range w.items {
		r := w.history[it.pos]
		if len(types) > 0 && !slices.Contains(types, r.Type) {
			// Not shown: folded without its effect (State.Apply costs less than ApplyEffect).
			if it.eff != nil && !it.eff.EffectiveOn.After(day) {
				s.Apply(*it.eff)
			}
			rep.Omitted++
			continue
		}
		st := replayStep{Seq: r.Seq, ID: r.ID.String(), Type: r.Type, EffectiveOn: r.EffectiveOn, RecordedAt: r.RecordedAt,
			Certainty: string(r.Certainty), Made: []replayFact{}, Changed: []replayChange{}, Ended: []replayFact{}}
		switch {
		case it.eff != nil:
			st.EffectiveOn, st.Certainty = it.eff.EffectiveOn, string(it.eff.Certainty)
			for _, id := range it.eff.Evidence[1:] {
				st.CorrectedBy = append(st.CorrectedBy, seqOf[id])
				if !listed[seqOf[id]] {
					st.CorrectedAfterUntil = append(st.CorrectedAfterUntil, seqOf[id])
				}
			}
			if it.eff.EffectiveOn.After(day) {
				st.AfterAsOf = true
				st.Words = append(st.Words, fmt.Sprintf("takes effect on %s, after the as-of date (%s): not folded",
					it.eff.EffectiveOn.Long(), day.Long()))
				break
			}
			eff := s.ApplyEffect(*it.eff)
			st.Folded = true
			scoped := func() []domain.Fact { return s.FactsFor(*it.eff) } // not s.Facts: linear, not quadratic
			wd.effect(&st, eff, scoped)
			if eff.IsZero() {
				st.Words = append(st.Words, wd.noEffect(r, scoped()))
			}
		case isActing(r):
			wd.acting(&st, w, it, day)
		default: // an event a retraction removed
			for _, j := range it.acts {
				if w.history[j].Type == domain.TypeEventRetracted {
					st.RetractedBy = w.history[j].Seq
				}
			}
			st.Words = append(st.Words, fmt.Sprintf("retracted by event #%d: not folded, no effect", st.RetractedBy))
		}
		rep.Steps = append(rep.Steps, st)
	}
	if lapse := s.AdvanceEffect(day); len(lapse.Changed) > 0 || len(lapse.Ended) > 0 {
		var lp replayStep
		wd.effect(&lp, lapse, s.Facts)
		rep.ByAsOf = &replayLapse{Changed: lp.Changed, Ended: lp.Ended, Words: lp.Words}
	}
	return rep
}

// noEffect says why an event folded changed nothing: it restates a fact already true (the fact now
// rests on it too: a target set again at the same amount), or the fold gives it no meaning here.
func (wd replayWords) noEffect(r domain.Recorded, facts []domain.Fact) string {
	if r.Payload == nil {
		return "no change to the state: an event type this build does not know (counted, not read)"
	}
	var restated []string
	for _, f := range facts {
		if slices.Contains(f.Evidence, r.ID) {
			restated = append(restated, wd.fact(f).Label)
		}
	}
	if len(restated) > 0 {
		return "restates what was already true, no field changed: " + words.JoinAnd(restated)
	}
	return "no change to the state: nothing it names is in the state as of then (the recording check refuses such an event)"
}

// factsKnown folds history (a prefix of the partnership's, in seq order) as of day and lists the facts.
func factsKnown(history []domain.Recorded, day domain.Date) []domain.Fact {
	s := domain.NewState()
	for _, e := range domain.EffectiveView(history) {
		if e.EffectiveOn.After(day) {
			break
		}
		s.Apply(e)
	}
	return s.Facts()
}

// replayWords writes facts in words, with the one formatters (Date.Long, Pence.String,
// BasisPoints.String) and the one home of English (domain/words: Phrase, Role, JoinAnd, Names).
type replayWords struct {
	names  words.Names       // councils' names
	labels map[factID]string // the label of each fact made so far (its identity does not change)
	// minutes is each minute the events cite (domain.MinuteRef.String, as facts carry it) as
	// words.MinuteCited writes it, with what the sources of every event citing it (as corrected)
	// mark assumed, as the review pack and ledger state print it.
	minutes map[string]string
}

// factID is a fact's identity: its kind and key.
type factID struct {
	kind domain.FactKind
	key  string
}

// effect fills st's facts and words from eff; after lists the state's facts after the event (for
// the labels of changed facts).
func (wd replayWords) effect(st *replayStep, eff domain.Effect, after func() []domain.Fact) {
	if len(eff.Lapsed) > 0 || len(eff.LapseChanged) > 0 {
		var lp replayStep
		wd.effect(&lp, domain.Effect{Changed: eff.LapseChanged, Ended: eff.Lapsed}, after)
		st.Lapsed, st.LapseChanged = lp.Ended, lp.Changed
		for _, line := range lp.Words {
			st.Words = append(st.Words, "before it, a last day passed: "+line)
		}
	}
	for _, f := range eff.Made {
		rf := wd.fact(f)
		st.Made = append(st.Made, rf)
		wd.labels[factID{f.Kind, f.Key}] = rf.Label
		verb := "makes true: "
		if recordKinds[f.Kind] {
			verb = "records the "
		}
		st.Words = append(st.Words, verb+rf.Label+wd.rest(rf))
	}
	var facts []domain.Fact
	for _, c := range eff.Changed {
		label, ok := wd.labels[factID{c.Kind, c.Key}]
		if !ok {
			if facts == nil {
				facts = after()
			}
			label = string(c.Kind) + " " + c.Key
			if i := slices.IndexFunc(facts, func(f domain.Fact) bool { return f.Kind == c.Kind && f.Key == c.Key }); i >= 0 {
				label = wd.fact(facts[i]).Label
			}
		}
		rc := replayChange{Kind: string(c.Kind), Key: c.Key, Label: label}
		parts := make([]string, len(c.Changes))
		for i, fc := range c.Changes {
			ch := replayFieldChange{Name: fc.Name, Before: jsonValue(fc.Before), After: jsonValue(fc.After),
				BeforeWords: wd.value(fc.Name, fc.Before), AfterWords: wd.value(fc.Name, fc.After)}
			rc.Changes = append(rc.Changes, ch)
			parts[i] = fieldWords(c.Kind, fc.Name) + orNotRecorded(ch.BeforeWords) + " → " + orNotRecorded(ch.AfterWords)
		}
		st.Changed = append(st.Changed, rc)
		st.Words = append(st.Words, "changes "+label+": "+strings.Join(parts, "; "))
	}
	for _, f := range eff.Ended {
		rf := wd.fact(f)
		st.Ended = append(st.Ended, rf)
		st.Words = append(st.Words, "ends "+rf.Label)
	}
}

// acting describes a correction or retraction: what it says of its target, and what it changed in the
// state as of day (the state known with it against the state known just before it).
func (wd replayWords) acting(st *replayStep, w walk, it walkItem, day domain.Date) {
	r := w.history[it.pos]
	if it.target < 0 {
		t, _ := actsOn(r)
		line := fmt.Sprintf("acts on event %s, which is not in this history as known: no effect", t)
		if i := slices.IndexFunc(w.history[:it.pos], func(x domain.Recorded) bool { return x.ID == t }); i >= 0 {
			line = fmt.Sprintf("acts on event #%d, an %s, which corrections and retractions do not act on: no effect",
				w.history[i].Seq, w.history[i].Type)
		}
		st.Words = append(st.Words, line)
		return
	}
	tg := w.history[it.target]
	about := fmt.Sprintf("event #%d (%s of %s)", tg.Seq, tg.Type, tg.EffectiveOn.Long())
	switch p := r.Payload.(type) {
	case domain.EventCorrected:
		c := &replayCorrects{Event: tg.Seq, Reason: p.Reason}
		var fields map[string]json.RawMessage
		if json.Unmarshal(p.Data, &fields) == nil {
			for k := range fields {
				c.Fields = append(c.Fields, k)
			}
			slices.Sort(c.Fields)
		}
		named := make([]string, len(c.Fields))
		for i, f := range c.Fields {
			named[i] = words.Phrase(f)
		}
		if !p.EffectiveOn.IsZero() {
			c.Fields = append(c.Fields, "effective_on")
			named = append(named, "effective date "+p.EffectiveOn.Long())
		}
		if len(p.Sources) > 0 {
			c.Fields = append(c.Fields, "sources")
			named = append(named, "sources")
		}
		if p.Certainty != "" {
			c.Fields = append(c.Fields, "certainty")
			named = append(named, "certainty "+words.CertaintyText(string(p.Certainty)))
		}
		st.Corrects = c
		st.Words = append(st.Words, fmt.Sprintf("corrects %s: %s; reason: %s", about, words.JoinAnd(named), p.Reason))
	case domain.EventRetracted:
		st.Retracts = &replayRetracts{Event: tg.Seq, Reason: p.Reason, Notes: p.Notes}
		line := fmt.Sprintf("retracts %s: %s", about, words.Phrase(p.Reason))
		if p.Notes != "" {
			line += " (" + p.Notes + ")"
		}
		st.Words = append(st.Words, line)
	}
	after := factsKnown(w.history[:it.pos+1], day)
	eff := domain.CompareFacts(factsKnown(w.history[:it.pos], day), after)
	wd.effect(st, eff, func() []domain.Fact { return after })
	if eff.IsZero() {
		st.Words = append(st.Words, "no change to the state as of "+day.Long())
	}
}

func orNotRecorded(s string) string {
	if s == "" {
		return "(" + words.NotRecorded + ")" // the one phrase, bracketed within a list of fields
	}
	return s
}

// recordKinds are the facts that record a decision or a document: an event "records the decision",
// where others "make true" a fact that later events can change or end.
var recordKinds = map[domain.FactKind]bool{
	domain.FactDecision: true, domain.FactBusinessCase: true, domain.FactFunding: true, domain.FactExternalReview: true,
	domain.FactReviewOutcome: true, domain.FactReview: true, domain.FactAgreement: true,
}

// labelFields are the fields that name a fact of each kind, in the order its label says them; the
// other fields follow the label.
var labelFields = map[domain.FactKind][]string{
	domain.FactPartnership:    {"name"},
	domain.FactPartner:        {"council", "name"},
	domain.FactAppointment:    {"officer", "post"},
	domain.FactDesignation:    {"role", "council"},
	domain.FactService:        {"service"},
	domain.FactCostShare:      {"subject"},
	domain.FactFigure:         {"kind", "council", "financial_year", "category"},
	domain.FactDecision:       {"minute"},
	domain.FactAgreement:      {"reference"},
	domain.FactFunding:        {"funder"},
	domain.FactBusinessCase:   {"document"},
	domain.FactReview:         {"review"},
	domain.FactExternalReview: {"reviewer"},
	domain.FactReviewOutcome:  {"council", "review"},
}

// fact is f with its fields in words and its label: "cost share of chief executive", "appointment of
// Sheila Oxtoby as chief executive", "statutory role chief finance officer (s151) at Great Yarmouth
// Borough Council".
func (wd replayWords) fact(f domain.Fact) replayFact {
	rf := replayFact{Kind: string(f.Kind), Key: f.Key, Fields: make([]replayField, len(f.Fields)), Evidence: f.Evidence}
	get := map[string]string{}
	for i, x := range f.Fields {
		rf.Fields[i] = replayField{Name: x.Name, Value: jsonValue(x.Value), Words: wd.value(x.Name, x.Value)}
		get[x.Name] = rf.Fields[i].Words
	}
	kind := words.Phrase(string(f.Kind))
	switch f.Kind {
	case domain.FactPartnership:
		rf.Label = "partnership " + get["name"]
	case domain.FactPartner:
		rf.Label = "partner " + get["name"]
	case domain.FactAppointment:
		if get["post"] == "" {
			rf.Label = "statutory roles of " + get["officer"] + " (no joint appointment recorded)"
		} else {
			rf.Label = "appointment of " + get["officer"] + " as " + get["post"]
		}
	case domain.FactDesignation:
		rf.Label = "statutory role " + get["role"] + " at " + get["council"]
	case domain.FactCostShare:
		rf.Label = "cost share of " + get["subject"]
	case domain.FactFigure:
		rf.Label = get["kind"] + " of " + get["council"] + " for " + get["financial_year"] + " (" + get["category"] + ")"
	case domain.FactDecision:
		rf.Label = "decision " + get["minute"]
	case domain.FactBusinessCase:
		rf.Label = "business case “" + get["document"] + "”"
	case domain.FactFunding:
		rf.Label = "funding from " + get["funder"]
	case domain.FactExternalReview:
		rf.Label = "external review by " + get["reviewer"]
	case domain.FactReviewOutcome:
		rf.Label = "review outcome of " + get["council"] + " for " + get["review"]
	default:
		rf.Label = kind
		for _, n := range labelFields[f.Kind] {
			rf.Label += " " + get[n]
		}
	}
	return rf
}

// rest writes the fields of rf its label does not say: ": name value; name value".
func (wd replayWords) rest(rf replayFact) string {
	var parts []string
	for _, x := range rf.Fields {
		if slices.Contains(labelFields[domain.FactKind(rf.Kind)], x.Name) {
			continue
		}
		parts = append(parts, fieldWords(domain.FactKind(rf.Kind), x.Name)+x.Words)
	}
	if len(parts) == 0 {
		return ""
	}
	return ": " + strings.Join(parts, "; ")
}

// jsonValue is a field's value as --json writes it: a financial year as its text ("2015/16"), every
// other value as its type marshals it (dates "YYYY-MM-DD", money in pence, shares in basis points).
func jsonValue(v any) any {
	if fy, ok := v.(domain.FinancialYear); ok {
		return fy.String()
	}
	return v
}

// fieldWords is a field's name in words, followed by a space; a status's value goes without one.
func fieldWords(kind domain.FactKind, name string) string {
	if kind == domain.FactStatus && name == "value" {
		return ""
	}
	return words.Phrase(name) + " "
}

// wordsFields are the text fields that hold an identifier ("chief-executive", "equal"), written in
// words; other text is written as recorded.
var wordsFields = map[string]bool{"post": true, "subject": true, "basis": true, "kind": true, "service": true,
	"outcome": true, "body": true}

// value writes one field's value in words ("" for nil: not recorded).
func (wd replayWords) value(name string, v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case domain.Date:
		return x.Long()
	case domain.Pence:
		return x.String()
	case domain.BasisPoints:
		return x.String()
	case domain.FinancialYear:
		return x.String()
	case domain.CouncilRef:
		return wd.names.Council(x)
	case domain.StatutoryRole:
		return words.Role(x)
	case bool:
		if x {
			return "yes"
		}
		return "no"
	case int:
		return strconv.Itoa(x)
	case string:
		if m, ok := wd.minutes[x]; ok && (name == "minute" || name == "approved_by") {
			return m
		}
		if name == "kind" && x == domain.FigureOneOffCost {
			return "one-off cost"
		}
		if wordsFields[name] {
			return words.Phrase(x)
		}
		return x
	case []string:
		out := make([]string, len(x))
		for i, item := range x {
			out[i] = wd.item(name, item)
		}
		return words.JoinAnd(out)
	}
	return fmt.Sprint(v)
}

// council is the name of the council a list element names by its slug (the slug itself when the
// partnership never named it).
func (wd replayWords) council(slug string) string {
	c, err := domain.ParseCouncilRef(slug)
	if err != nil {
		return slug
	}
	return wd.names.Council(c)
}

// item writes one element of a list field. The fold gives list elements as text (domain/effect.go):
// "council basis-points" for shares and councils, "council last-day" for an appointment's last days
// (an AppointmentEnded not yet in effect), "role at council since date" for statutory roles,
// "council year category pence" for a business case's amounts, "body of council" for bodies, and
// council slugs for parties, recipients, receiving councils and candidates.
func (wd replayWords) item(field, s string) string {
	switch field {
	case "shares", "councils":
		if i := strings.LastIndexByte(s, ' '); i > 0 {
			if n, err := strconv.Atoi(s[i+1:]); err == nil {
				if n == 0 && field == "councils" { // a designation only: no time share recorded
					return wd.council(s[:i])
				}
				return wd.council(s[:i]) + " " + domain.BasisPoints(n).String()
			}
		}
	case "last_days":
		if c, day, ok := strings.Cut(s, " "); ok {
			if d, err := domain.ParseDate(day); err == nil {
				return wd.council(c) + " to " + d.Long()
			}
		}
	case "statutory_roles":
		role, rest, ok1 := strings.Cut(s, " at ")
		council, since, ok2 := strings.Cut(rest, " since ")
		if d, err := domain.ParseDate(since); ok1 && ok2 && err == nil {
			return words.Role(domain.StatutoryRole(role)) + " at " + wd.council(council) + " since " + d.Long()
		}
	case "projected_savings", "one_off_costs":
		f := strings.Fields(s)
		if len(f) >= 4 {
			if n, err := strconv.ParseInt(f[len(f)-1], 10, 64); err == nil {
				return wd.council(f[0]) + " " + f[1] + " " + strings.Join(f[2:len(f)-1], " ") + " " + domain.Pence(n).String()
			}
		}
	case "bodies":
		if i := strings.LastIndex(s, " of "); i > 0 {
			return s[:i] + " of " + wd.council(s[i+4:])
		}
	case "parties", "recipients", "receiving_councils", "candidates":
		return wd.council(s)
	}
	return s
}

// printReplay writes the walk for people, a line at a time through terminalSafe: its text comes from
// the store, and a line break inside a stored value must not start a line of its own.
func printReplay(w io.Writer, rep replayReport) {
	name := rep.Partnership
	if rep.Name != "" {
		name = rep.Name + " (" + rep.Partnership + ")"
	}
	sayLine(w, "%s", name)
	head := "in effective order (effective date, then seq), as of " + rep.AsOf.Long() + ", known at " + rep.KnownAt
	if rep.Until != "" {
		head += ", until " + rep.Until
	}
	if len(rep.Types) > 0 {
		head += fmt.Sprintf("; showing %s (%d other events folded, not shown)", strings.Join(rep.Types, ", "), rep.Omitted)
	}
	sayLine(w, "%s", head)
	if len(rep.Steps) == 0 {
		fmt.Fprintln(w)
		switch {
		case rep.Omitted > 0:
			sayLine(w, "no events of the types shown")
		case rep.KnownAt != "all":
			sayLine(w, "no events of this partnership recorded by %s", rep.KnownAt)
		default:
			sayLine(w, "no events to show")
		}
	}
	for _, st := range rep.Steps {
		meta := "recorded " + domain.TimeText(st.RecordedAt) + " UTC"
		if st.Certainty != "" {
			meta += ", " + words.CertaintyText(st.Certainty)
		}
		var now, later []string // corrections listed in this walk, and those --until cut from it
		for _, n := range st.CorrectedBy {
			if slices.Contains(st.CorrectedAfterUntil, n) {
				later = append(later, "#"+strconv.FormatUint(n, 10))
			} else {
				now = append(now, "#"+strconv.FormatUint(n, 10))
			}
		}
		if len(now) > 0 {
			meta += ", as corrected by " + words.JoinAnd(now)
		}
		if len(later) > 0 {
			meta += ", as corrected later by " + words.JoinAnd(later) + ", after --until"
		}
		fmt.Fprintln(w)
		sayLine(w, "#%d  %s  %s  (%s)", st.Seq, st.EffectiveOn.Long(), st.Type, meta)
		for _, line := range st.Words {
			sayLine(w, "  %s", line)
		}
	}
	if rep.ByAsOf != nil {
		fmt.Fprintln(w)
		sayLine(w, "by %s, with no event: a last day passed", rep.AsOf.Long())
		for _, line := range rep.ByAsOf.Words {
			sayLine(w, "  %s", line)
		}
	}
}
