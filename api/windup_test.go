package api_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The state over HTTP gives an absent net as null, as the OpenAPI document says: the demo records
// forecasts but no one-off costs, so net_pence, against_target_pence are null and below_target false
// (was net_pence 4000000: the costs taken as £0). The savings model says the same.
func TestStateNetNullWithoutOneOffCosts(t *testing.T) {
	e := newEnv(t, false)
	for _, path := range []string{gnn + "?as_of=2016-06-30", gnn + "/savings?as_of=2016-06-30"} {
		r := e.do(t, "GET", path, "", "")
		require.Equal(t, http.StatusOK, r.status, string(r.body))
		var body struct {
			Savings struct {
				Years []struct {
					Councils []map[string]json.RawMessage `json:"councils"`
				} `json:"years"`
			} `json:"savings"`
			Years []struct {
				Councils []map[string]json.RawMessage `json:"councils"`
			} `json:"years"`
		}
		require.NoError(t, json.Unmarshal(r.body, &body))
		years := body.Savings.Years
		if len(years) == 0 {
			years = body.Years
		}
		require.Len(t, years, 1, path)
		require.Len(t, years[0].Councils, 2, path)
		for _, cs := range years[0].Councils {
			assert.Equal(t, "4000000", string(cs["forecast_pence"]), path)
			assert.Equal(t, "null", string(cs["one_off_costs_pence"]), path)
			assert.Equal(t, "null", string(cs["net_pence"]), "%s: no one-off costs recorded, no net", path)
			assert.Equal(t, "null", string(cs["against_target_pence"]), path)
			assert.Equal(t, "false", string(cs["below_target"]), path)
		}
	}
}
