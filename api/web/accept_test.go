package web_test

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/api/web"
	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/internal/browsertest"
	"github.com/partnership-ledger/ledger/projections"
)

// TestAcceptance is issue 23's acceptance test, as a clerk meets the pages in a real browser
// (headless Chromium, one for the whole test): the clerk signs in, proposes a new partnership through
// /partnerships/new, records one event of every other type through the generated forms (the values
// of everyTypeForm, filled by element id; repeated groups grown with the forms' Add buttons and one
// row taken away with its Remove button, round trips that need no script, what was typed kept),
// corrects one field through the correction pages (the field picked, the new value typed, old → new
// checked before anything is recorded) and retracts one event through its page (the reason in
// words), then checks the ledger (one event of every type, nothing else), the state (the server's
// models and the partnership page's facts in words), the timeline (the retracted event struck through
// with its reason, the corrected one tagged and linked to its correction) and the event pages' links
// both ways.
//
// Every step waits on a condition with a deadline (a page loaded, an element present), never a sleep;
// a refused form fails the test with the page's error summary.
func TestAcceptance(t *testing.T) {
	var cfg web.Config
	srv := newServerWith(t, func(c *web.Config) { cfg = *c })
	ctx := browsertest.Start(t, browsertest.Options{Timeout: 6 * time.Minute})
	b := &clerkBrowser{t: t, ctx: ctx, base: srv.URL}
	slug := everyTypeSlug
	partnership := "/partnerships/" + slug
	recorded := map[string]string{} // event type → the id of the event its form recorded

	// The clerk signs in and lands on the propose page.
	b.do("open the sign-in page",
		chromedp.Navigate(b.base+"/signin?next="+url.QueryEscape("/partnerships/new")),
		chromedp.WaitVisible(chromedp.ID("token")),
		chromedp.SendKeys(chromedp.ID("token"), clerkToken))
	b.send("sign in", chromedp.Submit(chromedp.ID("token")))
	require.True(t, b.present("f-partnership"), "signed in, the clerk is on the propose page: %s", b.summary())

	forms := everyTypeForm()
	require.Equal(t, domain.TypePartnershipProposed, forms[0].Type)
	for i, tf := range forms {
		switch {
		case i == 0: // already on /partnerships/new
			// What is typed survives the Add and Remove round trips: a third partner is added,
			// named, and removed again, the first two kept as typed.
			first := url.Values{}
			for _, k := range []string{"/data/name", "/data/partners/0/name", "/data/partners/1/name"} {
				first[k] = tf.Values[k]
			}
			b.fill("the proposal", first)
			b.rows("the proposal", url.Values{"/data/partners/2/name": {""}})
			b.fill("the proposal", url.Values{"/data/partners/2/name": {"Boston Borough Council"}})
			b.rows("the proposal", url.Values{"/data/partners/1/name": {""}})
			for k, v := range first {
				kept, err := chromedp.Run(b.step(), chromedp.Value(chromedp.ID(idOf(k))))
				require.NoError(t, err)
				assert.Equal(t, v[0], kept, "%s kept through the round trips", k)
			}
		case tf.Type == domain.TypeCouncilJoinedPartnership:
			// The first event after the proposal is reached as a clerk would: the partnership page's
			// "Record an event", then the type chosen from the list.
			b.send("open the record page", chromedp.Click(chromedp.CSS(`a.button[href="`+partnership+`/record"]`)))
			b.send("choose "+tf.Type, chromedp.Click(chromedp.CSS(`ul.types a[href="`+partnership+`/record?type=`+tf.Type+`"]`)))
		default:
			b.do("open the form of "+tf.Type, chromedp.Navigate(b.base+partnership+"/record?type="+tf.Type))
		}
		require.True(t, b.present("submit"), "%s: the form is shown: %s", tf.Type, b.summary())
		require.NotContains(t, recorded, tf.Type, "everyTypeForm has %s once", tf.Type)
		recorded[tf.Type] = b.record(tf.Type, tf.Values)
	}
	assert.GreaterOrEqual(t, b.added, 3, "rows were added with the forms' Add buttons")
	assert.Equal(t, 1, b.removed, "a row was removed with its Remove button")

	// A retraction, from the event's own page: the reason chosen in words.
	funding := recorded[domain.TypeExternalFundingAwarded]
	b.do("open the funding event's page", chromedp.Navigate(b.base+"/events/"+funding), chromedp.WaitVisible(chromedp.ID("change")))
	b.send("open its retract page", chromedp.Click(chromedp.CSS(`#change a[href="/events/`+funding+`/retract"]`)))
	require.True(t, b.present("target"), "the retract page names its event: %s", b.summary())
	reason, err := chromedp.Run(b.step(), chromedp.Text(chromedp.CSS(`label[for^="f-data-reason"]`)))
	require.NoError(t, err)
	assert.NotContains(t, reason, "_", "the reasons are in words, not the enum's values")
	recorded[domain.TypeEventRetracted] = b.record("the retraction", url.Values{
		"/data/reason": {domain.RetractEnteredInError}, "/data/notes": {"The award was entered against the wrong partnership."},
		"/certainty": {"confirmed"}, "/sources/0/kind": {"report"}, "/sources/0/title": {"Report to cabinet: the award was entered in error"},
	})

	// A correction of one field, from the event's own page: the savings forecast typed as £40,000.50
	// was £45,000. The field is picked, the new value typed, old → new checked before anything is
	// recorded, then recorded.
	savingsID := recorded[domain.TypeSavingsReported]
	b.do("open the savings figure's page", chromedp.Navigate(b.base+"/events/"+savingsID), chromedp.WaitVisible(chromedp.ID("change")))
	b.send("open its correct page", chromedp.Click(chromedp.CSS(`#change a[href="/events/`+savingsID+`/correct"]`)))
	require.True(t, b.present("f-field"), "the correct page asks which field: %s", b.summary())
	picks := b.text("f-field", "fieldset")
	assert.Contains(t, picks, "£40,000.50", "each field with its value now, in words")
	tick(b, "the correction", "field=amount_pence", chromedp.CSS(`input[name="field"][value="amount_pence"]`))
	b.send("the correction: choose the amount", chromedp.Click(chromedp.ID("submit")))
	amount := idOf("/data/data/amount_pence")
	require.True(t, b.present(amount), "the amount's control: %s", b.summary())
	current, err := chromedp.Run(b.step(), chromedp.Value(chromedp.ID(amount)))
	require.NoError(t, err)
	assert.Equal(t, "40000.50", current, "the control starts with the value now, in pounds")
	b.do("the correction: type the right amount", chromedp.Clear(chromedp.ID(amount)), chromedp.SendKeys(chromedp.ID(amount), "45000"))
	b.fill("the correction", url.Values{
		"/data/reason": {"The forecast was misread from the quarter 2 report."},
		"/certainty":   {"confirmed"}, "/sources/0/kind": {"report"}, "/sources/0/title": {"Budget monitoring, quarter 2 (corrected figures)"},
	})
	before := len(b.history(cfg, slug))
	b.send("the correction: check it", chromedp.Click(chromedp.ID("submit")))
	require.True(t, b.present("changes"), "the preview shows old → new: %s", b.summary())
	assert.Contains(t, text(t, b.step(), "changes"), "£40,000.50 → £45,000", "old → new in words")
	assert.Len(t, b.history(cfg, slug), before, "checking records nothing")
	recorded[domain.TypeEventCorrected] = b.record("the correction", nil)

	// The ledger holds one event of every type, recorded by the forms: the Add round trips and the
	// correction's check recorded nothing.
	hist := b.history(cfg, slug)
	count := map[string]int{}
	for _, e := range hist {
		count[e.Type]++
		if want, ok := recorded[e.Type]; ok {
			assert.Equal(t, want, e.ID.String(), "%s: the event the confirmation named", e.Type)
		}
	}
	for _, typ := range domain.EventTypes() {
		assert.Equal(t, 1, count[typ], "one %s recorded", typ)
	}
	assert.Len(t, hist, len(domain.EventTypes()), "nothing else was recorded")

	// The state, from the server's models: in mid-2016 three partners, the joint chief executive and
	// her shares, the monitoring officer, human resources shared; the funding retracted.
	require.NoError(t, cfg.Models.WaitFor(context.Background(), cfg.Models.Seq()))
	mid, err := cfg.Models.State(slug, projections.Query{AsOf: domain.MustDate("2016-06-15")})
	require.NoError(t, err)
	var partners []string
	for _, p := range mid.Partners {
		partners = append(partners, p.Council)
	}
	assert.ElementsMatch(t, []string{"breckland", "south-holland", "fenland"}, partners)
	officers := map[string]projections.Appointment{}
	for _, a := range mid.Appointments {
		officers[a.Officer] = a
	}
	require.Contains(t, officers, "Jane Smith", "the joint chief executive")
	assert.Len(t, officers["Jane Smith"].Councils, 3, "her time shared by three councils")
	require.Contains(t, officers, "John Brown", "the monitoring officer")
	require.Len(t, officers["John Brown"].Roles, 1)
	assert.Equal(t, "monitoring_officer", string(officers["John Brown"].Roles[0].Role))
	require.Len(t, mid.Services, 1)
	assert.Equal(t, "human resources", mid.Services[0].Service)
	assert.Empty(t, mid.Funding, "the retracted award is not in effect")
	now, err := cfg.Models.State(slug, projections.Query{})
	require.NoError(t, err)
	assert.Equal(t, projections.StatusDissolved, now.Status.Value)

	// The partnership page says the same in words: names, not slugs.
	b.do("open the partnership in mid-2016", chromedp.Navigate(b.base+partnership+"?as_of=2016-06-15"), chromedp.WaitVisible(chromedp.ID("people")))
	status := b.text("status-h", "section")
	for _, name := range []string{"Breckland District Council", "South Holland District Council", "Fenland District Council"} {
		assert.Contains(t, status, name)
	}
	people := text(t, b.step(), "people")
	assert.Contains(t, people, "Jane Smith")
	assert.Contains(t, strings.ToLower(people), "monitoring officer")
	assert.NotContains(t, people, "fenland", "councils by name")
	b.do("open the partnership as of late 2016", chromedp.Navigate(b.base+partnership+"?as_of=2016-10-01"), chromedp.WaitVisible(chromedp.ID("savings-table")))
	savings := text(t, b.step(), "savings-table")
	assert.Contains(t, savings, "£100,000", "the target, typed in pounds")
	assert.Contains(t, savings, "£45,000", "the forecast as corrected")
	assert.NotContains(t, savings, "£40,000.50", "the forecast as first recorded is corrected")
	late, err := cfg.Models.State(slug, projections.Query{AsOf: domain.MustDate("2016-10-01")})
	require.NoError(t, err)
	var forecast *domain.Pence
	for _, y := range late.Savings.Years {
		for _, c := range y.Councils {
			if y.Label == "2016/17" && c.Council == "breckland" {
				forecast = c.ForecastPence
			}
		}
	}
	require.NotNil(t, forecast, "Breckland's 2016/17 forecast: %+v", late.Savings)
	assert.Equal(t, domain.Pence(4500000), *forecast, "the corrected forecast, in pence")

	// The timeline (today: everything recorded): the retracted award struck through with its reason
	// and a link to the retraction.
	b.do("open the partnership today", chromedp.Navigate(b.base+partnership), chromedp.WaitVisible(chromedp.ID("timeline")))
	entries := b.timeline()
	var struck []timelineItem
	for _, e := range entries {
		if e.Retracted {
			struck = append(struck, e)
		}
	}
	require.Len(t, struck, 1, "one retracted entry on the timeline: %v", entries)
	assert.Contains(t, struck[0].Del, "Local Government Association", "the award itself is struck through")
	assert.Contains(t, struck[0].Text, "it was entered in error", "with its reason in words")
	assert.Contains(t, struck[0].Links, "/events/"+recorded[domain.TypeEventRetracted], "linked to the retraction")
	var corrected []timelineItem
	for _, e := range entries {
		if slices.Contains(e.Tags, "corrected") {
			corrected = append(corrected, e)
		}
	}
	require.Len(t, corrected, 1, "one corrected entry on the timeline: %v", entries)
	assert.Contains(t, corrected[0].Text, "£45,000", "shown as corrected")
	assert.Contains(t, corrected[0].Links, "/events/"+savingsID, "linked to the event")
	assert.Contains(t, corrected[0].Links, "/events/"+recorded[domain.TypeEventCorrected], "and to its correction")
	assert.Len(t, entries, len(domain.EventTypes())-2, "every event but the correction and the retraction is on the timeline")

	// The event pages link the retraction and its event both ways.
	b.do("open the retracted event", chromedp.Navigate(b.base+"/events/"+funding), chromedp.WaitVisible(chromedp.ID("retracted")))
	assert.Contains(t, b.links("retracted"), "/events/"+recorded[domain.TypeEventRetracted])
	assert.False(t, b.present("change"), "a retracted event offers no correction or retraction")
	b.do("open the retraction", chromedp.Navigate(b.base+"/events/"+recorded[domain.TypeEventRetracted]), chromedp.WaitVisible(chromedp.ID("retracts")))
	assert.Contains(t, b.links("retracts"), "/events/"+funding)

	// And the correction and its event.
	b.do("open the corrected event", chromedp.Navigate(b.base+"/events/"+savingsID), chromedp.WaitVisible(chromedp.CSS(`div.corrected`)))
	banner, err := chromedp.Run(b.step(), chromedp.Text(chromedp.CSS(`div.corrected`)))
	require.NoError(t, err)
	assert.Contains(t, banner, "£40,000.50 → £45,000", "the event says what was corrected")
	assert.Contains(t, eval[[]string](b, `Array.from(document.querySelectorAll("div.corrected a")).map(a => a.getAttribute("href"))`),
		"/events/"+recorded[domain.TypeEventCorrected], "linked to the correction")
	b.do("open the correction", chromedp.Navigate(b.base+"/events/"+recorded[domain.TypeEventCorrected]), chromedp.WaitVisible(chromedp.ID("corrects")))
	assert.Contains(t, b.links("corrects"), "/events/"+savingsID, "the correction links its event")
}

