package reviewpack

import (
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/words"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/projections"
)

// Provenance in the pack (issue 21, point 4): how certain each fact is, which details of its sources
// were assumed, what corrections changed and what retractions removed. Every fact and table row that
// cites events carries the certainty of the weakest of them (certify); section 7 warns of sources with
// assumed details, events recorded as confirmed that no source confirms, and sources published after
// the event citing them was recorded (provenanceFlags); the chronology ends with "What changed"
// (changes).

// CorrectionRow is one line of "What changed": a field a correction changed (old → new), or an event a
// retraction removed, with when, by whom, why and on what evidence.
type CorrectionRow struct {
	Seq      uint64 `json:"seq"`              // the correction or retraction
	Target   uint64 `json:"target,omitempty"` // the event it acts on
	Event    string `json:"event"`            // that event in words
	Field    string `json:"field"`            // the field in words; "The whole event" for a retraction
	Old      string `json:"old"`
	New      string `json:"new"`
	When     string `json:"when"` // recorded_at of the correction, UTC, "YYYY-MM-DD HH:MM UTC"
	By       string `json:"by"`   // its recorded_by
	Why      string `json:"why"`
	Evidence string `json:"evidence,omitempty"`
}

// Flag kinds of provenance.
const (
	FlagAssumed      = "assumed_details"
	FlagNoConfirming = "confirmed_without_source"
	FlagLateSource   = "source_after_recording"
)

// retracted is the new value of a retracted event in "What changed".
const retracted = "retracted: no longer part of the record in effect"

// Certainty ranks, weakest first: an event recorded as confirmed that no source confirms is weaker
// than one inferred, because its certainty claims what its sources do not show.
var certaintyRank = map[string]int{words.NoConfirmingSource: 0, string(domain.Inferred): 1,
	string(domain.Reported): 2, string(domain.Confirmed): 3}

// certainties maps each event of the evidence (by seq) to its certainty as the pack states it, read
// by words.Certainty against its sources: as corrected for an event in effect (its timeline entry),
// as recorded for a correction or retraction; an event not in effect on the as-of date (after it, or
// retracted) keeps its envelope's certainty as recorded.
func (c *composer) certainties() map[uint64]string {
	out := make(map[uint64]string, len(c.ev.Events))
	for _, ce := range c.ev.Events {
		out[ce.Event.Seq] = ce.Event.Certainty // as recorded: events not in effect on the as-of date
	}
	for _, corr := range c.tl.Corrections {
		out[corr.Seq] = words.Certainty(corr.Certainty, corr.Sources)
	}
	for _, e := range c.tl.Entries {
		out[e.Seq] = words.Certainty(e.Certainty, e.Sources)
	}
	return out
}

// weakest is the certainty of a fact resting on the events refs: the weakest of theirs ("" for none).
func weakest(cert map[uint64]string, refs []uint64) string {
	out, rank := "", 99
	for _, s := range refs {
		v, ok := cert[s]
		if !ok {
			continue
		}
		if r, known := certaintyRank[v]; known && r < rank || !known && out == "" {
			out, rank = v, r
		}
	}
	return out
}

// certify sets the certainty of every fact and table row of the report that cites events.
func (c *composer) certify(r *Report) {
	cert := c.certainties()
	for i := range r.Chronology {
		r.Chronology[i].Certainty = cert[r.Chronology[i].Seq]
	}
	for i := range r.Register {
		r.Register[i].Certainty = cert[r.Register[i].Seq]
	}
	for i := range r.Options {
		for j := range r.Options[i].Facts {
			if f := &r.Options[i].Facts[j]; f.Absence {
				f.Certainty = c.absenceCertainty()
			} else {
				f.Certainty = weakest(cert, f.Refs)
			}
		}
	}
	for i := range r.Partners {
		r.Partners[i].Certainty = weakest(cert, r.Partners[i].Refs)
	}
	for i := range r.Appointments {
		r.Appointments[i].Certainty = weakest(cert, r.Appointments[i].Refs)
	}
	for i := range r.Roles {
		r.Roles[i].Certainty = weakest(cert, r.Roles[i].Refs)
	}
	for i := range r.Services {
		r.Services[i].Certainty = weakest(cert, r.Services[i].Refs)
	}
	for i := range r.Finance.Rows {
		r.Finance.Rows[i].Certainty = weakest(cert, r.Finance.Rows[i].Refs)
	}
	for i := range r.Finance.CostShares {
		r.Finance.CostShares[i].Certainty = weakest(cert, r.Finance.CostShares[i].Refs)
	}
	for i := range r.Finance.Funding {
		r.Finance.Funding[i].Certainty = weakest(cert, r.Finance.Funding[i].Refs)
	}
	for i := range r.Risks {
		r.Risks[i].Certainty = weakest(cert, r.Risks[i].Refs)
	}
	for i := range r.Gaps { // a gap is an absence: it rests on what the record holds, not on a source
		r.Gaps[i].Certainty = c.absenceCertainty()
	}
}

