package domain

import (
	"slices"
	"strings"

	"github.com/google/uuid"
)

// The one fold of a partnership's effective history. State is what the events in effect mean, as
// typed facts; Apply folds one more event in. The write side (Decide, Decider) folds with the
// invariants checked (fold.go); the read models (package projections) fold the same way and map the
// facts to their views; ledger replay reads each event's Effect (effect.go).
//
// Identity, the same everywhere:
//   - an officer is the name compared without case and with runs of spaces as one ("karen  SLY" is
//     Karen Sly; officerKey);
//   - a post, a service and a cost share's subject are compared without case (posts and subjects with
//     strings.EqualFold, services after trimming spaces: serviceKey);
//   - a council is its slug.
//
// What ends a fact: an end date is the last day in force, and the fact is out of force from the next
// day. AppointmentEnded removes the councils it names from the officer's appointment in that post
// (and the statutory roles it carries there), and the appointment when none is left, from the day
// after its last_day: at once when last_day is the day before the event's effective_on, else
// (last_day on or after effective_on: the appointment is served to last_day) when the fold reaches
// the day after last_day (Appointment.Ending); a fixed-term appointment lapses, with the roles it
// carries, on the day after its ends_on. The fold reaches such a day with the next event after it,
// or with AdvanceTo; StatutoryRoleVacated ends the
// holder's designation; CouncilWithdrew ends a partner (and its
// notice); ServiceReturnedToSeparateDelivery returns a service; PartnershipDissolved ends the sharing
// (dissolve: appointments, roles, cost shares, shared services, partners) and sets the status.
// Corrections and retractions are applied before the fold (EffectiveView): a retracted event is not
// folded at all, a corrected one is folded as corrected.

// Partnership statuses, for Status.Value.
const (
	StatusProposed    = "proposed"
	StatusActive      = "active"
	StatusUnderReview = "under review"
	StatusDissolved   = "dissolved"
)

// Service statuses, for Service.Status.
const (
	ServiceProposed = "proposed"
	ServiceShared   = "shared"
	ServiceReturned = "returned to separate delivery"
)

// Kinds of savings figure, for Figure.Kind (the other two are SavingsForecast and SavingsOutturn).
const (
	FigureTarget     = "target"
	FigureOneOffCost = "one_off_cost"
)

// Partner is a council in the partnership: named by PartnershipProposed or CouncilJoinedPartnership,
// until it withdraws or the partnership is dissolved (then it is in State.Former).
//
// A partner is a partner since its approving decision: the last approved DecisionTaken of that
// council recorded before it was named (a council decides before it joins), else the first one after;
// until one is recorded, since the day it was named (Approval nil). The rules' "active partner" is a council named and not
// gone, approved or not.
type Partner struct {
	Council  Council
	Since    Date
	Approval *MinuteRef        // the approving decision's minute; nil when none is recorded
	Notice   *WithdrawalNotice // nil until the council gives notice
	Until    Date              // a former partner: the withdrawal's or dissolution's effective date, from which it is not a partner
	Evidence []uuid.UUID       // the event that named it, then its approving decision
	Sources  []SourceRef
}

// WithdrawalNotice is notice a partner gave that it will leave.
type WithdrawalNotice struct {
	GivenOn     Date
	NoticeDays  int
	ProposedEnd Date // zero when not given
	Evidence    []uuid.UUID
	Sources     []SourceRef
}

// Status is where the partnership stands, since when and why: proposed, active once something is
// shared (an agreement, a joint appointment, a service), under review once an outcome is recorded,
// dissolved.
type Status struct {
	Value    string // StatusProposed, StatusActive, StatusUnderReview or StatusDissolved; "" before any
	Since    Date
	Reason   string
	Evidence []uuid.UUID
	Sources  []SourceRef
}

// TrialPeriod is the trial a partnership was proposed with: it ends on the proposal's trial_ends_on
// (as corrected) and starts when the partnership becomes active, with the first thing shared (the
// first joint appointment, agreement or service in shared delivery); From is zero until then.
type TrialPeriod struct {
	From, To Date
	Evidence []uuid.UUID
	Sources  []SourceRef
}

// ReviewDue is when the partnership is next due to be reviewed: from its proposal, then from the last
// ReviewScheduled.
type ReviewDue struct {
	Review   string // the scheduled review's name; "" when it comes from the proposal
	DueOn    Date
	Bodies   []BodyRef
	Terms    string
	Evidence []uuid.UUID
	Sources  []SourceRef
}

// Appointment is an officer's joint appointment in force, with the councils it still serves; the
// statutory roles it carries are in State.Designations (RolesOf). An appointment with no Post stands
// for an officer designated to a statutory role at councils no joint appointment of theirs serves.
type Appointment struct {
	Officer          Officer // the name as first recorded
	Post             string
	StatutoryRole    StatutoryRole
	EmployingCouncil CouncilRef
	Councils         []CouncilShare // the councils still served
	Basis            string
	StartsOn         Date
	EndsOn           Date // the last day of a fixed term, when recorded: the appointment lapses the day after
	Approvals        []MinuteRef
	Evidence         []uuid.UUID // the appointment, then the events that changed it
	Sources          []SourceRef
	// Ending lists the AppointmentEnded events in effect whose last day has not passed: the councils
	// they name are served to the last day inclusive and left the day after (AdvanceTo).
	Ending []Ending
	key    string // officerKey(Officer.Name)
}

// Ending is an AppointmentEnded recorded on or before the officer's last day: the appointment still
// serves Councils on LastDay, and stops serving them (with the statutory roles it carries there) from
// the next day.
type Ending struct {
	Councils []CouncilRef
	LastDay  Date
	Evidence []uuid.UUID // the AppointmentEnded, with the corrections applied to it
	Sources  []SourceRef
}

