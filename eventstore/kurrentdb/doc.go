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
// Namespaces are a name and one '-' ("ledger1-"), so none is a prefix of another.
// The Store keeps an in-process index (position → seq, id → stream, revision, seq), built at Open by a
// filtered $all subscription from the start and kept current by that same subscription. Commit
// positions have gaps and change when a ledger is migrated, so they never leave this package.
//
// # Appends
//
// An append always goes at the exact next revision of its stream: the adapter reads the stream's last
// event (its revision and hash), chains the new events to it and appends with that exact expected
// revision. One read gives both the stream's end and the events the index has not folded (those
// after the index's head of the stream), so the window between learning the end and appending is one
// round trip. An append with eventstore.Any that loses a race is retried after a randomised wait that
// doubles with each loss (1 ms up to 100 ms), up to eventstore.AnyRetries times and within its
// context, then fails with *eventstore.ContendedError; the chain never forks. Idempotency by id holds even for a retry after a lost acknowledgement:
// ids are looked up in the index, and in the part of the stream the index has not folded yet. The
// returned events carry their seq: Append waits until the index has folded them.
//
// # Damage
//
// KurrentDB can hide or remove a ledger stream's events behind the ledger's back: a soft delete ($tb
// set to the end), $tb, $maxCount or $maxAge in the stream's metadata, a tombstone, a scavenge. The
// index follows the $$stream metadata and tombstone records of the ledger's streams and checks that
// each stream's revisions follow each other in $all; reads check KurrentDB's answer against the index
// and itself (starting at revision 0 or right after the cursor, no gap, prev_hash linked, reaching the
// index's head). Whatever fails is an *eventstore.DamageError (eventstore.ErrDamaged, also
// eventstore.ErrCorrupt), reported by ReadStream, ReadAll, SubscribeAll and Append to the stream.
//
// # Checkpoints
//
// The ledger's signed checkpoints and their witnesses' cosignatures (eventstore.CheckpointStore) are
// events of one stream outside the ledger's namespace, CheckpointStream(Namespace)
// ("ledger.checkpoints", or "ledger.checkpoints.<namespace>"), without the ledger marker: they are
// never ledger events, take no seq and no leaf of the Merkle tree (checkpoint.go).
//
// Appends to one stream from one Store are serialised in-process; appends from several processes are
// ordered by KurrentDB's optimistic concurrency. One Store assigns recorded_at and commits under one
// lock, so along seq its appends' recorded_at never decreases (appends to different streams wait for
// each other's round trip to KurrentDB); across several ledger servers it follows their clocks
// (ledger verify holds recorded_at non-decreasing along seq: docs/integrity.md §8).
package kurrentdb
