package domain

import (
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"
)

// What an event did to a partnership, fact by fact and field by field, from the one fold: ledger
// replay shows it. ApplyEffect folds an event like Apply and reports its Effect; Facts lists a state's
// facts in the same uniform form.

// FactKind names a kind of fact of a State.
type FactKind string

// The kinds of fact, in the order Facts lists them.
const (
	FactPartnership    FactKind = "partnership"     // name, purpose, scope
	FactPartner        FactKind = "partner"         // key: council slug
	FactStatus         FactKind = "status"          // key: ""
	FactTrialPeriod    FactKind = "trial_period"    // key: ""
	FactReviewDue      FactKind = "review_due"      // key: ""
	FactAppointment    FactKind = "appointment"     // key: officer key | post (lower case)
	FactDesignation    FactKind = "statutory_role"  // key: council | role
	FactService        FactKind = "service"         // key: the service's name, lower case
	FactCostShare      FactKind = "cost_share"      // key: the subject, lower case
	FactFigure         FactKind = "savings_figure"  // key: council | financial year | kind | category (a one-off cost: | event id)
	FactDecision       FactKind = "decision"        // key: the event id
	FactAgreement      FactKind = "agreement"       // key: the reference
	FactFunding        FactKind = "funding"         // key: the event id
	FactBusinessCase   FactKind = "business_case"   // key: the event id
	FactReview         FactKind = "review"          // key: the review's name
	FactExternalReview FactKind = "external_review" // key: the event id
	FactReviewOutcome  FactKind = "review_outcome"  // key: review | council
)

// Field is one field of a fact. Value holds a domain value type (Date, Pence, BasisPoints,
// FinancialYear, CouncilRef, StatutoryRole), a string, an int or a bool, or a slice of these as
// text ([]string); a field that is not recorded is left out of the fact rather than given a zero.
type Field struct {
	Name  string
	Value any
}

// Text returns the value as text for comparisons and plain output: dates YYYY-MM-DD, money in
// whole pence, shares in basis points, lists joined with ", ".
func (f Field) Text() string {
	switch v := f.Value.(type) {
	case string:
		return v
	case Date:
		return v.String()
	case Pence:
		return fmt.Sprint(int64(v))
	case BasisPoints:
		return fmt.Sprint(int(v))
	case FinancialYear:
		return v.String()
	case CouncilRef:
		return v.String()
	case []string:
		return strings.Join(v, ", ")
	}
	return fmt.Sprint(f.Value)
}

// Fact is one fact of a State in a uniform form: its kind, its identity within the kind, its fields
// in a fixed order, and the events it comes from.
type Fact struct {
	Kind     FactKind
	Key      string
	Fields   []Field
	Evidence []uuid.UUID
}

// Get returns the value of the named field, and whether the fact has it.
func (f Fact) Get(name string) (any, bool) {
	for _, x := range f.Fields {
		if x.Name == name {
			return x.Value, true
		}
	}
	return nil, false
}

// FieldChange is one field of a fact that an event changed. Before is nil for a field the event
// added, After nil for one it removed.
type FieldChange struct {
	Name          string
	Before, After any
}

// FactChange is a fact an event changed, with the fields that changed.
type FactChange struct {
	Kind     FactKind
	Key      string
	Changes  []FieldChange
	Evidence []uuid.UUID // the fact's evidence after the event
}

// Effect is what one event did to the state: the facts it made true, those it changed (field by
// field) and those it ended. An event can have no effect on the state: an event of a type this build
// does not know, or one that breaks a rule (Decide refuses those; see Apply).
type Effect struct {
	Event   uuid.UUID
	Type    string
	Made    []Fact
	Changed []FactChange
	Ended   []Fact
	// Lapsed and LapseChanged are the facts that the passage of time ended or changed before the
	// event took effect, not the event: appointments whose fixed term's ends_on or an
	// AppointmentEnded's last_day passed (no longer serving some councils, or none), with the
	// statutory roles they carried there (State.AdvanceTo).
	Lapsed       []Fact
	LapseChanged []FactChange
}

