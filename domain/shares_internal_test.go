package domain

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestCouncilSharesOneCheck: an appointment's time shares and a cost share's shares are checked by the
// one councilShares: a council listed twice and a share that is not positive are named at the share's
// own pointer, with each list's message, and the sum is returned.
func TestCouncilSharesOneCheck(t *testing.T) {
	var p problems
	ja := JointAppointmentMade{Councils: []CouncilShare{{Council: MustCouncil("great-yarmouth"), TimeShareBasisPoints: 6000}, {Council: MustCouncil("great-yarmouth"), TimeShareBasisPoints: 0}}}
	ja.check(&p)
	cs := CostShareAgreed{Shares: []Share{{Council: MustCouncil("north-norfolk"), BasisPoints: -1}, {Council: MustCouncil("north-norfolk"), BasisPoints: 10001}}}
	cs.check(&p)
	got := map[string]string{}
	for _, x := range p.list {
		got[x.Field] = x.Message
	}
	assert.Equal(t, "council great-yarmouth is listed twice", got["/data/councils/1/council"])
	assert.Equal(t, "must be positive (10000 is all of the officer's time)", got["/data/councils/1/time_share_basis_points"])
	assert.Equal(t, "council north-norfolk is listed twice", got["/data/shares/1/council"])
	assert.Equal(t, "must be a positive whole number of basis points", got["/data/shares/0/basis_points"])
	assert.NotContains(t, got, "/data/shares", "no sum problem: -1 + 10001 is 10000")
	assert.NotContains(t, got, "/data/councils", "6000 + 0 is within an officer's time")
}
