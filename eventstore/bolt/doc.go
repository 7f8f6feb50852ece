// Package bolt is the ledger's embedded event store: one bbolt file, written by a commit loop that
// coalesces concurrent appends into one transaction and one fsync, read in bounded chunks.
//
// Layout (buckets): events (seq → compact binary envelope),
// revs (stream ‖ 0 ‖ revision → seq), ids (event id → seq), meta (last seq, last recorded_at).
package bolt