// clerkBrowser drives one browser tab through the pages as a clerk: each step has a deadline of its
// own, within the browser's (the whole test's) deadline.
type clerkBrowser struct {
	t       *testing.T
	ctx     context.Context
	base    string
	added   int // rows added with a form's Add button
	removed int // rows removed with a form's Remove button
}

// stepTimeout bounds one step (a page load, a form's round trip): generous, for a loaded machine.
const stepTimeout = 60 * time.Second

// step is a context for one step's browsing, ended by the test's cleanup at the latest.
func (b *clerkBrowser) step() context.Context {
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	b.t.Cleanup(cancel)
	return ctx
}

// do runs actions that need no new page (or wait for it themselves, as Navigate does).
func (b *clerkBrowser) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	require.NoError(b.t, chromedp.Do(b.step(), actions...), what)
}

// send runs an action that sends a form or follows a link, and waits until the page it leads to has
// loaded.
func (b *clerkBrowser) send(what string, action chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	res, err := chromedp.RunResponse(b.step(), action)
	require.NoError(b.t, err, what)
	require.NotNil(b.t, res, what)
	require.Less(b.t, res.Status, int64(500), "%s: answered %d: %s", what, res.Status, b.summary())
}

// eval evaluates a JavaScript expression on the page shown.
func eval[T any](b *clerkBrowser, expr string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.step(), chromedp.Evaluate[T](expr))
	require.NoError(b.t, err, expr)
	return v
}

