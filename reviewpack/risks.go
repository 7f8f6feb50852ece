package reviewpack

import (
	"fmt"
	"slices"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/words"
	"github.com/partnership-ledger/ledger/projections"
)

// Risk kinds: what the recorded facts put at risk, at the pack's as-of and known-at.
const (
	RiskRolesLapseTogether = "statutory_roles_lapse_together" // a council's statutory roles all rest on another council's officers
	RiskOneOfficerTwoRoles = "one_officer_statutory_roles"    // one officer holds statutory roles at two or more councils
	RiskUndecidedAfterEnd  = "undecided_after_trial_end"      // the trial ended, or the review fell due, with no decision recorded
)

// risks lists the risks the facts show, in a fixed order.
func (c *composer) risks() []Finding {
	var out []Finding
	out = append(out, c.riskRolesLapse()...)
	out = append(out, c.riskOneOfficer()...)
	out = append(out, c.riskUndecided()...)
	out = append(out, c.riskVacancies()...)
	return out
}

// riskRolesLapse: a partner council two or more of whose statutory roles are held by officers of
// other councils through shared appointments: if the sharing ends unreplaced, all of them fall vacant
// at once. The employing council keeps its own officers, so it is not at risk in the same way.
func (c *composer) riskRolesLapse() []Finding {
	var out []Finding
	tp := c.st.TrialPeriod
	for _, h := range c.rolesHeldFor() {
		roles, officers, employers, refs, interim, ends := h.roles, h.officers, h.employers, h.refs, h.interim, h.ends
		if len(roles) < 2 {
			continue
		}
		name := h.council
		all, lost := "both", "both its statutory officers"
		if len(roles) > 2 {
			all, lost = "all", "all "+words.Number(len(roles))+" of its statutory officers"
		}
		basis := "shared appointments"
		if interim {
			basis = "interim shared appointments"
		}
		text := fmt.Sprintf("%s's %s are %s held by officers of %s on %s: %s.", name, words.JoinAnd(roles), all,
			words.JoinAnd(employers), basis, words.JoinAnd(officers))
		var when string
		switch {
		case !ends.IsZero():
			when = "When the appointments end on " + ends.Long()
		case tp != nil && !tp.To.IsZero() && !tp.To.Before(c.asOf):
			when = "If the trial ends on " + tp.To.Long()
			refs = mergeRefs(refs, c.refs(tp.Evidence))
		default:
			when = "If the sharing ends"
		}
		why := fmt.Sprintf("%s without a decision to continue the sharing or to replace them, %s loses %s at once, and must fill each role itself.",
			when, name, lost)
		out = append(out, Finding{Kind: RiskRolesLapseTogether, Text: text, Why: why, Refs: refs})
	}
	return out
}

// riskOneOfficer: an officer holding statutory roles at two or more councils.
func (c *composer) riskOneOfficer() []Finding {
	type held struct {
		roles    []string            // in first-seen order
		councils map[string][]string // role → council names
		refs     []uint64
	}
	var order []string
	by := map[string]*held{}
	for _, a := range c.st.Appointments {
		for _, r := range a.Roles {
			h := by[a.Officer]
			if h == nil {
				h = &held{councils: map[string][]string{}}
				by[a.Officer] = h
				order = append(order, a.Officer)
			}
			if _, ok := h.councils[r.Role]; !ok {
				h.roles = append(h.roles, r.Role)
			}
			h.councils[r.Role] = append(h.councils[r.Role], c.council(r.Council))
			h.refs = mergeRefs(h.refs, c.refs(r.Evidence))
		}
	}
	var out []Finding
	for _, officer := range order {
		h := by[officer]
		var councils, parts []string
		for _, role := range h.roles {
			parts = append(parts, words.Role(domain.StatutoryRole(role))+" at "+words.JoinAnd(h.councils[role]))
			for _, n := range h.councils[role] {
				if !slices.Contains(councils, n) {
					councils = append(councils, n)
				}
			}
		}
		if len(councils) < 2 {
			continue
		}
		out = append(out, Finding{Kind: RiskOneOfficerTwoRoles,
			Text: fmt.Sprintf("%s is %s.", officer, words.JoinAnd(parts)),
			Why: fmt.Sprintf("Where the councils' interests differ, for instance over the partnership's own future, the same statutory officer advises %s; "+
				"and the officer's absence or departure leaves each of them without that officer at once.", c.theseCouncils(councils)),
			Refs: h.refs})
	}
	return out
}

