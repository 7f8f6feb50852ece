package domain

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	gojson "github.com/goccy/go-json"
	"github.com/google/uuid"
)

// Event type names as stored in the envelope's type field. They are fixed strings, never derived
// from Go type names: renaming a struct must not rename stored events.
const (
	TypePartnershipProposed               = "PartnershipProposed"
	TypeCouncilJoinedPartnership          = "CouncilJoinedPartnership"
	TypeCouncilWithdrew                   = "CouncilWithdrew"
	TypeWithdrawalNoticeGiven             = "WithdrawalNoticeGiven"
	TypeExternalFundingAwarded            = "ExternalFundingAwarded"
	TypeBusinessCasePublished             = "BusinessCasePublished"
	TypeDecisionTaken                     = "DecisionTaken"
	TypeAgreementExecuted                 = "AgreementExecuted"
	TypeAgreementVaried                   = "AgreementVaried"
	TypeJointAppointmentMade              = "JointAppointmentMade"
	TypeStatutoryRoleDesignated           = "StatutoryRoleDesignated"
	TypeStatutoryRoleVacated              = "StatutoryRoleVacated"
	TypeAppointmentEnded                  = "AppointmentEnded"
	TypeServiceSharingProposed            = "ServiceSharingProposed"
	TypeServiceMovedToSharedDelivery      = "ServiceMovedToSharedDelivery"
	TypeServiceReturnedToSeparateDelivery = "ServiceReturnedToSeparateDelivery"
	TypeCostShareAgreed                   = "CostShareAgreed"
	TypeSavingsTargetSet                  = "SavingsTargetSet"
	TypeSavingsReported                   = "SavingsReported"
	TypeOneOffCostIncurred                = "OneOffCostIncurred"
	TypeReviewScheduled                   = "ReviewScheduled"
	TypeExternalReviewCommissioned        = "ExternalReviewCommissioned"
	TypeReviewOutcomeRecorded             = "ReviewOutcomeRecorded"
	TypePartnershipDissolved              = "PartnershipDissolved"
	TypeEventCorrected                    = "EventCorrected"
	TypeEventRetracted                    = "EventRetracted"
)

// CurrentSchema is the payload schema version this build writes for every event type. Older
// versions, when there are any, are upcast in DecodePayload.
const CurrentSchema = 1

// EventTypes returns every event type name this build knows, in catalogue order.
func EventTypes() []string {
	return []string{
		TypePartnershipProposed, TypeCouncilJoinedPartnership, TypeCouncilWithdrew, TypeWithdrawalNoticeGiven,
		TypeExternalFundingAwarded, TypeBusinessCasePublished, TypeDecisionTaken, TypeAgreementExecuted,
		TypeAgreementVaried, TypeJointAppointmentMade, TypeStatutoryRoleDesignated, TypeStatutoryRoleVacated,
		TypeAppointmentEnded, TypeServiceSharingProposed, TypeServiceMovedToSharedDelivery,
		TypeServiceReturnedToSeparateDelivery, TypeCostShareAgreed, TypeSavingsTargetSet, TypeSavingsReported,
		TypeOneOffCostIncurred, TypeReviewScheduled, TypeExternalReviewCommissioned, TypeReviewOutcomeRecorded,
		TypePartnershipDissolved, TypeEventCorrected, TypeEventRetracted,
	}
}

// Payload is the data of one event. Each event type has one payload struct; EventType returns its
// type name. A text field whose values are a fixed list carries an `enum` tag listing them, in the
// order check names them (TestEnumTagsMatchDecide holds the two equal); with the `limit` tags and the
// value types' JSONSchema methods (schema.go) it is what api/openapigen describes each payload from.
type Payload interface {
	EventType() string
	// check adds the problems the payload has on its own (required fields, ranges, sums), with
	// fields under /data.
	check(p *problems)
}