// js is s as a JavaScript string literal.
func js(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}

// present reports whether the page shown has an element with that id.
func (b *clerkBrowser) present(id string) bool {
	return eval[bool](b, `!!document.getElementById(`+js(id)+`)`)
}

// summary is the page's error summary (or, without one, its main text), for a failure's message.
func (b *clerkBrowser) summary() string {
	return eval[string](b, `location.pathname + location.search + ": " + (document.getElementById("error-summary") || document.querySelector("main") || document.body).innerText`)
}

// text is the text of the element whose child has the id, the nearest ancestor matching parent.
func (b *clerkBrowser) text(id, parent string) string {
	return eval[string](b, `(document.getElementById(`+js(id)+`).closest(`+js(parent)+`) || {innerText: ""}).innerText`)
}

// links are the hrefs of the links inside the element with that id.
func (b *clerkBrowser) links(id string) []string {
	return eval[[]string](b, `Array.from(document.querySelectorAll("#"+`+js(id)+`+" a")).map(a => a.getAttribute("href"))`)
}

// record fills the form shown with values (by element id: "f" + the field's JSON pointer with "/"
// written "-"; rows the values name are added first with the form's Add buttons), sends it with its
// Record button, and returns the id of the event the confirmation names. A refusal fails the test
// with the page's error summary.
func (b *clerkBrowser) record(what string, values url.Values) string {
	b.t.Helper()
	b.rows(what, values)
	b.fill(what, values)
	b.send(what+": record", chromedp.Click(chromedp.ID("submit")))
	if !b.present("confirmation") {
		require.Fail(b.t, what+" was not recorded", "%s", b.summary())
	}
	assert.Contains(b.t, text(b.t, b.step(), "confirmation"), "Recorded", what)
	loc, err := chromedp.Run(b.step(), chromedp.Location())
	require.NoError(b.t, err)
	u, err := url.Parse(loc)
	require.NoError(b.t, err)
	id := u.Query().Get("recorded")
	require.NotEmpty(b.t, id, "%s: the confirmation names the event (%s)", what, loc)
	return id
}

