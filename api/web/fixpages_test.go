package web_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/domain/demo"
	"github.com/partnership-ledger/ledger/domain/words"
)

// A tree head's timestamp is the recorded_at of its last event, not a signing time: the event
// page's proof and the partnership page's verification label it as the review pack's Appendix B
// does (words.TreeHeadTimeLabel), and say which event it is the time of.
func TestTreeHeadTimeIsNotASigningTime(t *testing.T) {
	l := newLedger(t)
	th := l.log.LatestTreeHead()
	require.NotZero(t, th.Size)
	want := fmt.Sprintf("<dt>Last event recorded (not when signed)</dt><dd>%s, when event [%d] was recorded; the head carries no signing time</dd>",
		th.Timestamp.UTC().Format("2006-01-02T15:04:05Z"), th.Size)
	assert.Equal(t, "Last event recorded (not when signed)", words.TreeHeadTimeLabel)
	_, page := get(t, l.client, l.url+gnn)
	assert.Contains(t, page, want)
	_, page = get(t, l.client, l.url+"/events/"+demo.EventID(demo.GreatYarmouthNorthNorfolk, "proposed").String())
	assert.Contains(t, page, want)
	for _, p := range []string{gnn, "/events/" + demo.EventID(demo.GreatYarmouthNorthNorfolk, "proposed").String()} {
		_, page := get(t, l.client, l.url+p)
		assert.False(t, strings.Contains(page, "Signed at"), "%s calls the timestamp a signing time", p)
	}
}
