package web_test

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/api"
	"github.com/partnership-ledger/ledger/api/web"
	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/demo"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/fault/faulttest"
)

// formsServer is newServer with the store kept, for tests that look at what was (not) written.
func formsServer(t *testing.T) (*httptest.Server, eventstore.Store) {
	t.Helper()
	var store eventstore.Store
	srv := newServerWith(t, func(c *web.Config) { store = c.Store })
	return srv, store
}

func headSeq(t *testing.T, store eventstore.Store) uint64 {
	t.Helper()
	h, err := store.Head(context.Background())
	require.NoError(t, err)
	return h.Seq
}

// formOf is everyTypeForm's form of typ, a copy.
func formOf(t *testing.T, typ string) typeForm {
	t.Helper()
	for _, tf := range everyTypeForm() {
		if tf.Type == typ {
			v := url.Values{}
			for k, vals := range tf.Values {
				v[k] = append([]string(nil), vals...)
			}
			return typeForm{Type: typ, Values: v}
		}
	}
	t.Fatalf("everyTypeForm has no %s", typ)
	return typeForm{}
}

// recordUpTo records everyTypeForm's forms before the first of type stop.
func recordUpTo(t *testing.T, c *http.Client, base, csrf, stop string) {
	t.Helper()
	for _, tf := range everyTypeForm() {
		if tf.Type == stop {
			return
		}
		res, body := postTypeForm(t, c, base, csrf, tf, formKey())
		require.Equal(t, http.StatusOK, res.StatusCode, "%s: %s", tf.Type, summaryOf(body))
	}
}

// streamData returns the data of the partnership's events of type typ, oldest first.
func streamData(t *testing.T, store eventstore.Store, typ string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for e, err := range store.ReadStream(context.Background(), domain.StreamPrefix+everyTypeSlug, eventstore.Start, eventstore.Forward, 0) {
		require.NoError(t, err)
		if e.Type == typ {
			var m map[string]any
			require.NoError(t, json.Unmarshal(e.Data, &m))
			out = append(out, m)
		}
	}
	return out
}

// TestFormsReadPoundsAndPercentExactly: pounds and percentages typed on the forms are stored as the
// exact pence and basis points (no float on the way).
func TestFormsReadPoundsAndPercentExactly(t *testing.T) {
	srv, store := formsServer(t)
	c, csrf := clerkAtRecordForm(t, srv)
	recordUpTo(t, c, srv.URL, csrf, domain.TypeJointAppointmentMade)
	for _, typ := range []string{domain.TypeJointAppointmentMade, domain.TypeCostShareAgreed} {
		res, body := postTypeForm(t, c, srv.URL, csrf, formOf(t, typ), formKey())
		require.Equal(t, http.StatusOK, res.StatusCode, summaryOf(body))
	}
	shares := streamData(t, store, domain.TypeCostShareAgreed)[0]["shares"].([]any)
	var bp []float64
	for _, s := range shares {
		bp = append(bp, s.(map[string]any)["basis_points"].(float64))
	}
	assert.Equal(t, []float64{3334, 3333, 3333}, bp, "33.34% + 33.33% + 33.33%")
	councils := streamData(t, store, domain.TypeJointAppointmentMade)[0]["councils"].([]any)
	assert.Equal(t, 4000.0, councils[0].(map[string]any)["time_share_basis_points"])
	case1 := streamData(t, store, domain.TypeBusinessCasePublished)[0]
	assert.Equal(t, 2500050.0, case1["one_off_costs"].([]any)[0].(map[string]any)["amount_pence"], "£25,000.50")
	assert.Equal(t, 2016.0, case1["one_off_costs"].([]any)[0].(map[string]any)["financial_year"], "2016/17 is read as 2016")
	joined := streamData(t, store, domain.TypeCouncilJoinedPartnership)[0]["council"].(map[string]any)
	assert.Equal(t, "fenland", joined["council"], "the slug made from Fenland District Council")
	proposed := streamData(t, store, domain.TypePartnershipProposed)
	require.Len(t, proposed, 1)

	_, form := get(t, c, srv.URL+"/partnerships/"+everyTypeSlug+"/record?type=AppointmentEnded")
	assert.Contains(t, form, `<select id="f-data-officer-name"`, "the officer is chosen from the appointments")
	assert.Contains(t, form, `<option value="Jane Smith">Jane Smith, Joint chief executive</option>`, "the officers appointed are offered")
	assert.Contains(t, form, `<select id="f-data-post"`)
	assert.Contains(t, form, `<option value="Joint chief executive">Joint chief executive (Jane Smith)</option>`, "and their posts")
}

