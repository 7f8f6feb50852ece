package domain

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/google/uuid"
)

// The invariants of docs/domain.md over a timeline: the State's fold (state.go) with every event
// checked against the state before it. The rules read the same facts the read models show, so what
// Decide accepts and what a view shows cannot disagree about who holds a post.

// violation is a rule broken by one event of the timeline.
type violation struct {
	id    uuid.UUID
	typ   string
	eff   Date
	field string
	msg   string
}

func (v violation) key() string { return v.id.String() + "|" + v.field + "|" + v.msg }

// checker is what the write side keeps beside a State: indexes the rules need and the read models do
// not, and the violations found.
type checker struct {
	proposedBy uuid.UUID
	decisions  map[string]decisionAt // by MinuteRef.Key: the first decision recorded with that minute
	money      int64                 // the sum of the magnitudes of every amount folded, capped just above MaxMoneyPence

	cur Effective
	out []violation
}

type decisionAt struct {
	d  DecisionTaken
	id uuid.UUID
}

// newCheckedState returns an empty state whose Apply checks every event against the state before it.
func newCheckedState() *State {
	s := NewState()
	s.checker = &checker{decisions: map[string]decisionAt{}}
	return s
}

// checkTimeline applies events (an effective view) in order and returns every violation.
func checkTimeline(events []Effective) []violation {
	s := newCheckedState()
	for _, e := range events {
		s.Apply(e)
	}
	return s.checker.out
}

// checkNext returns the violations of e as the next event after the state, without applying it.
func (s *State) checkNext(e Effective) []violation {
	c := s.checker
	saved := c.out
	c.out = nil
	s.check(e)
	out := c.out
	c.out = saved
	return out
}

// note keeps the checker's indexes up to date with e, as the state applies it.
func (c *checker) note(e *Effective) {
	switch p := e.Payload.(type) {
	case PartnershipProposed:
		if c.proposedBy == uuid.Nil {
			c.proposedBy = e.ID
		}
	case DecisionTaken:
		k := p.Minute.Key()
		if _, ok := c.decisions[k]; !ok {
			c.decisions[k] = decisionAt{p, e.ID}
		}
	}
	if sum := moneyOf(e.Payload); sum > 0 {
		c.money = min(c.money+sum, MaxMoneyPence+1)
	}
}

func (s *State) bad(field, format string, args ...any) {
	c := s.checker
	c.out = append(c.out, violation{id: c.cur.ID, typ: c.cur.Type, eff: c.cur.EffectiveOn, field: field,
		msg: fmt.Sprintf(format, args...)})
}

// windDown lists the types that may still be recorded after the partnership is dissolved. The
// dissolution itself ended the appointments, statutory roles, cost shares and shared services
// (State.dissolve), so there is nothing left to end: what may follow is the money still to be
// counted, the councils' review outcomes and their decisions.
func windDown(typ string) bool {
	switch typ {
	case TypeSavingsReported, TypeOneOffCostIncurred, TypeReviewOutcomeRecorded, TypeDecisionTaken:
		return true
	}
	return false
}

// active checks that c is an active partner on the current event's effective date (invariant 1);
// after the dissolution (a wind-down event), that it was a partner when the partnership was dissolved.
func (s *State) active(field string, c CouncilRef) bool {
	if c.IsZero() {
		return false
	}
	if !s.DissolvedOn.IsZero() {
		if !s.WasPartnerAtDissolution(c) {
			s.bad(field, "council %s was not a partner when the partnership was dissolved on %s", c, s.DissolvedOn)
			return false
		}
		return true
	}
	if s.partner(c) < 0 {
		s.bad(field, "council %s is not an active partner on %s", c, s.checker.cur.EffectiveOn)
		return false
	}
	return true
}

