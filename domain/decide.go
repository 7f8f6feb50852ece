package domain

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/partnership-ledger/ledger/eventstore"
)

// Command asks to record one event in a partnership. It is what the CLI and the HTTP API build from
// their input; Decide checks it.
type Command struct {
	// Partnership is the partnership's slug; the event goes to stream "partnership-<slug>".
	Partnership string `json:"partnership"`
	// Type is an event type name, e.g. "JointAppointmentMade".
	Type string `json:"type"`
	// EffectiveOn is the civil date the event takes effect, YYYY-MM-DD.
	EffectiveOn string `json:"effective_on"`
	// Sources are the evidence; at least one is required.
	Sources []SourceRef `json:"sources"`
	// Certainty is confirmed, reported or inferred.
	Certainty string `json:"certainty"`
	// Data is the payload, as JSON, for Type.
	Data json.RawMessage `json:"data"`
	// ID, when set, is the new event's id: sending the same command with the same id again records
	// nothing and answers the stored event (the HTTP layer derives it from an Idempotency-Key).
	// When zero the recorder assigns a fresh id.
	ID uuid.UUID `json:"id,omitzero"`
	// CorrelationID and CausationID are copied to the envelope; optional.
	CorrelationID uuid.UUID `json:"correlation_id,omitzero"`
	CausationID   uuid.UUID `json:"causation_id,omitzero"`
	// RecordedAt, when set, is the recorded_at of the event. Only an offline seed or import sets it;
	// the HTTP API and the CLI's record command must leave it zero.
	RecordedAt time.Time `json:"-"`
}

// NewEvent is an event Decide accepts, ready for the store: payload encoded, envelope fields parsed.
type NewEvent struct {
	ID            uuid.UUID // zero when the command gave none: the recorder assigns one
	Partnership   PartnershipSlug
	Type          string
	Schema        int
	EffectiveOn   Date
	Sources       []SourceRef
	Certainty     Certainty
	Data          json.RawMessage // the RFC 8785 form of the data received (eventstore.Gate), never re-encoded
	Payload       Payload
	CorrelationID uuid.UUID
	CausationID   uuid.UUID
	RecordedAt    time.Time
	// Replay is true when the command's ID names an event already in the history with the same
	// content: nothing new is to be recorded, and the stored event is the answer.
	Replay bool
}

// SourcesJSON returns the sources as a JSON array.
func (n NewEvent) SourcesJSON() json.RawMessage {
	b, err := json.Marshal(n.Sources)
	if err != nil || n.Sources == nil {
		return json.RawMessage("[]")
	}
	return b
}

// pendingID stands for the candidate's id in violations when the command gave none.
var pendingID = uuid.UUID{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x4f, 0xff, 0xbf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}

// Decide checks a command against a partnership's history and returns the event(s) to record.
//
// history is every event already recorded in the partnership's stream, in seq order (decoded with
// DecodeEnvelope). Decide enforces the twelve invariants of docs/domain.md over the whole timeline:
// the candidate is placed by its effective_on (ties by seq, the candidate last) among the events in
// effect (EffectiveView), and every event must still be valid with it. A back-dated event that would
// break a later one is refused, naming the later event's id and type.
//
// When cmd.ID names an event already in history, Decide answers that event with Replay set if the
// content is the same, and refuses the command if it differs.
//
// Errors: a *ValidationError (matching ErrValidation; also ErrMalformed when the input could not be
// read) listing every problem found. Decide is pure and safe for concurrent use.
func Decide(history []Recorded, cmd Command) ([]NewEvent, error) {
	return decide(NewDecider(history), cmd)
}

