package projections

import (
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
	eff, _ := parseDay(e.EffectiveOn)
	var payload any
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

// effective applies the corrections and retractions among entries (domain.EffectiveView: the last
// correction wins, a retraction removes its target) and returns the events in effective order.
func effective(entries []entry) []effEvent {
	hist := make([]domain.Recorded, len(entries))
	for i, e := range entries {
		p, _ := e.payload.(domain.Payload)
		t := e.eff.time()
		d, _ := domain.NewDate(t.Year(), t.Month(), t.Day())
		hist[i] = domain.Recorded{ID: e.id, Seq: e.seq, Type: e.typ, Schema: domain.CurrentSchema,
			EffectiveOn: d, Certainty: domain.Certainty(e.certainty), Payload: p}
	}
	view := domain.EffectiveView(hist)
	out := make([]effEvent, len(view))
	for i, r := range view {
		eff, _ := parseDay(r.EffectiveOn.String())
		var payload any
		if r.Payload != nil {
			payload = r.Payload
		}
		out[i] = effEvent{
			entry:     entry{seq: r.Seq, id: r.ID, typ: r.Type, eff: eff, certainty: string(r.Certainty), payload: payload},
			evidence:  Evidence(r.Evidence),
			corrected: r.Corrected(),
		}
	}
	return out
}

// folder builds a State from events in effective order.
type folder struct {
	st        *State
	partners  map[string]int // council → index in st.Partners
	costShare map[string]*CostShare
}

// fold returns the partnership's state after the events (in effect on as_of, in effective order).
// decisionsHint, when positive, is the expected number of decisions (a capacity, not a limit).
func fold(slug string, events iter.Seq[effEvent], decisionsHint int) *State {
	f := &folder{
		st: &State{Partnership: slug, Partners: []Partner{}, Appointments: []Appointment{}, Services: []Service{},
			Savings: Savings{Years: []SavingsYear{}, BelowTarget: []string{}}, Decisions: make([]Decision, 0, decisionsHint),
			Agreements: []Agreement{}, Funding: []Funding{}, Reviews: []ReviewResult{}},
		partners:  map[string]int{},
		costShare: map[string]*CostShare{},
	}
	savings := &savingsBook{}
	for e := range events {
		f.st.EventCount++
		f.apply(e, savings)
	}
	f.finishSavings(savings)
	for i := range f.st.Appointments {
		a := &f.st.Appointments[i]
		if cs, ok := f.costShare[a.Post]; ok {
			a.CostShare = cs
		}
	}
	for i := range f.st.Services {
		s := &f.st.Services[i]
		if cs, ok := f.costShare[s.Service]; ok {
			s.CostShare = cs
		}
	}
	return f.st
}

type savingsKey struct {
	fy      int
	council string
}

func refs(cs []domain.CouncilRef) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.String()
	}
	return out
}

func minute(m domain.MinuteRef) MinuteRef {
	meeting := ""
	if !m.Meeting.IsZero() {
		meeting = m.Meeting.String()
	}
	return MinuteRef{Council: m.Council.String(), Body: m.Body, Meeting: meeting, Item: m.Item, Raw: m.Raw}
}

func dateOr(d domain.Date, fallback string) string {
	if d.IsZero() {
		return fallback
	}
	return d.String()
}

func (f *folder) addPartner(c domain.Council, since string, ev Evidence) {
	key := c.Council.String()
	if _, ok := f.partners[key]; ok {
		return
	}
	f.partners[key] = len(f.st.Partners)
	f.st.Partners = append(f.st.Partners, Partner{Council: key, Name: c.Name, Kind: string(c.Kind), ONSCode: c.ONSCode, Since: since, Evidence: ev})
}

// councilName is a partner's name, or the slug for a council the events never named.
func (f *folder) councilName(slug string) string {
	if i, ok := f.partners[slug]; ok && f.st.Partners[i].Name != "" {
		return f.st.Partners[i].Name
	}
	return slug
}

func (f *folder) removePartner(council string) {
	i, ok := f.partners[council]
	if !ok {
		return
	}
	f.st.Partners = slices.Delete(f.st.Partners, i, i+1)
	clear(f.partners)
	for j, p := range f.st.Partners {
		f.partners[p.Council] = j
	}
}

func (f *folder) setStatus(value, since, reason string, ev Evidence) {
	f.st.Status = Status{Value: value, Since: since, Reason: reason, Evidence: ev}
}

