package domain_test

import (
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/domain"
)

// history builds a partnership of n events: a proposal, then savings targets in date order.
func history(b *testing.B, n int) []domain.Recorded {
	bk := &book{t: &testing.T{}}
	bk.ok(cmd(domain.TypePartnershipProposed, "2015-10-01", proposal))
	for i := 1; i < n; i++ {
		evs, err := domain.Decide(bk.hist, cmd(domain.TypeSavingsTargetSet, "2015-12-01",
			fmt.Sprintf(`{"council":"north-norfolk","financial_year":2015,"category":"c%d","amount_pence":%d}`, i, i)))
		require.NoError(b, err)
		e := evs[0]
		bk.hist = append(bk.hist, domain.Recorded{ID: uuid.New(), Seq: uint64(i + 1), Type: e.Type, Schema: 1,
			EffectiveOn: e.EffectiveOn, Sources: e.Sources, Certainty: e.Certainty, Data: e.Data, Payload: e.Payload})
	}
	return bk.hist
}

func BenchmarkDecide(b *testing.B) {
	for _, n := range []int{100, 3000} {
		hist := history(b, n)
		b.Run(fmt.Sprintf("append-%d", n), func(b *testing.B) {
			c := cmd(domain.TypeSavingsTargetSet, "2016-01-01", `{"council":"north-norfolk","financial_year":2015,"category":"x","amount_pence":1}`)
			for b.Loop() {
				if _, err := domain.Decide(hist, c); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("decider-append-%d", n), func(b *testing.B) {
			d := domain.NewDecider(hist)
			c := cmd(domain.TypeSavingsTargetSet, "2016-01-01", `{"council":"north-norfolk","financial_year":2015,"category":"x","amount_pence":1}`)
			for b.Loop() {
				if _, err := d.Decide(c); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("backdated-%d", n), func(b *testing.B) {
			c := cmd(domain.TypeSavingsTargetSet, "2015-11-01", `{"council":"north-norfolk","financial_year":2015,"category":"x","amount_pence":1}`)
			for b.Loop() {
				if _, err := domain.Decide(hist, c); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDecodePayload(b *testing.B) {
	data := []byte(`{"officer": {"name": "Sheila Oxtoby"}, "post": "chief-executive",
  "statutory_role": "head_of_paid_service", "employing_council": "north-norfolk",
  "councils": [{"council": "great-yarmouth", "time_share_basis_points": 5000}, {"council": "north-norfolk", "time_share_basis_points": 5000}],
  "basis": "interim", "starts_on": "2015-11-07", "approvals": [ {"council": "great-yarmouth", "body": "full council", "meeting": "2015-10-15", "item": "8", "raw": "Full Council 15 October 2015, item 8"} ]}`)
	b.Run("strict", func(b *testing.B) {
		for b.Loop() {
			if _, err := domain.DecodePayload(domain.TypeJointAppointmentMade, 1, data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("stored", func(b *testing.B) {
		for b.Loop() {
			if _, err := domain.DecodeStoredPayload(domain.TypeJointAppointmentMade, 1, data); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkDecodeCommand is the HTTP record path's decoding of a body: the gate on its exact bytes,
// then the strict decode, then Decide's checks (the gate on the data, the limits) on a Decider.
func BenchmarkDecodeCommand(b *testing.B) {
	body := []byte(`{"type":"SavingsTargetSet","effective_on":"2016-01-01","certainty":"reported","sources":[{"kind":"press","title":"Eastern Daily Press, 18 December 2015","url":"https://www.edp24.co.uk/news/shared-management"}],"data":{"council":"north-norfolk","financial_year":2015,"category":"shared management","amount_pence":4000000}}`)
	d := domain.NewDecider(history(b, 100))
	for b.Loop() {
		c, err := domain.DecodeCommand("gy-nn", body)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := d.Decide(c); err != nil {
			b.Fatal(err)
		}
	}
}
