package projections

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/words"
)

// Evidence lists the ids of the events a fact comes from: the event that stated it, and any
// correction that changed it. It is never empty in a view.
type Evidence []uuid.UUID

// Axes says where in both times a view was taken.
type Axes struct {
	AsOf    domain.Date `json:"as_of"`    // YYYY-MM-DD
	KnownAt KnownAtInfo `json:"known_at"` // the prefix of the log the view reflects
}

// KnownAtInfo is a resolved known_at: the last seq of the global log included, the recorded_at that
// seq stands for (the running maximum along seq), and the value as it was asked for.
type KnownAtInfo struct {
	Seq        uint64     `json:"seq"`
	RecordedAt *time.Time `json:"recorded_at,omitempty"` // absent when nothing is known (seq 0)
	Requested  string     `json:"requested"`             // "all" by default
}

// Summary is one partnership in the partnerships list.
type Summary struct {
	Partnership string   `json:"partnership"` // the slug
	Name        string   `json:"name"`
	Purpose     string   `json:"purpose,omitempty"`
	Partners    []string `json:"partners"` // council slugs of the partners in effect
	Status      string   `json:"status"`
	EventCount  int      `json:"event_count"` // events of the stream within known_at
	LastSeq     uint64   `json:"last_seq"`    // seq of the last of those events
}

// List is the partnerships list at a point in both times.
type List struct {
	Axes
	Partnerships []Summary `json:"partnerships"`
}

// State is a partnership at a point in both times: the object `ledger state --json` prints and
// GET /v1/partnerships/{id} serves.
type State struct {
	Partnership string `json:"partnership"`
	Axes
	Name         string         `json:"name"`
	Purpose      string         `json:"purpose,omitempty"`
	Scope        []string       `json:"scope,omitempty"`
	Partners     []Partner      `json:"partners"`                  // the partners on as_of: none once the partnership is dissolved
	Former       []Partner      `json:"former_partners,omitempty"` // councils that withdrew, or were partners when it was dissolved
	Status       Status         `json:"status"`
	TrialPeriod  *TrialPeriod   `json:"trial_period,omitempty"`
	ReviewDate   *ReviewDate    `json:"review_date,omitempty"`
	Appointments []Appointment  `json:"appointments"`
	Services     []Service      `json:"services"`
	Savings      Savings        `json:"savings"`
	Decisions    []Decision     `json:"decisions"`
	Agreements   []Agreement    `json:"agreements"`
	Funding      []Funding      `json:"funding"`
	Reviews      []ReviewResult `json:"reviews"`
	EventCount   int            `json:"event_count"` // events in effect on as_of (after corrections)
	LastSeq      uint64         `json:"last_seq"`    // seq of the partnership's last event within known_at
	// Councils names every council the events in effect named (partners that withdrew too), for
	// readers that write councils' names (the review pack). It is not part of the JSON.
	Councils words.Names `json:"-"`
	// Vacancies, Dissolution and OutcomeConflicts are the domain's wind-down facts (domain.State's
	// Vacancies, Dissolution and OutcomeConflicts), for the review pack. Not part of the JSON.
	Vacancies        []Vacancy         `json:"-"`
	Dissolution      *Dissolution      `json:"-"`
	OutcomeConflicts []OutcomeConflict `json:"-"`
}

// Vacancy is a statutory role at a council whose holder the record ended, with no holder recorded
// since (domain.Vacancy).
type Vacancy struct {
	Council  string      // slug
	Role     string      // head_of_paid_service | monitoring_officer | chief_finance_officer
	Since    domain.Date // the first day with no holder recorded
	Officer  string      // the last holder
	Post     string      // the post that carried the role, or ""
	Evidence Evidence    // the last holder's designation, then the event that ended it
}

// Dissolution is what the partnership's dissolution ended (domain.Dissolution).
type Dissolution struct {
	On           domain.Date
	Reason       string
	Partners     []string      // the partners then (slugs)
	Appointments []Appointment // the appointments in force then, with the roles they carried
	CostShares   []EndedCostShare
	Services     []string // returned to separate delivery by it
	Evidence     Evidence
}

// EndedCostShare is a cost share the dissolution ended.
type EndedCostShare struct {
	Subject string
	CostShare
}

// OutcomeConflict is a review whose councils recorded different outcomes (domain.OutcomeConflict).
type OutcomeConflict struct {
	Review   string
	Outcomes []ReviewResult
}

