package reviewpack

import (
	"fmt"
	"strings"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/words"
	"github.com/partnership-ledger/ledger/projections"
)

// Labels of the cover's meeting rows.
const (
	labelConsideredBy = "Considered by"
	labelPreparedFor  = "Prepared for"
	meetingNotGiven   = "meeting date not given"
)

// meetingShape is what a meeting option looks like, for messages.
const meetingShape = "want BODY=YYYY-MM-DD, e.g. north-norfolk:cabinet=2016-06-20"

// parseMeeting reads a meeting cover option, "BODY=YYYY-MM-DD" (CoverOptions.Meetings): one '=', a
// body before it, and after it a real date within the dates the ledger accepts
// (domain.DateLimitProblem). The error quotes the whole option and says what is wrong for people,
// without the option's name.
func parseMeeting(s string) (body string, on domain.Date, err error) {
	switch strings.Count(s, "=") {
	case 0:
		return "", on, fmt.Errorf("%q: %s: each body that considers the review has its own meeting", s, meetingShape)
	case 1:
	default:
		return "", on, fmt.Errorf("%q has %d '=': %s, with one '=' between the body and the date", s, strings.Count(s, "="), meetingShape)
	}
	body, date, _ := strings.Cut(s, "=")
	body, date = strings.TrimSpace(body), strings.TrimSpace(date)
	if body == "" {
		return "", on, fmt.Errorf("%q: name the body before '=' (COUNCIL:BODY, e.g. north-norfolk:cabinet)", s)
	}
	if on, err = domain.ParseDate(date); err != nil {
		return "", on, fmt.Errorf("%q: %v: %s", s, err, meetingShape)
	}
	if msg := domain.DateLimitProblem(on); msg != "" {
		return "", on, fmt.Errorf("%q: the meeting date %s", s, msg)
	}
	return body, on, nil
}

// checkMeetingsAfter refuses a meeting option (already well formed: CoverOptions.Check) dated before
// asOf, the date the pack describes: a body meets to consider the pack on or after that date, so an
// earlier one is a slip (a *CoverError for the meeting parameter). Build checks it, not Compose, so a
// pack built before this rule still verifies.
func checkMeetingsAfter(c CoverOptions, asOf domain.Date) error {
	for _, m := range c.Meetings {
		if _, on, err := parseMeeting(m); err == nil && on.Before(asOf) {
			return &CoverError{Field: "meeting", Detail: fmt.Sprintf("%q: the meeting is before the date the pack describes (as of %s): a meeting that considers the pack falls on or after it; give the meeting's date, or an earlier as-of",
				m, asOf)}
		}
	}
	return nil
}

// sameName compares names of bodies ignoring case and runs of spaces.
func sameName(a, b string) bool {
	return strings.EqualFold(strings.Join(strings.Fields(a), " "), strings.Join(strings.Fields(b), " "))
}

// coverBody is one body on the cover: a body the review is scheduled for, or the committee given.
type coverBody struct {
	label, name   string // name: "Full council of Great Yarmouth Borough Council"
	council, body string // as recorded (slug, body); "" for the committee
	given         domain.Date
	givenAs       string // the option as given, for messages
	recorded      projections.ReviewResult
	recordedFound bool
	outcome       *projections.ReviewResult // the council's outcome of the review, when no meeting of the body is recorded for it
}

// meetings resolves the cover's bodies and their meetings: the committee given (CoverOptions.Committee)
// first, then each body the review is scheduled for, in the order recorded. A body's meeting is the
// date given for it (CoverOptions.Meetings), and the meeting at which the ledger records its council
// deciding the review's outcome through that body, if any. A meeting option naming no body, or more
// than one, or a body named twice, is a *CoverError for the meeting parameter.
func (c *composer) meetings() ([]MeetingRow, error) {
	var bodies []*coverBody
	if cm := strings.TrimSpace(c.ev.Cover.Committee); cm != "" {
		bodies = append(bodies, &coverBody{label: labelPreparedFor, name: cm})
	}
	rd := c.st.ReviewDate
	if rd != nil {
		for _, b := range rd.BodyRefs {
			cb := &coverBody{label: labelConsideredBy, council: b.Council.String(), body: b.Body,
				name: words.Capital(b.Body + " of " + c.council(b.Council.String()))}
			for _, o := range c.st.Reviews {
				if rd.Review != "" && o.Review == rd.Review && o.Council == cb.council && o.Minute != nil &&
					o.Minute.Council == cb.council && sameName(o.Minute.Body, cb.body) && !o.Minute.Meeting.IsZero() {
					cb.recorded, cb.recordedFound = o, true
				}
				if rd.Review != "" && o.Review == rd.Review && o.Council == cb.council {
					cb.outcome = &o
				}
			}
			bodies = append(bodies, cb)
		}
	}
	for _, m := range c.ev.Cover.Meetings {
		name, on, err := parseMeeting(m)
		if err != nil {
			return nil, &CoverError{Field: "meeting", Detail: err.Error()}
		}
		var found []*coverBody
		for _, b := range bodies {
			if b.names(name) {
				found = append(found, b)
			}
		}
		switch {
		case len(found) == 0:
			return nil, &CoverError{Field: "meeting", Detail: fmt.Sprintf("%q: %q is not %s", m, name, c.bodiesAccepted(bodies))}
		case len(found) > 1:
			return nil, &CoverError{Field: "meeting", Detail: fmt.Sprintf("%q: %q names %s; write COUNCIL:BODY", m, name, words.Count(len(found), "body", "bodies"))}
		case found[0].givenAs != "":
			return nil, &CoverError{Field: "meeting", Detail: fmt.Sprintf("%q: a meeting for %s is already given (%q)", m, words.Lower(found[0].name), found[0].givenAs)}
		}
		found[0].given, found[0].givenAs = on, m
	}
	var out []MeetingRow
	for _, b := range bodies {
		out = append(out, c.meetingRow(b))
	}
	if rd == nil || len(rd.BodyRefs) == 0 {
		text := "no review with its bodies is recorded"
		if rd != nil && !rd.DueOn.IsZero() {
			text = "the ledger names no body for the review due on " + rd.DueOn.Long()
		}
		row := MeetingRow{Label: labelConsideredBy, Meeting: text}
		if rd != nil {
			row.Refs = c.refs(rd.Evidence)
		}
		out = append(out, row)
	}
	return out, nil
}