// IsZero reports whether the event changed no fact.
func (e Effect) IsZero() bool { return len(e.Made) == 0 && len(e.Changed) == 0 && len(e.Ended) == 0 }

// ApplyEffect folds e like Apply and returns its Effect. It lists, before and after, only the facts
// the event can touch: of the kinds an event of e's type can make, change or end, and within a kind
// that grows with history only the facts of the event's identity (a figure's council, financial year
// and category; an appointment's officer; a designation's council and role; the event's own entry in
// a register). Its cost is in proportion to those facts, not to the history, so replaying a history
// is linear in its length; rebuilding read models uses Apply.
func (s *State) ApplyEffect(e Effective) Effect {
	lapse := s.AdvanceEffect(e.EffectiveOn)
	eff := s.applyEffect(e)
	eff.Lapsed, eff.LapseChanged = lapse.Ended, lapse.Changed
	return eff
}

// AdvanceEffect advances the state to d as AdvanceTo does and returns what the passage of time did
// (in Ended and Changed; Event and Type are zero): the appointments whose ends_on or last_day is
// before d, and the statutory roles they carried. A reader of the state as of d after the last event
// (ledger replay) calls it with d.
func (s *State) AdvanceEffect(d Date) Effect {
	if !s.lapsesBefore(d) {
		return Effect{}
	}
	kinds := []FactKind{FactAppointment, FactDesignation}
	before := s.facts(kinds, nil)
	s.AdvanceTo(d)
	return diffFacts(Effective{}, before, s.facts(kinds, nil))
}

func (s *State) applyEffect(e Effective) Effect {
	kinds := touches(e.Type)
	in := scopeOf(e)
	before := s.facts(kinds, in)
	s.Apply(e)
	after := s.facts(kinds, in)
	return diffFacts(e, before, after)
}

// FactsFor lists the facts of the state that e can touch, in Facts order: those ApplyEffect compares
// before and after e. Every fact e made, changed or restated is among them (a fact changed by e is
// found here after ApplyEffect without listing the whole state).
func (s *State) FactsFor(e Effective) []Fact { return s.facts(touches(e.Type), scopeOf(e)) }

// scope narrows the facts listed within a kind to those an event can touch. A kind's facts are kept
// by a test on their key (every fact of a kept key is kept), so an Effect over a scope is the Effect
// over the whole kind: a fact left out has a key the event cannot make, change or end.
type scope struct {
	figure      bool // figures: only Council, FinancialYear, Category
	council     CouncilRef
	fy          FinancialYear
	category    string
	officer     string // appointments: only those of this officer key ("" = all)
	designation bool   // designations: only Council and Role
	role        StatutoryRole
	entry       bool // registers keyed by event id: only the entry first stated by id
	id          uuid.UUID
	review      string // scheduled reviews and outcomes: only this review ("" = all)
	outcome     bool   // review outcomes: only review and council
}

// scopeOf returns the scope of the facts e can touch; nil means every fact of the kinds.
func scopeOf(e Effective) *scope {
	var first uuid.UUID
	if len(e.Evidence) > 0 {
		first = e.Evidence[0]
	}
	switch p := e.Payload.(type) {
	case SavingsTargetSet:
		return &scope{figure: true, council: p.Council, fy: p.FinancialYear, category: p.Category}
	case SavingsReported:
		return &scope{figure: true, council: p.Council, fy: p.FinancialYear, category: p.Category}
	case OneOffCostIncurred:
		return &scope{figure: true, council: p.Council, fy: p.FinancialYear, category: p.Category}
	case JointAppointmentMade:
		return &scope{officer: officerKey(p.Officer.Name)}
	case AppointmentEnded:
		return &scope{officer: officerKey(p.Officer.Name)}
	case StatutoryRoleDesignated:
		return &scope{officer: officerKey(p.Officer.Name), designation: true, council: p.Council, role: p.Role}
	case StatutoryRoleVacated:
		return &scope{officer: officerKey(p.Officer.Name), designation: true, council: p.Council, role: p.Role}
	case DecisionTaken, ExternalFundingAwarded, BusinessCasePublished, ExternalReviewCommissioned:
		return &scope{entry: true, id: first}
	case ReviewScheduled:
		return &scope{review: p.Review}
	case ReviewOutcomeRecorded:
		return &scope{review: p.Review, outcome: true, council: p.Council}
	}
	return nil
}

