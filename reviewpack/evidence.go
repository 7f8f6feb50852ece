package reviewpack

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/fault"
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
	// Checkpoint is the C2SP checkpoint covering the tree head, with its cosignatures (checkpoint.go);
	// absent in packs built without the ledger's checkpoints.
	Checkpoint *PackCheckpoint `json:"checkpoint,omitempty"`
	Events     []CitedEvent    `json:"events"` // in seq order

	// Since is the known-at of the last report as requested (a seq, a time or a date; "" for none),
	// SinceSeq the last ledger seq it knew: the pack says what was recorded after it (changes.go).
	Since    string `json:"since,omitempty"`
	SinceSeq uint64 `json:"since_seq,omitempty"`
}

// CoverOptions are the cover-sheet fields the person building the pack may set. The bodies that
// consider the review come from the ledger (the review's bodies), each with the meeting date the
// ledger holds for it, if any; Meetings gives a body's meeting date for this pack. Each option is
// text under the ledger's text rule and the limit its `limit` tag declares (domain.FieldLimit);
// Check applies both and the form of each meeting.
type CoverOptions struct {
	Committee string `json:"committee,omitempty" limit:"name"` // the body the pack is prepared for, if not one the review names
	// Meeting is the one meeting date packs of format ledger-review-pack-v2 carried as text; no
	// pack is built with it now (Check refuses it): each body has its own meeting (Meetings).
	Meeting string `json:"meeting,omitempty" limit:"name"`
	Author  string `json:"author,omitempty" limit:"name"`
	// Meetings are "BODY=DATE", each as given (`ledger pack --meeting`, repeatable; the meeting
	// query parameter of the API): BODY names one of the bodies the review is scheduled for, as
	// COUNCIL:BODY ("north-norfolk:cabinet") or by the body alone where that names one of them
	// ("cabinet"), or the Committee; DATE is YYYY-MM-DD.
	Meetings []string `json:"meetings,omitempty" limit:"name"`
}

// CoverError is a cover option that breaks the text rule or its limit. Field is its JSON name, which
// is also the name of the API's query parameter and of the CLI's flag.
type CoverError struct {
	Field  string
	Detail string // what is wrong, from domain.TextLimitProblem
}

func (e *CoverError) Error() string { return e.Field + ": " + e.Detail }

// Check returns a *CoverError for the first option (in field order) that is not text the ledger
// keeps (eventstore.TextProblem), holds a tab, line feed or carriage return (a cover option is one
// line: the README promises no control characters), or is longer than its declared limit, or nil. A
// pack never carries text a command could not: the cover is shown, signed and downloaded like the
// events.
func (c CoverOptions) Check() error {
	v := reflect.ValueOf(c)
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		n, _ := domain.FieldLimit(t.Field(i))
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		var values []string
		switch f := v.Field(i); f.Kind() {
		case reflect.String:
			values = []string{f.String()}
		case reflect.Slice: // a repeatable option: its parameter and flag are named in the singular
			values, name = f.Interface().([]string), strings.TrimSuffix(name, "s")
		}
		for _, s := range values {
			msg := domain.TextLimitProblem(s, n)
			if j := strings.IndexAny(s, "\t\n\r"); msg == "" && j >= 0 {
				msg = fmt.Sprintf("control character U+%04X is not allowed in a cover option (it is one line)", s[j])
			}
			if msg != "" {
				return &CoverError{Field: name, Detail: msg}
			}
		}
	}
	if c.Meeting != "" {
		return &CoverError{Field: "meeting", Detail: fmt.Sprintf("%q: %s: each body that considers the review has its own meeting", c.Meeting, meetingShape)}
	}
	for _, m := range c.Meetings {
		if _, _, err := parseMeeting(m); err != nil {
			return &CoverError{Field: "meeting", Detail: err.Error()}
		}
	}
	return nil
}

// CitedEvent is an event with the audit path (RFC 9162) that places its leaf in the tree head.
type CitedEvent struct {
	Event     eventstore.Event `json:"event"`
	LeafIndex uint64           `json:"leaf_index"` // seq − 1
	AuditPath []audit.Hash     `json:"audit_path"`
}

// Fault describes the refused cover option for people (fault.Malformed, at the parameter named as
// in the HTTP API, e.g. "committee").
func (e *CoverError) Fault() *fault.Error {
	return (&fault.Error{Kind: fault.Malformed, Message: e.Error()}).Param(e.Field, e.Detail)
}
