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

// TestSchemaRulesMatchDecide (issue 22 review, point 3): the request schema refuses what Decide
// refuses by static rules beyond the limits: a source's sha256 that is not 64 lowercase hex digits, a
// url that is not http(s), an assumed detail that is not one, the illustrative mark of old events, a
// partnership of one council, an ONS code of the wrong form; and accepts the well-formed ones.
func TestSchemaRulesMatchDecide(t *testing.T) {
	check := schemaCheck(t)
	base := `{"type":"SavingsReported","effective_on":"2016-03-01","certainty":"reported",` +
		`"sources":[{"kind":"press","title":"EDP, 1 March 2016"}],"data":{"council":"north-norfolk",` +
		`"financial_year":2015,"category":"shared management","amount_pence":4200000,"status":"forecast","period_to":"2016-03-31"}}`
	src := `"title":"EDP, 1 March 2016"`
	hex := strings.Repeat("ab", 32)
	var proposed []byte
	for _, c := range demo.Commands() {
		if c.Type == domain.TypePartnershipProposed {
			var err error
			proposed, err = json.Marshal(map[string]any{"type": c.Type, "effective_on": c.EffectiveOn, "sources": c.Sources,
				"certainty": c.Certainty, "data": c.Data})
			require.NoError(t, err)
			break
		}
	}
	require.NotNil(t, proposed)
	var v map[string]any
	require.NoError(t, json.Unmarshal(proposed, &v))
	partners := v["data"].(map[string]any)["partners"].([]any)
	one := func(change func(data map[string]any)) string {
		var w map[string]any
		require.NoError(t, json.Unmarshal(proposed, &w))
		change(w["data"].(map[string]any))
		b, err := json.Marshal(w)
		require.NoError(t, err)
		return string(b)
	}
	for _, tc := range []struct{ name, body, field string }{
		{"a sha256 of 63 digits", strings.Replace(base, src, src+`,"sha256":"`+hex[1:]+`"`, 1), "/sources/0/sha256"},
		{"an uppercase sha256", strings.Replace(base, src, src+`,"sha256":"`+strings.ToUpper(hex)+`"`, 1), "/sources/0/sha256"},
		{"an ftp url", strings.Replace(base, src, src+`,"url":"ftp://example.org/x"`, 1), "/sources/0/url"},
		{"a url without a scheme", strings.Replace(base, src, src+`,"url":"example.org/x"`, 1), "/sources/0/url"},
		{"an assumed detail that is not one", strings.Replace(base, src, src+`,"assumed":["colour"]`, 1), "/sources/0/assumed/0"},
		{"the illustrative mark", strings.Replace(base, src, src+`,"illustrative":true`, 1), "/sources/0/illustrative"},
		{"a partnership of one council", one(func(d map[string]any) { d["partners"] = partners[:1] }), "/data/partners"},
		{"an ONS code of the wrong form", one(func(d map[string]any) {
			p := map[string]any{}
			for k, x := range partners[0].(map[string]any) {
				p[k] = x
			}
			p["ons_code"] = "X123"
			d["partners"] = append([]any{p}, partners[1:]...)
		}), "/data/partners/0/ons_code"},
	} {
		require.NotEqual(t, base, tc.body, tc.name)
		assert.Error(t, check("RecordRequest", []byte(tc.body)), "%s: the schema accepts it", tc.name)
		assert.Contains(t, decideRefuses(t, []byte(tc.body)), tc.field, "%s: Decide accepts it", tc.name)
	}
	for _, tc := range []struct{ name, body string }{
		{"a sha256 of 64 lowercase digits", strings.Replace(base, src, src+`,"sha256":"`+hex+`"`, 1)},
		{"an https url", strings.Replace(base, src, src+`,"url":"https://www.north-norfolk.gov.uk/x"`, 1)},
		{"an HTTP url", strings.Replace(base, src, src+`,"url":"HTTP://example.org"`, 1)},
		{"an assumed detail", strings.Replace(base, src, src+`,"assumed":["title"]`, 1)},
		{"a partnership of two councils", string(proposed)},
	} {
		assert.NoError(t, check("RecordRequest", []byte(tc.body)), "%s: the schema refuses it", tc.name)
		assert.Empty(t, decideRefuses(t, []byte(tc.body)), "%s: Decide refuses it", tc.name)
	}
}

// TestPenceWrittenWithAnExponent (issue 22 review, point 3): a whole amount written with an exponent
// or a decimal point is refused saying how to write it, not that it is not whole; the schema says so.
func TestPenceWrittenWithAnExponent(t *testing.T) {
	for _, s := range []string{"42e5", "4.2e6", "0.0", "4200000.0"} {
		var p domain.Pence
		err := json.Unmarshal([]byte(s), &p)
		require.Error(t, err, s)
		assert.Equal(t, s+": write pence as digits, without an exponent or a decimal point (4200000, not 42e5 or 4200000.0)", err.Error())
	}
	var p domain.Pence
	assert.EqualError(t, json.Unmarshal([]byte("4200000.5"), &p), "4200000.5 is not a whole number of pence")
	c, err := contracttest.Load(api.OpenAPI())
	require.NoError(t, err)
	assert.Contains(t, c.Doc.Components.Schemas["Pence"].Value.Description, "without an exponent or a decimal point")
}

// TestAssumedEnumIsSourceDetails: the request schema's assumed values are domain.SourceDetails, in order.
func TestAssumedEnumIsSourceDetails(t *testing.T) {
	c, err := contracttest.Load(api.OpenAPI())
	require.NoError(t, err)
	var got []string
	for _, v := range c.Doc.Components.Schemas["SourceRef"].Value.Properties["assumed"].Value.Items.Value.Enum {
		got = append(got, v.(string))
	}
	assert.Equal(t, domain.SourceDetails(), got)
	assert.NotContains(t, c.Doc.Components.Schemas["SourceRef"].Value.Properties, "illustrative")
	assert.Contains(t, c.Doc.Components.Schemas["SourceRefStored"].Value.Properties, "illustrative")
}
