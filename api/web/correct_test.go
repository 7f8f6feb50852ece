package web_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/api/web"
	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/demo"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/internal/browsertest"
)

// ledgerServer is newServer with the store the pages write to, to count what was recorded.
func ledgerServer(t testing.TB) (*httptest.Server, eventstore.Store) {
	t.Helper()
	var store eventstore.Store
	srv := newServerWith(t, func(c *web.Config) { store = c.Store })
	return srv, store
}

// head is the store's last event number.
func head(t testing.TB, store eventstore.Store) uint64 {
	t.Helper()
	h, err := store.Head(context.Background())
	require.NoError(t, err)
	return h.Seq
}

// demoEvent is the address of a demo event of Great Yarmouth and North Norfolk.
func demoEvent(name string) string {
	return "/events/" + demo.EventID(demo.GreatYarmouthNorthNorfolk, name).String()
}

// clerkAt signs the clerk in on a fresh cookie jar and lands on the page at path; it returns the
// client and the page's form (its csrf and key hidden fields).
func clerkAt(t testing.TB, srv *httptest.Server, path string) (*http.Client, url.Values) {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	c := &http.Client{Jar: jar}
	res, err := postSignIn(t, c, srv.URL, url.Values{"token": {clerkToken}, "next": {path}})
	require.NoError(t, err)
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode, string(b))
	return c, hiddenFields(t, string(b))
}

// hiddenFields returns the hidden inputs of a page's form (csrf, key and, on a preview, the values).
func hiddenFields(t testing.TB, page string) url.Values {
	t.Helper()
	v := url.Values{}
	for _, m := range regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`).FindAllStringSubmatch(page, -1) {
		if m[1] != "csrf" || !strings.Contains(m[0], "signout") {
			v.Add(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
		}
	}
	v.Del("csrf")
	m := regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`).FindStringSubmatch(page)
	require.NotNil(t, m, "the page carries a CSRF token")
	v.Set("csrf", m[1])
	return v
}

// post sends form to path and returns the final status, address and body.
func post(t *testing.T, c *http.Client, srv *httptest.Server, path string, form url.Values) (int, *url.URL, string) {
	t.Helper()
	res, err := c.PostForm(srv.URL+path, form)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, res.Request.URL, string(b)
}

// with is form with the given values added (replacing any of the same names).
func with(form url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, v := range form {
		out[k] = append([]string(nil), v...)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out.Set(kv[i], kv[i+1])
	}
	return out
}

// retraction is a complete retract form: a reason, and the retraction's own envelope.
func retraction(form url.Values, reason string) url.Values {
	return with(form, "/data/reason", reason, "/data/notes", "Entered twice by mistake.", "/certainty", "confirmed", "/effective_on", "2016-10-01",
		"/sources/0/kind", "minutes", "/sources/0/title", "Joint committee minutes, 1 October 2016")
}

func TestRetractWithEachReason(t *testing.T) {
	for reason, target := range map[string]string{
		domain.RetractEnteredInError:  "savings-forecast-gy-2015",
		domain.RetractSourceWithdrawn: "savings-forecast-nn-2015",
		domain.RetractDuplicate:       "propose-finance",
	} {
		t.Run(reason, func(t *testing.T) {
			srv, store := ledgerServer(t)
			c, form := clerkAt(t, srv, demoEvent(target)+"/retract")
			_, _, page := post(t, c, srv, demoEvent(target)+"/retract", with(form, "/data/reason", "")) // nothing chosen
			for _, want := range []string{"It was entered in error", "Its source was withdrawn", "It duplicates another event"} {
				assert.Contains(t, page, want, "the reasons in words (words.Retraction)")
			}
			before := head(t, store)

			status, at, page := post(t, c, srv, demoEvent(target)+"/retract", retraction(form, reason))
			require.Equal(t, http.StatusOK, status, page)
			assert.Equal(t, "/partnerships/"+demo.GreatYarmouthNorthNorfolk, at.Path)
			assert.Contains(t, page, "Recorded.")
			require.Equal(t, before+1, head(t, store))
			e := lastEvent(t, store)
			assert.Equal(t, domain.TypeEventRetracted, e.Type)
			assert.JSONEq(t, `{"target":"`+demo.EventID(demo.GreatYarmouthNorthNorfolk, target).String()+`","reason":"`+reason+`","notes":"Entered twice by mistake."}`, string(e.Data))
			assert.Equal(t, "test clerk", e.RecordedBy)

			// The retracted event cannot be retracted (or corrected) again: the domain says why.
			status, page = get(t, c, srv.URL+demoEvent(target)+"/retract")
			assert.Equal(t, http.StatusConflict, status)
			assert.Contains(t, html.UnescapeString(page), "has been retracted. Nothing was recorded.")
		})
	}
}