// activate marks a proposed partnership active when something is actually shared.
func (f *folder) activate(since string, ev Evidence) {
	if f.st.Status.Value == "" || f.st.Status.Value == StatusProposed {
		f.setStatus(StatusActive, since, "", ev)
	}
}

func (f *folder) appointment(officer, post string) *Appointment {
	for i := range f.st.Appointments {
		a := &f.st.Appointments[i]
		if a.Officer == officer && (post == "" || a.Post == post) {
			return a
		}
	}
	return nil
}

func (f *folder) service(name string) *Service {
	for i := range f.st.Services {
		if strings.EqualFold(f.st.Services[i].Service, name) {
			return &f.st.Services[i]
		}
	}
	f.st.Services = append(f.st.Services, Service{Service: name})
	return &f.st.Services[len(f.st.Services)-1]
}

func addRole(a *Appointment, council, role, since string, ev Evidence) {
	for _, r := range a.Roles {
		if r.Council == council && r.Role == role {
			return
		}
	}
	a.Roles = append(a.Roles, RoleHeld{Council: council, Role: role, Since: since, Evidence: ev})
}

func (f *folder) apply(e effEvent, savings *savingsBook) {
	on, ev := e.eff.String(), e.evidence
	switch p := e.payload.(type) {
	case domain.PartnershipProposed:
		f.st.Name, f.st.Purpose, f.st.Scope = p.Name, p.Purpose, p.Scope
		for _, c := range p.Partners {
			f.addPartner(c, on, ev)
		}
		f.setStatus(StatusProposed, on, "", ev)
		if !p.TrialEndsOn.IsZero() {
			f.st.TrialPeriod = &TrialPeriod{From: on, To: p.TrialEndsOn.String(), Evidence: ev}
		}
		if !p.ReviewDue.IsZero() && f.st.ReviewDate == nil {
			f.st.ReviewDate = &ReviewDate{DueOn: p.ReviewDue.String(), Evidence: ev}
		}
	case domain.CouncilJoinedPartnership:
		f.addPartner(p.Council, on, ev)
	case domain.WithdrawalNoticeGiven:
		if i, ok := f.partners[p.Council.String()]; ok {
			f.st.Partners[i].Notice = &WithdrawalNotice{GivenOn: on, NoticeDays: p.NoticeDays, ProposedEnd: dateOr(p.ProposedEnd, ""), Evidence: ev}
		}
	case domain.CouncilWithdrew:
		f.removePartner(p.Council.String())
	case domain.DecisionTaken:
		f.st.Decisions = append(f.st.Decisions, Decision{Minute: minute(p.Minute), Resolution: p.Resolution, Outcome: p.Outcome,
			Votes: votes(p.Votes), KeyDecision: p.KeyDecision, CallInApplies: p.CallInApplies, EffectiveOn: on, Evidence: ev})
	case domain.AgreementExecuted:
		f.st.Agreements = append(f.st.Agreements, Agreement{Kind: p.Kind, Parties: refs(p.Parties), Signed: dateOr(p.Signed, ""),
			Commences: dateOr(p.Commences, ""), Ends: dateOr(p.Ends, ""), NoticeDays: p.NoticeDays, ReviewDue: dateOr(p.ReviewDue, ""), Evidence: ev})
		f.activate(on, ev)
	case domain.AgreementVaried:
		for i := range f.st.Agreements {
			a := &f.st.Agreements[i]
			if !p.Ends.IsZero() {
				a.Ends = p.Ends.String()
			}
			if p.NoticeDays > 0 {
				a.NoticeDays = p.NoticeDays
			}
			if !p.ReviewDue.IsZero() {
				a.ReviewDue = p.ReviewDue.String()
			}
			a.Evidence = append(slices.Clone(a.Evidence), ev...)
		}
	case domain.ExternalFundingAwarded:
		f.st.Funding = append(f.st.Funding, Funding{Funder: p.Funder, Recipients: refs(p.Recipients), AmountPence: int64(p.AmountPence), Purpose: p.Purpose, Evidence: ev})
	case domain.JointAppointmentMade:
		a := Appointment{Officer: p.Officer.Name, Post: p.Post, EmployingCouncil: p.EmployingCouncil.String(), Basis: p.Basis,
			Since: dateOr(p.StartsOn, on), Roles: []RoleHeld{}, Evidence: ev}
		for _, c := range p.Councils {
			a.Councils = append(a.Councils, CouncilShare{Council: c.Council.String(), BasisPoints: int(c.TimeShareBasisPoints)})
		}
		for _, m := range p.Approvals {
			a.Approvals = append(a.Approvals, minute(m))
		}
		if p.StatutoryRole != "" {
			for _, c := range a.Councils {
				addRole(&a, c.Council, string(p.StatutoryRole), a.Since, ev)
			}
		}
		f.st.Appointments = append(f.st.Appointments, a)
		f.activate(on, ev)
	case domain.StatutoryRoleDesignated:
		a := f.appointment(p.Officer.Name, "")
		if a == nil {
			f.st.Appointments = append(f.st.Appointments, Appointment{Officer: p.Officer.Name, Since: on, Roles: []RoleHeld{},
				Councils: []CouncilShare{{Council: p.Council.String()}}, Evidence: ev})
			a = &f.st.Appointments[len(f.st.Appointments)-1]
		}
		addRole(a, p.Council.String(), string(p.Role), on, ev)
	case domain.StatutoryRoleVacated:
		if a := f.appointment(p.Officer.Name, ""); a != nil {
			a.Roles = slices.DeleteFunc(slices.Clone(a.Roles), func(r RoleHeld) bool {
				return r.Council == p.Council.String() && r.Role == string(p.Role)
			})
		}
	case domain.AppointmentEnded:
		a := f.appointment(p.Officer.Name, p.Post)
		if a == nil {
			break
		}
		ended := refs(p.Councils)
		a.Councils = slices.DeleteFunc(slices.Clone(a.Councils), func(c CouncilShare) bool { return slices.Contains(ended, c.Council) })
		a.Roles = slices.DeleteFunc(slices.Clone(a.Roles), func(r RoleHeld) bool { return slices.Contains(ended, r.Council) })
		if len(a.Councils) == 0 {
			f.st.Appointments = slices.DeleteFunc(f.st.Appointments, func(x Appointment) bool {
				return x.Officer == p.Officer.Name && x.Post == a.Post && len(x.Councils) == 0
			})
		} else {
			a.Evidence = append(slices.Clone(a.Evidence), ev...)
		}
	case domain.ServiceSharingProposed:
		s := f.service(p.Service)
		if s.Status == "" {
			s.Status, s.Since = ServiceProposed, on
		}
		s.Candidates = refs(p.Candidates)
		s.Evidence = append(slices.Clone(s.Evidence), ev...)
	case domain.ServiceMovedToSharedDelivery:
		s := f.service(p.Service)
		s.Status, s.Since, s.LeadCouncil, s.ReceivingCouncils, s.Agreement = ServiceShared, dateOr(p.From, on), p.LeadCouncil.String(), refs(p.ReceivingCouncils), p.Agreement
		if p.StaffTransferred != nil {
			s.StaffTransferred = *p.StaffTransferred
		}
		s.Evidence = append(slices.Clone(s.Evidence), ev...)
		f.activate(on, ev)
	case domain.ServiceReturnedToSeparateDelivery:
		s := f.service(p.Service)
		s.Status, s.Since = ServiceReturned, on
		s.Evidence = append(slices.Clone(s.Evidence), ev...)
	case domain.CostShareAgreed:
		cs := &CostShare{Basis: p.Basis, AppliesFrom: dateOr(p.AppliesFrom, on), Evidence: ev}
		for _, s := range p.Shares {
			cs.Shares = append(cs.Shares, Share{Council: s.Council.String(), BasisPoints: int(s.BasisPoints)})
		}
		f.costShare[p.Subject] = cs
	case domain.SavingsTargetSet:
		savings.add(int(p.FinancialYear), p.Council.String(), SavingsLine{Kind: "target", Category: p.Category, AmountPence: int64(p.AmountPence), Evidence: ev})
	case domain.SavingsReported:
		savings.add(int(p.FinancialYear), p.Council.String(), SavingsLine{Kind: p.Status, Category: p.Category, AmountPence: int64(p.AmountPence), PeriodTo: dateOr(p.PeriodTo, ""), Evidence: ev})
	case domain.OneOffCostIncurred:
		savings.add(int(p.FinancialYear), p.Council.String(), SavingsLine{Kind: "one_off_cost", Category: p.Category, AmountPence: int64(p.AmountPence), Evidence: ev})
	case domain.ReviewScheduled:
		bodies := make([]string, len(p.Bodies))
		for i, b := range p.Bodies {
			bodies[i] = b.Body + " of " + f.councilName(b.Council.String())
		}
		f.st.ReviewDate = &ReviewDate{DueOn: dateOr(p.DueOn, ""), Bodies: bodies, Terms: p.TermsOfReference, Evidence: ev}
	case domain.ReviewOutcomeRecorded:
		r := ReviewResult{Council: p.Council.String(), Outcome: p.Outcome, Rationale: p.Rationale, On: on, Evidence: ev}
		if p.Minute != nil {
			m := minute(*p.Minute)
			r.Minute = &m
		}
		f.st.Reviews = append(f.st.Reviews, r)
		if f.st.Status.Value == StatusActive {
			f.setStatus(StatusUnderReview, on, "review outcomes are being recorded", ev)
		}
	case domain.PartnershipDissolved:
		f.setStatus(StatusDissolved, on, p.Reason, ev)
	}
}

