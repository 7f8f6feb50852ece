package reviewpack

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/words"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/projections"
)

// ErrIncomplete is matched (errors.Is) by Compose's error when the evidence does not hold every event
// of the partnership up to the tree head, in order: a pack may not leave an inconvenient event out.
var ErrIncomplete = errors.New("reviewpack: evidence is incomplete")

// Compose builds the report from the evidence alone: the partnership's events up to the tree head's
// size, folded by projections (the partnership's events alone: Options.Sparse) and read through their
// views, State and Timeline, at the evidence's as_of and known_at = the tree head's size; of the events
// themselves it reads only the envelope's metadata (seq, id, type, dates, certainty as recorded,
// hash). It checks that the events are the whole stream up to that size (revisions 0, 1, 2, … in seq
// order, each seq within the tree) and returns an error matching ErrIncomplete if not; an as_of that
// is not a date is projections' ErrBadAsOf. It does not check hashes or proofs (Verify does). The
// result depends only on ev, so building twice, or rebuilding in a verifier, gives the same report.
func Compose(ctx context.Context, ev *Evidence) (*Report, error) {
	stream := domain.StreamPrefix + ev.Partnership
	size := ev.TreeHead.Size
	for i, ce := range ev.Events {
		e := ce.Event
		switch {
		case e.Stream != stream:
			return nil, fmt.Errorf("%w: event %s is in stream %s, not %s", ErrIncomplete, e.ID, e.Stream, stream)
		case e.Revision != uint64(i):
			return nil, fmt.Errorf("%w: revision %d of %s is missing (found revision %d, seq %d)", ErrIncomplete, i, stream, e.Revision, e.Seq)
		case e.Seq == 0 || e.Seq > size:
			return nil, fmt.Errorf("%w: event seq %d is outside the tree head of size %d", ErrIncomplete, e.Seq, size)
		case i > 0 && e.Seq <= ev.Events[i-1].Event.Seq:
			return nil, fmt.Errorf("%w: events are not in seq order at seq %d", ErrIncomplete, e.Seq)
		}
	}
	if len(ev.Events) == 0 {
		return nil, projections.UnknownPartnership(ev.Partnership, fmt.Sprintf("nothing recorded by tree size %d", size))
	}

	fixed := func() time.Time { return ev.TreeHead.Timestamp }
	m := projections.NewModels(projections.Options{Now: fixed, Partnerships: []string{ev.Partnership}, Sparse: true})
	if err := m.CatchUp(ctx, evidenceLog{ev}); err != nil {
		return nil, fmt.Errorf("reviewpack: fold the evidence: %w", err)
	}
	q := projections.Query{KnownAt: projections.KnownAtSeq(size)}
	if ev.AsOf != "" { // "" is the day of the tree head (the models' clock)
		d, err := projections.ParseAsOf(ev.AsOf)
		if err != nil {
			return nil, err
		}
		q.AsOf = d
	}
	st, err := m.State(ev.Partnership, q)
	if err != nil {
		return nil, err
	}
	tl, err := m.Timeline(ev.Partnership, q)
	if err != nil {
		return nil, err
	}
	return compose(ev, m, st, tl)
}

// compose writes the report from the views (st and tl at the pack's point in both times, v for the
// others: changes.go). Its error is a *CoverError for a cover option that names nothing in the views
// (a meeting of a body the review is not scheduled for).
func compose(ev *Evidence, v viewer, st *projections.State, tl *projections.Timeline) (*Report, error) {
	c := newComposer(ev, st, tl)
	var err error
	if c.meetingRows, err = c.meetings(); err != nil {
		return nil, err
	}
	r := c.report()
	if r.Changes, err = c.changes(v, r); err != nil {
		return nil, err
	}
	if r.Empty, err = c.emptied(v, r); err != nil {
		return nil, err
	}
	if r.Changes != nil && len(r.Summary) > 0 {
		last := len(r.Summary) - 1
		r.Summary = slices.Insert(r.Summary, last, changesSummary(r.Changes))
	}
	return r, nil
}

// evidenceLog is the cited events as a log for projections: the partnership's events alone, their
// seqs with gaps where other streams' events were (the models are Sparse).
type evidenceLog struct{ ev *Evidence }

func (l evidenceLog) ReadAll(ctx context.Context, afterSeq uint64, _ eventstore.Direction, _ int) iter.Seq2[eventstore.Event, error] {
	return func(yield func(eventstore.Event, error) bool) {
		for _, ce := range l.ev.Events {
			if ce.Event.Seq > afterSeq && !yield(ce.Event, nil) {
				return
			}
		}
	}
}

// composer turns projections' views into the report's text. Of the events it reads only the
// envelopes' metadata: which seq an event id has, and when a correction was recorded.
type composer struct {
	ev    *Evidence
	st    *projections.State
	tl    *projections.Timeline
	asOf  domain.Date
	names map[string]string // council slug → name, from the state's councils
	byID  map[uuid.UUID]int // event id → index in ev.Events

	// Counted by flags, for the cover.
	pressFacts, assumedFacts int
	meetingRows              []MeetingRow // the cover's bodies and meetings (cover.go)
}

func newComposer(ev *Evidence, st *projections.State, tl *projections.Timeline) *composer {
	c := &composer{ev: ev, st: st, tl: tl, asOf: st.AsOf, names: make(map[string]string, len(st.Councils)),
		byID: make(map[uuid.UUID]int, len(ev.Events))}
	for i := range ev.Events {
		c.byID[ev.Events[i].Event.ID] = i
	}
	for council, name := range st.Councils {
		c.names[council.String()] = name
	}
	return c
}

// seqOf returns the ledger seq of the cited event id.
func (c *composer) seqOf(id uuid.UUID) (uint64, bool) {
	i, ok := c.byID[id]
	if !ok {
		return 0, false
	}
	return c.ev.Events[i].Event.Seq, true
}