// rows adds, with the lists' Add buttons (a round trip each), the rows the values name that the form
// does not show yet, outer lists first, and removes with the Remove buttons rows it shows that the
// values leave empty.
func (b *clerkBrowser) rows(what string, values url.Values) {
	b.t.Helper()
	need := map[string]int{} // list pointer → rows the values fill
	for k := range values {
		segs := strings.Split(k, "/")
		for i := 1; i < len(segs); i++ {
			if n, err := strconv.Atoi(segs[i]); err == nil {
				list := strings.Join(segs[:i], "/")
				need[list] = max(need[list], n+1)
			}
		}
	}
	lists := slices.Collect(func(yield func(string) bool) {
		for l := range need {
			if !yield(l) {
				return
			}
		}
	})
	sort.Slice(lists, func(i, j int) bool {
		di, dj := strings.Count(lists[i], "/"), strings.Count(lists[j], "/")
		return di < dj || di == dj && lists[i] < lists[j]
	})
	for _, list := range lists {
		have := b.rowCount(list)
		for have < need[list] {
			b.send(what+": add a row to "+list, chromedp.Click(chromedp.CSS(`button[name="action"][value="add:`+list+`"]`)))
			n := b.rowCount(list)
			require.Equal(b.t, have+1, n, "%s: Add gave %s a row: %s", what, list, b.summary())
			have = n
			b.added++
		}
		for have > need[list] {
			row := list + "/" + strconv.Itoa(have-1)
			b.send(what+": remove "+row, chromedp.Click(chromedp.CSS(`button[name="action"][value="remove:`+row+`"]`)))
			n := b.rowCount(list)
			require.Equal(b.t, have-1, n, "%s: Remove took a row from %s: %s", what, list, b.summary())
			have = n
			b.removed++
		}
	}
}

