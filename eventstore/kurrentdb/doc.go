// Package kurrentdb is the ledger's event store on KurrentDB (EventStoreDB), through the gRPC client
// github.com/EventStore/EventStore-Client-Go/v4 (v4.2.0).
//
// # Mapping
//
// Each ledger stream is a KurrentDB stream of the same name (after Options.Namespace, when set). An
// event's id is the KurrentDB event id, its type the event type, its payload (canonical JSON) the
// event data, and every other envelope field the event metadata, a JSON object carrying the ledger's
// marker ("ledger": "ledger-event-v1"), schema, effective_on, recorded_at (RFC 3339, UTC),
// recorded_by, sources, certainty, correlation_id, causation_id, prev_hash and hash. The revision is
// the KurrentDB stream revision.
//
// # Seq
//
// seq is the ledger's own gap-free ordinal, derived the same way by every reader from $all: the seq of
// an event is 1 + the number of ledger events before it in $all. A ledger event is one in a stream that
// is not a system stream ("$..."), starts with the namespace, and whose metadata carries the marker.
// The Store keeps an in-process index (position → seq, id → stream, revision, seq), built at Open by a
// filtered $all subscription from the start and kept current by that same subscription. Commit
// positions have gaps and change when a ledger is migrated, so they never leave this package.
//
// # Appends
//
// An append always goes at the exact next revision of its stream: the adapter reads the stream's last
// event (its revision and hash), chains the new events to it and appends with that exact expected
// revision. An append with eventstore.Any that loses a race is retried up to eventstore.AnyRetries
// times; the chain never forks. Idempotency by id holds even for a retry after a lost acknowledgement:
// ids are looked up in the index, and in the part of the stream the index has not folded yet. The
// returned events carry their seq: Append waits until the index has folded them.
//
// Appends to one stream from one Store are serialised in-process; appends from several processes are
// ordered by KurrentDB's optimistic concurrency. recorded_at never decreases within one Store's
// assignments; across several ledger servers it follows their clocks (design.md reads recorded_at as
// non-decreasing along seq).
package kurrentdb
