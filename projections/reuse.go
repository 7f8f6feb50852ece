package projections

import (
	"cmp"
	"slices"
	"sync"

	"github.com/google/uuid"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/words"
)

// reuse keeps the largest pieces of the views that earlier queries of one partnership built — the
// decision register, each council's savings in a year, the councils' names — and gives them to a
// later query whose facts are the same, instead of building (and the garbage collector then
// reclaiming) the same values again: one query at a new as_of or known_at shares all but the newest
// of them with the query before (docs/benchmarks.md, "The query's view from the pieces of earlier ones").
//
// A decision or a savings figure is stated by one effective event and is a function of it alone,
// and the fact keeps that event's Evidence slice: the one-id slice of the partnership's ids, or the
// list EffectiveView made for a corrected event. Neither is written after it is made, and a cached
// piece keeps its slices alive, so two facts holding the same slice (the same first element and
// length: sameEvidence) were stated by the same event as it reads in the same effective history,
// and their views are equal. Any other difference (another event, a correction applied, a figure
// replaced by a later one) changes the slice and the query builds its own piece. Cached pieces are
// never modified once stored; views share them as the cached states share their facts.
type reuse struct {
	mu        sync.Mutex
	decisions []Decision                  // the longest register built so far
	accounts  map[accountKey]*accountView // the last view built of each account
	names     words.Names                 // the last council names built
}

type accountKey struct {
	council domain.CouncilRef
	year    domain.FinancialYear
}

// accountView is the view of one council's account for a year, with what the savings list adds.
type accountView struct {
	savings CouncilSavings
	label   string // the year's label, "2015/16"
	below   string // the entry of Savings.BelowTarget when the account is below its target
}

// sameEvidence reports whether two evidence lists are the same slice: the same memory and length.
func sameEvidence(a, b []uuid.UUID) bool {
	return len(a) == len(b) && len(a) > 0 && &a[0] == &b[0]
}

// decisionsView returns the view of the decision register ds: the cached register's first len(ds)
// entries when they are the same decisions, or a new list (which becomes the cached one when longer).
func (r *reuse) decisionsView(ds []domain.Decision) []Decision {
	if len(ds) == 0 {
		return []Decision{}
	}
	r.mu.Lock()
	cached := r.decisions
	r.mu.Unlock()
	same := 0
	for same < len(ds) && same < len(cached) && sameEvidence(ds[same].Evidence, cached[same].Evidence) {
		same++
	}
	if same == len(ds) {
		return cached[:same:same]
	}
	out := make([]Decision, len(ds))
	copy(out, cached[:same])
	for i := same; i < len(ds); i++ {
		d := &ds[i]
		out[i] = Decision{Minute: minute(d.Minute), Resolution: d.Resolution, Outcome: d.Outcome, Votes: votes(d.Votes),
			KeyDecision: d.KeyDecision, CallInApplies: d.CallInApplies, EffectiveOn: d.EffectiveOn, Evidence: d.Evidence}
	}
	if len(out) > len(cached) {
		r.mu.Lock()
		if len(out) > len(r.decisions) {
			r.decisions = out
		}
		r.mu.Unlock()
	}
	return out
}

// namesView returns the names the partnership gives its councils (those named without one are left
// out): the cached map when it holds the same names.
func (r *reuse) namesView(named []domain.Council) words.Names {
	r.mu.Lock()
	cached := r.names
	r.mu.Unlock()
	if cached != nil && sameNames(cached, named) {
		return cached
	}
	out := make(words.Names, len(named))
	for _, c := range named {
		if c.Name != "" {
			out[c.Council] = c.Name
		}
	}
	r.mu.Lock()
	r.names = out
	r.mu.Unlock()
	return out
}

// sameNames reports whether names is what named gives.
func sameNames(names words.Names, named []domain.Council) bool {
	n := 0
	for _, c := range named {
		if c.Name == "" {
			continue
		}
		if got, ok := names[c.Council]; !ok || got != c.Name {
			return false
		}
		n++
	}
	return n == len(names)
}

