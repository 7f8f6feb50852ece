package web_test

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/domain"
)

// typeForm is one post of a generated form: the event type and the form's values by field name
// (the JSON pointer; the element id is "f" + the name with "/" written "-"). csrf and key are added
// by the poster.
type typeForm struct {
	Type   string
	Values url.Values
}

// everyTypeSlug is the partnership everyTypeForm proposes and fills.
const everyTypeSlug = "breckland-south-holland"

// everyTypeForm is one valid form for every event type but corrections and retractions, in an order
// the domain's rules accept on a new partnership: proposed (through /partnerships/new), a council
// joins, decisions, agreements, an appointment, roles, services, money, reviews, notice, withdrawal,
// dissolution last. Lists have as many rows as the form first shows (a share per partner) unless a
// row is added with the list's "Add" button (optional lists start with none).
func everyTypeForm() []typeForm {
	f := func(typ, effective string, kv ...string) typeForm {
		v := url.Values{"type": {typ}, "/effective_on": {effective}, "/certainty": {"confirmed"},
			"/sources/0/kind": {"minutes"}, "/sources/0/title": {"Minutes of the meeting, " + effective}}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Add(kv[i], kv[i+1])
		}
		return typeForm{Type: typ, Values: v}
	}
	minute := func(at, council, meeting, raw string) []string {
		return []string{at + "/council", council, at + "/body", "Cabinet", at + "/meeting", meeting, at + "/item", "7", at + "/raw", raw}
	}
	flat := func(parts ...[]string) []string {
		var out []string
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	proposed := f(domain.TypePartnershipProposed, "2016-01-04",
		"/partnership", everyTypeSlug,
		"/data/name", "Breckland and South Holland shared services",
		"/data/partners/0/council", "breckland", "/data/partners/0/name", "Breckland District Council",
		"/data/partners/0/kind", "district", "/data/partners/0/ons_code", "E07000143",
		"/data/partners/1/council", "south-holland", "/data/partners/1/name", "South Holland District Council",
		"/data/partners/1/kind", "district", "/data/partners/1/ons_code", "E07000140",
		"/data/scope/0", "revenues and benefits",
		"/data/purpose", "To share a chief executive and back-office services.",
		"/data/trial_ends_on", "2017-03-31", "/data/review_due", "2016-12-01",
		"/data/notes", "Proposed through the pages.")
	// The proposal names every source field (a second source too), the assumed details ticked.
	for k, v := range map[string]string{
		"/sources/0/publisher": "Breckland District Council", "/sources/0/url": "https://www.breckland.gov.uk/minutes/2016-01-04",
		"/sources/0/published": "2016-01-05", "/sources/0/locator": "item 7",
		"/sources/0/sha256": strings.Repeat("ab", 32),
		"/sources/1/kind":   "press", "/sources/1/title": "Eastern Daily Press, 5 January 2016", "/sources/1/publisher": "Archant",
	} {
		proposed.Values.Set(k, v)
	}
	proposed.Values["/sources/1/assumed"] = []string{"publisher", "title"}
	return []typeForm{
		proposed,
		// The slug is left blank: the form makes it from the name ("fenland").
		f(domain.TypeCouncilJoinedPartnership, "2016-01-20",
			"/data/council/council", "", "/data/council/name", "Fenland District Council",
			"/data/council/kind", "district", "/data/council/ons_code", "E07000010"),
		f(domain.TypeBusinessCasePublished, "2016-01-25", flat([]string{
			"/data/document", "Shared services business case",
			"/data/options/0", "Share a chief executive", "/data/options/1", "Share nothing",
			"/data/projected_savings/0/council", "breckland", "/data/projected_savings/0/financial_year", "2016",
			"/data/projected_savings/0/category", "shared management", "/data/projected_savings/0/amount_pence", "100000",
			"/data/one_off_costs/0/council", "south-holland", "/data/one_off_costs/0/financial_year", "2016/17",
			"/data/one_off_costs/0/amount_pence", "25000.50",
			"/data/notes", "Published with the cabinet papers."})...),
		f(domain.TypeDecisionTaken, "2016-02-01", flat(minute("/data/minute", "breckland", "2016-02-01", "CAB/16/7"), []string{
			"/data/resolution", "To share a chief executive with South Holland and Fenland.",
			"/data/outcome", "approved", "/data/votes/for", "7", "/data/votes/against", "1", "/data/votes/abstentions", "0",
			"/data/key_decision", "true"})...),
		f(domain.TypeAgreementExecuted, "2016-02-10", flat([]string{
			"/data/reference", "s113-2016", "/data/kind", "s113", "/data/title", "Section 113 agreement",
			"/data/parties", "breckland", "/data/parties", "south-holland",
			"/data/signed", "2016-02-10", "/data/commences", "2016-02-10", "/data/notice_days", "180",
			"/data/review_due", "2017-02-10",
			// The approval is chosen from the recorded decisions: the option's value is the minute.
			"/data/authorised_by/0", `{"council":"breckland","body":"Cabinet","meeting":"2016-02-01","item":"7","raw":"CAB/16/7"}`})...),
		f(domain.TypeAgreementVaried, "2016-02-20",
			"/data/reference", "s113-2016", "/data/variation", "Notice lengthened to a year.", "/data/notice_days", "365"),
		f(domain.TypeJointAppointmentMade, "2016-03-01",
			"/data/officer/name", "Jane Smith", "/data/post", "Joint chief executive",
			"/data/statutory_role", "head_of_paid_service", "/data/employing_council", "breckland",
			"/data/councils/0/council", "breckland", "/data/councils/0/time_share_basis_points", "40",
			"/data/councils/1/council", "south-holland", "/data/councils/1/time_share_basis_points", "30",
			"/data/councils/2/council", "fenland", "/data/councils/2/time_share_basis_points", "30",
			"/data/basis", "permanent"), // starts_on is not asked: it is the effective date
		f(domain.TypeStatutoryRoleDesignated, "2016-03-02",
			"/data/council", "fenland", "/data/role", "monitoring_officer", "/data/officer/name", "John Brown"),
		f(domain.TypeCostShareAgreed, "2016-04-01",
			"/data/subject", "Joint chief executive", "/data/basis", "fixed_ratio",
			"/data/shares/0/council", "breckland", "/data/shares/0/basis_points", "33.34",
			"/data/shares/1/council", "south-holland", "/data/shares/1/basis_points", "33.33",
			"/data/shares/2/council", "fenland", "/data/shares/2/basis_points", "33.33",
			"/data/reset_each_financial_year", "true"), // applies_from is the effective date
		f(domain.TypeServiceSharingProposed, "2016-04-01",
			"/data/service", "human resources", "/data/candidates", "breckland", "/data/candidates", "south-holland",
			"/data/notes", "A business case to be looked at."),
		f(domain.TypeServiceMovedToSharedDelivery, "2016-05-01",
			"/data/service", "human resources", "/data/lead_council", "breckland", "/data/receiving_councils", "south-holland",
			"/data/agreement", "s113-2016", "/data/staff_transferred", "12"), // from is the effective date
		f(domain.TypeSavingsTargetSet, "2016-04-01",
			"/data/council", "breckland", "/data/financial_year", "2016", "/data/category", "shared management",
			"/data/amount_pence", "100000"),
		f(domain.TypeOneOffCostIncurred, "2016-05-01",
			"/data/council", "south-holland", "/data/financial_year", "2016", "/data/category", "redundancy",
			"/data/amount_pence", "25000"),
		f(domain.TypeExternalFundingAwarded, "2016-05-02",
			"/data/funder", "Local Government Association", "/data/recipients", "breckland", "/data/recipients", "fenland",
			"/data/amount_pence", "50000", "/data/purpose", "Shared services transition", "/data/notes", "Paid in two parts."),
		f(domain.TypeReviewScheduled, "2016-06-01",
			"/data/review", "review-2016", "/data/due_on", "2016-12-01",
			"/data/bodies/0/council", "breckland", "/data/bodies/0/body", "Cabinet",
			"/data/bodies/1/council", "south-holland", "/data/bodies/1/body", "Cabinet",
			"/data/terms_of_reference", "Whether to continue the shared chief executive."),
		f(domain.TypeStatutoryRoleVacated, "2016-06-30",
			"/data/council", "fenland", "/data/role", "monitoring_officer", "/data/officer/name", "John Brown",
			"/data/reason", "Retired."),
		f(domain.TypeExternalReviewCommissioned, "2016-07-01",
			"/data/reviewer", "Local Government Association", "/data/scope", "The shared management arrangement.",
			"/data/review", "review-2016"),
		f(domain.TypeServiceReturnedToSeparateDelivery, "2016-08-01",
			"/data/service", "human resources", "/data/reason", "The arrangement did not save money."),
		f(domain.TypeSavingsReported, "2016-09-30",
			"/data/council", "breckland", "/data/financial_year", "2016", "/data/category", "shared management",
			"/data/amount_pence", "40000.50", "/data/status", "forecast", "/data/period_to", "2016-09-30"),
		f(domain.TypeAppointmentEnded, "2016-10-01",
			"/data/officer/name", "Jane Smith", "/data/post", "Joint chief executive", "/data/councils", "fenland",
			"/data/last_day", "2016-09-30", "/data/reason", "Fenland ended its share."),
		f(domain.TypeReviewOutcomeRecorded, "2016-12-01", flat([]string{
			"/data/review", "review-2016", "/data/council", "breckland", "/data/outcome", "continue",
			"/data/rationale", "Savings are on track."}, minute("/data/minute", "breckland", "2016-12-01", "CAB/16/40"))...),
		f(domain.TypeWithdrawalNoticeGiven, "2017-01-05",
			"/data/council", "fenland", "/data/notice_days", "180", "/data/proposed_end", "2017-07-05"),
		f(domain.TypeCouncilWithdrew, "2017-07-05",
			"/data/council", "fenland", "/data/reason", "Notice given in January ran out."),
		f(domain.TypePartnershipDissolved, "2017-09-30", "/data/reason", "The councils agreed to end the arrangement."),
	}
}