// absencePrefix begins the certainty of a fact that says something is not recorded (Fact.Absence, and
// every gap): no source says what the record lacks, so its certainty is what it rests on, the record
// the pack holds: "rests on what the record holds up to event 30" (the pack's tree size).
const absencePrefix = "rests on what the record holds up to event "

// absenceCertainty is the certainty of an absence in this pack (absencePrefix).
func (c *composer) absenceCertainty() string {
	return fmt.Sprintf("%s%d", absencePrefix, c.ev.TreeHead.Size)
}

// findingCertainty says how certain the facts a risk or gap rests on are, before the events it
// cites: "How certain: inferred, the weakest of the facts it rests on"; "" without a certainty.
func findingCertainty(certainty string) string {
	if certainty == "" {
		return ""
	}
	if strings.HasPrefix(certainty, absencePrefix) {
		return "How certain: " + certainty
	}
	return "How certain: " + words.CertaintyText(certainty) + ", the weakest of the facts it rests on"
}

// findingTail is what follows a finding's "Why it matters": the reason, how certain the facts it
// rests on are (findingCertainty), and the events it cites.
func findingTail(f Finding) string {
	if c := findingCertainty(f.Certainty); c != "" {
		return withRefs(f.Why+" "+c+".", f.Refs)
	}
	return withRefs(f.Why, f.Refs)
}

// envelope returns the cited event with the id, if the evidence holds it.
func (c *composer) envelope(id uuid.UUID) (eventstore.Event, bool) {
	i, ok := c.byID[id]
	if !ok {
		return eventstore.Event{}, false
	}
	return c.ev.Events[i].Event, true
}

// changes is "What changed": each correction known at the pack's known-at, field by field, and each
// retraction, in the order they were recorded.
func (c *composer) corrections() []CorrectionRow {
	var out []CorrectionRow
	for _, corr := range c.tl.Corrections {
		row := CorrectionRow{Seq: corr.Seq}
		if env, ok := c.envelope(corr.ID); ok {
			row.When, row.By = domain.TimeText(env.RecordedAt)+" UTC", words.Actor(env.RecordedBy)
		}
		row.Evidence = corr.Evidence
		if row.Evidence == "" && len(corr.Sources) > 0 {
			cited := make([]string, len(corr.Sources))
			for i, s := range corr.Sources {
				cited[i] = words.Source(s)
			}
			row.Evidence = strings.Join(cited, "; ")
		}
		// The event by its type and date, as first recorded: its [n] leads to the chronology.
		row.Event = "an event not in this pack"
		if t, ok := c.envelope(corr.Target); ok {
			row.Target = t.Seq
			row.Event = fmt.Sprintf("%s of %s", words.EventType(t.Type), dateLong(t.EffectiveOn))
		}
		if corr.Type == domain.TypeEventRetracted {
			row.Field, row.Old, row.New = "The whole event", row.Event, retracted
			row.Why = words.Capital(words.Retraction(corr.Reason))
			if corr.Notes != "" {
				row.Why += " (" + strings.TrimSuffix(corr.Notes, ".") + ")"
			}
			out = append(out, row)
			continue
		}
		row.Why = words.Capital(corr.Reason)
		if len(corr.Changes) == 0 {
			row.Field, row.Old, row.New = "Nothing", "", "the correction changed no field"
			out = append(out, row)
			continue
		}
		for _, ch := range corr.Changes {
			r := row
			r.Field = words.CorrectedField(ch.Field)
			r.Old, r.New = words.CorrectedChange(ch.Field, ch.Before, ch.After, c.st.Councils)
			out = append(out, r)
		}
	}
	return out
}