// lastEvent is the store's last event.
func lastEvent(t *testing.T, store eventstore.Store) eventstore.Event {
	t.Helper()
	for e, err := range store.ReadAll(context.Background(), head(t, store)-1, eventstore.Forward, 1) {
		require.NoError(t, err)
		return e
	}
	t.Fatal("no event")
	return eventstore.Event{}
}

func TestRetractRefusesWhatCannotBeRetracted(t *testing.T) {
	srv, store := ledgerServer(t)
	c, form := clerkAt(t, srv, demoEvent("propose-hr")+"/retract")
	before := head(t, store)
	for name, tc := range map[string]struct {
		path   string
		status int
		want   string
	}{
		"a correction":   {demoEvent("correct-trial-end") + "/retract", http.StatusConflict, "The event is a correction; correct or retract the original event instead. Nothing was recorded."},
		"no such event":  {"/events/" + demo.EventID("nowhere", "x").String() + "/retract", http.StatusNotFound, "The ledger has no record of this."},
		"not an id":      {"/events/not-an-id/retract", http.StatusNotFound, "The ledger has no record of this."},
		"another stream": {"/events/" + demo.EventID(demo.GreatYarmouthNorthNorfolk, "nowhere").String() + "/retract", http.StatusNotFound, "no record"},
	} {
		t.Run(name, func(t *testing.T) {
			status, page := get(t, c, srv.URL+tc.path)
			assert.Equal(t, tc.status, status)
			assert.Contains(t, html.UnescapeString(page), tc.want)
			status, _, page = post(t, c, srv, tc.path, retraction(form, domain.RetractDuplicate))
			assert.Equal(t, tc.status, status)
			assert.Contains(t, html.UnescapeString(page), tc.want)
		})
	}
	assert.Equal(t, before, head(t, store), "nothing recorded")
}

// Hostile or stale forms are refused whole, with a message, and record nothing.
func TestRetractRefusesForgedForms(t *testing.T) {
	srv, store := ledgerServer(t)
	path := demoEvent("propose-hr") + "/retract"
	c, form := clerkAt(t, srv, path)
	good := retraction(form, domain.RetractDuplicate)
	before := head(t, store)
	twice := with(good)
	twice.Add("/data/reason", domain.RetractEnteredInError)
	noKey := with(good)
	noKey.Del("key")
	for name, tc := range map[string]struct {
		form   url.Values
		status int
		want   string
	}{
		"a forged target":  {with(good, "/data/target", demo.EventID(demo.GreatYarmouthNorthNorfolk, "proposed").String()), http.StatusBadRequest, `a field this page does not have ("/data/target")`},
		"an unknown field": {with(good, "/data/amount_pence", "1"), http.StatusBadRequest, "a field this page does not have"},
		"a field twice":    {twice, http.StatusBadRequest, `the field "/data/reason" twice`},
		"no key":           {noKey, http.StatusBadRequest, "lost its key"},
		"no CSRF token":    {with(good, "csrf", "00"), http.StatusForbidden, "Form expired"},
		"too large":        {with(good, "/data/notes", strings.Repeat("x", 1<<20)), http.StatusRequestEntityTooLarge, "over the limit of 1 MiB"},
		"bad reason":       {with(good, "/data/reason", "because"), http.StatusUnprocessableEntity, "Why it is retracted: "},
		"no certainty":     {with(good, "/certainty", ""), http.StatusUnprocessableEntity, `href="#f-certainty"`},
		"bad text":         {with(good, "/data/notes", "a\x00b"), http.StatusUnprocessableEntity, `href="#f-data-notes"`},
	} {
		t.Run(name, func(t *testing.T) {
			status, _, page := post(t, c, srv, path, tc.form)
			assert.Equal(t, tc.status, status)
			assert.Contains(t, html.UnescapeString(page), tc.want)
		})
	}
	assert.Equal(t, before, head(t, store), "nothing recorded")
}

