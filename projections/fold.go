package projections

import (
	"fmt"
	"iter"
	"sync"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/words"
	"github.com/partnership-ledger/ledger/eventstore"
)

// decodeEntry keeps what the read models need of an event: its payload decoded once, without the
// envelope's JSON. A payload this build cannot decode is kept as nil (the event still counts).
func decodeEntry(e eventstore.Event) entry {
	eff, _ := domain.ParseDate(e.EffectiveOn)
	var payload domain.Payload
	if p, err := domain.DecodeStoredPayload(e.Type, e.Schema, e.Data); err == nil {
		payload = p
	}
	return entry{seq: e.Seq, id: e.ID, typ: intern(e.Type), eff: eff, certainty: intern(e.Certainty), payload: payload}
}

// interned holds the event types and certainties: entries share these strings instead of keeping one
// copy each, which leaves a million fewer objects for the garbage collector to walk per million events.
var interned = func() map[string]string {
	m := map[string]string{}
	for _, s := range append(domain.EventTypes(), string(domain.Confirmed), string(domain.Reported), string(domain.Inferred)) {
		m[s] = s
	}
	return m
}()

func intern(s string) string {
	if v, ok := interned[s]; ok {
		return v
	}
	return s
}

func isCorrection(typ string) bool {
	return typ == domain.TypeEventCorrected || typ == domain.TypeEventRetracted
}

// recorded is an entry as the domain reads it.
func (e entry) recorded() domain.Recorded {
	return domain.Recorded{ID: e.id, Seq: e.seq, Type: e.typ, Schema: domain.CurrentSchema,
		EffectiveOn: e.eff, Sources: e.sources, Certainty: domain.Certainty(e.certainty), Payload: e.payload}
}

// effective applies the corrections and retractions among entries (domain.EffectiveView: the last
// correction wins, a retraction removes its target) and returns the events in effective order.
func effective(entries []entry) []effEvent {
	hist := make([]domain.Recorded, len(entries))
	for i, e := range entries {
		hist[i] = e.recorded()
	}
	view := domain.EffectiveView(hist)
	out := make([]effEvent, len(view))
	for i, r := range view {
		out[i] = effEvent{
			entry: entry{seq: r.Seq, id: r.ID, typ: r.Type, eff: r.EffectiveOn, certainty: string(r.Certainty), sources: r.Sources,
				payload: r.Payload},
			evidence:  Evidence(r.Evidence),
			corrected: r.Corrected(),
		}
	}
	return out
}

// fold returns the partnership's state as of asOf after the events (those in effect on asOf, in
// effective order): the domain's fold (domain.State) advanced to asOf (fixed terms ended before it
// lapse: domain.State.AdvanceTo), mapped to the view. decisionsHint, when positive, is the expected
// number of decisions (a capacity, not a limit). The view shares the pieces r holds that are the
// same (reuse).
func fold(slug string, events iter.Seq[effEvent], decisionsHint int, asOf domain.Date, r *reuse) *State {
	s := states.Get().(*domain.State)
	defer states.Put(s)
	s.Reset()
	if cap(s.Decisions) < decisionsHint {
		s.Decisions = make([]domain.Decision, 0, decisionsHint)
	}
	var eff domain.Effective // one value, its fields set per event: cheaper than a new one each time
	eff.Schema = domain.CurrentSchema
	for e := range events {
		eff.ID, eff.Seq, eff.Type, eff.EffectiveOn, eff.Certainty = e.id, e.seq, e.typ, e.eff, domain.Certainty(e.certainty)
		eff.Sources, eff.Payload, eff.Evidence = e.sources, e.payload, e.evidence
		s.Apply(eff)
	}
	s.AdvanceTo(asOf)
	return view(slug, s, r)
}

// states keeps domain states between folds: a query folds one and maps it to a view that shares
// none of its lists, so the next query can fold into the same memory (domain.State.Reset).
var states = sync.Pool{New: func() any { return domain.NewState() }}