// firstIs reports whether a register entry's key (firstID of its evidence) is the scope's entry.
func (in *scope) firstIs(ev []uuid.UUID) bool {
	if in == nil || !in.entry {
		return true
	}
	if len(ev) == 0 {
		return in.id == uuid.Nil
	}
	return ev[0] == in.id
}

// touches lists the kinds of fact an event of the type can make, change or end.
func touches(typ string) []FactKind {
	switch typ {
	case TypePartnershipProposed:
		return []FactKind{FactPartnership, FactPartner, FactStatus, FactTrialPeriod, FactReviewDue}
	case TypeCouncilJoinedPartnership, TypeWithdrawalNoticeGiven, TypeCouncilWithdrew:
		return []FactKind{FactPartner}
	case TypeDecisionTaken:
		return []FactKind{FactPartner, FactDecision} // an approving decision: a partner since its date
	case TypeAgreementExecuted, TypeAgreementVaried:
		return []FactKind{FactStatus, FactTrialPeriod, FactAgreement} // the first thing shared starts the trial
	case TypeExternalFundingAwarded:
		return []FactKind{FactFunding}
	case TypeBusinessCasePublished:
		return []FactKind{FactBusinessCase}
	case TypeJointAppointmentMade, TypeAppointmentEnded:
		return []FactKind{FactStatus, FactTrialPeriod, FactAppointment, FactDesignation}
	case TypeStatutoryRoleDesignated, TypeStatutoryRoleVacated:
		return []FactKind{FactDesignation, FactAppointment}
	case TypeServiceSharingProposed, TypeServiceMovedToSharedDelivery, TypeServiceReturnedToSeparateDelivery:
		return []FactKind{FactStatus, FactTrialPeriod, FactService}
	case TypeCostShareAgreed:
		return []FactKind{FactCostShare}
	case TypeSavingsTargetSet, TypeSavingsReported, TypeOneOffCostIncurred:
		return []FactKind{FactFigure}
	case TypeReviewScheduled:
		return []FactKind{FactReview, FactReviewDue}
	case TypeExternalReviewCommissioned:
		return []FactKind{FactExternalReview}
	case TypeReviewOutcomeRecorded:
		return []FactKind{FactReviewOutcome, FactStatus}
	case TypePartnershipDissolved: // ends the sharing (State.dissolve)
		return []FactKind{FactPartner, FactStatus, FactAppointment, FactDesignation, FactService, FactCostShare}
	}
	return nil
}

// allKinds is every kind, in the order Facts lists them.
var allKinds = []FactKind{FactPartnership, FactPartner, FactStatus, FactTrialPeriod, FactReviewDue, FactAppointment,
	FactDesignation, FactService, FactCostShare, FactFigure, FactDecision, FactAgreement, FactFunding, FactBusinessCase,
	FactReview, FactExternalReview, FactReviewOutcome}

// Facts lists every fact of the state in the uniform form, kind by kind (in the order of the FactKind
// constants), each kind in the order its facts were first stated.
func (s *State) Facts() []Fact { return s.facts(allKinds, nil) }