// The same form sent twice, one after the other or at once, records one retraction, and both
// answers lead to it.
func TestRetractDoubleSubmitRecordsOnce(t *testing.T) {
	srv, store := ledgerServer(t)
	path := demoEvent("propose-hr") + "/retract"
	c, form := clerkAt(t, srv, path)
	f := retraction(form, domain.RetractDuplicate)
	recordsOnce(t, c, srv, store, path, f)
}

// recordsOnce sends form to path twice at once and then again: one event is recorded, and every
// answer leads to it.
func recordsOnce(t *testing.T, c *http.Client, srv *httptest.Server, store eventstore.Store, path string, form url.Values) {
	t.Helper()
	before := head(t, store)
	var wg sync.WaitGroup
	at := make([]string, 3)
	for i := range 2 {
		wg.Go(func() {
			status, u, page := post(t, c, srv, path, form)
			assert.Equal(t, http.StatusOK, status, page)
			at[i] = u.RawQuery
		})
	}
	wg.Wait()
	_, u, _ := post(t, c, srv, path, form)
	at[2] = u.RawQuery
	assert.Equal(t, before+1, head(t, store), "recorded once")
	assert.Equal(t, at[0], at[1])
	assert.Equal(t, at[0], at[2])
	assert.Contains(t, at[0], "recorded="+lastEvent(t, store).ID.String())
}

// The correction pages are the clerk's: a browser not signed in is sent to sign in and back.
func TestRetractNeedsSignIn(t *testing.T) {
	srv := newServer(t)
	c := noFollow(t)
	path := demoEvent("propose-hr") + "/retract"
	res, err := c.Get(srv.URL + path)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusSeeOther, res.StatusCode)
	assert.Equal(t, "/signin?next="+url.QueryEscape(path), res.Header.Get("Location"))
	res, err = c.PostForm(srv.URL+path, url.Values{"/data/reason": {"duplicate"}})
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusSeeOther, res.StatusCode)
}

// correction fills a correct form's value step: the new value of the member at pointer, why, and
// the correction's own record.
func correction(form url.Values, pointer, value string) url.Values {
	return with(form, pointer, value, "/data/reason", "The figure was misread from the report.", "/data/evidence", "Report, page 4.",
		"/effective_on", "2016-10-01", "/certainty", "confirmed", "/sources/0/kind", "report", "/sources/0/title", "Budget monitoring Q2", "action", "check")
}

func TestCorrectTheAmountOfASavingsFigure(t *testing.T) {
	srv, store := ledgerServer(t)
	path := demoEvent("savings-forecast-nn-2015") + "/correct"
	c, _ := clerkAt(t, srv, path)
	status, page := get(t, c, srv.URL+path)
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, page, `value="amount_pence"`)
	assert.Contains(t, page, "Amount <span class=\"sub\">now: £40,000</span>", "each field in words with its value now")
	assert.Contains(t, page, "Council <span class=\"sub\">now: North Norfolk District Council</span>")

	// "Next" with no field chosen says so, at the choice.
	status, page = get(t, c, srv.URL+path+"?next=1")
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Contains(t, page, `<a href="#f-field">Which field is wrong: choose the field to correct</a>`)

	status, page = get(t, c, srv.URL+path+"?field=amount_pence&next=1")
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, page, `name="/data/data/amount_pence" inputmode="decimal" value="40000"`, "prefilled in pounds as typed")
	form := hiddenFields(t, page)
	require.NotEmpty(t, form.Get("key"))
	assert.Equal(t, "amount_pence", form.Get("field"))
	before := head(t, store)

	status, _, page = post(t, c, srv, path, correction(form, "/data/data/amount_pence", "45000"))
	require.Equal(t, http.StatusOK, status, page)
	assert.Contains(t, page, "<dt>Amount</dt><dd>£40,000 → £45,000</dd>")
	assert.Contains(t, page, "Nothing has been recorded yet.")
	assert.Equal(t, before, head(t, store), "checking records nothing")

	confirm := hiddenFields(t, page)
	confirm.Set("action", "record")
	status, at, page := post(t, c, srv, path, confirm)
	require.Equal(t, http.StatusOK, status, page)
	assert.Equal(t, "/partnerships/"+demo.GreatYarmouthNorthNorfolk, at.Path)
	require.Equal(t, before+1, head(t, store))
	e := lastEvent(t, store)
	assert.Equal(t, domain.TypeEventCorrected, e.Type)
	assert.JSONEq(t, `{"target":"`+demo.EventID(demo.GreatYarmouthNorthNorfolk, "savings-forecast-nn-2015").String()+`",
		"data":{"amount_pence":4500000},"reason":"The figure was misread from the report.","evidence":"Report, page 4."}`, string(e.Data))
	assert.Equal(t, "2016-10-01", e.EffectiveOn)
	assert.Equal(t, "confirmed", string(e.Certainty))

	// The same confirmation again records nothing more and answers the same event.
	_, again, _ := post(t, c, srv, path, confirm)
	assert.Equal(t, at.RawQuery, again.RawQuery)
	assert.Equal(t, before+1, head(t, store))

	// The field as corrected so far is what the next correction starts from.
	_, page = get(t, c, srv.URL+path+"?field=amount_pence")
	assert.Contains(t, page, `value="45000"`)
}