// Designation is the holder of a statutory role at one council: the one record of who holds it, which
// invariant 4 (one holder at a time) and the views read. A role is held from a JointAppointmentMade
// with statutory_role (at each council the appointment serves) or a StatutoryRoleDesignated, until
// StatutoryRoleVacated, or until the appointment that carries it stops serving the council
// (AppointmentEnded naming it, or its ends_on passing).
type Designation struct {
	Council CouncilRef
	Role    StatutoryRole
	Officer Officer
	Since   Date
	// Post is the post of the officer's appointment that carries the role: the appointment's own
	// statutory_role, or, for a StatutoryRoleDesignated, the officer's appointment serving the council
	// then. "" when none did: the role stands on its own until vacated.
	Post     string
	Evidence []uuid.UUID // the event that made the officer the holder, then those that confirmed it
	Sources  []SourceRef
	key      string // officerKey(Officer.Name)
}

// Vacancy is a statutory role at a council whose holder the record ended, with no holder recorded
// since: StatutoryRoleVacated, the appointment carrying the role ending at the council or lapsing, or
// the dissolution ending the sharing. A designation of the role at the council ends the vacancy.
type Vacancy struct {
	Council CouncilRef
	Role    StatutoryRole
	Since   Date    // the first day with no holder recorded
	Officer Officer // the last holder
	Post    string  // the post of the appointment that carried the role ("" when it stood on its own)
	// Evidence is the last holder's designation, then the event that ended it.
	Evidence []uuid.UUID
	Sources  []SourceRef // of the event that ended it
}

// Dissolution is what PartnershipDissolved ended: the sharing as it stood when the partnership was
// dissolved, kept so that a reader can state the wind-down (who held which roles, which costs were
// shared, which services went back) after the state itself no longer holds them.
type Dissolution struct {
	On           Date
	Reason       string
	AuthorisedBy []MinuteRef
	Partners     []CouncilRef  // the partners then, in the order named
	Appointments []Appointment // the appointments in force then (their roles are in Roles)
	Roles        []Designation // the statutory roles held then
	CostShares   []CostShare   // the cost shares in force then
	Services     []string      // the services in shared delivery then, returned to separate delivery by it
	Evidence     []uuid.UUID
	Sources      []SourceRef
}

// Service is a service proposed for sharing, shared, or returned to separate delivery.
type Service struct {
	Service           string
	Status            string // ServiceProposed, ServiceShared or ServiceReturned
	LeadCouncil       CouncilRef
	ReceivingCouncils []CouncilRef
	Since             Date
	Candidates        []CouncilRef
	Agreement         string
	StaffTransferred  *int // nil when not recorded
	Evidence          []uuid.UUID
	Sources           []SourceRef
}

// CostShare is how the cost of a subject (a post, a service, a budget) is split: the latest
// CostShareAgreed for the subject.
type CostShare struct {
	Subject     string
	Basis       string
	Shares      []Share
	AppliesFrom Date
	ResetEachFY bool
	Evidence    []uuid.UUID
	Sources     []SourceRef
}

// Figure is one money figure of a council in a financial year: a target, a forecast, an outturn
// (the latest of its kind in its category replaces the one before) or a one-off cost (they add up).
type Figure struct {
	Kind          string // FigureTarget, SavingsForecast, SavingsOutturn or FigureOneOffCost
	Council       CouncilRef
	FinancialYear FinancialYear
	Category      string
	Amount        Pence
	PeriodTo      Date // forecasts and outturns
	Evidence      []uuid.UUID
	Sources       []SourceRef
}

// Account is a council's figures in one financial year, in the order first recorded.
type Account struct {
	Council       CouncilRef
	FinancialYear FinancialYear
	Figures       []Figure

	stated []int32           // indices in Figures of the targets, forecasts and outturns
	index  map[figureKey]int // the same, by kind and category, once there are many
}

// Decision is an entry of the decision register.
type Decision struct {
	DecisionTaken
	EffectiveOn Date
	Evidence    []uuid.UUID
	Sources     []SourceRef
}

// Agreement is an executed agreement, with its variations applied.
type Agreement struct {
	AgreementExecuted
	Variations []string // the variations' texts, in order
	Evidence   []uuid.UUID
	Sources    []SourceRef
}

// Funding is external funding awarded.
type Funding struct {
	ExternalFundingAwarded
	AwardedOn Date
	Evidence  []uuid.UUID
	Sources   []SourceRef
}

// ScheduledReview is a review scheduled by ReviewScheduled.
type ScheduledReview struct {
	ReviewScheduled
	ScheduledOn Date
	Evidence    []uuid.UUID
	Sources     []SourceRef
}

// ReviewOutcome is one council's outcome of a scheduled review.
type ReviewOutcome struct {
	ReviewOutcomeRecorded
	On       Date
	Evidence []uuid.UUID
	Sources  []SourceRef
}

// BusinessCase is a published business case.
type BusinessCase struct {
	BusinessCasePublished
	PublishedOn Date
	Evidence    []uuid.UUID
	Sources     []SourceRef
}

// ExternalReview is a review commissioned from an outside body.
type ExternalReview struct {
	ExternalReviewCommissioned
	CommissionedOn Date
	Evidence       []uuid.UUID
	Sources        []SourceRef
}

