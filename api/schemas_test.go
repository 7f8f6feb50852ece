package api_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/api"
	"github.com/partnership-ledger/ledger/api/contracttest"
	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/demo"
)

// schemaCheck returns a function validating a JSON value against a component of the served document
// with kin-openapi's JSON Schema 2020-12 validator: nil when the schema accepts it.
func schemaCheck(t *testing.T) func(component string, value []byte) error {
	t.Helper()
	c, err := contracttest.Load(api.OpenAPI())
	require.NoError(t, err)
	return func(component string, value []byte) error {
		s := c.Doc.Components.Schemas[component]
		require.NotNil(t, s, "components.schemas.%s", component)
		var v any
		require.NoError(t, json.Unmarshal(value, &v))
		return s.Value.VisitJSON(v, openapi3.EnableJSONSchema2020())
	}
}

// decideRefuses returns the fields Decide's history-free checks refuse in a request body ("" when
// it accepts it).
func decideRefuses(t *testing.T, body []byte) []string {
	t.Helper()
	cmd, err := domain.DecodeCommand("great-yarmouth-north-norfolk", body)
	if err == nil {
		err = domain.CheckCommand(cmd)
	}
	if err == nil {
		return nil
	}
	var ve *domain.ValidationError
	require.True(t, errors.As(err, &ve), "%v", err)
	var out []string
	for _, p := range ve.Problems {
		out = append(out, p.Field)
	}
	return out
}

// TestEventSchemasAcceptTheDemo: every event of the demo ledger, as the request that records it, is a
// RecordRequest of the document, and its data is valid against its type's data schema.
func TestEventSchemasAcceptTheDemo(t *testing.T) {
	check := schemaCheck(t)
	types := map[string]bool{}
	for _, c := range demo.Commands() {
		body, err := json.Marshal(map[string]any{"type": c.Type, "effective_on": c.EffectiveOn, "sources": c.Sources,
			"certainty": c.Certainty, "data": c.Data})
		require.NoError(t, err)
		assert.NoError(t, check("RecordRequest", body), "%s %s", c.Type, c.ID)
		assert.NoError(t, check(c.Type+"V1", c.Data), "%s %s", c.Type, c.ID)
		types[c.Type] = true
	}
	assert.GreaterOrEqual(t, len(types), 14)
}

// TestEventSchemaLimits: the schema and Decide agree on the limits of a new command: a name of 201
// characters, an amount over domain.MaxAmountPence and a date after domain.MaxCommandDate are refused
// by both, the largest allowed by both.
func TestEventSchemaLimits(t *testing.T) {
	check := schemaCheck(t)
	base := `{"type":"SavingsReported","effective_on":"2016-03-01","certainty":"reported",` +
		`"sources":[{"kind":"press","title":"EDP, 1 March 2016"}],"data":{"council":"north-norfolk",` +
		`"financial_year":2015,"category":"shared management","amount_pence":4200000,"status":"forecast","period_to":"2016-03-31"}}`
	for _, tc := range []struct {
		name, from, to, field string
	}{
		{"a name of 201 characters", `"shared management"`, `"` + strings.Repeat("é", domain.MaxNameRunes+1) + `"`, "/data/category"},
		{"an amount over the maximum", `4200000`, jsonInt(int64(domain.MaxAmountPence) + 1), "/data/amount_pence"},
		{"an amount under the minimum", `4200000`, jsonInt(-int64(domain.MaxAmountPence) - 1), "/data/amount_pence"},
		{"a date after the last", `"2016-03-01"`, `"2200-01-01"`, "/effective_on"},
		{"a date before the first", `"2016-03-01"`, `"1899-12-31"`, "/effective_on"},
		{"a source title of 201 characters", `"EDP, 1 March 2016"`, `"` + strings.Repeat("x", domain.MaxNameRunes+1) + `"`, "/sources/0/title"},
	} {
		body := []byte(strings.Replace(base, tc.from, tc.to, 1))
		require.NotEqual(t, base, string(body), tc.name)
		assert.Error(t, check("RecordRequest", body), "%s: the schema accepts it", tc.name)
		assert.Contains(t, decideRefuses(t, body), tc.field, "%s: Decide accepts it", tc.name)
	}
	for _, tc := range []struct{ name, from, to string }{
		{"a name of 200 characters", `"shared management"`, `"` + strings.Repeat("é", domain.MaxNameRunes) + `"`},
		{"the largest amount", `4200000`, jsonInt(int64(domain.MaxAmountPence))},
		{"the last date", `"2016-03-01"`, `"` + domain.MaxCommandDate.String() + `"`},
		{"the first date", `"2016-03-01"`, `"` + domain.MinCommandDate.String() + `"`},
	} {
		body := []byte(strings.Replace(base, tc.from, tc.to, 1))
		assert.NoError(t, check("RecordRequest", body), "%s: the schema refuses it", tc.name)
		assert.Empty(t, decideRefuses(t, body), "%s: Decide refuses it", tc.name)
	}
}

func jsonInt(n int64) string { b, _ := json.Marshal(n); return string(b) }