// names reports whether a meeting option's BODY names b: COUNCIL:BODY, the body alone, or the
// cover's own name for it; the committee by its name.
func (b *coverBody) names(spec string) bool {
	if b.council == "" {
		return sameName(spec, b.name)
	}
	if council, body, ok := strings.Cut(spec, ":"); ok && strings.TrimSpace(council) == b.council && sameName(body, b.body) {
		return true
	}
	return sameName(spec, b.body) || sameName(spec, b.name)
}

// bodiesAccepted says which bodies a meeting option may name.
func (c *composer) bodiesAccepted(bodies []*coverBody) string {
	var names []string
	for _, b := range bodies {
		if b.council == "" {
			names = append(names, fmt.Sprintf("the committee %q", b.name))
			continue
		}
		names = append(names, fmt.Sprintf("%s (%s:%s)", words.Lower(b.name), b.council, b.body))
	}
	if len(names) == 0 {
		return "a body the review is scheduled for: the ledger records none by this pack's as-of and known-at, and no --committee is given"
	}
	return "a body the review is scheduled for, nor the committee given: " + words.JoinOr(names)
}

// meetingRow writes a body's meeting: the date given for this pack, the meeting the ledger records,
// both, or that neither is known.
func (c *composer) meetingRow(b *coverBody) MeetingRow {
	row := MeetingRow{Label: b.label, Body: b.name}
	var parts []string
	if !b.given.IsZero() {
		row.Date = b.given.String()
		parts = append(parts, "meeting on "+b.given.Long()+" (date given for this pack)")
	}
	if b.recordedFound {
		m := b.recorded.Minute
		if row.Date == "" {
			row.Date = m.Meeting.String()
		}
		parts = append(parts, fmt.Sprintf("the ledger records it deciding the review's outcome at its meeting on %s (%s)", m.Meeting.Long(), c.minuteText(*m, c.refs(b.recorded.Evidence))))
		row.Refs = c.refs(b.recorded.Evidence)
	}
	switch {
	case len(parts) > 0:
		row.Meeting = strings.Join(parts, "; ")
	case b.council == "":
		row.Meeting = meetingNotGiven
	case b.outcome != nil: // what is recorded: the council's outcome, without the meeting that decided it
		row.Meeting = fmt.Sprintf("review outcome recorded on %s; meeting %s", b.outcome.On.Long(), words.NotRecorded)
		row.Refs = c.refs(b.outcome.Evidence)
	default:
		row.Meeting = "meeting date " + words.NotRecorded
	}
	return row
}

// meetingsKey is the cover's meetings as one string, for the PDF's file identifier.
func meetingsKey(r *Report) string {
	parts := make([]string, len(r.Cover.Meetings))
	for i, m := range r.Cover.Meetings {
		parts[i] = meetingText(m)
	}
	return strings.Join(parts, "\x01")
}

// readers names who the pack is for, to stand where a report says "the committee": the committee
// given (CoverOptions.Committee), else the bodies the review is scheduled for ("the councils'
// meetings" for two or more, "the meeting" for one), else "the partner councils". plural says which
// verb agrees ("the committee considers", "the councils' meetings consider").
func (c *composer) readers() (name string, plural bool) {
	if strings.TrimSpace(c.ev.Cover.Committee) != "" {
		return "the committee", false
	}
	n := 0
	if rd := c.st.ReviewDate; rd != nil {
		n = len(rd.BodyRefs)
	}
	switch {
	case n == 1:
		return "the meeting", false
	case n > 1:
		return "the councils' meetings", true
	}
	return "the partner councils", true
}

// readersName is readers' name alone.
func (c *composer) readersName() string {
	name, _ := c.readers()
	return name
}

// agree is the verb form agreeing with readers: agree("consider", "considers").
func (c *composer) agree(plural, singular string) string {
	if _, pl := c.readers(); pl {
		return plural
	}
	return singular
}