// newPayload returns a pointer to an empty payload of the type, or nil when the type is unknown.
// It is the one explicit list of types: no registry, no reflection.
func newPayload(typ string) Payload {
	switch typ {
	case TypePartnershipProposed:
		return &PartnershipProposed{}
	case TypeCouncilJoinedPartnership:
		return &CouncilJoinedPartnership{}
	case TypeCouncilWithdrew:
		return &CouncilWithdrew{}
	case TypeWithdrawalNoticeGiven:
		return &WithdrawalNoticeGiven{}
	case TypeExternalFundingAwarded:
		return &ExternalFundingAwarded{}
	case TypeBusinessCasePublished:
		return &BusinessCasePublished{}
	case TypeDecisionTaken:
		return &DecisionTaken{}
	case TypeAgreementExecuted:
		return &AgreementExecuted{}
	case TypeAgreementVaried:
		return &AgreementVaried{}
	case TypeJointAppointmentMade:
		return &JointAppointmentMade{}
	case TypeStatutoryRoleDesignated:
		return &StatutoryRoleDesignated{}
	case TypeStatutoryRoleVacated:
		return &StatutoryRoleVacated{}
	case TypeAppointmentEnded:
		return &AppointmentEnded{}
	case TypeServiceSharingProposed:
		return &ServiceSharingProposed{}
	case TypeServiceMovedToSharedDelivery:
		return &ServiceMovedToSharedDelivery{}
	case TypeServiceReturnedToSeparateDelivery:
		return &ServiceReturnedToSeparateDelivery{}
	case TypeCostShareAgreed:
		return &CostShareAgreed{}
	case TypeSavingsTargetSet:
		return &SavingsTargetSet{}
	case TypeSavingsReported:
		return &SavingsReported{}
	case TypeOneOffCostIncurred:
		return &OneOffCostIncurred{}
	case TypeReviewScheduled:
		return &ReviewScheduled{}
	case TypeExternalReviewCommissioned:
		return &ExternalReviewCommissioned{}
	case TypeReviewOutcomeRecorded:
		return &ReviewOutcomeRecorded{}
	case TypePartnershipDissolved:
		return &PartnershipDissolved{}
	case TypeEventCorrected:
		return &EventCorrected{}
	case TypeEventRetracted:
		return &EventRetracted{}
	}
	return nil
}

// DecodePayload decodes an event's data for its type and schema version. Unknown fields, trailing
// data and malformed values are refused. The payload is returned as a value (e.g. CostShareAgreed,
// not *CostShareAgreed).
//
// Errors are *DecodeError: matching ErrUnknownEventType for a type or schema version this build does
// not know, ErrMalformed for data that cannot be read. DecodePayload does not check the rules a
// payload must satisfy; Decide does.
func DecodePayload(typ string, schema int, data []byte) (Payload, error) {
	p := newPayload(typ)
	if p == nil {
		return nil, &DecodeError{Type: typ, Schema: schema, unknown: true,
			Err: fmt.Errorf("%q is not an event type (known: %s)", typ, strings.Join(EventTypes(), ", "))}
	}
	if schema != CurrentSchema {
		return nil, &DecodeError{Type: typ, Schema: schema, unknown: true,
			Err: fmt.Errorf("schema version %d is not known for %s (this build reads version %d)", schema, typ, CurrentSchema)}
	}
	if err := strictUnmarshal(data, p); err != nil {
		return nil, &DecodeError{Type: typ, Schema: schema, Err: err}
	}
	return deref(p), nil
}

// DecodeStoredPayload decodes the data of an event read back from the store, which was checked
// by DecodePayload when it was recorded: it skips the strict checks (unknown fields, exact key
// spelling, trailing data) that cost a second parse, and is meant for read models folding many
// events. Values are still validated (dates, slugs, amounts) by the same UnmarshalText and
// UnmarshalJSON methods. Errors are as for DecodePayload.
//
// It decodes with github.com/goccy/go-json rather than encoding/json: same struct tags and
// unmarshaler methods, and it took rebuilding the read models of the 1M-event reference ledger from
// 2.3 s to 1.6 s (docs/benchmarks.md). Data holding the bytes null is decoded with encoding/json
// instead (go-json corrupts a string on null; see the body). FuzzDecodePayload checks that it gives the
// same value as DecodePayload (encoding/json) for everything DecodePayload accepts in the form a
// store holds (passed through eventstore.Gate).
func DecodeStoredPayload(typ string, schema int, data []byte) (Payload, error) {
	p := newPayload(typ)
	if p == nil {
		return nil, &DecodeError{Type: typ, Schema: schema, unknown: true,
			Err: fmt.Errorf("%q is not an event type", typ)}
	}
	if schema != CurrentSchema {
		return nil, &DecodeError{Type: typ, Schema: schema, unknown: true,
			Err: fmt.Errorf("schema version %d is not known for %s (this build reads version %d)", schema, typ, CurrentSchema)}
	}
	unmarshal := gojson.Unmarshal
	if containsNull(data) {
		// go-json mishandles null for a struct with an UnmarshalText method (CouncilRef, Date): it
		// leaves a string whose pointer is nil but whose length is not, and reading it crashes.
		// encoding/json leaves the field as it was, which is what DecodePayload gives. Canonical data
		// rarely holds null, so the fast decoder still reads nearly every event.
		unmarshal = json.Unmarshal
	}
	if err := unmarshal(data, p); err != nil {
		return nil, &DecodeError{Type: typ, Schema: schema, Err: &valueError{Reason: reason(err)}}
	}
	return deref(p), nil
}

