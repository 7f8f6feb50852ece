package domain

import (
	"bytes"
	"encoding/json"
	"slices"
)

// CorrectedField is one field a correction replaced in the event it corrects: Field is a member of
// the event's data by its JSON name ("trial_ends_on"), or "effective_on", "sources" or "certainty";
// Before and After are the field's values as JSON (the event as corrected before, and after, this
// correction), Before nil for a member the event did not have, After nil for one the correction
// removed (a null). Only fields whose value changed are listed.
type CorrectedField struct {
	Field  string
	Before json.RawMessage
	After  json.RawMessage
}

// The envelope fields a correction may replace, as CorrectedField.Field names them.
const (
	CorrectedEffectiveOn = "effective_on"
	CorrectedSources     = "sources"
	CorrectedCertainty   = "certainty"
)

// Correct applies a correction to an event as it stands (the original, or the original as corrected
// by the corrections recorded before this one) and returns the event corrected and the fields the
// correction changed: data members in the order of their names, then effective_on, sources and
// certainty. It is the fold's own reading (EffectiveView applies corrections the same way), for views
// that show what a correction changed. The error is that of a correction that cannot apply (its data
// not an object, or not valid for the event's type); Decide never records one. Safe for concurrent
// use.
func Correct(target Recorded, c EventCorrected) (Recorded, []CorrectedField, error) {
	out, err := applyCorrection(target, c)
	if err != nil {
		return target, nil, err
	}
	var fields []CorrectedField
	if len(c.Data) > 0 {
		var before, patch map[string]json.RawMessage
		_ = json.Unmarshal(dataOf(target), &before) // applyCorrection read both
		_ = json.Unmarshal(c.Data, &patch)
		names := make([]string, 0, len(patch))
		for k := range patch {
			names = append(names, k)
		}
		slices.Sort(names)
		for _, k := range names {
			after := patch[k]
			if string(after) == "null" {
				after = nil
			}
			if !bytes.Equal(compactJSON(before[k]), compactJSON(after)) {
				fields = append(fields, CorrectedField{Field: k, Before: before[k], After: after})
			}
		}
	}
	if out.EffectiveOn != target.EffectiveOn {
		fields = append(fields, CorrectedField{Field: CorrectedEffectiveOn, Before: mustJSON(target.EffectiveOn), After: mustJSON(out.EffectiveOn)})
	}
	if b, a := mustJSON(target.Sources), mustJSON(out.Sources); !bytes.Equal(b, a) {
		fields = append(fields, CorrectedField{Field: CorrectedSources, Before: b, After: a})
	}
	if out.Certainty != target.Certainty {
		fields = append(fields, CorrectedField{Field: CorrectedCertainty, Before: mustJSON(target.Certainty), After: mustJSON(out.Certainty)})
	}
	return out, fields, nil
}

// compactJSON is the JSON value without insignificant space, for comparing values; nil stays nil.
func compactJSON(v json.RawMessage) []byte {
	if v == nil {
		return nil
	}
	var b bytes.Buffer
	if json.Compact(&b, v) != nil {
		return v
	}
	return b.Bytes()
}

// mustJSON encodes a value of the domain's own types, which always encode.
func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return b
}
