package projections_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/recording"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/projections"
)

// The second oracle of the differential test: the domain's own fold (domain.EffectiveView, then
// domain.Fold of the events in effect on as_of) of a partnership's events in the prefix, compared
// with the view on the facts that map one to one: the partnership's name and status, its partners
// (with notices), the number of events in effect, its appointments (with the councils still
// served and the statutory roles held), its services and its decision register. Officers are compared as written: the view must show the
// name the domain's fold keeps, so an appointment ended as "karen  SLY" is gone from both (the name
// case of issue 19, which the generator writes with NameVariants).

// facts are the one-to-one facts of a partnership at a point, written out so that a diff reads well.
type facts struct {
	Name         string
	Status       string   // value since date
	Partners     []string // council, name, since, notice
	Appointments []string // officer, post, councils with time shares, since, roles
	Services     []string // service, status, lead council, since
	Decisions    []string // minute, outcome, effective date
	EventCount   int
}

func day(v any) string { return fmt.Sprint(v) }

// viewFacts reads the facts of a projections State.
func viewFacts(st *projections.State) facts {
	f := facts{Name: st.Name, Status: st.Status.Value + " since " + day(st.Status.Since), EventCount: st.EventCount}
	for _, p := range st.Partners {
		s := fmt.Sprintf("%s %q since %s", p.Council, p.Name, day(p.Since))
		if p.Notice != nil {
			s += fmt.Sprintf(", notice given %s", day(p.Notice.GivenOn))
		}
		f.Partners = append(f.Partners, s)
	}
	for _, a := range st.Appointments {
		var cs, rs []string
		for _, c := range a.Councils {
			cs = append(cs, fmt.Sprintf("%s:%d", c.Council, int(c.BasisPoints)))
		}
		for _, r := range a.Roles {
			rs = append(rs, fmt.Sprintf("%s %s since %s", r.Council, r.Role, day(r.Since)))
		}
		slices.Sort(rs)
		f.Appointments = append(f.Appointments, fmt.Sprintf("%q as %q for [%s] since %s until %s, roles [%s]", a.Officer, a.Post,
			strings.Join(cs, " "), day(a.Since), day(a.EndsOn), strings.Join(rs, "; ")))
	}
	slices.Sort(f.Appointments)
	for _, sv := range st.Services {
		f.Services = append(f.Services, fmt.Sprintf("%s %s led by %s since %s", sv.Service, sv.Status, sv.LeadCouncil, day(sv.Since)))
	}
	for _, d := range st.Decisions {
		f.Decisions = append(f.Decisions, fmt.Sprintf("%s %s on %s", d.Minute.Raw, d.Outcome, day(d.EffectiveOn)))
	}
	slices.Sort(f.Services)
	slices.Sort(f.Decisions)
	return f
}

// decoded is a history's partnership events as the domain reads them, decoded once, and the
// effective view of each prefix of a partnership's events, made once.
type decoded struct {
	hist  map[string][]domain.Recorded          // by partnership slug, in seq order
	views map[string]map[int][]domain.Effective // by slug, then by the number of its events
}

func decodeHistory(t testing.TB, events []eventstore.Event) decoded {
	out := decoded{hist: map[string][]domain.Recorded{}, views: map[string]map[int][]domain.Effective{}}
	for _, e := range events {
		slug, ok := strings.CutPrefix(e.Stream, domain.StreamPrefix)
		if !ok {
			continue
		}
		r, err := recording.FromEvent(e)
		require.NoError(t, err)
		out.hist[slug] = append(out.hist[slug], r)
	}
	return out
}

// domainFacts folds the partnership's events up to seq k with the domain's fold, as of asOf ("" is
// today by the models' clock).
func (d decoded) facts(slug string, k int, asOf string) (facts, bool) {
	all := d.hist[slug]
	n, _ := slices.BinarySearchFunc(all, uint64(k)+1, func(r domain.Recorded, seq uint64) int {
		return cmpUint(r.Seq, seq)
	})
	if n == 0 {
		return facts{}, false
	}
	if asOf == "" {
		asOf = domain.DateOf(diffNow()).String()
	}
	if d.views[slug] == nil {
		d.views[slug] = map[int][]domain.Effective{}
	}
	view, ok := d.views[slug][n]
	if !ok {
		view = domain.EffectiveView(all[:n])
		d.views[slug][n] = view
	}
	var inEffect []domain.Effective
	for _, e := range view {
		if e.EffectiveOn.String() <= asOf {
			inEffect = append(inEffect, e)
		}
	}
	s := domain.Fold(inEffect)
	s.AdvanceTo(domain.MustDate(asOf))
	f := facts{Name: s.Name, Status: s.Status.Value + " since " + day(s.Status.Since), EventCount: s.EventCount}
	for _, p := range s.Partners {
		line := fmt.Sprintf("%s %q since %s", p.Council.Council, p.Council.Name, day(p.Since))
		if p.Notice != nil {
			line += fmt.Sprintf(", notice given %s", day(p.Notice.GivenOn))
		}
		f.Partners = append(f.Partners, line)
	}
	for i := range s.Appointments {
		a := &s.Appointments[i]
		var cs, rs []string
		for _, c := range a.Councils {
			cs = append(cs, fmt.Sprintf("%s:%v", c.Council, int(c.TimeShareBasisPoints)))
		}
		for _, r := range s.RolesOf(a) {
			rs = append(rs, fmt.Sprintf("%s %s since %s", r.Council, r.Role, day(r.Since)))
		}
		slices.Sort(rs)
		f.Appointments = append(f.Appointments, fmt.Sprintf("%q as %q for [%s] since %s until %s, roles [%s]", a.Officer.Name, a.Post,
			strings.Join(cs, " "), day(a.StartsOn), day(a.EndsOn), strings.Join(rs, "; ")))
	}
	slices.Sort(f.Appointments)
	for _, sv := range s.Services {
		f.Services = append(f.Services, fmt.Sprintf("%s %s led by %s since %s", sv.Service, sv.Status, sv.LeadCouncil, day(sv.Since)))
	}
	for _, d := range s.Decisions {
		f.Decisions = append(f.Decisions, fmt.Sprintf("%s %s on %s", d.Minute.Raw, d.Outcome, day(d.EffectiveOn)))
	}
	slices.Sort(f.Services)
	slices.Sort(f.Decisions)
	return f, true
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