var nullLiteral = []byte("null")

// containsNull is bytes.Contains(b, nullLiteral), twice as fast on payloads of a few hundred bytes
// (every stored event's are checked): bytes.Index compares a slice of at most 64 bytes with vector
// instructions, but on a longer one restarts at every 'n', and JSON holds many. Windows of 64 bytes
// overlapping by 3 hold every occurrence whole.
func containsNull(b []byte) bool {
	for i := 0; i+len(nullLiteral) <= len(b); i += 64 - (len(nullLiteral) - 1) {
		if bytes.Index(b[i:min(i+64, len(b))], nullLiteral) >= 0 {
			return true
		}
	}
	return false
}

// deref turns the pointer newPayload made into the value stored in Recorded.Payload.
func deref(p Payload) Payload {
	switch v := p.(type) {
	case *PartnershipProposed:
		return *v
	case *CouncilJoinedPartnership:
		return *v
	case *CouncilWithdrew:
		return *v
	case *WithdrawalNoticeGiven:
		return *v
	case *ExternalFundingAwarded:
		return *v
	case *BusinessCasePublished:
		return *v
	case *DecisionTaken:
		return *v
	case *AgreementExecuted:
		return *v
	case *AgreementVaried:
		return *v
	case *JointAppointmentMade:
		return *v
	case *StatutoryRoleDesignated:
		return *v
	case *StatutoryRoleVacated:
		return *v
	case *AppointmentEnded:
		return *v
	case *ServiceSharingProposed:
		return *v
	case *ServiceMovedToSharedDelivery:
		return *v
	case *ServiceReturnedToSeparateDelivery:
		return *v
	case *CostShareAgreed:
		return *v
	case *SavingsTargetSet:
		return *v
	case *SavingsReported:
		return *v
	case *OneOffCostIncurred:
		return *v
	case *ReviewScheduled:
		return *v
	case *ExternalReviewCommissioned:
		return *v
	case *ReviewOutcomeRecorded:
		return *v
	case *PartnershipDissolved:
		return *v
	case *EventCorrected:
		return *v
	case *EventRetracted:
		return *v
	}
	return p
}

// EncodePayload returns the JSON data of a payload (not canonicalised; the store does that).
func EncodePayload(p Payload) (json.RawMessage, error) {
	b, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", p.EventType(), err)
	}
	return b, nil
}

// ---- Setting up ----

// PartnershipProposed opens a partnership: at least two partners, named in full.
type PartnershipProposed struct {
	Name        string    `json:"name" limit:"name"`            // the partnership's name
	Partners    []Council `json:"partners" minItems:"2"`        // the founding councils, in full (at least two)
	Scope       []string  `json:"scope,omitempty" limit:"name"` // service areas, e.g. "revenues and benefits"
	Purpose     string    `json:"purpose" limit:"text"`         // what the partnership is for, in words
	TrialEndsOn Date      `json:"trial_ends_on,omitzero"`       // the last day of the trial period, when there is one
	ReviewDue   Date      `json:"review_due,omitzero"`          // the date a first review is due, when set
	Notes       string    `json:"notes,omitempty" limit:"text"` // free notes
}

// CouncilJoinedPartnership adds a partner, named in full.
type CouncilJoinedPartnership struct {
	Council      Council     `json:"council"`                 // the council that joins, in full
	AuthorisedBy []MinuteRef `json:"authorised_by,omitempty"` // the minuted decisions that approved joining
}