func decide(d *Decider, cmd Command) ([]NewEvent, error) {
	history := d.hist
	var p problems
	ev, ok := parseCommand(cmd, &p)
	if ev.Payload == nil || ev.EffectiveOn.IsZero() || malformed(p.list) {
		// Without a payload and a date there is no timeline to check.
		return nil, p.err()
	}
	if ok && cmd.ID != uuid.Nil {
		if i, found := d.index[cmd.ID]; found {
			r := history[i]
			if sameContent(r, ev) {
				ev.Replay = true
				ev.Data = dataOf(r)
				return []NewEvent{ev}, nil
			}
			p.addf("/id", "event %s was already recorded with other content (type %s, effective %s); a repeated idempotency key must carry the same command",
				r.ID, r.Type, r.EffectiveOn)
			return nil, p.err()
		}
	}

	candID := ev.ID
	if candID == uuid.Nil {
		candID = pendingID
	}
	cand := Recorded{ID: candID, Type: ev.Type, Schema: ev.Schema, EffectiveOn: ev.EffectiveOn,
		Sources: ev.Sources, Certainty: ev.Certainty, Data: ev.Data, Payload: ev.Payload}
	if n := len(history); n > 0 {
		cand.Seq = history[n-1].Seq + 1
	}
	var target *Effective
	switch pl := ev.Payload.(type) {
	case EventCorrected:
		target = checkTarget(history, pl.Target, &p)
		if target != nil {
			corrected, err := applyCorrection(target.Recorded, pl)
			if err != nil {
				// The corrected members are members of data.data: a value of the merged data that
				// does not read is at its pointer under /data/data, with its reason alone.
				var ve *valueError
				if errorsAs(err, &ve) {
					p.malformed("/data/data"+ve.Pointer, ve.Reason)
				} else {
					p.malformed("/data/data", fmt.Sprintf("cannot be applied to the %s it corrects: %v", target.Type, err))
				}
			} else {
				// The target as corrected must be a valid payload of its type, as if recorded fresh:
				// a required member set to null or removed is refused at its pointer.
				missingMembers(corrected.Data, reflect.TypeOf(corrected.Payload), "/data/data", &p)
				var tp problems
				checkNew(corrected.Payload, &tp)
				for _, pr := range tp.list {
					pr.Field = "/data" + pr.Field
					p.list = append(p.list, pr)
				}
				checkProvenance(corrected.Sources, corrected.Certainty, "/data/certainty", &p)
			}
		}
	case EventRetracted:
		target = checkTarget(history, pl.Target, &p)
	}
	if target == nil && (ev.Type == TypeEventCorrected || ev.Type == TypeEventRetracted) || malformed(p.list) {
		return nil, p.err()
	}
	// The payload's own problems are known; go on to the timeline so that every broken rule is
	// reported at once.

	st, last := d.folded()
	if target != nil {
		checkCorrectionDate(st, ev.EffectiveOn, d.today(cmd), &p)
	}
	checkPublished(cmd.Sources, d.today(cmd), &p)
	baseline := map[string]bool{}
	var after []violation
	if target == nil && !ev.EffectiveOn.Before(last) && !st.lapsesBefore(ev.EffectiveOn) {
		// The candidate comes last in effective order, so it cannot change how any earlier event
		// folds: only its own violations can be new, and checking it against the fold is enough
		// (unless a fixed term lapses before it: the fold is not advanced for a mere candidate).
		after = st.checkNext(Effective{Recorded: cand, Evidence: []uuid.UUID{candID}})
	} else {
		for _, v := range checkTimeline(EffectiveView(history)) {
			baseline[v.key()] = true
		}
		after = checkTimeline(EffectiveView(append(history[:len(history):len(history)], cand)))
	}
	sortViolations(after)
	for _, v := range after {
		if baseline[v.key()] {
			continue
		}
		switch {
		case v.id == candID:
			p.add(v.field, v.msg)
		case target != nil && v.id == target.ID && ev.Type == TypeEventCorrected:
			field := "/data/target"
			if v.field == "/effective_on" {
				field = "/data/effective_on"
			} else if strings.HasPrefix(v.field, "/data/") {
				field = "/data" + v.field // the target's /data/x is the correction's /data/data/x
			}
			p.list = append(p.list, Problem{Field: field, Event: v.id, EventType: v.typ,
				Message: fmt.Sprintf("the corrected %s %s would break a rule: %s", v.typ, v.id, v.msg)})
		default:
			field := "/effective_on"
			if target != nil {
				field = "/data/target"
			}
			p.list = append(p.list, Problem{Field: field, Event: v.id, EventType: v.typ,
				Message: fmt.Sprintf("would leave %s %s (effective %s) invalid: %s: %s", v.typ, v.id, v.eff, v.field, v.msg)})
		}
	}
	if !p.empty() {
		return nil, p.err()
	}
	return []NewEvent{ev}, nil
}

