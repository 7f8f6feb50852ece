package reviewpack

import (
	"fmt"
	"slices"
	"strings"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/words"
	"github.com/partnership-ledger/ledger/projections"
)

// Gap kinds: what a committee needs that the ledger does not record, at the pack's as-of and
// known-at. Each is derived from the views; none is written for a particular partnership.
const (
	GapNoS113Agreement = "no_s113_agreement" // a shared post with no section 113 agreement covering its councils
	GapNoStatutoryRole = "no_statutory_role" // a council whose other statutory roles are shared has no holder of this one recorded
	GapNoApproval      = "no_approval"       // a shared post no decision of a council it serves approved
	GapNoCostShare     = "no_cost_share"     // a shared post with no cost share
	GapNoOutturn       = "no_outturn"        // a financial year that has ended with no outturn recorded
	GapNoSavingsTarget = "no_savings_target" // savings forecast or reported with no target to judge them by
	GapNoExitTerms     = "no_exit_terms"     // an arrangement in force with no notice period or end recorded
)

// statutoryRoles are the three roles every council must fill, in the order a pack lists them, with
// the law that requires each.
var statutoryRoles = []struct {
	role domain.StatutoryRole
	law  string
}{
	{domain.HeadOfPaidService, "Local Government and Housing Act 1989, s4"},
	{domain.ChiefFinanceOfficer, "Local Government Act 1972, s151"},
	{domain.MonitoringOfficer, "Local Government and Housing Act 1989, s5"},
}

// sharedPosts are the appointments in force that share a post between two or more councils.
func (c *composer) sharedPosts() []projections.Appointment {
	var out []projections.Appointment
	for _, a := range c.st.Appointments {
		if a.Post != "" && len(a.Councils) >= 2 {
			out = append(out, a)
		}
	}
	return out
}

// officerAsPost is "Karen Sly as chief finance officer".
func officerAsPost(a projections.Appointment) string {
	return a.Officer + " as " + words.Phrase(a.Post)
}

// gaps lists what the record leaves unknown that bears on the committee's decision, in a fixed
// order: agreements and approvals, statutory roles, money, exit terms.
func (c *composer) gaps() []Finding {
	var out []Finding
	out = append(out, c.gapS113()...)
	out = append(out, c.gapApprovals()...)
	out = append(out, c.gapPartnerApprovals()...) // gapchecks.go
	out = append(out, c.gapCostShares()...)
	out = append(out, c.gapStatutoryRoles()...)
	out = append(out, c.gapVacancies()...)
	out = append(out, c.gapOutturns()...)
	out = append(out, c.gapTargets()...)
	out = append(out, c.gapExitTerms()...)
	return out
}

// gapS113: shared posts no section 113 agreement in force covers (every council the post serves a
// party to it).
func (c *composer) gapS113() []Finding {
	var posts []string
	var refs []uint64
	for _, a := range c.sharedPosts() {
		covered := slices.ContainsFunc(c.st.Agreements, func(ag projections.Agreement) bool {
			if ag.Kind != domain.AgreementS113 {
				return false
			}
			for _, s := range a.Councils {
				if !slices.Contains(ag.Parties, s.Council) {
					return false
				}
			}
			return true
		})
		if !covered {
			posts = append(posts, officerAsPost(a))
			refs = mergeRefs(refs, c.refs(a.Evidence))
		}
	}
	if len(posts) == 0 {
		return nil
	}
	return []Finding{{Kind: GapNoS113Agreement,
		Text: fmt.Sprintf("No section 113 agreement is recorded for %s: %s.", words.Count(len(posts), "shared post", "shared posts"), words.JoinAnd(posts)),
		Why: "An officer of one council serves another under section 113 of the Local Government Act 1972 by agreement between them. " +
			"Without the agreement on record " + c.readersName() + " cannot check who directs the officers, how their costs and liabilities are shared, or how the arrangement is ended.",
		Refs: refs}}
}