// postTypeForm posts one everyTypeForm entry with the CSRF token and a fresh key, and returns the
// answer (after redirects) and its body.
func postTypeForm(t *testing.T, c *http.Client, base, csrf string, tf typeForm, key string) (*http.Response, string) {
	t.Helper()
	v := url.Values{}
	for k, vals := range tf.Values {
		v[k] = vals
	}
	v.Set("csrf", csrf)
	v.Set("key", key)
	target := base + "/partnerships/" + everyTypeSlug + "/record"
	if tf.Type == domain.TypePartnershipProposed {
		target = base + "/partnerships/new"
	}
	res, err := c.PostForm(target, v)
	require.NoError(t, err)
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return res, string(b)
}

// TestEveryTypeRecordsThroughTheForms: one valid post of the generated form of every event type but
// corrections and retractions records it, in order, on a new partnership.
func TestEveryTypeRecordsThroughTheForms(t *testing.T) {
	srv := newServer(t)
	c, csrf := clerkAtRecordForm(t, srv)
	forms := everyTypeForm()
	seen := map[string]bool{}
	for i, tf := range forms {
		seen[tf.Type] = true
		res, body := postTypeForm(t, c, srv.URL, csrf, tf, "every-type-"+tf.Type)
		require.Equal(t, http.StatusOK, res.StatusCode, "%d %s: %s", i, tf.Type, summaryOf(body))
		require.NotEmpty(t, res.Request.URL.Query().Get("recorded"), "%s: redirected to the confirmation", tf.Type)
	}
	for _, typ := range domain.EventTypes() {
		if typ != domain.TypeEventCorrected && typ != domain.TypeEventRetracted {
			assert.True(t, seen[typ], "everyTypeForm has %s", typ)
		}
	}
	status, page := get(t, c, srv.URL+"/partnerships/"+everyTypeSlug)
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, page, "Fenland District Council", "the joining council's slug was made from its name")
}

// summaryOf is the error summary of a page, for a failing test's message.
func summaryOf(page string) string {
	m := regexp.MustCompile(`(?s)<div class="error-summary".*?</div>`).FindString(page)
	if m == "" {
		if len(page) > 2000 {
			return page[:2000]
		}
		return page
	}
	return m
}
