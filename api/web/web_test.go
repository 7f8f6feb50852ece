package web_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/api/web"
	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/demo"
	"github.com/partnership-ledger/ledger/domain/recording"
	"github.com/partnership-ledger/ledger/eventstore/bolt"
	"github.com/partnership-ledger/ledger/fault/faulttest"
	"github.com/partnership-ledger/ledger/projections"
)

// clerkToken is the one token the fake authenticator accepts (package api wires its token store).
const clerkToken = "test-recorder-token"

const gnn = "/partnerships/" + demo.GreatYarmouthNorthNorfolk

// fakeAuth accepts clerkToken as a recorder, and nothing else.
func fakeAuth(_ *http.Request, token string) (string, string, bool) {
	if token == clerkToken {
		return "test clerk", "recorder", true
	}
	return "", "", false
}

// newServer serves the pages over a temp bbolt store seeded with the Norfolk demo, with the
// projections and the audit log following it.
func newServer(t testing.TB) *httptest.Server {
	t.Helper()
	return newServerWith(t, nil)
}

// newServerWith is newServer with a hook that may change the Config before the pages start.
func newServerWith(t testing.TB, configure func(*web.Config)) *httptest.Server {
	t.Helper()
	store, err := bolt.Open(filepath.Join(t.TempDir(), "ledger.db"), bolt.Options{})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	_, err = demo.SeedStore(ctx, store)
	require.NoError(t, err)
	key, err := audit.NewKey()
	require.NoError(t, err)
	models := projections.NewModels(projections.Options{})
	log := audit.NewLog(store, key)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); _ = projections.NewRunner(store, models).Run(ctx) }()
	go func() { defer wg.Done(); _ = log.Run(ctx) }()
	cfg := web.Config{Models: models, Log: log, Store: store, Recorder: recording.New(store, nil), Authenticate: fakeAuth}
	if configure != nil {
		configure(&cfg)
	}
	srv := httptest.NewServer(web.New(cfg))
	t.Cleanup(func() { srv.Close(); cancel(); wg.Wait(); store.Close() })
	head, err := store.Head(ctx)
	require.NoError(t, err)
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	require.NoError(t, models.WaitFor(wctx, head.Seq))
	require.NoError(t, log.WaitFor(wctx, head.Seq))
	return srv
}

// postSignIn signs in as a browser does: it loads the sign-in form (which sets the form's CSRF
// cookie), then posts form with the form's CSRF token added.
func postSignIn(t testing.TB, c *http.Client, base string, form url.Values) (*http.Response, error) {
	t.Helper()
	form.Set("csrf", signinFormToken(t, c, base))
	return c.PostForm(base+"/signin", form)
}