// approvals checks minute refs cited as approvals or authority (invariant 5).
func (s *State) approvals(field string, ms []MinuteRef) {
	for i, m := range ms {
		d, ok := s.checker.decisions[m.Key()]
		switch {
		case !ok:
			s.bad(fmt.Sprintf("%s/%d", field, i), "cites %q, but no DecisionTaken with that minute (%s, %s, %s, item %q) is recorded on or before %s",
				m.Raw, m.Council, m.Body, m.Meeting, m.Item, s.checker.cur.EffectiveOn)
		case d.d.Outcome != OutcomeApproved:
			s.bad(fmt.Sprintf("%s/%d", field, i), "cites %q, but that decision's outcome is %s, not approved", m.Raw, d.d.Outcome)
		}
	}
}

// check adds the violations of e, the next event, against the state before it. It reads the state
// and changes nothing but the checker's list of violations.
func (s *State) check(e Effective) {
	s.checker.cur = e
	if e.Type == TypeDecisionTaken {
		if d, ok := e.Payload.(DecisionTaken); ok {
			s.checkDecision(d)
		}
		return
	}
	if !s.Proposed && e.Type != TypePartnershipProposed {
		s.bad("/effective_on", "the partnership has not been proposed on %s; record PartnershipProposed first, effective on or before this date", e.EffectiveOn)
		return
	}
	if !s.DissolvedOn.IsZero() && !windDown(e.Type) {
		s.bad("/effective_on", "the partnership was dissolved on %s, which ended its shared appointments, statutory roles, cost shares and shared services; after it only savings, one-off costs, review outcomes and decisions may be recorded", s.DissolvedOn)
		return
	}
	s.checkMoney(e.Payload)
	switch p := e.Payload.(type) {
	case PartnershipProposed:
		if s.Proposed {
			s.bad("/type", "the partnership was already proposed (event %s)", s.checker.proposedBy)
			return
		}
		if !p.TrialEndsOn.IsZero() && p.TrialEndsOn.Before(e.EffectiveOn) {
			s.bad("/data/trial_ends_on", "%s is before the partnership is proposed (%s)", p.TrialEndsOn, e.EffectiveOn)
		}
	case CouncilJoinedPartnership:
		if s.partner(p.Council.Council) >= 0 {
			s.bad("/data/council/council", "council %s is already an active partner", p.Council.Council)
		}
		s.approvals("/data/authorised_by", p.AuthorisedBy)
	case WithdrawalNoticeGiven:
		if !s.active("/data/council", p.Council) {
			return
		}
		if !p.ProposedEnd.IsZero() && p.ProposedEnd.Before(e.EffectiveOn.AddDays(p.NoticeDays)) {
			s.bad("/data/proposed_end", "%s is before the %d days' notice given on %s runs out (%s)",
				p.ProposedEnd, p.NoticeDays, e.EffectiveOn, e.EffectiveOn.AddDays(p.NoticeDays))
		}
		s.approvals("/data/authorised_by", p.AuthorisedBy)
	case CouncilWithdrew:
		if !s.active("/data/council", p.Council) {
			return
		}
		if len(s.Partners) <= 2 {
			s.bad("/data/council", "withdrawing %s would leave fewer than two partners; record PartnershipDissolved instead", p.Council)
		}
		if len(p.AuthorisedBy) > 0 {
			s.approvals("/data/authorised_by", p.AuthorisedBy)
		} else if n := s.Partners[s.partner(p.Council)].Notice; n == nil {
			s.bad("/data/authorised_by", "%s gave no notice of withdrawal before %s; record WithdrawalNoticeGiven, or cite a decision to withdraw by mutual agreement", p.Council, e.EffectiveOn)
		} else if end := n.GivenOn.AddDays(n.NoticeDays); e.EffectiveOn.Before(end) {
			s.bad("/effective_on", "%s is before the %d days' notice given on %s runs out (%s), and no decision by mutual agreement is cited",
				e.EffectiveOn, n.NoticeDays, n.GivenOn, end)
		}
	case ExternalFundingAwarded:
		for i, c := range p.Recipients {
			s.active(fmt.Sprintf("/data/recipients/%d", i), c)
		}
	case BusinessCasePublished:
		for i, a := range p.ProjectedSavings {
			s.active(fmt.Sprintf("/data/projected_savings/%d/council", i), a.Council)
		}
		for i, a := range p.OneOffCosts {
			s.active(fmt.Sprintf("/data/one_off_costs/%d/council", i), a.Council)
		}
	case AgreementExecuted:
		for i, c := range p.Parties {
			s.active(fmt.Sprintf("/data/parties/%d", i), c)
		}
		if s.agreement(p.Reference) >= 0 {
			s.bad("/data/reference", "an agreement %q is already recorded; use AgreementVaried to change it", p.Reference)
		}
		s.approvals("/data/authorised_by", p.AuthorisedBy)
	case AgreementVaried:
		if i := s.agreement(p.Reference); i < 0 {
			s.bad("/data/reference", "no agreement %q is recorded on or before %s", p.Reference, e.EffectiveOn)
		} else if commences := s.Agreements[i].Commences; !p.Ends.IsZero() && p.Ends.Before(commences) {
			s.bad("/data/ends", "%s is before the agreement commences (%s)", p.Ends, commences)
		}
		s.approvals("/data/authorised_by", p.AuthorisedBy)
	case JointAppointmentMade:
		s.checkAppointment(p)
	case StatutoryRoleDesignated:
		s.checkDesignation(p)
	case StatutoryRoleVacated:
		held, key := "", ""
		if j := s.designation(p.Council, p.Role); j >= 0 {
			held, key = s.Designations[j].Officer.Name, s.Designations[j].key
		}
		if held == "" || key != officerKey(p.Officer.Name) {
			if held == "" {
				s.bad("/data/officer/name", "no one holds %s at %s on %s", p.Role, p.Council, e.EffectiveOn)
			} else {
				s.bad("/data/officer/name", "%s at %s is held by %s, not %s", p.Role, p.Council, held, p.Officer.Name)
			}
		}
	case AppointmentEnded:
		s.checkEnd(p)
	case ServiceSharingProposed:
		for i, c := range p.Candidates {
			s.active(fmt.Sprintf("/data/candidates/%d", i), c)
		}
	case ServiceMovedToSharedDelivery:
		if !p.From.IsZero() && p.From != e.EffectiveOn {
			s.bad("/data/from", "%s differs from the event's effective_on (%s); they must be the same date", p.From, e.EffectiveOn)
		}
		s.active("/data/lead_council", p.LeadCouncil)
		for i, c := range p.ReceivingCouncils {
			s.active(fmt.Sprintf("/data/receiving_councils/%d", i), c)
		}
		if s.shared(p.Service) {
			s.bad("/data/service", "%s is already in shared delivery on %s", p.Service, e.EffectiveOn)
		}
	case ServiceReturnedToSeparateDelivery:
		if !s.shared(p.Service) {
			s.bad("/data/service", "%s is not in shared delivery on %s", p.Service, e.EffectiveOn)
		}
	case CostShareAgreed:
		if !p.AppliesFrom.IsZero() && p.AppliesFrom != e.EffectiveOn {
			s.bad("/data/applies_from", "%s differs from the event's effective_on (%s); they must be the same date", p.AppliesFrom, e.EffectiveOn)
		}
		for i, sh := range p.Shares {
			s.active(fmt.Sprintf("/data/shares/%d/council", i), sh.Council)
		}
	case SavingsTargetSet:
		s.active("/data/council", p.Council)
	case SavingsReported:
		s.active("/data/council", p.Council)
		if p.Status == SavingsOutturn && p.FinancialYear != 0 && !e.EffectiveOn.After(p.FinancialYear.End()) {
			s.bad("/effective_on", "an outturn for %s can only be dated after %s (the year's end); got %s",
				p.FinancialYear, p.FinancialYear.End(), e.EffectiveOn)
		}
	case OneOffCostIncurred:
		s.active("/data/council", p.Council)
	case ReviewScheduled:
		if s.review(p.Review) {
			s.bad("/data/review", "a review %q is already scheduled", p.Review)
		}
		for i, b := range p.Bodies {
			s.active(fmt.Sprintf("/data/bodies/%d/council", i), b.Council)
		}
	case ExternalReviewCommissioned:
	case ReviewOutcomeRecorded:
		if !s.review(p.Review) {
			s.bad("/data/review", "no review %q is scheduled on or before %s; record ReviewScheduled first", p.Review, e.EffectiveOn)
		}
		for _, o := range s.Outcomes {
			if o.Review == p.Review && o.Council == p.Council {
				s.bad("/data/council", "%s already has an outcome for review %q", p.Council, p.Review)
				break
			}
		}
		s.active("/data/council", p.Council)
	case PartnershipDissolved:
		s.approvals("/data/authorised_by", p.AuthorisedBy)
	}
}