// TestFormsRefuseEachKindAtItsPointer: a bad value of each kind of control is refused beside its
// field (or its group), named in the summary, shown again as typed, and nothing is written.
func TestFormsRefuseEachKindAtItsPointer(t *testing.T) {
	srv, store := formsServer(t)
	c, csrf := clerkAtRecordForm(t, srv)
	recordUpTo(t, c, srv.URL, csrf, domain.TypeBusinessCasePublished)
	tests := []struct {
		name, typ, field, value string
		at                      string // the field the problem is shown on, when not field
	}{
		{"date", domain.TypeSavingsReported, "/effective_on", "2016-13-01", ""},
		{"date out of range", domain.TypeSavingsReported, "/effective_on", "2200-01-01", ""},
		{"source's date", domain.TypeSavingsReported, "/sources/0/published", "2016-02-30", ""},
		{"money", domain.TypeSavingsReported, "/data/amount_pence", "1e3", ""},
		{"money with commas not grouping thousands", domain.TypeSavingsTargetSet, "/data/amount_pence", "£1,00", ""},
		{"money beyond £100bn", domain.TypeOneOffCostIncurred, "/data/amount_pence", "100000000000.01", ""},
		{"year", domain.TypeSavingsReported, "/data/financial_year", "twenty sixteen", ""},
		{"year of 30 digits", domain.TypeSavingsReported, "/data/financial_year", strings.Repeat("9", 30), ""},
		{"enum", domain.TypeSavingsReported, "/data/status", "maybe", ""},
		{"council not a partner", domain.TypeSavingsReported, "/data/council", "broadland", ""},
		{"text with a right-to-left override", domain.TypeSavingsReported, "/data/category", "shared \u202emanagement", ""},
		{"long text with a NUL", domain.TypePartnershipDissolved, "/data/reason", "agreed\x00", ""},
		{"web address", domain.TypeSavingsReported, "/sources/0/url", "ftp://example.org/minutes", ""},
		{"SHA-256", domain.TypeSavingsReported, "/sources/0/sha256", "xyz", ""},
		{"assumed detail not offered", domain.TypeSavingsReported, "/sources/0/assumed", "colour", "/sources/0/assumed"},
		{"percent", domain.TypeCostShareAgreed, "/data/shares/0/basis_points", "33.333", ""},
		{"percent over 100", domain.TypeCostShareAgreed, "/data/shares/0/basis_points", "101", ""},
		{"count", domain.TypeWithdrawalNoticeGiven, "/data/notice_days", "ninety", ""},
		{"count beyond any int", domain.TypeWithdrawalNoticeGiven, "/data/notice_days", strings.Repeat("9", 25), ""},
		{"votes in an optional group", domain.TypeDecisionTaken, "/data/votes/for", "many", ""},
		{"minute's meeting in a group", domain.TypeDecisionTaken, "/data/minute/meeting", "2016-02-31", ""},
		{"ONS code of a council in full", domain.TypeCouncilJoinedPartnership, "/data/council/ons_code", "X123", ""},
		{"council kind", domain.TypeCouncilJoinedPartnership, "/data/council/kind", "parish", ""},
		{"councils ticked that are not partners", domain.TypeServiceSharingProposed, "/data/candidates", "nowhere", "/data/candidates"},
		{"blank certainty", domain.TypeSavingsReported, "/certainty", "", ""},
		{"more boxes than offered", domain.TypeSavingsReported, "/sources/0/assumed", "9,000 boxes", "/sources/0/assumed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := headSeq(t, store)
			tf := formOf(t, tt.typ)
			tf.Values.Set(tt.field, tt.value)
			if tt.value == "9,000 boxes" {
				// Nearly as many distinct boxes as net/url reads (10,000 values): read in time linear in what
				// was sent (the first 50), refused whole.
				vals := make([]string, 9_000)
				for i := range vals {
					vals[i] = strconv.Itoa(i)
				}
				tf.Values[tt.field] = vals
			}
			res, page := postTypeForm(t, c, srv.URL, csrf, tf, formKey())
			assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
			at := tt.field
			if tt.at != "" {
				at = tt.at
			}
			id := idOf(at)
			msg := fieldError(t, page, id+"-error")
			faulttest.AssertForPeople(t, msg)
			assertSummarySays(t, page, id, msg)
			assert.Contains(t, page, "Nothing was recorded")
			if tt.value != "" && tt.at == "" && strings.IndexFunc(tt.value, unicode.IsControl) < 0 {
				assert.Regexp(t, `name="`+regexp.QuoteMeta(tt.field)+`"[^>]*value="`+regexp.QuoteMeta(html.EscapeString(tt.value))+`"|value="`+
					regexp.QuoteMeta(html.EscapeString(tt.value))+`" selected`, page, "what was typed is shown again")
			}
			assert.Equal(t, before, headSeq(t, store), "nothing was written")
		})
	}
}

