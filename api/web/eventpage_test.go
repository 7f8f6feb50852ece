package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/api/web"
	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/demo"
	"github.com/partnership-ledger/ledger/domain/recording"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/projections"
	"github.com/partnership-ledger/ledger/tokens"
)

// ledger is the demo server with what its pages read, for tests that record and look things up.
type ledger struct {
	srv      *httptest.Server
	url      string
	client   *http.Client
	store    eventstore.Store
	models   *projections.Models
	log      *audit.Log
	recorder *recording.Service
}

func newLedger(t *testing.T) *ledger {
	t.Helper()
	l := &ledger{}
	srv := newServerWith(t, func(c *web.Config) {
		l.store, l.models, l.log, l.recorder = c.Store, c.Models, c.Log, c.Recorder
	})
	l.srv, l.url, l.client = srv, srv.URL, srv.Client()
	return l
}

// wait waits until the projections and the audit log hold everything stored.
func (l *ledger) wait(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	head, err := l.store.Head(ctx)
	require.NoError(t, err)
	require.NoError(t, l.models.WaitFor(ctx, head.Seq))
	require.NoError(t, l.log.WaitFor(ctx, head.Seq))
}

// record records a command on the Great Yarmouth and North Norfolk partnership and returns its event.
func (l *ledger) record(t *testing.T, typ, effective string, data any) eventstore.Event {
	t.Helper()
	raw, err := json.Marshal(data)
	require.NoError(t, err)
	res, err := l.recorder.Record(context.Background(), "test clerk", domain.Command{Partnership: demo.GreatYarmouthNorthNorfolk, Type: typ,
		EffectiveOn: effective, Certainty: "reported", Data: raw,
		Sources: []domain.SourceRef{{Kind: domain.SourcePress, Title: "Eastern Daily Press"}}}, nil)
	require.NoError(t, err)
	require.Len(t, res.Events, 1)
	l.wait(t)
	return res.Events[0]
}

// issueToken issues a reader's token, whose event goes to the tokens' stream, and returns the event.
func (l *ledger) issueToken(t *testing.T) eventstore.Event {
	t.Helper()
	_, err := tokens.New(l.store, nil).Issue(context.Background(), tokens.RoleReader, "auditor", "test")
	require.NoError(t, err)
	l.wait(t)
	evs := l.events(t)
	require.Equal(t, tokens.Stream, evs[len(evs)-1].Stream)
	return evs[len(evs)-1]
}

// events returns every event stored, in seq order.
func (l *ledger) events(t *testing.T) []eventstore.Event {
	t.Helper()
	var out []eventstore.Event
	for e, err := range l.store.ReadAll(context.Background(), 0, eventstore.Forward, 0) {
		require.NoError(t, err)
		out = append(out, e)
	}
	return out
}

// visible is the text of a page a reader sees: tags (and their attributes) left out, entities read.
func visible(page string) string {
	page = regexp.MustCompile(`(?s)<head>.*</head>`).ReplaceAllString(page, "")
	return html.UnescapeString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(page, " "))
}

// councilSlugs are the slugs of the demo's councils, which no page may show a reader.
var councilSlugs = []string{"great-yarmouth", "north-norfolk", "kings-lynn-and-west-norfolk"}

