package domain_test

import (
	"encoding/json"
	"errors"
	"fmt"

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