// CheckCommand reports the problems a command has on its own, without the partnership's history: the
// gate on its data, the envelope fields, the payload's own rules and the limits. A command it refuses
// is refused by Decide too, so a caller can refuse it before opening a store. It returns nil or a
// *ValidationError.
func CheckCommand(cmd Command) error {
	var p problems
	parseCommand(cmd, &p)
	return p.err()
}

func malformed(list []Problem) bool {
	for _, p := range list {
		if p.Malformed {
			return true
		}
	}
	return false
}

// parseCommand checks the envelope and decodes the payload (invariants 7 and 11 and the payload's
// own rules); ok is false when there are problems.
func parseCommand(cmd Command, p *problems) (NewEvent, bool) {
	ev := NewEvent{ID: cmd.ID, Type: cmd.Type, Schema: CurrentSchema, CorrelationID: cmd.CorrelationID,
		CausationID: cmd.CausationID, RecordedAt: cmd.RecordedAt}
	slug, err := ParsePartnershipSlug(cmd.Partnership)
	if err != nil {
		p.add("/partnership", err.Error())
	}
	ev.Partnership = slug
	if cmd.EffectiveOn == "" {
		p.add("/effective_on", "is required (the date the event takes effect, YYYY-MM-DD)")
	} else if ev.EffectiveOn, err = ParseDate(cmd.EffectiveOn); err != nil {
		p.malformed("/effective_on", err.Error())
	} else {
		checkDateLimit(p, "/effective_on", ev.EffectiveOn)
	}
	if cmd.Certainty == "" {
		p.add("/certainty", "is required (confirmed, reported or inferred)")
	} else if ev.Certainty, err = ParseCertainty(cmd.Certainty); err != nil {
		p.add("/certainty", err.Error())
	}
	if len(cmd.Sources) == 0 {
		p.add("/sources", "needs at least one source (the document the fact comes from)")
	}
	if len(cmd.Sources) > MaxSources {
		p.addf("/sources", "has %d sources; the limit is %d", len(cmd.Sources), MaxSources)
	}
	for i, s := range cmd.Sources {
		s.check(p, fmt.Sprintf("/sources/%d", i))
	}
	ev.Sources = cmd.Sources
	if ev.Certainty != "" {
		checkProvenance(cmd.Sources, ev.Certainty, "/certainty", p)
	}
	if newPayload(cmd.Type) == nil {
		if cmd.Type == "" {
			p.add("/type", "is required (an event type, e.g. JointAppointmentMade)")
		} else {
			p.addf("/type", "%q is not an event type (known: %s; docs/events.md describes each)", cmd.Type, strings.Join(EventTypes(), ", "))
		}
		return ev, false
	}
	if len(bytes.TrimSpace(cmd.Data)) == 0 {
		p.add("/data", "is required (the event's data as a JSON object)")
		return ev, false
	}
	// The stored data is the gate's canonical form of the bytes received, never the payload encoded
	// again: decoding and encoding may change a value (issue 16).
	canon, err := eventstore.Gate(cmd.Data)
	if err != nil {
		gateProblem(p, "/data", err)
		return ev, false
	}
	// The value is read from the bytes as sent, so that 1e3 is not a whole number of pence although
	// its canonical form is 1000; the canonical form is what is stored.
	payload, err := DecodePayload(cmd.Type, CurrentSchema, cmd.Data)
	if err != nil {
		var de *DecodeError
		if errorsAs(err, &de) {
			err = de.Err
		}
		valueProblem(p, "/data", err)
		return ev, false
	}
	missingMembers(cmd.Data, reflect.TypeOf(payload), "/data", p)
	if c, ok := payload.(EventCorrected); ok && len(c.Data) > 0 {
		// The corrected fields as stored: a part of the canonical data, so a retry compares equal.
		if c.Data, err = eventstore.Gate(c.Data); err == nil {
			payload = c
		}
	}
	checkNew(payload, p)
	ev.Payload = payload
	ev.Data = canon
	return ev, p.empty()
}

