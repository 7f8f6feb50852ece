package reviewpack

import (
	"fmt"
	"slices"
	"strings"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/words"
	"github.com/partnership-ledger/ledger/projections"
)

// hWindDown heads section 2 of a pack of a dissolved partnership: the wind-down matters replace the
// options (Report.OptionsHeading).
const hWindDown = "2. Winding down"

// Gap and risk kinds of the wind-down, and the flag of reviews whose outcomes differ.
const (
	GapRoleVacant           = "statutory_role_vacant" // a council whose statutory role's holder ended, with none recorded since
	RiskRoleVacant          = "statutory_role_vacant" // the same, as a risk: the council may be without an officer the law requires
	FlagConflictingOutcomes = "conflicting_review_outcomes"
)

// dissolved reports whether the partnership is dissolved as of the pack's as-of date, as known at its
// known-at (the views are of both).
func (c *composer) dissolved() bool {
	return c.st.Status.Value == projections.StatusDissolved && c.st.Dissolution != nil
}

// windDown is section 2 of a dissolved partnership's pack: the matters the record supports once the
// sharing has ended, in place of the options of a running arrangement. A matter with no recorded fact
// bearing on it is left out.
func (c *composer) windDown() []Option {
	d := c.st.Dissolution
	ended := Option{Key: "dissolution", Heading: "Matter 1: the dissolution and the review outcomes"}
	roles := Option{Key: "statutory_roles", Heading: "Matter 2: each council's statutory roles after the end of sharing"}
	settle := Option{Key: "settlement", Heading: "Matter 3: the shared posts and costs to settle"}
	exit := Option{Key: "exit_terms", Heading: "Matter 4: exit terms"}

	ended.Facts = append(ended.Facts, Fact{Text: "The partnership was dissolved" + reasonText(d.Reason) + " " + words.EndedFrom(d.On) +
		"; from that day nothing is shared between the councils.", Refs: c.refs(d.Evidence)})
	for _, rv := range c.st.Reviews {
		ended.Facts = append(ended.Facts, c.outcomeFact(rv))
	}
	for _, oc := range c.st.OutcomeConflicts {
		ended.Facts = append(ended.Facts, c.conflictFact(oc))
	}

	roles.Facts = c.roleFacts()

	// The shared posts that ended, by employer.
	byEmployer := map[string][]string{}
	var employers []string
	var postRefs []uint64
	for _, a := range d.Appointments {
		if a.Post == "" {
			continue
		}
		if _, ok := byEmployer[a.EmployingCouncil]; !ok {
			employers = append(employers, a.EmployingCouncil)
		}
		byEmployer[a.EmployingCouncil] = append(byEmployer[a.EmployingCouncil], officerAsPost(a))
		postRefs = mergeRefs(postRefs, c.refs(a.Evidence))
	}
	for _, e := range employers {
		n := len(byEmployer[e])
		settle.Facts = append(settle.Facts, Fact{Text: fmt.Sprintf("The %s of %s ended with the partnership %s: %s.",
			words.Count(n, "shared appointment", "shared appointments"), words.Verb(n, "an officer employed by "+c.council(e), "officers employed by "+c.council(e)), words.EndedFrom(d.On), words.JoinAnd(byEmployer[e])),
			Refs: mergeRefs(postRefs, c.refs(d.Evidence))})
	}
	if len(d.CostShares) > 0 {
		var parts []string
		var refs []uint64
		for _, cs := range d.CostShares {
			parts = append(parts, fmt.Sprintf("the %s (%s, %s basis)", words.Lower(humanize(cs.Subject)), c.sharesText(cs.Shares), cs.Basis))
			refs = mergeRefs(refs, c.refs(cs.Evidence))
		}
		settle.Facts = append(settle.Facts, Fact{Text: fmt.Sprintf("The cost shares ended %s: %s.", words.EndedFrom(d.On), words.JoinAnd(parts)), Refs: mergeRefs(refs, c.refs(d.Evidence))})
		settle.Facts = append(settle.Facts, Fact{Text: fmt.Sprintf("No settlement between the councils of the shared costs up to %s is recorded: what each council owes the other for the shared posts cannot be stated from the record.", d.On.Long()),
			Refs: refs, Absence: true})
	}
	for _, s := range d.Services {
		settle.Facts = append(settle.Facts, Fact{Text: fmt.Sprintf("%s returned to separate delivery on %s.", humanize(s), d.On.Long()), Refs: c.refs(d.Evidence)})
	}
	for _, y := range c.st.Savings.Years {
		var at []string
		var refs []uint64
		for _, cs := range y.Councils {
			if !cs.HasOutturn {
				at = append(at, c.council(cs.Council))
				refs = mergeRefs(refs, c.refs(cs.Evidence))
			}
		}
		if len(at) > 0 {
			settle.Facts = append(settle.Facts, Fact{Text: fmt.Sprintf("No outturn is recorded for %s for %s: what the partnership saved in that year cannot be stated from the record.", y.Label, words.JoinOr(at)),
				Refs: refs, Absence: true})
		}
	}

	terms := false
	for _, ag := range c.st.Agreements {
		if ag.NoticeDays > 0 {
			terms = true
			exit.Facts = append(exit.Facts, Fact{Text: fmt.Sprintf("The %s agreement between %s provided for %d days' notice.", words.Phrase(ag.Kind), c.councils(ag.Parties), ag.NoticeDays), Refs: c.refs(ag.Evidence)})
		}
		if !ag.Ends.IsZero() {
			terms = true
			exit.Facts = append(exit.Facts, Fact{Text: fmt.Sprintf("The %s agreement between %s was to end on %s.", words.Phrase(ag.Kind), c.councils(ag.Parties), ag.Ends.Long()), Refs: c.refs(ag.Evidence)})
		}
	}
	if refs, ended := c.endedSharing(); !terms && ended {
		exit.Facts = append(exit.Facts, Fact{Text: "No exit terms are recorded (section 9): the notice the ending council had to give, and who bears the costs of ending the shared posts (such as redundancy or pension strain), cannot be stated from the record.",
			Refs: refs, Absence: true})
	}

	var out []Option
	for _, o := range []Option{ended, roles, settle, exit} {
		if len(o.Facts) > 0 {
			out = append(out, o)
		}
	}
	return out
}

