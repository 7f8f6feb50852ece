package projections

import (
	"cmp"
	"fmt"
	"iter"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/partnership-ledger/ledger/domain"
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
		EffectiveOn: e.eff, Certainty: domain.Certainty(e.certainty), Payload: e.payload}
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
			entry:     entry{seq: r.Seq, id: r.ID, typ: r.Type, eff: r.EffectiveOn, certainty: string(r.Certainty), payload: r.Payload},
			evidence:  Evidence(r.Evidence),
			corrected: r.Corrected(),
		}
	}
	return out
}

// fold returns the partnership's state after the events (in effect on as_of, in effective order):
// the domain's fold (domain.State), mapped to the view. decisionsHint, when positive, is the expected
// number of decisions (a capacity, not a limit).
func fold(slug string, events iter.Seq[effEvent], decisionsHint int) *State {
	s := domain.NewState()
	s.Decisions = make([]domain.Decision, 0, decisionsHint)
	for e := range events {
		s.Apply(domain.Effective{Recorded: e.recorded(), Evidence: e.evidence})
	}
	return view(slug, s)
}

// view maps the domain's facts to the read model: the same facts, in the view's shapes.
func view(slug string, s *domain.State) *State {
	st := &State{Partnership: slug, Name: s.Name, Purpose: s.Purpose, Scope: s.Scope,
		Partners: make([]Partner, len(s.Partners)), Appointments: make([]Appointment, len(s.Appointments)),
		Services: make([]Service, len(s.Services)), Decisions: make([]Decision, len(s.Decisions)),
		Agreements: make([]Agreement, len(s.Agreements)), Funding: make([]Funding, len(s.Funding)),
		Reviews: make([]ReviewResult, len(s.Outcomes)), EventCount: s.EventCount}
	for i, p := range s.Partners {
		st.Partners[i] = Partner{Council: p.Council.Council.String(), Name: p.Council.Name, Kind: string(p.Council.Kind),
			ONSCode: p.Council.ONSCode, Since: p.Since, Evidence: p.Evidence}
		if n := p.Notice; n != nil {
			st.Partners[i].Notice = &WithdrawalNotice{GivenOn: n.GivenOn, NoticeDays: n.NoticeDays, ProposedEnd: n.ProposedEnd, Evidence: n.Evidence}
		}
	}
	st.Status = Status{Value: s.Status.Value, Since: s.Status.Since, Reason: s.Status.Reason, Evidence: s.Status.Evidence}
	if t := s.Trial; t != nil {
		st.TrialPeriod = &TrialPeriod{From: t.From, To: t.To, Evidence: t.Evidence}
	}
	if r := s.ReviewDue; r != nil {
		rd := &ReviewDate{DueOn: r.DueOn, Terms: r.Terms, Evidence: r.Evidence}
		if len(r.Bodies) > 0 {
			rd.Bodies = make([]string, len(r.Bodies))
			for i, b := range r.Bodies {
				rd.Bodies[i] = b.Body + " of " + councilName(s, b.Council)
			}
		}
		st.ReviewDate = rd
	}
	for i, a := range s.Appointments {
		v := Appointment{Officer: a.Officer.Name, Post: a.Post, EmployingCouncil: a.EmployingCouncil.String(), Basis: a.Basis,
			Since: a.StartsOn, Councils: make([]CouncilShare, len(a.Councils)), Roles: make([]RoleHeld, len(a.Roles)), Evidence: a.Evidence}
		for j, c := range a.Councils {
			v.Councils[j] = CouncilShare{Council: c.Council.String(), BasisPoints: c.TimeShareBasisPoints}
		}
		for j, r := range a.Roles {
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
		st.Appointments[i] = v
	}
	for i, sv := range s.Services {
		v := Service{Service: sv.Service, Status: sv.Status, LeadCouncil: sv.LeadCouncil.String(), ReceivingCouncils: refs(sv.ReceivingCouncils),
			Since: sv.Since, Candidates: refs(sv.Candidates), Agreement: sv.Agreement, Evidence: sv.Evidence,
			CostShare: costShare(s, sv.Service)}
		if sv.StaffTransferred != nil {
			v.StaffTransferred = *sv.StaffTransferred
		}
		st.Services[i] = v
	}
	st.Savings = savings(s.Accounts)
	for i, d := range s.Decisions {
		st.Decisions[i] = Decision{Minute: minute(d.Minute), Resolution: d.Resolution, Outcome: d.Outcome, Votes: votes(d.Votes),
			KeyDecision: d.KeyDecision, CallInApplies: d.CallInApplies, EffectiveOn: d.EffectiveOn, Evidence: d.Evidence}
	}
	for i, a := range s.Agreements {
		st.Agreements[i] = Agreement{Kind: a.Kind, Parties: refs(a.Parties), Signed: a.Signed, Commences: a.Commences, Ends: a.Ends,
			NoticeDays: a.NoticeDays, ReviewDue: a.ReviewDue, Evidence: a.Evidence}
	}
	for i, f := range s.Funding {
		st.Funding[i] = Funding{Funder: f.Funder, Recipients: refs(f.Recipients), AmountPence: f.AmountPence, Purpose: f.Purpose, Evidence: f.Evidence}
	}
	for i, o := range s.Outcomes {
		r := ReviewResult{Council: o.Council.String(), Outcome: o.Outcome, Rationale: o.Rationale, On: o.On, Evidence: o.Evidence}
		if o.Minute != nil {
			m := minute(*o.Minute)
			r.Minute = &m
		}
		st.Reviews[i] = r
	}
	return st
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

// savings maps the accounts, by financial year then council.
func savings(accounts []domain.Account) Savings {
	out := Savings{Years: []SavingsYear{}, BelowTarget: []string{}}
	order := make([]int, len(accounts))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		x, y := &accounts[a], &accounts[b]
		if c := cmp.Compare(x.FinancialYear, y.FinancialYear); c != 0 {
			return c
		}
		return strings.Compare(x.Council.String(), y.Council.String())
	})
	for _, i := range order {
		a := &accounts[i]
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
		label := a.FinancialYear.String()
		if cs.BelowTarget {
			out.BelowTarget = append(out.BelowTarget, cs.Council+" "+label)
		}
		if n := len(out.Years); n == 0 || out.Years[n-1].FinancialYear != a.FinancialYear {
			out.Years = append(out.Years, SavingsYear{FinancialYear: a.FinancialYear, Label: label})
		}
		y := &out.Years[len(out.Years)-1]
		y.Councils = append(y.Councils, cs)
	}
	return out
}

