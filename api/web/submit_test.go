package web_test

import (
	"html"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/domain"
)

// The tester: a correction with the amount left blank recorded {"amount_pence":null}, zeroing a
// savings figure; blanking the date or certainty said "corrects nothing", tied to no field. A blank
// required field is "is required" beside the field, on check and on record, and nothing is recorded.
func TestCorrectionBlankRequiredFieldIsRequired(t *testing.T) {
	srv, store := ledgerServer(t)
	path := demoEvent("savings-forecast-nn-2015") + "/correct"
	c, _ := clerkAt(t, srv, path)
	before := head(t, store)
	for _, tc := range []struct{ member, pointer, errID string }{
		{"amount_pence", "/data/data/amount_pence", "f-data-data-amount_pence-error"},
		{"category", "/data/data/category", "f-data-data-category-error"},
		{"effective_on", "/data/effective_on", "f-data-effective_on-error"},
		{"certainty", "/data/certainty", "f-data-certainty-error"},
	} {
		for _, action := range []string{"check", "record"} {
			t.Run(tc.member+" "+action, func(t *testing.T) {
				status, page := get(t, c, srv.URL+path+"?field="+tc.member+"&next=1")
				require.Equal(t, http.StatusOK, status, page)
				form := with(correction(hiddenFields(t, page), tc.pointer, ""), "action", action)
				status, _, page = post(t, c, srv, path, form)
				assert.Equal(t, http.StatusUnprocessableEntity, status, page)
				assert.Contains(t, strings.ToLower(fieldError(t, page, tc.errID)), "is required")
				assert.False(t, strings.Contains(page, "corrects nothing"), "the problem is said once, at the field")
			})
		}
	}
	assert.Equal(t, before, head(t, store), "nothing recorded")

	// An optional member left blank is removed, as before.
	path = demoEvent("propose-hr") + "/correct"
	status, page := get(t, c, srv.URL+path+"?field=notes&next=1")
	require.Equal(t, http.StatusOK, status, page)
	status, _, page = post(t, c, srv, path, correction(hiddenFields(t, page), "/data/data/notes", ""))
	assert.Equal(t, http.StatusOK, status, summaryOf(page))
	assert.Contains(t, page, "Nothing has been recorded yet.")
}

// The tester: the propose page recorded a second partnership when the same form (the same key) was
// sent again with another name or slug, the key's scope being the slug typed. A form's key names the
// form whatever is typed: the resend is "already recorded as event [n] with other values".
func TestProposeResentWithOtherValuesRecordsOnce(t *testing.T) {
	srv, store := ledgerServer(t)
	c, hidden := clerkAt(t, srv, "/partnerships/new")
	proposal := everyTypeForm()[0]
	form := with(proposal.Values, "csrf", hidden.Get("csrf"), "key", hidden.Get("key"))
	status, at, page := post(t, c, srv, "/partnerships/new", form)
	require.Equal(t, http.StatusOK, status, summaryOf(page))
	require.NotEmpty(t, at.Query().Get("recorded"))
	after := head(t, store)
	for _, kv := range [][]string{{"/partnership", "another-slug"}, {"/data/name", "Another name"}, {"/partnership", ""}} {
		status, _, page = post(t, c, srv, "/partnerships/new", with(form, kv...))
		assert.Equal(t, http.StatusUnprocessableEntity, status, "%v", kv)
		assert.Contains(t, html.UnescapeString(page), "This form was already recorded as event [", "%v", kv)
		assert.Contains(t, page, "with other values", "%v", kv)
	}
	assert.Equal(t, after, head(t, store), "nothing more recorded")
}