// State is a partnership after the events in effect so far: the one meaning of its history. Build
// it with NewState and Apply (or Fold); read the exported fields. Slices hold facts in the order
// they were first stated; a fact's Evidence lists the event that stated it first, then (where facts
// accumulate) the events that changed it, each with the corrections applied to it (Effective.Evidence);
// its Sources are those of the event that last stated or changed it.
//
// Slices inside a State may share memory with the payloads folded: do not modify them. A State is not
// safe for concurrent use while Apply runs; once folded it may be read by any number of goroutines.
type State struct {
	Proposed      bool
	ProposedOn    Date // the proposal's effective date (zero before it)
	Name, Purpose string
	Scope         []string
	Partners      []Partner // active partners, in the order named
	Former        []Partner // partners that withdrew or were partners when the partnership was dissolved, in the order they left
	Named         []Council // every council named by the partnership, withdrawn ones too
	Status        Status
	Trial         *TrialPeriod
	ReviewDue     *ReviewDue
	Appointments  []Appointment
	Designations  []Designation
	Services      []Service
	CostShares    []CostShare
	Accounts      []Account
	Decisions     []Decision
	Agreements    []Agreement
	Funding       []Funding
	Reviews       []ScheduledReview
	Outcomes      []ReviewOutcome
	BusinessCases []BusinessCase
	External      []ExternalReview
	DissolvedOn   Date // zero unless dissolved
	// Dissolution is what the dissolution ended; nil unless dissolved.
	Dissolution *Dissolution
	// Vacancies are the statutory roles whose holder the record ended, with no holder recorded since,
	// in the order they fell vacant.
	Vacancies []Vacancy
	// EventCount is the number of events folded (events of a type this build does not know count too).
	EventCount int
	// Last is the effective date of the last event folded.
	Last Date

	lastAcct int  // index in Accounts of the account used last: figures come in runs
	lapse    Date // the earliest ends_on or Ending.LastDay among the appointments (zero when none has one)
	checker  *checker
}

// NewState returns the state of a partnership before its first event.
func NewState() *State { return &State{lastAcct: -1} }

// Fold returns the state after events, in effective order (as EffectiveView gives them).
func Fold(events []Effective) *State {
	s := NewState()
	for _, e := range events {
		s.Apply(e)
	}
	return s
}

// Apply folds the next event in effective order (effective_on, ties by seq) into the state. An event
// whose payload is nil (a type this build does not know) only counts. Apply never fails: an event
// that breaks a rule is folded as far as it has a meaning (Decide refuses such events; the checks
// that say so run only on the write side).
func (s *State) Apply(e Effective) {
	s.AdvanceTo(e.EffectiveOn)
	if s.checker != nil {
		s.check(e)
	}
	s.apply(&e)
}

