package reviewpack

import (
	"strconv"
	"strings"
	"time"

	"github.com/partnership-ledger/ledger/domain/words"
)

// refsText cites ledger events: "[12, 15]"; "" when there are none.
func refsText(refs []uint64) string {
	if len(refs) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteByte('[')
	for i, r := range refs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.FormatUint(r, 10))
	}
	b.WriteByte(']')
	return b.String()
}

// withRefs appends the citation to a sentence.
func withRefs(text string, refs []uint64) string {
	if r := refsText(refs); r != "" {
		return text + " " + r
	}
	return text
}

// section headings, shared by every format so that they read the same.
const (
	hSummary      = "1. Executive summary"
	hOptions      = "2. Options"
	hChronology   = "3. Chronology"
	hPeople       = "4. Appointments and statutory roles"
	hServices     = "5. Shared services"
	hFinance      = "6. Finance"
	hFlags        = "7. Matters to note"
	hRisks        = "8. Risks"
	hGaps         = "9. Gaps and unknowns"
	hChanges      = "10. Changes since the last report"
	hChangedWhat  = "What they changed"
	hRegister     = "Appendix A. Event register"
	hTreeHead     = "Appendix B. Signed tree head"
	hCheckpoint   = "Checkpoint (C2SP tlog-checkpoint) and witnesses"
	hVerify       = "Appendix C. How to verify this pack"
	hGlossary     = "Appendix D. Glossary"
	whyItMatters  = "Why it matters:"
	noRisks       = "The recorded facts show none of the risks this pack looks for: statutory roles that would lapse together, one officer holding statutory roles at several councils, a trial or review date passed without a decision."
	noGaps        = "The record holds each of the facts this pack looks for: agreements, approvals and cost shares of shared posts, the statutory roles of councils that share theirs, outturns of ended years, savings targets and exit terms."
	refsExplained = "A number in square brackets, [n], is a ledger event's number; Appendix A lists each event [n] with its event id and hash, and Appendix C says how to check them."

	registerExplained = "Every event of the partnership recorded by the pack's known-at point, in the order the ledger recorded them. " +
		"Events that take effect after the as-of date are listed because the pack's proofs cover them, but they do not count towards the position described. " +
		"pack.json holds each event in full with its audit path to the signed tree head in Appendix B."
)

// treeHeadTimeLabel labels the tree head's timestamp, which is the recorded_at of its last event,
// not when the head was signed: words.TreeHeadTimeLabel, the one wording the web pages share.
const treeHeadTimeLabel = words.TreeHeadTimeLabel

// treeHeadTime is the tree head's timestamp in words that say what it is (words.TreeHeadTime):
// "2015-12-19T09:02:00Z, when event [24] was recorded; the head carries no signing time".
func treeHeadTime(th TreeHeadLine) string {
	return words.TreeHeadTime(th.Timestamp, th.Size)
}

// coverRows are the cover sheet's label/value pairs, in order, skipping empty values.
func coverRows(r *Report) [][2]string {
	// Both axes in words (words.Instant, domain.Date.Long); pack.json keeps them as machines read them.
	detail := "ledger event " + strconv.FormatUint(r.KnownAt.Seq, 10)
	if t, err := time.Parse(time.RFC3339Nano, r.KnownAt.Time); err == nil {
		detail += ", recorded " + words.Instant(t)
	} else if r.KnownAt.Time != "" {
		detail += ", recorded " + r.KnownAt.Time
	}
	known := "everything recorded (" + detail + ")"
	if k := r.KnownAt.Requested; k != "" && k != "all" {
		known = strings.TrimPrefix(knownPhrase(k), "by ")
		known += " (" + detail + ")"
	}
	var rows [][2]string
	for _, m := range r.Cover.Meetings {
		rows = append(rows, [2]string{m.Label, meetingText(m)})
	}
	rows = append(rows, [][2]string{
		{"Report author", r.Cover.Author},
		{"Subject", r.Cover.Subject},
		{"Purpose", r.Cover.Purpose},
		{"Partnership", r.Name + " (" + r.Partnership + ")"},
		{"Status", r.Cover.Status},
		{"Review due", r.Cover.ReviewDue},
		{"Terms of reference", r.Cover.Terms},
		{"State as of", dateLong(r.AsOf)},
		{"As known at", known},
		{"Position described", r.Cover.Axes},
		{"Pack reference", r.Cover.Reference},
	}...)
	out := rows[:0]
	for _, kv := range rows {
		if strings.TrimSpace(kv[1]) != "" {
			out = append(out, kv)
		}
	}
	return out
}