// agreement returns the index of the agreement with the reference, or -1.
func (s *State) agreement(ref string) int {
	for i := range s.Agreements {
		if s.Agreements[i].Reference == ref {
			return i
		}
	}
	return -1
}

// shared reports whether the service is in shared delivery.
func (s *State) shared(name string) bool {
	i := s.serviceIndex(name)
	return i >= 0 && s.Services[i].Status == ServiceShared
}

// review reports whether a review of that name is scheduled.
func (s *State) review(name string) bool {
	for _, r := range s.Reviews {
		if r.Review == name {
			return true
		}
	}
	return false
}

func (s *State) checkDecision(d DecisionTaken) {
	k := d.Minute.Key()
	if prior, ok := s.checker.decisions[k]; ok {
		s.bad("/data/minute", "minute %q (%s, %s, %s, item %q) is already recorded by event %s; a minute reference is unique",
			d.Minute.Raw, d.Minute.Council, d.Minute.Body, d.Minute.Meeting, d.Minute.Item, prior.id)
	}
}

func (s *State) checkAppointment(p JointAppointmentMade) {
	e := s.checker.cur
	if !p.StartsOn.IsZero() && p.StartsOn != e.EffectiveOn {
		s.bad("/data/starts_on", "%s differs from the event's effective_on (%s); they must be the same date", p.StartsOn, e.EffectiveOn)
	}
	s.active("/data/employing_council", p.EmployingCouncil)
	for i, c := range p.Councils {
		s.active(fmt.Sprintf("/data/councils/%d/council", i), c.Council)
	}
	s.approvals("/data/approvals", p.Approvals)
	key := officerKey(p.Officer.Name)
	total := 0
	for i := range s.Appointments {
		a := &s.Appointments[i]
		if a.key != key {
			continue
		}
		if a.Post != "" && strings.EqualFold(a.Post, p.Post) {
			s.bad("/data/post", "%s already holds the post %s (event %s); end that appointment first", p.Officer.Name, p.Post, a.Evidence[0])
		}
		for _, c := range a.Councils {
			total += int(c.TimeShareBasisPoints)
		}
	}
	mine := 0
	for _, c := range p.Councils {
		mine += int(c.TimeShareBasisPoints)
	}
	if total+mine > 10000 {
		s.bad("/data/councils", "%s would be appointed for %d basis points of time on %s (%d already in other appointments); an officer's time shares sum to at most 10000",
			p.Officer.Name, total+mine, e.EffectiveOn, total)
	}
	if p.StatutoryRole != "" {
		// The appointment designates the officer at every council it serves (invariant 4 as for
		// StatutoryRoleDesignated): the role must be free there, or already the officer's.
		for _, c := range p.Councils {
			if s.partner(c.Council) >= 0 {
				s.checkRole("/data/statutory_role", c.Council, p.StatutoryRole, p.Officer.Name, true)
			}
		}
	}
}

