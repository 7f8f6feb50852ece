package domain

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/google/uuid"
)

// Effective is one event as it stands after corrections: the original's envelope with the corrected
// effective_on, sources, certainty, data and payload, and the ids of the events that produced it.
type Effective struct {
	Recorded
	// Evidence holds the original event's id first, then the ids of the corrections applied to it,
	// in the order they were recorded.
	Evidence []uuid.UUID
}

// Corrected reports whether at least one correction was applied.
func (e Effective) Corrected() bool { return len(e.Evidence) > 1 }

// EffectiveView applies corrections and retractions to a partnership's history and returns the
// events in effect, ordered by effective_on, ties by seq (the order of the originals in history).
//
// history must be in seq order; pass a prefix of it (the events recorded by some known_at) to see
// the partnership as it was known then: a correction recorded later is simply not in the prefix.
// EventCorrected and EventRetracted events do not appear in the result; a correction changes its
// target (top-level data fields replaced, then effective_on, sources and certainty when set; the
// last correction wins), a retraction removes its target and the target's corrections.
//
// A correction that cannot apply (its target unknown, retracted or itself a correction, or its
// fields not valid for the target's type) is ignored; Decide never records one. EffectiveView does
// not modify history and is safe for concurrent use.
func EffectiveView(history []Recorded) []Effective {
	out := make([]Effective, 0, len(history))
	ord := make([]int, 0, len(history)) // position in history of each entry of out, for ties
	index := map[uuid.UUID]int{}        // target id -> position in out
	removed := make([]bool, 0, len(history))
	for i, r := range history {
		switch p := r.Payload.(type) {
		case EventCorrected:
			j, ok := index[p.Target]
			if !ok || removed[j] {
				continue
			}
			if corrected, err := applyCorrection(out[j].Recorded, p); err == nil {
				out[j].Recorded = corrected
				out[j].Evidence = append(out[j].Evidence, r.ID)
			}
		case EventRetracted:
			if j, ok := index[p.Target]; ok {
				removed[j] = true
			}
		default:
			index[r.ID] = len(out)
			out = append(out, Effective{Recorded: r, Evidence: []uuid.UUID{r.ID}})
			ord = append(ord, i)
			removed = append(removed, false)
		}
	}
	type item struct {
		e   Effective
		ord int
	}
	items := make([]item, 0, len(out))
	for j, e := range out {
		if !removed[j] {
			items = append(items, item{e, ord[j]})
		}
	}
	slices.SortStableFunc(items, func(a, b item) int {
		if c := a.e.EffectiveOn.Compare(b.e.EffectiveOn); c != 0 {
			return c
		}
		return cmp.Compare(a.ord, b.ord)
	})
	res := make([]Effective, len(items))
	for i, it := range items {
		res[i] = it.e
	}
	return res
}

// applyCorrection returns the target with the correction applied. The result's payload is decoded
// again from the merged data, so a correction cannot smuggle in unknown fields.
func applyCorrection(target Recorded, c EventCorrected) (Recorded, error) {
	out := target
	if len(c.Data) > 0 {
		var base, patch map[string]json.RawMessage
		if err := json.Unmarshal(dataOf(target), &base); err != nil {
			return target, fmt.Errorf("the target's data is not an object: %w", err)
		}
		if err := json.Unmarshal(c.Data, &patch); err != nil || patch == nil {
			return target, fmt.Errorf("the corrected data must be a JSON object of fields")
		}
		if base == nil {
			base = map[string]json.RawMessage{}
		}
		for k, v := range patch {
			if string(v) == "null" {
				delete(base, k)
				continue
			}
			base[k] = v
		}
		merged, err := json.Marshal(base)
		if err != nil {
			return target, err
		}
		p, err := DecodePayload(target.Type, target.Schema, merged)
		if err != nil {
			return target, err
		}
		out.Data, out.Payload = merged, p
	}
	if !c.EffectiveOn.IsZero() {
		out.EffectiveOn = c.EffectiveOn
	}
	if len(c.Sources) > 0 {
		out.Sources = c.Sources
	}
	if c.Certainty != "" {
		out.Certainty = c.Certainty
	}
	return out, nil
}

// dataOf returns an event's data: as stored, or encoded again from its payload when a cache has
// dropped the stored bytes to save memory.
func dataOf(r Recorded) json.RawMessage {
	if len(r.Data) > 0 || r.Payload == nil {
		return r.Data
	}
	b, err := EncodePayload(r.Payload)
	if err != nil {
		return nil
	}
	return b
}
