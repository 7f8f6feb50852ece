// Package words is the ledger's one home for English: how an identifier, a statutory role, a post, a
// council, a source, a minute and an event read to people, and the sentence builders (lists, counts,
// capitals, full stops) that the CLI, the pages and the review packs share.
//
// It reads domain values and payloads (domain.Payload, domain.SourceRef, domain.MinuteRef,
// domain.CouncilRef), never JSON, and writes money, shares and dates with the domain's one formatters
// (domain.Pence.String, domain.BasisPoints.String, domain.Date.String and Long; prose writes dates
// with Date.Long, "7 November 2015", and leaves Date.String, "2015-11-07", to machine fields: JSON
// members, inputs, URLs and ISO date columns; a value not recorded is NotRecorded). It imports only the
// domain and the standard library, so every layer above the domain may use it. Its functions are pure
// and safe for concurrent use.
package words

import (
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/partnership-ledger/ledger/domain"
)

// acronyms are the words Phrase writes in capitals.
var acronyms = map[string]string{"hr": "HR", "ict": "ICT", "it": "IT", "lga": "LGA", "s151": "s151", "s113": "s113", "sla": "SLA", "uk": "UK"}

// Phrase turns an identifier as recorded ("head-of-hr", "chief_finance_officer") into words for
// people: "head of HR", "chief finance officer". Hyphens, underscores and runs of spaces become one
// space; acronyms are written in capitals; other words are left as they are.
func Phrase(id string) string {
	words := strings.FieldsFunc(id, func(r rune) bool { return r == '-' || r == '_' || r == ' ' })
	for i, w := range words {
		if a, ok := acronyms[strings.ToLower(w)]; ok {
			words[i] = a
		}
	}
	return strings.Join(words, " ")
}

// roles are the statutory roles in words, with the section that makes a chief finance officer.
var roles = map[domain.StatutoryRole]string{
	domain.HeadOfPaidService:   "head of paid service",
	domain.ChiefFinanceOfficer: "chief finance officer (s151)",
	domain.MonitoringOfficer:   "monitoring officer",
}

// Role is a statutory role in words: chief_finance_officer → "chief finance officer (s151)". A role
// this build does not know is written as a Phrase.
func Role(r domain.StatutoryRole) string {
	if w, ok := roles[r]; ok {
		return w
	}
	return Phrase(string(r))
}

// Post is a post and the statutory role that comes with it, saying each once: "chief executive
// (head of paid service)", "chief finance officer (s151)"; the post alone when role is "".
func Post(post string, role domain.StatutoryRole) string {
	p := Phrase(post)
	if role == "" {
		return p
	}
	r := Role(role)
	if strings.HasPrefix(r, p) {
		return r
	}
	return p + " (" + r + ")"
}

// JoinAnd lists items in English: "", "a", "a and b", "a, b and c".
func JoinAnd(items []string) string { return join(items, " and ") }

// JoinOr lists alternatives in English: "", "a", "a or b", "a, b or c".
func JoinOr(items []string) string { return join(items, " or ") }

func join(items []string, last string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + last + items[len(items)-1]
}

// SharingCandidate is what a ServiceSharingProposed event records of a service: that its councils
// named it as a possible candidate for sharing, not that sharing it was formally proposed or
// agreed ("proposed for sharing" read as a decision to members; issue 21).
const SharingCandidate = "named as a possible candidate for sharing"

// SharingCandidates is SharingCandidate for several services.
const SharingCandidates = "named as possible candidates for sharing"

// Capital returns s with its first letter in capitals: "head of HR" → "Head of HR".
func Capital(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// Lower returns s with its first letter in lower case, except where the second letter is a capital
// too (an acronym such as "HR", kept as it is): "Human resources" → "human resources".
func Lower(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	if n < len(s) {
		r2, _ := utf8.DecodeRuneInString(s[n:])
		if unicode.IsUpper(r2) {
			return s
		}
	}
	return string(unicode.ToLower(r)) + s[n:]
}

// Sentence trims s, starts it with a capital and ends it with a full stop unless it already ends with
// ".", "!" or "?". Blank text gives "".
func Sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	s = Capital(s)
	if strings.HasSuffix(s, ".") || strings.HasSuffix(s, "!") || strings.HasSuffix(s, "?") {
		return s
	}
	return s + "."
}