func (s *State) checkEnd(p AppointmentEnded) {
	i := s.appointmentInForce(officerKey(p.Officer.Name), p.Post)
	if i < 0 {
		s.bad("/data/post", "%s holds no appointment as %s on %s", p.Officer.Name, p.Post, s.checker.cur.EffectiveOn)
		return
	}
	found := &s.Appointments[i]
	on := s.checker.cur.EffectiveOn
	switch {
	case p.LastDay.IsZero():
	case p.LastDay.Before(found.StartsOn):
		s.bad("/data/last_day", "%s is before the appointment started (%s)", p.LastDay, found.StartsOn)
	case p.LastDay.Before(on.AddDays(-1)):
		// The appointment is out of force from the day after its last day: an end recorded late is
		// dated then, so that the state as of the days between shows it ended (known_at tells when
		// it was known).
		s.bad("/data/last_day", "%s is more than a day before the event's effective_on (%s): the appointment is out of force from the day after its last day, so record the end with effective_on %s",
			p.LastDay, on, p.LastDay.AddDays(1))
	case !found.EndsOn.IsZero() && found.EndsOn.Before(p.LastDay):
		s.bad("/data/last_day", "%s is after the last day of the appointment's fixed term (ends_on %s)", p.LastDay, found.EndsOn)
	}
	for i, c := range p.Councils {
		if !found.serves(c) {
			s.bad(fmt.Sprintf("/data/councils/%d", i), "the appointment of %s as %s does not serve %s", p.Officer.Name, p.Post, c)
			continue
		}
		for _, e := range found.Ending {
			if slices.Contains(e.Councils, c) {
				s.bad(fmt.Sprintf("/data/councils/%d", i), "the appointment of %s as %s already ends at %s (last day %s, event %s)",
					p.Officer.Name, p.Post, c, e.LastDay, firstID(e.Evidence))
			}
		}
	}
}