// clerkAtRecordForm signs the clerk in on a fresh cookie jar, lands on the record form, and returns
// the client and the form's CSRF token.
func clerkAtRecordForm(t *testing.T, srv *httptest.Server) (*http.Client, string) {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	c := &http.Client{Jar: jar}
	res, err := postSignIn(t, c, srv.URL, url.Values{"token": {clerkToken}, "next": {gnn + "/record"}})
	require.NoError(t, err)
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	csrf := regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`).FindStringSubmatch(string(b))
	require.NotNil(t, csrf, "the record form carries a CSRF token")
	return c, csrf[1]
}

func get(t *testing.T, c *http.Client, u string) (int, string) {
	t.Helper()
	res, err := c.Get(u)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, string(b)
}

func TestPages(t *testing.T) {
	srv := newServer(t)
	tests := []struct {
		name   string
		path   string
		status int
		want   []string
		not    []string
	}{
		{"list", "/", 200, []string{"<h1>Partnerships</h1>", "great-yarmouth-north-norfolk", "norfolk-revenues-benefits"}, nil},
		{"before the appointment", gnn + "?as_of=2015-11-06", 200, []string{"No joint appointments were in effect on 2015-11-06"}, []string{"Sheila Oxtoby"}},
		{"after the appointment", gnn + "?as_of=2015-11-07", 200, []string{"Sheila Oxtoby", "head of paid service", `href="/events/`, "Signed tree head checked", "pack.pdf?as_of=2015-11-07"}, nil},
		// Posts and roles in the ledger's one wording (domain/words): acronyms in capitals, the s151 role named.
		{"posts and roles in words", gnn + "?as_of=2015-12-18", 200, []string{"chief finance officer (s151) at", "human resources"}, []string{"chief-finance-officer", "human_resources"}},
		// One money and one percentage formatter (domain.Pence.String, domain.BasisPoints.String).
		{"money and shares", gnn + "?as_of=2016-03-31", 200, []string{"£40,000<", " 50%<"}, []string{"£40,000.00", "50.00%"}},
		// Councils by name, not slug, in the services table (it showed "great-yarmouth, north-norfolk"),
		// and a figure not recorded in the one phrase (it was "none set" and "not yet").
		{"services and savings in words", gnn + "?as_of=2016-03-31", 200, []string{`<td data-label="Receiving">Great Yarmouth Borough Council, North Norfolk District Council</td>`,
			`data-label="Target">not recorded<`, `data-label="Outturn">not recorded<`}, []string{"great-yarmouth, north-norfolk", "none set", "not yet<", "no outturn yet"}},
		// An end date is the last day in force: on 30 September 2016, their last day, the officers
		// still serve North Norfolk with its statutory roles; from 1 October they do not.
		{"on the officers' last day", gnn + "?as_of=2016-09-30", 200, []string{`<span class="role">head of paid service at North Norfolk District Council`,
			`<span class="role">chief finance officer (s151) at North Norfolk District Council`}, nil},
		{"their last day", gnn + "?as_of=2016-09-30", 200, []string{`<span class="role">head of paid service at Great Yarmouth Borough Council`,
			`<span class="role">head of paid service at North Norfolk District Council`}, nil},
		// The day after their last day the partnership is dissolved (issue 21): nothing is shared.
		{"the day after their last day", gnn + "?as_of=2016-10-01", 200, []string{"No joint appointments were in effect on 2016-10-01",
			"ended for North Norfolk District Council, last day 30 September 2016", "not a partner on this date"},
			[]string{`<span class="role">head of paid service at Great Yarmouth Borough Council`, `<span class="role">head of paid service at North Norfolk District Council`,
				`<span class="role">chief finance officer (s151) at North Norfolk District Council`}},
		{"bad as_of is a message by the control", gnn + "?as_of=2015-02-30", 400, []string{"as_of-error", "is not a date"}, nil},
		{"bad known_at is a message by the control", gnn + "?known_at=yesterday", 400, []string{"known_at-error"}, nil},
		{"known_at before the appointment was recorded", gnn + "?as_of=2016-01-01&known_at=2015-11-01", 200, nil, []string{"Sheila Oxtoby"}},
		{"unknown partnership", "/partnerships/nowhere", 404, []string{"Not found"}, nil},
		{"unknown page", "/nothing/here", 404, []string{"Page not found"}, nil},
		{"record form needs sign in", gnn + "/record", 200, []string{"Clerk sign in"}, nil},
		{"unknown pack format", gnn + "/pack.exe", 404, []string{"pack.pdf"}, nil},
		// Was "... month out of range: projections: bad as_of": the message for people, not Error().
		{"pack with a bad as_of", gnn + "/pack.html?as_of=2016-13-01", 400, []string{"is not a valid date (YYYY-MM-DD): month out of range."}, []string{"projections", "bad as_of"}},
		{"pack with a bad known_at", gnn + "/pack.md?known_at=soon", 400, []string{`known_at &#34;soon&#34;: want a seq number`}, []string{"projections", "bad known_at"}},
		{"css", "/static/style.css", 200, []string{":focus-visible"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := get(t, srv.Client(), srv.URL+tt.path)
			assert.Equal(t, tt.status, status)
			for _, w := range tt.want {
				assert.Contains(t, body, w)
			}
			for _, n := range tt.not {
				assert.NotContains(t, body, n)
			}
			if strings.HasSuffix(tt.path, ".css") {
				return
			}
			assert.Equal(t, 1, strings.Count(body, "<h1"), "one h1 per page")
			assert.Contains(t, body, `href="#main"`)
		})
	}
}

