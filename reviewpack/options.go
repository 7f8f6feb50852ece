package reviewpack

import (
	"fmt"
	"slices"

	"github.com/partnership-ledger/ledger/domain/words"
	"github.com/partnership-ledger/ledger/projections"
)

// consequences adds to each option what would follow from taking it, derived from the views: ending
// the arrangement leaves councils to fill the statutory roles other councils' officers hold for them,
// returns shared posts to their employers and stops proposed sharing, on notice terms recorded or
// not; making it permanent rests on the approvals recorded and needs the agreement the record lacks;
// varying it starts from the time shares in force; continuing it past the trial's end needs a decision.
func (c *composer) consequences(cont, perm, vary, end *Option) {
	st := c.st
	posts := c.sharedPosts()
	if len(posts) == 0 && len(st.Services) == 0 {
		return
	}
	// End: the statutory roles each council would have to fill, and the posts that go home.
	held := c.rolesHeldFor()
	for _, h := range held {
		end.Facts = append(end.Facts, Fact{Text: fmt.Sprintf("%s would have to fill its %s itself: %s now held for it by %s of %s (section 8).",
			h.council, words.JoinAnd(h.roles), words.Verb(len(h.roles), "the role is", "they are"),
			words.Verb(len(h.officers), "an officer", "officers"), words.JoinAnd(h.employers)), Refs: h.refs})
	}
	byEmployer := map[string][]projections.Appointment{}
	var employers []string
	for _, a := range posts {
		if _, ok := byEmployer[a.EmployingCouncil]; !ok {
			employers = append(employers, a.EmployingCouncil)
		}
		byEmployer[a.EmployingCouncil] = append(byEmployer[a.EmployingCouncil], a)
	}
	for _, e := range employers {
		var posts []string
		var refs []uint64
		for _, a := range byEmployer[e] {
			posts = append(posts, words.Phrase(a.Post))
			refs = mergeRefs(refs, c.refs(a.Evidence))
		}
		n := len(byEmployer[e])
		// What the record says (the employer), then what would follow: a consequence, not a fact.
		end.Facts = append(end.Facts, Fact{Text: fmt.Sprintf("The record gives %s as the employer of the %s (%s): ending the arrangement would leave %s serving %s alone, unless the councils agree otherwise.",
			c.council(e), words.Count(n, "shared officer", "shared officers"), words.JoinAnd(posts), words.Verb(n, "that officer", "them"), c.council(e)), Refs: refs})
	}
	var proposed []string
	var proposedRefs []uint64
	for _, s := range st.Services {
		if s.Status == projections.ServiceProposed {
			proposed = append(proposed, words.Lower(humanize(s.Service)))
			proposedRefs = mergeRefs(proposedRefs, c.refs(s.Evidence))
		}
	}
	if len(proposed) > 0 {
		end.Facts = append(end.Facts, Fact{Text: fmt.Sprintf("Any sharing of %s, %s, would not go ahead.", words.JoinAnd(proposed), candidates(len(proposed))), Refs: proposedRefs})
	}
	if g := c.gapExitTerms(); len(g) > 0 {
		end.Facts = append(end.Facts, Fact{Text: "No notice period or exit terms are recorded (section 9): the notice each council must give, and who bears the costs of ending, cannot be stated from the record.", Refs: g[0].Refs, Absence: true})
	}

	// Make permanent: the approvals of the interim arrangement, and the agreement it lacks.
	var approvals []string
	var approvalRefs []uint64
	for _, a := range posts {
		for _, m := range a.Approvals {
			if t := c.minuteText(m, c.refs(a.Evidence)); !slices.Contains(approvals, t) {
				approvals = append(approvals, t)
			}
		}
		if len(a.Approvals) > 0 {
			approvalRefs = mergeRefs(approvalRefs, c.refs(a.Evidence))
		}
	}
	if len(approvals) > 0 {
		perm.Facts = append(perm.Facts, Fact{Text: fmt.Sprintf("The present arrangement rests on the approvals recorded: %s. Making it permanent needs a new decision by each council.", words.JoinAnd(approvals)), Refs: approvalRefs})
	}
	if g := c.gapS113(); len(g) > 0 {
		perm.Facts = append(perm.Facts, Fact{Text: "No section 113 agreement is recorded for the shared posts (section 9): a permanent arrangement would need one setting out how the officers are directed, paid for and released.", Refs: g[0].Refs, Absence: true})
	}

	// Vary: shared posts whose cost no share divides.
	if g := c.gapCostShares(); len(g) > 0 {
		vary.Facts = append(vary.Facts, Fact{Text: "A variation could settle what the record lacks: " + words.Lower(g[0].Text), Refs: g[0].Refs, Absence: true})
	}

	// Continue: what waits on a decision to continue past the trial's end.
	if tp := st.TrialPeriod; tp != nil && !tp.To.IsZero() && !tp.To.Before(c.asOf) {
		for _, h := range held {
			if len(h.roles) < 2 {
				continue
			}
			cont.Facts = append(cont.Facts, Fact{Text: fmt.Sprintf("Without a decision by each council to continue beyond %s, %s would lose its %s at once (section 8).",
				tp.To.Long(), h.council, words.JoinAnd(h.roles)), Refs: mergeRefs(h.refs, c.refs(tp.Evidence))})
		}
	}
}

// nothingShared gives each option that no recorded fact bears on, while nothing is shared between the
// councils (no shared post, no agreement, no service in shared delivery), what follows from that:
// an option is never left saying nothing. Where something is shared every option has its facts.
func (c *composer) nothingShared(options ...*Option) {
	st := c.st
	if len(c.sharedPosts()) > 0 || len(st.Agreements) > 0 || slices.ContainsFunc(st.Services, func(s projections.Service) bool { return s.Status == projections.ServiceShared }) {
		return
	}
	lead := fmt.Sprintf("On %s nothing is shared between the councils: no post is shared, no agreement is recorded and no service is in shared delivery (sections 4 and 5)", c.asOf.Long())
	follows := map[string]string{
		"continue":       "continuing as it is keeps the partnership at what has been proposed",
		"make_permanent": "there is no arrangement in force yet to make permanent",
		"vary":           "a variation would change what has been proposed, not an arrangement in force",
		"end":            "ending it now would end proposals only, with no shared post or service to unwind",
	}
	for _, o := range options {
		if len(o.Facts) == 0 && follows[o.Key] != "" {
			o.Facts = append(o.Facts, Fact{Text: lead + "; " + follows[o.Key] + ".", Refs: c.refs(st.Status.Evidence), Absence: true})
		}
	}
}

// candidates is words.SharingCandidate or, for more than one service, words.SharingCandidates.
func candidates(n int) string {
	if n == 1 {
		return words.SharingCandidate
	}
	return words.SharingCandidates
}