// serves reports whether the appointment still serves c.
func (a *Appointment) serves(c CouncilRef) bool {
	for _, x := range a.Councils {
		if x.Council == c {
			return true
		}
	}
	return false
}

func (s *State) checkDesignation(p StatutoryRoleDesignated) {
	if !s.active("/data/council", p.Council) {
		return
	}
	s.approvals("/data/authorised_by", p.AuthorisedBy)
	s.checkRole("/data/role", p.Council, p.Role, p.Officer.Name, false)
}

// checkRole checks invariant 4 for making officer the holder of role at council c, by a
// StatutoryRoleDesignated or (byAppointment) a JointAppointmentMade's statutory_role: one holder at a
// time, and no role the officer holds there that the role must not be combined with. A designation of
// the officer who holds the role through an appointment confirms it; one of the officer who holds it
// by an earlier designation is refused.
func (s *State) checkRole(field string, c CouncilRef, role StatutoryRole, officer string, byAppointment bool) {
	who := officerKey(officer)
	if j := s.designation(c, role); j >= 0 {
		d := &s.Designations[j]
		switch {
		case d.key != who:
			s.bad(field, "%s at %s is held by %s on %s; record StatutoryRoleVacated first (one holder at a time)",
				role, c, d.Officer.Name, s.checker.cur.EffectiveOn)
		case !byAppointment && d.Post == "":
			s.bad("/data/officer/name", "%s already holds %s at %s", officer, role, c)
		}
		return
	}
	p := StatutoryRoleDesignated{Council: c, Role: role, Officer: Officer{Name: officer}}
	clash := func(other StatutoryRole, why string) {
		if j := s.designation(p.Council, other); j >= 0 && officerKey(s.Designations[j].Officer.Name) == who {
			s.bad(field, "%s already holds %s at %s; %s", p.Officer.Name, other, p.Council, why)
		}
	}
	named, _ := s.CouncilNamed(p.Council)
	switch p.Role {
	case MonitoringOfficer:
		clash(ChiefFinanceOfficer, "the monitoring officer must not also be the chief finance officer")
		if named.Kind == District {
			clash(HeadOfPaidService, "in a district the monitoring officer must not also be the head of paid service")
		}
	case ChiefFinanceOfficer:
		clash(MonitoringOfficer, "the monitoring officer must not also be the chief finance officer")
	case HeadOfPaidService:
		if named.Kind == District {
			clash(MonitoringOfficer, "in a district the monitoring officer must not also be the head of paid service")
		}
	}
}