// optionsHeading is section 2's heading: the report's own (Report.OptionsHeading), else "2. Options".
func optionsHeading(r *Report) string {
	if r.OptionsHeading != "" {
		return r.OptionsHeading
	}
	return hOptions
}

// flagTitle names a flag kind for people.
func flagTitle(kind string) string {
	switch kind {
	case FlagBelowTarget:
		return "Savings below target"
	case FlagPressOnly:
		return "Reported only in the press"
	case FlagIllustrative:
		return "Illustrative source"
	case FlagAssumed:
		return "Source with assumed details"
	case FlagNoConfirming:
		return "Confirmed without a confirming source"
	case FlagLateSource:
		return "Source published after it was cited"
	case FlagRetracted:
		return "Retracted"
	case FlagLateCorrect:
		return "Corrected after the as-of date"
	case FlagConflictingOutcomes:
		return "Councils recorded different review outcomes"
	}
	return kind
}

// flagMatter names a matter to note within a sentence, as the executive summary lists them:
// "facts reported only in the press".
func flagMatter(kind string) string {
	switch kind {
	case FlagBelowTarget:
		return "savings below target"
	case FlagPressOnly:
		return "facts reported only in the press"
	case FlagIllustrative:
		return "illustrative sources"
	case FlagAssumed:
		return "sources with assumed details"
	case FlagNoConfirming:
		return "facts recorded as confirmed without a confirming source"
	case FlagLateSource:
		return "sources published after they were cited"
	case FlagRetracted:
		return "retracted events"
	case FlagLateCorrect:
		return "corrections recorded after the as-of date"
	case FlagConflictingOutcomes:
		return "the councils' differing review outcomes"
	}
	return words.Lower(flagTitle(kind))
}

// totalCouncil is the Council of a financial year's total row.
const totalCouncil = "All councils"

// findingSection is a section of findings (risks, gaps) as every renderer prints it.
type findingSection struct {
	ID, Heading, None string
	Items             []Finding
	Note              string // printed after the items, when there are some
}

// findingSections are the risks and gaps sections, in the order they are printed.
func findingSections(r *Report) []findingSection {
	return []findingSection{{ID: "risks", Heading: hRisks, None: noRisks, Items: r.Risks},
		{ID: "gaps", Heading: hGaps, None: gapsNone(r.GapChecks), Items: r.Gaps, Note: gapsNote(r.GapChecks)}}
}

// meetingText is a cover row's value for a body: "Cabinet of North Norfolk District Council: meeting
// date not recorded".
func meetingText(m MeetingRow) string {
	if m.Body == "" {
		return withRefs(words.Sentence(m.Meeting), m.Refs)
	}
	return withRefs(m.Body+": "+m.Meeting, m.Refs)
}

// changeHeads are the columns of the events recorded since the last report.
var changeHeads = []string{"[n]", "Recorded (UTC)", "Effective", "What was recorded"}

// textPiece is a run of text, or a command the text quotes.
type textPiece struct {
	text    string
	command bool
}

// splitCommands splits text around the commands it quotes (“ledger …”), dropping their quotation
// marks, so that a renderer can set them as code.
func splitCommands(text string) []textPiece {
	const open, shut = "“ledger ", "”"
	var out []textPiece
	for {
		i := strings.Index(text, open)
		if i < 0 {
			break
		}
		j := strings.Index(text[i:], shut)
		if j < 0 {
			break
		}
		out = append(out, textPiece{text: text[:i]}, textPiece{text: text[i+len("“") : i+j], command: true})
		text = text[i+j+len(shut):]
	}
	return append(out, textPiece{text: text})
}

// leadPhrase splits a paragraph of Appendix C into its lead phrase, the short first sentence that
// names the step ("Check the pack."), and the rest; lead is "" when the first sentence is not short.
func leadPhrase(p string) (lead, rest string) {
	i := strings.IndexAny(p, ".?")
	if i < 0 || i > 60 || !strings.HasPrefix(p[i+1:], " ") {
		return "", p
	}
	return p[:i+1], p[i+2:]
}