// gapApprovals: a shared post with no recorded decision by a council it serves.
func (c *composer) gapApprovals() []Finding {
	var out []Finding
	for _, a := range c.sharedPosts() {
		var missing []string
		for _, s := range a.Councils {
			if !slices.ContainsFunc(a.Approvals, func(m projections.MinuteRef) bool { return m.Council == s.Council }) {
				missing = append(missing, c.council(s.Council))
			}
		}
		if len(missing) == 0 {
			continue
		}
		out = append(out, Finding{Kind: GapNoApproval,
			Text: fmt.Sprintf("No decision approving %s is recorded for %s.", officerAsPost(a), words.JoinOr(missing)),
			Why: "A council's officer serves another council only by decision of the councils concerned. " +
				"Without the decision on record " + c.readersName() + " cannot see who approved the arrangement, when, and on what terms.",
			Refs: c.refs(a.Evidence)})
	}
	return out
}

// gapCostShares: a shared post with no cost share.
func (c *composer) gapCostShares() []Finding {
	var posts []string
	var refs []uint64
	for _, a := range c.sharedPosts() {
		if a.CostShare == nil {
			posts = append(posts, officerAsPost(a))
			refs = mergeRefs(refs, c.refs(a.Evidence))
		}
	}
	if len(posts) == 0 {
		return nil
	}
	return []Finding{{Kind: GapNoCostShare,
		Text: fmt.Sprintf("No cost share is recorded for %s: %s.", words.Count(len(posts), "shared post", "shared posts"), words.JoinAnd(posts)),
		Why:  "How the councils split a shared post's cost decides what each of them saves; without it the savings of each council cannot be checked.",
		Refs: refs}}
}

// gapStatutoryRoles: at a partner council where some statutory role is held under the partnership,
// each role no one is recorded as holding. A partnership that shares no statutory role raises none.
func (c *composer) gapStatutoryRoles() []Finding {
	held := map[string]map[string]bool{} // council → role → held
	evidence := map[string][]uint64{}    // council → the roles recorded there
	for _, a := range c.st.Appointments {
		for _, r := range a.Roles {
			if held[r.Council] == nil {
				held[r.Council] = map[string]bool{}
			}
			held[r.Council][r.Role] = true
			evidence[r.Council] = mergeRefs(evidence[r.Council], c.refs(r.Evidence))
		}
	}
	var out []Finding
	for _, sr := range statutoryRoles {
		var at []string
		var refs []uint64
		for _, p := range c.st.Partners {
			if len(held[p.Council]) == 0 || held[p.Council][string(sr.role)] || c.vacant(p.Council, sr.role) {
				continue // a role whose holder ended is a gap of its own, with its date (gapVacancies)
			}
			at = append(at, c.council(p.Council))
			refs = mergeRefs(refs, evidence[p.Council])
		}
		if len(at) == 0 {
			continue
		}
		role := words.Role(sr.role)
		why := fmt.Sprintf("Every council must have a %s (%s). With %s other statutory roles held under the partnership, the record does not show who holds this one",
			role, sr.law, words.Verb(len(at), "the council's", "these councils'"))
		if sr.role == domain.MonitoringOfficer {
			why += ", nor that it is kept apart from the chief finance officer and, in a district, the head of paid service, as the law requires"
		}
		out = append(out, Finding{Kind: GapNoStatutoryRole,
			Text: fmt.Sprintf("No %s is recorded for %s.", role, words.JoinOr(at)),
			Why:  why + ".", Refs: refs})
	}
	return out
}