// Partner is a council in the partnership on as_of (or, in former_partners, one that was).
type Partner struct {
	Council string `json:"council"` // slug
	Name    string `json:"name,omitempty"`
	Kind    string `json:"kind,omitempty"` // district | borough | unitary | county
	ONSCode string `json:"ons_code,omitempty"`
	// Since is the date of the council's approving decision (ApprovedBy), or, when none is recorded,
	// of the event that named it.
	Since      domain.Date       `json:"since"`
	ApprovedBy *MinuteRef        `json:"approved_by,omitempty"`
	Until      domain.Date       `json:"until,omitzero"` // a former partner: the date of its withdrawal or of the dissolution, from which it is not a partner
	Notice     *WithdrawalNotice `json:"withdrawal_notice,omitempty"`
	Evidence   Evidence          `json:"evidence"`
}

// WithdrawalNotice is notice given by a partner that it will leave.
type WithdrawalNotice struct {
	GivenOn     domain.Date `json:"given_on"`
	NoticeDays  int         `json:"notice_days,omitempty"`
	ProposedEnd domain.Date `json:"proposed_end,omitzero"`
	Evidence    Evidence    `json:"evidence"`
}

// Status values of a partnership.
const (
	StatusProposed    = domain.StatusProposed
	StatusActive      = domain.StatusActive
	StatusUnderReview = domain.StatusUnderReview
	StatusDissolved   = domain.StatusDissolved
)

// Status is where the partnership stands on as_of, since when and why.
type Status struct {
	Value    string      `json:"value" enum:"proposed,active,under review,dissolved,"` // StatusProposed, StatusActive, StatusUnderReview or StatusDissolved; "" as of a date before the partnership was proposed
	Since    domain.Date `json:"since,omitzero"`
	Reason   string      `json:"reason,omitempty"`
	Evidence Evidence    `json:"evidence"`
}

// TrialPeriod is the trial the partnership was proposed with: from the first thing shared (the first
// joint appointment, agreement or shared service; absent until then) to the proposal's trial end as
// corrected.
type TrialPeriod struct {
	From     domain.Date `json:"from,omitzero"`
	To       domain.Date `json:"to,omitzero"`
	Evidence Evidence    `json:"evidence"`
}

// ReviewDate is when the partnership is next due to be reviewed.
type ReviewDate struct {
	DueOn    domain.Date `json:"due_on,omitzero"`
	Bodies   []string    `json:"bodies,omitempty"`
	Terms    string      `json:"terms_of_reference,omitempty"`
	Evidence Evidence    `json:"evidence"`
	// Review is the scheduled review's name ("" when the date comes from the proposal) and BodyRefs
	// its bodies as recorded (council slug and body), for readers in Go: the review pack gives each
	// body its own meeting. Not part of the JSON (Bodies is).
	Review   string           `json:"-"`
	BodyRefs []domain.BodyRef `json:"-"`
}

// Appointment is a post an officer holds for one or more councils on as_of, with the statutory roles
// the officer holds there and how the cost is shared.
type Appointment struct {
	Officer          string         `json:"officer"`
	Post             string         `json:"post,omitempty"`
	EmployingCouncil string         `json:"employing_council,omitempty"`
	Councils         []CouncilShare `json:"councils"`
	Basis            string         `json:"basis,omitempty"` // interim | permanent
	Since            domain.Date    `json:"since"`
	EndsOn           domain.Date    `json:"ends_on,omitzero"` // the last day of a fixed term: from the day after, the appointment is not in the view
	Roles            []RoleHeld     `json:"statutory_roles"`
	Approvals        []MinuteRef    `json:"approvals,omitempty"`
	CostShare        *CostShare     `json:"cost_share,omitempty"`
	Evidence         Evidence       `json:"evidence"`
}

// CouncilShare is a council an officer serves and the share of the officer's time it gets.
type CouncilShare struct {
	Council     string             `json:"council"`
	BasisPoints domain.BasisPoints `json:"time_share_basis_points,omitempty"`
	// LastDay is the last day the council is served, when an AppointmentEnded naming it is in effect
	// and that day has not passed: from the day after, the council is not in the view.
	LastDay domain.Date `json:"last_day,omitzero"`
}

// RoleHeld is a statutory role held at one council.
type RoleHeld struct {
	Council  string      `json:"council"`
	Role     string      `json:"role"` // head_of_paid_service | monitoring_officer | chief_finance_officer
	Since    domain.Date `json:"since"`
	Evidence Evidence    `json:"evidence"`
}

// CostShare is how the cost of a post, service or budget is split.
type CostShare struct {
	Basis       string      `json:"basis"`
	Shares      []Share     `json:"shares"`
	AppliesFrom domain.Date `json:"applies_from"`
	Evidence    Evidence    `json:"evidence"`
}

// Share is one council's part of a cost, in basis points (10000 = 100%).
type Share struct {
	Council     string             `json:"council"`
	BasisPoints domain.BasisPoints `json:"basis_points"`
}