func TestEventPageLinksItsProof(t *testing.T) {
	srv := newServer(t)
	_, body := get(t, srv.Client(), srv.URL+gnn+"?as_of=2015-11-07")
	id := regexp.MustCompile(`href="/events/([0-9a-f-]{36})"`).FindStringSubmatch(body)
	require.NotNil(t, id)
	status, ev := get(t, srv.Client(), srv.URL+"/events/"+id[1])
	require.Equal(t, 200, status)
	for _, w := range []string{"Hash", "Previous hash", "/v1/events/" + id[1] + "/proof", "Audit path", "Leaf index"} {
		assert.Contains(t, ev, w)
	}
	// The recorded time is written the one way (domain.TimeText, to the minute), not with seconds.
	assert.Regexp(t, `<dt>Recorded at</dt><dd>\d{4}-\d\d-\d\d \d\d:\d\d UTC</dd>`, ev)
	status, _ = get(t, srv.Client(), srv.URL+"/events/not-an-id")
	assert.Equal(t, 404, status)
}

func TestRecordingNeedsTokenAndCSRF(t *testing.T) {
	srv := newServer(t)
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	c := &http.Client{Jar: jar}

	res, err := postSignIn(t, c, srv.URL, url.Values{"token": {"wrong"}})
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, res.StatusCode)

	res, err = postSignIn(t, c, srv.URL, url.Values{"token": {clerkToken}, "next": {gnn + "/record"}})
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	cookie := res.Request.Response.Header.Get("Set-Cookie")
	assert.Contains(t, cookie, "HttpOnly")
	assert.Contains(t, cookie, "SameSite=Strict")

	form := url.Values{"form": {"savings"}, "council": {"north-norfolk"}, "financial_year": {"2016"}, "category": {"shared management"},
		"amount": {"12345"}, "status": {"forecast"}, "period_to": {"2017-03-31"}, "effective_on": {"2016-09-01"},
		"certainty": {"confirmed"}, "source_kind": {"report"}, "source_title": {"Budget monitoring Q2"}}
	res, err = c.PostForm(srv.URL+gnn+"/record", form)
	require.NoError(t, err)
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	assert.Equal(t, http.StatusForbidden, res.StatusCode, "no CSRF token")
	assert.Contains(t, string(b), "Form expired")
}

// savingsForm is a valid SavingsReported form of amount pounds, with a fresh idempotency key.
func savingsForm(csrf, amount string) url.Values {
	return url.Values{"csrf": {csrf}, "key": {formKey()}, "type": {"SavingsReported"}, "/data/council": {"north-norfolk"},
		"/data/financial_year": {"2016"}, "/data/category": {"shared management"}, "/data/amount_pence": {amount},
		"/data/status": {"forecast"}, "/data/period_to": {"2017-03-31"}, "/effective_on": {"2016-09-01"},
		"/certainty": {"confirmed"}, "/sources/0/kind": {"report"}, "/sources/0/title": {"Budget monitoring Q2"}}
}

// formKey is a fresh form key, as the record page makes one.
func formKey() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// idOf is the element id of the form field named pointer: "/data/amount_pence" → "f-data-amount_pence".
func idOf(pointer string) string { return "f" + strings.ReplaceAll(pointer, "/", "-") }