// CouncilWithdrew ends a partner's membership on the event's effective date. It must follow a
// WithdrawalNoticeGiven by at least its notice period, unless AuthorisedBy cites a decision to
// withdraw by mutual agreement.
type CouncilWithdrew struct {
	Council      CouncilRef  `json:"council"`                 // the partner that leaves
	Reason       string      `json:"reason" limit:"text"`     // why it leaves, in words
	AuthorisedBy []MinuteRef `json:"authorised_by,omitempty"` // the minuted decisions behind the withdrawal (a withdrawal by mutual agreement cites one)
}

// WithdrawalNoticeGiven records a partner's notice to leave.
type WithdrawalNoticeGiven struct {
	Council      CouncilRef  `json:"council"`                   // the partner giving notice
	NoticeDays   int         `json:"notice_days" limit:"count"` // the notice period, in days
	ProposedEnd  Date        `json:"proposed_end"`              // the date the council proposes its membership ends
	AuthorisedBy []MinuteRef `json:"authorised_by,omitempty"`   // the minuted decisions to give notice
}

// ExternalFundingAwarded records a grant to some of the partners.
type ExternalFundingAwarded struct {
	Funder      string       `json:"funder" limit:"name"`          // who awards the money
	Recipients  []CouncilRef `json:"recipients" minItems:"1"`      // the councils that receive it
	AmountPence Pence        `json:"amount_pence"`                 // the amount awarded, in pence (not negative)
	Purpose     string       `json:"purpose" limit:"text"`         // what the money is for
	Notes       string       `json:"notes,omitempty" limit:"text"` // free notes
}

// CouncilAmount is an amount of money for one council in one financial year.
type CouncilAmount struct {
	Council       CouncilRef    `json:"council"`                         // the council the amount is for
	FinancialYear FinancialYear `json:"financial_year"`                  // the financial year, by its start year
	Category      string        `json:"category,omitempty" limit:"name"` // what the amount is for (a budget heading)
	AmountPence   Pence         `json:"amount_pence"`                    // the amount, in pence
}

// BusinessCasePublished records a business case: its options, projected savings and one-off costs.
type BusinessCasePublished struct {
	Document         string          `json:"document" limit:"name"`          // the business case's title
	Options          []string        `json:"options,omitempty" limit:"text"` // the options it sets out, one per item
	ProjectedSavings []CouncilAmount `json:"projected_savings,omitempty"`    // the savings it projects, per council and financial year
	OneOffCosts      []CouncilAmount `json:"one_off_costs,omitempty"`        // the one-off costs it projects, per council and financial year
	Notes            string          `json:"notes,omitempty" limit:"text"`   // free notes
}

// Decision outcomes.
const (
	OutcomeApproved = "approved"
	OutcomeRejected = "rejected"
	OutcomeDeferred = "deferred"
	OutcomeAmended  = "amended"
)

// Votes is a recorded division.
type Votes struct {
	For         int `json:"for" limit:"count"`         // votes for
	Against     int `json:"against" limit:"count"`     // votes against
	Abstentions int `json:"abstentions" limit:"count"` // abstentions
}

// DecisionTaken records a minuted decision by a council body. Its minute identifies it: other
// events cite it in approvals or authorised_by.
type DecisionTaken struct {
	Minute        MinuteRef `json:"minute"`                                                         // where the decision is minuted
	Resolution    string    `json:"resolution" limit:"text"`                                        // the resolution, as minuted
	Outcome       string    `json:"outcome" limit:"name" enum:"approved,rejected,deferred,amended"` // what was decided
	Votes         *Votes    `json:"votes,omitempty"`                                                // the votes cast, when recorded
	KeyDecision   bool      `json:"key_decision"`                                                   // true for a key decision (executive arrangements)
	CallInApplies bool      `json:"call_in_applies"`                                                // true when the decision may be called in before it takes effect
}

// Agreement kinds.
const (
	AgreementS113                    = "s113"
	AgreementJointCommittee          = "joint_committee"
	AgreementInterAuthorityAgreement = "inter_authority_agreement"
	AgreementSLA                     = "sla"
)

