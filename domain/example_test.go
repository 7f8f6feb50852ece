package domain_test

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/partnership-ledger/ledger/domain"
)

func ExampleDecide() {
	sources := []domain.SourceRef{{Kind: domain.SourceMinutes, Title: "Full Council, 15 October 2015"}}
	propose := domain.Command{Partnership: "gy-nn", Type: domain.TypePartnershipProposed, EffectiveOn: "2015-10-01",
		Sources: sources, Certainty: "confirmed", Data: json.RawMessage(proposal)}
	events, err := domain.Decide(nil, propose)
	if err != nil {
		panic(err)
	}
	fmt.Println(events[0].Type, events[0].Partnership.Stream())

	history := []domain.Recorded{{Seq: 1, Type: events[0].Type, Schema: 1, EffectiveOn: events[0].EffectiveOn,
		Sources: sources, Certainty: domain.Confirmed, Data: events[0].Data, Payload: events[0].Payload}}
	share := domain.Command{Partnership: "gy-nn", Type: domain.TypeCostShareAgreed, EffectiveOn: "2015-11-07",
		Sources: sources, Certainty: "confirmed", Data: json.RawMessage(`{"subject": "chief-executive",
		"basis": "fixed_ratio", "applies_from": "2015-11-07", "shares": [{"council": "great-yarmouth",
		"basis_points": 6000}, {"council": "broadland", "basis_points": 3000}]}`)}
	_, err = domain.Decide(history, share)
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		for _, p := range ve.Problems {
			fmt.Println(p)
		}
	}
	// Output:
	// PartnershipProposed partnership-gy-nn
	// /data/shares: shares sum to 9000 basis points; they must sum to exactly 10000 (100%)
	// /data/shares/1/council: council broadland is not an active partner on 2015-11-07
}

func ExampleFinancialYear() {
	fy, _ := domain.ParseFinancialYear("2015/16")
	fmt.Println(fy, fy.Start(), fy.End(), fy.Contains(domain.MustDate("2016-03-31")))
	// Output: 2015/16 2015-04-01 2016-03-31 true
}

// ExampleState_ApplyEffect folds a partnership's effective history and says what each event did, field
// by field: the API ledger replay reads.
func ExampleState_ApplyEffect() {
	rec := func(seq uint64, typ, eff, data string) domain.Recorded {
		p, err := domain.DecodePayload(typ, domain.CurrentSchema, []byte(data))
		if err != nil {
			panic(err)
		}
		return domain.Recorded{ID: uuid.NewSHA1(uuid.Nil, []byte{byte(seq)}), Seq: seq, Type: typ, Schema: 1,
			EffectiveOn: domain.MustDate(eff), Payload: p}
	}
	history := []domain.Recorded{
		rec(1, domain.TypePartnershipProposed, "2015-10-01", proposal),
		rec(2, domain.TypeCostShareAgreed, "2015-11-07", `{"subject":"chief-executive","basis":"equal","applies_from":"2015-11-07",
		  "shares":[{"council":"great-yarmouth","basis_points":5000},{"council":"north-norfolk","basis_points":5000}]}`),
		rec(3, domain.TypeCostShareAgreed, "2016-04-01", `{"subject":"Chief-Executive","basis":"fixed_ratio","applies_from":"2016-04-01",
		  "shares":[{"council":"great-yarmouth","basis_points":6000},{"council":"north-norfolk","basis_points":4000}]}`),
	}
	s := domain.NewState()
	for _, e := range domain.EffectiveView(history) {
		eff := s.ApplyEffect(e) // s.Apply(e) folds without working out the effect
		for _, f := range eff.Made {
			fmt.Printf("%s made %s %q\n", e.Type, f.Kind, f.Key)
		}
		for _, c := range eff.Changed {
			for _, ch := range c.Changes {
				fmt.Printf("%s changed %s %q %s: %v -> %v\n", e.Type, c.Kind, c.Key, ch.Name, ch.Before, ch.After)
			}
		}
	}
	fmt.Println(len(s.Partners), "partners;", s.Status.Value, "since", s.Status.Since)
	// Output:
	// PartnershipProposed made partnership ""
	// PartnershipProposed made partner "great-yarmouth"
	// PartnershipProposed made partner "north-norfolk"
	// PartnershipProposed made status ""
	// CostShareAgreed made cost_share "chief-executive"
	// CostShareAgreed changed cost_share "chief-executive" subject: chief-executive -> Chief-Executive
	// CostShareAgreed changed cost_share "chief-executive" basis: equal -> fixed_ratio
	// CostShareAgreed changed cost_share "chief-executive" shares: [great-yarmouth 5000 north-norfolk 5000] -> [great-yarmouth 6000 north-norfolk 4000]
	// CostShareAgreed changed cost_share "chief-executive" applies_from: 2015-11-07 -> 2016-04-01
	// 2 partners; proposed since 2015-10-01
}