func TestRecordFormShowsProblemsByTheirFields(t *testing.T) {
	srv := newServer(t)
	c, csrf := clerkAtRecordForm(t, srv)
	base := savingsForm(csrf, "12345")
	tests := []struct {
		name, field, value string
	}{
		{"impossible period end", "/data/period_to", "2017-02-30"},
		{"impossible effective date", "/effective_on", "2016-13-01"},
		{"not a partner", "/data/council", "broadland"},
		{"not an amount", "/data/amount_pence", "lots"},
		{"no source title", "/sources/0/title", ""},
		// Issue 16: the form builds its command and passes the same checks as the API.
		{"201-character category", "/data/category", strings.Repeat("ŵ", 201)},
		{"right-to-left override", "/data/category", "shared ‮management"},
		{"NUL in a source title", "/sources/0/title", "Budget\x00monitoring"},
		{"trailing C1 in a source title (was trimmed away)", "/sources/0/title", "Budget\u0085"},
		{"invalid UTF-8", "/data/category", "caf\xe9"},
		{"effective 9999-12-31", "/effective_on", "9999-12-31"},
		{"amount beyond £100bn", "/data/amount_pence", "100000000000.01"},
		// The tester: 1e3 was recorded as £1,000 (a float parse); pounds are decimal text, exactly.
		{"exponent", "/data/amount_pence", "1e3"},
		// £ and grouped thousands are read (TestRecordFormReadsPoundsExactly); commas that do not group thousands are not.
		{"comma not grouping thousands", "/data/amount_pence", "1,00"},
		{"comma as a decimal point", "/data/amount_pence", "£12,50"},
		{"three decimal places", "/data/amount_pence", "5.001"},
		{"hexadecimal", "/data/amount_pence", "0x10"},
		{"infinity", "/data/amount_pence", "Inf"},
		// Values the payload cannot hold: placed by the pointer of the member at fault, /data/financial_year.
		{"year in words", "/data/financial_year", "twenty sixteen"},
		{"status not offered", "/data/status", "maybe"},
		{"control character in the source", "/sources/0/title", "Budget\x1b[2J"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := url.Values{}
			for k, v := range base {
				form[k] = v
			}
			form.Set(tt.field, tt.value)
			res, err := c.PostForm(srv.URL+gnn+"/record", form)
			require.NoError(t, err)
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
			id := idOf(tt.field)
			assert.Contains(t, string(b), `id="`+id+`-error"`)
			msg := fieldError(t, string(b), id+"-error")
			faulttest.AssertForPeople(t, msg)
			assertSummarySays(t, string(b), id, msg)
			assert.Contains(t, string(b), `value="`+html.EscapeString(form.Get("/data/amount_pence"))+`"`, "input kept")
			if tt.field != "/data/amount_pence" && tt.field != "/data/council" && tt.field != "/data/status" && tt.value != "" && utf8.ValidString(tt.value) && strings.IndexFunc(tt.value, unicode.IsControl) < 0 {
				assert.Contains(t, string(b), html.EscapeString(tt.value), "what was typed is shown again")
			}
			assert.Contains(t, string(b), "Nothing was recorded")
			if tt.field == "/data/amount_pence" && !strings.HasPrefix(tt.name, "amount beyond") {
				assert.Contains(t, html.UnescapeString(string(b)), "Amount (£): must be pounds written as digits with at most two decimal places", "the summary names the field")
			}
		})
	}
}

// fieldError returns the text of the error shown beside a form field (the element with the id errID).
func fieldError(t *testing.T, page, errID string) string {
	t.Helper()
	m := regexp.MustCompile(`<p class="field-error" id="` + regexp.QuoteMeta(errID) + `"><span class="visually-hidden">Error:</span> ([^<]*)</p>`).FindStringSubmatch(page)
	if !assert.NotNil(t, m, "an error beside the field %s", errID) {
		return ""
	}
	return html.UnescapeString(m[1])
}

// assertSummarySays asserts that the error summary links an item "Label: message" to the field id,
// its message the one shown beside the field (msg, which starts with a capital there).
func assertSummarySays(t *testing.T, page, id, msg string) {
	t.Helper()
	for _, item := range summaryLinks(page)[id] {
		if _, m, ok := strings.Cut(item, ": "); ok && strings.EqualFold(m, msg) {
			return
		}
	}
	t.Errorf("the summary links no item %q to #%s: %q", msg, id, summaryLinks(page)[id])
}

