package domain

import (
	"fmt"
	"sort"
	"strings"

	"github.com/google/uuid"
)

// violation is a rule broken by one event of the timeline.
type violation struct {
	id    uuid.UUID
	typ   string
	eff   Date
	field string
	msg   string
}

func (v violation) key() string { return v.id.String() + "|" + v.field + "|" + v.msg }

// appt is a joint appointment in force.
type appt struct {
	officer, post string
	employing     CouncilRef
	councils      map[CouncilRef]BasisPoints
	startsOn      Date
	endsOn        Date
	eventID       uuid.UUID
}

type notice struct {
	eff  Date
	days int
}

// timeline folds events in effective order, checking each against the state before it.
type timeline struct {
	proposed    bool
	proposedBy  uuid.UUID
	dissolvedOn Date
	partners    map[CouncilRef]Council
	named       map[CouncilRef]Council
	notices     map[CouncilRef]notice
	decisions   map[string]DecisionTaken
	decisionBy  map[string]uuid.UUID
	agreements  map[string]Date // reference -> commences
	appts       []*appt
	roles       map[CouncilRef]map[StatutoryRole]string
	shared      map[string]bool
	reviews     map[string]bool
	outcomes    map[string]bool
	money       int64 // the sum of the magnitudes of every amount folded, capped just above MaxMoneyPence

	cur Effective
	out []violation
}

func newTimeline() *timeline {
	return &timeline{partners: map[CouncilRef]Council{}, named: map[CouncilRef]Council{},
		notices: map[CouncilRef]notice{}, decisions: map[string]DecisionTaken{}, decisionBy: map[string]uuid.UUID{},
		agreements: map[string]Date{}, roles: map[CouncilRef]map[StatutoryRole]string{}, shared: map[string]bool{},
		reviews: map[string]bool{}, outcomes: map[string]bool{}}
}

// checkTimeline applies events (an effective view) in order and returns every violation.
func checkTimeline(events []Effective) []violation {
	t := newTimeline()
	for _, e := range events {
		t.cur = e
		t.apply(e)
	}
	return t.out
}

func (t *timeline) bad(field, format string, args ...any) {
	t.out = append(t.out, violation{id: t.cur.ID, typ: t.cur.Type, eff: t.cur.EffectiveOn, field: field,
		msg: fmt.Sprintf(format, args...)})
}

// windDown lists the types that may still be recorded after the partnership is dissolved.
func windDown(typ string) bool {
	switch typ {
	case TypeAppointmentEnded, TypeStatutoryRoleVacated, TypeServiceReturnedToSeparateDelivery, TypeSavingsReported,
		TypeOneOffCostIncurred, TypeReviewOutcomeRecorded, TypeDecisionTaken:
		return true
	}
	return false
}

// active checks that c is an active partner on the current event's effective date (invariant 1).
func (t *timeline) active(field string, c CouncilRef) bool {
	if c.IsZero() {
		return false
	}
	if _, ok := t.partners[c]; !ok {
		t.bad(field, "council %s is not an active partner on %s", c, t.cur.EffectiveOn)
		return false
	}
	return true
}

// approvals checks minute refs cited as approvals or authority (invariant 5).
func (t *timeline) approvals(field string, ms []MinuteRef) {
	for i, m := range ms {
		d, ok := t.decisions[m.Key()]
		switch {
		case !ok:
			t.bad(fmt.Sprintf("%s/%d", field, i), "cites %q, but no DecisionTaken with that minute (%s, %s, %s, item %q) is recorded on or before %s",
				m.Raw, m.Council, m.Body, m.Meeting, m.Item, t.cur.EffectiveOn)
		case d.Outcome != OutcomeApproved:
			t.bad(fmt.Sprintf("%s/%d", field, i), "cites %q, but that decision's outcome is %s, not approved", m.Raw, d.Outcome)
		}
	}
}

func officerKey(name string) string { return strings.ToLower(strings.Join(strings.Fields(name), " ")) }