// sortViolations orders violations by effective date, then field, for stable messages.
func sortViolations(vs []violation) {
	sort.SliceStable(vs, func(i, j int) bool { return vs[i].eff.Before(vs[j].eff) })
}

// moneyOf returns the sum of the magnitudes of the payload's amounts, capped just above
// MaxMoneyPence (an amount beyond it, or a sum that would pass it, gives MaxMoneyPence+1).
func moneyOf(pl Payload) int64 {
	var one Pence
	var many [2][]CouncilAmount
	switch p := pl.(type) {
	case ExternalFundingAwarded:
		one = p.AmountPence
	case SavingsTargetSet:
		one = p.AmountPence
	case SavingsReported:
		one = p.AmountPence
	case OneOffCostIncurred:
		one = p.AmountPence
	case BusinessCasePublished:
		many = [2][]CouncilAmount{p.ProjectedSavings, p.OneOffCosts}
	default:
		return 0
	}
	var sum int64
	add := func(a Pence) bool {
		m := int64(a)
		if m < 0 {
			m = -m // -MinInt64 stays negative: treated as beyond the cap below
		}
		if m < 0 || m > MaxMoneyPence {
			sum = MaxMoneyPence + 1
			return false
		}
		sum = min(sum+m, MaxMoneyPence+1)
		return true
	}
	if many[0] == nil && many[1] == nil {
		add(one)
		return sum
	}
	for _, list := range many {
		for _, a := range list {
			if !add(a.AmountPence) {
				return sum
			}
		}
	}
	return sum
}

// checkMoney refuses the event when it would take the partnership's money beyond MaxMoneyPence: then
// no total in a read model can overflow (see MaxMoneyPence). Sums saturate, so amounts recorded before
// the limits existed cannot wrap it.
func (s *State) checkMoney(pl Payload) {
	sum := moneyOf(pl)
	if sum == 0 {
		return
	}
	if min(s.checker.money+sum, MaxMoneyPence+1) > MaxMoneyPence {
		field := "/data/amount_pence"
		if _, ok := pl.(BusinessCasePublished); ok {
			field = "/data"
		}
		s.bad(field, "would take the amounts recorded in this partnership beyond %d pence in all (2^53, the most a total can hold exactly); no total could be shown correctly", MaxMoneyPence)
	}
}

// checkCorrectionDate enforces rule 10's date: a correction or retraction takes effect on the day it
// is made, inside the partnership's life: not before the partnership was proposed (rule 1), and not
// after the day it is recorded (today, in Europe/London; zero when no clock is known). The date of
// the event it corrects is the correction's own effective_on field (/data/effective_on).
func checkCorrectionDate(s *State, on, today Date, p *problems) {
	if s.Proposed && on.Before(s.ProposedOn) {
		p.addf("/effective_on", "%s is before the partnership was proposed (%s); a correction takes effect on the day it is made, within the partnership's life", on, s.ProposedOn)
	}
	if !today.IsZero() && on.After(today) {
		p.addf("/effective_on", "%s is after the day the correction is recorded (%s); a correction takes effect on the day it is made", on, today)
	}
}

// today is the day a command is recorded: its own RecordedAt (an offline seed), else the Decider's
// clock, in Europe/London; zero when neither is known.
func (d *Decider) today(cmd Command) Date {
	switch {
	case !cmd.RecordedAt.IsZero():
		return LondonDate(cmd.RecordedAt)
	case d.now != nil:
		return LondonDate(d.now())
	}
	return Date{}
}