// TestFormsSharesMustAddUpTo100: shares that do not add up to 100% are refused on the shares, in
// percent as typed, and the hint says what they add up to.
func TestFormsSharesMustAddUpTo100(t *testing.T) {
	srv, store := formsServer(t)
	c, csrf := clerkAtRecordForm(t, srv)
	recordUpTo(t, c, srv.URL, csrf, domain.TypeCostShareAgreed)
	before := headSeq(t, store)
	tf := formOf(t, domain.TypeCostShareAgreed)
	tf.Values.Set("/data/shares/0/basis_points", "50")
	tf.Values.Set("/data/shares/1/basis_points", "30")
	tf.Values.Set("/data/shares/2/basis_points", "10")
	res, page := postTypeForm(t, c, srv.URL, csrf, tf, formKey())
	assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	assert.Contains(t, summaryLinks(page)["f-data-shares"], "Shares: add up to 90%; they must add up to exactly 100%")
	assert.Contains(t, page, "These add up to 90%.")
	assert.Equal(t, before, headSeq(t, store))
}

// TestFormsAddAndRemoveRowsByARoundTrip: the Add and Remove buttons post the form and answer it
// again with a row more or less, every value typed kept (rows renumbered), the same key, and
// nothing recorded: the forms need no JavaScript.
func TestFormsAddAndRemoveRowsByARoundTrip(t *testing.T) {
	srv, store := formsServer(t)
	c, csrf := clerkAtRecordForm(t, srv)
	recordUpTo(t, c, srv.URL, csrf, domain.TypeCostShareAgreed)
	before := headSeq(t, store)
	tf := formOf(t, domain.TypeCostShareAgreed)
	tf.Values.Set("action", "remove:/data/shares/1")
	res, page := postTypeForm(t, c, srv.URL, csrf, tf, "round-trip-key")
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.NotContains(t, page, "Nothing was recorded")
	assert.Contains(t, page, `name="key" value="round-trip-key"`, "the key is carried through")
	assert.Contains(t, page, `name="/data/subject" value="Joint chief executive"`)
	assert.Regexp(t, `name="/data/shares/0/council"[^<]*(<option[^>]*>[^<]*</option>\s*)*<option value="breckland" selected>`, page)
	assert.Contains(t, page, `name="/data/shares/0/basis_points" inputmode="decimal" value="33.34"`)
	assert.Regexp(t, `name="/data/shares/1/council"[^<]*(<option[^>]*>[^<]*</option>\s*)*<option value="fenland" selected>`, page, "the third row is now the second")
	assert.NotContains(t, page, `name="/data/shares/2/`)
	assert.Contains(t, page, "These add up to 66.67%.")

	// Add a row: the form as it now stands, with a blank third share and a second source.
	v := url.Values{"type": {domain.TypeCostShareAgreed}}
	for _, m := range regexp.MustCompile(`name="(/[^"]+)"[^>]*value="([^"]*)"`).FindAllStringSubmatch(page, -1) {
		if !strings.Contains(m[0], "checkbox") {
			v.Set(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
		}
	}
	v.Set("/data/shares/1/council", "fenland")
	v.Set("/data/basis", "fixed_ratio")
	v.Set("/certainty", "confirmed")
	v.Set("/sources/0/kind", "minutes")
	v.Set("action", "add:/data/shares")
	res, page = postTypeForm(t, c, srv.URL, csrf, typeForm{Type: domain.TypeCostShareAgreed, Values: v}, "round-trip-key")
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, page, `name="/data/shares/2/basis_points" inputmode="decimal" value=""`)
	assert.Contains(t, page, `name="/data/shares/1/basis_points" inputmode="decimal" value="33.33"`)
	v.Set("action", "add:/sources")
	res, page = postTypeForm(t, c, srv.URL, csrf, typeForm{Type: domain.TypeCostShareAgreed, Values: v}, "round-trip-key")
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, page, `name="/sources/1/title"`)
	assert.Contains(t, page, `value="remove:/sources/1"`)

	// Buttons naming nothing of the form change nothing and are refused with a message, never a fault.
	for _, action := range []string{"add:/data/subject", "remove:/data/shares/7", "remove:/data/shares/-1", "add:", "remove:", "explode", "remove:/data/shares/99999999999999999999"} {
		v.Set("action", action)
		res, page := postTypeForm(t, c, srv.URL, csrf, typeForm{Type: domain.TypeCostShareAgreed, Values: v}, "round-trip-key")
		assert.Equal(t, http.StatusBadRequest, res.StatusCode, action)
		assert.Contains(t, page, "a button this page does not have", action)
	}
	assert.Equal(t, before, headSeq(t, store), "no round trip records")
}