// summaryLinks returns the items of the error summary by the id of the field each links to.
func summaryLinks(page string) map[string][]string {
	links := map[string][]string{}
	for _, m := range regexp.MustCompile(`<li><a href="#([A-Za-z0-9_-]+)">([^<]*)</a></li>`).FindAllStringSubmatch(page, -1) {
		links[m[1]] = append(links[m[1]], html.UnescapeString(m[2]))
	}
	return links
}

// TestRecordFormReadsPoundsExactly: the clerk's form stores exactly the pence written, for amounts a
// float64 parse would have truncated (0.29 × 100 is 28.999999999999996 as a float), and shows them
// back with the one money formatter. 90071992547409.93 (2^53 + 1 pence) is beyond ±£100bn: refused.
func TestRecordFormReadsPoundsExactly(t *testing.T) {
	srv := newServer(t)
	c, csrf := clerkAtRecordForm(t, srv)
	tests := []struct {
		amount string
		pence  int64
		shown  string
	}{
		{"0.29", 29, "£0.29"},
		{"4.35", 435, "£4.35"},
		{"-0.57", -57, "-£0.57"},
		{"1234567.89", 123_456_789, "£1,234,567.89"},
		{"99999999999.99", 9_999_999_999_999, "£99,999,999,999.99"},
		// Copied from a report: a leading £ and thousands grouped by commas are read on the form.
		{"£12,500.50", 1_250_050, "£12,500.50"},
		{"-£1,000", -100_000, "-£1,000"},
		{"£40000.5", 4_000_050, "£40,000.50"},
	}
	for i, tt := range tests {
		t.Run(tt.amount, func(t *testing.T) {
			form := savingsForm(csrf, tt.amount)
			form.Set("/data/category", fmt.Sprintf("exact amount %d", i))
			res, err := c.PostForm(srv.URL+gnn+"/record", form)
			require.NoError(t, err)
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			require.Equal(t, http.StatusOK, res.StatusCode, "%s", b)
			assert.Contains(t, string(b), tt.shown)
			id := res.Request.URL.Query().Get("recorded")
			require.NotEmpty(t, id)
			status, page := get(t, c, srv.URL+"/events/"+id)
			require.Equal(t, http.StatusOK, status)
			// The event page writes the amount stored in words, to the penny (it showed the JSON).
			assert.Contains(t, page, "<dt>Amount</dt><dd>"+domain.Pence(tt.pence).String()+"</dd>")
			assert.Equal(t, tt.shown, domain.Pence(tt.pence).String())
		})
	}
	res, err := c.PostForm(srv.URL+gnn+"/record", savingsForm(csrf, "90071992547409.93"))
	require.NoError(t, err)
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	assert.Contains(t, string(b), `id="f-data-amount_pence-error"`)
	assert.Contains(t, html.UnescapeString(string(b)), "±£100,000,000,000")
}