// The tester: the record and propose pages recorded a form with no key, or a key over 64 characters,
// each time it was sent; they accepted a name sent twice, names the form does not have, and another
// type's fields. All four pages read their forms through one checker: 400, nothing recorded.
func TestRecordAndProposeRefuseFormsNotTheirs(t *testing.T) {
	srv, store := ledgerServer(t)
	c, hidden := clerkAt(t, srv, "/partnerships/new")
	forms := everyTypeForm()
	proposal := with(forms[0].Values, "csrf", hidden.Get("csrf"), "key", "k-propose")
	var savings url.Values
	for _, tf := range forms {
		if tf.Type == domain.TypeSavingsReported {
			savings = tf.Values
		}
	}
	require.NotNil(t, savings)
	// A savings figure of the demo partnership, whose councils the form names.
	savings = with(savings, "csrf", hidden.Get("csrf"), "key", "k-record", "/data/council", "north-norfolk")
	record := gnn + "/record"
	before := head(t, store)
	for _, tc := range []struct {
		name, path string
		form       url.Values
		want       string
	}{
		{"propose without key", "/partnerships/new", without(proposal, "key"), "The form has lost its key"},
		{"record without key", record, without(savings, "key"), "The form has lost its key"},
		{"propose with a long key", "/partnerships/new", with(proposal, "key", strings.Repeat("k", 65)), "The form has lost its key"},
		{"record with a long key", record, with(savings, "key", strings.Repeat("k", 65)), "The form has lost its key"},
		{"a name twice", record, added(savings, "/data/category", "other"), "twice"},
		{"bogus", record, with(savings, "/bogus", "x"), "does not have"},
		{"data bogus", record, with(savings, "/data/bogus", "x"), "does not have"},
		{"council member", record, with(savings, "/data/council/x", "x"), "does not have"},
		{"recorded_by", record, with(savings, "/recorded_by", "evil"), "does not have"},
		{"partnership", record, with(savings, "/partnership", "other"), "does not have"},
		{"another type's fields", record, with(savings, "type", domain.TypeSavingsTargetSet), "does not have"},
		{"propose bogus", "/partnerships/new", with(proposal, "/data/bogus", "x"), "does not have"},
		{"an unknown button", record, with(savings, "action", "bogus"), "a button this page does not have"},
		{"a row by a huge index", record, with(savings, "/sources/99999999999/title", "x"), "does not have"},
		{"a row by a negative index", record, with(savings, "/sources/-1/title", "x"), "does not have"},
		{"a row with a leading zero", record, with(savings, "/sources/00/title", "x"), "does not have"},
		{"a row with a plus", record, with(savings, "/sources/+1/title", "x"), "does not have"},
		{"a row in exponent form", record, with(savings, "/sources/1e2/title", "x"), "does not have"},
		{"a row beyond the 50", record, with(savings, "/sources/50/title", "x"), "does not have"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, _, page := post(t, c, srv, tc.path, tc.form)
			assert.Equal(t, http.StatusBadRequest, status, summaryOf(page))
			assert.Contains(t, html.UnescapeString(page), tc.want)
		})
	}
	assert.Equal(t, before, head(t, store), "nothing recorded")
	// The same forms whole record.
	status, _, page := post(t, c, srv, record, savings)
	assert.Equal(t, http.StatusOK, status, summaryOf(page))
	assert.Equal(t, before+1, head(t, store))
}

// without is form without the named values.
func without(form url.Values, names ...string) url.Values {
	out := with(form)
	for _, n := range names {
		out.Del(n)
	}
	return out
}

// added is form with value added to the name's values.
func added(form url.Values, name, value string) url.Values {
	out := with(form)
	out.Add(name, value)
	return out
}

// The tester: recording a correction of an event retracted meanwhile answered 400 "The form sent a
// field this page does not have" while checking it answered 409. Both answer 409 with the
// retraction's message, and nothing is recorded.
func TestCorrectionOfARetractedEventIsRefused409(t *testing.T) {
	srv, store := ledgerServer(t)
	path := demoEvent("savings-forecast-nn-2015") + "/correct"
	c, _ := clerkAt(t, srv, path)
	status, page := get(t, c, srv.URL+path+"?field=amount_pence&next=1")
	require.Equal(t, http.StatusOK, status, page)
	form := correction(hiddenFields(t, page), "/data/data/amount_pence", "45000")
	status, page = get(t, c, srv.URL+demoEvent("savings-forecast-nn-2015")+"/retract")
	require.Equal(t, http.StatusOK, status, page)
	_, _, page = post(t, c, srv, demoEvent("savings-forecast-nn-2015")+"/retract", retraction(hiddenFields(t, page), domain.RetractDuplicate))
	require.Contains(t, page, "Recorded.")
	before := head(t, store)
	for _, action := range []string{"check", "record"} {
		status, _, page := post(t, c, srv, path, with(form, "action", action))
		assert.Equal(t, http.StatusConflict, status, action)
		assert.Contains(t, page, "has been retracted", action)
	}
	assert.Equal(t, before, head(t, store), "nothing recorded")
}

// The tester: PUT, DELETE, PATCH and OPTIONS on the pages answered 404. A page's address with a
// method it does not take answers 405 with Allow, as the API does; an address with no page is 404.
func TestPagesAnswerWrongMethods405(t *testing.T) {
	srv := newServer(t)
	for _, path := range []string{gnn + "/record", "/partnerships/new", demoEvent("savings-forecast-nn-2015") + "/correct",
		demoEvent("savings-forecast-nn-2015") + "/retract", "/", "/signin", gnn, "/signout"} {
		for _, method := range []string{http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodOptions} {
			req, err := http.NewRequest(method, srv.URL+path, nil)
			require.NoError(t, err)
			res, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			res.Body.Close()
			assert.Equal(t, http.StatusMethodNotAllowed, res.StatusCode, "%s %s", method, path)
			assert.NotEmpty(t, res.Header.Get("Allow"), "%s %s", method, path)
		}
	}
	res, err := http.Get(srv.URL + "/signout")
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, res.StatusCode)
	assert.Equal(t, "POST", res.Header.Get("Allow"))
	req, _ := http.NewRequest(http.MethodPut, srv.URL+"/no/such/page", nil)
	res, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusNotFound, res.StatusCode)
}