func votes(v *domain.Votes) string {
	if v == nil {
		return ""
	}
	return fmt.Sprintf("%d for, %d against, %d abstentions", v.For, v.Against, v.Abstentions)
}

// savingsAcc gathers one council's figures for one financial year while folding.
type savingsAcc struct {
	key    savingsKey
	cs     CouncilSavings
	latest []int // the lines holding the latest figure of a kind in a category (few: searched in order)
}

// savingsBook holds the accumulators of one fold: a few councils times a few years, so a list searched
// in order (the last one used first) is cheaper than a map keyed by strings.
type savingsBook struct {
	accs []*savingsAcc
	last *savingsAcc
}

func (b *savingsBook) acc(fy int, council string) *savingsAcc {
	if b.last != nil && b.last.key.fy == fy && b.last.key.council == council {
		return b.last
	}
	for _, a := range b.accs {
		if a.key.fy == fy && a.key.council == council {
			b.last = a
			return a
		}
	}
	a := &savingsAcc{key: savingsKey{fy, council}, cs: CouncilSavings{Council: council}}
	b.accs = append(b.accs, a)
	b.last = a
	return a
}

func (b *savingsBook) add(fy int, council string, line SavingsLine) {
	acc := b.acc(fy, council)
	if line.Kind != "one_off_cost" {
		// The latest figure of a kind in a category replaces the earlier one.
		for _, i := range acc.latest {
			if l := &acc.cs.Lines[i]; l.Kind == line.Kind && l.Category == line.Category {
				*l = line
				return
			}
		}
		acc.latest = append(acc.latest, len(acc.cs.Lines))
	}
	acc.cs.Lines = append(acc.cs.Lines, line)
}