func (s *State) apply(e *Effective) {
	s.EventCount++
	s.Last = e.EffectiveOn
	on, ev, src := e.EffectiveOn, e.Evidence, e.Sources
	if s.checker != nil {
		s.checker.note(e)
	}
	switch p := e.Payload.(type) {
	case PartnershipProposed:
		if s.Proposed {
			return // a second proposal means nothing (Decide refuses it)
		}
		s.Proposed, s.ProposedOn = true, on
		s.Name, s.Purpose, s.Scope = p.Name, p.Purpose, p.Scope
		for _, c := range p.Partners {
			s.addPartner(c, on, ev, src)
		}
		s.setStatus(StatusProposed, on, "", ev, src)
		if !p.TrialEndsOn.IsZero() {
			s.Trial = &TrialPeriod{To: p.TrialEndsOn, Evidence: ev, Sources: src} // From: activate
		}
		if !p.ReviewDue.IsZero() && s.ReviewDue == nil {
			s.ReviewDue = &ReviewDue{DueOn: p.ReviewDue, Evidence: ev, Sources: src}
		}
	case CouncilJoinedPartnership:
		s.addPartner(p.Council, on, ev, src)
	case WithdrawalNoticeGiven:
		if i := s.partner(p.Council); i >= 0 {
			s.Partners[i].Notice = &WithdrawalNotice{GivenOn: on, NoticeDays: p.NoticeDays, ProposedEnd: p.ProposedEnd, Evidence: ev, Sources: src}
		}
	case CouncilWithdrew:
		if i := s.partner(p.Council); i >= 0 {
			s.partnerLeaves(i, on)
		}
	case DecisionTaken:
		s.Decisions = append(s.Decisions, Decision{DecisionTaken: p, EffectiveOn: on, Evidence: ev, Sources: src})
		if p.Outcome == OutcomeApproved {
			if i := s.partner(p.Minute.Council); i >= 0 && s.Partners[i].Approval == nil {
				s.approve(&s.Partners[i], &s.Decisions[len(s.Decisions)-1])
			}
		}
	case AgreementExecuted:
		s.Agreements = append(s.Agreements, Agreement{AgreementExecuted: p, Evidence: ev, Sources: src})
		s.activate(on, ev, src)
	case AgreementVaried:
		for i := range s.Agreements {
			a := &s.Agreements[i]
			if a.Reference != p.Reference {
				continue
			}
			if !p.Ends.IsZero() {
				a.Ends = p.Ends
			}
			if p.NoticeDays > 0 {
				a.NoticeDays = p.NoticeDays
			}
			if !p.ReviewDue.IsZero() {
				a.ReviewDue = p.ReviewDue
			}
			a.Variations = append(slices.Clip(a.Variations), p.Variation)
			a.Evidence = appendEvidence(a.Evidence, ev)
		}
	case ExternalFundingAwarded:
		s.Funding = append(s.Funding, Funding{ExternalFundingAwarded: p, AwardedOn: on, Evidence: ev, Sources: src})
	case BusinessCasePublished:
		s.BusinessCases = append(s.BusinessCases, BusinessCase{BusinessCasePublished: p, PublishedOn: on, Evidence: ev, Sources: src})
	case JointAppointmentMade:
		since := p.StartsOn
		if since.IsZero() {
			since = on
		}
		key := officerKey(p.Officer.Name)
		a := Appointment{Officer: p.Officer, Post: p.Post, StatutoryRole: p.StatutoryRole, EmployingCouncil: p.EmployingCouncil,
			Councils: p.Councils, Basis: p.Basis, StartsOn: since, EndsOn: p.EndsOn, Approvals: p.Approvals,
			Evidence: ev, Sources: src, key: key}
		s.Appointments = append(s.Appointments, a)
		if !p.EndsOn.IsZero() {
			s.noteLapse(p.EndsOn)
		}
		if p.StatutoryRole != "" && p.Post != "" {
			for _, c := range p.Councils {
				s.designate(Designation{Council: c.Council, Role: p.StatutoryRole, Officer: p.Officer, Since: since, Post: p.Post,
					Evidence: ev, Sources: src, key: key})
			}
		}
		s.activate(on, ev, src)
	case StatutoryRoleDesignated:
		key := officerKey(p.Officer.Name)
		post := ""
		if i := s.servingAppointment(key, p.Council); i >= 0 {
			post = s.Appointments[i].Post
		}
		s.designate(Designation{Council: p.Council, Role: p.Role, Officer: p.Officer, Since: on, Post: post, Evidence: ev, Sources: src, key: key})
	case StatutoryRoleVacated:
		key := officerKey(p.Officer.Name)
		j := s.designation(p.Council, p.Role)
		if j < 0 || s.Designations[j].key != key {
			return // not the holder (Decide refuses it)
		}
		s.vacate(s.Designations[j], on, ev, src)
		s.Designations = slices.Delete(s.Designations, j, j+1)
		s.placeholder(key)
	case AppointmentEnded:
		i := s.appointmentInForce(officerKey(p.Officer.Name), p.Post)
		if i < 0 {
			return
		}
		a := &s.Appointments[i]
		a.Evidence = appendEvidence(a.Evidence, ev)
		if !p.LastDay.IsZero() && !p.LastDay.Before(on) {
			// Served to the last day inclusive: the councils named are left the day after (AdvanceTo).
			a.Ending = append(slices.Clip(a.Ending), Ending{Councils: p.Councils, LastDay: p.LastDay, Evidence: ev, Sources: src})
			s.noteLapse(p.LastDay)
			return
		}
		// The last day is the day before the event's (or, read from a store that holds one, earlier:
		// Decide refuses that): out of force from the event's date.
		if *a = s.leave(*a, p.Councils, on, ev, src); len(a.Councils) == 0 {
			s.Appointments = slices.Delete(s.Appointments, i, i+1)
		}
	case ServiceSharingProposed:
		sv := s.service(p.Service)
		if sv.Status == "" {
			sv.Status, sv.Since = ServiceProposed, on
		}
		sv.Candidates = p.Candidates
		sv.Evidence = appendEvidence(sv.Evidence, ev)
		sv.Sources = src
	case ServiceMovedToSharedDelivery:
		sv := s.service(p.Service)
		from := p.From
		if from.IsZero() {
			from = on
		}
		sv.Status, sv.Since, sv.LeadCouncil, sv.ReceivingCouncils, sv.Agreement = ServiceShared, from, p.LeadCouncil, p.ReceivingCouncils, p.Agreement
		if p.StaffTransferred != nil {
			sv.StaffTransferred = p.StaffTransferred
		}
		sv.Evidence = appendEvidence(sv.Evidence, ev)
		sv.Sources = src
		s.activate(on, ev, src)
	case ServiceReturnedToSeparateDelivery:
		sv := s.service(p.Service)
		sv.Status, sv.Since = ServiceReturned, on
		sv.Evidence = appendEvidence(sv.Evidence, ev)
		sv.Sources = src
	case CostShareAgreed:
		from := p.AppliesFrom
		if from.IsZero() {
			from = on
		}
		cs := CostShare{Subject: p.Subject, Basis: p.Basis, Shares: p.Shares, AppliesFrom: from, ResetEachFY: p.ResetEachFY, Evidence: ev, Sources: src}
		if i := s.costShare(p.Subject); i >= 0 {
			s.CostShares[i] = cs
		} else {
			s.CostShares = append(s.CostShares, cs)
		}
	case SavingsTargetSet:
		s.figure(&Figure{Kind: FigureTarget, Council: p.Council, FinancialYear: p.FinancialYear, Category: p.Category, Amount: p.AmountPence, Evidence: ev, Sources: src})
	case SavingsReported:
		s.figure(&Figure{Kind: figureKind(p.Status), Council: p.Council, FinancialYear: p.FinancialYear, Category: p.Category, Amount: p.AmountPence, PeriodTo: p.PeriodTo, Evidence: ev, Sources: src})
	case OneOffCostIncurred:
		s.figure(&Figure{Kind: FigureOneOffCost, Council: p.Council, FinancialYear: p.FinancialYear, Category: p.Category, Amount: p.AmountPence, Evidence: ev, Sources: src})
	case ReviewScheduled:
		s.Reviews = append(s.Reviews, ScheduledReview{ReviewScheduled: p, ScheduledOn: on, Evidence: ev, Sources: src})
		s.ReviewDue = &ReviewDue{Review: p.Review, DueOn: p.DueOn, Bodies: p.Bodies, Terms: p.TermsOfReference, Evidence: ev, Sources: src}
	case ExternalReviewCommissioned:
		s.External = append(s.External, ExternalReview{ExternalReviewCommissioned: p, CommissionedOn: on, Evidence: ev, Sources: src})
	case ReviewOutcomeRecorded:
		s.Outcomes = append(s.Outcomes, ReviewOutcome{ReviewOutcomeRecorded: p, On: on, Evidence: ev, Sources: src})
		if s.Status.Value == StatusActive {
			s.setStatus(StatusUnderReview, on, "review outcomes are being recorded", ev, src)
		}
	case PartnershipDissolved:
		s.DissolvedOn = on
		s.setStatus(StatusDissolved, on, p.Reason, ev, src)
		s.Dissolution = &Dissolution{On: on, Reason: p.Reason, AuthorisedBy: p.AuthorisedBy, Evidence: ev, Sources: src}
		s.dissolve(on, ev, src)
	}
}

