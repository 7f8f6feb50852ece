package reviewpack

import (
	"fmt"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/words"
	"github.com/partnership-ledger/ledger/projections"
)

// GapNoPartnerApproval: a partner council no recorded decision of its own approved joining (the
// partnership names it, from the proposal, but the record does not show the council agreed).
const GapNoPartnerApproval = "no_partner_approval"

// GapChecks says which of the checks of "Gaps and unknowns" apply to the partnership on the as-of
// date and which do not, with why: a check of shared posts does not apply where no post is shared,
// so a clean section 9 is not read as "everything is recorded".
type GapChecks struct {
	Apply    []string `json:"apply,omitempty"`     // "section 113 agreements, approvals and cost shares of shared posts"
	NotApply []string `json:"not_apply,omitempty"` // "… of shared posts (no shared post is recorded)"
}

// gapChecks lists, from the views, the checks that apply (gaps.go looks for each) and those that do
// not, in the order the gaps are listed.
func (c *composer) gapChecks() *GapChecks {
	g := &GapChecks{}
	add := func(applies bool, check, whyNot string) {
		if applies {
			g.Apply = append(g.Apply, check)
		} else {
			g.NotApply = append(g.NotApply, check+" ("+whyNot+")")
		}
	}
	add(len(c.st.Partners) > 0, "each partner council's approving decision", "no council is a partner")
	posts := len(c.sharedPosts()) > 0
	add(posts, "section 113 agreements, approvals and cost shares of shared posts", "no shared post is recorded")
	_, roles := c.appointments()
	add(posts && len(roles) > 0, "the statutory roles of councils that share theirs", "no council shares a statutory role")
	add(len(c.st.Savings.Years) > 0, "outturns of ended years and savings targets", "no savings are recorded")
	shared := posts
	for _, s := range c.st.Services {
		shared = shared || s.Status == projections.ServiceShared
	}
	switch _, ended := c.endedSharing(); {
	case c.dissolved():
		add(ended, "exit terms", "nothing was shared when the partnership was dissolved")
	default:
		add(shared, "exit terms", "nothing is shared yet")
	}
	return g
}

// gapsNone is section 9's text when it lists no gap; gapsNote its closing note when it lists some.
func gapsNone(g *GapChecks) string {
	if g == nil {
		return noGaps
	}
	s := "The record holds what this pack looks for"
	if len(g.Apply) > 0 {
		s += " where its checks apply: " + words.JoinAnd(g.Apply) + "."
	} else {
		s = "None of this pack's checks of the record applies yet."
	}
	if n := gapsNote(g); n != "" {
		s += " " + n
	}
	return s
}

func gapsNote(g *GapChecks) string {
	if g == nil || len(g.NotApply) == 0 {
		return ""
	}
	return fmt.Sprintf("%s not apply here: %s.", words.Verb(len(g.NotApply), "This check does", "These checks do"), words.JoinAnd(g.NotApply))
}

// gapPartnerApprovals: partner councils with no approving decision of their own recorded; the pack
// shows them as partners from the event that named them.
func (c *composer) gapPartnerApprovals() []Finding {
	var names []string
	var refs []uint64
	var since domain.Date
	for _, p := range c.st.Partners {
		if p.ApprovedBy == nil {
			if len(names) == 0 || p.Since.Before(since) {
				since = p.Since
			}
			names = append(names, c.council(p.Council))
			refs = mergeRefs(refs, c.refs(p.Evidence))
		}
	}
	if len(names) == 0 {
		return nil
	}
	return []Finding{{Kind: GapNoPartnerApproval,
		Text: fmt.Sprintf("No decision approving the partnership is recorded for %s: %s as a partner from %s, the date of the event that named %s.",
			words.JoinOr(names), words.Verb(len(names), "it is shown", "each is shown"), since.Long(), words.Verb(len(names), "it", "them")),
		Why: "A council joins a partnership by a decision of its own (its full council, its cabinet or an officer it delegates to); " +
			"without one recorded, the record does not show that the council agreed to share, or on what terms.",
		Refs: refs}}
}
