package openapigen

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/demo"
)

// fixtures holds a request body for each event type the demo ledger does not record, so that every
// type has an example. They are illustrative, not from any council's documents; a test checks that
// Decide accepts each on its own (domain.CheckCommand).
//
//go:embed examples.json
var fixtures []byte

// EventType is one event type of the catalogue as the generator sees it.
type EventType struct {
	Name     string         // "SavingsReported"
	Schema   int            // the payload schema version, domain.CurrentSchema
	Go       reflect.Type   // the payload's Go type, domain.SavingsReported
	Example  map[string]any // a request body: {"type", "effective_on", "sources", "certainty", "data"}
	FromDemo bool           // the example is the demo ledger's first event of the type
}

// DataSchema is the name of the component describing the type's data, "SavingsReportedV1".
func (e EventType) DataSchema() string { return e.Name + "V" + strconv.Itoa(e.Schema) }

// Anchor is the type's heading anchor in docs/events.md, "savingsreported".
func (e EventType) Anchor() string { return strings.ToLower(e.Name) }

// EventTypes returns every event type of domain.EventTypes, in catalogue order, with its example.
func EventTypes() []EventType {
	examples := map[string]map[string]any{}
	fromDemo := map[string]bool{}
	for _, c := range demo.Commands() {
		if _, ok := examples[c.Type]; ok {
			continue
		}
		examples[c.Type] = map[string]any{"type": c.Type, "effective_on": c.EffectiveOn, "sources": c.Sources,
			"certainty": c.Certainty, "data": c.Data}
		fromDemo[c.Type] = true
	}
	var fixed map[string]map[string]any
	if err := json.Unmarshal(fixtures, &fixed); err != nil {
		panic("openapigen: examples.json: " + err.Error())
	}
	for typ, ex := range fixed {
		if _, ok := examples[typ]; !ok {
			examples[typ] = ex
		}
	}
	var out []EventType
	for _, name := range domain.EventTypes() {
		p, err := domain.DecodePayload(name, domain.CurrentSchema, []byte("{}"))
		if err != nil {
			panic(fmt.Sprintf("openapigen: %s: %v", name, err))
		}
		ex := examples[name]
		if ex == nil {
			panic("openapigen: no example of " + name + ": add one to api/openapigen/examples.json")
		}
		out = append(out, EventType{Name: name, Schema: domain.CurrentSchema, Go: reflect.TypeOf(p),
			Example: normalise(ex), FromDemo: fromDemo[name]})
	}
	return out
}

// normalise turns v into plain JSON values (maps, slices, json.Number), as the document holds them.
func normalise(v any) map[string]any {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out map[string]any
	if err := dec.Decode(&out); err != nil {
		panic(err)
	}
	return out
}