func pence(p domain.Pence) *domain.Pence { return &p }

// describe is the one line a councillor reads for an event on the timeline. names gives councils'
// names by slug (the slug stands in for a council the partnership's events never named).
func describe(e effEvent, names map[string]string) string {
	council := func(c domain.CouncilRef) string {
		if n := names[c.String()]; n != "" {
			return n
		}
		return c.String()
	}
	councils := func(cs []domain.CouncilRef) string {
		out := make([]string, len(cs))
		for i, c := range cs {
			out[i] = council(c)
		}
		return JoinAnd(out)
	}
	switch p := e.payload.(type) {
	case domain.PartnershipProposed:
		return fmt.Sprintf("Partnership proposed: %s (%d councils)", p.Name, len(p.Partners))
	case domain.CouncilJoinedPartnership:
		return fmt.Sprintf("%s joined the partnership", nameOf(p.Council))
	case domain.WithdrawalNoticeGiven:
		return fmt.Sprintf("%s gave %d days' notice of withdrawal", council(p.Council), p.NoticeDays)
	case domain.CouncilWithdrew:
		return fmt.Sprintf("%s withdrew: %s", council(p.Council), p.Reason)
	case domain.ExternalFundingAwarded:
		return fmt.Sprintf("%s awarded %s to %s", p.Funder, p.AmountPence.String(), councils(p.Recipients))
	case domain.BusinessCasePublished:
		return "Business case published: “" + p.Document + "”"
	case domain.DecisionTaken:
		return fmt.Sprintf("%s (%s, %s): %s", orText(p.Minute.Raw, p.Minute.Body), council(p.Minute.Council), p.Outcome, p.Resolution)
	case domain.AgreementExecuted:
		return fmt.Sprintf("Agreement signed (%s): %s", Words(p.Kind), p.Title)
	case domain.AgreementVaried:
		return fmt.Sprintf("Agreement %s varied: %s", p.Reference, p.Variation)
	case domain.JointAppointmentMade:
		cs := make([]domain.CouncilRef, len(p.Councils))
		for i, c := range p.Councils {
			cs[i] = c.Council
		}
		return fmt.Sprintf("%s appointed %s for %s, %s", p.Officer.Name, PostWords(p.Post, string(p.StatutoryRole)), councils(cs), p.Basis)
	case domain.StatutoryRoleDesignated:
		return fmt.Sprintf("%s designated %s at %s", p.Officer.Name, RoleWords(string(p.Role)), council(p.Council))
	case domain.StatutoryRoleVacated:
		return fmt.Sprintf("%s no longer %s at %s", p.Officer.Name, RoleWords(string(p.Role)), council(p.Council))
	case domain.AppointmentEnded:
		return fmt.Sprintf("%s's appointment as %s ended for %s (%s)", p.Officer.Name, Words(p.Post), councils(p.Councils), p.Reason)
	case domain.ServiceSharingProposed:
		return fmt.Sprintf("Sharing %s proposed between %s", Words(p.Service), councils(p.Candidates))
	case domain.ServiceMovedToSharedDelivery:
		return fmt.Sprintf("%s moved to shared delivery led by %s", upperFirst(Words(p.Service)), council(p.LeadCouncil))
	case domain.ServiceReturnedToSeparateDelivery:
		return fmt.Sprintf("%s returned to separate delivery", upperFirst(Words(p.Service)))
	case domain.CostShareAgreed:
		parts := make([]string, len(p.Shares))
		for i, s := range p.Shares {
			parts[i] = fmt.Sprintf("%s %s", council(s.Council), s.BasisPoints)
		}
		return fmt.Sprintf("Cost of %s shared (%s basis): %s", Words(p.Subject), Words(p.Basis), strings.Join(parts, ", "))
	case domain.SavingsTargetSet:
		return fmt.Sprintf("Savings target for %s in %s: %s (%s)", council(p.Council), p.FinancialYear, p.AmountPence.String(), p.Category)
	case domain.SavingsReported:
		return fmt.Sprintf("Savings %s for %s in %s: %s (%s)", p.Status, council(p.Council), p.FinancialYear, p.AmountPence.String(), p.Category)
	case domain.OneOffCostIncurred:
		return fmt.Sprintf("One-off cost at %s in %s: %s (%s)", council(p.Council), p.FinancialYear, p.AmountPence.String(), p.Category)
	case domain.ReviewScheduled:
		bodies := make([]string, len(p.Bodies))
		for i, b := range p.Bodies {
			bodies[i] = b.Body + " of " + council(b.Council)
		}
		if len(bodies) == 0 {
			return fmt.Sprintf("Review scheduled, due %s", p.DueOn)
		}
		return fmt.Sprintf("Review scheduled, due %s, for the %s", p.DueOn, JoinAnd(bodies))
	case domain.ExternalReviewCommissioned:
		return fmt.Sprintf("External review commissioned from %s: %s", p.Reviewer, p.Scope)
	case domain.ReviewOutcomeRecorded:
		return fmt.Sprintf("%s review outcome: %s", council(p.Council), Words(p.Outcome))
	case domain.PartnershipDissolved:
		return "Partnership dissolved: " + p.Reason
	}
	return e.typ
}

// JoinAnd joins words as a list in English: "a", "a and b", "a, b and c".
func JoinAnd(words []string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

func nameOf(c domain.Council) string {
	if c.Name != "" {
		return c.Name
	}
	return c.Council.String()
}

func orText(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
