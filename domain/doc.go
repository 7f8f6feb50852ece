// Package domain is the partnership model of the ledger: value types that cannot be built invalid,
// the v1 event catalogue (one payload struct and one fixed type name per event), the commands that
// record them, and the twelve invariants of docs/domain.md.
//
// The pieces, in the order a command meets them:
//
//   - Value types (Date, Pence, BasisPoints, FinancialYear, CouncilRef, MinuteRef, SourceRef,
//     Certainty, PartnershipSlug) parse and validate; their JSON forms validate too.
//   - DecodePayload is the one switch from a type name and schema version to a payload struct. It
//     refuses unknown fields (spelt exactly: encoding/json would otherwise fold case), trailing data
//     and malformed values. DecodeStoredPayload is its cheaper twin for events read back from the
//     store, which were checked when they were recorded.
//   - Decide is a pure function from a partnership's recorded history and a Command to the new
//     events, or a *ValidationError listing every broken rule, each with a JSON-pointer field. It
//     checks the whole timeline in effective_on order (ties by seq), so a back-dated event that
//     breaks a later one is refused, naming the later event. A Decider does the same while keeping
//     the partnership folded, for a server that records many commands.
//   - EffectiveView applies corrections and retractions to a history (any known_at prefix of it)
//     and returns the events in effect, each with the ids of the events that produced it.
//   - State is the one fold of those events: what a history means, as typed facts (partners,
//     status, trial, review due, appointments with their councils, time shares and statutory roles,
//     designations, services, cost shares, savings figures by council and year, decisions,
//     agreements, funding, reviews and outcomes, business cases), each with its evidence and
//     sources. Apply folds one event; ApplyEffect also reports its Effect (the facts it made,
//     changed field by field, and ended), for ledger replay; Facts lists a state uniformly. Decide
//     checks every event against this same State, and the read models (projections) map it to
//     their views, so the write side and the views cannot disagree about who holds a post
//     (ExampleState_ApplyEffect).
//
// # Decisions the catalogue left open
//
//   - Corrections: EventCorrected.data holds only the corrected top-level data fields; they replace
//     the target's (a null removes an optional field). Corrections apply in seq order, so for each
//     field the last one wins. effective_on, sources and certainty are replaced when given. A
//     correction or retraction must target an original event (not another correction); to undo a
//     correction, correct again. A retraction removes the target and its corrections.
//   - Dependencies are found by replaying the timeline: retracting (or correcting) an event is
//     refused when any event that remains would break a rule, e.g. an appointment whose approval
//     cites the retracted DecisionTaken. The problem names that event (Problem.Event, EventType).
//   - Before PartnershipProposed only DecisionTaken may be recorded (a council decides before a
//     partnership exists). PartnershipDissolved ends the sharing (appointments and the roles they
//     carry, designations, cost shares, shared services, partners); after it only wind-down events
//     may follow: SavingsReported, OneOffCostIncurred, ReviewOutcomeRecorded and DecisionTaken,
//     naming councils that were partners when it was dissolved.
//   - Dates inside a payload that say when the event itself takes effect (starts_on,
//     applies_from, from) must equal the envelope's effective_on, so the two cannot disagree.
//   - A withdrawal needs either a WithdrawalNoticeGiven whose notice_days have run, or an
//     authorised_by decision (mutual agreement). Withdrawing below two partners is refused: record
//     PartnershipDissolved instead.
//   - Officers are identified by name (case and spacing folded: "karen  SLY" is Karen Sly); an
//     appointment by officer and post (case folded), a service and a cost share's subject by name
//     (case folded). The fold and the checks share these rules (state.go). Statutory roles are held from StatutoryRoleDesignated until StatutoryRoleVacated; the
//     statutory_role of a JointAppointmentMade describes the post and designates nothing.
//   - Reviews are named (ReviewScheduled.review) and outcomes cite the name. Agreements likewise
//     (AgreementExecuted.reference).
//   - Reported savings may be negative (a loss); targets, costs and grants may not.
//   - Facts whose every source is the press must be recorded as reported.
//
// Import rules: the package imports only the standard library, github.com/google/uuid,
// github.com/goccy/go-json, eventstore (the envelope, the gate and the canonical form, never a
// Store's backend) and fault; domain/recording joins it to an eventstore.Store (internal/layers
// tests this). Its functions are safe for concurrent use (a Decider is not).
package domain