func (f *folder) finishSavings(savings *savingsBook) {
	slices.SortFunc(savings.accs, func(a, b *savingsAcc) int {
		if a.key.fy != b.key.fy {
			return a.key.fy - b.key.fy
		}
		return strings.Compare(a.key.council, b.key.council)
	})
	for _, acc := range savings.accs {
		k, cs := acc.key, &acc.cs
		for _, l := range cs.Lines {
			switch l.Kind {
			case "target":
				cs.TargetPence += l.AmountPence
			case domain.SavingsForecast:
				cs.ForecastPence += l.AmountPence
			case domain.SavingsOutturn:
				cs.OutturnPence += l.AmountPence
				cs.HasOutturn = true
			case "one_off_cost":
				cs.OneOffCostsPence += l.AmountPence
			}
			cs.Evidence = append(cs.Evidence, l.Evidence...)
		}
		gross := cs.ForecastPence
		if cs.HasOutturn {
			gross = cs.OutturnPence
		}
		cs.NetPence = gross - cs.OneOffCostsPence
		cs.AgainstTargetPence = cs.NetPence - cs.TargetPence
		cs.BelowTarget = cs.TargetPence > 0 && cs.NetPence < cs.TargetPence
		fyLabel := domain.FinancialYear(k.fy).String()
		if cs.BelowTarget {
			f.st.Savings.BelowTarget = append(f.st.Savings.BelowTarget, k.council+" "+fyLabel)
		}
		years := &f.st.Savings.Years
		if n := len(*years); n == 0 || (*years)[n-1].FinancialYear != k.fy {
			*years = append(*years, SavingsYear{FinancialYear: k.fy, Label: fyLabel})
		}
		y := &(*years)[len(*years)-1]
		y.Councils = append(y.Councils, *cs)
	}
}

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