// The tester: GET …/record?type=Bogus (or EventCorrected, PartnershipProposed) answered the chooser
// with no word of why. It is 400 with a notice above the chooser saying why and where to go (a notice,
// not the error summary: no field is at fault).
func TestRecordPageSaysWhyATypeIsNotOffered(t *testing.T) {
	srv := newServer(t)
	c, _ := clerkAtRecordForm(t, srv)
	for _, tc := range []struct{ typ, want string }{
		{"Bogus", "Bogus is not a kind of event recorded here"},
		{"TokenIssued", "TokenIssued is not a kind of event recorded here"},
		{domain.TypeEventCorrected, "start from the page of the event"},
		{domain.TypeEventRetracted, "start from the page of the event"},
		{domain.TypePartnershipProposed, `<a href="/partnerships/new">Propose a partnership</a>`},
	} {
		status, page := get(t, c, srv.URL+gnn+"/record?type="+tc.typ)
		assert.Equal(t, http.StatusBadRequest, status, tc.typ)
		assert.Contains(t, html.UnescapeString(page), tc.want, tc.typ)
		assert.Contains(t, page, `id="not-offered" role="alert"`, tc.typ)
		assert.Contains(t, page, `class="types"`, tc.typ) // the chooser
		assert.NotContains(t, page, "error-summary", tc.typ)
	}
	status, page := get(t, c, srv.URL+gnn+"/record")
	assert.Equal(t, http.StatusOK, status)
	assert.NotContains(t, page, "not-offered")
}

// The tester: an amount of more than 15 digits was "must be pounds written as digits…" (it is out of
// range), "-0" was read as 0, a blank amount was "is required (a whole number)", and a yes/no box
// sent as "maybe" was read as not ticked.
func TestFormMoneyAndTickBoxesRefusedInWords(t *testing.T) {
	srv := newServer(t)
	c, csrf := clerkAtRecordForm(t, srv)
	for _, tc := range []struct{ amount, want string }{
		{"1234567890123456", "must be within the largest amount the ledger accepts, ±£100,000,000,000"},
		{"-1234567890123456.5", "must be within the largest amount the ledger accepts, ±£100,000,000,000"},
		{"-0", "-0 is not an amount: write 0"},
		{"-0.00", "-0 is not an amount: write 0"},
		{"", "is required (pounds, e.g. 40000 or 40000.50)"},
	} {
		res, err := c.PostForm(srv.URL+gnn+"/record", savingsForm(csrf, tc.amount))
		require.NoError(t, err)
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		page := html.UnescapeString(string(b))
		assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode, tc.amount)
		assert.Contains(t, page, tc.want, tc.amount)
		assert.Contains(t, string(b), `id="f-data-amount_pence-error"`, tc.amount)
		assert.NotContains(t, page, "a whole number)", tc.amount)
	}
	form := url.Values{"csrf": {csrf}, "key": {formKey()}, "type": {domain.TypeCostShareAgreed},
		"/data/reset_each_financial_year": {"maybe"}, "/effective_on": {"2016-09-01"}, "/certainty": {"confirmed"}}
	res, err := c.PostForm(srv.URL+gnn+"/record", form)
	require.NoError(t, err)
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	assert.Equal(t, http.StatusBadRequest, res.StatusCode)
	assert.Contains(t, html.UnescapeString(string(b)), "with a value it does not have")
}

// The tester: a share of 0 read "must be a positive whole number of basis points", a blank share
// got a second message, and one bad share added "shares sum to 5000 basis points…" on the list. One
// message a field, in percent; the sum only when every share reads.
func TestShareMessagesInPercentOnePerField(t *testing.T) {
	srv := newServer(t)
	c, csrf := clerkAtRecordForm(t, srv)
	post := func(a, b string) string {
		form := url.Values{"csrf": {csrf}, "key": {formKey()}, "type": {domain.TypeCostShareAgreed},
			"/data/subject": {"Joint chief executive"}, "/data/basis": {"fixed_ratio"},
			"/data/shares/0/council": {"great-yarmouth"}, "/data/shares/0/basis_points": {a},
			"/data/shares/1/council": {"north-norfolk"}, "/data/shares/1/basis_points": {b},
			"/effective_on": {"2016-09-01"}, "/certainty": {"confirmed"},
			"/sources/0/kind": {"report"}, "/sources/0/title": {"Cabinet report"}}
		res, err := c.PostForm(srv.URL+gnn+"/record", form)
		require.NoError(t, err)
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode, "%s %s", a, b)
		page := html.UnescapeString(string(body))
		assert.NotContains(t, page, "basis points", "%s %s", a, b)
		return page
	}
	page := post("0", "100")
	assert.Contains(t, page, "must be more than 0%")
	assert.NotContains(t, page, "sum to")
	page = post("", "50")
	assert.Contains(t, page, "is required (a percentage, e.g. 50)")
	assert.NotContains(t, page, "sum to")
	assert.NotContains(t, page, "more than 0%")
	page = post("abc", "50")
	assert.NotContains(t, page, "sum to")
	assert.NotContains(t, page, "add up to 50%")
	page = post("20", "30")
	assert.Contains(t, page, "add up to 50%")
	assert.NotContains(t, page, "sum to")
}
