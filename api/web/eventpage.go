package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/words"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/fault"
	"github.com/partnership-ledger/ledger/projections"
)

// eventPage is the body of the event page: one event of a partnership in the review pack's words
// (package words), with what corrected or retracted it, and its place in the log and its proof.
type eventPage struct {
	Event       eventstore.Event
	Partnership string // the slug, for links
	Name        string // the partnership's name
	Ref         string // "[12]": the ledger's event number, as packs cite it
	Ordinal     string // "the partnership's 12th event"
	Type        string // the type in words: "Joint appointment made"
	Said        string // the event's line as recorded (words.Event, words.Cited), a sentence
	AsCorrected string // the line as corrected, when a correction changed it
	Effective   string // the effective date in words, as the event stands
	Certainty   string // the certainty in words, as the event stands
	RecordedAt  string // domain.TimeText
	RecordedBy  string // words.Actor
	Corrected   bool   // whether a correction changed it (Details are then as corrected)
	Details     []member
	Sources     []sourceLine
	Unreadable  bool // this build cannot read the event's data (a type it does not know)

	CorrectedBy       []correctionNote // corrections of this event, in the order recorded
	RetractedBy       *correctionNote  // the retraction of this event
	Corrects          *eventLink       // for a correction: the event it corrects
	Retracts          *eventLink       // for a retraction: the event it retracts
	TargetRetractedBy *correctionNote  // for a correction: the retraction of the event it corrects, recorded since
	CanChange         bool             // a correction or retraction may be recorded against it (shown as recorded now only)
	Past              bool             // shown as known at a past point (known_at), not as recorded now
	At                string           // which point it shows: "As recorded now, up to event [41]."
	PartnershipURL    string           // the partnership's page at the same as_of and known_at
	query             string           // added to links to other event pages: "known_at=20", or empty

	JSONURL  string // the event as the API serves it (JSON)
	Proof    *audit.Bundle
	ProofErr string
	ProofURL string
	Recorded bool
}

// member is one member of an event's data in words: its name (words.CorrectedField) and value.
type member struct {
	Label string
	Value value
}

// value is a member's value in words: text, a link to an event, a list or a group of members.
type value struct {
	Text    string
	Href    string
	List    []value
	Members []member
}

// sourceLine is a source as words.Source writes it, and whether it marks assumed details.
type sourceLine struct {
	Text    string
	Assumed bool
}

// correctionNote is a correction or retraction of the event on its page: "Corrected by [14] on 1
// October 2016", with each field's old and new values, or a retraction's reason in words.
type correctionNote struct {
	eventLink
	On      string   // the day it was recorded, in words
	Takes   string   // its effective date in words, when it differs from the day it was recorded
	Changes []change // a correction's fields
	Why     string   // a correction's reason as recorded, a retraction's in words (words.Retraction)
}

// change is one field a correction changed, in words (words.CorrectedField, words.CorrectedChange).
type change struct{ Field, Old, New string }

// eventLink is another event of the ledger, cited as packs cite it: "[14]", linked to its page.
type eventLink struct {
	ID   uuid.UUID
	Seq  uint64
	Ref  string // "[14]"
	What string // its type and effective date in words: "Joint appointment made of 7 November 2015"
}

// ref writes an event number as packs cite it: "[14]".
func ref(seq uint64) string { return "[" + strconv.FormatUint(seq, 10) + "]" }

// ordinal writes a count as an ordinal number: 1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st.
func ordinal(n uint64) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return strconv.FormatUint(n, 10) + suffix
}

// partnershipOrdinal says where an event stands in its partnership's stream: "the partnership's
// 12th event" for the event at revision 11.
func partnershipOrdinal(revision uint64) string {
	return "the partnership's " + ordinal(revision+1) + " event"
}