// riskUndecided: the trial's end, or the review's due date, passed before the as-of date while the
// partnership was not dissolved, and some partner has no review outcome recorded.
func (c *composer) riskUndecided() []Finding {
	st := c.st
	if st.Status.Value == projections.StatusDissolved {
		return nil
	}
	var undecided []string
	for _, p := range st.Partners {
		if !slices.ContainsFunc(st.Reviews, func(r projections.ReviewResult) bool { return r.Council == p.Council }) {
			undecided = append(undecided, c.council(p.Council))
		}
	}
	if len(undecided) == 0 {
		return nil
	}
	var passed []string
	var refs []uint64
	var trialEnd domain.Date
	if tp := st.TrialPeriod; tp != nil && !tp.To.IsZero() && tp.To.Before(c.asOf) {
		trialEnd = tp.To
		refs = mergeRefs(refs, c.refs(tp.Evidence))
	}
	if rd := st.ReviewDate; rd != nil && !rd.DueOn.IsZero() && rd.DueOn.Before(c.asOf) {
		refs = mergeRefs(refs, c.refs(rd.Evidence))
		switch {
		case rd.DueOn == trialEnd:
			passed = append(passed, "The trial ended, and the review was due, on "+trialEnd.Long())
			trialEnd = domain.Date{}
		default:
			passed = append(passed, words.ReviewDue(rd.DueOn, c.asOf))
		}
	}
	if !trialEnd.IsZero() {
		passed = append([]string{"The trial ended on " + trialEnd.Long()}, passed...)
	}
	if len(passed) == 0 {
		return nil
	}
	why := "The arrangement's standing after that date is unclear."
	if posts := c.sharedPosts(); len(posts) > 0 {
		names := make([]string, len(posts))
		for i, a := range posts {
			names[i] = officerAsPost(a)
			refs = mergeRefs(refs, c.refs(a.Evidence))
		}
		why = fmt.Sprintf("The shared %s continue in the record with no recorded decision to extend them (%s), so the authority under which the officers serve is unclear.",
			words.Verb(len(posts), "post", "posts"), words.JoinAnd(names))
	}
	var out []Finding
	for _, p := range passed {
		out = append(out, Finding{Kind: RiskUndecidedAfterEnd,
			Text: fmt.Sprintf("%s, and by %s no decision on the arrangement's future is recorded for %s.", p, c.asOf.Long(), words.JoinOr(undecided)),
			Why:  why, Refs: refs})
	}
	return out
}

// findingsSummary is the executive summary's sentence pointing to the risks and gaps, or "".
func findingsSummary(r *Report) string {
	var parts []string
	if n := len(r.Risks); n > 0 {
		parts = append(parts, fmt.Sprintf("section 8 sets out %s the facts show", words.Count(n, "risk", "risks")))
	}
	if n := len(r.Gaps); n > 0 {
		parts = append(parts, fmt.Sprintf("section 9 lists %s in the record that bear on the decision", words.Count(n, "gap", "gaps")))
	}
	if len(parts) == 0 {
		return ""
	}
	return words.Sentence(words.JoinAnd(parts))
}

// theseCouncils names councils: "both councils" when they are the two partners, else their names.
func (c *composer) theseCouncils(names []string) string {
	if len(names) == 2 && len(c.st.Partners) == 2 {
		return "both councils"
	}
	return words.JoinAnd(names)
}

// heldFor is the statutory roles of one partner council held by officers of other councils through
// shared appointments.
type heldFor struct {
	council                    string // its name
	roles, officers, employers []string
	refs                       []uint64 // the roles' and the appointments' events
	interim                    bool     // every such appointment is interim
	ends                       domain.Date
}

// rolesHeldFor lists, per partner council in order, the statutory roles other councils' officers hold
// for it through shared appointments (councils with none are left out). The employing council keeps
// its own officers, so its roles are not among them.
func (c *composer) rolesHeldFor() []heldFor {
	var out []heldFor
	for _, p := range c.st.Partners {
		h := heldFor{council: c.council(p.Council), interim: true}
		for _, a := range c.sharedPosts() {
			if a.EmployingCouncil == p.Council {
				continue
			}
			for _, r := range a.Roles {
				if r.Council != p.Council {
					continue
				}
				h.roles = append(h.roles, words.Role(domain.StatutoryRole(r.Role)))
				h.refs = mergeRefs(h.refs, mergeRefs(c.refs(r.Evidence), c.refs(a.Evidence)))
				if !slices.Contains(h.officers, a.Officer) {
					h.officers = append(h.officers, a.Officer)
				}
				if e := c.council(a.EmployingCouncil); !slices.Contains(h.employers, e) {
					h.employers = append(h.employers, e)
				}
				h.interim = h.interim && a.Basis == domain.BasisInterim
				if h.ends.IsZero() || (!a.EndsOn.IsZero() && a.EndsOn.Before(h.ends)) {
					h.ends = a.EndsOn
				}
			}
		}
		if len(h.roles) > 0 {
			out = append(out, h)
		}
	}
	return out
}