// view maps the domain's facts to the read model: the same facts, in the view's shapes. The
// decision register, the savings and the councils' names come from r where an earlier view of the
// partnership built them from the same facts.
func view(slug string, s *domain.State, r *reuse) *State {
	st := &State{Partnership: slug, Name: s.Name, Purpose: s.Purpose, Scope: s.Scope,
		Partners: make([]Partner, len(s.Partners)), Appointments: make([]Appointment, len(s.Appointments)),
		Services: make([]Service, len(s.Services)), Decisions: r.decisionsView(s.Decisions),
		Agreements: make([]Agreement, len(s.Agreements)), Funding: make([]Funding, len(s.Funding)),
		Reviews: make([]ReviewResult, len(s.Outcomes)), EventCount: s.EventCount, Councils: r.namesView(s.Named)}
	for i := range s.Partners {
		st.Partners[i] = partner(&s.Partners[i])
	}
	if len(s.Former) > 0 {
		st.Former = make([]Partner, len(s.Former))
		for i := range s.Former {
			st.Former[i] = partner(&s.Former[i])
		}
	}
	st.Status = Status{Value: s.Status.Value, Since: s.Status.Since, Reason: s.Status.Reason, Evidence: s.Status.Evidence}
	if st.Status.Evidence == nil {
		st.Status.Evidence = Evidence{} // [] in JSON, as the document says, not null: nothing in effect yet on as_of
	}
	if t := s.Trial; t != nil {
		st.TrialPeriod = &TrialPeriod{From: t.From, To: t.To, Evidence: t.Evidence}
	}
	if r := s.ReviewDue; r != nil {
		rd := &ReviewDate{DueOn: r.DueOn, Terms: r.Terms, Evidence: r.Evidence, Review: r.Review, BodyRefs: append([]domain.BodyRef(nil), r.Bodies...)}
		if len(r.Bodies) > 0 {
			rd.Bodies = make([]string, len(r.Bodies))
			for i, b := range r.Bodies {
				rd.Bodies[i] = b.Body + " of " + councilName(s, b.Council)
			}
		}
		st.ReviewDate = rd
	}
	for i := range s.Appointments {
		a := &s.Appointments[i]
		st.Appointments[i] = appointment(s, a, s.RolesOf(a))
	}
	windDown(st, s)
	for i, sv := range s.Services {
		v := Service{Service: sv.Service, Status: sv.Status, LeadCouncil: sv.LeadCouncil.String(), ReceivingCouncils: refs(sv.ReceivingCouncils),
			Since: sv.Since, Candidates: refs(sv.Candidates), Agreement: sv.Agreement, Evidence: sv.Evidence,
			CostShare: costShare(s, sv.Service)}
		if sv.StaffTransferred != nil {
			v.StaffTransferred = *sv.StaffTransferred
		}
		st.Services[i] = v
	}
	st.Savings = r.savingsView(s.Accounts)
	for i, a := range s.Agreements {
		st.Agreements[i] = Agreement{Kind: a.Kind, Parties: refs(a.Parties), Signed: a.Signed, Commences: a.Commences, Ends: a.Ends,
			NoticeDays: a.NoticeDays, ReviewDue: a.ReviewDue, Evidence: a.Evidence}
	}
	for i, f := range s.Funding {
		st.Funding[i] = Funding{Funder: f.Funder, Recipients: refs(f.Recipients), AmountPence: f.AmountPence, Purpose: f.Purpose, Evidence: f.Evidence}
	}
	for i, o := range s.Outcomes {
		r := ReviewResult{Council: o.Council.String(), Outcome: o.Outcome, Rationale: o.Rationale, On: o.On, Evidence: o.Evidence, Review: o.Review}
		if o.Minute != nil {
			m := minute(*o.Minute)
			r.Minute = &m
		}
		st.Reviews[i] = r
	}
	return st
}

// appointment maps an appointment and the roles it carries to the view.
func appointment(s *domain.State, a *domain.Appointment, roles []domain.Designation) Appointment {
	v := Appointment{Officer: a.Officer.Name, Post: a.Post, EmployingCouncil: a.EmployingCouncil.String(), Basis: a.Basis,
		Since: a.StartsOn, EndsOn: a.EndsOn, Councils: make([]CouncilShare, len(a.Councils)), Roles: make([]RoleHeld, len(roles)),
		Evidence: a.Evidence}
	for j, c := range a.Councils {
		v.Councils[j] = CouncilShare{Council: c.Council.String(), BasisPoints: c.TimeShareBasisPoints, LastDay: a.LastDayAt(c.Council)}
	}
	for j, r := range roles {
		v.Roles[j] = RoleHeld{Council: r.Council.String(), Role: string(r.Role), Since: r.Since, Evidence: r.Evidence}
	}
	if len(a.Approvals) > 0 {
		v.Approvals = make([]MinuteRef, len(a.Approvals))
		for j, m := range a.Approvals {
			v.Approvals[j] = minute(m)
		}
	}
	if a.Post != "" {
		v.CostShare = costShare(s, a.Post)
	}
	return v
}