// AgreementExecuted records a signed agreement between partners. Reference names it within the
// partnership, for AgreementVaried.
type AgreementExecuted struct {
	Reference    string       `json:"reference" limit:"name"`                                                      // the agreement's name within the partnership (AgreementVaried refers to it)
	Kind         string       `json:"kind" limit:"name" enum:"s113,joint_committee,inter_authority_agreement,sla"` // the kind of agreement: s113 (officers shared, s113 LGA 1972), joint committee, inter-authority agreement or service-level agreement
	Title        string       `json:"title" limit:"name"`                                                          // the agreement's title
	Parties      []CouncilRef `json:"parties" minItems:"2"`                                                        // the councils that signed
	Signed       Date         `json:"signed"`                                                                      // the date it was signed
	Commences    Date         `json:"commences"`                                                                   // the date it takes effect
	Ends         Date         `json:"ends,omitzero"`                                                               // the date it ends, when fixed
	NoticeDays   int          `json:"notice_days,omitempty" limit:"count"`                                         // the notice a party must give to leave, in days
	ReviewDue    Date         `json:"review_due,omitzero"`                                                         // the date a review is due, when set
	AuthorisedBy []MinuteRef  `json:"authorised_by,omitempty"`                                                     // the minuted decisions that authorised signing
}

// AgreementVaried changes an executed agreement; fields left zero are unchanged.
type AgreementVaried struct {
	Reference    string      `json:"reference" limit:"name"`              // the agreement varied, by its reference
	Variation    string      `json:"variation" limit:"text"`              // what changed, in words
	Ends         Date        `json:"ends,omitzero"`                       // the new end date, when changed
	NoticeDays   int         `json:"notice_days,omitempty" limit:"count"` // the new notice period, in days, when changed
	ReviewDue    Date        `json:"review_due,omitzero"`                 // the new review date, when changed
	AuthorisedBy []MinuteRef `json:"authorised_by,omitempty"`             // the minuted decisions that authorised the variation
}

// ---- People and posts ----

// CouncilShare is one council's share of an officer's time.
type CouncilShare struct {
	Council              CouncilRef  `json:"council"`                 // a council the officer serves
	TimeShareBasisPoints BasisPoints `json:"time_share_basis_points"` // its share of the officer's time, in basis points (10000 is all of it)
}

// Appointment bases.
const (
	BasisInterim   = "interim"
	BasisPermanent = "permanent"
)

// JointAppointmentMade records an officer of one council serving several (s113 LGA 1972). The
// appointment is in force from StartsOn, which must equal the event's effective date, to EndsOn (a
// fixed term's last day, when given) or an AppointmentEnded's LastDay inclusive.
type JointAppointmentMade struct {
	Officer          Officer        `json:"officer"`                                     // the person appointed
	Post             string         `json:"post" limit:"name"`                           // the post's title
	StatutoryRole    StatutoryRole  `json:"statutory_role,omitempty"`                    // the statutory role the post carries, when it carries one
	EmployingCouncil CouncilRef     `json:"employing_council"`                           // the council that employs the officer
	Councils         []CouncilShare `json:"councils" minItems:"1"`                       // the councils served and each one's share of time
	Basis            string         `json:"basis" limit:"name" enum:"interim,permanent"` // interim or permanent
	StartsOn         Date           `json:"starts_on"`                                   // the first day in post; must equal the event's effective_on
	EndsOn           Date           `json:"ends_on,omitzero"`                            // a fixed term's last day, when the term is fixed
	Approvals        []MinuteRef    `json:"approvals,omitempty"`                         // the minuted decisions that approved the appointment
}

// StatutoryRoleDesignated names the holder of a statutory role at one council.
type StatutoryRoleDesignated struct {
	Council      CouncilRef    `json:"council"`                 // the council designating
	Role         StatutoryRole `json:"role"`                    // the statutory role
	Officer      Officer       `json:"officer"`                 // the officer designated
	AuthorisedBy []MinuteRef   `json:"authorised_by,omitempty"` // the minuted decisions that designated the officer
}

// StatutoryRoleVacated ends a holder's designation.
type StatutoryRoleVacated struct {
	Council CouncilRef    `json:"council"`                       // the council whose role is vacant
	Role    StatutoryRole `json:"role"`                          // the statutory role
	Officer Officer       `json:"officer"`                       // the officer who held it
	Reason  string        `json:"reason,omitempty" limit:"text"` // why the role became vacant
}