// handleEvent serves /events/{id}: a partnership's event in words, as recorded now or, with
// known_at (a date, an RFC 3339 time or an event number, read as the partnership page reads it:
// projections.ParseKnownAt), as the ledger knew it then: corrections and retractions recorded after
// that point are not shown, and an event recorded after it is a 404 page saying it was not yet
// recorded. as_of, when given, is carried back to the partnership page's link. An id that is not a
// UUID, that the ledger does not hold, or of an event outside a partnership (the tokens' stream,
// for auditors through the API) is a 404 page; a known_at or as_of that cannot be read is a 400 page.
func (s *server) handleEvent(w http.ResponseWriter, r *http.Request) {
	e, err := s.eventByID(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	slug, ok := strings.CutPrefix(e.Stream, domain.StreamPrefix)
	if !ok {
		// ledger-* streams (tokens) are for auditors, through the API.
		s.fail(w, r, errNotFound)
		return
	}
	qs := r.URL.Query()
	q, err := projections.ParseQuery(qs.Get("as_of"), qs.Get("known_at"))
	if err != nil {
		s.renderError(w, r, http.StatusBadRequest, "This cannot be read", "The as-of date or known-at value is not valid: "+fault.Message(err)+
			". Enter known-at as a date (2016-06-01), a time (2016-06-01T12:00:00Z) or an event number.")
		return
	}
	var point eventPoint
	if k := strings.TrimSpace(qs.Get("known_at")); q.KnownAt != (projections.KnownAt{}) && !strings.EqualFold(k, "all") {
		point.KnownAt = k // "all" is everything recorded: as now
	}
	if !q.AsOf.IsZero() {
		point.AsOf = q.AsOf.String()
	}
	tl, err := s.Models.Timeline(slug, projections.Query{KnownAt: q.KnownAt})
	if point.KnownAt != "" && (fault.KindOf(err) == fault.NotFound || err == nil && e.Seq > tl.KnownAt.Seq) {
		at := point.KnownAt
		if err == nil {
			at = "event " + ref(tl.KnownAt.Seq)
		} else if q.KnownAt.IsSeq() {
			at = "event [" + at + "]"
		}
		s.renderError(w, r, http.StatusNotFound, "Not yet recorded",
			fmt.Sprintf("This event, %s, was not yet recorded at %s: the ledger recorded it later. Open it without a known-at point to see it as recorded now.", ref(e.Seq), at))
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	body, err := s.eventBody(r.Context(), e, slug, tl, q.KnownAt, point)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	body.ProofURL = strings.ReplaceAll(s.ProofURL, "{id}", e.ID.String())
	body.JSONURL = strings.TrimSuffix(body.ProofURL, "/proof")
	body.Recorded = qs.Get("recorded") != ""
	if b, err := s.Log.Prove(r.Context(), e.ID); err == nil {
		body.Proof = &b
	} else {
		body.ProofErr = "The proof is not ready yet: the audit log has not caught up with this event. Reload in a moment."
	}
	s.render(w, http.StatusOK, "event.html", s.page(r, body.Type+" "+body.Ref, body))
}

// eventPoint is the point an event page shows: known_at as given (empty: everything recorded now)
// and the as_of date carried back to the partnership page (empty: today).
type eventPoint struct{ KnownAt, AsOf string }

// query is the point as a query string for links to other event pages ("known_at=20"), empty for now.
func (p eventPoint) query() string {
	if p.KnownAt == "" {
		return ""
	}
	return url.Values{"known_at": {p.KnownAt}}.Encode()
}

// eventBody puts the event e of the partnership slug in words, with the corrections and retraction
// the timeline tl (read at known) holds of it (Timeline.Corrections, whatever their as-of date), as
// known at point.
func (s *server) eventBody(ctx context.Context, e eventstore.Event, slug string, tl *projections.Timeline, known projections.KnownAt, point eventPoint) (eventPage, error) {
	body := eventPage{Event: e, Partnership: slug, Name: slug, Ref: ref(e.Seq), Ordinal: partnershipOrdinal(e.Revision),
		Type: words.EventType(e.Type), RecordedAt: domain.TimeText(e.RecordedAt), RecordedBy: words.Actor(e.RecordedBy)}
	body.Past, body.query = point.KnownAt != "", point.query()
	if body.Past {
		body.At = "As the ledger knew it at event " + ref(tl.KnownAt.Seq)
		if !known.IsSeq() {
			body.At += " (known at " + point.KnownAt + ")"
		}
		body.At += ": corrections and retractions recorded after it are not shown."
	} else {
		body.At = "As recorded now, up to event " + ref(tl.KnownAt.Seq) + "."
	}
	pq := url.Values{}
	if point.AsOf != "" {
		pq.Set("as_of", point.AsOf)
	}
	if point.KnownAt != "" {
		pq.Set("known_at", point.KnownAt)
	}
	body.PartnershipURL = "/partnerships/" + slug
	if len(pq) > 0 {
		body.PartnershipURL += "?" + pq.Encode()
	}
	var names words.Names
	if st, err := s.Models.State(slug, projections.Query{KnownAt: known}); err == nil {
		body.Name, names = st.Name, st.Councils
	}
	corrections := tl.Corrections
	rec, err := domain.DecodeEnvelope(envelopeOf(e))
	if err != nil {
		// A type this build does not know (or a damaged event): the envelope and the JSON only.
		body.Unreadable = true
		body.Effective, body.Certainty = e.EffectiveOn, words.CertaintyText(e.Certainty)
		return body, nil
	}
	body.Said = words.Sentence(words.Cited(words.Event(rec.Type, rec.Payload, names), rec.Payload, rec.Sources))
	now := rec // the event as it stands: corrections applied in the order recorded
	for _, c := range corrections {
		if c.Target != e.ID {
			continue
		}
		// The correction as stored, for its date and data; the audit log may not hold it yet (the
		// projections ran ahead), when the banner goes without a date.
		ce, cerr := s.eventByID(ctx, c.ID.String())
		note := correctionNote{eventLink: eventLink{ID: c.ID, Seq: c.Seq, Ref: ref(c.Seq)}}
		if cerr == nil {
			note.On = domain.DateOf(ce.RecordedAt).Long()
			if d, err := domain.ParseDate(ce.EffectiveOn); err == nil && d.Long() != note.On {
				note.Takes = d.Long()
			}
		}
		if c.Type == domain.TypeEventRetracted {
			note.Why = words.Retraction(c.Reason)
			if c.Notes != "" {
				note.Why += " (" + strings.TrimSuffix(c.Notes, ".") + ")"
			}
			body.RetractedBy = &note
			continue
		}
		note.Why = c.Reason
		for _, ch := range c.Changes {
			old, new := words.CorrectedChange(ch.Field, ch.Before, ch.After, names)
			note.Changes = append(note.Changes, change{Field: words.CorrectedField(ch.Field), Old: old, New: new})
		}
		body.CorrectedBy = append(body.CorrectedBy, note)
		if cerr != nil {
			continue
		}
		if crec, err := domain.DecodeEnvelope(envelopeOf(ce)); err == nil {
			if p, ok := crec.Payload.(domain.EventCorrected); ok {
				if corrected, _, err := domain.Correct(now, p); err == nil {
					now = corrected
				}
			}
		}
	}
	body.Corrected = len(body.CorrectedBy) > 0
	if body.Corrected {
		if said := words.Sentence(words.Cited(words.Event(now.Type, now.Payload, names), now.Payload, now.Sources)); said != body.Said {
			body.AsCorrected = said
		}
	}
	body.Effective = now.EffectiveOn.Long()
	body.Certainty = words.CertaintyText(words.Certainty(string(now.Certainty), now.Sources))
	for _, src := range now.Sources {
		body.Sources = append(body.Sources, sourceLine{Text: words.Source(src), Assumed: len(src.AssumedDetails()) > 0})
	}
	d := describer{names: names, sources: now.Sources, link: func(id uuid.UUID) (eventLink, bool) { return s.linkTo(ctx, id) }}
	switch p := now.Payload.(type) {
	case domain.EventCorrected:
		body.Said = words.Sentence("Correction: " + p.Reason)
		body.Corrects = d.event(p.Target)
		body.Details = d.correction(p, corrections, e.ID)
		for _, c := range corrections {
			if c.Type == domain.TypeEventRetracted && c.Target == p.Target {
				// The event it corrects was retracted since: the correction no longer has effect.
				note := correctionNote{eventLink: eventLink{ID: c.ID, Seq: c.Seq, Ref: ref(c.Seq)}, Why: words.Retraction(c.Reason)}
				if re, err := s.eventByID(ctx, c.ID.String()); err == nil {
					note.On = domain.DateOf(re.RecordedAt).Long()
				}
				body.TargetRetractedBy = &note
			}
		}
	case domain.EventRetracted:
		body.Said = words.Sentence("Retraction: " + words.Retraction(p.Reason))
		body.Retracts = d.event(p.Target)
		body.Details = []member{{"Retracts", value{Text: body.Retracts.Ref, Href: "/events/" + p.Target.String()}},
			{words.CorrectedField("reason"), value{Text: words.Capital(words.Retraction(p.Reason))}}}
		if p.Notes != "" {
			body.Details = append(body.Details, member{words.CorrectedField("notes"), value{Text: p.Notes}})
		}
	default:
		body.Details = d.members(now.Payload)
		body.CanChange = body.RetractedBy == nil
	}
	body.CanChange = body.CanChange && !body.Past // a correction is made to the record as it stands now
	withQuery(body.Details, body.query)
	return body, nil
}

// Href is the path of another event's page at the page's point (eventHref).
func (p eventPage) Href(id uuid.UUID) string { return eventHref(id, p.query) }

// withQuery adds query ("known_at=20") to the links to event pages among members, so that they
// show the same point.
func withQuery(ms []member, query string) {
	if query == "" {
		return
	}
	var fix func(v *value)
	fix = func(v *value) {
		if strings.HasPrefix(v.Href, "/events/") && !strings.Contains(v.Href, "?") {
			v.Href += "?" + query
		}
		for i := range v.List {
			fix(&v.List[i])
		}
		withQuery(v.Members, query)
	}
	for i := range ms {
		fix(&ms[i].Value)
	}
}

// envelopeOf is the domain's view of a stored event's envelope.
func envelopeOf(e eventstore.Event) domain.Envelope {
	return domain.Envelope{ID: e.ID, Stream: e.Stream, Seq: e.Seq, Revision: e.Revision, Type: e.Type, Schema: e.Schema,
		EffectiveOn: e.EffectiveOn, RecordedAt: e.RecordedAt, RecordedBy: e.RecordedBy, Sources: e.Sources,
		Certainty: e.Certainty, Data: e.Data}
}

// linkTo is the event with the id as a link, with its type and date in words when the ledger holds
// it; ok is false when it does not.
func (s *server) linkTo(ctx context.Context, id uuid.UUID) (eventLink, bool) {
	seq, ok := s.Log.Seq(id)
	if !ok {
		return eventLink{ID: id}, false
	}
	return s.link(ctx, id, seq), true
}

// link is the event id at seq as a link, named as packs name an event by its type and effective
// date in words ("Savings reported of 18 December 2015") when the store can read it.
func (s *server) link(ctx context.Context, id uuid.UUID, seq uint64) eventLink {
	l := eventLink{ID: id, Seq: seq, Ref: ref(seq)}
	if e, err := s.eventByID(ctx, id.String()); err == nil {
		l.What = words.EventType(e.Type)
		if d, err := domain.ParseDate(e.EffectiveOn); err == nil {
			l.What += " of " + d.Long()
		}
	}
	return l
}

// describer writes an event's data members in words.
type describer struct {
	names   words.Names
	sources []domain.SourceRef // the event's, for marking assumed minutes (words.MinuteCited)
	link    func(uuid.UUID) (eventLink, bool)
}

// event is the event with the id as a link, or nil when the ledger does not hold it.
func (d describer) event(id uuid.UUID) *eventLink {
	l, ok := d.link(id)
	if !ok {
		return &eventLink{ID: id, Ref: "an event the ledger does not hold"}
	}
	return &l
}

// correction is a correction's data in words: the event it corrects, each field it changed (old →
// new, from the projections' reading of it), its reason and evidence.
func (d describer) correction(p domain.EventCorrected, corrections []projections.Correction, id uuid.UUID) []member {
	t := d.event(p.Target)
	out := []member{{"Corrects", value{Text: t.Ref, Href: "/events/" + p.Target.String()}}}
	for _, c := range corrections {
		if c.ID != id {
			continue
		}
		var changes []value
		for _, ch := range c.Changes {
			old, new := words.CorrectedChange(ch.Field, ch.Before, ch.After, d.names)
			changes = append(changes, value{Text: words.CorrectedField(ch.Field) + ": " + old + " → " + new})
		}
		if len(changes) == 0 {
			changes = []value{{Text: "the correction changed no field"}}
		}
		out = append(out, member{"Changes", value{List: changes}})
	}
	out = append(out, member{words.CorrectedField("reason"), value{Text: p.Reason}})
	if p.Evidence != "" {
		out = append(out, member{words.CorrectedField("evidence"), value{Text: p.Evidence}})
	}
	return out
}

// members writes a payload's data members as package words writes them (words.Data: labels, values,
// lists and groups), with a reference to another event as a link to its page.
func (d describer) members(p domain.Payload) []member {
	var out []member
	for _, m := range words.Data(p, d.names, d.sources) {
		out = append(out, member{Label: m.Label, Value: d.value(m.Value)})
	}
	return out
}

// value is a value in words (words.Value) as the page lays it out: a list one item a line, a group
// member by member, another event as a link named as packs name it ("[14], Savings reported of 18
// December 2015").
func (d describer) value(v words.Value) value {
	if id, err := uuid.Parse(v.Event); v.Event != "" && err == nil {
		l, ok := d.link(id)
		if !ok {
			return value{Text: "an event the ledger does not hold"}
		}
		if l.What != "" {
			l.Ref += ", " + l.What
		}
		return value{Text: l.Ref, Href: "/events/" + id.String()}
	}
	out := value{Text: v.Text}
	for _, x := range v.List {
		out.List = append(out.List, d.value(x))
	}
	for _, m := range v.Members {
		out.Members = append(out.Members, member{Label: m.Label, Value: d.value(m.Value)})
	}
	return out
}

// eventByID returns the event with the id text. Errors: fault.NotFound for text that is not a UUID
// and for an id the ledger does not hold; the store's own errors.
func (s *server) eventByID(ctx context.Context, text string) (eventstore.Event, error) {
	id, err := uuid.Parse(text)
	if err != nil {
		return eventstore.Event{}, errNotFound
	}
	seq, ok := s.Log.Seq(id)
	if !ok {
		return eventstore.Event{}, errNotFound
	}
	e, err := s.eventAt(ctx, seq)
	if err == nil && e.ID != id {
		return eventstore.Event{}, fault.Errorf(fault.Internal, "event %s: the log's seq %d holds %s", id, seq, e.ID)
	}
	return e, err
}

// eventAt returns the event at seq (from 1). Errors: fault.NotFound for seq 0 or past the store's
// head; the store's own errors.
func (s *server) eventAt(ctx context.Context, seq uint64) (eventstore.Event, error) {
	if seq == 0 {
		return eventstore.Event{}, errNotFound
	}
	for e, err := range s.Store.ReadAll(ctx, seq-1, eventstore.Forward, 1) {
		return e, err
	}
	return eventstore.Event{}, errNotFound
}
