package projections

import "github.com/partnership-ledger/ledger/eventstore"

func decodeEntry(e eventstore.Event) entry {
	eff, _ := parseDay(e.EffectiveOn)
	return entry{seq: e.Seq, id: e.ID, typ: e.Type, eff: eff, certainty: e.Certainty}
}

func isCorrection(typ string) bool { return typ == "EventCorrected" || typ == "EventRetracted" }

func effective(entries []entry) []effEvent {
	out := make([]effEvent, len(entries))
	for i, e := range entries {
		out[i] = effEvent{entry: e, evidence: Evidence{e.id}}
	}
	return out
}

func fold(slug string, events []effEvent) *State { return &State{Partnership: slug} }

func describe(e effEvent) string { return e.typ }
