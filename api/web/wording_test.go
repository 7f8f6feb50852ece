package web_test

import (
	"html"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/api"
	"github.com/partnership-ledger/ledger/api/web"
	"github.com/partnership-ledger/ledger/domain"
)

// labelsAndHints are the labels, legends and hints of a page, unescaped.
var labelOrHint = regexp.MustCompile(`(?s)<label[^>]*>(.*?)</label>|<legend>(.*?)</legend>|<p class="hint" id="[^"]*">(.*?)</p>`)

func labelsAndHints(page string) []string {
	var out []string
	for _, m := range labelOrHint.FindAllStringSubmatch(page, -1) {
		out = append(out, html.UnescapeString(m[1]+m[2]+m[3]))
	}
	return out
}

// assertWordsForPeople: no text of texts speaks the API's names: a JSON member name with "_", an
// event type name, "slug", "True"/"False", effective_on, or a date written YYYY-MM-DD (the date
// picker shows the browser's own format).
func assertWordsForPeople(t *testing.T, where string, texts []string) {
	t.Helper()
	member := regexp.MustCompile(`[a-z]_[a-z]`)
	isoDate := regexp.MustCompile(`\d{4}-\d\d-\d\d|YYYY`)
	for _, s := range texts {
		assert.NotRegexp(t, member, s, where)
		assert.NotRegexp(t, isoDate, s, where)
		assert.NotRegexp(t, `\b(True|False)\b`, s, where)
		assert.NotContains(t, strings.ToLower(s), "slug", where)
		for _, typ := range domain.EventTypes() {
			assert.NotContains(t, s, typ, where)
		}
	}
}

// TestFormWordingForPeople: every type's form (with the API's descriptions as hints), the propose
// page and the correct and retract pages label and hint their fields in words a democratic services
// officer can act on: no API names (see assertWordsForPeople); ticks say "Tick if"; the certainty
// hint explains confirmed, reported and inferred; a source's title, kind and locator have hints; the
// date a correction or retraction takes effect says what it is for them (the day it is made).
func TestFormWordingForPeople(t *testing.T) {
	srv := newServerWith(t, func(c *web.Config) { c.Schema = api.OpenAPI() })
	c, _ := clerkAtRecordForm(t, srv)
	for _, typ := range domain.EventTypes() {
		u := srv.URL + gnn + "/record?type=" + typ
		switch typ {
		case domain.TypePartnershipProposed:
			u = srv.URL + "/partnerships/new"
		case domain.TypeEventCorrected, domain.TypeEventRetracted:
			continue
		}
		_, form := get(t, c, u)
		texts := labelsAndHints(form)
		require.NotEmpty(t, texts, typ)
		assertWordsForPeople(t, typ, texts)
	}
	_, form := get(t, c, srv.URL+gnn+"/record?type=DecisionTaken")
	assert.Contains(t, form, `id="f-data-key_decision-hint">Tick if it is a key decision`)
	assert.Contains(t, form, `id="f-data-call_in_applies-hint">Tick if the decision may be called in`)
	assert.Contains(t, form, `id="f-effective_on-hint">The date the event takes effect, e.g. the date of the decision or of the change. For example, 31 March 2016.</p>`)
	assert.Regexp(t, `id="f-certainty-hint">Confirmed[^<]*Reported[^<]*Inferred from other facts: worked out`, form)
	for _, id := range []string{"f-sources-0-title-hint", "f-sources-0-kind-hint", "f-sources-0-locator-hint"} {
		assert.Contains(t, form, `id="`+id+`"`)
	}
	assert.Contains(t, form, "a page, paragraph or agenda item")
	_, form = get(t, c, srv.URL+"/partnerships/new")
	assert.Contains(t, form, `id="f-data-partners-0-council-hint">Optional: made from the name when left blank.`)
	_, form = get(t, c, srv.URL+gnn+"/record?type=AppointmentEnded")
	assert.Contains(t, form, `id="f-data-reason-hint">Why it ended, e.g. resignation, notice given or the end of a fixed term.`)

	_, page := get(t, c, srv.URL+demoEvent("propose-hr")+"/retract")
	assertWordsForPeople(t, "retract", labelsAndHints(page))
	assert.Contains(t, page, `id="f-effective_on-hint">The day the retraction is made: usually today`)
	_, page = get(t, c, srv.URL+demoEvent("propose-hr")+"/correct?field=notes")
	assertWordsForPeople(t, "correct", labelsAndHints(page))
	assert.Contains(t, page, `id="f-effective_on-hint">The day the correction is made: usually today, and never after today. This is not the date of the event corrected`)
}

// TestFormShowsTheDomainsProblemsInWords: a domain problem is shown on the form in the pages' words
// (forPeople): the enum value chosen in words, no type name; the API keeps its own text.
func TestFormShowsTheDomainsProblemsInWords(t *testing.T) {
	srv := newServer(t)
	c, csrf := clerkAtRecordForm(t, srv)
	v := savingsForm(csrf, "100")
	v.Set("/sources/0/kind", "press")
	v.Set("/sources/0/url", "ftp://example.org/x")
	res, err := c.PostForm(srv.URL+gnn+"/record", v)
	require.NoError(t, err)
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	page := html.UnescapeString(string(b))
	assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	assert.Contains(t, page, "every source is a press report, so the certainty must be reported, but confirmed was chosen")
	assert.Contains(t, page, "must be a web address starting https:// or http://")
	assert.NotContains(t, page, "(got confirmed)")
	assert.NotContains(t, page, "http(s) URL")
}

// TestFormSummaryInPageOrder: the error summary lists the problems in the order of the fields on
// the page (the data, then the date, certainty and sources), not the envelope first.
func TestFormSummaryInPageOrder(t *testing.T) {
	srv := newServer(t)
	c, csrf := clerkAtRecordForm(t, srv)
	v := savingsForm(csrf, "forty")
	v.Set("/effective_on", "")
	v.Set("/certainty", "")
	v.Set("/data/category", "")
	res, err := c.PostForm(srv.URL+gnn+"/record", v)
	require.NoError(t, err)
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	var ids []string
	for _, m := range regexp.MustCompile(`<li><a href="#([^"]+)">`).FindAllStringSubmatch(string(b), -1) {
		ids = append(ids, m[1])
	}
	assert.Equal(t, []string{"f-data-category", "f-data-amount_pence", "f-effective_on", "f-certainty"}, ids)
}

// TestRecordChooserWording: the chooser names the one-off cost with its hyphen, and a list's Add
// button names its item; the only source is not offered for removal (the list needs one).
func TestRecordChooserWording(t *testing.T) {
	srv := newServer(t)
	c, _ := clerkAtRecordForm(t, srv)
	_, page := get(t, c, srv.URL+gnn+"/record")
	assert.Contains(t, page, "One-off cost incurred")
	assert.NotContains(t, page, "One off")
	_, form := get(t, c, srv.URL+gnn+"/record?type=CostShareAgreed")
	assert.Contains(t, form, `value="add:/sources" class="secondary">Add another source</button>`)
	assert.Contains(t, form, `value="add:/data/shares" class="secondary">Add another share</button>`)
	assert.NotContains(t, form, `value="remove:/sources/0"`, "the only source of a list that needs one")
	assert.NotRegexp(t, `› ?</p>`, form)
}
