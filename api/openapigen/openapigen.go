// Package openapigen builds the ledger's OpenAPI 3.1 document, api/openapi.json, from its hand-written
// part, api/openapi.src.json (info, paths, parameters, responses, the Problem schema), and the schemas it
// generates from Go types (components.schemas). The output is deterministic: object keys sorted, two-space
// indent, no HTML escaping, one trailing newline; so the checked-in file is compared byte for byte with
// what this package builds (api's TestOpenAPIGenerated; `go test ./api -run TestOpenAPIGenerated -update`
// rewrites it).
//
// It is used by api's tests and never by the server, which serves the embedded, checked-in file.
package openapigen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
)

// Generated returns the schemas this package generates, by component name (components.schemas.<name>).
// The hand-written document may not define any of them.
func Generated() map[string]any {
	w := &walker{defs: map[string]any{}, docs: newSourceDocs()}
	eventSchemas(w)
	readModels(w)
	return w.defs
}

// Build returns the OpenAPI document: src (the JSON of api/openapi.src.json) with Generated added to
// components.schemas. Errors: src is not a JSON object, or it defines a schema this package generates.
func Build(src []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(src))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("openapi.src.json: %w", err)
	}
	components, _ := doc["components"].(map[string]any)
	if components == nil {
		components = map[string]any{}
		doc["components"] = components
	}
	schemas, _ := components["schemas"].(map[string]any)
	if schemas == nil {
		schemas = map[string]any{}
		components["schemas"] = schemas
	}
	gen := Generated()
	for _, name := range slices.Sorted(maps.Keys(gen)) {
		if _, ok := schemas[name]; ok {
			return nil, fmt.Errorf("openapi.src.json defines components.schemas.%s, which is generated: remove it from the source", name)
		}
		schemas[name] = gen[name]
	}
	return Encode(doc)
}

// Encode writes v as the generated files are written: keys sorted (encoding/json sorts map keys),
// two-space indent, no HTML escaping, a trailing newline.
func Encode(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