// inForce returns the appointments in force on the current date.
func (t *timeline) inForce() []*appt {
	var out []*appt
	for _, a := range t.appts {
		if a.endsOn.IsZero() || !a.endsOn.Before(t.cur.EffectiveOn) {
			out = append(out, a)
		}
	}
	return out
}

func (t *timeline) apply(e Effective) {
	if e.Type == TypeDecisionTaken {
		t.decision(e.Payload.(DecisionTaken))
		return
	}
	if !t.proposed && e.Type != TypePartnershipProposed {
		t.bad("/effective_on", "the partnership has not been proposed on %s; record PartnershipProposed first, effective on or before this date", e.EffectiveOn)
		return
	}
	if !t.dissolvedOn.IsZero() && !windDown(e.Type) {
		t.bad("/effective_on", "the partnership was dissolved on %s; only wind-down events may follow", t.dissolvedOn)
		return
	}
	t.addMoney(e.Payload)
	switch p := e.Payload.(type) {
	case PartnershipProposed:
		if t.proposed {
			t.bad("/type", "the partnership was already proposed (event %s)", t.proposedBy)
			return
		}
		t.proposed, t.proposedBy = true, e.ID
		if !p.TrialEndsOn.IsZero() && p.TrialEndsOn.Before(e.EffectiveOn) {
			t.bad("/data/trial_ends_on", "%s is before the partnership is proposed (%s)", p.TrialEndsOn, e.EffectiveOn)
		}
		for _, c := range p.Partners {
			t.partners[c.Council] = c
			t.named[c.Council] = c
		}
	case CouncilJoinedPartnership:
		if _, ok := t.partners[p.Council.Council]; ok {
			t.bad("/data/council/council", "council %s is already an active partner", p.Council.Council)
		}
		t.approvals("/data/authorised_by", p.AuthorisedBy)
		t.partners[p.Council.Council] = p.Council
		t.named[p.Council.Council] = p.Council
	case WithdrawalNoticeGiven:
		if !t.active("/data/council", p.Council) {
			return
		}
		if !p.ProposedEnd.IsZero() && p.ProposedEnd.Before(e.EffectiveOn.AddDays(p.NoticeDays)) {
			t.bad("/data/proposed_end", "%s is before the %d days' notice given on %s runs out (%s)",
				p.ProposedEnd, p.NoticeDays, e.EffectiveOn, e.EffectiveOn.AddDays(p.NoticeDays))
		}
		t.approvals("/data/authorised_by", p.AuthorisedBy)
		t.notices[p.Council] = notice{eff: e.EffectiveOn, days: p.NoticeDays}
	case CouncilWithdrew:
		if !t.active("/data/council", p.Council) {
			return
		}
		if len(t.partners) <= 2 {
			t.bad("/data/council", "withdrawing %s would leave fewer than two partners; record PartnershipDissolved instead", p.Council)
		}
		if len(p.AuthorisedBy) > 0 {
			t.approvals("/data/authorised_by", p.AuthorisedBy)
		} else if n, ok := t.notices[p.Council]; !ok {
			t.bad("/data/authorised_by", "%s gave no notice of withdrawal before %s; record WithdrawalNoticeGiven, or cite a decision to withdraw by mutual agreement", p.Council, e.EffectiveOn)
		} else if end := n.eff.AddDays(n.days); e.EffectiveOn.Before(end) {
			t.bad("/effective_on", "%s is before the %d days' notice given on %s runs out (%s), and no decision by mutual agreement is cited",
				e.EffectiveOn, n.days, n.eff, end)
		}
		delete(t.partners, p.Council)
		delete(t.notices, p.Council)
	case ExternalFundingAwarded:
		for i, c := range p.Recipients {
			t.active(fmt.Sprintf("/data/recipients/%d", i), c)
		}
	case BusinessCasePublished:
		for i, a := range p.ProjectedSavings {
			t.active(fmt.Sprintf("/data/projected_savings/%d/council", i), a.Council)
		}
		for i, a := range p.OneOffCosts {
			t.active(fmt.Sprintf("/data/one_off_costs/%d/council", i), a.Council)
		}
	case AgreementExecuted:
		for i, c := range p.Parties {
			t.active(fmt.Sprintf("/data/parties/%d", i), c)
		}
		if _, ok := t.agreements[p.Reference]; ok {
			t.bad("/data/reference", "an agreement %q is already recorded; use AgreementVaried to change it", p.Reference)
		}
		t.agreements[p.Reference] = p.Commences
		t.approvals("/data/authorised_by", p.AuthorisedBy)
	case AgreementVaried:
		commences, ok := t.agreements[p.Reference]
		if !ok {
			t.bad("/data/reference", "no agreement %q is recorded on or before %s", p.Reference, e.EffectiveOn)
		} else if !p.Ends.IsZero() && p.Ends.Before(commences) {
			t.bad("/data/ends", "%s is before the agreement commences (%s)", p.Ends, commences)
		}
		t.approvals("/data/authorised_by", p.AuthorisedBy)
	case JointAppointmentMade:
		t.appointment(p)
	case StatutoryRoleDesignated:
		t.designate(p)
	case StatutoryRoleVacated:
		held := t.roles[p.Council][p.Role]
		if officerKey(held) != officerKey(p.Officer.Name) {
			if held == "" {
				t.bad("/data/officer/name", "no one holds %s at %s on %s", p.Role, p.Council, e.EffectiveOn)
			} else {
				t.bad("/data/officer/name", "%s at %s is held by %s, not %s", p.Role, p.Council, held, p.Officer.Name)
			}
			return
		}
		delete(t.roles[p.Council], p.Role)
	case AppointmentEnded:
		t.endAppointment(p)
	case ServiceSharingProposed:
		for i, c := range p.Candidates {
			t.active(fmt.Sprintf("/data/candidates/%d", i), c)
		}
	case ServiceMovedToSharedDelivery:
		if !p.From.IsZero() && p.From != e.EffectiveOn {
			t.bad("/data/from", "%s differs from the event's effective_on (%s); they must be the same date", p.From, e.EffectiveOn)
		}
		t.active("/data/lead_council", p.LeadCouncil)
		for i, c := range p.ReceivingCouncils {
			t.active(fmt.Sprintf("/data/receiving_councils/%d", i), c)
		}
		k := strings.ToLower(strings.TrimSpace(p.Service))
		if t.shared[k] {
			t.bad("/data/service", "%s is already in shared delivery on %s", p.Service, e.EffectiveOn)
		}
		t.shared[k] = true
	case ServiceReturnedToSeparateDelivery:
		k := strings.ToLower(strings.TrimSpace(p.Service))
		if !t.shared[k] {
			t.bad("/data/service", "%s is not in shared delivery on %s", p.Service, e.EffectiveOn)
		}
		delete(t.shared, k)
	case CostShareAgreed:
		if !p.AppliesFrom.IsZero() && p.AppliesFrom != e.EffectiveOn {
			t.bad("/data/applies_from", "%s differs from the event's effective_on (%s); they must be the same date", p.AppliesFrom, e.EffectiveOn)
		}
		for i, s := range p.Shares {
			t.active(fmt.Sprintf("/data/shares/%d/council", i), s.Council)
		}
	case SavingsTargetSet:
		t.active("/data/council", p.Council)
	case SavingsReported:
		t.activeOrFormer("/data/council", p.Council)
		if p.Status == SavingsOutturn && p.FinancialYear != 0 && !e.EffectiveOn.After(p.FinancialYear.End()) {
			t.bad("/effective_on", "an outturn for %s can only be dated after %s (the year's end); got %s",
				p.FinancialYear, p.FinancialYear.End(), e.EffectiveOn)
		}
	case OneOffCostIncurred:
		t.activeOrFormer("/data/council", p.Council)
	case ReviewScheduled:
		if t.reviews[p.Review] {
			t.bad("/data/review", "a review %q is already scheduled", p.Review)
		}
		t.reviews[p.Review] = true
		for i, b := range p.Bodies {
			t.active(fmt.Sprintf("/data/bodies/%d/council", i), b.Council)
		}
	case ExternalReviewCommissioned:
	case ReviewOutcomeRecorded:
		if !t.reviews[p.Review] {
			t.bad("/data/review", "no review %q is scheduled on or before %s; record ReviewScheduled first", p.Review, e.EffectiveOn)
		}
		k := p.Review + "|" + p.Council.String()
		if t.outcomes[k] {
			t.bad("/data/council", "%s already has an outcome for review %q", p.Council, p.Review)
		}
		t.outcomes[k] = true
		t.activeOrFormer("/data/council", p.Council)
	case PartnershipDissolved:
		t.approvals("/data/authorised_by", p.AuthorisedBy)
		t.dissolvedOn = e.EffectiveOn
	}
}

