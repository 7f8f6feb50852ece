package reviewpack

import (
	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/eventstore"
)

// Evidence is what a pack is built from and what a verifier checks offline: the query, the cover
// options, the signed tree head whose size is the known_at cut, and every event of the partnership up
// to that cut, each with its inclusion proof under the tree head. The report is a pure function of
// the Evidence (Compose), so a verifier rebuilds it and compares.
type Evidence struct {
	Partnership string       `json:"partnership"`
	AsOf        string       `json:"as_of"`
	KnownAt     string       `json:"known_at"` // as requested ("all", a seq, a time or a date)
	Cover       CoverOptions `json:"cover_options"`
	TreeHead    TreeHead     `json:"tree_head"`
	Events      []CitedEvent `json:"events"` // in seq order
}

// CoverOptions are the cover-sheet fields the person building the pack may set. Empty fields take
// their defaults from the ledger (the review's bodies and due date).
type CoverOptions struct {
	Committee string `json:"committee,omitempty"`
	Meeting   string `json:"meeting,omitempty"`
	Author    string `json:"author,omitempty"`
}

// CitedEvent is an event with the audit path (RFC 9162) that places its leaf in the tree head.
type CitedEvent struct {
	Event     eventstore.Event `json:"event"`
	LeafIndex uint64           `json:"leaf_index"` // seq − 1
	AuditPath []audit.Hash     `json:"audit_path"`
}