// checkCorrection opens the value step for member of the demo event name, fills it with value at
// pointer and checks it; it returns the preview's status and page, and the form sent.
func checkCorrection(t *testing.T, c *http.Client, srv *httptest.Server, name, member, pointer, value string) (int, string, url.Values) {
	t.Helper()
	path := demoEvent(name) + "/correct"
	status, page := get(t, c, srv.URL+path+"?field="+member)
	require.Equal(t, http.StatusOK, status, page)
	form := correction(hiddenFields(t, page), pointer, value)
	status, _, page = post(t, c, srv, path, form)
	return status, html.UnescapeString(page), form
}

// Each kind of field is corrected with its own control and previewed in words: a date, a council
// (chosen from the partnership's), an enum, and an envelope field; nothing is recorded by checking.
func TestCorrectEachKindOfField(t *testing.T) {
	srv, store := ledgerServer(t)
	c, _ := clerkAt(t, srv, demoEvent("savings-forecast-nn-2015")+"/correct")
	before := head(t, store)
	for _, tc := range []struct {
		event, member, pointer, value, want string
	}{
		{"savings-forecast-nn-2015", "period_to", "/data/data/period_to", "2016-03-30", "<dt>Period to</dt><dd>31 March 2016 → 30 March 2016</dd>"},
		{"savings-forecast-nn-2015", "council", "/data/data/council", "great-yarmouth", "<dt>Council</dt><dd>North Norfolk District Council → Great Yarmouth Borough Council</dd>"},
		{"savings-forecast-nn-2015", "category", "/data/data/category", "management", "<dt>Category</dt><dd>shared management → management</dd>"},
		{"savings-forecast-nn-2015", "effective_on", "/data/effective_on", "2015-12-17", "<dt>Date it takes effect</dt><dd>18 December 2015 → 17 December 2015</dd>"},
		{"propose-hr", "notes", "/data/data/notes", "Looked at again in 2016.", "<dt>Notes</dt><dd>"},
	} {
		t.Run(tc.member, func(t *testing.T) {
			status, page, _ := checkCorrection(t, c, srv, tc.event, tc.member, tc.pointer, tc.value)
			require.Equal(t, http.StatusOK, status, page)
			assert.Contains(t, page, tc.want)
			assert.Contains(t, page, "<dt>Why it is corrected</dt><dd>The figure was misread from the report.</dd>")
		})
	}
	assert.Equal(t, before, head(t, store), "checking records nothing")
}