var smallNumbers = []string{"no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"}

// Count writes a count and a noun, the count in words up to ten: "no events", "one officer is",
// "two officers are", "12 events".
func Count(n int, one, many string) string {
	if n == 1 {
		return Number(n) + " " + one
	}
	return Number(n) + " " + many
}

// Number writes a count in words up to ten, in digits above: "no", "one", "ten", "11".
func Number(n int) string {
	if n >= 0 && n < len(smallNumbers) {
		return smallNumbers[n]
	}
	return strconv.Itoa(n)
}

// Verb picks the form of a verb that agrees with a count: one for 1, many otherwise.
func Verb(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Article is "an" before a word starting with a vowel, else "a": "an interim basis", "a fixed basis".
func Article(w string) string {
	if w != "" && strings.ContainsRune("aeiouAEIOU", rune(w[0])) {
		return "an"
	}
	return "a"
}

// Title turns a slug into a title: "north-norfolk" → "North Norfolk", "kings-lynn-and-west-norfolk"
// → "Kings Lynn and West Norfolk" ("and", "of" and "the" stay in lower case after the first word).
func Title(slug string) string {
	words := strings.FieldsFunc(slug, func(r rune) bool { return r == '-' || r == '_' })
	for i, w := range words {
		if i > 0 && (w == "and" || w == "of" || w == "the") {
			continue
		}
		words[i] = Capital(w)
	}
	return strings.Join(words, " ")
}

// EventType writes an event type for people: "StatutoryRoleDesignated" → "Statutory role designated".
func EventType(t string) string {
	if t == domain.TypeOneOffCostIncurred {
		return "One-off cost incurred" // the hyphen a split cannot know
	}
	var b strings.Builder
	for i, r := range t {
		if i > 0 && unicode.IsUpper(r) {
			b.WriteByte(' ')
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Outcome is a review outcome (domain.ReviewOutcomeRecorded.Outcome) as what a council decided to do:
// "terminate" → "end the partnership", "make_permanent" → "make the arrangement permanent".
func Outcome(o string) string {
	switch o {
	case "terminate":
		return "end the partnership"
	case "make_permanent", "make permanent", "permanent":
		return "make the arrangement permanent"
	case "continue":
		return "continue the arrangement"
	case "extend":
		return "extend the arrangement"
	case "vary":
		return "vary the arrangement"
	}
	return Lower(Capital(Phrase(o)))
}

// Names gives councils' names by slug, as the partnership's events named them. The zero value knows
// no names.
type Names map[domain.CouncilRef]string

// Council is the council's name, or its slug when the events never named it.
func (n Names) Council(c domain.CouncilRef) string {
	if name := n[c]; name != "" {
		return name
	}
	return c.String()
}

// Councils lists the councils' names with JoinAnd.
func (n Names) Councils(cs []domain.CouncilRef) string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = n.Council(c)
	}
	return JoinAnd(out)
}

// sourceKinds are the kinds of source as a heading.
var sourceKinds = map[domain.SourceKind]string{domain.SourceMinutes: "Minutes", domain.SourceReport: "Report",
	domain.SourceAgreement: "Agreement", domain.SourceLetter: "Letter", domain.SourcePress: "Press", domain.SourceWeb: "Web page"}

// Source is a source reference on one line: "Press: Title, Publisher, 18 December 2015, p. 3
// <https://…>", then in brackets what the reader must know of it: the details that were assumed
// (SourceAssumed) and whether the ledger's keepers hold the text ("text held, SHA-256 a7caed1a9930…").
func Source(s domain.SourceRef) string {
	var b strings.Builder
	if k := sourceKinds[s.Kind]; k != "" {
		b.WriteString(k)
	} else {
		b.WriteString(Capital(Phrase(orText(string(s.Kind), "source"))))
	}
	b.WriteString(": ")
	b.WriteString(orText(s.Title, "untitled"))
	if s.Publisher != "" {
		b.WriteString(", " + s.Publisher)
	}
	if !s.Published.IsZero() {
		b.WriteString(", " + s.Published.Long())
	}
	if s.Locator != "" {
		b.WriteString(", " + s.Locator)
	}
	if s.URL != "" {
		b.WriteString(" <" + s.URL + ">")
	}
	var notes []string
	if a := SourceAssumed(s); a != "" {
		notes = append(notes, a)
	}
	if len(s.SHA256) >= 12 {
		notes = append(notes, "text held, SHA-256 "+s.SHA256[:12]+"…")
	}
	if len(notes) > 0 {
		b.WriteString(" (" + strings.Join(notes, "; ") + ")")
	}
	return b.String()
}

// sourceDetails are the details of a source reference (domain.SourceDetails) in words.
var sourceDetails = map[string]string{domain.DetailKind: "kind of document", domain.DetailTitle: "title",
	domain.DetailPublisher: "publisher", domain.DetailPublished: "date", domain.DetailLocator: "item or page",
	domain.DetailURL: "address"}

// SourceAssumed says which details of a source were assumed: "assumed: title, publisher and date",
// "every detail assumed" (for the old illustrative flag, or when each detail given is marked), or ""
// when none is.
func SourceAssumed(s domain.SourceRef) string {
	details := s.AssumedDetails()
	switch {
	case len(details) == 0:
		return ""
	case s.AllAssumed():
		return "every detail assumed"
	}
	out := make([]string, len(details))
	for i, d := range details {
		out[i] = orText(sourceDetails[d], Phrase(d))
	}
	return "assumed: " + JoinAnd(out)
}

// Certainty is an event's certainty as a reader should take it: "confirmed", "reported" or
// "inferred"; an event recorded as confirmed without a confirming source (domain.HasConfirmingSource:
// recorded before the rule, or a view of one) is "recorded as confirmed; no confirming source".
func Certainty(c string, sources []domain.SourceRef) string {
	if c == string(domain.Confirmed) && !domain.HasConfirmingSource(sources) {
		return NoConfirmingSource
	}
	return c
}

// CertaintyText is a certainty as a person reads it on its own (a page, a replay line), saying what
// it rests on: "confirmed by a primary source", "reported by a secondary source", "inferred from other
// facts"; NoConfirmingSource as it is; another value as a Phrase. This is the one wording of each
// certainty, as the review pack's glossary explains its labels.
func CertaintyText(c string) string {
	switch c {
	case string(domain.Confirmed):
		return "confirmed by a primary source"
	case string(domain.Reported):
		return "reported by a secondary source"
	case string(domain.Inferred):
		return "inferred from other facts"
	case NoConfirmingSource:
		return c
	}
	return Phrase(c)
}

// NoConfirmingSource is the certainty of an event recorded as confirmed whose sources confirm nothing.
const NoConfirmingSource = "recorded as confirmed; no confirming source"

// Retraction is why an event was retracted (domain.EventRetracted.Reason) in words:
// "source_withdrawn" → "its source was withdrawn".
func Retraction(reason string) string {
	switch reason {
	case domain.RetractEnteredInError:
		return "it was entered in error"
	case domain.RetractSourceWithdrawn:
		return "its source was withdrawn"
	case domain.RetractDuplicate:
		return "it duplicates another event"
	}
	return Phrase(reason)
}

// SourceTitle names a source inside a sentence: its title in quotation marks, and its date when
// published: "“Shared chief executive”, 2015-12-18".
func SourceTitle(s domain.SourceRef) string {
	t := "“" + orText(s.Title, "untitled") + "”"
	if !s.Published.IsZero() {
		t += ", " + s.Published.Long()
	}
	return t
}

// Minute is a minute reference as the council wrote it (Raw), or its parts when Raw is empty:
// "Cabinet 2016-01-04, item 7".
func Minute(m domain.MinuteRef) string {
	if m.Raw != "" {
		return m.Raw
	}
	s := Capital(Phrase(m.Body))
	if !m.Meeting.IsZero() {
		s += " " + m.Meeting.Long()
	}
	if m.Item != "" {
		s += ", item " + m.Item
	}
	return strings.TrimSpace(s)
}

// minuteDetails are the details of a minutes source (domain.SourceDetails) that a minute reference
// repeats, in words: its meeting date and its item.
var minuteDetails = []struct{ detail, words string }{{domain.DetailPublished, "meeting date"}, {domain.DetailLocator, "minute number"}}

// MinuteAssumed says which details of a minute reference the sources citing it mark assumed
// (domain.SourceRef.Assumed): a minutes source of the same meeting (its published date is the meeting
// date) whose date or item (locator) was assumed gives "assumed: meeting date and minute number",
// one with every detail assumed "every detail assumed". It is "" when no minutes source of that
// meeting assumes anything, or none is cited. This is the one wording of an assumed minute: every
// place a minute is printed beside facts (a pack's chronology, approvals, options and cover) uses
// MinuteCited.
func MinuteAssumed(m domain.MinuteRef, sources []domain.SourceRef) string {
	var assumed []string
	all := false
	for _, s := range sources {
		if s.Kind != domain.SourceMinutes || s.Published != m.Meeting {
			continue
		}
		details := s.AssumedDetails()
		if len(details) > 0 && s.AllAssumed() {
			all = true
		}
		for _, d := range minuteDetails {
			if slices.Contains(details, d.detail) && !slices.Contains(assumed, d.words) {
				assumed = append(assumed, d.words)
			}
		}
	}
	switch {
	case all:
		return "every detail assumed"
	case len(assumed) == 0:
		return ""
	}
	return "assumed: " + JoinAnd(assumed)
}

// MinuteCited is a minute reference as Minute writes it, followed by what its sources mark assumed
// (MinuteAssumed) in brackets: "Full Council 15 October 2015, item 8 (assumed: minute number)".
func MinuteCited(m domain.MinuteRef, sources []domain.SourceRef) string {
	if a := MinuteAssumed(m, sources); a != "" {
		return Minute(m) + " (" + a + ")"
	}
	return Minute(m)
}

// Minutes returns the minuted decisions an event's payload cites (a decision's minute, an
// appointment's approvals, the decisions that authorised it), in the order recorded.
func Minutes(p domain.Payload) []domain.MinuteRef {
	switch p := p.(type) {
	case domain.CouncilJoinedPartnership:
		return p.AuthorisedBy
	case domain.CouncilWithdrew:
		return p.AuthorisedBy
	case domain.WithdrawalNoticeGiven:
		return p.AuthorisedBy
	case domain.DecisionTaken:
		return []domain.MinuteRef{p.Minute}
	case domain.AgreementExecuted:
		return p.AuthorisedBy
	case domain.AgreementVaried:
		return p.AuthorisedBy
	case domain.JointAppointmentMade:
		return p.Approvals
	case domain.StatutoryRoleDesignated:
		return p.AuthorisedBy
	case domain.ReviewOutcomeRecorded:
		if p.Minute != nil {
			return []domain.MinuteRef{*p.Minute}
		}
	case domain.PartnershipDissolved:
		return p.AuthorisedBy
	}
	return nil
}

func orText(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

// NotRecorded is how every output (the CLI, the pages, the review packs, replay) writes a value that
// was not recorded: money absent from a view (JSON null) is this phrase, never £0 and never a dash.
const NotRecorded = "not recorded"

// Money writes an amount of a view with domain.Pence.String ("£40,000"), or NotRecorded when it is
// absent (nil).
func Money(p *domain.Pence) string {
	if p == nil {
		return NotRecorded
	}
	return p.String()
}

// SignedMoney is Money with the sign always written (domain.Pence.SignedString: "+£1,000", "−£500").
func SignedMoney(p *domain.Pence) string {
	if p == nil {
		return NotRecorded
	}
	return p.SignedString()
}

// Total sums amounts some of which may not have been recorded, naming those that were not rather
// than counting them as 0. Add each amount with a label (a council, a year) saying whose it is.
type Total struct {
	Sum     domain.Pence
	Count   int      // amounts recorded
	Missing []string // labels of the amounts not recorded, in the order added
}

// Add adds p (nil: not recorded) under label.
func (t *Total) Add(p *domain.Pence, label string) {
	if p == nil {
		t.Missing = append(t.Missing, label)
		return
	}
	t.Sum += *p
	t.Count++
}

// Recorded reports whether at least one amount was recorded.
func (t Total) Recorded() bool { return t.Count > 0 }

// Pence returns the sum, or nil when no amount was recorded.
func (t Total) Pence() *domain.Pence {
	if t.Count == 0 {
		return nil
	}
	s := t.Sum
	return &s
}

// String writes the sum: NotRecorded when nothing was recorded, the sum when everything was, and
// otherwise the sum of those recorded with the ones not recorded named ("£300,000 (not recorded for
// North Norfolk District Council)").
func (t Total) String() string {
	switch {
	case t.Count == 0:
		return NotRecorded
	case len(t.Missing) == 0:
		return t.Sum.String()
	}
	return t.Sum.String() + " (" + NotRecorded + " for " + JoinAnd(t.Missing) + ")"
}

// Trial writes a trial period: "from 7 November 2015 to 30 June 2016". A trial starts with the first
// thing shared (domain.TrialPeriod): before that, "not yet started (it starts with the first joint
// appointment or service shared), to end on 30 June 2016". An end not recorded is NotRecorded.
func Trial(from, to domain.Date) string {
	end := NotRecorded
	if !to.IsZero() {
		end = to.Long()
	}
	if from.IsZero() {
		if to.IsZero() {
			return "not yet started; its end is " + NotRecorded
		}
		return "not yet started (it starts with the first joint appointment or service shared), to end on " + end
	}
	if to.IsZero() {
		return "from " + from.Long() + "; its end is " + NotRecorded
	}
	return "from " + from.Long() + " to " + end
}

// Instant writes a recorded instant (recorded_at, kept in UTC) for people: "1 October 2016 at 09:04
// UTC", its UTC date with domain.Date.Long and the time to the minute. Machine fields keep RFC 3339.
func Instant(t time.Time) string {
	t = t.UTC()
	return domain.DateOf(t).Long() + " at " + t.Format("15:04") + " UTC"
}

// ReviewDue says when the review is or was due, in the tense of the as-of date the text describes:
// "A review is due on 30 June 2016" while due is not before asOf, "The review was due on 30 June 2016"
// once asOf is later. No full stop.
func ReviewDue(due, asOf domain.Date) string {
	if due.Before(asOf) {
		return "The review was due on " + due.Long()
	}
	return "A review is due on " + due.Long()
}

// DueDate is a date something is due on for a heading's value (a cover's "Review due"): "30 June
// 2016", or "30 June 2016 (passed by the as-of date)" once asOf is later.
func DueDate(due, asOf domain.Date) string {
	if due.Before(asOf) {
		return due.Long() + " (passed by the as-of date)"
	}
	return due.Long()
}

// TrialEnd says when the trial period ends or ended, in the tense of asOf: "The trial period runs
// to 30 June 2016" while to is not before asOf, "The trial period ended on 30 June 2016" once asOf
// is later. No full stop.
func TrialEnd(to, asOf domain.Date) string {
	if to.Before(asOf) {
		return "The trial period ended on " + to.Long()
	}
	return "The trial period runs to " + to.Long()
}

// CorrectedField names a data member or a field a correction changed (domain.CorrectedField.Field)
// for people, as a label: "trial_ends_on" → "Trial ends on", "effective_on" → "Date it takes
// effect", "ons_code" → "ONS code", "sha256" → "SHA-256", "url" → "Web address"; a member's unit is
// left to its value (CorrectedValue and DataMember write it): "amount_pence" → "Amount",
// "time_share_basis_points" → "Time share", "basis_points" → "Share", "notice_days" → "Notice".
func CorrectedField(field string) string {
	switch field {
	case domain.CorrectedEffectiveOn:
		return "Date it takes effect"
	case domain.CorrectedSources:
		return "Sources"
	case domain.CorrectedCertainty:
		return "Certainty"
	}
	if l, ok := fieldLabels[field]; ok {
		return l
	}
	if f, ok := strings.CutSuffix(field, "_pence"); ok && f != "" {
		field = f
	} else if f, ok := strings.CutSuffix(field, "_basis_points"); ok && f != "" {
		field = f
	} else if f, ok := strings.CutSuffix(field, "_days"); ok && f != "" {
		field = f
	}
	return Capital(Phrase(field))
}

// fieldLabels are the members whose name does not read as English as it stands.
var fieldLabels = map[string]string{
	"basis_points": "Share", "ons_code": "ONS code", "sha256": "SHA-256", "url": "Web address",
	"call_in_applies": "Call-in applies", "one_off_costs": "One-off costs", "raw": "Minute reference",
	"for": "Votes for", "against": "Votes against", "locator": "Item or page", "assumed": "Details assumed",
	"illustrative": "Every detail assumed", "target": "Event",
	"data": "Data corrected", "reset_each_financial_year": "Worked out again each financial year",
}

// CorrectedValue writes a field's value as a correction recorded it (JSON, domain.CorrectedField) in
// words: a certainty as CertaintyText ("reported by a secondary source"), sources one after another
// as Source writes them, the effective date as "30 June 2016", and a data member as Member writes it
// (a date as "30 June 2016", an amount as money, a share as a percentage, a financial year as
// "2015/16", a council by its name, a role or another fixed choice in words, a list "A and B" or
// "A; B", a group "Label: value, Label: value"), never as JSON or a stored slug; nil (absent) is
// NotRecorded.
func CorrectedValue(field string, v json.RawMessage, names Names) string {
	if len(v) == 0 || string(v) == "null" {
		return NotRecorded
	}
	if field == domain.CorrectedCertainty {
		var c string
		if json.Unmarshal(v, &c) == nil {
			return CertaintyText(c)
		}
	}
	if field == domain.CorrectedSources {
		var srcs []domain.SourceRef
		if json.Unmarshal(v, &srcs) == nil {
			if len(srcs) == 0 {
				return "none"
			}
			out := make([]string, len(srcs))
			for i, s := range srcs {
				out[i] = Source(s)
			}
			return strings.Join(out, "; ")
		}
	}
	return DataMember("", field, v, names, nil).String()
}

// CorrectedChange writes a field's values before and after a correction (CorrectedValue each); a
// change of sources that only adds some reads "as before, and …" with the sources added, so that a
// reader sees what was added without comparing two lists.
func CorrectedChange(field string, before, after json.RawMessage, names Names) (old, new string) {
	old, new = CorrectedValue(field, before, names), CorrectedValue(field, after, names)
	if field != domain.CorrectedSources {
		return old, new
	}
	var b, a []domain.SourceRef
	if json.Unmarshal(before, &b) != nil || json.Unmarshal(after, &a) != nil || len(a) <= len(b) {
		return old, new
	}
	var added []string
	for _, s := range a {
		if !slices.ContainsFunc(b, func(x domain.SourceRef) bool { return reflect.DeepEqual(x, s) }) {
			added = append(added, Source(s))
		}
	}
	if len(added) != len(a)-len(b) {
		return old, new
	}
	return old, "as before, and " + strings.Join(added, "; ")
}

// A net saving (docs/domain.md, rule 7) is the outturn less one-off costs; where no outturn is
// recorded it is worked out from the forecast, and is then a forecast net saving: a forecast, never a
// saving made. NetSaving and Net are the one wording of both.

// NetSavingTerm names a net saving by what it rests on: "net saving" (an outturn) or "forecast net
// saving" (a forecast, no outturn recorded).
func NetSavingTerm(fromOutturn bool) string {
	if fromOutturn {
		return "net saving"
	}
	return "forecast net saving"
}

// NetSaving writes a net saving with its term: "net saving £40,000", "forecast net saving £40,000",
// or "net saving not recorded" (nil: neither an outturn nor a forecast).
func NetSaving(p *domain.Pence, fromOutturn bool) string {
	if p == nil {
		return "net saving " + NotRecorded
	}
	return NetSavingTerm(fromOutturn) + " " + p.String()
}

// NetNoOneOff is what a net figure reads where no one-off costs are recorded: a net of savings less
// one-off costs not recorded cannot be worked out (docs/domain.md, rule 7: not recorded is never £0).
const NetNoOneOff = "cannot be worked out: one-off costs not recorded"

// Net writes a net saving for a table cell: "£40,000" from an outturn, "£40,000 (forecast)" from a
// forecast, NotRecorded when absent.
func Net(p *domain.Pence, fromOutturn bool) string {
	switch {
	case p == nil:
		return NotRecorded
	case fromOutturn:
		return p.String()
	}
	return p.String() + " (forecast)"
}

// Cited is an event's description (Event's line, as a view carries it) with each minute it prints
// marked as MinuteCited marks it, from sources, the event's own sources as in effect: "Full Council
// 15 October 2015, item 8 (every detail assumed) (Great Yarmouth Borough Council, approved): ...".
// p is the event's payload as in effect (nil leaves desc as it is). Every place that prints an
// event's line for a person uses Cited, so an assumed minute is never read as known.
func Cited(desc string, p domain.Payload, sources []domain.SourceRef) string {
	for _, m := range Minutes(p) {
		a := MinuteAssumed(m, sources)
		text := Minute(m)
		i := strings.Index(desc, text)
		if a == "" || i < 0 || strings.HasPrefix(desc[i+len(text):], " ("+a+")") {
			continue
		}
		desc = desc[:i+len(text)] + " (" + a + ")" + desc[i+len(text):]
	}
	return desc
}

// Actor is an event's recorded_by as a person reads it: the CLI's "cli:USER" is "USER, at the
// command line", and "cli:unknown" (no $USER: cmd/ledger's actor) "someone at the command line whose
// name was not recorded"; the demo's loader (domain.DemoActor) "the demo loader (ledger seed), not a
// person"; any other actor (a token's or a session's name) as recorded.
func Actor(recordedBy string) string {
	user, ok := strings.CutPrefix(recordedBy, "cli:")
	switch {
	case recordedBy == domain.DemoActor:
		return "the demo loader (ledger seed), not a person"
	case !ok:
		return recordedBy
	case user == "unknown" || strings.TrimSpace(user) == "":
		return "someone at the command line whose name was not recorded"
	}
	return user + ", at the command line"
}

// The ledger records an end by the first day something no longer held (an AppointmentEnded's or a
// StatutoryRoleVacated's effective_on, a dissolution's date, a former partner's Until). People are
// told both days, never a bare "to"/"until" that could be read either way: LastDay gives the last day
// it held, EndedFrom the first day it did not.

// LastDay writes the last day something held, from the first day it no longer did (firstDayNot):
// "until 30 September 2016 (the last day)" for 1 October 2016.
func LastDay(firstDayNot domain.Date) string {
	return "until " + firstDayNot.AddDays(-1).Long() + " (the last day)"
}

// EndedFrom writes when something ended, from the first day it no longer held: "with effect from
// 1 October 2016 (the last day was 30 September 2016)".
func EndedFrom(firstDayNot domain.Date) string {
	return "with effect from " + firstDayNot.Long() + " (the last day was " + firstDayNot.AddDays(-1).Long() + ")"
}