// facts lists the facts of kinds within the scope in (nil: all).
func (s *State) facts(kinds []FactKind, in *scope) []Fact {
	var out []Fact
	fact := func(kind FactKind, key string, ev []uuid.UUID, fields ...Field) {
		kept := fields[:0]
		for _, f := range fields {
			if present(f.Value) {
				kept = append(kept, f)
			}
		}
		out = append(out, Fact{Kind: kind, Key: key, Fields: kept, Evidence: ev})
	}
	for _, k := range kinds {
		switch k {
		case FactPartnership:
			if s.Proposed {
				fact(k, "", nil, Field{"name", s.Name}, Field{"purpose", s.Purpose}, Field{"scope", s.Scope})
			}
		case FactPartner:
			for _, p := range s.Partners {
				f := []Field{{"council", p.Council.Council}, {"name", p.Council.Name}, {"kind", string(p.Council.Kind)},
					{"ons_code", p.Council.ONSCode}, {"since", p.Since}}
				if p.Approval != nil {
					f = append(f, Field{"approved_by", p.Approval.Raw})
				}
				if n := p.Notice; n != nil {
					f = append(f, Field{"notice_given_on", n.GivenOn}, Field{"notice_days", n.NoticeDays}, Field{"proposed_end", n.ProposedEnd})
				}
				ev := p.Evidence
				if p.Notice != nil {
					ev = appendEvidence(ev, p.Notice.Evidence)
				}
				fact(k, p.Council.Council.String(), ev, f...)
			}
		case FactStatus:
			if s.Status.Value != "" {
				fact(k, "", s.Status.Evidence, Field{"value", s.Status.Value}, Field{"since", s.Status.Since}, Field{"reason", s.Status.Reason})
			}
		case FactTrialPeriod:
			if t := s.Trial; t != nil {
				fact(k, "", t.Evidence, Field{"from", t.From}, Field{"to", t.To})
			}
		case FactReviewDue:
			if r := s.ReviewDue; r != nil {
				fact(k, "", r.Evidence, Field{"review", r.Review}, Field{"due_on", r.DueOn}, Field{"bodies", bodiesText(r.Bodies)},
					Field{"terms_of_reference", r.Terms})
			}
		case FactAppointment:
			for i := range s.Appointments {
				a := &s.Appointments[i]
				if in != nil && in.officer != "" && a.key != in.officer {
					continue
				}
				fact(k, a.key+"|"+strings.ToLower(a.Post), a.Evidence, Field{"officer", a.Officer.Name}, Field{"post", a.Post},
					Field{"statutory_role", a.StatutoryRole}, Field{"employing_council", a.EmployingCouncil},
					Field{"councils", sharesText(a.Councils)}, Field{"basis", a.Basis}, Field{"starts_on", a.StartsOn},
					Field{"ends_on", a.EndsOn}, Field{"last_days", endingsText(a.Ending)}, Field{"statutory_roles", rolesText(s.RolesOf(a))})
			}
		case FactDesignation:
			for _, d := range s.Designations {
				if in != nil && in.designation && (d.Council != in.council || d.Role != in.role) {
					continue
				}
				if in != nil && !in.designation && in.officer != "" && d.key != in.officer {
					continue // an appointment's event makes or ends only its officer's roles
				}
				fact(k, d.Council.String()+"|"+string(d.Role), d.Evidence, Field{"council", d.Council}, Field{"role", d.Role},
					Field{"officer", d.Officer.Name}, Field{"since", d.Since})
			}
		case FactService:
			for _, sv := range s.Services {
				f := []Field{{"service", sv.Service}, {"status", sv.Status}, {"since", sv.Since}, {"lead_council", sv.LeadCouncil},
					{"receiving_councils", refsText(sv.ReceivingCouncils)}, {"candidates", refsText(sv.Candidates)}, {"agreement", sv.Agreement}}
				if sv.StaffTransferred != nil {
					f = append(f, Field{"staff_transferred", *sv.StaffTransferred})
				}
				fact(k, serviceKey(sv.Service), sv.Evidence, f...)
			}
		case FactCostShare:
			for _, c := range s.CostShares {
				parts := make([]string, len(c.Shares))
				for i, sh := range c.Shares {
					parts[i] = fmt.Sprintf("%s %d", sh.Council, int(sh.BasisPoints))
				}
				fact(k, strings.ToLower(c.Subject), c.Evidence, Field{"subject", c.Subject}, Field{"basis", c.Basis},
					Field{"shares", parts}, Field{"applies_from", c.AppliesFrom}, Field{"reset_each_financial_year", c.ResetEachFY})
			}
		case FactFigure:
			for _, a := range s.Accounts {
				if in != nil && in.figure && (a.Council != in.council || a.FinancialYear != in.fy) {
					continue
				}
				for _, f := range a.Figures {
					if in != nil && in.figure && f.Category != in.category {
						continue
					}
					key := f.Council.String() + "|" + f.FinancialYear.String() + "|" + f.Kind + "|" + f.Category
					if f.Kind == FigureOneOffCost {
						key += "|" + firstID(f.Evidence)
					}
					fact(k, key, f.Evidence, Field{"council", f.Council}, Field{"financial_year", f.FinancialYear},
						Field{"kind", f.Kind}, Field{"category", f.Category}, Field{"amount", f.Amount}, Field{"period_to", f.PeriodTo})
				}
			}
		case FactDecision:
			for _, d := range s.Decisions {
				if !in.firstIs(d.Evidence) {
					continue
				}
				f := []Field{{"minute", d.Minute.String()}, {"body", d.Minute.Body}, {"council", d.Minute.Council},
					{"resolution", d.Resolution}, {"outcome", d.Outcome}, {"key_decision", d.KeyDecision},
					{"call_in_applies", d.CallInApplies}, {"effective_on", d.EffectiveOn}}
				if v := d.Votes; v != nil {
					f = append(f, Field{"votes", fmt.Sprintf("%d for, %d against, %d abstentions", v.For, v.Against, v.Abstentions)})
				}
				fact(k, firstID(d.Evidence), d.Evidence, f...)
			}
		case FactAgreement:
			for _, a := range s.Agreements {
				fact(k, a.Reference, a.Evidence, Field{"reference", a.Reference}, Field{"kind", a.Kind}, Field{"title", a.Title},
					Field{"parties", refsText(a.Parties)}, Field{"signed", a.Signed}, Field{"commences", a.Commences},
					Field{"ends", a.Ends}, Field{"notice_days", a.NoticeDays}, Field{"review_due", a.ReviewDue},
					Field{"variations", a.Variations})
			}
		case FactFunding:
			for _, f := range s.Funding {
				if !in.firstIs(f.Evidence) {
					continue
				}
				fact(k, firstID(f.Evidence), f.Evidence, Field{"funder", f.Funder}, Field{"recipients", refsText(f.Recipients)},
					Field{"amount", f.AmountPence}, Field{"purpose", f.Purpose}, Field{"awarded_on", f.AwardedOn})
			}
		case FactBusinessCase:
			for _, b := range s.BusinessCases {
				if !in.firstIs(b.Evidence) {
					continue
				}
				fact(k, firstID(b.Evidence), b.Evidence, Field{"document", b.Document}, Field{"options", b.Options},
					Field{"projected_savings", amountsText(b.ProjectedSavings)}, Field{"one_off_costs", amountsText(b.OneOffCosts)},
					Field{"published_on", b.PublishedOn})
			}
		case FactReview:
			for _, r := range s.Reviews {
				if in != nil && in.review != "" && r.Review != in.review {
					continue
				}
				fact(k, r.Review, r.Evidence, Field{"review", r.Review}, Field{"due_on", r.DueOn}, Field{"bodies", bodiesText(r.Bodies)},
					Field{"terms_of_reference", r.TermsOfReference})
			}
		case FactExternalReview:
			for _, r := range s.External {
				if !in.firstIs(r.Evidence) {
					continue
				}
				fact(k, firstID(r.Evidence), r.Evidence, Field{"reviewer", r.Reviewer}, Field{"scope", r.Scope}, Field{"review", r.Review},
					Field{"commissioned_on", r.CommissionedOn})
			}
		case FactReviewOutcome:
			for _, o := range s.Outcomes {
				if in != nil && in.outcome && (o.Review != in.review || o.Council != in.council) {
					continue
				}
				f := []Field{{"review", o.Review}, {"council", o.Council}, {"outcome", o.Outcome}, {"rationale", o.Rationale}, {"on", o.On}}
				if o.Minute != nil {
					f = append(f, Field{"minute", o.Minute.String()})
				}
				fact(k, o.Review+"|"+o.Council.String(), o.Evidence, f...)
			}
		}
	}
	return out
}

