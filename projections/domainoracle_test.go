package projections_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
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
	Savings      []string // financial year, council: target, forecast, outturn, one-off costs, net (absent: "none"), below target
	Trial        string   // from, to ("" without one)
	EventCount   int
}

// money writes an amount the view may leave absent (nil: not recorded).
func money(p *domain.Pence) string {
	if p == nil {
		return "none"
	}
	return fmt.Sprint(int64(*p))
}

// savingsLine is one council's savings in a year, as the facts write it.
func savingsLine(fy domain.FinancialYear, council string, target, forecast, outturn, oneOff, net *domain.Pence, below bool) string {
	return fmt.Sprintf("%s %s: target %s, forecast %s, outturn %s, one-off %s, net %s, below target %v", fy, council,
		money(target), money(forecast), money(outturn), money(oneOff), money(net), below)
}

// totalsPence is a total the domain's Totals holds, as the view's pointer: nil when not recorded.
func totalsPence(v domain.Pence, has bool) *domain.Pence {
	if !has {
		return nil
	}
	return &v
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
	for _, y := range st.Savings.Years {
		for _, c := range y.Councils {
			f.Savings = append(f.Savings, savingsLine(y.FinancialYear, c.Council, c.TargetPence, c.ForecastPence, c.OutturnPence,
				c.OneOffCostsPence, c.NetPence, c.BelowTarget))
		}
	}
	slices.Sort(f.Savings)
	if t := st.TrialPeriod; t != nil {
		f.Trial = day(t.From) + " to " + day(t.To)
	}
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
	for _, a := range s.Accounts {
		t := a.Totals()
		var net *domain.Pence
		if n, ok := t.Net(); ok {
			net = &n
		}
		f.Savings = append(f.Savings, savingsLine(a.FinancialYear, a.Council.String(), totalsPence(t.Target, t.HasTarget),
			totalsPence(t.Forecast, t.HasForecast), totalsPence(t.Outturn, t.HasOutturn), totalsPence(t.OneOffCosts, t.HasOneOff), net,
			t.BelowTarget()))
	}
	slices.Sort(f.Savings)
	if t := s.Trial; t != nil {
		f.Trial = day(t.From) + " to " + day(t.To)
	}
	return f, true
}

// prefix is the partnership's recorded events up to seq k, in seq order: its history as known at k.
func (d decoded) prefix(slug string, k int) []domain.Recorded {
	all := d.hist[slug]
	n, _ := slices.BinarySearchFunc(all, uint64(k)+1, func(r domain.Recorded, seq uint64) int {
		return cmpUint(r.Seq, seq)
	})
	return all[:n]
}