// rowCount is how many rows of the list at pointer the form shows (rows /list/0, /list/1, … by id).
func (b *clerkBrowser) rowCount(list string) int {
	return eval[int](b, `(() => { let n = 0; while (document.getElementById(`+js(idOf(list))+` + "-" + n)) n++; return n })()`)
}

// fill sets each field the values name, as its control takes it: a text, date, money or number
// input or a select by its value, a checkbox ticked, a group of checkboxes or radios by ticking the
// values. A field the form lacks fails the test.
func (b *clerkBrowser) fill(what string, values url.Values) {
	b.t.Helper()
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for k := range values {
			if !yield(k) {
				return
			}
		}
	}) {
		vals := values[name]
		if name == "type" || len(vals) == 0 || len(vals) == 1 && vals[0] == "" {
			continue // the type is the page's; a blank field is left blank
		}
		id := idOf(name)
		kind := eval[string](b, `(() => {
			const el = document.getElementById(`+js(id)+`);
			if (!el) return "missing";
			if (el.tagName === "SELECT" || el.tagName === "TEXTAREA") return "value";
			if (el.tagName === "INPUT") return el.type === "checkbox" ? "checkbox" : "value";
			const named = document.getElementsByName(`+js(name)+`);
			return named.length ? named[0].type + "es" : "group";
		})()`)
		switch kind {
		case "value":
			require.Len(b.t, vals, 1, "%s: %s takes one value", what, name)
			b.do(what+": "+name, chromedp.SetValue(chromedp.ID(id), vals[0]))
			got, err := chromedp.Run(b.step(), chromedp.Value(chromedp.ID(id)))
			require.NoError(b.t, err)
			require.Equal(b.t, vals[0], got, "%s: %s took the value (a select offers it)", what, name)
		case "checkbox":
			require.Equal(b.t, []string{"true"}, vals, "%s: %s is a checkbox", what, name)
			tick(b, what, name, chromedp.ID(id))
		case "checkboxes", "radioes":
			for _, v := range vals {
				tick(b, what, name+"="+v, chromedp.CSS(`input[name=`+js(name)+`][value=`+js(v)+`]`))
			}
		default:
			require.Fail(b.t, "no field", "%s: the form has no control %s (#%s): %s", what, name, id, kind)
		}
	}
}

