// Package projections folds the ledger's events into read models — the partnerships list, a
// partnership's state, its appointments, shared services, savings, decision register and timeline —
// and answers them at any point in both times:
//
//   - as_of, a civil date: the events in effect on that date (effective_on ≤ as_of), applied in
//     effective_on order, ties by seq. The default is today in Europe/London, from an injected clock.
//   - known_at (KnownAt): only what the ledger had recorded by then — a seq, an RFC 3339 time, or a
//     civil date meaning the end of that day in Europe/London. A time resolves to the last seq whose
//     recorded_at, read as a running maximum along seq, is not after it. The default is everything.
//
// Corrections and retractions take effect only from when they were recorded: at an earlier known_at
// the original stands. Every fact in a read model lists the ids of the events it comes from.
//
// What an event means is the domain's: a view is domain.State (the one fold, which the write side's
// checks use too) mapped to the view's shapes, keeping the domain's value types (domain.Date,
// domain.Pence, domain.BasisPoints); money that was not recorded is absent (nil, JSON null), never 0.
//
// Models keeps each partnership's decoded events in seq order (a known_at is then a cut by seq) and
// computes views on demand, caching the latest. A Runner folds the global log into Models from its
// checkpoint and follows it live; WaitFor gives read-your-writes.
package projections