// TestFormsDoubleSubmitRecordsOnce: a form sent twice (one after the other, or at once from two
// connections) records one event, and both answers go to it.
func TestFormsDoubleSubmitRecordsOnce(t *testing.T) {
	srv, store := formsServer(t)
	c, csrf := clerkAtRecordForm(t, srv)
	recordUpTo(t, c, srv.URL, csrf, domain.TypeSavingsTargetSet)

	before := headSeq(t, store)
	tf := formOf(t, domain.TypeSavingsTargetSet)
	res1, _ := postTypeForm(t, c, srv.URL, csrf, tf, "double-key")
	res2, _ := postTypeForm(t, c, srv.URL, csrf, tf, "double-key")
	require.Equal(t, http.StatusOK, res1.StatusCode)
	require.Equal(t, http.StatusOK, res2.StatusCode)
	id := res1.Request.URL.Query().Get("recorded")
	assert.NotEmpty(t, id)
	assert.Equal(t, id, res2.Request.URL.Query().Get("recorded"), "both answers name the same event")
	assert.Equal(t, before+1, headSeq(t, store), "recorded once")

	before = headSeq(t, store)
	tf = formOf(t, domain.TypeOneOffCostIncurred)
	ids := make([]string, 2)
	var wg sync.WaitGroup
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v := url.Values{}
			for k, vals := range tf.Values {
				v[k] = vals
			}
			v.Set("csrf", csrf)
			v.Set("key", "concurrent-key")
			res, err := c.PostForm(srv.URL+"/partnerships/"+everyTypeSlug+"/record", v)
			if assert.NoError(t, err) {
				res.Body.Close()
				assert.Equal(t, http.StatusOK, res.StatusCode)
				ids[i] = res.Request.URL.Query().Get("recorded")
			}
		}()
	}
	wg.Wait()
	assert.NotEmpty(t, ids[0])
	assert.Equal(t, ids[0], ids[1], "both answers name the same event")
	assert.Equal(t, before+1, headSeq(t, store), "recorded once")

	// The key sent again with other values: refused in words, nothing written.
	before = headSeq(t, store)
	tf.Values.Set("/data/amount_pence", "99")
	res, page := postTypeForm(t, c, srv.URL, csrf, tf, "concurrent-key")
	assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	assert.Contains(t, page, "This form was already recorded as event [")
	assert.Equal(t, before, headSeq(t, store))
}