// tick clicks a checkbox or radio button unless it is checked already, then checks it is.
func tick[S chromedp.Selectable](b *clerkBrowser, what, name string, sel S) {
	b.t.Helper()
	checked := func() bool {
		v, err := chromedp.Run(b.step(), chromedp.JavascriptAttribute[bool](sel, "checked"))
		require.NoError(b.t, err, "%s: %s", what, name)
		return v
	}
	if !checked() {
		b.do(what+": tick "+name, chromedp.Click(sel))
	}
	require.True(b.t, checked(), "%s: %s ticked", what, name)
}

// history is the partnership's events as the recorder holds them.
func (b *clerkBrowser) history(cfg web.Config, slug string) []domain.Recorded {
	b.t.Helper()
	hist, err := cfg.Recorder.History(b.step(), slug)
	require.NoError(b.t, err)
	return hist
}

// timelineItem is one entry of the partnership page's timeline.
type timelineItem struct {
	Retracted bool     `json:"retracted"` // struck through (class retracted)
	Del       string   `json:"del"`       // the struck-through text
	Tags      []string `json:"tags"`      // the entry's tags ("corrected", a certainty)
	Text      string   `json:"text"`
	Links     []string `json:"links"`
}

// timeline reads the timeline of the partnership page shown.
func (b *clerkBrowser) timeline() []timelineItem {
	return eval[[]timelineItem](b, `Array.from(document.querySelectorAll("#timeline ol.timeline > li")).map(li => ({
		retracted: li.classList.contains("retracted"),
		del: Array.from(li.querySelectorAll("del")).map(d => d.innerText).join(" "),
		tags: Array.from(li.querySelectorAll(".tag")).map(t => t.innerText),
		text: li.innerText,
		links: Array.from(li.querySelectorAll("a")).map(a => a.getAttribute("href"))}))`)
}

// TestFormsAsABrowserSendsThem keeps two faults TestAcceptance found in the browser, where a form is
// sent as shown (the HTTP tests post chosen values): a new council's slug was a select of the
// partnership's councils (empty when proposing, the partners when one joins), so it could not be
// typed; and a row added to a list whose rows have checkboxes (a source's assumed details) showed a
// ticked checkbox with a blank value, which the browser then sent and the rules refused.
func TestFormsAsABrowserSendsThem(t *testing.T) {
	srv := newServer(t)
	c, hidden := clerkAt(t, srv, "/partnerships/new")
	status, page := get(t, c, srv.URL+"/partnerships/new")
	require.Equal(t, 200, status)
	assert.True(t, strings.Contains(page, `<input id="f-data-partners-0-council" name="/data/partners/0/council"`), "a new partner's slug is typed")
	status, page = get(t, c, srv.URL+gnn+"/record?type="+domain.TypeCouncilJoinedPartnership)
	require.Equal(t, 200, status)
	assert.True(t, strings.Contains(page, `<input id="f-data-council-council" name="/data/council/council"`), "a joining council's slug is typed")

	status, _, page = post(t, c, srv, "/partnerships/new", with(hidden, "/sources/0/title", "", "action", "add:/sources"))
	require.Equal(t, 200, status, summaryOf(page))
	require.True(t, strings.Contains(page, `id="f-sources-1-assumed"`), "the second source was added")
	assert.False(t, strings.Contains(page, `name="/sources/1/assumed" value=""`), "no blank checkbox in the added row")
}