// writeReadAgreement is the property that the write side and the read side mean the same (issue 19):
// at a point (the history known at k, as of asOf), every appointment the view shows in force can be
// ended by Decide on that date, for its officer, post and councils; every statutory role the view
// shows held can be vacated by its holder then, and cannot be designated to anyone else. Only the
// candidate's own problems count: ending an appointment may still be refused for what it would do to
// later events (a later end of the same appointment), which is a different rule. It returns what is
// wrong, "" when nothing is.
func (d decoded) writeReadAgreement(slug string, k int, asOf string, st *projections.State) string {
	hist := d.prefix(slug, k)
	if len(hist) == 0 || st == nil {
		return ""
	}
	if asOf == "" {
		asOf = domain.DateOf(diffNow()).String()
	}
	dec := domain.NewDecider(hist)
	own := func(typ string, data any) []domain.Problem {
		b, err := json.Marshal(data)
		if err != nil {
			panic(err)
		}
		_, err = dec.Decide(domain.Command{Partnership: slug, Type: typ, EffectiveOn: asOf, Certainty: "confirmed", Data: b,
			Sources: []domain.SourceRef{{Kind: domain.SourceMinutes, Title: "Minutes"}}})
		var ve *domain.ValidationError
		if !errors.As(err, &ve) {
			return nil
		}
		var out []domain.Problem
		for _, p := range ve.Problems {
			if p.Event == uuid.Nil {
				out = append(out, p)
			}
		}
		return out
	}
	var wrong []string
	for _, a := range st.Appointments {
		if a.Post != "" {
			// A council the view shows with a last day is already ending there (an end recorded on
			// or before the last day): Decide refuses to end it again; the others it can end.
			var councils []string
			for _, c := range a.Councils {
				if !c.LastDay.IsZero() {
					if ps := own(domain.TypeAppointmentEnded, map[string]any{"officer": map[string]string{"name": a.Officer}, "post": a.Post,
						"councils": []string{c.Council}, "last_day": asOf, "reason": "resignation"}); len(ps) == 0 {
						wrong = append(wrong, fmt.Sprintf("the view shows %q as %q ending at %s (last day %s), but Decide accepts ending it again", a.Officer, a.Post, c.Council, c.LastDay))
					}
					continue
				}
				councils = append(councils, c.Council)
			}
			if len(councils) > 0 {
				if ps := own(domain.TypeAppointmentEnded, map[string]any{"officer": map[string]string{"name": a.Officer}, "post": a.Post,
					"councils": councils, "last_day": asOf, "reason": "resignation"}); len(ps) > 0 {
					wrong = append(wrong, fmt.Sprintf("the view shows %q as %q for %v in force, but Decide refuses to end it: %v", a.Officer, a.Post, councils, ps))
				}
			}
		}
		for _, r := range a.Roles {
			if ps := own(domain.TypeStatutoryRoleVacated, map[string]any{"council": r.Council, "role": r.Role,
				"officer": map[string]string{"name": a.Officer}}); len(ps) > 0 {
				wrong = append(wrong, fmt.Sprintf("the view shows %q holding %s at %s, but Decide refuses the vacation: %v", a.Officer, r.Role, r.Council, ps))
			}
			if ps := own(domain.TypeStatutoryRoleDesignated, map[string]any{"council": r.Council, "role": r.Role,
				"officer": map[string]string{"name": "Someone Else Entirely"}}); len(ps) == 0 {
				wrong = append(wrong, fmt.Sprintf("the view shows %q holding %s at %s, but Decide gives it to someone else", a.Officer, r.Role, r.Council))
			}
		}
	}
	// And the converse: what the view does not show, Decide does not see either. A role no one holds
	// at an active partner can be given to a new officer (before dissolution); an appointment recorded
	// but not in the view (ended, or its fixed term passed) cannot be ended.
	if st.Status.Value != projections.StatusDissolved {
		for _, p := range st.Partners {
			for _, role := range []domain.StatutoryRole{domain.HeadOfPaidService, domain.MonitoringOfficer, domain.ChiefFinanceOfficer} {
				if heldInView(st, p.Council, string(role)) {
					continue
				}
				if ps := own(domain.TypeStatutoryRoleDesignated, map[string]any{"council": p.Council, "role": role,
					"officer": map[string]string{"name": "Someone Else Entirely"}}); len(ps) > 0 {
					wrong = append(wrong, fmt.Sprintf("the view shows no one holding %s at %s, but Decide refuses to designate a new officer: %v", role, p.Council, ps))
				}
			}
		}
	}
	if st.Status.Value == projections.StatusDissolved {
		wrong = append(wrong, dissolvedShowsNothingShared(st)...)
		// Decide refuses new sharing after the dissolution, as the view shows none.
		var former []string
		for _, p := range st.Former {
			former = append(former, p.Council)
		}
		if len(former) >= 2 {
			if ps := own(domain.TypeCostShareAgreed, map[string]any{"subject": "a new subject", "basis": "equal", "applies_from": asOf,
				"shares": []map[string]any{{"council": former[0], "basis_points": 5000}, {"council": former[1], "basis_points": 5000}}}); len(ps) == 0 {
				wrong = append(wrong, "the partnership is dissolved, but Decide accepts a new cost share")
			}
			if ps := own(domain.TypeJointAppointmentMade, map[string]any{"officer": map[string]string{"name": "Someone Else Entirely"}, "post": "a new post",
				"employing_council": former[0], "basis": "interim", "starts_on": asOf,
				"councils": []map[string]any{{"council": former[0], "time_share_basis_points": 5000}, {"council": former[1], "time_share_basis_points": 5000}}}); len(ps) == 0 {
				wrong = append(wrong, "the partnership is dissolved, but Decide accepts a new joint appointment")
			}
		}
	}
	for _, e := range domain.EffectiveView(hist) {
		a, ok := e.Payload.(domain.JointAppointmentMade)
		if !ok || e.EffectiveOn.String() > asOf || inView(st, a.Officer.Name, a.Post) {
			continue
		}
		councils := make([]string, len(a.Councils))
		for i, c := range a.Councils {
			councils[i] = c.Council.String()
		}
		if ps := own(domain.TypeAppointmentEnded, map[string]any{"officer": map[string]string{"name": a.Officer.Name}, "post": a.Post,
			"councils": councils, "last_day": asOf, "reason": "resignation"}); len(ps) == 0 {
			wrong = append(wrong, fmt.Sprintf("the view shows no appointment of %q as %q, but Decide accepts ending it", a.Officer.Name, a.Post))
		}
	}
	return strings.Join(wrong, "\n")
}

// dissolvedShowsNothingShared lists what a view of a dissolved partnership still shows as shared:
// the dissolution ends appointments (and roles), cost shares, shared services and partners.
func dissolvedShowsNothingShared(st *projections.State) []string {
	var wrong []string
	if len(st.Partners) > 0 {
		wrong = append(wrong, fmt.Sprintf("the partnership is dissolved, but the view shows %d partners", len(st.Partners)))
	}
	if len(st.Appointments) > 0 {
		wrong = append(wrong, fmt.Sprintf("the partnership is dissolved, but the view shows %q as %q in force", st.Appointments[0].Officer, st.Appointments[0].Post))
	}
	for _, s := range st.Services {
		if s.Status != projections.ServiceReturned || s.CostShare != nil {
			wrong = append(wrong, fmt.Sprintf("the partnership is dissolved, but the view shows service %q %s (cost share %v)", s.Service, s.Status, s.CostShare != nil))
		}
	}
	return wrong
}

// heldInView reports whether the view shows someone holding role at council.
func heldInView(st *projections.State, council, role string) bool {
	for _, a := range st.Appointments {
		for _, r := range a.Roles {
			if r.Council == council && r.Role == role {
				return true
			}
		}
	}
	return false
}

// inView reports whether the view shows an appointment of the officer in the post (the domain's
// identity of both).
func inView(st *projections.State, officer, post string) bool {
	for _, a := range st.Appointments {
		if a.Post != "" && domain.SameOfficer(a.Officer, officer) && domain.SamePost(a.Post, post) {
			return true
		}
	}
	return false
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
