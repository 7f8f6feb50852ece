package words

import "strconv"

// TreeHeadTimeLabel labels a signed tree head's timestamp wherever it is shown (review packs'
// Appendix B, the web pages' proofs and verification): the timestamp is the recorded_at of the
// head's last event, not when the head was signed (docs/integrity.md, "timestamp is the recorded_at
// of event size").
const TreeHeadTimeLabel = "Last event recorded (not when signed)"

// TreeHeadTime is a tree head's timestamp (as the caller formats it, RFC 3339 in packs) in words that
// say what it is: "2015-12-19T09:02:00Z, when event [24] was recorded; the head carries no signing
// time", for a head of size events ("(the ledger held no event; …)" for size 0).
func TreeHeadTime(timestamp string, size uint64) string {
	if size == 0 {
		return timestamp + " (the ledger held no event; the head carries no signing time)"
	}
	return timestamp + ", when event [" + strconv.FormatUint(size, 10) + "] was recorded; the head carries no signing time"
}
