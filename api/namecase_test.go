package api_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The name case of issue 19 end to end: the server accepts ending "karen  SLY" as
// "Chief-Finance-Officer" at Great Yarmouth (the domain knows her by case and spacing), and the state
// it serves then shows her appointment ended, as the domain decided (before, the read model matched
// names exactly and still showed her there).
func TestEndingAnAppointmentUnderAnotherSpellingEndsItInTheState(t *testing.T) {
	e := newEnv(t, false)
	var minSeq uint64 // read your writes: the state after the event recorded
	appointments := func(asOf string) []struct {
		Officer  string `json:"officer"`
		Post     string `json:"post"`
		Councils []struct {
			Council string `json:"council"`
		} `json:"councils"`
	} {
		r := e.do(t, "GET", fmt.Sprintf("%s/appointments?as_of=%s&min_seq=%d", gnn, asOf, minSeq), "", "")
		require.Equal(t, 200, r.status, string(r.body))
		var body struct {
			Appointments []struct {
				Officer  string `json:"officer"`
				Post     string `json:"post"`
				Councils []struct {
					Council string `json:"council"`
				} `json:"councils"`
			} `json:"appointments"`
		}
		require.NoError(t, json.Unmarshal(r.body, &body))
		return body.Appointments
	}
	karenAt := func(asOf string) []string {
		var out []string
		for _, a := range appointments(asOf) {
			if a.Officer == "Karen Sly" {
				for _, c := range a.Councils {
					out = append(out, c.Council)
				}
			}
		}
		return out
	}
	require.Equal(t, []string{"great-yarmouth", "north-norfolk"}, karenAt("2016-09-28"), "the demo: she serves both until the end")

	// Before the dissolution (1 October 2016), which ends every shared appointment.
	r := e.do(t, "POST", gnn+"/events", e.recorder, `{"type":"AppointmentEnded","effective_on":"2016-09-29","certainty":"confirmed",
	  "sources":[{"kind":"minutes","title":"Great Yarmouth full council"}],
	  "data":{"officer":{"name":"karen  SLY"},"post":"Chief-Finance-Officer","councils":["great-yarmouth"],"last_day":"2016-09-29","reason":"resignation"}}`)
	require.Equal(t, 201, r.status, string(r.body))
	var stored struct {
		Seq uint64 `json:"seq"`
	}
	require.NoError(t, json.Unmarshal(r.body, &stored))
	minSeq = stored.Seq

	assert.Equal(t, []string{"great-yarmouth", "north-norfolk"}, karenAt("2016-09-29"), "she serves on her last day")
	assert.Equal(t, []string{"north-norfolk"}, karenAt("2016-09-30"), "ended under another spelling: ended in the state too, from the day after her last day")
	assert.Empty(t, karenAt("2016-10-01"), "the dissolution ended what was left")
	for _, a := range appointments("2016-09-30") {
		assert.NotEqual(t, "karen  SLY", a.Officer)
	}
}