// dissolve ends the sharing on the day the partnership is dissolved: every appointment (and the
// statutory roles they carry, and roles held on their own: the partnership no longer records who
// holds them), every cost share, every service in shared delivery (returned to separate delivery
// that day) or only proposed (dropped: a proposal does not outlive the partnership), and every
// partner (now in Former, until that day): from that day nothing is shared. What is recorded after it is a wind-down (fold.go).
func (s *State) dissolve(on Date, ev []uuid.UUID, src []SourceRef) {
	if d := s.Dissolution; d != nil {
		for _, p := range s.Partners {
			d.Partners = append(d.Partners, p.Council.Council)
		}
		d.Appointments, d.Roles, d.CostShares = s.Appointments, s.Designations, s.CostShares
		for _, sv := range s.Services {
			if sv.Status == ServiceShared {
				d.Services = append(d.Services, sv.Service)
			}
		}
	}
	for _, r := range s.Designations {
		s.vacate(r, on, ev, src)
	}
	for len(s.Partners) > 0 {
		s.partnerLeaves(0, on)
	}
	s.Appointments, s.Designations, s.CostShares = nil, nil, nil
	s.lapse = Date{}
	var kept []Service
	for _, sv := range s.Services {
		switch sv.Status {
		case ServiceProposed:
			continue
		case ServiceShared:
			sv.Status, sv.Since = ServiceReturned, on
			sv.Evidence = appendEvidence(sv.Evidence, ev)
			sv.Sources = src
		}
		kept = append(kept, sv)
	}
	s.Services = kept
}

// partnerLeaves moves the active partner at index i to Former: not a partner from on.
func (s *State) partnerLeaves(i int, on Date) {
	p := s.Partners[i]
	p.Until = on
	s.Former = append(s.Former, p)
	s.Partners = slices.Delete(s.Partners, i, i+1)
}

// approve makes d the partner's approving decision: the partner is a partner since its date.
func (s *State) approve(p *Partner, d *Decision) {
	m := d.Minute
	p.Since, p.Approval = d.EffectiveOn, &m
	p.Evidence = appendEvidence(p.Evidence, d.Evidence)
}

// WasPartnerAtDissolution reports whether c was an active partner when the partnership was dissolved
// (false while it is not): the councils a wind-down event may name.
func (s *State) WasPartnerAtDissolution(c CouncilRef) bool {
	if s.DissolvedOn.IsZero() {
		return false
	}
	for _, p := range s.Former {
		if p.Council.Council == c && p.Until == s.DissolvedOn {
			return true
		}
	}
	return false
}

// appendEvidence returns evidence followed by more, never writing into evidence's array (which a
// fact may share with an event or another fact).
func appendEvidence(evidence, more []uuid.UUID) []uuid.UUID {
	if len(evidence) == 0 {
		return more
	}
	return append(slices.Clip(evidence), more...)
}

func (s *State) addPartner(c Council, since Date, ev []uuid.UUID, src []SourceRef) {
	if !slices.ContainsFunc(s.Named, func(n Council) bool { return n.Council == c.Council }) {
		s.Named = append(s.Named, c)
	}
	if s.partner(c.Council) >= 0 {
		return
	}
	s.Partners = append(s.Partners, Partner{Council: c, Since: since, Evidence: ev, Sources: src})
	// An approving decision taken before the council was named (a council decides before it joins):
	// the last one.
	for j := len(s.Decisions) - 1; j >= 0; j-- {
		if d := &s.Decisions[j]; d.Outcome == OutcomeApproved && d.Minute.Council == c.Council {
			s.approve(&s.Partners[len(s.Partners)-1], d)
			break
		}
	}
}

// partner returns the index in Partners of the active partner c, or -1.
func (s *State) partner(c CouncilRef) int {
	for i := range s.Partners {
		if s.Partners[i].Council.Council == c {
			return i
		}
	}
	return -1
}

// IsPartner reports whether c is an active partner.
func (s *State) IsPartner(c CouncilRef) bool { return s.partner(c) >= 0 }

// CouncilNamed returns the council c as the partnership named it (withdrawn partners too), and
// whether it was named.
func (s *State) CouncilNamed(c CouncilRef) (Council, bool) {
	for _, n := range s.Named {
		if n.Council == c {
			return n, true
		}
	}
	return Council{}, false
}

func (s *State) setStatus(value string, since Date, reason string, ev []uuid.UUID, src []SourceRef) {
	s.Status = Status{Value: value, Since: since, Reason: reason, Evidence: ev, Sources: src}
}

// activate marks a proposed partnership active when something is actually shared.
// The trial, if one was proposed, starts then.
func (s *State) activate(since Date, ev []uuid.UUID, src []SourceRef) {
	if s.Status.Value == "" || s.Status.Value == StatusProposed {
		s.setStatus(StatusActive, since, "", ev, src)
		if t := s.Trial; t != nil && t.From.IsZero() {
			t.From = since
			t.Evidence = appendEvidence(t.Evidence, ev)
		}
	}
}

// officerKey is an officer's identity: the name without case, runs of white space as one space.
func officerKey(name string) string {
	if isKey(name) {
		return name
	}
	return strings.ToLower(strings.Join(strings.Fields(name), " "))
}