// eventSchemas adds to w.defs the data schema of every event type (<Type>V<n>), a request variant
// (Record<Type>) and an event variant (<Type>Event) each, and RecordRequest and Event as a oneOf of
// the variants discriminated by type.
func eventSchemas(w *walker) {
	// rw describes what was recorded: the same types without the limits on new commands, which are
	// never applied to stored events (an event recorded before a limit was set still reads).
	rw := &walker{defs: w.defs, docs: w.docs, read: true, suffix: "Stored", order: w.order}
	var records, events []any
	var names []any
	recordMap, eventMap := map[string]any{}, map[string]any{}
	for _, e := range EventTypes() {
		data := w.structSchema(e.DataSchema(), e.Go)
		data["title"] = fmt.Sprintf("%s data, schema version %d", e.Name, e.Schema)
		data["description"] = strings.TrimSpace(fmt.Sprintf("%s See docs/events.md#%s.", w.docs.typ(e.Go), e.Anchor()))
		data["examples"] = []any{e.Example["data"]}
		w.defs[e.DataSchema()] = data

		rec := "Record" + e.Name
		w.defs[rec] = map[string]any{
			"title":                "Record " + e.Name,
			"type":                 "object",
			"additionalProperties": false,
			"required":             []any{"type", "effective_on", "sources", "certainty", "data"},
			"properties": map[string]any{
				"type":         map[string]any{"const": e.Name},
				"effective_on": withDescription(w.typeSchema(reflect.TypeFor[domain.Date](), nil), "The date the event takes effect."),
				"sources": map[string]any{"type": "array", "minItems": 1, "maxItems": domain.MaxSources,
					"items": w.typeSchema(reflect.TypeFor[domain.SourceRef](), nil), "description": "The evidence: at least one source."},
				"certainty": w.typeSchema(reflect.TypeFor[domain.Certainty](), nil),
				"data":      ref(e.DataSchema()),
			},
			"examples": []any{e.Example},
		}
		records = append(records, ref(rec))
		recordMap[e.Name] = "#/components/schemas/" + rec

		stored := rw.structSchema(e.DataSchema()+"Stored", e.Go)
		stored["title"] = fmt.Sprintf("%s data as recorded, schema version %d", e.Name, e.Schema)
		stored["description"] = fmt.Sprintf("The data of a recorded %s event: %s without the limits on new commands. See docs/events.md#%s.",
			e.Name, e.DataSchema(), e.Anchor())
		w.defs[e.DataSchema()+"Stored"] = stored
		names = append(names, e.Name)

		ev := e.Name + "Event"
		w.defs[ev] = eventEnvelope(rw, e, map[string]any{"const": e.Name}, ref(e.DataSchema()+"Stored"))
		events = append(events, ref(ev))
		eventMap[e.Name] = "#/components/schemas/" + ev
	}
	w.defs["RecordRequest"] = map[string]any{
		"description":   "A request to record one event: its type, the date it takes effect, its sources, how certain it is, and its data, whose schema depends on the type (docs/events.md).",
		"oneOf":         records,
		"discriminator": map[string]any{"propertyName": "type", "mapping": recordMap},
	}
	other := eventEnvelope(rw, EventType{Name: "another stream's"}, map[string]any{"type": "string", "not": map[string]any{"enum": names}},
		map[string]any{"description": "Data this document does not describe."})
	other["title"] = "An event of another stream"
	other["description"] = "An event outside the partnerships' catalogue, e.g. of the token register's stream, which GET /v1/events lists too."
	for name, v := range map[string]any{"schema": map[string]any{"type": "integer"}, "certainty": map[string]any{"type": "string"},
		"effective_on": map[string]any{"type": "string"}, "sources": map[string]any{"description": "As that stream records them."}} {
		other["properties"].(map[string]any)[name] = v
	}
	w.defs["OtherEvent"] = other
	events = append(events, ref("OtherEvent"))
	w.defs["Event"] = map[string]any{
		"description":   "A recorded event: the envelope the ledger adds (id, stream, revision, seq, recorded_at, recorded_by, hashes) and the request's fields. A partnership's event is the variant of its type, whose data is described (docs/events.md); GET /v1/events also lists the events of other streams (OtherEvent).",
		"oneOf":         events,
		"discriminator": map[string]any{"propertyName": "type", "mapping": eventMap},
	}
}

func withDescription(s map[string]any, d string) map[string]any {
	s["description"] = d
	return s
}

// eventEnvelope describes a recorded event of one type, as eventstore.Event is written in JSON.
func eventEnvelope(w *walker, e EventType, typ, data map[string]any) map[string]any {
	hash := map[string]any{"type": "string", "pattern": "^[0-9a-f]{64}$"}
	uuidS := func(d string) map[string]any {
		return map[string]any{"type": "string", "format": "uuid", "description": d}
	}
	return map[string]any{
		"title": e.Name + " event",
		"type":  "object",
		"required": []any{"id", "stream", "revision", "seq", "type", "schema", "effective_on", "recorded_at",
			"recorded_by", "sources", "certainty", "data", "prev_hash", "hash"},
		"properties": map[string]any{
			"id":             uuidS("The event's id."),
			"stream":         map[string]any{"type": "string", "description": "The partnership's stream, partnership-<slug>."},
			"revision":       map[string]any{"type": "integer", "minimum": 0, "description": "The event's position in its stream, from 0."},
			"seq":            map[string]any{"type": "integer", "minimum": 1, "description": "The event's position in the whole ledger, from 1."},
			"type":           typ,
			"schema":         map[string]any{"const": e.Schema, "description": "The data's schema version."},
			"effective_on":   withDescription(w.typeSchema(dateType, nil), "The date the event takes effect."),
			"recorded_at":    map[string]any{"type": "string", "format": "date-time"},
			"recorded_by":    map[string]any{"type": "string", "description": "Who recorded it (the token's actor)."},
			"sources":        map[string]any{"type": "array", "items": w.typeSchema(reflect.TypeFor[domain.SourceRef](), nil)},
			"certainty":      w.typeSchema(reflect.TypeFor[domain.Certainty](), nil),
			"correlation_id": uuidS("Groups events recorded together."),
			"causation_id":   uuidS("The event that caused this one."),
			"data":           data,
			"prev_hash":      withDescription(hash, "SHA-256 of the previous event of the ledger, hex."),
			"hash":           map[string]any{"type": "string", "pattern": "^[0-9a-f]{64}$", "description": "SHA-256 of this event, hex."},
		},
	}
}
