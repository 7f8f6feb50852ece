package web

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/domain"
)

// A source recorded with the old illustrative flag (stored only: no form can send it) is offered for
// correction as what it means, every detail it gives assumed, so correcting the sources keeps it.
func TestCorrectOffersAnIllustrativeSourceAsAssumed(t *testing.T) {
	src := domain.SourceRef{Kind: domain.SourcePress, Title: "EDP", Publisher: "Eastern Daily Press", Illustrative: true}
	p := domain.SavingsReported{Council: domain.MustCouncil("north-norfolk"), FinancialYear: 2015, Category: "x", AmountPence: 100,
		Status: domain.SavingsForecast, PeriodTo: domain.MustDate("2016-03-31")}
	tg := &target{Effective: domain.Effective{Recorded: domain.Recorded{Type: domain.TypeSavingsReported, Payload: p,
		Sources: []domain.SourceRef{src}, Certainty: domain.Reported, EffectiveOn: domain.MustDate("2015-12-18")}}, State: fuzzState, Names: fuzzState.Councils}
	s := &server{}
	var c correctable
	for _, m := range s.correctables(context.Background(), tg) {
		if m.Name == domain.CorrectedSources {
			c = m
		}
	}
	require.Equal(t, domain.CorrectedSources, c.Name)
	v := s.prefill(tg, c, memberPointer(c.Name))
	assert.Equal(t, []string{"kind", "title", "publisher"}, v["/data/sources/0/assumed"])
	assert.Empty(t, v.Get("/data/sources/0/illustrative"))
	fs := s.correctFields(tg, c, v)
	got := readFields(fs[:1], v, func(p, m string) { t.Errorf("%s: %s", p, m) })
	assert.Equal(t, []any{"kind", "title", "publisher"}, got["sources"].([]any)[0].(map[string]any)["assumed"])
}