// The domain's problems are shown beside the field they concern, and nothing is recorded: a press
// source cannot confirm, a correction that changes nothing corrects nothing, a required member
// cannot be emptied.
func TestCorrectShowsTheDomainsProblemsByTheField(t *testing.T) {
	srv, store := ledgerServer(t)
	c, _ := clerkAt(t, srv, demoEvent("savings-forecast-nn-2015")+"/correct")
	before := head(t, store)
	for _, tc := range []struct {
		member, pointer, value, errID, want string
	}{
		{"certainty", "/data/certainty", "confirmed", "f-data-certainty-error", "every source is a press report"},
		{"amount_pence", "/data/data/amount_pence", "40000", "f-data-data-amount_pence-error", "is the same as it stands"},
		{"amount_pence", "/data/data/amount_pence", "forty", "f-data-data-amount_pence-error", "must be pounds written as digits"},
		{"period_to", "/data/data/period_to", "2016-02-30", "f-data-data-period_to-error", ""},
		{"category", "/data/data/category", "", "f-data-data-category-error", "required"},
	} {
		t.Run(tc.member+" "+tc.value, func(t *testing.T) {
			status, page, _ := checkCorrection(t, c, srv, "savings-forecast-nn-2015", tc.member, tc.pointer, tc.value)
			assert.Equal(t, http.StatusUnprocessableEntity, status)
			assert.Contains(t, page, "Nothing was recorded. Please fix:")
			assert.Contains(t, page, `href="#`+strings.TrimSuffix(tc.errID, "-error")+`"`, "the summary links to the field")
			assert.Contains(t, strings.ToLower(fieldError(t, page, tc.errID)), tc.want)
			assert.Contains(t, page, `name="`+tc.pointer+`"`, "the form is shown again with what was typed")
		})
	}
	// A problem at a field the form does not have is listed in the summary, named in words.
	for _, tc := range []struct{ member, pointer, value, want string }{
		{"financial_year", "/data/data/financial_year", "2016/17", "<li>Period to: 31 March 2016 is not in financial year 2016/17"},
		{"status", "/data/data/status", "outturn", "an outturn for 2015/16 can only be dated after 31 March 2016"},
	} {
		status, page, _ := checkCorrection(t, c, srv, "savings-forecast-nn-2015", tc.member, tc.pointer, tc.value)
		assert.Equal(t, http.StatusUnprocessableEntity, status)
		assert.Contains(t, page, tc.want)
	}
	assert.Equal(t, before, head(t, store))
}

func TestCorrectRefusesWhatCannotBeCorrected(t *testing.T) {
	srv, store := ledgerServer(t)
	c, form := clerkAt(t, srv, demoEvent("propose-hr")+"/retract")
	_, _, page := post(t, c, srv, demoEvent("propose-hr")+"/retract", retraction(form, domain.RetractDuplicate))
	require.Contains(t, page, "Recorded.")
	before := head(t, store)
	for name, tc := range map[string]struct {
		path   string
		status int
		want   string
	}{
		"a correction": {demoEvent("correct-trial-end") + "/correct", http.StatusConflict, "The event is a correction; correct or retract the original event instead. Nothing was recorded."},
		"a retracted event": {demoEvent("propose-hr") + "/correct", http.StatusConflict,
			"The event (“Service sharing proposed”) has been retracted. Nothing was recorded."},
		"no such event": {"/events/" + demo.EventID("nowhere", "x").String() + "/correct", http.StatusNotFound, "The ledger has no record of this."},
	} {
		t.Run(name, func(t *testing.T) {
			for _, q := range []string{"", "?field=notes"} {
				status, page := get(t, c, srv.URL+tc.path+q)
				assert.Equal(t, tc.status, status)
				assert.Contains(t, html.UnescapeString(page), tc.want)
			}
			for _, action := range []string{"check", "record"} {
				status, _, page := post(t, c, srv, tc.path, correction(with(form, "field", "notes", "key", "k1"), "/data/data/notes", "x"))
				assert.Equal(t, tc.status, status, action)
				assert.Contains(t, html.UnescapeString(page), tc.want)
			}
		})
	}
	assert.Equal(t, before, head(t, store), "nothing recorded")
}