// retractedFlag says in words what a retraction removed: what the retracted event said, why, when
// and by whom, and whether that was after the pack's as-of date (env is the retraction, recorded on
// day).
func (c *composer) retractedFlag(corr projections.Correction, env eventstore.Event, day domain.Date) Flag {
	target, refs := "An event not in this pack", []uint64{corr.Seq}
	if t, ok := c.envelope(corr.Target); ok {
		target, refs = fmt.Sprintf("Event %d, of %s", t.Seq, dateLong(t.EffectiveOn)), []uint64{t.Seq, corr.Seq}
	}
	said := ""
	if corr.Retracted != "" {
		said = ", which recorded “" + strings.TrimSuffix(corr.Retracted, ".") + "”,"
	}
	when := day.Long()
	if day.After(c.asOf) {
		when += ", after the as-of date,"
	}
	why := words.Retraction(corr.Reason)
	if corr.Notes != "" {
		why += " (" + strings.TrimSuffix(corr.Notes, ".") + ")"
	}
	return Flag{FlagRetracted, fmt.Sprintf("%s%s was retracted on %s by %s: %s. It is no longer part of the record in effect, and no fact in this pack rests on it.",
		target, said, when, words.Actor(env.RecordedBy), why), refs}
}

// dateLong writes a YYYY-MM-DD date in words, or the text as given when it is not one.
func dateLong(s string) string {
	if d, err := domain.ParseDate(s); err == nil {
		return d.Long()
	}
	return s
}

// provenanceFlags are section 7's warnings about sources: facts resting on sources with assumed
// details (grouped by source), events recorded as confirmed that no source confirms, and sources
// published after the event citing them was recorded. assumed counts the facts of the first kind,
// for the cover.
func (c *composer) provenanceFlags() (out []Flag, assumed int) {
	// Sources with assumed details make one warning: each source once, with what was assumed and the
	// events citing it, so that a committee reads a list, not a paragraph per source.
	groups := newFlagGroups()
	sourceOf := map[string]domain.SourceRef{}
	// Events recorded as confirmed that no source confirms make one warning, each event named by its
	// type and date (its [n] leads to the chronology, which has it in full).
	var unconfirmed []string
	var unconfirmedRefs []uint64
	var late []Flag
	for _, e := range c.tl.Entries {
		fact := entryFact(e)
		named := fmt.Sprintf("%s of %s [%d]", words.EventType(e.Type), e.EffectiveOn.Long(), e.Seq)
		for _, s := range e.Sources {
			if len(s.AssumedDetails()) == 0 {
				continue
			}
			key := words.Source(s)
			sourceOf[key] = s
			groups.add(key, fact, e.Seq)
		}
		if e.Certainty == string(domain.Confirmed) && !domain.HasConfirmingSource(e.Sources) {
			if len(unconfirmed) < maxFlagItems {
				unconfirmed = append(unconfirmed, named)
				unconfirmedRefs = append(unconfirmedRefs, e.Seq)
			} else if len(unconfirmed) == maxFlagItems {
				unconfirmed = append(unconfirmed, "and more (see the chronology: “"+words.NoConfirmingSource+"”)")
			}
		}
		if day, seq, ok := c.citedOn(e); ok {
			for _, s := range e.Sources {
				if !s.Published.IsZero() && s.Published.After(day) {
					late = append(late, Flag{FlagLateSource, fmt.Sprintf("%s cites “%s”, published %s, but the source was cited on %s, before it was published: "+
						"it cannot be what the fact was recorded from.", named, s.Title, s.Published.Long(), day.Long()), []uint64{seq}})
				}
			}
		}
	}
	if n := len(groups.groups); n > 0 {
		items := make([]string, 0, min(n, maxFlagItems))
		var refs []uint64
		facts := map[uint64]bool{}
		for i, g := range groups.groups {
			for _, seq := range g.seqs {
				facts[seq] = true
			}
			if i >= maxFlagItems {
				continue
			}
			s := sourceOf[g.key]
			item := words.SourceTitle(s)
			if s.Publisher != "" {
				item += ", " + s.Publisher
			}
			items = append(items, item+": "+words.SourceAssumed(s)+" "+refsText(g.refs()))
			refs = append(refs, g.refs()...)
		}
		if n == 1 { // the flag cites the one source's events: not twice
			items[0] = strings.TrimSuffix(items[0], " "+refsText(sortedRefs(refs)))
		}
		more := ""
		if n > len(items) {
			more = fmt.Sprintf("; and %d more (see the chronology)", n-len(items))
		}
		assumed = len(facts)
		out = append(out, Flag{FlagAssumed, fmt.Sprintf("%s %s %s whose details were in part assumed rather than read from the document, "+
			"so those details are not evidence of fact; the rest of each reference stands, and a source with every detail assumed stands for a document "+
			"the record implies but does not describe. %s: %s%s.", words.Capital(words.Count(assumed, "fact", "facts")), words.Verb(assumed, "cites", "cite"),
			words.Count(n, "source", "sources"), words.Capital(words.Count(n, "source", "sources")), strings.Join(items, "; "), more), sortedRefs(refs)})
	}
	if len(unconfirmed) > 0 {
		out = append(out, Flag{FlagNoConfirming, fmt.Sprintf("%s recorded as confirmed, but none of %s sources confirms %s: a confirmed fact needs minutes, "+
			"a report or an agreement none of whose details is assumed. Read %s as unconfirmed: %s.",
			words.Capital(words.Count(len(unconfirmedRefs), "event was", "events were")), words.Verb(len(unconfirmedRefs), "its", "their"),
			words.Verb(len(unconfirmedRefs), "it", "them"), words.Verb(len(unconfirmedRefs), "it", "them"), strings.Join(unconfirmed, "; ")), unconfirmedRefs})
	}
	return append(out, late...), assumed
}

