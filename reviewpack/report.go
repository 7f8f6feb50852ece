package reviewpack

import "github.com/partnership-ledger/ledger/domain"

// Report is the content of a review pack, laid out as an English council's scrutiny report. Every
// renderer (HTML, PDF, Markdown, JSON) reads only a Report, so the four formats say the same thing.
//
// A Report holds text ready to print: dates as YYYY-MM-DD, money already formatted ("£40,000"), and
// every fact cites the ledger events it comes from by seq (Refs), which the event register in the
// appendix lists with their hashes. Slices are in the order they are printed.
type Report struct {
	Partnership string      `json:"partnership"` // slug
	Name        string      `json:"name"`
	AsOf        string      `json:"as_of"`
	KnownAt     KnownAtLine `json:"known_at"`
	Cover       Cover       `json:"cover"`
	Summary     []string    `json:"summary"` // executive summary paragraphs
	// Recommendation is what the report asks the committee to do.
	Recommendation string   `json:"recommendation"`
	Options        []Option `json:"options"`
	// OptionsHeading heads section 2 when it is not the options of a running arrangement: the
	// wind-down matters of a dissolved partnership ("2. Winding down"); "" for "2. Options".
	OptionsHeading string        `json:"options_heading,omitempty"`
	Chronology     []ChronRow    `json:"chronology"`
	Partners       []PartnerRow  `json:"partners"`
	Appointments   []Appointment `json:"appointments"`
	Roles          []RoleRow     `json:"statutory_roles"`
	Services       []ServiceRow  `json:"services"`
	// Empty says why a list with no rows is empty when the record held rows for it before (a
	// dissolution ended them), by the Empty… keys (empty.go); a list not in it reads "None recorded".
	Empty map[string]Fact `json:"empty,omitempty"`
	// GapChecks says which checks of section 9 apply and which do not (gapchecks.go).
	GapChecks *GapChecks    `json:"gap_checks,omitempty"`
	Finance   Finance       `json:"finance"`
	Flags     []Flag        `json:"flags"`
	Register  []RegisterRow `json:"register"`
	TreeHead  TreeHeadLine  `json:"tree_head"`
	// Checkpoint is the embedded C2SP checkpoint, printed after the tree head (checkpoint.go).
	Checkpoint  *CheckpointLine `json:"checkpoint,omitempty"`
	HowToVerify []string        `json:"how_to_verify"` // paragraphs
	Glossary    []GlossaryItem  `json:"glossary,omitempty"`

	// Risks are what the recorded facts put at risk (risks.go); Gaps what the record leaves unknown
	// that bears on the decision (gaps.go). Both are derived from the views at the pack's as-of and
	// known-at.
	Risks []Finding `json:"risks"`
	Gaps  []Finding `json:"gaps"`
	// Changes is what was recorded since the last report (changes.go), when the pack was asked for
	// one (Options.Since); nil otherwise.
	Changes *Changes `json:"changes,omitempty"`
	// Corrections is "What changed" (provenance.go): what each correction changed, field by field,
	// and what each retraction removed, in the order they were recorded.
	Corrections []CorrectionRow `json:"corrections,omitempty"`
}

// Changes is "Changes since the last report": the partnership's events recorded after the last
// report's known-at (SinceSeq) and by this pack's, in words, and what they changed in the position as
// of the pack's as-of date.
type Changes struct {
	Since    string      `json:"since"`     // the last report's known-at as requested
	SinceSeq uint64      `json:"since_seq"` // the last ledger seq it knew
	Intro    string      `json:"intro"`
	Events   []ChangeRow `json:"events"`  // in seq order
	Effects  []Fact      `json:"effects"` // what changed in the position, with the events it comes from
}

// ChangeRow is one event recorded since the last report.
type ChangeRow struct {
	Seq       uint64 `json:"seq"`
	Recorded  string `json:"recorded"`  // recorded_at, "YYYY-MM-DD HH:MM" UTC
	Effective string `json:"effective"` // effective_on, as corrected
	What      string `json:"what"`
}

// KnownAtLine says which prefix of the ledger the pack reflects.
type KnownAtLine struct {
	Requested string `json:"requested"` // as asked for: "all", a seq, a time or a date
	Seq       uint64 `json:"seq"`       // the last ledger seq included
	Time      string `json:"time"`      // recorded_at of that seq (the tree head's timestamp), RFC 3339
}