// AppointmentEnded ends an officer's joint appointment at some or all of the councils it served.
// LastDay is the last day served, in force as a fixed term's EndsOn is: the appointment serves the
// councils named to LastDay inclusive and is out of force there (with the statutory roles it carries
// there) from the day after (docs/domain.md, rules 4 and 6). LastDay is the day before the event's
// effective date (the end takes effect on that date) or on or after it (an end recorded in advance,
// which takes effect the day after LastDay); the server refuses a LastDay more than a day before
// the effective date (a late record is dated the day after LastDay: /data/last_day) or after the
// appointment's EndsOn, and an end of a council already ending (/data/councils/i).
type AppointmentEnded struct {
	Officer  Officer      `json:"officer"`               // the officer whose appointment ends
	Post     string       `json:"post" limit:"name"`     // the post's title, as appointed
	Councils []CouncilRef `json:"councils" minItems:"1"` // the councils where the appointment ends (some or all of those served)
	LastDay  Date         `json:"last_day"`              // the last day served (inclusive)
	Reason   string       `json:"reason" limit:"text"`   // resignation, notice, end_of_term, ...
}

// ---- Services ----

// ServiceSharingProposed proposes a service (HR, finance, revenues and benefits, ...) for sharing.
type ServiceSharingProposed struct {
	Service    string       `json:"service" limit:"name"`         // the service proposed for sharing
	Candidates []CouncilRef `json:"candidates" minItems:"1"`      // the councils that might share it
	Notes      string       `json:"notes,omitempty" limit:"text"` // free notes
}

// ServiceMovedToSharedDelivery records a department moving to shared delivery: one council
// provides it to the others, from the event's effective date.
type ServiceMovedToSharedDelivery struct {
	Service           string       `json:"service" limit:"name"`                      // the service now shared
	LeadCouncil       CouncilRef   `json:"lead_council"`                              // the council that delivers it
	ReceivingCouncils []CouncilRef `json:"receiving_councils" minItems:"1"`           // the councils it is delivered to
	From              Date         `json:"from"`                                      // the first day of shared delivery
	Agreement         string       `json:"agreement,omitempty" limit:"name"`          // the agreement it is delivered under, by its reference
	StaffTransferred  *int         `json:"staff_transferred,omitempty" limit:"count"` // TUPE headcount, if known
}

// ServiceReturnedToSeparateDelivery ends the shared delivery of a service.
type ServiceReturnedToSeparateDelivery struct {
	Service string `json:"service" limit:"name"`          // the shared service that ends
	Reason  string `json:"reason,omitempty" limit:"text"` // why it returns to separate delivery
}

// ---- Money ----

// Share is one council's share of a cost.
type Share struct {
	Council     CouncilRef  `json:"council"`      // a council that pays a share
	BasisPoints BasisPoints `json:"basis_points"` // its share, in basis points (10000 is 100%)
}

// Cost share bases.
const (
	ShareEqual      = "equal"
	ShareFixedRatio = "fixed_ratio"
	ShareCaseload   = "caseload"
	ShareTime       = "time"
)

// CostShareAgreed splits the cost of a subject (a post, a service, a joint budget) between active
// partners, in whole basis points summing to 10000.
type CostShareAgreed struct {
	Subject     string  `json:"subject" limit:"name"`                                      // what is shared (a post, service or budget)
	Basis       string  `json:"basis" limit:"name" enum:"equal,fixed_ratio,caseload,time"` // how the split was worked out
	Shares      []Share `json:"shares"`                                                    // each council's share; the shares add up to 10000 basis points
	AppliesFrom Date    `json:"applies_from"`                                              // the first day the split applies
	ResetEachFY bool    `json:"reset_each_financial_year,omitempty"`                       // true when the split is worked out again each financial year
}

// SavingsTargetSet sets a council's savings target for a financial year.
type SavingsTargetSet struct {
	Council       CouncilRef    `json:"council"`               // the council whose target it is
	FinancialYear FinancialYear `json:"financial_year"`        // the financial year, by its start year
	Category      string        `json:"category" limit:"name"` // what the saving is from (a budget heading)
	AmountPence   Pence         `json:"amount_pence"`          // the target saving for the year, in pence
}