// activeOrFormer allows, after dissolution, the councils that were partners when it happened.
func (t *timeline) activeOrFormer(field string, c CouncilRef) {
	t.active(field, c)
}

func (t *timeline) decision(d DecisionTaken) {
	k := d.Minute.Key()
	if id, ok := t.decisionBy[k]; ok {
		t.bad("/data/minute", "minute %q (%s, %s, %s, item %q) is already recorded by event %s; a minute reference is unique",
			d.Minute.Raw, d.Minute.Council, d.Minute.Body, d.Minute.Meeting, d.Minute.Item, id)
		return
	}
	t.decisions[k], t.decisionBy[k] = d, t.cur.ID
}

func (t *timeline) appointment(p JointAppointmentMade) {
	e := t.cur
	if !p.StartsOn.IsZero() && p.StartsOn != e.EffectiveOn {
		t.bad("/data/starts_on", "%s differs from the event's effective_on (%s); they must be the same date", p.StartsOn, e.EffectiveOn)
	}
	t.active("/data/employing_council", p.EmployingCouncil)
	for i, c := range p.Councils {
		t.active(fmt.Sprintf("/data/councils/%d/council", i), c.Council)
	}
	t.approvals("/data/approvals", p.Approvals)
	key := officerKey(p.Officer.Name)
	total := 0
	for _, a := range t.inForce() {
		if a.officer != key {
			continue
		}
		if strings.EqualFold(a.post, p.Post) {
			t.bad("/data/post", "%s already holds the post %s (event %s); end that appointment first", p.Officer.Name, p.Post, a.eventID)
		}
		for _, bp := range a.councils {
			total += int(bp)
		}
	}
	mine := 0
	shares := map[CouncilRef]BasisPoints{}
	for _, c := range p.Councils {
		mine += int(c.TimeShareBasisPoints)
		shares[c.Council] = c.TimeShareBasisPoints
	}
	if total+mine > 10000 {
		t.bad("/data/councils", "%s would be appointed for %d basis points of time on %s (%d already in other appointments); an officer's time shares sum to at most 10000",
			p.Officer.Name, total+mine, e.EffectiveOn, total)
	}
	t.appts = append(t.appts, &appt{officer: key, post: p.Post, employing: p.EmployingCouncil, councils: shares,
		startsOn: p.StartsOn, endsOn: p.EndsOn, eventID: e.ID})
}