// Hostile or stale correction forms are refused whole with a message, and record nothing.
func TestCorrectRefusesForgedForms(t *testing.T) {
	srv, store := ledgerServer(t)
	path := demoEvent("savings-forecast-nn-2015") + "/correct"
	c, _ := clerkAt(t, srv, path)
	_, page := get(t, c, srv.URL+path+"?field=amount_pence")
	good := correction(hiddenFields(t, page), "/data/data/amount_pence", "45000")
	before := head(t, store)
	noKey := with(good)
	noKey.Del("key")
	twice := with(good)
	twice.Add("/data/data/amount_pence", "1")
	for name, tc := range map[string]struct {
		form   url.Values
		status int
		want   string
	}{
		"an unknown field":         {with(good, "field", "nope"), http.StatusBadRequest, `This event (savings reported) has no field "nope" that a correction may replace`},
		"a field of another type":  {with(good, "field", "outcome", "/data/data/outcome", "rejected"), http.StatusBadRequest, `has no field "outcome"`},
		"a field not chosen":       {with(good, "/data/data/category", "x"), http.StatusBadRequest, `a field this page does not have ("/data/data/category")`},
		"a forged target":          {with(good, "/data/target", demo.EventID(demo.GreatYarmouthNorthNorfolk, "proposed").String()), http.StatusBadRequest, `a field this page does not have ("/data/target")`},
		"a forged type":            {with(good, "type", domain.TypeEventRetracted), http.StatusBadRequest, `("type")`},
		"a value twice":            {twice, http.StatusBadRequest, `the field "/data/data/amount_pence" twice`},
		"no key":                   {noKey, http.StatusBadRequest, "lost its key"},
		"no CSRF token":            {with(good, "csrf", "00"), http.StatusForbidden, "Form expired"},
		"too large":                {with(good, "/data/reason", strings.Repeat("x", 1<<20)), http.StatusRequestEntityTooLarge, "over the limit of 1 MiB"},
		"a row beyond the form's":  {with(good, "field", "sources", "/data/sources/999/title", "x"), http.StatusBadRequest, "does not have"},
		"a hostile member name":    {with(good, "field", "../../x\x00"), http.StatusBadRequest, `has no field "../../x\x00"`},
		"record without a key":     {with(noKey, "action", "record"), http.StatusBadRequest, "lost its key"},
		"record a forged target":   {with(good, "action", "record", "/data/target", "x"), http.StatusBadRequest, "does not have"},
		"record an unknown member": {with(good, "action", "record", "field", "nope"), http.StatusBadRequest, `no field "nope"`},
	} {
		t.Run(name, func(t *testing.T) {
			status, _, page := post(t, c, srv, path, tc.form)
			assert.Equal(t, tc.status, status)
			assert.Contains(t, html.UnescapeString(page), tc.want)
		})
	}
	for _, q := range []string{"nope", "outcome", "target", "data"} {
		status, page := get(t, c, srv.URL+path+"?field="+q)
		assert.Equal(t, http.StatusBadRequest, status, q)
		assert.Contains(t, html.UnescapeString(page), `no field "`+q+`"`)
	}
	assert.Equal(t, before, head(t, store), "nothing recorded")
}

// A confirmed correction sent twice at once, and again after, records once; every answer leads to
// the one correction.
func TestCorrectDoubleSubmitRecordsOnce(t *testing.T) {
	srv, store := ledgerServer(t)
	path := demoEvent("savings-forecast-nn-2015") + "/correct"
	c, _ := clerkAt(t, srv, path)
	_, page := get(t, c, srv.URL+path+"?field=amount_pence")
	_, _, page = post(t, c, srv, path, correction(hiddenFields(t, page), "/data/data/amount_pence", "45000"))
	confirm := hiddenFields(t, page)
	confirm.Set("action", "record")
	recordsOnce(t, c, srv, store, path, confirm)
	before := head(t, store) - 1

	// The same key with another value is not a second correction: it is refused, and says why.
	status, _, page := post(t, c, srv, path, with(confirm, "/data/data/amount_pence", "46000"))
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Contains(t, html.UnescapeString(page), "This form was already recorded as event [")
	assert.Equal(t, before+1, head(t, store))
}

