package domain_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/domain"
)

func TestDecodeStoredSources(t *testing.T) {
	press := domain.SourceRef{Kind: domain.SourcePress, Title: "Shared chief executive", Published: domain.MustDate("2015-12-18")}
	tests := []struct {
		name string
		raw  string
		want []domain.SourceRef
	}{
		{"none", ``, nil},
		{"empty list", `[]`, []domain.SourceRef{}},
		{"a press report", `[{"kind":"press","title":"Shared chief executive","published":"2015-12-18"}]`, []domain.SourceRef{press}},
		{"a null field is left as it was", `[{"kind":"press","title":"Shared chief executive","published":"2015-12-18","url":null}]`, []domain.SourceRef{press}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := domain.DecodeStoredSources([]byte(tt.raw))
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	for _, bad := range []string{`{`, `[{"kind":"rumour","title":"x"}]`, `[{"kind":"press","published":"2015-02-30"}]`} {
		_, err := domain.DecodeStoredSources([]byte(bad))
		assert.ErrorIs(t, err, domain.ErrMalformed, bad)
	}
}

// An event recorded with the old illustrative flag still decodes as stored, and reads as every detail
// it gives assumed; per-detail marks read as given.
func TestAssumedDetails(t *testing.T) {
	old, err := domain.DecodeStoredSources([]byte(`[{"illustrative":true,"kind":"minutes","locator":"item 8","published":"2015-10-15","title":"Minutes"}]`))
	require.NoError(t, err)
	require.Len(t, old, 1)
	assert.Equal(t, []string{"kind", "title", "published", "locator"}, old[0].AssumedDetails())
	assert.True(t, old[0].AllAssumed())
	assert.False(t, old[0].Confirms(), "an illustrative source confirms nothing")

	article := domain.SourceRef{Kind: domain.SourcePress, Title: "Shared chief executive", Publisher: "Eastern Daily Press",
		Published: domain.MustDate("2015-12-18"), SHA256: strings.Repeat("ab", 32), Assumed: []string{"publisher", "title", "published"}}
	assert.Equal(t, []string{"title", "publisher", "published"}, article.AssumedDetails(), "in SourceDetails order")
	assert.False(t, article.AllAssumed(), "its kind and text (SHA-256) are not assumed")
	assert.False(t, article.Confirms(), "the press confirms nothing")

	minutes := domain.SourceRef{Kind: domain.SourceMinutes, Title: "Cabinet minutes", Locator: "minute 10"}
	assert.True(t, minutes.Confirms())
	assert.Nil(t, minutes.AssumedDetails())
	minutes.Assumed = []string{"locator"}
	assert.False(t, minutes.Confirms(), "a primary source with an assumed detail does not confirm")
	assert.False(t, domain.HasConfirmingSource([]domain.SourceRef{minutes, article}))
}
