// Package bolt is the ledger's embedded event store: one bbolt file, written by a commit loop that
// coalesces concurrent appends into one transaction (one durable commit; it waits at most gatherFor for
// appends already inside Append), read in bounded chunks.
//
// Layout (buckets): events (seq → compact binary envelope), revs (stream ‖ 0 ‖ first revision → the
// seqs of a run of revisions, see index.go),
// ids (event id → seq), meta (last seq, last recorded_at, and "indexed": the last seq whose entries are
// in revs and ids). The secondary indexes are written lazily: the newest entries live in memory (the
// tail) and are written into the buckets every few thousand events by the commit loop, in the same
// transaction as a batch; Open rebuilds the tail from the events after "indexed". The events bucket
// alone is the durable truth.
package bolt