// Cover is the report's cover sheet.
type Cover struct {
	Title       string `json:"title"`
	Committee   string `json:"committee"`
	Meeting     string `json:"meeting,omitempty"` // not set: each body has its own meeting (Meetings)
	Author      string `json:"author"`
	Purpose     string `json:"purpose"`
	Subject     string `json:"subject"` // "Review of the ... partnership"
	Status      string `json:"status"`
	ReviewDue   string `json:"review_due,omitempty"` // in words, "30 June 2016", marked once passed by the as-of (words.DueDate)
	Terms       string `json:"terms_of_reference,omitempty"`
	Bodies      string `json:"bodies,omitempty"` // bodies that will consider the review
	Reference   string `json:"reference"`        // a short fingerprint of the tree head, for citing the pack
	Axes        string `json:"axes,omitempty"`   // both axes in words: the position on the as-of date, as recorded by the known-at point
	Disclaimers string `json:"disclaimers,omitempty"`

	// Meetings are the cover's rows of bodies (cover.go): the committee the pack is prepared for, if
	// given, then each body the review is scheduled for, each with its own meeting. Committee is
	// that committee as given; Meeting and Bodies are not printed (packs of format v2 printed them).
	Meetings []MeetingRow `json:"meetings"`
}

// MeetingRow is a body that considers the review, and its meeting: the date given for the pack, the
// meeting the ledger records the body deciding at, both, or "meeting date not recorded".
type MeetingRow struct {
	Label   string   `json:"label"`          // "Considered by" or "Prepared for"
	Body    string   `json:"body"`           // "Cabinet of North Norfolk District Council"; "" when the ledger names none
	Date    string   `json:"date,omitempty"` // YYYY-MM-DD: the date given, else the one recorded
	Meeting string   `json:"meeting"`        // the meeting in words
	Refs    []uint64 `json:"refs,omitempty"`
}

// Option is one course open to the committee, with the facts that bear on it.
type Option struct {
	Key     string `json:"key"`     // continue | make_permanent | vary | end
	Heading string `json:"heading"` // "Option 1: continue the arrangement"
	Facts   []Fact `json:"facts"`
}

// Fact is one sentence of the report with the events that support it.
type Fact struct {
	Text string   `json:"text"`
	Refs []uint64 `json:"refs,omitempty"` // ledger seqs, listed in the register
	// Certainty is the weakest certainty of the events the fact rests on (provenance.go): confirmed,
	// reported, inferred, or words.NoConfirmingSource.
	Certainty string `json:"certainty,omitempty"`
	// Absence marks a fact that says something is not recorded ("No section 113 agreement is
	// recorded …"): it carries no Certainty, since a certainty is of what a source says and no source
	// says what the record lacks.
	Absence bool `json:"absence,omitempty"`
}

// ChronRow is one event on the chronology.
type ChronRow struct {
	Seq          uint64   `json:"seq"`
	Date         string   `json:"date"` // effective_on
	Type         string   `json:"type"`
	What         string   `json:"what"` // the event in words, then its notes (domain.NotesOf): "… Note: …"
	Certainty    string   `json:"certainty"`
	Minutes      []string `json:"minutes,omitempty"`      // minute references as the council wrote them
	Sources      []string `json:"sources"`                // one line per source reference
	Assumed      bool     `json:"assumed,omitempty"`      // a source has assumed details
	Illustrative bool     `json:"illustrative,omitempty"` // packs before per-detail marks: a source was illustrative
	Corrected    bool     `json:"corrected,omitempty"`
}

// PartnerRow is a partner council on the as-of date.
type PartnerRow struct {
	Council   string   `json:"council"` // the council's name
	Kind      string   `json:"kind,omitempty"`
	Since     string   `json:"since"`            // the date of its approving decision, else of the event that named it
	Until     string   `json:"until,omitempty"`  // a former partner: the date of its withdrawal or the dissolution, from which it is not a partner
	Notice    string   `json:"notice,omitempty"` // a notice of withdrawal given
	Ended     string   `json:"ended,omitempty"`  // a former partner: how and when it ceased to be one, in words (words.EndedFrom)
	Refs      []uint64 `json:"refs"`
	Certainty string   `json:"certainty,omitempty"` // the weakest certainty of Refs (provenance.go)
}

// Appointment is a shared post in force on the as-of date.
type Appointment struct {
	Officer   string   `json:"officer"`
	Post      string   `json:"post"`
	Employer  string   `json:"employer"`
	Councils  string   `json:"councils"` // "Great Yarmouth 50%, North Norfolk 50%"
	Basis     string   `json:"basis"`
	Since     string   `json:"since"`
	Approvals []string `json:"approvals,omitempty"`
	CostShare string   `json:"cost_share,omitempty"`
	Refs      []uint64 `json:"refs"`
	Certainty string   `json:"certainty,omitempty"` // the weakest certainty of Refs (provenance.go)
}

// RoleRow is a statutory role held at a council by a shared officer.
type RoleRow struct {
	Council   string   `json:"council"`
	Role      string   `json:"role"`
	Officer   string   `json:"officer"`
	Since     string   `json:"since"`
	Refs      []uint64 `json:"refs"`
	Certainty string   `json:"certainty,omitempty"` // the weakest certainty of Refs (provenance.go)
}