// MinuteRef cites a decision: structured, and as the council wrote it.
type MinuteRef struct {
	Council string      `json:"council"`
	Body    string      `json:"body"`
	Meeting domain.Date `json:"meeting,omitzero"`
	Item    string      `json:"item"`
	Raw     string      `json:"raw"`
}

// Ref is m as the domain writes it (for words.MinuteCited); a council that is not a slug is zero.
func (m MinuteRef) Ref() domain.MinuteRef {
	council, _ := domain.ParseCouncilRef(m.Council)
	return domain.MinuteRef{Council: council, Body: m.Body, Meeting: m.Meeting, Item: m.Item, Raw: m.Raw}
}

// Service states, for Service.Status.
const (
	ServiceProposed = domain.ServiceProposed
	ServiceShared   = domain.ServiceShared
	ServiceReturned = domain.ServiceReturned
)

// Service is a service that is shared, or proposed for sharing, on as_of.
type Service struct {
	Service           string      `json:"service"`
	Status            string      `json:"status"`
	LeadCouncil       string      `json:"lead_council,omitempty"`
	ReceivingCouncils []string    `json:"receiving_councils,omitempty"`
	Since             domain.Date `json:"since"`
	Candidates        []string    `json:"candidates,omitempty"` // councils proposed to share it
	Agreement         string      `json:"agreement,omitempty"`
	StaffTransferred  int         `json:"staff_transferred,omitempty"`
	CostShare         *CostShare  `json:"cost_share,omitempty"`
	Evidence          Evidence    `json:"evidence"`
}

// Savings are the partnership's money by financial year and council.
type Savings struct {
	Years []SavingsYear `json:"years"`
	// BelowTarget lists "council FY" pairs whose net saving is below target (flagged in packs); a
	// council without a target or a net (no forecast or outturn, or no one-off costs) is not listed
	// (CouncilSavings.BelowTarget).
	BelowTarget []string `json:"below_target"`
}

// SavingsYear is one financial year (FY 2015 = 1 April 2015 to 31 March 2016).
type SavingsYear struct {
	FinancialYear domain.FinancialYear `json:"financial_year"`
	Label         string               `json:"label"` // "2015/16"
	Councils      []CouncilSavings     `json:"councils"`
}

// CouncilSavings is one council's savings in one financial year. Targets, forecasts and outturns are
// the latest figure per category, summed; one-off costs add up. Net is the outturn when there is one,
// else the forecast, less one-off costs (domain.Totals.Net). A figure that was not recorded is absent
// (JSON null), never 0: no target, no forecast, no outturn, no one-off cost; net is absent without a
// forecast or an outturn, or without one-off costs (a net of costs not recorded cannot be worked out),
// and against_target without a net or a target.
type CouncilSavings struct {
	Council            string        `json:"council"`
	TargetPence        *domain.Pence `json:"target_pence"`
	ForecastPence      *domain.Pence `json:"forecast_pence"`
	OutturnPence       *domain.Pence `json:"outturn_pence"`
	HasOutturn         bool          `json:"has_outturn"`
	OneOffCostsPence   *domain.Pence `json:"one_off_costs_pence"`
	NetPence           *domain.Pence `json:"net_pence"`
	AgainstTargetPence *domain.Pence `json:"against_target_pence"` // net − target
	BelowTarget        bool          `json:"below_target"`         // a target above 0 and a net below it; false without a target or a net (nothing to compare)
	Lines              []SavingsLine `json:"lines"`
	Evidence           Evidence      `json:"evidence"`
}

// NetLacksOneOff reports whether savings (a forecast or an outturn) are recorded but no one-off
// cost is, so that the net cannot be worked out (NetPence nil): the words say so
// (words.NetNoOneOff) rather than "not recorded".
func (cs CouncilSavings) NetLacksOneOff() bool {
	return cs.NetPence == nil && cs.OneOffCostsPence == nil && (cs.ForecastPence != nil || cs.HasOutturn)
}

// SavingsLine is one figure: a target, forecast, outturn or one-off cost in a category.
type SavingsLine struct {
	Kind        string       `json:"kind"` // target | forecast | outturn | one_off_cost
	Category    string       `json:"category"`
	AmountPence domain.Pence `json:"amount_pence"`
	PeriodTo    domain.Date  `json:"period_to,omitzero"`
	Evidence    Evidence     `json:"evidence"`
}

// Decision is an entry in the decision register.
type Decision struct {
	Minute        MinuteRef   `json:"minute"`
	Resolution    string      `json:"resolution"`
	Outcome       string      `json:"outcome"` // approved | rejected | deferred | amended
	Votes         string      `json:"votes,omitempty"`
	KeyDecision   bool        `json:"key_decision"`
	CallInApplies bool        `json:"call_in_applies"`
	EffectiveOn   domain.Date `json:"effective_on"`
	Retracted     bool        `json:"-"`
	Evidence      Evidence    `json:"evidence"`
}