func TestRecordThenRetractThroughTheForms(t *testing.T) {
	srv := newServer(t)
	c, csrf := clerkAtRecordForm(t, srv)

	form := savingsForm(csrf, "7654.32")
	form.Set("/data/council", "great-yarmouth")
	form.Set("/certainty", "reported")
	form.Set("/sources/0/kind", "press")
	form.Set("/sources/0/title", "Eastern Daily Press")
	res, err := c.PostForm(srv.URL+gnn+"/record", form)
	require.NoError(t, err)
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Contains(t, res.Request.URL.RawQuery, "recorded=", "redirected to the partnership page")
	assert.Contains(t, string(b), "£7,654.32")
	id := res.Request.URL.Query().Get("recorded")

	// Retracted through the event's retract page (the raw-JSON form it used is gone: its post records
	// nothing).
	res, err = c.PostForm(srv.URL+gnn+"/record", url.Values{"csrf": {csrf}, "form": {"other"}, "type": {"EventRetracted"},
		"data": {`{"target": "` + id + `", "reason": "entered_in_error"}`}, "effective_on": {"2016-10-01"}, "certainty": {"confirmed"},
		"source_kind": {"minutes"}, "source_title": {"Joint committee, 1 October 2016"}})
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	path := "/events/" + id + "/retract"
	status, page := get(t, c, srv.URL+path)
	require.Equal(t, http.StatusOK, status)
	key := regexp.MustCompile(`name="key" value="([0-9a-f]+)"`).FindStringSubmatch(page)
	require.NotNil(t, key)
	tests := []struct {
		name, reason string
		status       int
		want         string
	}{
		{"no reason", "", http.StatusUnprocessableEntity, `id="f-data-reason-error"`},
		{"bad reason", "because", http.StatusUnprocessableEntity, `id="f-data-reason-error"`},
		{"retracted", "entered_in_error", http.StatusOK, "Recorded."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := c.PostForm(srv.URL+path, url.Values{"csrf": {csrf}, "key": {key[1]}, "/data/reason": {tt.reason},
				"/effective_on": {"2016-10-01"}, "/certainty": {"confirmed"}, "/sources/0/kind": {"minutes"},
				"/sources/0/title": {"Joint committee, 1 October 2016"}})
			require.NoError(t, err)
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			assert.Equal(t, tt.status, res.StatusCode)
			assert.Contains(t, string(b), tt.want)
			if tt.status == http.StatusOK {
				page := string(b)
				savings := page[strings.Index(page, `id="savings-h"`):strings.Index(page, `id="timeline-h"`)]
				assert.NotContains(t, savings, "£7,654.32", "the retracted figure is gone")
				assert.Regexp(t, `<del><span class="visually-hidden">Retracted: </span><span class="what">[^<]*£7,654.32`, page, "struck through on the timeline")
			}
		})
	}
}

func TestPrivatePagesNeedSignIn(t *testing.T) {
	srv := newServer(t)
	h := web.New(web.Config{Private: true, Authenticate: fakeAuth})
	for _, path := range []string{"/", gnn, "/events/" + demo.EventID(demo.GreatYarmouthNorthNorfolk, "proposed").String(), gnn + "/pack.pdf"} {
		t.Run(path, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
			assert.Equal(t, http.StatusSeeOther, rec.Code)
			assert.True(t, strings.HasPrefix(rec.Header().Get("Location"), "/signin?next="))
		})
	}
	status, _ := get(t, srv.Client(), srv.URL+"/")
	assert.Equal(t, http.StatusOK, status, "public by default")
}

// The tester: with every field of the savings form blank only the amount's problem was listed (the
// form's own checks hid the domain's); a field with two problems repeated id="FIELD-error" and its
// hint was left out of aria-describedby. Every problem is listed at once, each field has one error
// element holding all its messages, and aria-describedby names the hint and the error.
func TestRecordFormListsEveryProblemOncePerField(t *testing.T) {
	srv := newServer(t)
	c, csrf := clerkAtRecordForm(t, srv)
	form := url.Values{"csrf": {csrf}, "key": {formKey()}, "type": {"SavingsReported"}, "/data/status": {"forecast"}, "/certainty": {"confirmed"}, "/sources/0/kind": {"minutes"}}
	for _, k := range []string{"/data/council", "/data/financial_year", "/data/category", "/data/amount_pence", "/data/period_to", "/effective_on", "/sources/0/title"} {
		form.Set(k, "")
	}
	res, err := c.PostForm(srv.URL+gnn+"/record", form)
	require.NoError(t, err)
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	page := string(b)
	assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	for _, field := range []string{"/data/amount_pence", "/data/council", "/effective_on", "/sources/0/title"} {
		id := idOf(field)
		assert.Equal(t, 1, strings.Count(page, `id="`+id+`-error"`), "one error element for %s", field)
		faulttest.AssertForPeople(t, fieldError(t, page, id+"-error"))
		assert.NotEmpty(t, summaryLinks(page)[id], "the summary lists %s", field)
	}
	assert.Contains(t, page, `aria-describedby="f-data-amount_pence-hint f-data-amount_pence-error"`)
	assert.Contains(t, page, `aria-describedby="f-data-financial_year-hint f-data-financial_year-error"`)
	assert.Contains(t, page, `aria-describedby="f-sources-0-url-hint"`, "a field without errors keeps its hint")

}