func (t *timeline) endAppointment(p AppointmentEnded) {
	key := officerKey(p.Officer.Name)
	var found *appt
	for _, a := range t.inForce() {
		if a.officer == key && strings.EqualFold(a.post, p.Post) {
			found = a
		}
	}
	if found == nil {
		t.bad("/data/post", "%s holds no appointment as %s on %s", p.Officer.Name, p.Post, t.cur.EffectiveOn)
		return
	}
	if !p.LastDay.IsZero() && p.LastDay.Before(found.startsOn) {
		t.bad("/data/last_day", "%s is before the appointment started (%s)", p.LastDay, found.startsOn)
	}
	for i, c := range p.Councils {
		if _, ok := found.councils[c]; !ok {
			t.bad(fmt.Sprintf("/data/councils/%d", i), "the appointment of %s as %s does not serve %s", p.Officer.Name, p.Post, c)
			continue
		}
		delete(found.councils, c)
	}
	if len(found.councils) == 0 {
		t.appts = removeAppt(t.appts, found)
	}
}

func removeAppt(list []*appt, a *appt) []*appt {
	out := list[:0:0]
	for _, x := range list {
		if x != a {
			out = append(out, x)
		}
	}
	return out
}

func (t *timeline) designate(p StatutoryRoleDesignated) {
	if !t.active("/data/council", p.Council) {
		return
	}
	t.approvals("/data/authorised_by", p.AuthorisedBy)
	roles := t.roles[p.Council]
	if roles == nil {
		roles = map[StatutoryRole]string{}
		t.roles[p.Council] = roles
	}
	who := officerKey(p.Officer.Name)
	if held, ok := roles[p.Role]; ok {
		if officerKey(held) == who {
			t.bad("/data/officer/name", "%s already holds %s at %s", p.Officer.Name, p.Role, p.Council)
		} else {
			t.bad("/data/role", "%s at %s is held by %s on %s; record StatutoryRoleVacated first (one holder at a time)",
				p.Role, p.Council, held, t.cur.EffectiveOn)
		}
		return
	}
	clash := func(other StatutoryRole, why string) {
		if h, ok := roles[other]; ok && officerKey(h) == who {
			t.bad("/data/role", "%s already holds %s at %s; %s", p.Officer.Name, other, p.Council, why)
		}
	}
	switch p.Role {
	case MonitoringOfficer:
		clash(ChiefFinanceOfficer, "the monitoring officer must not also be the chief finance officer")
		if t.named[p.Council].Kind == District {
			clash(HeadOfPaidService, "in a district the monitoring officer must not also be the head of paid service")
		}
	case ChiefFinanceOfficer:
		clash(MonitoringOfficer, "the monitoring officer must not also be the chief finance officer")
	case HeadOfPaidService:
		if t.named[p.Council].Kind == District {
			clash(MonitoringOfficer, "in a district the monitoring officer must not also be the head of paid service")
		}
	}
	roles[p.Role] = p.Officer.Name
}