// A list is corrected whole; its rows are added and removed by a round trip that records nothing.
func TestCorrectAListByRows(t *testing.T) {
	srv, store := ledgerServer(t)
	path := demoEvent("propose-hr") + "/correct"
	c, _ := clerkAt(t, srv, path)
	status, page := get(t, c, srv.URL+path+"?field=candidates")
	require.Equal(t, http.StatusOK, status, page)
	before := head(t, store)
	form := correction(hiddenFields(t, page), "/sources/0/title", "Budget monitoring Q2")
	form.Set("action", "add:/sources")
	status, _, page = post(t, c, srv, path, form)
	require.Equal(t, http.StatusOK, status, page)
	assert.Contains(t, page, `name="/sources/1/title"`, "a second source row")
	assert.Contains(t, page, `value="Budget monitoring Q2"`, "what was typed is kept")
	assert.Equal(t, before, head(t, store))
}

// FuzzCorrectForm: whatever a correct form holds, the page answers (a page for people, never a 500
// or a dropped connection, as a panic would give) and checking records nothing.
func FuzzCorrectForm(f *testing.F) {
	srv, store := ledgerServer(f)
	path := demoEvent("appoint-sheila-oxtoby") + "/correct"
	c, form := clerkAt(f, srv, path)
	csrf := form.Get("csrf")
	for _, seed := range [][2]string{
		{"councils", "/data/data/councils/0/council=great-yarmouth&/data/data/councils/0/time_share_basis_points=50&/data/data/councils/1/council=north-norfolk&/data/data/councils/1/time_share_basis_points=50.5"},
		{"councils", "/data/data/councils/99999999999999999999/council=x&action=add:/data/data/councils"},
		{"councils", "action=remove:/data/data/councils/0&/data/data/councils/0/council=a"},
		{"councils", "action=remove:/data/data/councils/-1"},
		{"starts_on", "/data/data/starts_on=2015-02-30&/effective_on=9999-99-99&/certainty=x"},
		{"officer", "/data/data/officer/name=%00&/data/reason=%ff%fe"},
		{"approvals", "/data/data/approvals/0/meeting=2015-10-15&/data/data/approvals/0/item=&action=add:/data/data/approvals"},
		{"sources", "/data/sources/0/assumed=title&/data/sources/0/assumed=title&/data/sources/0/sha256=zz&action=record"},
		{"basis", "/data/data/basis=%C2%85&action=edit"},
		{"statutory_role", "/data/data/statutory_role=&/data/reason=why&/effective_on=2016-01-01&/certainty=inferred&/sources/0/kind=report&/sources/0/title=t"},
		{"", "field=councils&field=basis"},
		{"councils", "%zz&&=&/data/data/councils/0/=&/data/data/councils//council=x"},
	} {
		f.Add(seed[0], seed[1])
	}
	before := head(f, store)
	f.Fuzz(func(t *testing.T, field, body string) {
		q := url.Values{"csrf": {csrf}, "key": {"fuzz"}, "field": {field}}
		if strings.Contains(body, "action=record") {
			body = strings.ReplaceAll(body, "action=record", "action=check")
		}
		res, err := c.Post(srv.URL+path, "application/x-www-form-urlencoded", strings.NewReader(body+"&"+q.Encode()))
		require.NoError(t, err, "the server answered")
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		assert.Less(t, res.StatusCode, 500, string(b))
		assert.Equal(t, before, head(t, store), "checking records nothing")
	})
}