// checkProvenance enforces rule 11's second half: facts whose every source is the press are
// recorded as reported, and a confirmed fact cites a confirming source (SourceRef.Confirms).
func checkProvenance(sources []SourceRef, c Certainty, field string, p *problems) {
	if len(sources) == 0 || c == Reported {
		return
	}
	pressOnly := true
	for _, s := range sources {
		pressOnly = pressOnly && s.Kind == SourcePress
	}
	switch {
	case pressOnly:
		p.addf(field, "every source is a press report, so the certainty must be reported (got %s)", c)
	case c == Confirmed && !HasConfirmingSource(sources):
		p.add(field, "confirmed needs a confirming source: minutes, a report or an agreement none of whose details is assumed; cite one, or record the certainty as reported or inferred")
	}
}

// checkTarget enforces invariant 10 for the target of a correction or retraction and returns the
// target as currently in effect.
func checkTarget(history []Recorded, target uuid.UUID, p *problems) *Effective {
	var orig *Recorded
	for i := range history {
		if history[i].ID == target {
			orig = &history[i]
		}
	}
	if orig == nil {
		p.addf("/data/target", "no event %s in this partnership", target)
		return nil
	}
	if orig.Type == TypeEventCorrected || orig.Type == TypeEventRetracted {
		p.addf("/data/target", "event %s is a %s; correct or retract the original event instead", target, orig.Type)
		return nil
	}
	for _, e := range EffectiveView(history) {
		if e.ID == target {
			return &e
		}
	}
	p.addf("/data/target", "event %s (%s) has been retracted", target, orig.Type)
	return nil
}

// CheckTarget is invariant 10's check of the event a correction or retraction would name, for a
// page that offers to correct or retract it before any command exists: it returns the target as in
// effect (the original with the corrections recorded so far applied; Evidence lists them), or a
// *ValidationError at /data/target with Decide's own message: no such event in history, the event is
// itself a correction or retraction, or it has been retracted. history is in seq order. Safe for
// concurrent use.
func CheckTarget(history []Recorded, target uuid.UUID) (Effective, error) {
	var p problems
	if e := checkTarget(history, target, &p); e != nil {
		return *e, nil
	}
	return Effective{}, p.err()
}

// sameContent reports whether a stored event carries the same content as a new one, for
// idempotent replays.
func sameContent(r Recorded, n NewEvent) bool {
	if r.Type != n.Type || r.EffectiveOn != n.EffectiveOn || r.Certainty != n.Certainty {
		return false
	}
	a, _ := json.Marshal(r.Sources)
	b, _ := json.Marshal(n.Sources)
	if !bytes.Equal(a, b) {
		return false
	}
	x, err1 := EncodePayload(r.Payload)
	y, err2 := EncodePayload(n.Payload)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}

// DecodeCommand reads the JSON body of a request to record an event,
// {"type", "effective_on", "sources", "certainty", "data"}, for the partnership named elsewhere
// (the URL path), with UnmarshalBody: an empty body, one that does not pass eventstore.Gate or is
// not a JSON object, unknown fields, wrong JSON types and malformed values are refused with a
// *ValidationError whose problems are Malformed (HTTP 400), each at its JSON pointer ("" for the
// whole body); the rules are left to Decide (422), which stores the canonical form of the data.
// The event id, recorded_at and the actor never come from a body.
func DecodeCommand(partnership string, body []byte) (Command, error) {
	var in struct {
		Type        string          `json:"type"`
		EffectiveOn string          `json:"effective_on"`
		Sources     []SourceRef     `json:"sources"`
		Certainty   string          `json:"certainty"`
		Data        json.RawMessage `json:"data"`
	}
	if err := UnmarshalBody(body, "the event", &in); err != nil {
		return Command{}, err
	}
	return Command{Partnership: partnership, Type: in.Type, EffectiveOn: in.EffectiveOn, Sources: in.Sources,
		Certainty: in.Certainty, Data: in.Data}, nil
}

// checkPublished refuses a source published after the day the event is recorded (today, Europe/London;
// zero when no clock is set, and then nothing is checked): a document cannot be cited before it
// exists. The problem names /sources/N/published.
func checkPublished(sources []SourceRef, today Date, p *problems) {
	if today.IsZero() {
		return
	}
	for i, s := range sources {
		if !s.Published.IsZero() && today.Before(s.Published) {
			p.addf(fmt.Sprintf("/sources/%d/published", i), "%s is after the day the event is recorded (%s): a source cannot be cited before it is published", s.Published, today)
		}
	}
}