// present reports whether a field's value was recorded: zero dates, empty text and empty lists are
// left out of a fact. Numbers and booleans are kept as recorded, 0 and false included.
func present(v any) bool {
	switch x := v.(type) {
	case string:
		return x != ""
	case Date:
		return !x.IsZero()
	case CouncilRef:
		return !x.IsZero()
	case StatutoryRole:
		return x != ""
	case []string:
		return len(x) > 0
	}
	return v != nil
}

func refsText(cs []CouncilRef) []string {
	if len(cs) == 0 {
		return nil
	}
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.String()
	}
	return out
}

func sharesText(cs []CouncilShare) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = fmt.Sprintf("%s %d", c.Council, int(c.TimeShareBasisPoints))
	}
	return out
}

// endingsText gives an appointment's endings not yet in effect as "council last-day", one a council.
func endingsText(es []Ending) []string {
	var out []string
	for _, e := range es {
		for _, c := range e.Councils {
			out = append(out, fmt.Sprintf("%s %s", c, e.LastDay))
		}
	}
	return out
}

func rolesText(rs []Designation) []string {
	if len(rs) == 0 {
		return nil
	}
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = fmt.Sprintf("%s at %s since %s", r.Role, r.Council, r.Since)
	}
	return out
}

func bodiesText(bs []BodyRef) []string {
	if len(bs) == 0 {
		return nil
	}
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = b.Body + " of " + b.Council.String()
	}
	return out
}

