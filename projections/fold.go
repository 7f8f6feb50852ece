package projections

import "github.com/partnership-ledger/ledger/eventstore"

type viewCache struct{}

func decodeEntry(e eventstore.Event) (entry, string, bool) {
	slug, ok := slugOf(e.Stream)
	if !ok {
		return entry{}, "", false
	}
	eff, _ := parseDay(e.EffectiveOn)
	return entry{seq: e.Seq, id: e.ID, typ: e.Type, eff: eff, certainty: e.Certainty}, slug, true
}
