package demo_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/demo"
)

// TestDeciderMatchesDecide grows a Decider event by event over the demo and checks, at every step,
// that it answers probe commands as a fresh Decide over the same history does.
func TestDeciderMatchesDecide(t *testing.T) {
	_, rec := seeded(t)
	hist, err := rec.History(context.Background(), demo.GreatYarmouthNorthNorfolk)
	require.NoError(t, err)
	src := []domain.SourceRef{{Kind: domain.SourceMinutes, Title: "probe"}}
	probe := func(typ, eff, data string) domain.Command {
		return domain.Command{Partnership: demo.GreatYarmouthNorthNorfolk, Type: typ, EffectiveOn: eff, Sources: src,
			Certainty: "confirmed", Data: json.RawMessage(data)}
	}
	probes := []domain.Command{
		probe(domain.TypeSavingsTargetSet, "2016-12-01", `{"council":"north-norfolk","financial_year":2016,"category":"x","amount_pence":1}`),
		probe(domain.TypeSavingsTargetSet, "2015-11-08", `{"council":"great-yarmouth","financial_year":2015,"category":"x","amount_pence":1}`),
		probe(domain.TypeStatutoryRoleDesignated, "2015-12-01", `{"council":"north-norfolk","role":"monitoring_officer","officer":{"name":"Sheila Oxtoby"}}`),
		probe(domain.TypeJointAppointmentMade, "2016-01-04", `{"officer":{"name":"Karen Sly"},"post":"monitoring","employing_council":"north-norfolk",
			"councils":[{"council":"great-yarmouth","time_share_basis_points":100}],"basis":"interim","starts_on":"2016-01-04"}`),
		probe(domain.TypeReviewOutcomeRecorded, "2016-09-20", `{"review":"june-2016","council":"north-norfolk","outcome":"continue","rationale":"x"}`),
	}
	d := domain.NewDecider(nil)
	for i, r := range hist {
		d.Add(r)
		for j, c := range probes {
			_, fresh := domain.Decide(hist[:i+1], c)
			_, incr := d.Decide(c)
			if fresh == nil {
				assert.NoError(t, incr, "step %d probe %d", i, j)
				continue
			}
			require.Error(t, incr, "step %d probe %d: fresh refused with %v", i, j, fresh)
			assert.Equal(t, fresh.Error(), incr.Error(), "step %d probe %d", i, j)
		}
	}
}
