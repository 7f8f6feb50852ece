// Package domain is the partnership model of the ledger: value types that cannot be built invalid,
// the v1 event catalogue (one payload struct and one fixed type name per event), the commands that
// record them, and the twelve invariants of docs/domain.md.
//
// The pieces, in the order a command meets them:
//
//   - Value types (Date, Pence, BasisPoints, FinancialYear, CouncilRef, MinuteRef, SourceRef,
//     Certainty, PartnershipSlug) parse and validate; their JSON forms validate too.
//   - DecodePayload is the one switch from a type name and schema version to a payload struct.
//   - Decide is a pure function from a partnership's recorded history and a Command to the new
//     events, or a *ValidationError listing every broken rule. It checks the whole timeline in
//     effective_on order, so a back-dated event that breaks a later one is refused.
//   - Effective applies corrections and retractions to a history (any known_at prefix of it) and
//     returns the events in effect, each with the ids of the events that produced it.
//
// The package imports only the standard library and github.com/google/uuid; domain/recording joins
// it to an eventstore.Store. Everything here is safe for concurrent use: there is no mutable state.
package domain