// Savings statuses.
const (
	SavingsForecast = "forecast"
	SavingsOutturn  = "outturn"
)

// SavingsReported reports a forecast or outturn saving for a council and financial year.
type SavingsReported struct {
	Council       CouncilRef    `json:"council"`                                     // the council reporting
	FinancialYear FinancialYear `json:"financial_year"`                              // the financial year, by its start year
	Category      string        `json:"category" limit:"name"`                       // what the saving is from (a budget heading)
	AmountPence   Pence         `json:"amount_pence"`                                // the saving for the year, in pence (negative for a net cost)
	Status        string        `json:"status" limit:"name" enum:"forecast,outturn"` // forecast (expected for the year) or outturn (achieved, after the year)
	PeriodTo      Date          `json:"period_to"`                                   // the last day of the period the figure covers
}

// OneOffCostIncurred records a one-off cost (implementation, redundancy, pension strain).
type OneOffCostIncurred struct {
	Council       CouncilRef    `json:"council"`               // the council that bore the cost
	FinancialYear FinancialYear `json:"financial_year"`        // the financial year, by its start year
	Category      string        `json:"category" limit:"name"` // what the cost was for
	AmountPence   Pence         `json:"amount_pence"`          // the cost, in pence
}

// ---- Review and ending ----

// ReviewScheduled schedules a review; Review names it within the partnership (e.g. "june-2016")
// for the outcomes.
type ReviewScheduled struct {
	Review           string    `json:"review" limit:"name"`                       // the review's name within the partnership (outcomes refer to it)
	DueOn            Date      `json:"due_on"`                                    // the date the review is due
	Bodies           []BodyRef `json:"bodies"`                                    // the council bodies that will consider it
	TermsOfReference string    `json:"terms_of_reference,omitempty" limit:"text"` // what the review will look at
}

// ExternalReviewCommissioned records a review by an outside body (e.g. the LGA).
type ExternalReviewCommissioned struct {
	Reviewer string `json:"reviewer" limit:"name"`         // who carries out the review
	Scope    string `json:"scope" limit:"text"`            // what it covers
	Review   string `json:"review,omitempty" limit:"name"` // the scheduled review it feeds, by its name
}

// Review outcomes.
const (
	ReviewContinue      = "continue"
	ReviewMakePermanent = "make_permanent"
	ReviewExtend        = "extend"
	ReviewVary          = "vary"
	ReviewTerminate     = "terminate"
)

// ReviewOutcomeRecorded records one council's outcome of a scheduled review.
type ReviewOutcomeRecorded struct {
	Review    string     `json:"review" limit:"name"`                                                       // the review, by its name
	Council   CouncilRef `json:"council"`                                                                   // the council whose outcome it is
	Outcome   string     `json:"outcome" limit:"name" enum:"continue,make_permanent,extend,vary,terminate"` // what the council decided
	Minute    *MinuteRef `json:"minute,omitempty"`                                                          // where the outcome is minuted
	Rationale string     `json:"rationale" limit:"text"`                                                    // why, in words
}

// PartnershipDissolved ends the partnership on the event's effective date.
type PartnershipDissolved struct {
	Reason       string      `json:"reason" limit:"text"`     // why the partnership ends
	AuthorisedBy []MinuteRef `json:"authorised_by,omitempty"` // the minuted decisions to dissolve
}

// ---- Corrections ----

// EventCorrected corrects an earlier event of the same partnership. Data holds the corrected data
// fields (top-level keys replace the target's); EffectiveOn, Sources and Certainty, when set, replace
// the target's. The type and stream never change. Corrections apply in seq order, so the last wins.
type EventCorrected struct {
	Target      uuid.UUID       `json:"target"`                          // the id of the event corrected
	Data        json.RawMessage `json:"data,omitempty"`                  // the corrected data members (each top-level member replaces the target's)
	EffectiveOn Date            `json:"effective_on,omitzero"`           // the corrected effective date, when it changes
	Sources     []SourceRef     `json:"sources,omitempty"`               // the corrected sources, when they change
	Certainty   Certainty       `json:"certainty,omitempty"`             // the corrected certainty, when it changes
	Reason      string          `json:"reason" limit:"text"`             // why the event is corrected
	Evidence    string          `json:"evidence,omitempty" limit:"text"` // what shows the correction is right
}