// Issue 23 point 4: every event page of the demo is in words: no raw JSON, no member names or slugs,
// the partnership by its name in the crumbs, the event's number and its place in the partnership.
func TestEventPagesInWords(t *testing.T) {
	l := newLedger(t)
	names := map[string]string{}
	for _, slug := range []string{demo.GreatYarmouthNorthNorfolk, demo.NorfolkRevenuesBenefits} {
		st, err := l.models.State(slug, projections.Query{})
		require.NoError(t, err)
		names[slug] = st.Name
	}
	evs := l.events(t)
	require.NotEmpty(t, evs)
	for _, e := range evs {
		slug, ok := strings.CutPrefix(e.Stream, domain.StreamPrefix)
		if !ok {
			continue
		}
		t.Run(fmt.Sprintf("%d %s", e.Seq, e.Type), func(t *testing.T) {
			status, page := get(t, l.client, l.url+"/events/"+e.ID.String())
			require.Equal(t, http.StatusOK, status)
			text := visible(page)
			for _, raw := range []string{"amount_pence", "basis_points", `{"`, `":`, `"}`, e.Stream, "EffectiveOn", e.Type} {
				assert.NotContains(t, text, raw, "no JSON, member names or identifiers")
			}
			for _, c := range councilSlugs {
				assert.NotRegexp(t, `(^|[^-/a-z])`+c+`($|[^-a-z])`, text, "councils by name, not slug")
			}
			assert.NotContains(t, text, slug, "the partnership by name")
			assert.Contains(t, page, `<p class="crumbs"><a href="/">Partnerships</a> › <a href="/partnerships/`+slug+`">`+html.EscapeString(names[slug])+`</a></p>`)
			assert.Contains(t, page, fmt.Sprintf("<h1>%s [%d]</h1>", typeWords(e.Type), e.Seq))
			assert.Contains(t, page, fmt.Sprintf("[%d], the partnership&#39;s %s event", e.Seq, ordinal(e.Revision+1)))
			assert.Contains(t, page, `href="/v1/events/`+e.ID.String()+`"`, "the JSON is a link away")
			assert.Contains(t, page, "<dt>Recorded by</dt><dd>the demo loader (ledger seed), not a person</dd>")
			assert.NotContains(t, page, "<pre")
		})
	}
}

