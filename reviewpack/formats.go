package reviewpack

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Shape is the layout of one JSON value of a pack format: which members an object may have, at every
// depth. formats/<format>.json holds, for each format, the Shape of its pack.json, generated from the
// Go types of the version that wrote it (TestFormatShape; see formats/README.md).
type Shape struct {
	// Kind is "object" (Members lists every member it may have), "list" or "map" (Items is the
	// shape of each element or value), "value" (a string, number, boolean or null) or "any" (a value
	// the format's own decoder reads: its members are not constrained here).
	Kind    string            `json:"kind"`
	Members map[string]*Shape `json:"members,omitempty"`
	Items   *Shape            `json:"items,omitempty"`
}

//go:embed formats/*.json
var formatFiles embed.FS

// formatShape is the Shape of pack.json in format, read from formats/<format>.json; nil when there is
// none (a format this ledger does not know).
func formatShape(format string) *Shape {
	b, err := formatFiles.ReadFile("formats/" + format + ".json")
	if err != nil {
		return nil
	}
	var s Shape
	if err := json.Unmarshal(b, &s); err != nil {
		panic(fmt.Sprintf("reviewpack: formats/%s.json: %v", format, err)) // embedded, checked by TestFormatShapesRead
	}
	return &s
}

// foreignMember is the JSON pointer of the first member of doc that
// shape does not allow, members taken in the order of their names, depth first
// ("/report/risks/0/certainty"); "" when every member at every depth is one
// the format has. Values of the wrong kind are left to the strict decoder that follows; doc is JSON
// that has already decoded.
func foreignMember(doc []byte, shape *Shape) string {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return ""
	}
	return foreignIn(v, shape, "")
}

func foreignIn(v any, s *Shape, at string) string {
	if s == nil {
		return ""
	}
	switch s.Kind {
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			sub, known := s.Members[k]
			ptr := at + "/" + pointerToken(k)
			if !known {
				return ptr
			}
			if p := foreignIn(m[k], sub, ptr); p != "" {
				return p
			}
		}
	case "list":
		l, _ := v.([]any)
		for i, e := range l {
			if p := foreignIn(e, s.Items, at+"/"+strconv.Itoa(i)); p != "" {
				return p
			}
		}
	case "map":
		m, _ := v.(map[string]any)
		for _, k := range slices.Sorted(maps.Keys(m)) {
			if p := foreignIn(m[k], s.Items, at+"/"+pointerToken(k)); p != "" {
				return p
			}
		}
	}
	return ""
}

// pointerToken escapes a member name for a JSON pointer (RFC 6901 §3).
func pointerToken(k string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(k)
}
