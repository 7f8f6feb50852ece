package web_test

import (
	"html"
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/domain"
)

// TestFormsChooseFromTheRecord (issue 23 point 1, the tester's findings): what a form names from the
// partnership's record is chosen from it, worded as a person reads it, the option's value what the
// rules compare: the scheduled review (not a slug typed), the agreement varied, the approving
// decision (the minute field by field); a council in full the ledger knows keeps its slug (by ONS
// code, typed in lowercase), and pounds copied from a report (£12,500.50) are read.
func TestFormsChooseFromTheRecord(t *testing.T) {
	srv, store := formsServer(t)
	c, csrf := clerkAtRecordForm(t, srv)
	recordUpTo(t, c, srv.URL, csrf, domain.TypeReviewOutcomeRecorded)
	formURL := srv.URL + "/partnerships/" + everyTypeSlug + "/record?type="

	_, page := get(t, c, formURL+domain.TypeReviewOutcomeRecorded)
	page = html.UnescapeString(page)
	assert.Contains(t, page, `<select id="f-data-review" name="/data/review"`, "the review is chosen, not typed")
	assert.Contains(t, page, `<option value="review-2016">The review due 1 December 2016 (review-2016)</option>`)
	_, page = get(t, c, formURL+domain.TypeExternalReviewCommissioned)
	assert.Contains(t, html.UnescapeString(page), `<option value="review-2016">The review due 1 December 2016 (review-2016)</option>`)
	_, page = get(t, c, formURL+domain.TypeAgreementVaried)
	assert.Contains(t, html.UnescapeString(page), `<option value="s113-2016">Section 113 agreement, signed 10 February 2016 (s113-2016)</option>`)
	_, page = get(t, c, formURL+domain.TypeServiceReturnedToSeparateDelivery)
	assert.Contains(t, html.UnescapeString(page), `<select id="f-data-service"`)
	_, page = get(t, c, formURL+domain.TypeStatutoryRoleVacated)
	assert.Contains(t, html.UnescapeString(page), `<select id="f-data-officer-name"`, "the holder is chosen from the designations")
	assert.NotContains(t, page, `<option value="John Brown">`, "John Brown's role was vacated already")

	// Not asked twice: starts_on is the effective date (the rules require them equal).
	_, page = get(t, c, formURL+domain.TypeJointAppointmentMade)
	assert.Contains(t, page, `<input type="hidden" id="f-data-starts_on" name="/data/starts_on" value="">`)
	assert.Contains(t, page, `<label for="f-effective_on">Starts on (the date it takes effect)</label>`)
	assert.NotContains(t, page, `<label for="f-data-starts_on">`)
	assert.Equal(t, "2016-03-01", streamData(t, store, domain.TypeJointAppointmentMade)[0]["starts_on"], "everyTypeForm gives only the effective date")
	assert.Equal(t, "2016-04-01", streamData(t, store, domain.TypeCostShareAgreed)[0]["applies_from"])

	// An approval: Add gives a select of the recorded decisions, the minute as its value.
	post := func(v url.Values) (int, string) {
		v.Set("csrf", csrf)
		v.Set("key", formKey())
		res, err := c.PostForm(srv.URL+"/partnerships/"+everyTypeSlug+"/record", v)
		require.NoError(t, err)
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		return res.StatusCode, html.UnescapeString(string(b))
	}
	_, page = post(url.Values{"type": {domain.TypeCouncilWithdrew}, "action": {"add:/data/authorised_by"}})
	assert.Contains(t, page, `<select id="f-data-authorised_by-0" name="/data/authorised_by/0"`)
	assert.Contains(t, page, `>Cabinet 1 February 2016, item 7 — Breckland District Council, approved (CAB/16/7)</option>`)
	assert.Contains(t, page, `{"council":"breckland","body":"Cabinet","meeting":"2016-02-01","item":"7","raw":"CAB/16/7"}`)

	// The tester's council: known to the ledger (the demo's kings-lynn-west-norfolk), its ONS code
	// typed in lowercase, the slug left blank.
	joined := formOf(t, domain.TypeCouncilJoinedPartnership).Values
	joined.Set("/effective_on", "2016-11-30")
	joined.Set("/data/council/name", "Borough Council of King's Lynn and West Norfolk")
	joined.Set("/data/council/kind", "borough")
	joined.Set("/data/council/ons_code", "e07000146")
	status, page := post(joined)
	require.Equal(t, http.StatusOK, status, "%s", summaryOf(page))
	councils := streamData(t, store, domain.TypeCouncilJoinedPartnership)
	require.Len(t, councils, 2)
	kl := councils[1]["council"].(map[string]any)
	assert.Equal(t, "kings-lynn-west-norfolk", kl["council"], "the ledger's slug for the council, found by its ONS code")
	assert.Equal(t, "E07000146", kl["ons_code"], "upper-cased")

	// A decision's minute reference is optional on the form: made from the body, meeting and item.
	decided := formOf(t, domain.TypeDecisionTaken).Values
	decided.Set("/effective_on", "2016-11-28")
	decided.Set("/data/minute/meeting", "2016-11-28")
	decided.Set("/data/minute/item", "12")
	decided.Del("/data/minute/raw")
	decided.Del("/data/votes/abstentions") // votes given in part: the blank count is 0
	decided.Set("/data/votes/for", "-1")
	status, page = post(decided)
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Contains(t, page, `<p class="field-error" id="f-data-votes-for-error"><span class="visually-hidden">Error:</span> Must not be negative</p>`, "said beside the count")
	decided.Set("/data/votes/for", "7")
	_, page = get(t, c, formURL+domain.TypeDecisionTaken)
	assert.Contains(t, page, `<label for="f-data-minute-raw">Minute reference (optional)</label>`)
	status, page = post(decided)
	require.Equal(t, http.StatusOK, status, "%s", summaryOf(page))
	decisions := streamData(t, store, domain.TypeDecisionTaken)
	assert.Equal(t, map[string]any{"for": 7.0, "against": 1.0, "abstentions": 0.0}, decisions[len(decisions)-1]["votes"])
	assert.Equal(t, "Cabinet 28 November 2016, item 12", decisions[len(decisions)-1]["minute"].(map[string]any)["raw"])

	// Pounds as a report writes them.
	target := formOf(t, domain.TypeSavingsTargetSet).Values
	target.Set("/data/category", "copied from a report")
	target.Set("/data/amount_pence", "£12,500.50")
	status, page = post(target)
	require.Equal(t, http.StatusOK, status, "%s", summaryOf(page))
	targets := streamData(t, store, domain.TypeSavingsTargetSet)
	assert.Equal(t, 1250050.0, targets[len(targets)-1]["amount_pence"])
}
