package domain

import (
	"time"

	"github.com/google/uuid"
)

// Decider decides commands for one partnership and keeps the partnership's history folded, so that
// the usual command (an event dated on or after everything in effect, not a correction) is checked
// in time proportional to the partnership's state rather than its history. Back-dated events,
// corrections and retractions replay the whole timeline, as Decide does.
//
// A Decider is not safe for concurrent use; domain/recording keeps one per partnership under a lock.
type Decider struct {
	hist  []Recorded
	index map[uuid.UUID]int
	st    *State // the checked fold of the effective view; nil when it must be rebuilt
	last  Date   // the latest effective_on in the fold (zero when it is empty)
	now   func() time.Time
}

// SetClock sets the clock that gives the day a correction or retraction is made (Europe/London), which
// its effective_on may not pass (docs/domain.md, rule 10). Without one, only a command's own
// RecordedAt (an offline seed or import) bounds it.
func (d *Decider) SetClock(now func() time.Time) { d.now = now }

// NewDecider returns a Decider over a history in seq order (which it keeps; do not modify it).
func NewDecider(history []Recorded) *Decider {
	d := &Decider{index: map[uuid.UUID]int{}}
	for _, r := range history {
		d.Add(r)
	}
	return d
}

// Add appends the next recorded event (in seq order).
func (d *Decider) Add(r Recorded) {
	d.index[r.ID] = len(d.hist)
	d.hist = append(d.hist, r)
	if d.st == nil {
		return
	}
	switch r.Type {
	case TypeEventCorrected, TypeEventRetracted:
		d.st = nil
		return
	}
	if r.EffectiveOn.Before(d.last) {
		d.st = nil
		return
	}
	d.st.Apply(Effective{Recorded: r, Evidence: []uuid.UUID{r.ID}})
	d.st.checker.out = d.st.checker.out[:0]
	d.last = r.EffectiveOn
}

// Truncate forgets every event after the first n, e.g. events added provisionally before an append
// that failed. The fold is rebuilt on the next decision.
func (d *Decider) Truncate(n int) {
	if n >= len(d.hist) {
		return
	}
	for _, r := range d.hist[n:] {
		delete(d.index, r.ID)
	}
	d.hist = d.hist[:n:n]
	d.st = nil
}

// Confirm replaces the last len(stored) events, added provisionally before they were appended,
// with their stored form (the same ids and content, now with seq, revision and recorded_at). It
// reports false, changing nothing, when the ids do not match.
func (d *Decider) Confirm(stored []Recorded) bool {
	n := len(d.hist) - len(stored)
	if n < 0 {
		return false
	}
	for i, r := range stored {
		if d.hist[n+i].ID != r.ID {
			return false
		}
	}
	copy(d.hist[n:], stored)
	return true
}

// History returns the recorded events in seq order. The slice must not be modified.
func (d *Decider) History() []Recorded { return d.hist }

// Len returns the number of recorded events.
func (d *Decider) Len() int { return len(d.hist) }

// folded returns the fold of the history's effective view and its latest effective date,
// rebuilding it when an event was back-dated, corrected or retracted since.
func (d *Decider) folded() (*State, Date) {
	if d.st == nil {
		d.st, d.last = newCheckedState(), Date{}
		for _, e := range EffectiveView(d.hist) {
			d.st.Apply(e)
			d.last = e.EffectiveOn
		}
		d.st.checker.out = nil
	}
	return d.st, d.last
}

// Decide is Decide(d.History(), cmd), faster: see the type's documentation. It does not add the
// event; call Add with the stored event once it is appended.
func (d *Decider) Decide(cmd Command) ([]NewEvent, error) {
	return decide(d, cmd)
}
