package domain_test

import (
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