// endedSharing reports whether the dissolution ended shared appointments or services, with the events
// of the posts it ended and of the dissolution: what exit terms would have governed.
func (c *composer) endedSharing() ([]uint64, bool) {
	d := c.st.Dissolution
	if d == nil || (len(d.Appointments) == 0 && len(d.Services) == 0) {
		return nil, false
	}
	var refs []uint64
	for _, a := range d.Appointments {
		if a.Post != "" {
			refs = mergeRefs(refs, c.refs(a.Evidence))
		}
	}
	return mergeRefs(refs, c.refs(d.Evidence)), true
}

// windDownRecommendation is the recommendation of a dissolved partnership's pack: to note the
// dissolution and take the wind-down matters of section 2.
func (c *composer) windDownRecommendation(matters []Option) string {
	var names []string
	for _, m := range matters {
		switch m.Key {
		case "statutory_roles":
			names = append(names, "each council's statutory roles")
		case "settlement":
			names = append(names, "the shared posts and costs to settle")
		case "exit_terms":
			names = append(names, "the exit terms")
		case "dissolution":
			if len(c.st.OutcomeConflicts) > 0 {
				names = append(names, "the councils' differing review outcomes")
			}
		}
	}
	readers := c.readersName()
	txt := fmt.Sprintf("That %s %s that the partnership was dissolved %s", readers, c.agree("note", "notes"), words.EndedFrom(c.st.Dissolution.On))
	if len(names) > 0 {
		txt += fmt.Sprintf(", and %s with %s the wind-down matters in section 2: %s", c.agree("consider", "considers"), c.decisionMakers(), words.JoinAnd(names))
	}
	return txt + "."
}

// outcomeFact is a council's review outcome in words.
func (c *composer) outcomeFact(rv projections.ReviewResult) Fact {
	txt := fmt.Sprintf("%s decided on %s to %s", c.council(rv.Council), rv.On.Long(), words.Outcome(rv.Outcome))
	if rv.Minute != nil && rv.Minute.Raw != "" {
		txt += " (" + c.minuteText(*rv.Minute, c.refs(rv.Evidence)) + ")"
	}
	if rv.Rationale != "" {
		txt += ": " + words.Sentence(rv.Rationale)
	} else {
		txt += "."
	}
	return Fact{Text: txt, Refs: c.refs(rv.Evidence)}
}

// conflictFact says that the councils recorded different outcomes for one review.
func (c *composer) conflictFact(oc projections.OutcomeConflict) Fact {
	var parts []string
	var refs []uint64
	for _, o := range oc.Outcomes {
		parts = append(parts, fmt.Sprintf("%s to %s (%s)", c.council(o.Council), words.Outcome(o.Outcome), o.On.Long()))
		refs = mergeRefs(refs, c.refs(o.Evidence))
	}
	return Fact{Text: fmt.Sprintf("The councils recorded different outcomes for %s: %s. No decision reconciling them is recorded; this is a matter for %s.",
		c.reviewName(oc.Review), words.JoinAnd(parts), c.readersName()), Refs: refs}
}