// gapOutturns: a financial year that ended on or before the as-of date with no outturn recorded for
// a council that has other figures for it.
func (c *composer) gapOutturns() []Finding {
	var out []Finding
	for _, y := range c.st.Savings.Years {
		if !y.FinancialYear.End().Before(c.asOf) {
			continue
		}
		var at []string
		var refs []uint64
		var forecast words.Total
		for _, cs := range y.Councils {
			if cs.HasOutturn {
				continue
			}
			name := c.council(cs.Council)
			at = append(at, name)
			refs = mergeRefs(refs, c.refs(cs.Evidence))
			forecast.Add(cs.ForecastPence, name)
		}
		if len(at) == 0 {
			continue
		}
		why := "Only an outturn says what was actually saved"
		if forecast.Recorded() {
			what := fmt.Sprintf("The forecast (%s) is an expectation", forecast)
			if forecast.Count > 1 {
				what = fmt.Sprintf("The forecasts (%s in all) are expectations", forecast)
			}
			why += fmt.Sprintf(". %s, so whether the savings were made by %s cannot be answered from this record", what, y.FinancialYear.End().Long())
		}
		out = append(out, Finding{Kind: GapNoOutturn,
			Text: fmt.Sprintf("No outturn is recorded for %s, which ended on %s, for %s.", y.Label, y.FinancialYear.End().Long(), words.JoinOr(at)),
			Why:  why + ".", Refs: refs})
	}
	return out
}

// gapTargets: a council's year with a forecast or an outturn but no savings target.
func (c *composer) gapTargets() []Finding {
	var out []Finding
	for _, y := range c.st.Savings.Years {
		var at []string
		var refs []uint64
		for _, cs := range y.Councils {
			if hasTarget(cs) || (cs.ForecastPence == nil && !cs.HasOutturn) {
				continue
			}
			at = append(at, c.council(cs.Council))
			refs = mergeRefs(refs, c.refs(cs.Evidence))
		}
		if len(at) == 0 {
			continue
		}
		out = append(out, Finding{Kind: GapNoSavingsTarget,
			Text: fmt.Sprintf("No savings target is recorded for %s for %s, though savings were forecast or reported.", y.Label, words.JoinOr(at)),
			Why:  "Without a target the savings cannot be judged against what the councils set out to achieve, and a shortfall cannot be flagged.",
			Refs: refs})
	}
	return out
}

// gapExitTerms: an arrangement in force (shared posts or services) and no agreement recording a
// notice period or an end date.
// A dissolved partnership's gap is of the sharing the dissolution ended (section 2's Matter 4).
func (c *composer) gapExitTerms() []Finding {
	for _, ag := range c.st.Agreements {
		if ag.NoticeDays > 0 || !ag.Ends.IsZero() {
			return nil
		}
	}
	if c.dissolved() {
		refs, ended := c.endedSharing()
		if !ended {
			return nil
		}
		return []Finding{{Kind: GapNoExitTerms,
			Text: fmt.Sprintf("No exit terms are recorded for the sharing the dissolution ended %s: no agreement in the ledger sets a notice period or an end date.", words.EndedFrom(c.st.Dissolution.On)),
			Why: "The notice the ending council had to give, and who bears the costs of ending the shared posts, such as redundancy or pension strain, " +
				"depend on terms the record does not hold.",
			Refs: refs}}
	}
	if c.st.Status.Value == projections.StatusDissolved {
		return nil
	}
	var what []string
	var refs []uint64
	if posts := c.sharedPosts(); len(posts) > 0 {
		what = append(what, words.Count(len(posts), "shared post", "shared posts"))
		for _, a := range posts {
			refs = mergeRefs(refs, c.refs(a.Evidence))
		}
	}
	var shared int
	for _, s := range c.st.Services {
		if s.Status == projections.ServiceShared {
			shared++
			refs = mergeRefs(refs, c.refs(s.Evidence))
		}
	}
	if shared > 0 {
		what = append(what, words.Count(shared, "shared service", "shared services"))
	}
	if len(what) == 0 {
		return nil
	}
	return []Finding{{Kind: GapNoExitTerms,
		Text: fmt.Sprintf("No exit terms are recorded for the %s: no agreement in the ledger sets a notice period or an end date.", strings.Join(what, " and ")),
		Why: "If a council wishes to end the arrangement (option 4), the notice it must give and who bears the costs of ending it, " +
			"such as redundancy or pension strain for shared staff, depend on terms the record does not hold.",
		Refs: refs}}
}