// savingsView maps the accounts, by financial year then council; an account whose figures are those
// of its cached view is that view.
func (r *reuse) savingsView(accounts []domain.Account) Savings {
	out := Savings{Years: []SavingsYear{}, BelowTarget: []string{}}
	if len(accounts) == 0 {
		return out
	}
	var buf [64]*domain.Account
	order := buf[:0]
	for i := range accounts {
		order = append(order, &accounts[i])
	}
	slices.SortFunc(order, func(x, y *domain.Account) int {
		if c := cmp.Compare(x.FinancialYear, y.FinancialYear); c != 0 {
			return c
		}
		return cmp.Compare(x.Council.String(), y.Council.String())
	})
	var vbuf [64]*accountView
	views := vbuf[:0]
	years, below := 0, 0
	r.mu.Lock()
	if r.accounts == nil {
		r.accounts = map[accountKey]*accountView{}
	}
	for i, a := range order {
		key := accountKey{a.Council, a.FinancialYear}
		v := r.accounts[key]
		if v == nil || !sameFigures(a.Figures, v.savings.Lines) {
			r.mu.Unlock()
			v = newAccountView(a)
			r.mu.Lock()
			r.accounts[key] = v
		}
		views = append(views, v)
		if i == 0 || order[i-1].FinancialYear != a.FinancialYear {
			years++
		}
		if v.below != "" {
			below++
		}
	}
	r.mu.Unlock()
	out.Years = make([]SavingsYear, 0, years)
	if below > 0 {
		out.BelowTarget = make([]string, 0, below)
	}
	councils := make([]CouncilSavings, len(views)) // every year's councils, each year a part of it
	start := 0
	for i, v := range views {
		councils[i] = v.savings
		if v.below != "" {
			out.BelowTarget = append(out.BelowTarget, v.below)
		}
		if i == len(views)-1 || order[i+1].FinancialYear != order[i].FinancialYear {
			out.Years = append(out.Years, SavingsYear{FinancialYear: order[i].FinancialYear, Label: v.label,
				Councils: councils[start : i+1 : i+1]})
			start = i + 1
		}
	}
	return out
}

// sameFigures reports whether the figures are those the lines were built from.
func sameFigures(figures []domain.Figure, lines []SavingsLine) bool {
	if len(figures) != len(lines) {
		return false
	}
	for i := range figures {
		if !sameEvidence(figures[i].Evidence, lines[i].Evidence) {
			return false
		}
	}
	return true
}

// newAccountView builds the view of an account.
func newAccountView(a *domain.Account) *accountView {
	t := a.Totals()
	cs := CouncilSavings{Council: a.Council.String(), HasOutturn: t.HasOutturn, BelowTarget: t.BelowTarget(),
		Lines: make([]SavingsLine, len(a.Figures))}
	n := 0
	for _, f := range a.Figures {
		n += len(f.Evidence)
	}
	cs.Evidence = make(Evidence, 0, n)
	for j, f := range a.Figures {
		cs.Lines[j] = SavingsLine{Kind: f.Kind, Category: f.Category, AmountPence: f.Amount, PeriodTo: f.PeriodTo, Evidence: f.Evidence}
		cs.Evidence = append(cs.Evidence, f.Evidence...)
	}
	if t.HasTarget {
		cs.TargetPence = pence(t.Target)
	}
	if t.HasForecast {
		cs.ForecastPence = pence(t.Forecast)
	}
	if t.HasOutturn {
		cs.OutturnPence = pence(t.Outturn)
	}
	if t.HasOneOff {
		cs.OneOffCostsPence = pence(t.OneOffCosts)
	}
	if net, ok := t.Net(); ok {
		cs.NetPence = pence(net)
		if t.HasTarget {
			cs.AgainstTargetPence = pence(net - t.Target)
		}
	}
	v := &accountView{savings: cs, label: a.FinancialYear.String()}
	if cs.BelowTarget {
		v.below = cs.Council + " " + v.label
	}
	return v
}
