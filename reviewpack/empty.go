package reviewpack

import (
	"fmt"
	"slices"

	"github.com/partnership-ledger/ledger/domain/words"
	"github.com/partnership-ledger/ledger/projections"
)

// Keys of Report.Empty: the pack's lists that can be empty on the as-of date after holding rows.
const (
	EmptyAppointments = "appointments"
	EmptyRoles        = "statutory_roles"
	EmptyPartners     = "partners"
	EmptyServices     = "services"
	EmptyCostShares   = "cost_shares"
)

// emptied says, for each list of the pack that is empty on the as-of date but held rows the day
// before the partnership was dissolved, that the dissolution ended them: "None on 1 October 2016:
// ended with the dissolution" with the dissolution's events, in place of "None recorded" (a list
// recorded and ended is not a list never recorded). Nil when the partnership is not dissolved or no
// list was emptied by it.
func (c *composer) emptied(v viewer, r *Report) (map[string]Fact, error) {
	if !c.dissolved() || v == nil {
		return nil, nil
	}
	d := c.st.Dissolution
	q := projections.Query{AsOf: d.On.AddDays(-1), KnownAt: projections.KnownAtSeq(c.ev.TreeHead.Size)}
	st, err := v.State(c.ev.Partnership, q)
	if errorsIsUnknown(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	was := newComposer(c.ev, st, nil)
	wasApps, wasRoles := was.appointments()
	held := map[string][2]int{
		EmptyAppointments: {len(r.Appointments), len(wasApps)},
		EmptyRoles:        {len(r.Roles), len(wasRoles)},
		EmptyPartners:     {len(r.Partners), len(was.partners())},
		EmptyServices:     {len(r.Services), len(was.services())},
		EmptyCostShares:   {len(r.Finance.CostShares), len(was.finance().CostShares)},
	}
	out := map[string]Fact{}
	for key, n := range held {
		if n[0] == 0 && n[1] > 0 {
			out[key] = Fact{Text: fmt.Sprintf("None on %s: ended with the dissolution.", c.asOf.Long()), Refs: c.refs(d.Evidence)}
		}
	}
	if f, ok := out[EmptyRoles]; ok { // roles whose designations the dissolution left standing are not said to have ended
		var standing []string
		for _, g := range c.vacancies() {
			if name := c.council(g.council) + "'s"; g.dissolved && !slices.Contains(standing, name) {
				standing = append(standing, name)
			}
		}
		if len(standing) > 0 {
			f.Text = fmt.Sprintf("None recorded on %s: the shared appointments that carried them ended with the dissolution; %s designations are not recorded as ended, and who has held the roles since is not recorded (section 9).",
				c.asOf.Long(), words.JoinAnd(standing))
			out[EmptyRoles] = f
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// emptyText is what a list of the pack with no rows says: why it is empty (Report.Empty), with its
// events cited by cite, or "None recorded.".
func emptyText(r *Report, key string, cite func(string, []uint64) string) string {
	if f, ok := r.Empty[key]; ok {
		return cite(f.Text, f.Refs)
	}
	return "None recorded."
}