// windDown maps the domain's wind-down facts: the vacant statutory roles, what the dissolution
// ended, and the reviews whose councils recorded different outcomes.
func windDown(st *State, s *domain.State) {
	for _, v := range s.Vacancies {
		st.Vacancies = append(st.Vacancies, Vacancy{Council: v.Council.String(), Role: string(v.Role), Since: v.Since,
			Officer: v.Officer.Name, Post: v.Post, Evidence: v.Evidence})
	}
	if d := s.Dissolution; d != nil {
		dv := &Dissolution{On: d.On, Reason: d.Reason, Partners: refs(d.Partners), Services: d.Services, Evidence: d.Evidence}
		for i := range d.Appointments {
			a := &d.Appointments[i]
			var roles []domain.Designation
			for _, r := range d.Roles {
				if domain.SameOfficer(r.Officer.Name, a.Officer.Name) && r.Post != "" && domain.SamePost(r.Post, a.Post) {
					roles = append(roles, r)
				}
			}
			v := appointment(s, a, roles)
			v.CostShare = nil // the cost shares it ended are in CostShares
			dv.Appointments = append(dv.Appointments, v)
		}
		for _, c := range d.CostShares {
			cs := EndedCostShare{Subject: c.Subject, CostShare: CostShare{Basis: c.Basis, AppliesFrom: c.AppliesFrom, Shares: make([]Share, len(c.Shares)), Evidence: c.Evidence}}
			for i, sh := range c.Shares {
				cs.Shares[i] = Share{Council: sh.Council.String(), BasisPoints: sh.BasisPoints}
			}
			dv.CostShares = append(dv.CostShares, cs)
		}
		st.Dissolution = dv
	}
	for _, c := range s.OutcomeConflicts() {
		oc := OutcomeConflict{Review: c.Review}
		for _, o := range c.Outcomes {
			r := ReviewResult{Council: o.Council.String(), Outcome: o.Outcome, Rationale: o.Rationale, On: o.On, Evidence: o.Evidence, Review: o.Review}
			if o.Minute != nil {
				m := minute(*o.Minute)
				r.Minute = &m
			}
			oc.Outcomes = append(oc.Outcomes, r)
		}
		st.OutcomeConflicts = append(st.OutcomeConflicts, oc)
	}
}

func partner(p *domain.Partner) Partner {
	v := Partner{Council: p.Council.Council.String(), Name: p.Council.Name, Kind: string(p.Council.Kind),
		ONSCode: p.Council.ONSCode, Since: p.Since, Until: p.Until, Evidence: p.Evidence}
	if p.Approval != nil {
		m := minute(*p.Approval)
		v.ApprovedBy = &m
	}
	if n := p.Notice; n != nil {
		v.Notice = &WithdrawalNotice{GivenOn: n.GivenOn, NoticeDays: n.NoticeDays, ProposedEnd: n.ProposedEnd, Evidence: n.Evidence}
	}
	return v
}

// councilName is a council's name as the partnership named it, or its slug.
func councilName(s *domain.State, c domain.CouncilRef) string {
	if n, ok := s.CouncilNamed(c); ok && n.Name != "" {
		return n.Name
	}
	return c.String()
}

// costShare is the view of the subject's cost share, or nil.
func costShare(s *domain.State, subject string) *CostShare {
	c, ok := s.CostShareOf(subject)
	if !ok {
		return nil
	}
	cs := &CostShare{Basis: c.Basis, AppliesFrom: c.AppliesFrom, Shares: make([]Share, len(c.Shares)), Evidence: c.Evidence}
	for i, sh := range c.Shares {
		cs.Shares[i] = Share{Council: sh.Council.String(), BasisPoints: sh.BasisPoints}
	}
	return cs
}

func refs(cs []domain.CouncilRef) []string {
	if cs == nil {
		return nil
	}
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.String()
	}
	return out
}

func minute(m domain.MinuteRef) MinuteRef {
	return MinuteRef{Council: m.Council.String(), Body: m.Body, Meeting: m.Meeting, Item: m.Item, Raw: m.Raw}
}

func votes(v *domain.Votes) string {
	if v == nil {
		return ""
	}
	return fmt.Sprintf("%d for, %d against, %d abstentions", v.For, v.Against, v.Abstentions)
}

func pence(p domain.Pence) *domain.Pence { return &p }

// describe is the one line a councillor reads for an event on the timeline (words.Event).
func describe(e effEvent, names words.Names) string {
	return words.Event(e.typ, e.payload, names)
}