// A clerk corrects a figure and retracts an event in a browser: each step (pick the field, its value,
// a refused value, the preview, the retract form) passes axe-core with no serious or critical finding.
func TestCorrectAndRetractInTheBrowser(t *testing.T) {
	srv := newServer(t)
	ctx := browser(t)
	event := srv.URL + demoEvent("savings-forecast-nn-2015")
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/signin?next="+url.QueryEscape(demoEvent("savings-forecast-nn-2015"))),
		chromedp.WaitVisible(chromedp.ID("token")),
		chromedp.SendKeys(chromedp.ID("token"), clerkToken),
		chromedp.Submit(chromedp.ID("token")),
		chromedp.WaitVisible(chromedp.ID("change")),
		chromedp.Click(chromedp.CSS(`#change a[href$="/correct"]`)),
		chromedp.WaitVisible(chromedp.ID("f-field-amount_pence")),
	))
	browsertest.AssertAccessible(t, ctx, "correct: pick the field")
	assert.Contains(t, text(t, ctx, "f-field"), "Amount\nnow: £40,000")

	check := func(amount string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(
			chromedp.Navigate(event+"/correct"),
			chromedp.WaitVisible(chromedp.ID("f-field-amount_pence")),
			chromedp.Click(chromedp.ID("f-field-amount_pence")),
			chromedp.Click(chromedp.ID("submit")),
			chromedp.WaitVisible(chromedp.ID("f-data-data-amount_pence")),
			chromedp.SetValue(chromedp.ID("f-data-data-amount_pence"), amount),
			chromedp.SendKeys(chromedp.ID("f-data-reason"), "The figure was misread from the report."),
			chromedp.SetValue(chromedp.ID("f-effective_on"), "2016-10-01"),
			chromedp.SetValue(chromedp.ID("f-certainty"), "confirmed"),
			chromedp.SetValue(chromedp.ID("f-sources-0-kind"), "report"),
			chromedp.SendKeys(chromedp.ID("f-sources-0-title"), "Budget monitoring Q2"),
			chromedp.Click(chromedp.ID("submit")),
		)
	}
	require.NoError(t, chromedp.Do(ctx, check("forty"), chromedp.WaitVisible(chromedp.ID("f-data-data-amount_pence-error"))))
	browsertest.AssertAccessible(t, ctx, "correct: a refused value")
	require.NoError(t, chromedp.Do(ctx, check("45000"), chromedp.WaitVisible(chromedp.ID("changes"))))
	browsertest.AssertAccessible(t, ctx, "correct: the preview")
	assert.Contains(t, text(t, ctx, "changes"), "£40,000 → £45,000")
	require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.ID("submit")), chromedp.WaitVisible(chromedp.ID("confirmation"))))
	assert.Contains(t, text(t, ctx, "confirmation"), "Recorded")

	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(event+"/retract"),
		chromedp.WaitVisible(chromedp.ID("f-data-reason")),
	))
	browsertest.AssertAccessible(t, ctx, "retract")
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("f-data-reason-0")),
		chromedp.SetValue(chromedp.ID("f-certainty"), "confirmed"),
		chromedp.SetValue(chromedp.ID("f-sources-0-kind"), "minutes"),
		chromedp.SendKeys(chromedp.ID("f-sources-0-title"), "Joint committee minutes, 1 October 2016"),
		chromedp.Click(chromedp.ID("submit")),
		chromedp.WaitVisible(chromedp.ID("confirmation")),
	))
	assert.NotContains(t, text(t, ctx, "savings-table"), "£45,000", "the retracted figure is gone")
}

// A list member is corrected whole and previewed member by member in words, not as JSON: the
// pick step shows it so too.
func TestCorrectAListInWords(t *testing.T) {
	srv, store := ledgerServer(t)
	path := demoEvent("appoint-sheila-oxtoby") + "/correct"
	c, _ := clerkAt(t, srv, path)
	_, page := get(t, c, srv.URL+path)
	assert.Contains(t, page, "Councils <span class=\"sub\">now: Council: Great Yarmouth Borough Council, Time share: 50%; Council: North Norfolk District Council, Time share: 50%</span>")
	_, page = get(t, c, srv.URL+path+"?field=councils")
	assert.Contains(t, page, `name="/data/data/councils/1/time_share_basis_points" inputmode="decimal" value="50"`, "shares prefilled in percent")
	form := correction(hiddenFields(t, page), "/data/data/councils/0/council", "great-yarmouth")
	form.Set("/data/data/councils/0/time_share_basis_points", "60")
	form.Set("/data/data/councils/1/council", "north-norfolk")
	form.Set("/data/data/councils/1/time_share_basis_points", "40")
	before := head(t, store)
	status, _, page := post(t, c, srv, path, form)
	require.Equal(t, http.StatusOK, status, page)
	assert.Contains(t, page, "<dt>Councils</dt><dd>Council: Great Yarmouth Borough Council, Time share: 50%; Council: North Norfolk District Council, Time share: 50% → "+
		"Council: Great Yarmouth Borough Council, Time share: 60%; Council: North Norfolk District Council, Time share: 40%</dd>")
	assert.NotContains(t, page, "&#34;council&#34;", "no JSON")
	assert.Equal(t, before, head(t, store))
}
