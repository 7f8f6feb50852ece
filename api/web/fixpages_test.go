package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/demo"
	"github.com/partnership-ledger/ledger/domain/words"
	"github.com/partnership-ledger/ledger/projections"
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

// An event page honours known_at as the partnership page does (a date, a time or an event number):
// a correction or retraction recorded after it is not shown, an event recorded after it is "not yet
// recorded" (404), and the page says which point it shows. The partnership page's links to events
// carry its known_at, so a past view stays past.
func TestEventPageAsKnownAt(t *testing.T) {
	l := newLedger(t)
	target := demo.EventID(demo.GreatYarmouthNorthNorfolk, "proposed")
	tl, err := l.models.Timeline(demo.GreatYarmouthNorthNorfolk, projections.Query{})
	require.NoError(t, err)
	var corr projections.Correction
	for _, c := range tl.Corrections {
		if c.Target == target {
			corr = c
		}
	}
	require.NotZero(t, corr.Seq)
	before := fmt.Sprint(corr.Seq - 1)

	status, page := get(t, l.client, l.url+"/events/"+target.String())
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, page, fmt.Sprintf("As recorded now, up to event [%d].", tl.KnownAt.Seq))
	assert.Contains(t, page, "What it records, as corrected")

	for _, known := range []string{before, " " + before + " "} {
		status, page = get(t, l.client, l.url+"/events/"+target.String()+"?known_at="+url.QueryEscape(known))
		require.Equal(t, http.StatusOK, status)
		assert.Contains(t, page, fmt.Sprintf("As the ledger knew it at event [%s]: corrections and retractions recorded after it are not shown.", before))
		assert.NotContains(t, page, "Corrected by")
		assert.NotContains(t, page, "as corrected")
		assert.Contains(t, page, "<dt>Trial ends on</dt><dd>31 March 2016</dd>", "the data as recorded then")
		assert.Contains(t, page, `<a href="/partnerships/`+demo.GreatYarmouthNorthNorfolk+`?known_at=`+before+`">`, "the crumb keeps the point")
	}
	// A date: the proposal was known, its correction (recorded on 19 December 2015) not yet.
	status, page = get(t, l.client, l.url+"/events/"+target.String()+"?known_at=2015-12-18&as_of=2016-01-31")
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, page, "(known at 2015-12-18)")
	assert.NotContains(t, page, "Corrected by")
	assert.Contains(t, page, `?as_of=2016-01-31&amp;known_at=2015-12-18">`)

	// The correction itself was not yet recorded.
	status, page = get(t, l.client, l.url+"/events/"+corr.ID.String()+"?known_at="+before)
	assert.Equal(t, http.StatusNotFound, status)
	assert.Contains(t, page, fmt.Sprintf("This event, [%d], was not yet recorded at event [%s]", corr.Seq, before))
	assert.NotContains(t, page, "The ledger has no record of this.")

	// "all" is everything recorded: as now.
	_, page = get(t, l.client, l.url+"/events/"+target.String()+"?known_at=all")
	assert.Contains(t, page, "As recorded now, up to event [")
	assert.Contains(t, page, "Corrected by")

	// A value that cannot be read is refused, as on the partnership page.
	status, _ = get(t, l.client, l.url+"/events/"+target.String()+"?known_at=yesterday")
	assert.Equal(t, http.StatusBadRequest, status)

	// A retraction recorded after known_at: no banner, and (a past view) no Correct or Retract.
	saving := l.record(t, domain.TypeSavingsReported, "2016-09-01", map[string]any{"council": "great-yarmouth", "financial_year": 2016,
		"category": "shared management", "amount_pence": 765432, "status": "forecast", "period_to": "2017-03-31"})
	l.record(t, domain.TypeEventRetracted, "2016-09-02", map[string]any{"target": saving.ID, "reason": domain.RetractSourceWithdrawn})
	c := signedInClerk(t, l)
	_, page = get(t, c, l.url+"/events/"+saving.ID.String()+fmt.Sprintf("?known_at=%d", saving.Seq))
	assert.NotContains(t, page, "Retracted by")
	assert.NotContains(t, page, "Retract this event", "a past view offers no change")
	_, page = get(t, c, l.url+"/events/"+saving.ID.String())
	assert.Contains(t, page, "Retracted by")

	// The partnership page's links to events carry its known_at.
	_, page = get(t, l.client, l.url+gnn+"?known_at="+before)
	assert.Contains(t, page, `href="/events/`+target.String()+`?known_at=`+before+`"`)
	assert.NotRegexp(t, `href="/events/[0-9a-f-]{36}"`, page[strings.Index(page, `id="status-h"`):])
}