// refs maps evidence (event ids) to ledger seqs, sorted and without repeats.
func (c *composer) refs(ev projections.Evidence) []uint64 {
	out := make([]uint64, 0, len(ev))
	for _, id := range ev {
		if s, ok := c.seqOf(id); ok {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func (c *composer) council(slug string) string {
	if n := c.names[slug]; n != "" {
		return n
	}
	return words.Title(slug)
}

func (c *composer) councils(slugs []string) string {
	out := make([]string, len(slugs))
	for i, s := range slugs {
		out[i] = c.council(s)
	}
	return words.JoinAnd(out)
}

func (c *composer) report() *Report {
	st, ev := c.st, c.ev
	name := st.Name
	if name == "" {
		name = words.Title(ev.Partnership)
	}
	th := ev.TreeHead
	r := &Report{
		Partnership: ev.Partnership,
		Name:        name,
		AsOf:        ev.AsOf,
		KnownAt:     KnownAtLine{Requested: orAll(ev.KnownAt), Seq: th.Size, Time: th.Timestamp.UTC().Format(time.RFC3339)},
		TreeHead: TreeHeadLine{Size: th.Size, Root: th.Root.String(), Timestamp: th.Timestamp.UTC().Format(time.RFC3339Nano),
			KeyID: th.KeyID, Signature: base64.StdEncoding.EncodeToString(th.Signature)},
	}
	r.Checkpoint = checkpointLine(ev)
	r.Chronology = c.chronology()
	r.Partners = c.partners()
	r.Appointments, r.Roles = c.appointments()
	r.Services = c.services()
	r.Finance = c.finance()
	r.Register = c.register()
	r.Flags = c.flags()
	r.Options = c.options()
	r.Risks, r.Gaps = c.risks(), c.gaps()
	r.GapChecks = c.gapChecks()
	r.Cover = c.cover(name)
	r.Summary = c.summary(name, r)
	readers := c.readersName()
	r.Recommendation = "That " + readers + " " + c.agree("consider", "considers") + " the facts set out in this report and " + c.agree("recommend", "recommends") + " to " +
		c.decisionMakers() + " which of the options in section 2 to take: to continue the arrangement, to make it permanent, to vary it, or to end it."
	if c.dissolved() { // the options of a running arrangement give way to the wind-down (winddown.go)
		r.Options, r.OptionsHeading = c.windDown(), hWindDown
		r.Recommendation = c.windDownRecommendation(r.Options)
	}
	r.HowToVerify = c.howToVerify()
	if step := checkpointStep(c.ev); step != "" {
		r.HowToVerify = append(r.HowToVerify, step)
	}
	r.Glossary = glossary
	r.Corrections = c.corrections()
	c.certify(r)
	return r
}

func (c *composer) decisionMakers() string {
	partners := c.st.Partners
	if len(partners) == 0 && c.st.Status.Value == projections.StatusDissolved {
		// The councils that were partners when it was dissolved.
		for _, p := range c.st.Former {
			if p.Until == c.st.Status.Since {
				partners = append(partners, p)
			}
		}
	}
	if len(partners) == 0 {
		return "the partner councils"
	}
	names := make([]string, len(partners))
	for i, p := range partners {
		names[i] = c.council(p.Council)
	}
	return words.JoinAnd(names)
}

func (c *composer) cover(name string) Cover {
	st, opt := c.st, c.ev.Cover
	readers := c.readersName()
	cv := Cover{
		Title:     "Review of " + name,
		Committee: opt.Committee,
		Author:    opt.Author,
		Meetings:  c.meetingRows,
		Subject:   "The " + name + " partnership between " + c.decisionMakers() + ": the facts as recorded in the Partnership Ledger",
		Purpose: "To give " + readers + " the facts " + c.agree("they need", "it needs") + " to review the partnership and to recommend whether it should " +
			"continue, be made permanent, be varied or end. Every fact cites the ledger events it rests on, and the pack can be checked offline against the ledger's signed tree head.",
		Status:    humanStatus(st.Status),
		Reference: fmt.Sprintf("Ledger tree head %s… (size %d)", c.ev.TreeHead.Root.String()[:12], c.ev.TreeHead.Size),
		Axes:      axesText(c.asOf, c.ev.KnownAt, c.ev.TreeHead.Size),
	}
	if c.dissolved() { // the options of a running arrangement give way to the wind-down (winddown.go)
		cv.Purpose = "To give " + readers + " the facts " + c.agree("they need", "it needs") + " on the partnership's wind-down after its dissolution on " + st.Dissolution.On.Long() +
			": each council's statutory roles, the shared posts and costs to settle, the exit terms and the review outcomes. " +
			"Every fact cites the ledger events it rests on, and the pack can be checked offline against the ledger's signed tree head."
	}
	if rd := st.ReviewDate; rd != nil {
		cv.ReviewDue = words.DueDate(rd.DueOn, c.asOf)
		cv.Bodies = words.Capital(words.JoinAnd(rd.Bodies))
		cv.Terms = rd.Terms
	}
	if cv.Author == "" {
		cv.Author = "Generated by the Partnership Ledger from the recorded events"
	}
	press, assumed := c.pressFacts, c.assumedFacts
	var notes []string
	if press > 0 {
		notes = append(notes, words.Sentence(fmt.Sprintf("%s in this pack %s only on press reports and %s marked \"reported\"", words.Count(press, "fact", "facts"), words.Verb(press, "rests", "rest"), words.Verb(press, "is", "are"))))
	}
	if assumed > 0 {
		notes = append(notes, words.Sentence(fmt.Sprintf("%s %s sources some of whose details (a headline, a date, a minute number) were assumed; those details are not evidence of fact", words.Count(assumed, "fact", "facts"), words.Verb(assumed, "cites", "cite"))))
	}
	if len(notes) > 0 {
		cv.Disclaimers = strings.Join(notes, " ") + " See section 7."
	}
	return cv
}

func (c *composer) summary(name string, r *Report) []string {
	st := c.st
	var out []string
	first := fmt.Sprintf("%s is a partnership between %s.", name, c.decisionMakers())
	if st.Purpose != "" {
		first += " Its stated purpose: “" + strings.TrimSuffix(words.Sentence(st.Purpose), ".") + "”."
	}
	first += fmt.Sprintf(" On %s its status was %s.", c.asOf.Long(), humanStatus(st.Status))
	if tp := st.TrialPeriod; tp != nil && !tp.From.IsZero() {
		first += fmt.Sprintf(" It began as a trial %s.", words.Trial(tp.From, tp.To))
	} else if tp != nil {
		first += fmt.Sprintf(" Its trial has %s.", words.Trial(tp.From, tp.To))
	}
	out = append(out, first)

	// An officer designated to a statutory role without a joint appointment holds no shared post:
	// said apart, not counted among the officers shared.
	var parts, designated []string
	for _, a := range st.Appointments {
		if a.Post == "" {
			designated = append(designated, c.designationOnly(a))
			continue
		}
		part := a.Officer + " as " + c.postAndRoles(a)
		if a.Basis != "" {
			part += ", " + a.Basis
		}
		parts = append(parts, part+", since "+a.Since.Long())
	}
	if len(parts) > 0 {
		out = append(out, fmt.Sprintf("%s shared between the councils: %s.", words.Capital(words.Count(len(parts), "officer is", "officers are")), strings.Join(parts, "; ")))
	} else {
		out = append(out, "No officer was shared between the councils on the as-of date.")
	}
	if len(designated) > 0 {
		out = append(out, "Designated to a statutory role without a shared post: "+strings.Join(designated, "; ")+".")
	}

	var shared, proposed []string
	for _, s := range st.Services {
		switch s.Status {
		case projections.ServiceShared:
			shared = append(shared, words.Lower(humanize(s.Service)))
		case projections.ServiceProposed:
			proposed = append(proposed, words.Lower(humanize(s.Service)))
		}
	}
	svc := "No service had moved to shared delivery."
	if len(shared) > 0 {
		svc = "Services delivered jointly: " + words.JoinAnd(shared) + "."
	}
	if len(proposed) > 0 {
		svc += " " + words.Capital(candidates(len(proposed))) + ", not yet shared: " + words.JoinAnd(proposed) + "."
	}
	out = append(out, svc)

	// Sums over figures some of which were not recorded name those missing (words.Total): a figure
	// not recorded is not £0.
	var target, forecast, outturn, oneOff, net words.Total
	allOutturn := true // every net saving rests on an outturn: otherwise the total is a forecast
	for _, y := range st.Savings.Years {
		for _, cs := range y.Councils {
			label := c.council(cs.Council) + " in " + y.Label
			target.Add(cs.TargetPence, label)
			forecast.Add(cs.ForecastPence, label)
			if cs.HasOutturn {
				outturn.Add(cs.OutturnPence, label)
			}
			oneOff.Add(cs.OneOffCostsPence, label)
			net.Add(cs.NetPence, label)
			allOutturn = allOutturn && (cs.NetPence == nil || cs.HasOutturn)
		}
	}
	if len(st.Savings.Years) > 0 {
		years := words.Count(len(st.Savings.Years), "financial year", "financial years")
		money := fmt.Sprintf("Across %s the councils set savings targets of %s", years, target)
		if !c.anyTarget() {
			money = fmt.Sprintf("Across %s no savings target was recorded", years)
		}
		if forecast.Recorded() {
			money += fmt.Sprintf("; forecasts of savings total %s", forecast)
		} else {
			money += "; no savings forecast was recorded"
		}
		if outturn.Recorded() {
			money += fmt.Sprintf("; the outturn reported so far is %s", outturn.Sum)
		} else {
			money += "; no outturn has been reported"
		}
		switch {
		case !oneOff.Recorded():
			money += ". No one-off costs were recorded, so no net saving can be worked out."
		case !net.Recorded():
			money += fmt.Sprintf(". One-off costs were %s; no net saving can be worked out.", oneOff)
		default:
			money += fmt.Sprintf(". One-off costs were %s, leaving a %s of %s%s.", oneOff, words.NetSavingTerm(allOutturn), net, forecastNote(allOutturn))
		}
		if n := len(st.Savings.BelowTarget); n > 0 {
			money += fmt.Sprintf(" Savings fell below target in %s (%s).", words.Count(n, "case", "cases"), strings.Join(c.belowTargetText(), "; "))
		}
		out = append(out, money)
	} else {
		out = append(out, "No savings targets, forecasts or outturns have been recorded.")
	}
	for _, fu := range st.Funding { // money the partnership received, beside what it saved (section 6)
		txt := fmt.Sprintf("%s awarded %s to %s", fu.Funder, fu.AmountPence.String(), c.councils(fu.Recipients))
		if fu.Purpose != "" {
			txt += " to " + strings.TrimSuffix(fu.Purpose, ".")
		}
		out = append(out, txt+" (section 6).")
	}

	if rd := st.ReviewDate; rd != nil {
		p := words.ReviewDue(rd.DueOn, c.asOf)
		if len(rd.Bodies) > 0 {
			p += map[bool]string{false: ", to be considered by ", true: ", to have been considered by "}[rd.DueOn.Before(c.asOf)] + words.JoinAnd(rd.Bodies)
		}
		out = append(out, p+".")
	}
	if len(st.Reviews) > 0 {
		parts := make([]string, len(st.Reviews))
		for i, rv := range st.Reviews {
			parts[i] = fmt.Sprintf("%s decided to %s on %s", c.council(rv.Council), words.Outcome(rv.Outcome), rv.On.Long())
		}
		out = append(out, "Review outcomes recorded: "+strings.Join(parts, "; ")+".")
	}
	if n := len(r.Flags); n > 0 {
		titles := make([]string, n) // the matters themselves, not examples that may not be among them
		for i, f := range r.Flags {
			titles[i] = flagMatter(f.Kind)
		}
		readers := c.readersName()
		out = append(out, fmt.Sprintf("Section 7 lists %s %s should weigh: %s.", words.Count(n, "matter", "matters"), readers, words.JoinAnd(titles)))
	}
	if p := findingsSummary(r); p != "" {
		out = append(out, p)
	}
	out = append(out, fmt.Sprintf("This pack shows the partnership as it stood on %s, as recorded in the ledger %s: %s in all, up to ledger event %d.",
		c.asOf.Long(), knownPhrase(c.ev.KnownAt), words.Count(len(c.ev.Events), "event", "events"), c.ev.TreeHead.Size))
	return out
}

// netSavingText is a council's net saving in a year in words (words.NetSaving), or that it cannot be
// worked out where savings are recorded but no one-off costs (CouncilSavings.NetLacksOneOff).
func netSavingText(cs projections.CouncilSavings) string {
	if cs.NetLacksOneOff() {
		return "net saving " + words.NetNoOneOff
	}
	return words.NetSaving(cs.NetPence, cs.HasOutturn)
}

func (c *composer) belowTargetText() []string {
	var out []string
	for _, y := range c.st.Savings.Years {
		for _, cs := range y.Councils {
			if cs.BelowTarget {
				out = append(out, fmt.Sprintf("%s in %s, %s", c.council(cs.Council), y.Label, c.shortfall(cs)))
			}
		}
	}
	return out
}

func (c *composer) options() []Option {
	st := c.st
	cont := Option{Key: "continue", Heading: "Option 1: continue the arrangement as it is"}
	perm := Option{Key: "make_permanent", Heading: "Option 2: make the arrangement permanent"}
	vary := Option{Key: "vary", Heading: "Option 3: vary the arrangement"}
	end := Option{Key: "end", Heading: "Option 4: end the arrangement"}

	if tp := st.TrialPeriod; tp != nil && !tp.To.IsZero() {
		cont.Facts = append(cont.Facts, Fact{Text: words.TrialEnd(tp.To, c.asOf) + "; continuing beyond it needs a decision by each council.", Refs: c.refs(tp.Evidence)})
	}
	if rd := st.ReviewDate; rd != nil {
		cont.Facts = append(cont.Facts, Fact{Text: words.ReviewDue(rd.DueOn, c.asOf) + ".", Refs: c.refs(rd.Evidence)})
	}
	for _, a := range st.Appointments {
		if a.Post == "" { // a designation only: no post, share or basis to state
			cont.Facts = append(cont.Facts, Fact{Text: words.Sentence(c.designationOnly(a)), Refs: c.refs(a.Evidence)})
			continue
		}
		basis := orText(a.Basis, "stated")
		f := Fact{Text: fmt.Sprintf("%s serves %s as %s on %s %s basis since %s.", a.Officer, c.shareText(a.Councils), words.Lower(humanize(a.Post)), words.Article(basis), basis, a.Since.Long()), Refs: c.refs(a.Evidence)}
		cont.Facts = append(cont.Facts, f)
		if a.Basis == "interim" {
			perm.Facts = append(perm.Facts, Fact{Text: fmt.Sprintf("%s's appointment as %s is interim: making it permanent needs the approval of each council it serves.", a.Officer, words.Lower(humanize(a.Post))), Refs: c.refs(a.Evidence)})
		}
		if a.CostShare != nil {
			vary.Facts = append(vary.Facts, Fact{Text: fmt.Sprintf("The cost of the %s is shared %s (%s basis) from %s.", words.Lower(humanize(a.Post)), c.sharesText(a.CostShare.Shares), a.CostShare.Basis, a.CostShare.AppliesFrom.Long()), Refs: c.refs(a.CostShare.Evidence)})
		}
	}
	for _, y := range st.Savings.Years {
		for _, cs := range y.Councils {
			txt := fmt.Sprintf("%s, %s: %s against a target of %s.", c.council(cs.Council), y.Label, netSavingText(cs), words.Money(cs.TargetPence))
			if !hasTarget(cs) {
				txt = fmt.Sprintf("%s, %s: %s; no savings target was recorded.", c.council(cs.Council), y.Label, netSavingText(cs))
			}
			if cs.BelowTarget {
				txt = c.belowTarget(y.Label, cs)
				end.Facts = append(end.Facts, Fact{Text: txt, Refs: c.refs(cs.Evidence)})
			}
			cont.Facts = append(cont.Facts, Fact{Text: txt, Refs: c.refs(cs.Evidence)})
		}
	}
	for _, ag := range st.Agreements {
		txt := fmt.Sprintf("The %s agreement between %s", words.Phrase(ag.Kind), c.councils(ag.Parties))
		if !ag.Commences.IsZero() {
			txt += " commenced " + ag.Commences.Long()
		}
		if !ag.Ends.IsZero() {
			txt += " and ends " + ag.Ends.Long()
		}
		perm.Facts = append(perm.Facts, Fact{Text: txt + ".", Refs: c.refs(ag.Evidence)})
		if ag.NoticeDays > 0 {
			end.Facts = append(end.Facts, Fact{Text: fmt.Sprintf("The %s agreement may be ended on %d days' notice.", words.Phrase(ag.Kind), ag.NoticeDays), Refs: c.refs(ag.Evidence)})
		}
	}
	for _, s := range st.Services {
		switch s.Status {
		case projections.ServiceProposed:
			vary.Facts = append(vary.Facts, Fact{Text: fmt.Sprintf("%s has been %s (by %s) but has not moved to shared delivery.", humanize(s.Service), words.SharingCandidate, c.councils(s.Candidates)), Refs: c.refs(s.Evidence)})
		case projections.ServiceShared:
			txt := fmt.Sprintf("%s is delivered jointly, led by %s, since %s.", humanize(s.Service), c.council(s.LeadCouncil), s.Since.Long())
			vary.Facts = append(vary.Facts, Fact{Text: txt, Refs: c.refs(s.Evidence)})
			end.Facts = append(end.Facts, Fact{Text: fmt.Sprintf("Ending the partnership would return %s to separate delivery.", words.Lower(humanize(s.Service))), Refs: c.refs(s.Evidence)})
		}
	}
	for _, p := range st.Partners {
		if n := p.Notice; n != nil {
			txt := fmt.Sprintf("%s gave notice of withdrawal on %s", c.council(p.Council), n.GivenOn.Long())
			if !n.ProposedEnd.IsZero() {
				txt += ", to leave on " + n.ProposedEnd.Long()
			}
			end.Facts = append(end.Facts, Fact{Text: txt + ".", Refs: c.refs(n.Evidence)})
		}
	}
	if st.Status.Value == projections.StatusDissolved {
		end.Facts = append(end.Facts, Fact{Text: "The partnership was dissolved on " + st.Status.Since.Long() + reasonText(st.Status.Reason) + ".", Refs: c.refs(st.Status.Evidence)})
	}
	for _, rv := range st.Reviews {
		f := c.outcomeFact(rv)
		switch rv.Outcome {
		case "continue", "extend":
			cont.Facts = append(cont.Facts, f)
		case "make_permanent", "make permanent", "permanent":
			perm.Facts = append(perm.Facts, f)
		case "vary":
			vary.Facts = append(vary.Facts, f)
		default:
			end.Facts = append(end.Facts, f)
		}
	}
	c.consequences(&cont, &perm, &vary, &end)
	c.nothingShared(&cont, &perm, &vary, &end)
	return []Option{cont, perm, vary, end}
}

// forecastNote says that a net saving worked out from a forecast is not a saving made.
func forecastNote(fromOutturn bool) string {
	if fromOutturn {
		return ""
	}
	return ": a forecast, not a saving made"
}

func reasonText(r string) string {
	if r == "" {
		return ""
	}
	return " (" + strings.TrimSuffix(r, ".") + ")"
}

func (c *composer) chronology() []ChronRow {
	out := make([]ChronRow, 0, len(c.tl.Entries))
	for _, e := range c.tl.Entries {
		row := ChronRow{Seq: e.Seq, Date: e.EffectiveOn.String(), Type: words.EventType(e.Type), What: words.Sentence(words.Cited(e.Description, e.Payload, e.Sources)), Certainty: e.Certainty, Corrected: e.Corrected}
		for _, m := range words.Minutes(e.Payload) {
			if line := "Minute: " + words.MinuteCited(m, e.Sources); !slices.Contains(row.Minutes, line) {
				row.Minutes = append(row.Minutes, line)
			}
		}
		for _, s := range e.Sources {
			row.Sources = append(row.Sources, words.Source(s))
			row.Assumed = row.Assumed || len(s.AssumedDetails()) > 0
		}
		if n := domain.NotesOf(e.Payload); n != "" {
			row.What += " Note: " + words.Sentence(n)
		}
		out = append(out, row)
	}
	return out
}

func (c *composer) partners() []PartnerRow {
	out := make([]PartnerRow, 0, len(c.st.Partners))
	for _, p := range c.st.Partners {
		row := PartnerRow{Council: c.council(p.Council), Kind: p.Kind, Since: p.Since.String(), Refs: c.refs(p.Evidence)}
		if p.ApprovedBy == nil {
			row.Since += " (no approving decision recorded: section 9)"
		}
		if n := p.Notice; n != nil {
			row.Notice = "given " + n.GivenOn.String()
			if !n.ProposedEnd.IsZero() {
				row.Notice += ", leaving " + n.ProposedEnd.String()
			}
			row.Refs = mergeRefs(row.Refs, c.refs(n.Evidence))
		}
		out = append(out, row)
	}
	// Former partners: no longer partners on the as-of date, said so in the row.
	for _, p := range c.st.Former {
		row := PartnerRow{Council: c.council(p.Council), Kind: p.Kind, Since: p.Since.String(), Until: p.Until.String(), Refs: c.refs(p.Evidence)}
		if c.st.Status.Value == projections.StatusDissolved && p.Until == c.st.Status.Since {
			row.Ended = "dissolved " + words.EndedFrom(p.Until)
			row.Refs = mergeRefs(row.Refs, c.refs(c.st.Status.Evidence))
		} else {
			row.Ended = "withdrew " + words.EndedFrom(p.Until)
		}
		out = append(out, row)
	}
	return out
}

func (c *composer) shareText(cs []projections.CouncilShare) string {
	parts := make([]string, len(cs))
	for i, s := range cs {
		parts[i] = c.council(s.Council)
		if s.BasisPoints > 0 {
			parts[i] += " " + domain.BasisPoints(s.BasisPoints).String()
		}
		if !s.LastDay.IsZero() {
			parts[i] += " (last day " + s.LastDay.Long() + ")" // an ending recorded, not yet in effect
		}
	}
	return strings.Join(parts, ", ")
}

func (c *composer) sharesText(ss []projections.Share) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = c.council(s.Council) + " " + domain.BasisPoints(s.BasisPoints).String()
	}
	return strings.Join(parts, ", ")
}

func (c *composer) appointments() ([]Appointment, []RoleRow) {
	var apps []Appointment
	var roles []RoleRow
	for _, a := range c.st.Appointments {
		row := Appointment{Officer: a.Officer, Post: humanize(a.Post), Employer: c.council(a.EmployingCouncil),
			Councils: c.shareText(a.Councils), Basis: a.Basis, Since: a.Since.String(), Refs: c.refs(a.Evidence)}
		for _, m := range a.Approvals {
			row.Approvals = append(row.Approvals, c.minuteText(m, row.Refs))
		}
		if cs := a.CostShare; cs != nil {
			row.CostShare = c.sharesText(cs.Shares)
		}
		apps = append(apps, row)
		for _, ro := range a.Roles {
			roles = append(roles, RoleRow{Council: c.council(ro.Council), Role: words.Capital(words.Role(domain.StatutoryRole(ro.Role))), Officer: a.Officer, Since: ro.Since.String(), Refs: c.refs(ro.Evidence)})
		}
	}
	slices.SortStableFunc(roles, func(a, b RoleRow) int {
		return strings.Compare(a.Council+"\x00"+a.Role, b.Council+"\x00"+b.Role)
	})
	return apps, roles
}

func (c *composer) services() []ServiceRow {
	out := make([]ServiceRow, 0, len(c.st.Services))
	for _, s := range c.st.Services {
		row := ServiceRow{Service: humanize(s.Service), Status: s.Status, Since: s.Since.String(), Refs: c.refs(s.Evidence)}
		switch {
		case s.LeadCouncil != "":
			row.Detail = "led by " + c.council(s.LeadCouncil)
			if len(s.ReceivingCouncils) > 0 {
				row.Detail += " for " + c.councils(s.ReceivingCouncils)
			}
			if s.StaffTransferred > 0 {
				row.Detail += fmt.Sprintf("; %s transferred", words.Count(s.StaffTransferred, "member of staff", "staff"))
			}
		case len(s.Candidates) > 0:
			row.Detail = words.SharingCandidate + " by " + c.councils(s.Candidates)
		}
		if s.CostShare != nil {
			row.CostShare = c.sharesText(s.CostShare.Shares)
		}
		out = append(out, row)
	}
	return out
}

func (c *composer) finance() Finance {
	var f Finance
	chart := Chart{Title: "Savings by financial year, all councils"}
	series := []ChartSeries{{Name: "Target"}, {Name: "Forecast"}, {Name: "Outturn"}, {Name: "Net of one-off costs (forecast or outturn)"}}
	for _, y := range c.st.Savings.Years {
		// A figure not recorded is words.NotRecorded, never £0; a total names the councils whose
		// figure it lacks (words.Total), and the chart leaves out a point with nothing recorded.
		var t, fc, ot, oo, net words.Total
		fromOutturn := true // the total net rests on outturns only
		for _, cs := range y.Councils {
			name := c.council(cs.Council)
			outturn := words.NotRecorded
			if cs.HasOutturn {
				outturn = words.Money(cs.OutturnPence)
				ot.Add(cs.OutturnPence, name)
			} else {
				ot.Add(nil, name)
			}
			target, against, netText := words.Money(cs.TargetPence), words.SignedMoney(cs.AgainstTargetPence), words.Net(cs.NetPence, cs.HasOutturn)
			if !hasTarget(cs) {
				target, against = words.NotRecorded, words.NotRecorded
			}
			if cs.NetLacksOneOff() {
				netText, against = words.NetNoOneOff, words.NotRecorded
			}
			f.Rows = append(f.Rows, FinanceRow{Year: y.Label, Council: name,
				Target: target, Forecast: words.Money(cs.ForecastPence),
				Outturn: outturn, OneOff: words.Money(cs.OneOffCostsPence), Net: netText,
				AgainstTarget: against, BelowTarget: cs.BelowTarget, Refs: c.refs(cs.Evidence)})
			t.Add(cs.TargetPence, name)
			fc.Add(cs.ForecastPence, name)
			oo.Add(cs.OneOffCostsPence, name)
			net.Add(cs.NetPence, name)
			fromOutturn = fromOutturn && (cs.NetPence == nil || cs.HasOutturn)
		}
		totNet := net.String()
		if net.Recorded() && !fromOutturn {
			totNet += " (forecast)"
		}
		totAgainst := words.NotRecorded
		if t.Recorded() && net.Recorded() && len(t.Missing) == 0 && len(net.Missing) == 0 {
			totAgainst = (net.Sum - t.Sum).SignedString()
		}
		tot := FinanceRow{Year: y.Label, Council: totalCouncil, Target: t.String(), Forecast: fc.String(),
			Outturn: ot.String(), OneOff: oo.String(), Net: totNet, AgainstTarget: totAgainst,
			BelowTarget: totAgainst != words.NotRecorded && t.Sum > 0 && net.Sum < t.Sum}
		if len(y.Councils) > 1 {
			f.Totals = append(f.Totals, tot)
		}
		chart.Categories = append(chart.Categories, y.Label)
		series[0].Values = append(series[0].Values, t.Pence())
		series[1].Values = append(series[1].Values, fc.Pence())
		series[2].Values = append(series[2].Values, ot.Pence())
		series[3].Values = append(series[3].Values, net.Pence())
	}
	chart.Series = series
	f.Chart = chart
	f.Notes = []string{"Financial years run from 1 April to 31 March. The net is the outturn less one-off costs; where no outturn has been reported it is worked out from the forecast and marked “(forecast)”: a forecast net saving, not a saving made; where no one-off costs are recorded it cannot be worked out. “" + words.NotRecorded + "” means no figure was recorded (no target, forecast, outturn or one-off cost), which is not the same as zero; a total over figures some of which were not recorded names the councils it lacks, and the chart leaves such a point out."}
	for _, a := range c.st.Appointments {
		if cs := a.CostShare; cs != nil {
			f.CostShares = append(f.CostShares, CostShareRow{Subject: humanize(a.Post) + " (" + a.Officer + ")", Basis: cs.Basis,
				Shares: c.sharesText(cs.Shares), AppliesFrom: cs.AppliesFrom.String(), Refs: c.refs(cs.Evidence)})
		}
	}
	for _, s := range c.st.Services {
		if cs := s.CostShare; cs != nil {
			f.CostShares = append(f.CostShares, CostShareRow{Subject: humanize(s.Service), Basis: cs.Basis,
				Shares: c.sharesText(cs.Shares), AppliesFrom: cs.AppliesFrom.String(), Refs: c.refs(cs.Evidence)})
		}
	}
	for _, fu := range c.st.Funding {
		f.Funding = append(f.Funding, FundingRow{Funder: fu.Funder, Recipients: c.councils(fu.Recipients),
			Amount: domain.Pence(fu.AmountPence).String(), Purpose: fu.Purpose, Refs: c.refs(fu.Evidence)})
	}
	return f
}

func (c *composer) register() []RegisterRow {
	out := make([]RegisterRow, len(c.ev.Events))
	for i, ce := range c.ev.Events {
		e := ce.Event
		out[i] = RegisterRow{Seq: e.Seq, ID: e.ID.String(), Type: words.EventType(e.Type), EffectiveOn: e.EffectiveOn,
			RecordedAt: domain.TimeText(e.RecordedAt), Certainty: e.Certainty, Hash: e.Hash.String()}
	}
	return out
}

func (c *composer) flags() []Flag {
	var out []Flag
	for _, y := range c.st.Savings.Years {
		for _, cs := range y.Councils {
			if cs.BelowTarget {
				out = append(out, Flag{FlagBelowTarget, c.belowTarget(y.Label, cs), c.refs(cs.Evidence)})
			}
		}
	}
	out = append(out, c.conflictFlags()...)
	// Press-only facts are grouped by the source they rest on, so that a long history gives a
	// committee a few warnings, not thousands; so are sources with assumed details (provenance.go).
	press := newFlagGroups()
	for _, e := range c.tl.Entries {
		srcs := e.Sources
		pressOnly := len(srcs) > 0
		var titles []string
		for _, s := range srcs {
			pressOnly = pressOnly && s.Kind == domain.SourcePress
			titles = append(titles, words.SourceTitle(s))
		}
		fact := entryFact(e)
		if pressOnly { // a fact reported with minutes or a report among its sources is not press-only
			press.add(orText(reportKind(srcs), "reports")+" only: "+orText(strings.Join(titles, "; "), "no source given"), fact, e.Seq)
		}
	}
	for _, g := range press.groups {
		c.pressFacts += len(g.seqs)
	}
	for _, g := range press.groups {
		out = append(out, Flag{FlagPressOnly, g.text(words.Verb(len(g.seqs), "rests on ", "rest on ")+g.key+".", ""), g.refs()})
	}
	prov, assumed := c.provenanceFlags()
	c.assumedFacts = assumed
	out = append(out, prov...)
	for _, corr := range c.tl.Corrections {
		i, ok := c.byID[corr.ID]
		if !ok {
			continue
		}
		day := domain.LondonDate(c.ev.Events[i].Event.RecordedAt)
		if corr.Type == domain.TypeEventRetracted {
			out = append(out, c.retractedFlag(corr, c.ev.Events[i].Event, day))
			continue
		}
		if !day.After(c.asOf) {
			continue
		}
		verb := "corrected"
		refs := []uint64{corr.Seq}
		target := "an earlier event"
		if t, ok := c.seqOf(corr.Target); ok {
			target = fmt.Sprintf("event %d", t)
			refs = []uint64{t, corr.Seq}
		}
		txt := fmt.Sprintf("On %s, after the as-of date, the ledger %s %s", day.Long(), verb, target)
		if why := corr.Reason; why != "" {
			if corr.Type == domain.TypeEventRetracted {
				why = words.Retraction(why)
			}
			txt += " (" + strings.TrimSuffix(why, ".") + ")"
		}
		txt += ". This pack shows the record as corrected; a pack known at an earlier date shows the original."
		out = append(out, Flag{FlagLateCorrect, txt, refs})
	}
	return out
}

func reportKind(srcs []domain.SourceRef) string {
	for _, s := range srcs {
		if s.Kind != domain.SourcePress {
			return "reports"
		}
	}
	if len(srcs) > 0 {
		return "press reports"
	}
	return ""
}

func (c *composer) howToVerify() []string {
	th := c.ev.TreeHead
	return []string{
		"What a check proves. Every fact in this report cites numbered ledger events, shown as [n]; Appendix A lists each with its event id and hash. " +
			"The ledger signs one fingerprint of all its events, the signed tree head in Appendix B. Checking this pack proves that each event it cites is exactly as the ledger recorded it, " +
			"that none of the partnership's events up to that point has been left out, and that this report is what those events produce: no fact, figure or date has been changed since the pack was built. " +
			"It does not prove that the events are true; that rests on the sources each one cites, shown in the chronology.",
		fmt.Sprintf("What you need. The ledger's public key, obtained from the council or the ledger's operator (“ledger key” prints it), not from this pack or from whoever sent it: its key id must be %s. "+
			"The ledger program, which runs on your own computer without access to the ledger. And this pack: pack.json on its own is enough, however you downloaded it.", th.KeyID),
		"Check the pack. Run “ledger verify-pack pack.json --key PUBKEY”, giving the file you downloaded and the public key. " +
			"To check the other copies too, put pack.json with pack.html, pack.pdf, pack.md and manifest.json in one folder and run “ledger verify-pack FOLDER --key PUBKEY”. " +
			"A pass prints “valid” with the number of events checked, and lists each copy it checked; any copy it could not check because you do not have it is named as absent.",
		"If the check fails. verify-pack prints “REFUSED” and what failed: an event by its number [n] and its event id, or a file by its name. " +
			"Do not rely on this pack: ask its author for a fresh copy and tell the council's audit contact.",
		"Later: has the ledger changed since? Ask the ledger's operator for a consistency proof made with “ledger consistency-proof pack.json -o proof.json”, then run “ledger check-consistency proof.json --key PUBKEY”. " +
			"“consistent” means the ledger today still holds every event of this pack unchanged, with later events only added after them.",
		fmt.Sprintf("Checking by hand. An auditor can repeat each step without the ledger program: an event's hash is SHA-256 of its canonical form (ledger-event-v1: the event as in pack.json, as RFC 8785 JSON) followed by the previous event's hash; "+
			"its Merkle leaf is SHA-256(0x00 || hash); each event's audit path in pack.json combines with it as SHA-256(0x01 || left || right) up to the root %s of a tree of %d events (RFC 9162); "+
			"the tree head's Ed25519 signature covers “ledger-tree-head-v1” followed by the size (8 bytes), the root (32 bytes) and the timestamp (8 bytes, Unix nanoseconds), all big-endian. The ledger's integrity documentation, published with its source, gives each step exactly.", th.Root, th.Size),
	}
}

var glossary = []GlossaryItem{
	{"As of", "The date whose position the pack describes: only events in effect on or before it count."},
	{"Known at", "How much of the ledger the pack reflects: only what had been recorded by then, so a pack can show what its readers knew at the time."},
	{"Certainty", "How certain a fact is, said in full after a fact and by its first word in a table's Certainty column: confirmed by a primary source (such as minutes); reported by a secondary source (such as the press); inferred from other facts."},
	{"Assumed detail", "A detail of a source (its headline, publisher, date or minute number) that was assumed rather than read from the document; the pack names each one, and it is not evidence of fact."},
	{"Section 113", "Section 113 of the Local Government Act 1972, under which an officer of one council is placed at the disposal of another while staying employed by the first."},
	{"Head of paid service", "The statutory role, usually the chief executive, responsible for a council's staff (Local Government and Housing Act 1989, s4)."},
	{"Chief finance officer (s151)", "The officer responsible for a council's financial affairs under section 151 of the Local Government Act 1972."},
	{"Monitoring officer", "The statutory officer who reports on unlawful decisions and maladministration (Local Government and Housing Act 1989, s5)."},
	{"Financial year", "1 April to 31 March; 2015/16 is the year starting 1 April 2015."},
	{"Signed tree head", "A fingerprint of the whole ledger up to one event, signed by the ledger's key: every event in this pack can be proved to be part of it."},
}

// maxFlagItems is how many facts and citations one grouped flag lists before "and N more".
const maxFlagItems = 8

// flagGroups collects facts under a key (the source they rest on), in order of first appearance.
type flagGroups struct {
	index  map[string]int
	groups []*flagGroup
}

type flagGroup struct {
	key   string
	facts []string
	seqs  []uint64
}

func newFlagGroups() *flagGroups { return &flagGroups{index: map[string]int{}} }

func (g *flagGroups) add(key, fact string, seq uint64) {
	i, ok := g.index[key]
	if !ok {
		i = len(g.groups)
		g.index[key] = i
		g.groups = append(g.groups, &flagGroup{key: key})
	}
	g.groups[i].facts = append(g.groups[i].facts, fact)
	g.groups[i].seqs = append(g.groups[i].seqs, seq)
}

// text writes "<fact> <predicate>" for one fact, or "N facts <predicate> ...: a; b; and N more".
func (g *flagGroup) text(predicate, tail string) string {
	if len(g.facts) == 1 {
		return g.facts[0] + " " + predicate + tail
	}
	listed := g.facts[:min(len(g.facts), maxFlagItems)]
	more := ""
	if n := len(g.facts) - len(listed); n > 0 {
		more = fmt.Sprintf("; and %d more (see the chronology)", n)
	}
	return fmt.Sprintf("%s %s", words.Capital(words.Count(len(g.facts), "fact", "facts")), strings.TrimSuffix(predicate, ".")) + ": " +
		strings.Join(listed, "; ") + more + "." + tail
}

// refs cites the group's events, at most maxFlagItems of them (the chronology has the rest).
func (g *flagGroup) refs() []uint64 { return g.seqs[:min(len(g.seqs), maxFlagItems)] }

// hasTarget reports whether a savings target was recorded for the council and year (a recorded target
// of £0 counts; no target at all is not a target of £0).
// designationOnly writes an officer who holds statutory roles without a joint appointment: "Bob
// Other, head of paid service at Aa District Council since 7 November 2015".
func (c *composer) designationOnly(a projections.Appointment) string {
	roles := make([]string, len(a.Roles))
	for i, r := range a.Roles {
		roles[i] = words.Role(domain.StatutoryRole(r.Role)) + " at " + c.council(r.Council) + " since " + r.Since.Long()
	}
	if len(roles) == 0 {
		return a.Officer
	}
	return a.Officer + ", " + words.JoinAnd(roles)
}

// shortfall writes how far a council's net saving fell below its target ("£40,000 short"), or says
// that its net saving was not recorded.
func (c *composer) shortfall(cs projections.CouncilSavings) string {
	if cs.AgainstTargetPence == nil {
		return "net saving " + words.NotRecorded + " against a target of " + words.Money(cs.TargetPence)
	}
	return (-*cs.AgainstTargetPence).String() + " short"
}

// belowTarget is the sentence for a council's year below its savings target.
func (c *composer) belowTarget(year string, cs projections.CouncilSavings) string {
	if cs.AgainstTargetPence == nil {
		return fmt.Sprintf("%s, %s: net saving %s against a target of %s.", c.council(cs.Council), year, words.NotRecorded, words.Money(cs.TargetPence))
	}
	return fmt.Sprintf("%s, %s: %s is %s below the target of %s.", c.council(cs.Council), year, words.NetSaving(cs.NetPence, cs.HasOutturn),
		(-*cs.AgainstTargetPence).String(), words.Money(cs.TargetPence))
}

func hasTarget(cs projections.CouncilSavings) bool {
	for _, l := range cs.Lines {
		if l.Kind == "target" {
			return true
		}
	}
	return false
}

// anyTarget reports whether any savings target was recorded.
func (c *composer) anyTarget() bool {
	for _, y := range c.st.Savings.Years {
		for _, cs := range y.Councils {
			if hasTarget(cs) {
				return true
			}
		}
	}
	return false
}

// postAndRoles says an officer's post and the statutory roles held with it, each once: "chief executive
// and head of paid service of both councils", "chief finance officer (s151) of both councils".
func (c *composer) postAndRoles(a projections.Appointment) string {
	post := words.Phrase(a.Post)
	var order []string
	at := map[string][]string{}
	for _, r := range a.Roles {
		if _, ok := at[r.Role]; !ok {
			order = append(order, r.Role)
		}
		at[r.Role] = append(at[r.Role], r.Council)
	}
	var roles []string
	for _, role := range order {
		said, where := words.Role(domain.StatutoryRole(role)), "of "+c.councils(at[role])
		if len(at[role]) == 2 && len(c.st.Partners) == 2 {
			where = "of both councils"
		}
		if strings.HasPrefix(said, post) {
			post = said + " " + where // the role names the post: say it once
			continue
		}
		roles = append(roles, said+" "+where)
	}
	if len(roles) > 0 {
		return post + " and " + words.JoinAnd(roles)
	}
	return post
}