// The tester: a record form over 1 MiB was answered 403 "Form expired"; a financial year of 30
// digits was read as 9223372036854775807 (Atoi saturates) and refused with that number.
func TestRecordFormTooLargeAndHugeYear(t *testing.T) {
	srv := newServer(t)
	c, csrf := clerkAtRecordForm(t, srv)
	big := savingsForm(csrf, "12345")
	big.Set("/data/category", strings.Repeat("x", 1<<20))
	res, err := c.PostForm(srv.URL+gnn+"/record", big)
	require.NoError(t, err)
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	assert.Equal(t, http.StatusRequestEntityTooLarge, res.StatusCode)
	assert.Contains(t, string(b), "over the limit of 1 MiB")
	assert.NotContains(t, string(b), "expired")

	year := savingsForm(csrf, "12345")
	year.Set("/data/financial_year", strings.Repeat("9", 30))
	res, err = c.PostForm(srv.URL+gnn+"/record", year)
	require.NoError(t, err)
	b, _ = io.ReadAll(res.Body)
	res.Body.Close()
	assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	msg := fieldError(t, string(b), "f-data-financial_year-error")
	assert.Contains(t, msg, "Must be a financial year")
	assert.Contains(t, string(b), strings.Repeat("9", 30), "the year typed is shown again")
	assert.NotContains(t, string(b), "9223372036854775807")
	faulttest.AssertForPeople(t, msg)
}

// An end recorded before the officer's last day: the page shows the council still served, with its
// last day, until that day, and not after it.
func TestPageShowsALastDayRecordedInAdvance(t *testing.T) {
	srv := newServerWith(t, func(cfg *web.Config) {
		_, err := cfg.Recorder.Record(context.Background(), "test", domain.Command{Partnership: demo.GreatYarmouthNorthNorfolk,
			Type: domain.TypeAppointmentEnded, EffectiveOn: "2016-09-01", Certainty: "confirmed",
			Sources: []domain.SourceRef{{Kind: domain.SourceMinutes, Title: "Minutes"}},
			Data: []byte(`{"officer":{"name":"Karen Sly"},"post":"chief-finance-officer","councils":["great-yarmouth"],
			  "last_day":"2016-09-20","reason":"notice"}`)}, nil)
		require.NoError(t, err)
	})
	_, body := get(t, srv.Client(), srv.URL+gnn+"?as_of=2016-09-20")
	assert.Contains(t, body, `Great Yarmouth Borough Council 50% <span class="sub">(last day 20 September 2016)</span>, North Norfolk District Council 50%`)
	_, body = get(t, srv.Client(), srv.URL+gnn+"?as_of=2016-09-21")
	assert.NotContains(t, body, "(last day")
	assert.Contains(t, body, `<th scope="row">Karen Sly</th>`)
}

// The pages write certainty in words (words.CertaintyText), not as a code.
func TestPagesCertaintyInWords(t *testing.T) {
	srv := newServerWith(t, nil)
	_, body := get(t, srv.Client(), srv.URL+gnn+"?as_of=2016-06-15")
	assert.Contains(t, body, `<span class="tag">reported by a secondary source</span>`)
	assert.Contains(t, body, `<span class="tag">inferred from other facts</span>`)
	assert.NotContains(t, body, `<span class="tag">reported</span>`)
	assert.NotContains(t, body, `<span class="tag">inferred</span>`)
}
