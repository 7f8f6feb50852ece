package faulttest_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/partnership-ledger/ledger/fault/faulttest"
)

func TestAssertForPeople(t *testing.T) {
	for _, bad := range []string{"", "projections: bad as_of", "cannot unmarshal into domain.Date", "a JSON string cannot be a int64",
		"json: unknown field", "value %!s(int=3)", "want <nil>", "REFUSED: check proof: audit: tree head was signed by another key"} {
		ft := &testing.T{}
		assert.False(t, faulttest.AssertForPeople(ft, bad), bad)
	}
	for _, good := range []string{`as_of "2016-13-01" is not a valid date (YYYY-MM-DD): month out of range`,
		`/data/amount_pence: must be a whole number, not a JSON string`, "no partnership \"x\" is recorded",
		"must be pounds written as digits, e.g. 40000.50", "see docs/domain.md", "the start year as an integer", "/tmp/proof.json: check consistency: out of range"} {
		assert.True(t, faulttest.AssertForPeople(t, good), good)
	}
}