// A retracted event's own page is marked as retracted in text, not colour alone: its title and line
// struck through after "Retracted:", a warning banner (not a correction's), and its data headed as
// what it recorded before it was retracted. A correction of an event retracted since says so on the
// correction's page. A correction's banner says when it was recorded and, when it differs, when it
// takes effect.
func TestRetractedEventPageAndCorrectionDates(t *testing.T) {
	l := newLedger(t)
	saving := l.record(t, domain.TypeSavingsReported, "2016-09-01", map[string]any{"council": "great-yarmouth", "financial_year": 2016,
		"category": "shared management", "amount_pence": 765432, "status": "forecast", "period_to": "2017-03-31"})
	correction := l.record(t, domain.TypeEventCorrected, "2016-09-20", map[string]any{"target": saving.ID,
		"data": map[string]any{"amount_pence": 800000}, "reason": "The figure was mistyped."})
	retraction := l.record(t, domain.TypeEventRetracted, "2016-09-22", map[string]any{"target": saving.ID, "reason": domain.RetractSourceWithdrawn})
	recordedOn := domain.DateOf(correction.RecordedAt).Long()

	_, page := get(t, l.client, l.url+"/events/"+saving.ID.String())
	assert.Contains(t, page, fmt.Sprintf(`<h1><span class="retracted-mark">Retracted:</span> <del>Savings reported [%d]</del></h1>`, saving.Seq))
	assert.Contains(t, page, `<p class="lede" id="said"><del><span class="visually-hidden">Retracted: </span>`)
	assert.Contains(t, page, `<div class="notice warning retracted" id="retracted" role="note">`)
	assert.Contains(t, page, "What it recorded, before it was retracted")
	assert.NotContains(t, page, "What it records, as corrected")
	assert.Contains(t, page, fmt.Sprintf(`Corrected by <a href="/events/%s">[%d]</a>, recorded on %s, takes effect 20 September 2016:</strong>`,
		correction.ID, correction.Seq, recordedOn))
	assert.NotContains(t, page, `<div class="notice corrected warning`, "a correction's banner is not a warning")

	_, page = get(t, l.client, l.url+"/events/"+correction.ID.String())
	assert.Contains(t, page, fmt.Sprintf(`The event it corrects was retracted since</strong>, by <a href="/events/%s">[%d]</a>`, retraction.ID, retraction.Seq))
	assert.Contains(t, page, "This correction no longer has effect.")
	// Before the retraction was recorded, the correction had effect.
	_, page = get(t, l.client, l.url+"/events/"+correction.ID.String()+fmt.Sprintf("?known_at=%d", correction.Seq))
	assert.NotContains(t, page, "retracted since")
}

