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

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/api/web"
	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/demo"
	"github.com/partnership-ledger/ledger/eventstore"
)

// ledgerServer is newServer with the store the pages write to, to count what was recorded.
func ledgerServer(t *testing.T) (*httptest.Server, eventstore.Store) {
	t.Helper()
	var store eventstore.Store
	srv := newServerWith(t, func(c *web.Config) { store = c.Store })
	return srv, store
}

// head is the store's last event number.
func head(t *testing.T, store eventstore.Store) uint64 {
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
func clerkAt(t *testing.T, srv *httptest.Server, path string) (*http.Client, url.Values) {
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
func hiddenFields(t *testing.T, page string) url.Values {
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
		"a correction":   {demoEvent("correct-trial-end") + "/retract", http.StatusConflict, "is a EventCorrected; correct or retract the original event instead. Nothing was recorded."},
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
		"a field twice":    {twice, http.StatusBadRequest, "the field “Why it is retracted” twice"},
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
	before := head(t, store)
	var wg sync.WaitGroup
	at := make([]string, 3)
	for i := range 2 {
		wg.Go(func() {
			status, u, page := post(t, c, srv, path, f)
			assert.Equal(t, http.StatusOK, status, page)
			at[i] = u.RawQuery
		})
	}
	wg.Wait()
	_, u, _ := post(t, c, srv, path, f)
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
