package web

// The form engine's choices from the record: fields that name something the partnership already
// recorded (a scheduled review, an agreement, a shared service, a joint appointment's officer and
// post, a statutory role's holder, an approving decision) are selects of what the record holds,
// each worded as a person reads it, the value what the rules compare (the stored name), so a clerk
// never has to guess a slug. A council in full that the ledger already knows (by ONS code, then by
// name) keeps its slug.

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/words"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/projections"
)

// recorded is the partnership's record folded (every event in effect, corrections applied), read
// from the store (not through the Recorder, whose History waits behind an append in flight), or nil
// when it cannot be read (the fields are then typed).
func (s *server) recorded(slug string) *domain.State {
	if s.Store == nil || slug == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var hist []domain.Recorded
	for e, err := range s.Store.ReadStream(ctx, domain.StreamPrefix+slug, eventstore.Start, eventstore.Forward, 0) {
		if err != nil {
			return nil
		}
		rec, err := domain.DecodeEnvelope(envelopeOf(e))
		if err != nil {
			return nil
		}
		hist = append(hist, rec)
	}
	return domain.Fold(domain.EffectiveView(hist))
}

// fromRecord returns the choices of the text field at pointer of b's type that names something the
// record holds; ok is false for a field typed freely.
func (b *builder) fromRecord(pointer string) (cs []choice, ok bool) {
	r := b.rec
	if r == nil {
		return nil, false
	}
	add := func(value, text string) {
		if value != "" && !slices.ContainsFunc(cs, func(c choice) bool { return c.Value == value }) {
			cs = append(cs, choice{Value: value, Text: text})
		}
	}
	names := words.Names{}
	for _, c := range r.Named {
		names[c.Council] = c.Name
	}
	switch {
	case pointer == "/data/review" && (b.typ == domain.TypeReviewOutcomeRecorded || b.typ == domain.TypeExternalReviewCommissioned):
		for _, rv := range r.Reviews {
			add(rv.Review, "The review due "+rv.DueOn.Long()+" ("+rv.Review+")")
		}
	case pointer == "/data/reference" && b.typ == domain.TypeAgreementVaried:
		for _, a := range r.Agreements {
			t := a.Title
			if !a.Signed.IsZero() {
				t += ", signed " + a.Signed.Long()
			}
			add(a.Reference, t+" ("+a.Reference+")")
		}
	case pointer == "/data/service" && b.typ == domain.TypeServiceReturnedToSeparateDelivery:
		for _, sv := range r.Services {
			if sv.Status == domain.ServiceShared {
				add(sv.Service, words.Capital(sv.Service)+", led by "+names.Council(sv.LeadCouncil))
			}
		}
	case b.typ == domain.TypeAppointmentEnded && (pointer == "/data/officer/name" || pointer == "/data/post"):
		for _, a := range r.Appointments {
			text := a.Officer.Name + ", " + words.Phrase(a.Post)
			if pointer == "/data/post" {
				add(a.Post, words.Capital(words.Phrase(a.Post))+" ("+a.Officer.Name+")")
			} else {
				add(a.Officer.Name, text)
			}
		}
	case b.typ == domain.TypeStatutoryRoleVacated && pointer == "/data/officer/name":
		for _, d := range r.Designations {
			add(d.Officer.Name, d.Officer.Name+", "+words.Role(d.Role)+" at "+names.Council(d.Council))
		}
	default:
		return nil, false
	}
	return cs, true
}

// decisions are the partnership's recorded decisions as the choices of an approval: the minute as
// JSON (what the rules compare field by field) worded "Cabinet 1 February 2016, item 7 — Breckland
// District Council, approved".
func (b *builder) decisions() []choice {
	if b.rec == nil {
		return nil
	}
	names := words.Names{}
	for _, c := range b.rec.Named {
		names[c.Council] = c.Name
	}
	var cs []choice
	for _, d := range b.rec.Decisions {
		m := d.Minute
		js, err := json.Marshal(m)
		if err != nil || slices.ContainsFunc(cs, func(c choice) bool { return c.Value == string(js) }) {
			continue
		}
		where := words.Capital(words.Phrase(m.Body))
		if !m.Meeting.IsZero() {
			where += " " + m.Meeting.Long()
		}
		if m.Item != "" {
			where += ", item " + m.Item
		}
		text := where + " — " + names.Council(m.Council) + ", " + d.Outcome
		if m.Raw != "" && m.Raw != where {
			text += " (" + m.Raw + ")"
		}
		cs = append(cs, choice{Value: string(js), Text: text})
	}
	return cs
}

// minuteValue is a minute sent field by field under src (src+"/council", "/body", "/meeting",
// "/item", "/raw": a correction's current value, or a client posting the members) as the JSON a
// decision's choice has, or "" when none is sent.
func minuteValue(v url.Values, src string) string {
	fields, sent := map[string]string{}, false
	for _, k := range []string{"council", "body", "meeting", "item", "raw"} {
		fields[k] = v.Get(src + "/" + k)
		sent = sent || fields[k] != ""
	}
	if !sent {
		return ""
	}
	js, _ := json.Marshal(fields)
	var m domain.MinuteRef
	if json.Unmarshal(js, &m) != nil {
		return string(js) // not a minute the domain reads (a bad date or council): kept as sent, for the rules to refuse
	}
	out, _ := json.Marshal(m)
	return string(out)
}

// matchCouncil completes a council in full (a kindNewCouncil field) the ledger already knows: its
// ONS code is upper-cased ("e07000146" → "E07000146"), and a blank slug takes the known council's,
// found by ONS code first, then by name (knownCouncil), so a council is not given a second identity.
func (b *builder) matchCouncil(f *formField) {
	slug, name, ons := f.member("council"), f.member("name"), f.member("ons_code")
	if ons != nil {
		ons.Value = strings.ToUpper(strings.TrimSpace(ons.Value))
	}
	if slug == nil || slug.Value != "" || b.known == nil {
		return
	}
	code, n := "", ""
	if ons != nil {
		code = ons.Value
	}
	if name != nil {
		n = name.Value
	}
	if code != "" || n != "" {
		slug.Value = b.known(code, n)
	}
}

// knownCouncil returns the slug of a council some partnership of the ledger names (a partner or a
// former partner) with ONS code ons, or, when none, with name name (case and spaces aside); "" when
// none does.
func (s *server) knownCouncil(ons, name string) string {
	if s.Models == nil {
		return ""
	}
	name = strings.Join(strings.Fields(strings.ToLower(name)), " ")
	byName := ""
	for _, slug := range s.Models.Slugs() {
		st, err := s.Models.State(slug, projections.Query{})
		if err != nil {
			continue
		}
		for _, p := range append(slices.Clone(st.Partners), st.Former...) {
			if ons != "" && strings.EqualFold(p.ONSCode, ons) {
				return p.Council
			}
			if byName == "" && name != "" && strings.Join(strings.Fields(strings.ToLower(p.Name)), " ") == name {
				byName = p.Council
			}
		}
	}
	return byName
}