// The point-in-time line names an event number as one ("as known at event [n]"), not as a bare
// number beside a repeated "up to event [n]"; a known_at before the partnership was recorded shows
// the page with its point-in-time form, saying it was not yet recorded then (it was a bare 404).
func TestPointInTimeLineAndNotYetRecorded(t *testing.T) {
	l := newLedger(t)
	evs := l.events(t)
	first, last := uint64(0), uint64(0)
	for _, e := range evs {
		if e.Stream == "partnership-"+demo.GreatYarmouthNorthNorfolk {
			if first == 0 {
				first = e.Seq
			}
			last = e.Seq
		}
	}
	require.Greater(t, first, uint64(1), "another partnership's events come first")
	_, page := get(t, l.client, l.url+gnn+fmt.Sprintf("?known_at=%d", last))
	assert.Contains(t, page, fmt.Sprintf("as known at event [%d] (the partnership&#39;s ", last))
	assert.NotContains(t, page, fmt.Sprintf("as known at %d ", last))

	status, page := get(t, l.client, l.url+gnn+fmt.Sprintf("?known_at=%d", first-1))
	assert.Equal(t, http.StatusNotFound, status)
	assert.Contains(t, page, fmt.Sprintf("The ledger had not yet recorded this partnership at event [%d]", first-1))
	assert.Contains(t, page, `id="known_at"`, "the point-in-time form, to choose another point")
	assert.Contains(t, page, fmt.Sprintf(`value="%d"`, first-1))
	assert.NotContains(t, page, "The ledger has no record of this.")
	assert.NotContains(t, page, `id="savings-h"`, "no facts")
	// A partnership the ledger never recorded is still a plain 404.
	status, page = get(t, l.client, l.url+"/partnerships/no-such-partnership?known_at=1")
	assert.Equal(t, http.StatusNotFound, status)
	assert.Contains(t, page, "The ledger has no record of this.")
}

// No blank cells: a dissolved partnership's Partners cell on the list names its former partners and
// when they stopped being partners (words.LastDay); a shared service with no lead council recorded
// says "not recorded".
func TestNoBlankPartnersOrLeadCouncil(t *testing.T) {
	l := newLedger(t)
	// The demo's Great Yarmouth and North Norfolk partnership was dissolved with effect from 1 October 2016.
	_, page := get(t, l.client, l.url+"/")
	i := strings.Index(page, `href="/partnerships/`+demo.GreatYarmouthNorthNorfolk+`"`)
	require.GreaterOrEqual(t, i, 0)
	row := page[i:]
	row = row[:strings.Index(row, "</tr>")]
	assert.Regexp(t, `<td data-label="Partners"><span class="sub">No partners now; former partners</span> until 30 September 2016 \(the last day\): [^<]*Great Yarmouth Borough Council[^<]*</td>`, row)
	assert.NotContains(t, row, `<td data-label="Partners"></td>`)

	_, page = get(t, l.client, l.url+"/partnerships/"+demo.NorfolkRevenuesBenefits)
	assert.Contains(t, page, `<td data-label="Lead council">not recorded</td>`)
	assert.NotContains(t, page, `<td data-label="Lead council"></td>`)
}

// The savings section's empty state keeps the two times apart: "None in effect on <as-of date>",
// and when the known-at point is what leaves none, it says so.
func TestSavingsEmptyStateSaysWhichTime(t *testing.T) {
	l := newLedger(t)
	_, page := get(t, l.client, l.url+gnn+"?as_of=2015-10-31")
	assert.Contains(t, page, `<p id="no-savings">None in effect on 31 October 2015.</p>`)
	assert.NotContains(t, page, "had been recorded for")

	// Figures in effect on 31 March 2016 were recorded; as known at the first event, none had been.
	evs := l.events(t)
	var first uint64
	for _, e := range evs {
		if e.Stream == "partnership-"+demo.GreatYarmouthNorthNorfolk {
			first = e.Seq
			break
		}
	}
	_, page = get(t, l.client, l.url+gnn+fmt.Sprintf("?as_of=2016-03-31&known_at=%d", first))
	assert.Contains(t, page, fmt.Sprintf(`<p id="no-savings">None in effect on 31 March 2016 had been recorded as known at event [%d]; some were recorded later.</p>`, first))
	_, page = get(t, l.client, l.url+gnn+"?as_of=2016-03-31")
	assert.NotContains(t, page, `id="no-savings"`)
}