// reviewName is a review in a sentence: "the review due on 30 June 2016" when the review date is
// that review's, else "the same review" (a review's name is a recorder's key, not words).
func (c *composer) reviewName(review string) string {
	if rd := c.st.ReviewDate; rd != nil && rd.Review != "" && strings.EqualFold(rd.Review, review) && !rd.DueOn.IsZero() {
		return "the review due on " + rd.DueOn.Long()
	}
	return "the same review"
}

// vacantAt is one council's statutory roles with no holder recorded, grouped by the first day
// without one.
type vacantAt struct {
	council  string // slug
	since    domain.Date
	roles    []string // in words
	laws     []string // "a chief finance officer (s151) (Local Government Act 1972, s151)", per role
	officers []string // the last holders
	refs     []uint64
	// dissolved: the dissolution ended the shared appointment that carried the roles; no event ended
	// the designations themselves (an appointment ending at another council, or the roles' own
	// StatutoryRoleVacated, ends them by name).
	dissolved bool
}

// vacancies groups the views' vacancies by council (in the order the partnership named them) and by
// the day they began, roles in statutory order.
func (c *composer) vacancies() []vacantAt {
	var out []vacantAt
	for _, sr := range statutoryRoles {
		for _, v := range c.st.Vacancies {
			if v.Role != string(sr.role) || v.Since.After(c.asOf) {
				continue
			}
			byDissolution := c.endedByDissolution(v)
			i := slices.IndexFunc(out, func(g vacantAt) bool {
				return g.council == v.Council && g.since == v.Since && g.dissolved == byDissolution
			})
			if i < 0 {
				out = append(out, vacantAt{council: v.Council, since: v.Since, dissolved: byDissolution})
				i = len(out) - 1
			}
			g := &out[i]
			g.roles = append(g.roles, words.Role(sr.role))
			g.laws = append(g.laws, words.Article(words.Role(sr.role))+" "+words.Role(sr.role)+" ("+sr.law+")")
			if !slices.Contains(g.officers, v.Officer) {
				g.officers = append(g.officers, v.Officer)
			}
			g.refs = mergeRefs(g.refs, c.refs(v.Evidence))
		}
	}
	// The councils in the order the partnership named them: its partners, then its former partners.
	var named []string
	for _, p := range slices.Concat(c.st.Partners, c.st.Former) {
		named = append(named, p.Council)
	}
	order := func(slug string) int {
		if i := slices.Index(named, slug); i >= 0 {
			return i
		}
		return len(named)
	}
	slices.SortStableFunc(out, func(a, b vacantAt) int {
		if d := order(a.council) - order(b.council); d != 0 {
			return d
		}
		return a.since.Compare(b.since)
	})
	return out
}

// endedByDissolution reports whether the event that ended the vacancy's designation (the last of its
// evidence) is the dissolution.
func (c *composer) endedByDissolution(v projections.Vacancy) bool {
	d := c.st.Dissolution
	return d != nil && len(v.Evidence) > 0 && slices.Contains(d.Evidence, v.Evidence[len(v.Evidence)-1])
}

// heldThrough says how the officers held a council's roles whose designations the dissolution left
// standing: "Sheila Oxtoby and Karen Sly held Great Yarmouth Borough Council's head of paid service
// and chief finance officer (s151) through shared appointments, which ended with the dissolution on
// 1 October 2016; their designations there are not recorded as ended."
func (c *composer) heldThrough(g vacantAt) string {
	n := len(g.officers)
	return fmt.Sprintf("%s held %s's %s through %s, which ended with the dissolution %s; %s there %s not recorded as ended.",
		words.JoinAnd(g.officers), c.council(g.council), words.JoinAnd(g.roles),
		words.Verb(n, "a shared appointment", "shared appointments"), words.EndedFrom(g.since),
		words.Verb(n, "the designation", "their designations"), words.Verb(n, "is", "are"))
}

// unheldText is "Who has held the head of paid service and chief finance officer (s151) of Great
// Yarmouth Borough Council since 1 October 2016 is not recorded" (a vacancy the dissolution left).
func (c *composer) unheldText(g vacantAt) string {
	return fmt.Sprintf("Who has held the %s of %s since %s is not recorded", words.JoinAnd(g.roles), c.council(g.council), g.since.Long())
}