func amountsText(as []CouncilAmount) []string {
	if len(as) == 0 {
		return nil
	}
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = fmt.Sprintf("%s %s %s %d", a.Council, a.FinancialYear, a.Category, int64(a.AmountPence))
	}
	return out
}

// firstID is the id of the event that stated a fact first ("" when a caller folded events without
// evidence).
func firstID(ev []uuid.UUID) string {
	if len(ev) == 0 {
		return ""
	}
	return ev[0].String()
}

// diffFacts compares the facts of the touched kinds before and after e.
func diffFacts(e Effective, before, after []Fact) Effect {
	eff := Effect{Event: e.ID, Type: e.Type}
	type id struct {
		kind FactKind
		key  string
	}
	old := make(map[id]int, len(before))
	for i, f := range before {
		old[id{f.Kind, f.Key}] = i
	}
	seen := make([]bool, len(before))
	for _, f := range after {
		i, ok := old[id{f.Kind, f.Key}]
		if !ok {
			eff.Made = append(eff.Made, f)
			continue
		}
		seen[i] = true
		if ch := diffFields(before[i].Fields, f.Fields); len(ch) > 0 {
			eff.Changed = append(eff.Changed, FactChange{Kind: f.Kind, Key: f.Key, Changes: ch, Evidence: f.Evidence})
		}
	}
	for i, f := range before {
		if !seen[i] {
			eff.Ended = append(eff.Ended, f)
		}
	}
	return eff
}

func diffFields(before, after []Field) []FieldChange {
	var out []FieldChange
	for _, a := range after {
		var b *Field
		for i := range before {
			if before[i].Name == a.Name {
				b = &before[i]
				break
			}
		}
		switch {
		case b == nil:
			out = append(out, FieldChange{Name: a.Name, After: a.Value})
		case b.Text() != a.Text():
			out = append(out, FieldChange{Name: a.Name, Before: b.Value, After: a.Value})
		}
	}
	for _, b := range before {
		if !slices.ContainsFunc(after, func(a Field) bool { return a.Name == b.Name }) {
			out = append(out, FieldChange{Name: b.Name, Before: b.Value})
		}
	}
	return out
}