// citedOn returns the day (Europe/London) an entry's sources were cited, and the event that cited
// them: when it was recorded, or when the last correction that replaced its sources was recorded.
func (c *composer) citedOn(e projections.TimelineEntry) (domain.Date, uint64, bool) {
	by := e.ID
	for _, corr := range c.tl.Corrections {
		if corr.Target != e.ID {
			continue
		}
		for _, ch := range corr.Changes {
			if ch.Field == domain.CorrectedSources {
				by = corr.ID
			}
		}
	}
	env, ok := c.envelope(by)
	if !ok {
		return domain.Date{}, 0, false
	}
	return domain.LondonDate(env.RecordedAt), env.Seq, true
}

// hEvents heads the column of a table that cites events: the certainty of the row, then the events.
const hEvents = "Certainty and events"

// hCorrections heads "What changed", the last part of the chronology.
const hCorrections = "What changed"

// correctionsExplained introduces "What changed".
const correctionsExplained = "The ledger never edits what it recorded: a correction or a retraction is an event of its own. " +
	"Each line is one field a correction changed, or one event a retraction removed, with when it was recorded, by whom, why and on what evidence. " +
	"The rest of this pack shows the record as corrected."

// correctionHead heads the columns of "What changed".
var correctionHead = []string{"[n]", "Event changed", "Field", "Was", "Now", "Recorded (UTC), by", "Why", "Evidence"}

// correctionCells are the cells of one line of "What changed".
func correctionCells(ch CorrectionRow) []string {
	event := ch.Event
	if ch.Target != 0 {
		event = withRefs(event, []uint64{ch.Target})
	}
	return []string{"[" + itoa(ch.Seq) + "]", event, ch.Field, ch.Old, ch.New, ch.When + ", " + ch.By, ch.Why, ch.Evidence}
}

// cite is the cell of a table row that cites events: its certainty, then the events ("reported [8, 23]").
func cite(certainty string, refs []uint64) string {
	r := refsText(refs)
	if certainty == "" || r == "" {
		return r
	}
	return certainty + " " + r
}

// withCertainty ends a fact's sentence with its certainty in words (words.CertaintyText, the one
// wording; a table's Certainty column keeps the first word, as the glossary says): "… since 7
// November 2015. (reported by a secondary source)".
func withCertainty(text, certainty string) string {
	if certainty == "" {
		return text
	}
	return text + " (" + words.CertaintyText(certainty) + ")"
}

// sortedRefs sorts refs and drops repeats.
func sortedRefs(refs []uint64) []uint64 {
	slices.Sort(refs)
	return slices.Compact(refs)
}
