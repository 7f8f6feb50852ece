package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestStateUsesTheOneFormatters: ledger state writes money and shares as the pages and packs do
// (domain.Pence.String, SignedString for a difference, domain.BasisPoints.String): "£40,000" not
// "£40,000.00", "50%" not "50.00%", and a saving above its target with its plus sign.
func TestStateUsesTheOneFormatters(t *testing.T) {
	store := seeded(t)
	r := ledger(t, nil, "state", "--store", store, "--partnership", "great-yarmouth-north-norfolk", "--as-of", "2016-03-31")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "great-yarmouth 50%, north-norfolk 50%")
	assert.Contains(t, r.stdout, "£40,000")
	assert.Contains(t, r.stdout, "+£40,000")
	assert.NotContains(t, r.stdout, ".00%")
	assert.NotContains(t, r.stdout, "£40,000.00")
}
