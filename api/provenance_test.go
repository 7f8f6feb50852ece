package api_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/eventstore"
)

// Issue 21, point 4 over HTTP: a source marks which of its details were assumed; a name that is not a
// detail, a detail given twice or not given, and the old illustrative flag in a new command are 422
// at their exact pointers; confirmed without a confirming source is 422 at /certainty; nothing is
// written for a refusal.
func TestRecordSourcesWithAssumedDetails(t *testing.T) {
	e := newEnv(t, false)
	const data = `{"council":"north-norfolk","financial_year":2015,"category":"shared management","amount_pence":100,"status":"forecast","period_to":"2016-03-31"}`
	body := func(certainty, sources string) string {
		return fmt.Sprintf(`{"type":"SavingsReported","effective_on":"2016-03-01","certainty":%q,"sources":%s,"data":%s}`, certainty, sources, data)
	}

	t.Run("a held article with its publisher and date assumed is recorded as given", func(t *testing.T) {
		r := e.do(t, "POST", gnn+"/events", e.recorder, body("reported",
			`[{"kind":"press","title":"Shared chief executive","publisher":"Eastern Daily Press","published":"2015-12-18","sha256":"`+strings.Repeat("ab", 32)+`","assumed":["publisher","published"]}]`))
		require.Equal(t, 201, r.status, string(r.body))
		var ev eventstore.Event
		require.NoError(t, json.Unmarshal(r.body, &ev))
		assert.Contains(t, string(ev.Sources), `"assumed":["publisher","published"]`)
		assert.Contains(t, string(ev.Sources), `"publisher":"Eastern Daily Press"`)
	})
	t.Run("confirmed with minutes none of whose details is assumed", func(t *testing.T) {
		r := e.do(t, "POST", gnn+"/events", e.recorder, body("confirmed", `[{"kind":"minutes","title":"Cabinet minutes","locator":"minute 10"}]`))
		require.Equal(t, 201, r.status, string(r.body))
	})

	for _, tt := range []struct {
		name, body, pointer, detail string
	}{
		{"a name that is not a detail", body("reported", `[{"kind":"press","title":"EDP","assumed":["title","colour"]}]`),
			"/sources/0/assumed/1", `"colour" is not a detail of a source that can be assumed`},
		{"a detail twice", body("reported", `[{"kind":"press","title":"EDP"},{"kind":"press","title":"EDP","assumed":["title","title"]}]`),
			"/sources/1/assumed/1", `"title" is listed twice`},
		{"a detail the source does not give", body("reported", `[{"kind":"press","title":"EDP","assumed":["published"]}]`),
			"/sources/0/assumed/0", `"published" is not given in this source`},
		{"the old flag in a new command", body("reported", `[{"kind":"press","title":"EDP","illustrative":true}]`),
			"/sources/0/illustrative", `name the details that were assumed instead`},
		{"confirmed citing minutes with an assumed minute number", body("confirmed", `[{"kind":"minutes","title":"Cabinet minutes","locator":"minute 10","assumed":["locator"]}]`),
			"/certainty", "confirmed needs a confirming source: minutes, a report or an agreement none of whose details is assumed"},
		{"confirmed citing a letter", body("confirmed", `[{"kind":"letter","title":"Letter from the leader"}]`),
			"/certainty", "confirmed needs a confirming source"},
		// issue 21: a source published after the event is recorded (now) cannot be cited
		{"a source published in the future", body("reported", `[{"kind":"press","title":"EDP"},{"kind":"press","title":"Future","published":"2099-01-01"}]`),
			"/sources/1/published", "2099-01-01 is after the day the event is recorded"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := e.head(t)
			r := e.do(t, "POST", gnn+"/events", e.recorder, tt.body)
			assert.Equal(t, 422, r.status, string(r.body))
			found := false
			for _, f := range problemOf(t, r).Errors {
				found = found || (f.Pointer == tt.pointer && strings.Contains(f.Detail, tt.detail))
			}
			assert.True(t, found, "want %s: %s in %s", tt.pointer, tt.detail, r.body)
			assert.Equal(t, before, e.head(t), "nothing is written")
		})
	}
	t.Run("a list of names, not one", func(t *testing.T) {
		r := e.do(t, "POST", gnn+"/events", e.recorder, body("reported", `[{"kind":"press","title":"EDP","assumed":"title"}]`))
		assert.Equal(t, 400, r.status, string(r.body))
		require.NotEmpty(t, problemOf(t, r).Errors)
		assert.Equal(t, "/sources/0/assumed", problemOf(t, r).Errors[0].Pointer)
	})
}
