package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
}

var _ = url.Values{}