// TestFormHintsFromTheAPIDescriptions: with the OpenAPI document, a field's hint is its member's
// description (money keeps the form's own hint on how to write pounds).
func TestFormHintsFromTheAPIDescriptions(t *testing.T) {
	srv := newServerWith(t, func(c *web.Config) { c.Schema = api.OpenAPI() })
	c, _ := clerkAtRecordForm(t, srv)
	_, form := get(t, c, srv.URL+gnn+"/record?type=CostShareAgreed")
	assert.Contains(t, form, `<input type="hidden" id="f-data-applies_from" name="/data/applies_from"`, "applies_from is the effective date, not asked")
	assert.Contains(t, form, `id="f-data-subject-hint">What is shared (a post, service or budget).</p>`)
	assert.Contains(t, form, `id="f-data-shares-0-council-hint">A council that pays a share.</p>`, "rows' members too")
	_, form = get(t, c, srv.URL+gnn+"/record?type=SavingsReported")
	assert.Contains(t, form, `id="f-data-amount_pence-hint">In pounds`)
}

// TestFormPagesOfferEveryType: the chooser links every recordable type, and each type's form (and
// the propose page) is served, with its key and no certainty chosen.
func TestFormPagesOfferEveryType(t *testing.T) {
	srv := newServer(t)
	c, csrf := clerkAtRecordForm(t, srv)
	status, page := get(t, c, srv.URL+gnn+"/record")
	require.Equal(t, http.StatusOK, status)
	for _, typ := range domain.EventTypes() {
		link := `href="` + gnn + `/record?type=` + typ + `"`
		if typ == domain.TypePartnershipProposed || typ == domain.TypeEventCorrected || typ == domain.TypeEventRetracted {
			assert.NotContains(t, page, link)
			continue
		}
		assert.Contains(t, page, link)
		status, form := get(t, c, srv.URL+gnn+"/record?type="+typ)
		require.Equal(t, http.StatusOK, status, typ)
		assert.Regexp(t, `name="key" value="[0-9a-f]{48}"`, form)
		assert.NotRegexp(t, `(?s)name="/certainty".*?selected`, strings.SplitN(form, `id="f-sources"`, 2)[0], "%s: no certainty is chosen", typ)
		assert.NotContains(t, form, "illustrative")
	}
	_, list := get(t, c, srv.URL+"/")
	assert.Contains(t, list, `href="/partnerships/new"`, "the list offers a recorder the propose page")
	status, form := get(t, c, srv.URL+"/partnerships/new")
	require.Equal(t, http.StatusOK, status)
	for _, id := range []string{"f-partnership", "f-data-name", "f-data-partners-0-council", "f-data-partners-0-name", "f-data-partners-0-kind", "f-data-partners-1-ons_code"} {
		assert.Contains(t, form, `id="`+id+`"`)
	}
	assert.Contains(t, form, `<input id="f-data-partners-0-council" name="/data/partners/0/council"`, "a council in full has its slug typed, not chosen")

	// Proposing at the address of a partnership already proposed is refused on the slug.
	tf := formOf(t, domain.TypePartnershipProposed)
	tf.Values.Set("/partnership", demo.GreatYarmouthNorthNorfolk)
	res, page := postTypeForm(t, c, srv.URL, csrf, tf, formKey())
	assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	assert.Equal(t, "Is the address of a partnership already proposed; choose another", fieldError(t, page, "f-partnership-error"))
}