// councilDecisions are the review outcomes the council recorded, as facts stated as those decisions.
func (c *composer) councilDecisions(council string) ([]string, []uint64) {
	var out []string
	var refs []uint64
	for _, rv := range c.st.Reviews {
		if rv.Council == council && !rv.On.After(c.asOf) {
			out = append(out, fmt.Sprintf("%s decided on %s to %s", c.council(council), rv.On.Long(), words.Outcome(rv.Outcome)))
			refs = mergeRefs(refs, c.refs(rv.Evidence))
		}
	}
	return out, refs
}

// vacant reports whether role at the council (a slug) is vacant in the record by the as-of date.
func (c *composer) vacant(council string, role domain.StatutoryRole) bool {
	return slices.ContainsFunc(c.st.Vacancies, func(v projections.Vacancy) bool {
		return v.Council == council && v.Role == string(role) && !v.Since.After(c.asOf)
	})
}

// vacancyText is "No head of paid service or chief finance officer (s151) is recorded for Great
// Yarmouth Borough Council from 1 October 2016".
func (c *composer) vacancyText(g vacantAt) string {
	return fmt.Sprintf("No %s is recorded for %s from %s", words.JoinOr(g.roles), c.council(g.council), g.since.Long())
}

// roleFacts are the wind-down's statutory role facts: per council, the roles with no holder recorded
// since the sharing (or the holder's designation) ended, then the roles held now.
func (c *composer) roleFacts() []Fact {
	var out []Fact
	for _, g := range c.vacancies() {
		// Stated in full once, as a gap (section 9); here and in the risks it is referred to.
		if g.dissolved { // its designations stand in the record: who holds the roles is what is not recorded
			txt := c.unheldText(g) + ": see section 9"
			refs := g.refs
			if ds, drefs := c.councilDecisions(g.council); len(ds) > 0 {
				txt += "; " + words.JoinAnd(ds) + ", and the record holds no appointment or designation following that decision"
				refs = mergeRefs(refs, drefs)
			}
			out = append(out, Fact{Text: txt + ".", Refs: refs, Absence: true})
			continue
		}
		out = append(out, Fact{Text: c.vacancyText(g) + ": see section 9.", Refs: g.refs, Absence: true})
	}
	for _, a := range c.st.Appointments {
		for _, r := range a.Roles {
			out = append(out, Fact{Text: fmt.Sprintf("%s is %s at %s since %s.", a.Officer, words.Role(domain.StatutoryRole(r.Role)), c.council(r.Council), r.Since.Long()),
				Refs: c.refs(r.Evidence)})
		}
	}
	return out
}

// gapVacancies: per council, the statutory roles whose holder ended with none recorded since.
func (c *composer) gapVacancies() []Finding {
	var out []Finding
	for _, g := range c.vacancies() {
		if g.dissolved {
			out = append(out, Finding{Kind: GapRoleVacant, Text: c.unheldText(g) + ".",
				Why: fmt.Sprintf("Every council must have %s. %s", words.JoinAnd(g.laws), c.heldThrough(g)), Refs: g.refs})
			continue
		}
		out = append(out, Finding{Kind: GapRoleVacant,
			Text: c.vacancyText(g) + ".",
			Why: fmt.Sprintf("Every council must have %s. %s held %s %s; the record does not show who has held %s since.",
				words.JoinAnd(g.laws), words.JoinAnd(g.officers), words.Verb(len(g.roles), "this role", "these roles"), words.LastDay(g.since), words.Verb(len(g.roles), "it", "them")),
			Refs: g.refs})
	}
	return out
}

// riskVacancies: per council, the statutory roles with no holder recorded, as a risk.
func (c *composer) riskVacancies() []Finding {
	var out []Finding
	for _, g := range c.vacancies() {
		text := fmt.Sprintf("%s may have been without its %s since %s (the gap in section 9).", c.council(g.council), words.JoinAnd(g.roles), g.since.Long())
		if g.dissolved { // its designations stand in the record: not "without", but not known who holds them
			text = c.unheldText(g) + " (the gap in section 9)."
		}
		out = append(out, Finding{Kind: RiskRoleVacant, Text: text,
			Why: fmt.Sprintf("A council without the statutory officers the law requires acts without the officer who answers for its staff, its finances or the lawfulness of its decisions; %s should ask %s who has held %s since %s.",
				c.readersName(), c.council(g.council), words.Verb(len(g.roles), "the role", "each role"), g.since.Long()),
			Refs: g.refs})
	}
	return out
}

// conflictFlags: each review whose councils recorded different outcomes, as a matter for the committee.
func (c *composer) conflictFlags() []Flag {
	var out []Flag
	for _, oc := range c.st.OutcomeConflicts {
		f := c.conflictFact(oc)
		out = append(out, Flag{Kind: FlagConflictingOutcomes, Text: f.Text, Refs: f.Refs})
	}
	return out
}