// ServiceRow is a service that is shared, proposed for sharing, or returned.
type ServiceRow struct {
	Service   string   `json:"service"`
	Status    string   `json:"status"`
	Detail    string   `json:"detail"`
	Since     string   `json:"since"`
	CostShare string   `json:"cost_share,omitempty"`
	Refs      []uint64 `json:"refs"`
	Certainty string   `json:"certainty,omitempty"` // the weakest certainty of Refs (provenance.go)
}

// Finance is the money: savings by year and council, one-off costs, cost shares, funding and a chart.
type Finance struct {
	Rows       []FinanceRow   `json:"rows"`
	Totals     []FinanceRow   `json:"totals"` // one per financial year, Council "All councils"
	CostShares []CostShareRow `json:"cost_shares"`
	Funding    []FundingRow   `json:"funding"`
	Chart      Chart          `json:"chart"`
	Notes      []string       `json:"notes,omitempty"`
}

// FinanceRow is one council's savings in one financial year.
type FinanceRow struct {
	Year          string   `json:"year"` // "2015/16"
	Council       string   `json:"council"`
	Target        string   `json:"target"`
	Forecast      string   `json:"forecast"`
	Outturn       string   `json:"outturn"` // words.NotRecorded when none yet
	OneOff        string   `json:"one_off_costs"`
	Net           string   `json:"net"`
	AgainstTarget string   `json:"against_target"`
	BelowTarget   bool     `json:"below_target,omitempty"`
	Refs          []uint64 `json:"refs,omitempty"`
	Certainty     string   `json:"certainty,omitempty"` // the weakest certainty of Refs (provenance.go)
}

// CostShareRow is how one post's or service's cost is split.
type CostShareRow struct {
	Subject     string   `json:"subject"`
	Basis       string   `json:"basis"`
	Shares      string   `json:"shares"` // "Great Yarmouth 50%, North Norfolk 50%"
	AppliesFrom string   `json:"applies_from"`
	Refs        []uint64 `json:"refs"`
	Certainty   string   `json:"certainty,omitempty"` // the weakest certainty of Refs (provenance.go)
}

// FundingRow is external funding awarded.
type FundingRow struct {
	Funder     string   `json:"funder"`
	Recipients string   `json:"recipients"`
	Amount     string   `json:"amount"`
	Purpose    string   `json:"purpose,omitempty"`
	Refs       []uint64 `json:"refs"`
	Certainty  string   `json:"certainty,omitempty"` // the weakest certainty of Refs (provenance.go)
}

// Chart is a grouped bar chart: one group per category (financial year), one bar per series.
// Values are in pence.
type Chart struct {
	Title      string        `json:"title"`
	Categories []string      `json:"categories"`
	Series     []ChartSeries `json:"series"`
}

// ChartSeries is one bar in every group.
type ChartSeries struct {
	Name   string          `json:"name"`
	Values []*domain.Pence `json:"values_pence"` // one per category; null where nothing was recorded (no bar drawn)
}

// Flag kinds.
const (
	FlagBelowTarget  = "savings_below_target"
	FlagPressOnly    = "press_only"
	FlagIllustrative = "illustrative_source"
	FlagLateCorrect  = "corrected_after_as_of"
	FlagRetracted    = "retracted"
)

// Flag is something a committee member should be warned about.
type Flag struct {
	Kind string   `json:"kind"`
	Text string   `json:"text"`
	Refs []uint64 `json:"refs,omitempty"`
}

// Finding is a risk the recorded facts show, or a gap: something the ledger does not record that the
// committee needs. Text says what it is, Why why it matters to the committee's decision, and Refs
// cites the events it is derived from (a gap cites the facts that make the missing one matter).
type Finding struct {
	Kind string   `json:"kind"` // one of the Gap… or Risk… kinds
	Text string   `json:"text"`
	Why  string   `json:"why"`
	Refs []uint64 `json:"refs,omitempty"`
	// Certainty is how certain the facts it rests on are: the weakest certainty of Refs
	// (provenance.go), printed with them (findingCertainty).
	Certainty string `json:"certainty,omitempty"`
}

// RegisterRow is one event cited by the pack, with its hash.
type RegisterRow struct {
	Seq         uint64 `json:"seq"`
	ID          string `json:"id"`
	Type        string `json:"type"`
	EffectiveOn string `json:"effective_on"`
	RecordedAt  string `json:"recorded_at"`
	Certainty   string `json:"certainty"`
	Hash        string `json:"hash"`
}

// TreeHeadLine is the signed tree head the pack was built under, for printing.
type TreeHeadLine struct {
	Size      uint64 `json:"size"`
	Root      string `json:"root"`
	Timestamp string `json:"timestamp"`
	KeyID     string `json:"key_id"`
	Signature string `json:"signature"`
}

// GlossaryItem explains a term.
type GlossaryItem struct {
	Term    string `json:"term"`
	Meaning string `json:"meaning"`
}