// isKey reports whether name is already its own key (lower case ASCII, single spaces inside), so
// the usual name costs no allocation.
func isKey(name string) bool {
	prevSpace := true
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= 0x80, c == '\t', c == '\n', c == '\r', c == '\v', c == '\f':
			return false
		case c == ' ':
			if prevSpace {
				return false
			}
			prevSpace = true
		default:
			prevSpace = false
		}
	}
	return !prevSpace || name == ""
}

// SameOfficer reports whether two names name the same officer (see officerKey).
func SameOfficer(a, b string) bool { return officerKey(a) == officerKey(b) }

// SamePost reports whether two posts (or cost share subjects) are the same: compared without case.
func SamePost(a, b string) bool { return strings.EqualFold(a, b) }

// serviceKey is a service's identity: its name trimmed, without case.
func serviceKey(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

// AdvanceTo brings the state to date d without an event: every fixed-term appointment whose ends_on
// is before d lapses, with the statutory roles it carries, and every Ending whose last day is before d
// takes effect (its councils are no longer served, nor their roles held through the appointment). Apply does it before each event; a reader
// of the state as of a date after the last event folded (the read models' as_of) calls it with that
// date. Dates before the state's are a no-op.
func (s *State) AdvanceTo(d Date) {
	if s.lapse.IsZero() || !s.lapse.Before(d) {
		return
	}
	s.lapse = Date{}
	kept := s.Appointments[:0]
	for _, a := range s.Appointments {
		if !a.EndsOn.IsZero() && a.EndsOn.Before(d) {
			s.endRoles(a.key, a.Post, func(CouncilRef) bool { return true }, a.EndsOn.AddDays(1), a.Evidence, a.Sources)
			continue
		}
		if len(a.Ending) > 0 {
			var due []CouncilRef
			var rest []Ending
			for _, e := range a.Ending {
				if e.LastDay.Before(d) {
					due = append(due, e.Councils...)
					a = s.leave(a, e.Councils, e.LastDay.AddDays(1), e.Evidence, e.Sources)
				} else {
					rest = append(rest, e)
					s.noteLapse(e.LastDay)
				}
			}
			if due != nil {
				a.Ending = rest
				if len(a.Councils) == 0 {
					continue
				}
			}
		}
		if !a.EndsOn.IsZero() {
			s.noteLapse(a.EndsOn)
		}
		kept = append(kept, a)
	}
	clear(s.Appointments[len(kept):])
	s.Appointments = kept
}

// noteLapse keeps s.lapse the earliest last day of the appointments' fixed terms and endings.
func (s *State) noteLapse(d Date) {
	if s.lapse.IsZero() || d.Before(s.lapse) {
		s.lapse = d
	}
}

// leave returns a without the councils gone (an AppointmentEnded taking effect), ending the
// statutory roles it carries there. An appointment left with no council is out of force.
func (s *State) leave(a Appointment, gone []CouncilRef, from Date, ev []uuid.UUID, src []SourceRef) Appointment {
	a.Councils = slices.DeleteFunc(slices.Clone(a.Councils), func(c CouncilShare) bool { return slices.Contains(gone, c.Council) })
	s.endRoles(a.key, a.Post, func(c CouncilRef) bool { return slices.Contains(gone, c) }, from, ev, src)
	return a
}

// lapsesBefore reports whether some appointment lapses before d (AdvanceTo(d) would change the state).
func (s *State) lapsesBefore(d Date) bool { return !s.lapse.IsZero() && s.lapse.Before(d) }

// endRoles ends the statutory roles the officer's appointment in post carries at the councils at:
// each falls vacant from the day from, by the event ev (with its sources src).
func (s *State) endRoles(key, post string, at func(CouncilRef) bool, from Date, ev []uuid.UUID, src []SourceRef) {
	if post == "" {
		return
	}
	s.Designations = slices.DeleteFunc(slices.Clone(s.Designations), func(d Designation) bool {
		if d.key == key && d.Post != "" && strings.EqualFold(d.Post, post) && at(d.Council) {
			s.vacate(d, from, ev, src)
			return true
		}
		return false
	})
}

// vacate records that the designation d ended, from the day from, by the event ev: its role at its
// council has no holder until another is designated.
func (s *State) vacate(d Designation, from Date, ev []uuid.UUID, src []SourceRef) {
	s.Vacancies = append(slices.DeleteFunc(s.Vacancies, func(v Vacancy) bool { return v.Council == d.Council && v.Role == d.Role }),
		Vacancy{Council: d.Council, Role: d.Role, Since: from, Officer: d.Officer, Post: d.Post,
			Evidence: appendEvidence(d.Evidence, ev), Sources: src})
}

// VacancyOf returns the vacancy of role at c, and whether the role is vacant in the record.
func (s *State) VacancyOf(c CouncilRef, role StatutoryRole) (Vacancy, bool) {
	for _, v := range s.Vacancies {
		if v.Council == c && v.Role == role {
			return v, true
		}
	}
	return Vacancy{}, false
}

// designate makes d's officer the holder of d's role at d's council, when the role is free (one
// holder at a time: invariant 4). When the officer holds it already, an appointment's statutory_role
// takes over a role held on its own, and a StatutoryRoleDesignated confirms the designation (its
// evidence and sources join it).
func (s *State) designate(d Designation) {
	j := s.designation(d.Council, d.Role)
	if j < 0 {
		if len(s.Vacancies) > 0 {
			s.Vacancies = slices.DeleteFunc(s.Vacancies, func(v Vacancy) bool { return v.Council == d.Council && v.Role == d.Role })
		}
		s.Designations = append(s.Designations, d)
		if d.Post == "" {
			s.placeholder(d.key)
		}
		return
	}
	held := &s.Designations[j]
	switch {
	case held.key != d.key:
		return // held by another officer: Decide refuses this
	case held.Post == "" && d.Post != "":
		held.Post = d.Post
		s.placeholder(d.key)
	default:
		held.Evidence = appendEvidence(held.Evidence, d.Evidence)
		held.Sources = d.Sources
	}
}

// placeholder keeps the post-less appointment of an officer in step with the roles the officer holds
// on their own (Designation.Post ""): it serves those councils, and goes when there are none.
func (s *State) placeholder(key string) {
	var councils []CouncilShare
	first := -1
	for j := range s.Designations {
		if d := &s.Designations[j]; d.key == key && d.Post == "" {
			if first < 0 {
				first = j
			}
			if !slices.ContainsFunc(councils, func(c CouncilShare) bool { return c.Council == d.Council }) {
				councils = append(councils, CouncilShare{Council: d.Council})
			}
		}
	}
	i := slices.IndexFunc(s.Appointments, func(a Appointment) bool { return a.key == key && a.Post == "" })
	switch {
	case i < 0 && first >= 0:
		d := &s.Designations[first]
		s.Appointments = append(s.Appointments, Appointment{Officer: d.Officer, StartsOn: d.Since, Councils: councils,
			Evidence: d.Evidence, Sources: d.Sources, key: key})
	case i >= 0 && first < 0:
		s.Appointments = slices.Delete(s.Appointments, i, i+1)
	case i >= 0:
		s.Appointments[i].Councils = councils
	}
}

// servingAppointment returns the index of the officer's first joint appointment (with a post) that
// serves c, or -1.
func (s *State) servingAppointment(key string, c CouncilRef) int {
	for i := range s.Appointments {
		if a := &s.Appointments[i]; a.key == key && a.Post != "" && a.serves(c) {
			return i
		}
	}
	return -1
}

// RolesOf returns the statutory roles the appointment carries (see Designation.Post), in the order
// they were designated.
func (s *State) RolesOf(a *Appointment) []Designation {
	var out []Designation
	for _, d := range s.Designations {
		if d.key == a.key && (d.Post == a.Post || strings.EqualFold(d.Post, a.Post)) {
			out = append(out, d)
		}
	}
	return out
}

// appointmentInForce returns the index of the officer's appointment in post (the last one, should
// there be several), or -1: every appointment in the state is in force on the date the state was
// advanced to (AdvanceTo; Apply advances to each event's date). Posts without a joint appointment
// never match.
func (s *State) appointmentInForce(key, post string) int {
	found := -1
	for i := range s.Appointments {
		a := &s.Appointments[i]
		if a.key == key && a.Post != "" && strings.EqualFold(a.Post, post) {
			found = i
		}
	}
	return found
}

// LastDayAt returns the last day the appointment serves c by an Ending (an AppointmentEnded in
// effect whose last day has not passed), or the zero Date when none names c.
func (a *Appointment) LastDayAt(c CouncilRef) Date {
	for _, e := range a.Ending {
		if slices.Contains(e.Councils, c) {
			return e.LastDay
		}
	}
	return Date{}
}

// AppointmentOf returns the officer's appointment in post (names compared as SameOfficer, posts
// as SamePost), and whether there is one.
func (s *State) AppointmentOf(officer, post string) (Appointment, bool) {
	key := officerKey(officer)
	for _, a := range s.Appointments {
		if a.key == key && a.Post != "" && strings.EqualFold(a.Post, post) {
			return a, true
		}
	}
	return Appointment{}, false
}

// designation returns the index of the designation of role at c, or -1.
func (s *State) designation(c CouncilRef, role StatutoryRole) int {
	for i := range s.Designations {
		if d := &s.Designations[i]; d.Council == c && d.Role == role {
			return i
		}
	}
	return -1
}

// service returns the service named name (compared as serviceKey), adding it when new.
func (s *State) service(name string) *Service {
	if i := s.serviceIndex(name); i >= 0 {
		return &s.Services[i]
	}
	s.Services = append(s.Services, Service{Service: name})
	return &s.Services[len(s.Services)-1]
}

func (s *State) serviceIndex(name string) int {
	for i := range s.Services {
		if sameService(s.Services[i].Service, name) {
			return i
		}
	}
	return -1
}

func sameService(a, b string) bool {
	return a == b || strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

// costShare returns the index of the cost share of subject (compared without case), or -1.
func (s *State) costShare(subject string) int {
	for i := range s.CostShares {
		if strings.EqualFold(s.CostShares[i].Subject, subject) {
			return i
		}
	}
	return -1
}

// CostShareOf returns the cost share of a subject — a post or a service — compared without case.
func (s *State) CostShareOf(subject string) (CostShare, bool) {
	if i := s.costShare(subject); i >= 0 {
		return s.CostShares[i], true
	}
	if k := serviceKey(subject); k != subject {
		if i := s.costShare(k); i >= 0 {
			return s.CostShares[i], true
		}
	}
	return CostShare{}, false
}

// figure adds a money figure to its council's account for its year.
func (s *State) figure(f *Figure) {
	acct := s.account(f.Council, f.FinancialYear)
	if f.Kind != FigureOneOffCost {
		if i := acct.latest(f.Kind, f.Category); i >= 0 {
			acct.Figures[i] = *f
			return
		}
		acct.stated = append(acct.stated, int32(len(acct.Figures)))
		if acct.index != nil {
			acct.index[figureKey{f.Kind, f.Category}] = len(acct.Figures)
		}
	}
	acct.Figures = append(acct.Figures, *f)
}

// figureKind is a savings report's status as the figure's kind: the package's own string for the
// kinds it knows, so that Account.latest compares kinds by their memory (the same string) before
// their bytes.
func figureKind(status string) string {
	switch status {
	case SavingsForecast:
		return SavingsForecast
	case SavingsOutturn:
		return SavingsOutturn
	}
	return status
}

// figureKey identifies the latest figure of a kind in a category.
type figureKey struct{ kind, category string }

// indexFrom is the number of targets, forecasts and outturns above which an account keeps a map of
// them: a few (a council has a handful of categories) are searched faster in order, but a ledger may
// record thousands.
const indexFrom = 32

// latest returns the index in Figures of the figure of kind in category, or -1.
func (a *Account) latest(kind, category string) int {
	if a.index == nil && len(a.stated) > indexFrom {
		a.index = make(map[figureKey]int, 2*len(a.stated))
		for _, i := range a.stated {
			a.index[figureKey{a.Figures[i].Kind, a.Figures[i].Category}] = int(i)
		}
	}
	if a.index != nil {
		if i, ok := a.index[figureKey{kind, category}]; ok {
			return i
		}
		return -1
	}
	for _, i := range a.stated {
		if f := &a.Figures[i]; f.Kind == kind && f.Category == category {
			return int(i)
		}
	}
	return -1
}

func (s *State) account(c CouncilRef, fy FinancialYear) *Account {
	if i := s.lastAcct; i >= 0 && i < len(s.Accounts) && s.Accounts[i].FinancialYear == fy && s.Accounts[i].Council == c {
		return &s.Accounts[i]
	}
	// From the newest: figures are mostly of the latest years, whose accounts were opened last.
	for i := len(s.Accounts) - 1; i >= 0; i-- {
		if s.Accounts[i].FinancialYear == fy && s.Accounts[i].Council == c { // the year first: a number
			s.lastAcct = i
			return &s.Accounts[i]
		}
	}
	n := len(s.Accounts)
	if n < cap(s.Accounts) {
		// A state Reset for another fold: use the account's memory again.
		s.Accounts = s.Accounts[:n+1]
		a := &s.Accounts[n]
		*a = Account{Council: c, FinancialYear: fy, Figures: a.Figures[:0], stated: a.stated[:0]}
	} else {
		s.Accounts = append(s.Accounts, Account{Council: c, FinancialYear: fy})
	}
	s.lastAcct = n
	return &s.Accounts[n]
}

// Reset empties the state for another fold, keeping the memory of its lists: a caller folding many
// histories one after another (the read models fold one per query) allocates less. Nothing read from
// the state before Reset may be used after it.
func (s *State) Reset() {
	accounts := s.Accounts[:0]
	decisions := s.Decisions[:0]
	*s = State{Accounts: accounts, Decisions: decisions, lastAcct: -1}
}

// Totals are an account's figures summed. A figure not recorded is absent (its Has... false), never 0.
type Totals struct {
	Target, Forecast, Outturn, OneOffCosts        Pence
	HasTarget, HasForecast, HasOutturn, HasOneOff bool
}

// Totals sums the account: the latest target, forecast and outturn of each category, and every
// one-off cost.
func (a Account) Totals() Totals {
	var t Totals
	for _, f := range a.Figures {
		switch f.Kind {
		case FigureTarget:
			t.Target += f.Amount
			t.HasTarget = true
		case SavingsForecast:
			t.Forecast += f.Amount
			t.HasForecast = true
		case SavingsOutturn:
			t.Outturn += f.Amount
			t.HasOutturn = true
		case FigureOneOffCost:
			t.OneOffCosts += f.Amount
			t.HasOneOff = true
		}
	}
	return t
}

// Net is the outturn when there is one, else the forecast, less one-off costs; ok is false when
// it cannot be worked out: neither an outturn nor a forecast is recorded, or no one-off cost is (an
// absent value is absent, never £0: docs/domain.md, rule 7). A net from a forecast is a forecast
// net saving, never a saving.
func (t Totals) Net() (net Pence, ok bool) {
	if !t.HasOneOff {
		return 0, false
	}
	switch {
	case t.HasOutturn:
		return t.Outturn - t.OneOffCosts, true
	case t.HasForecast:
		return t.Forecast - t.OneOffCosts, true
	}
	return 0, false
}

// BelowTarget reports whether the figures it compares are all recorded and fall short: a target
// above zero, and a net saving (an outturn or a forecast, less one-off costs: Net) below it. Without
// a target, a forecast or outturn, or one-off costs there is nothing to compare, and nothing is
// below target.
func (t Totals) BelowTarget() bool {
	net, ok := t.Net()
	return ok && t.HasTarget && t.Target > 0 && net < t.Target
}

// OutcomeConflict is a scheduled review for which councils recorded different outcomes: the
// councils disagree on the partnership's future, a matter for their committees.
type OutcomeConflict struct {
	Review   string
	Outcomes []ReviewOutcome // one per council, in the order recorded
}

// OutcomeConflicts lists, in the order the reviews' first outcomes were recorded, each review whose
// outcomes (compared without case, spaces as underscores: "make permanent" is make_permanent) differ
// between councils.
func (s *State) OutcomeConflicts() []OutcomeConflict {
	var out []OutcomeConflict
	var seen []string
	norm := func(o string) string { return strings.ToLower(strings.ReplaceAll(strings.TrimSpace(o), " ", "_")) }
	for _, o := range s.Outcomes {
		if slices.ContainsFunc(seen, func(r string) bool { return strings.EqualFold(r, o.Review) }) {
			continue
		}
		seen = append(seen, o.Review)
		var same []ReviewOutcome
		differ := false
		for _, p := range s.Outcomes {
			if strings.EqualFold(p.Review, o.Review) {
				same = append(same, p)
				differ = differ || norm(p.Outcome) != norm(o.Outcome)
			}
		}
		if differ {
			out = append(out, OutcomeConflict{Review: o.Review, Outcomes: same})
		}
	}
	return out
}