// Agreement is an agreement between partners in force (or signed) on as_of.
type Agreement struct {
	Kind       string      `json:"kind"`
	Parties    []string    `json:"parties"`
	Signed     domain.Date `json:"signed,omitzero"`
	Commences  domain.Date `json:"commences,omitzero"`
	Ends       domain.Date `json:"ends,omitzero"`
	NoticeDays int         `json:"notice_days,omitempty"`
	ReviewDue  domain.Date `json:"review_due,omitzero"`
	Evidence   Evidence    `json:"evidence"`
}

// Funding is external funding awarded to the partnership.
type Funding struct {
	Funder      string       `json:"funder"`
	Recipients  []string     `json:"recipients"`
	AmountPence domain.Pence `json:"amount_pence"`
	Purpose     string       `json:"purpose,omitempty"`
	Evidence    Evidence     `json:"evidence"`
}

// ReviewResult is a review outcome recorded by one council.
type ReviewResult struct {
	Council   string      `json:"council"`
	Outcome   string      `json:"outcome"`
	Minute    *MinuteRef  `json:"minute,omitempty"`
	Rationale string      `json:"rationale,omitempty"`
	On        domain.Date `json:"on"`
	Evidence  Evidence    `json:"evidence"`
	// Review is the name of the scheduled review the outcome is of, for readers in Go (the review
	// pack matches outcomes to the review's bodies). Not part of the JSON.
	Review string `json:"-"`
}

// Timeline is every event of a partnership in effect on as_of, in effective order, as known at
// known_at, each with a line a councillor can read.
type Timeline struct {
	Partnership string `json:"partnership"`
	Axes
	Entries []TimelineEntry `json:"entries"`
	// Corrections lists the corrections and retractions recorded by known_at, in seq order.
	Corrections []Correction `json:"corrections,omitempty"`
}

// TimelineEntry is one event on the timeline. Corrected events show their corrected content
// (effective date, certainty, sources and data), with Corrected set and the corrections' ids in
// Evidence after the event's own; retracted events are left out (Timeline.Corrections lists both).
type TimelineEntry struct {
	Seq         uint64             `json:"seq"`
	ID          uuid.UUID          `json:"id"`
	Type        string             `json:"type"`
	EffectiveOn domain.Date        `json:"effective_on"`
	Certainty   string             `json:"certainty"`
	Sources     []domain.SourceRef `json:"sources,omitempty"` // the documents the event cites
	Description string             `json:"description"`
	Corrected   bool               `json:"corrected,omitempty"`
	Evidence    Evidence           `json:"evidence"`
	// Payload is the event's data as in effect (nil for a type this build does not know), for
	// readers in Go (words.Minutes). It is not part of the JSON: the event itself is.
	Payload domain.Payload `json:"-"`
}

// Correction is an EventCorrected or EventRetracted known at the timeline's known_at, whatever its
// as_of: the event it changed or removed, why, and, for a correction, what it changed field by field
// (domain.Correct: the target as corrected before it against the target with it).
type Correction struct {
	Seq      uint64    `json:"seq"`
	ID       uuid.UUID `json:"id"`
	Type     string    `json:"type" enum:"EventCorrected,EventRetracted"` // domain.TypeEventCorrected or domain.TypeEventRetracted
	Target   uuid.UUID `json:"target"`                                    // the event corrected or retracted
	Reason   string    `json:"reason"`
	Evidence string    `json:"evidence,omitempty"` // a correction's evidence, as recorded
	// Sources and Certainty are the correction's or retraction's own, as recorded.
	Sources   []domain.SourceRef `json:"sources,omitempty"`
	Certainty string             `json:"certainty,omitempty"`
	Notes     string             `json:"notes,omitempty"` // a retraction's notes, as recorded
	Changes   []CorrectedChange  `json:"changes,omitempty"`
	// Retracted is, for a retraction, what the retracted event said in words (words.Event, as
	// recorded), for readers in Go (a review pack's "Retracted" notes); not part of the JSON.
	Retracted string `json:"-"`
	// TargetSeq and TargetOn are the target's seq and effective date as recorded (zero when the
	// target is not in the partnership's stream), for readers in Go (the pages' timeline places a
	// retracted event by them); not part of the JSON.
	TargetSeq uint64      `json:"-"`
	TargetOn  domain.Date `json:"-"`
}

// CorrectedChange is one field a correction changed: a member of the target's data by its JSON name,
// or effective_on, sources or certainty, with its values as JSON before and after (before absent for
// a member the target did not have, after absent for one the correction removed).
type CorrectedChange struct {
	Field  string          `json:"field"`
	Before json.RawMessage `json:"before,omitempty"`
	After  json.RawMessage `json:"after,omitempty"`
}