// sortViolations orders violations by effective date, then field, for stable messages.
func sortViolations(vs []violation) {
	sort.SliceStable(vs, func(i, j int) bool { return vs[i].eff.Before(vs[j].eff) })
}

// addMoney adds the magnitudes of the event's amounts to the partnership's money and refuses the
// event when the sum goes beyond MaxMoneyPence: then no total in a read model can overflow (see
// MaxMoneyPence). Sums saturate, so amounts recorded before the limits existed cannot wrap it.
func (t *timeline) addMoney(pl Payload) {
	var amounts []Pence
	field := "/data/amount_pence"
	switch p := pl.(type) {
	case ExternalFundingAwarded:
		amounts = []Pence{p.AmountPence}
	case SavingsTargetSet:
		amounts = []Pence{p.AmountPence}
	case SavingsReported:
		amounts = []Pence{p.AmountPence}
	case OneOffCostIncurred:
		amounts = []Pence{p.AmountPence}
	case BusinessCasePublished:
		field = "/data"
		for _, a := range p.ProjectedSavings {
			amounts = append(amounts, a.AmountPence)
		}
		for _, a := range p.OneOffCosts {
			amounts = append(amounts, a.AmountPence)
		}
	default:
		return
	}
	var sum int64
	for _, a := range amounts {
		m := int64(a)
		if m < 0 {
			m = -m // -MinInt64 stays negative: treated as beyond the cap below
		}
		if m < 0 || m > MaxMoneyPence {
			sum = MaxMoneyPence + 1
			break
		}
		sum = min(sum+m, MaxMoneyPence+1)
	}
	if sum == 0 {
		return
	}
	t.money = min(t.money+sum, MaxMoneyPence+1)
	if t.money > MaxMoneyPence {
		t.bad(field, "would take the amounts recorded in this partnership beyond %d pence in all (2^53, the most a total can hold exactly); no total could be shown correctly", MaxMoneyPence)
	}
}