// Retraction reasons.
const (
	RetractEnteredInError  = "entered_in_error"
	RetractSourceWithdrawn = "source_withdrawn"
	RetractDuplicate       = "duplicate"
)

// EventRetracted removes an earlier event (and its corrections) from the partnership's effective
// history. The original stays in the log.
type EventRetracted struct {
	Target uuid.UUID `json:"target"`                                                                 // the id of the event retracted
	Reason string    `json:"reason" limit:"text" enum:"entered_in_error,source_withdrawn,duplicate"` // why it is retracted
	Notes  string    `json:"notes,omitempty" limit:"text"`                                           // free notes
}

// EventType returns TypePartnershipProposed.
func (PartnershipProposed) EventType() string { return TypePartnershipProposed }

// EventType returns TypeCouncilJoinedPartnership.
func (CouncilJoinedPartnership) EventType() string { return TypeCouncilJoinedPartnership }

// EventType returns TypeCouncilWithdrew.
func (CouncilWithdrew) EventType() string { return TypeCouncilWithdrew }

// EventType returns TypeWithdrawalNoticeGiven.
func (WithdrawalNoticeGiven) EventType() string { return TypeWithdrawalNoticeGiven }

// EventType returns TypeExternalFundingAwarded.
func (ExternalFundingAwarded) EventType() string { return TypeExternalFundingAwarded }

// EventType returns TypeBusinessCasePublished.
func (BusinessCasePublished) EventType() string { return TypeBusinessCasePublished }

// EventType returns TypeDecisionTaken.
func (DecisionTaken) EventType() string { return TypeDecisionTaken }

// EventType returns TypeAgreementExecuted.
func (AgreementExecuted) EventType() string { return TypeAgreementExecuted }

// EventType returns TypeAgreementVaried.
func (AgreementVaried) EventType() string { return TypeAgreementVaried }

// EventType returns TypeJointAppointmentMade.
func (JointAppointmentMade) EventType() string { return TypeJointAppointmentMade }

// EventType returns TypeStatutoryRoleDesignated.
func (StatutoryRoleDesignated) EventType() string { return TypeStatutoryRoleDesignated }

// EventType returns TypeStatutoryRoleVacated.
func (StatutoryRoleVacated) EventType() string { return TypeStatutoryRoleVacated }

// EventType returns TypeAppointmentEnded.
func (AppointmentEnded) EventType() string { return TypeAppointmentEnded }

// EventType returns TypeServiceSharingProposed.
func (ServiceSharingProposed) EventType() string { return TypeServiceSharingProposed }

// EventType returns TypeServiceMovedToSharedDelivery.
func (ServiceMovedToSharedDelivery) EventType() string { return TypeServiceMovedToSharedDelivery }

// EventType returns TypeServiceReturnedToSeparateDelivery.
func (ServiceReturnedToSeparateDelivery) EventType() string {
	return TypeServiceReturnedToSeparateDelivery
}

// EventType returns TypeCostShareAgreed.
func (CostShareAgreed) EventType() string { return TypeCostShareAgreed }

// EventType returns TypeSavingsTargetSet.
func (SavingsTargetSet) EventType() string { return TypeSavingsTargetSet }

// EventType returns TypeSavingsReported.
func (SavingsReported) EventType() string { return TypeSavingsReported }

// EventType returns TypeOneOffCostIncurred.
func (OneOffCostIncurred) EventType() string { return TypeOneOffCostIncurred }

// EventType returns TypeReviewScheduled.
func (ReviewScheduled) EventType() string { return TypeReviewScheduled }

// EventType returns TypeExternalReviewCommissioned.
func (ExternalReviewCommissioned) EventType() string { return TypeExternalReviewCommissioned }

// EventType returns TypeReviewOutcomeRecorded.
func (ReviewOutcomeRecorded) EventType() string { return TypeReviewOutcomeRecorded }

// EventType returns TypePartnershipDissolved.
func (PartnershipDissolved) EventType() string { return TypePartnershipDissolved }

// EventType returns TypeEventCorrected.
func (EventCorrected) EventType() string { return TypeEventCorrected }

// EventType returns TypeEventRetracted.
func (EventRetracted) EventType() string { return TypeEventRetracted }