// typeWords is an event type in words, as words.EventType writes it ("Joint appointment made").
func typeWords(typ string) string {
	var b strings.Builder
	for i, r := range typ {
		if i > 0 && r >= 'A' && r <= 'Z' {
			b.WriteByte(' ')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

func ordinal(n uint64) string {
	switch {
	case n%100 >= 11 && n%100 <= 13:
		return fmt.Sprintf("%dth", n)
	case n%10 == 1:
		return fmt.Sprintf("%dst", n)
	case n%10 == 2:
		return fmt.Sprintf("%dnd", n)
	case n%10 == 3:
		return fmt.Sprintf("%drd", n)
	}
	return fmt.Sprintf("%dth", n)
}

// An event page's data reads as the pack reads it: amounts, dates and councils in words, the
// receiving councils by name.
func TestEventPageDataInWords(t *testing.T) {
	l := newLedger(t)
	moved := l.record(t, domain.TypeServiceMovedToSharedDelivery, "2016-02-01", map[string]any{
		"service": "human resources", "lead_council": "north-norfolk", "receiving_councils": []string{"great-yarmouth"},
		"from": "2016-02-01", "staff_transferred": 12})
	_, page := get(t, l.client, l.url+"/events/"+moved.ID.String())
	text := visible(page)
	assert.Contains(t, page, "<dt>Receiving councils</dt><dd>Great Yarmouth Borough Council</dd>")
	assert.Contains(t, page, "<dt>Lead council</dt><dd>North Norfolk District Council</dd>")
	assert.Contains(t, page, "<dt>From</dt><dd>1 February 2016</dd>")
	assert.Contains(t, page, "<dt>Staff transferred</dt><dd>12</dd>")
	assert.Contains(t, text, "Human resources moved to shared delivery led by North Norfolk District Council.")
	assert.Contains(t, page, "<dt>Recorded by</dt><dd>test clerk</dd>")
	assert.Contains(t, text, "reported by a secondary source")
	for _, c := range councilSlugs {
		assert.NotRegexp(t, `(^|[^-/a-z])`+c+`($|[^-a-z])`, text)
	}

	_, page = get(t, l.client, l.url+"/events/"+demo.EventID(demo.NorfolkRevenuesBenefits, "improvement-east-grant").String())
	assert.Contains(t, page, "<dt>Amount</dt><dd>£50,000</dd>")
	assert.Contains(t, page, "<dt>Recipients</dt><dd>North Norfolk District Council, Borough Council of King&#39;s Lynn and West Norfolk and Great Yarmouth Borough Council</dd>")

	// A source's assumed details are marked on the page, as words.Source writes them.
	_, page = get(t, l.client, l.url+"/events/"+demo.EventID(demo.GreatYarmouthNorthNorfolk, "proposed").String())
	assert.Regexp(t, `<li class="assumed">Report: [^<]*\(every detail assumed\)</li>`, page)
}

// A corrected event says so, with each field old → new and a link to the correction; the
// correction's page links back; neither a correction nor its target's page hides the other.
func TestCorrectedEventLinksBothWays(t *testing.T) {
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
	require.NotZero(t, corr.Seq, "the demo corrects the proposal's trial end")
	tseq, _ := l.log.Seq(target)

	c := signedInClerk(t, l)
	_, page := get(t, c, l.url+"/events/"+target.String())
	assert.Contains(t, page, fmt.Sprintf(`<strong>Corrected by <a href="/events/%s">[%d]</a>, recorded on 19 December 2015`, corr.ID, corr.Seq))
	assert.Contains(t, page, "Trial ends on: 31 March 2016 → 30 June 2016.")
	assert.Contains(t, page, "What it records, as corrected")
	assert.Contains(t, page, "<dt>Trial ends on</dt><dd>30 June 2016</dd>", "the data as corrected")
	assert.Contains(t, page, `<a class="button" href="/events/`+target.String()+`/correct">Correct this event</a>`, "a corrected event may be corrected again")
	assert.Contains(t, page, `<a class="button secondary" href="/events/`+target.String()+`/retract">Retract this event</a>`)

	_, page = get(t, c, l.url+"/events/"+corr.ID.String())
	assert.Contains(t, page, fmt.Sprintf(`<strong>Corrects <a href="/events/%s">[%d]</a></strong>, Partnership proposed of 7 October 2015.`, target, tseq))
	assert.Contains(t, page, "<dt>Changes</dt><dd><ul><li>Trial ends on: 31 March 2016 → 30 June 2016</li></ul></dd>")
	assert.NotContains(t, page, "Correct this event", "a correction is not corrected")
	assert.NotContains(t, page, "Retract this event")
}

// signedInClerk is a client signed in as a recorder, who would see the Correct and Retract buttons.
func signedInClerk(t *testing.T, l *ledger) *http.Client {
	t.Helper()
	c, _ := clerkAtRecordForm(t, l.srv)
	return c
}

// A retracted event is struck through on the timeline with the reason in words, and its page says
// so and offers no Correct or Retract; the retraction's page links the event it retracts.
func TestRetractedEventStruckThrough(t *testing.T) {
	l := newLedger(t)
	saving := l.record(t, domain.TypeSavingsReported, "2016-09-01", map[string]any{"council": "great-yarmouth", "financial_year": 2016,
		"category": "shared management", "amount_pence": 765432, "status": "forecast", "period_to": "2017-03-31"})
	retraction := l.record(t, domain.TypeEventRetracted, "2016-09-02", map[string]any{"target": saving.ID, "reason": domain.RetractSourceWithdrawn,
		"notes": "The paper withdrew the story."})

	c := signedInClerk(t, l)
	_, page := get(t, c, l.url+gnn)
	timeline := page[strings.Index(page, `id="timeline-h"`):]
	assert.Regexp(t, `<li class="retracted"><span class="date">2016-09-01</span> <del><span class="visually-hidden">Retracted: </span><span class="what">Savings forecast for Great Yarmouth Borough Council in 2016/17: £7,654.32 \(shared management\)</span></del> `+
		fmt.Sprintf(`<span class="tag">retracted by <a href="/events/%s">\[%d\]</a>: its source was withdrawn \(The paper withdrew the story\)</span>`, retraction.ID, retraction.Seq), timeline)
	savings := page[strings.Index(page, `id="savings-h"`):strings.Index(page, `id="timeline-h"`)]
	assert.NotContains(t, savings, "£7,654.32", "no fact rests on it")
	// Before it was recorded as retracted, it is on the timeline as it was.
	_, before := get(t, c, l.url+gnn+fmt.Sprintf("?known_at=%d", saving.Seq))
	assert.NotContains(t, before, `class="retracted"`)
	assert.Contains(t, before, "£7,654.32 (shared management)</span> <span class=\"tag\">reported")
	// Not struck through on a date before it took effect.
	_, early := get(t, c, l.url+gnn+"?as_of=2016-08-31")
	assert.NotContains(t, early, "£7,654.32")

	_, page = get(t, c, l.url+"/events/"+saving.ID.String())
	assert.Contains(t, page, fmt.Sprintf(`Retracted by <a href="/events/%s">[%d]</a>, recorded on `, retraction.ID, retraction.Seq))
	assert.Contains(t, page, ":</strong> its source was withdrawn (The paper withdrew the story). It is no longer part of the record in effect")
	assert.NotContains(t, page, "Correct this event")
	assert.NotContains(t, page, "Retract this event")
	assert.NotContains(t, page, fmt.Sprintf(`/events/%s/retract`, saving.ID))

	_, page = get(t, c, l.url+"/events/"+retraction.ID.String())
	assert.Contains(t, page, fmt.Sprintf(`<strong>Retracts <a href="/events/%s">[%d]</a></strong>, Savings reported of 1 September 2016.`, saving.ID, saving.Seq))
	assert.Contains(t, page, "<dt>Reason</dt><dd>Its source was withdrawn</dd>")
	assert.NotContains(t, page, "Correct this event")
	assert.NotContains(t, page, "Retract this event")

	// A retracted event's sources are marked as the entries in effect are.
	hops := demo.EventID(demo.GreatYarmouthNorthNorfolk, "designate-hops-gy")
	l.record(t, domain.TypeEventRetracted, "2016-09-03", map[string]any{"target": hops, "reason": domain.RetractDuplicate})
	_, page = get(t, c, l.url+gnn+"?as_of=2016-06-15")
	struck := regexp.MustCompile(`<li class="retracted">.*Sheila Oxtoby designated head of paid service at Great Yarmouth Borough Council.*</li>`).FindString(page)
	assert.Contains(t, struck, "it duplicates another event")
	assert.Contains(t, struck, `<span class="sub assumed">Source with assumed details: Minutes: Great Yarmouth Borough Council, Full Council minutes, 15 October 2015, item 8 (every detail assumed)</span>`)

	// An event nobody changed offers both, to a recorder.
	_, page = get(t, c, l.url+"/events/"+demo.EventID(demo.GreatYarmouthNorthNorfolk, "designate-hops-nn").String())
	assert.Contains(t, page, "Correct this event")
	assert.Contains(t, page, "Retract this event")
}

// "Up to event" names the partnership's last event within known_at, and counts the partnership's
// events (it was the global log's seq, which counts other partnerships' and the tokens' events).
func TestUpToCountsThePartnershipsEvents(t *testing.T) {
	l := newLedger(t)
	l.issueToken(t)
	evs := l.events(t)
	for _, known := range []string{"", "12", fmt.Sprint(evs[len(evs)-1].Seq)} {
		t.Run("known_at="+known, func(t *testing.T) {
			q := projections.Query{}
			if known != "" {
				k, err := projections.ParseKnownAt(known)
				require.NoError(t, err)
				q.KnownAt = k
			}
			st, err := l.models.State(demo.GreatYarmouthNorthNorfolk, q)
			require.NoError(t, err)
			n := 0
			for _, e := range evs {
				if e.Stream == domain.StreamPrefix+demo.GreatYarmouthNorthNorfolk && e.Seq <= st.LastSeq {
					n++
				}
			}
			_, page := get(t, l.client, l.url+gnn+"?known_at="+known)
			if known != "" && st.LastSeq == st.KnownAt.Seq {
				assert.Contains(t, page, fmt.Sprintf("as known at event [%s] (the partnership&#39;s %s event).", known, ordinal(uint64(n))))
			} else {
				assert.Contains(t, page, fmt.Sprintf("(up to event [%d], the partnership&#39;s %s event).", st.LastSeq, ordinal(uint64(n))))
			}
			assert.NotEqual(t, evs[len(evs)-1].Seq, st.LastSeq, "the last event is the token's")
		})
	}
}

// The timeline marks each entry's sources with assumed details (words.Source), and evidence links
// are titled by their event's type: "correction" only for a correction (it was every id after the first).
func TestTimelineMarksAssumedSourcesAndTitlesEvidence(t *testing.T) {
	l := newLedger(t)
	_, page := get(t, l.client, l.url+gnn+"?as_of=2016-06-15")
	timeline := page[strings.Index(page, `id="timeline-h"`):strings.Index(page, `id="verify-h"`)]
	assert.Contains(t, timeline, `<span class="sub assumed">Source with assumed details: Minutes: Great Yarmouth Borough Council, Full Council minutes, 15 October 2015, item 8 (every detail assumed)</span>`)
	assert.Contains(t, timeline, "(assumed: title, publisher and date; text held, SHA-256")
	assert.Contains(t, page, `title="Decision taken [6]">[6]</a>`)
	proposal, _ := l.log.Seq(demo.EventID(demo.GreatYarmouthNorthNorfolk, "proposed"))
	assert.Contains(t, page, fmt.Sprintf(`title="Partnership proposed [%d]">[%d]</a>`, proposal, proposal))
	for _, m := range regexp.MustCompile(`title="correction \[(\d+)\]"`).FindAllStringSubmatch(page, -1) {
		var seq uint64
		fmt.Sscan(m[1], &seq)
		e := l.events(t)[seq-1]
		assert.Equal(t, domain.TypeEventCorrected, e.Type, "only a correction is titled a correction")
	}
	assert.Contains(t, page, `title="correction `)
	assert.NotContains(t, page, `title="source event`)
}

// The list names each partnership's partners (it printed their slugs).
func TestListNamesPartners(t *testing.T) {
	l := newLedger(t)
	_, page := get(t, l.client, l.url+"/")
	assert.Contains(t, page, `<td data-label="Partners">North Norfolk District Council, Borough Council of King&#39;s Lynn and West Norfolk, Great Yarmouth Borough Council</td>`)
	for _, c := range councilSlugs {
		assert.NotRegexp(t, `(^|[^-/a-z])`+c+`($|[^-a-z])`, visible(page))
	}
}

// An event id that is not a UUID, that the ledger does not hold, or of an event outside a
// partnership (a token's) is a clean 404 page, never a 500 or a panic.
func TestEventPageRefusesWhatItCannotShow(t *testing.T) {
	l := newLedger(t)
	token := l.issueToken(t)
	for _, id := range []string{"not-an-id", uuid.NewString(), token.ID.String(), uuid.Nil.String(), "%00", strings.Repeat("a", 5000),
		"00000000-0000-0000-0000-00000000000", "{" + uuid.NewString() + "}", "urn:uuid:" + uuid.NewString()} {
		status, page := get(t, l.client, l.url+"/events/"+id)
		assert.Equal(t, http.StatusNotFound, status, id)
		assert.Contains(t, page, "<h1>Not found</h1>", id)
		assert.NotContains(t, page, tokens.Stream)
		assert.NotContains(t, page, "Recorded by")
	}
	status, _ := get(t, l.client, l.url+"/events/"+token.ID.String()+"/x")
	assert.Equal(t, http.StatusNotFound, status)
}

// Every event type's page is in words: one of each recorded through the forms (everyTypeForm), each
// page without JSON, member names, identifiers with underscores or councils' slugs.
func TestEveryTypeEventPageInWords(t *testing.T) {
	l := newLedger(t)
	c, csrf := clerkAtRecordForm(t, l.srv)
	var ids []string
	for _, tf := range everyTypeForm() {
		res, body := postTypeForm(t, c, l.url, csrf, tf, "event-page-"+tf.Type)
		require.Equal(t, http.StatusOK, res.StatusCode, "%s: %s", tf.Type, summaryOf(body))
		ids = append(ids, res.Request.URL.Query().Get("recorded"))
	}
	l.wait(t)
	st, err := l.models.State(everyTypeSlug, projections.Query{})
	require.NoError(t, err)
	require.NotEmpty(t, st.Councils)
	for _, id := range ids {
		status, page := get(t, c, l.url+"/events/"+id)
		require.Equal(t, http.StatusOK, status)
		title := regexp.MustCompile(`<h1>([^<]*)</h1>`).FindStringSubmatch(page)
		require.NotNil(t, title)
		t.Run(title[1], func(t *testing.T) {
			text := visible(page[strings.Index(page, "<main"):strings.Index(page, `id="record-h"`)])
			for _, raw := range []string{`{"`, `":`, `"}`, "_pence", "basis_points", "[]", "map["} {
				assert.NotContains(t, text, raw)
			}
			assert.NotRegexp(t, `\b[a-z]+_[a-z_]+\b`, text, "no identifiers")
			for slug := range st.Councils {
				assert.NotRegexp(t, `(^|[^-/.a-z])`+slug.String()+`($|[^-.a-z])`, text, "councils by name (a web address may hold one)")
			}
			assert.NotContains(t, text, everyTypeSlug)
			if strings.HasPrefix(title[1], "Review outcome recorded") {
				assert.Contains(t, page, "<dt>Outcome</dt><dd>continue the arrangement</dd>", "words.Outcome")
				assert.Contains(t, page, "<dt>Review</dt><dd>review 2016</dd>")
			}
		})
	}
}

// FuzzEventPage: whatever follows /events/, the answer is a page (200 for an event of a partnership,
// 404 otherwise), never a 500 or a panic.
func FuzzEventPage(f *testing.F) {
	srv := newServerWith(f, nil)
	for _, s := range []string{"not-an-id", uuid.NewString(), uuid.Nil.String(), demo.EventID(demo.GreatYarmouthNorthNorfolk, "proposed").String(),
		"%00", "..", "%2e%2e", "urn:uuid:" + uuid.NewString(), "{00000000-0000-0000-0000-000000000000}", strings.Repeat("f", 4096)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		u, err := url.Parse(srv.URL + "/events/" + url.PathEscape(id))
		if err != nil {
			return
		}
		res, err := srv.Client().Get(u.String())
		require.NoError(t, err)
		defer res.Body.Close()
		assert.Contains(t, []int{http.StatusOK, http.StatusNotFound, http.StatusMovedPermanently}, res.StatusCode, "%q", id)
	})
}

// A correction of a fixed choice and of a list reads in words on both pages (the target's banner,
// the correction's changes), as package words writes data members: never the stored slug or JSON.
func TestCorrectionOfAFixedChoiceInWords(t *testing.T) {
	l := newLedger(t)
	share := l.record(t, domain.TypeCostShareAgreed, "2016-04-01", map[string]any{
		"subject": "shared-ict", "basis": "equal", "applies_from": "2016-04-01",
		"shares": []map[string]any{{"council": "great-yarmouth", "basis_points": 5000}, {"council": "north-norfolk", "basis_points": 5000}}})
	corr := l.record(t, domain.TypeEventCorrected, "2016-04-02", map[string]any{
		"target": share.ID, "reason": "The split was misread.",
		"data": map[string]any{"basis": "fixed_ratio",
			"shares": []map[string]any{{"council": "great-yarmouth", "basis_points": 6000}, {"council": "north-norfolk", "basis_points": 4000}}}})
	_, page := get(t, l.client, l.url+"/events/"+share.ID.String())
	text := visible(page)
	assert.Contains(t, text, "Basis: equal → fixed ratio")
	assert.Contains(t, text, "Shares: Council: Great Yarmouth Borough Council, Share: 50%; Council: North Norfolk District Council, Share: 50% → "+
		"Council: Great Yarmouth Borough Council, Share: 60%; Council: North Norfolk District Council, Share: 40%")
	assert.Contains(t, page, "<dt>Subject</dt><dd>shared ICT</dd>")
	_, cpage := get(t, l.client, l.url+"/events/"+corr.ID.String())
	assert.Contains(t, cpage, "<li>Basis: equal → fixed ratio</li>")
	for _, p := range []string{text, visible(cpage)} {
		assert.NotContains(t, p, "fixed_ratio")
		assert.NotContains(t, p, "basis_points")
		assert.NotContains(t, p, `{"`)
	}
}
