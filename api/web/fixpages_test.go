package web_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/domain"
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

// The savings table shows every figure it cites evidence for: a one-off cost has its column, and
// the net (forecast or outturn, less one-off costs) is worked out as the review pack does.
func TestSavingsTableShowsOneOffCostsAndNet(t *testing.T) {
	l := newLedger(t)
	saving := l.record(t, domain.TypeSavingsReported, "2016-03-01", map[string]any{"council": "north-norfolk", "financial_year": 2015,
		"category": "back office", "amount_pence": 10_000_000, "status": "forecast", "period_to": "2016-03-31"})
	cost := l.record(t, domain.TypeOneOffCostIncurred, "2016-03-02", map[string]any{"council": "north-norfolk", "financial_year": 2015,
		"category": "redundancy", "amount_pence": 2_000_000})
	_, page := get(t, l.client, l.url+gnn+"?as_of=2016-03-31")
	table := page[strings.Index(page, `id="savings-table"`):strings.Index(page, `id="timeline-h"`)]
	assert.Contains(t, table, `<th scope="col" class="num">One-off costs</th><th scope="col" class="num">Net (forecast or outturn)</th>`)
	i := strings.Index(table, `<th scope="row">2015/16</th><td data-label="Council">North Norfolk District Council`)
	require.GreaterOrEqual(t, i, 0, table)
	row := table[i:]
	row = row[:strings.Index(row, "</tr>")]
	assert.Contains(t, row, `<td class="num" data-label="One-off costs">£20,000</td>`, "the cost its evidence cites is shown")
	assert.Contains(t, row, `<td class="num" data-label="Net (forecast or outturn)">£120,000 (forecast)</td>`, "£140,000 forecast less £20,000")
	assert.Contains(t, row, fmt.Sprintf("[%d]</a>", saving.Seq))
	assert.Contains(t, row, fmt.Sprintf("[%d]</a>", cost.Seq))
	// A council with savings but no one-off cost: the net cannot be worked out, never a £0 cost.
	j := strings.Index(table, `<th scope="row">2015/16</th><td data-label="Council">Great Yarmouth Borough Council`)
	if j >= 0 {
		gy := table[j:]
		gy = gy[:strings.Index(gy, "</tr>")]
		assert.Contains(t, gy, `<td class="num" data-label="One-off costs">not recorded</td>`)
	}
	assert.NotContains(t, table, ">£0<", "a figure not recorded is never £0")
}
