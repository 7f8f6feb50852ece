package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/api/client"
	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/demo"
	"github.com/partnership-ledger/ledger/fault"
	"github.com/partnership-ledger/ledger/fault/faulttest"
)

// eventsETag is the ETag of GET .../events of the demo partnership, and the revision it stands for.
func eventsETag(t *testing.T, e *env) (string, uint64) {
	t.Helper()
	r := e.do(t, "GET", gnn+"/events?limit=1", "", "")
	require.Equal(t, 200, r.status, "%s", r.body)
	tag := r.header.Get("ETag")
	rev, err := strconv.ParseUint(strings.Trim(tag, `"`), 10, 64)
	require.NoError(t, err, "the ETag of GET .../events is a revision in quotes: %s", tag)
	return tag, rev
}

// Issue 22 point 4: If-Match on POST .../events follows RFC 9110 §13.1.1. The ETag GET .../events
// answers is accepted; a stale one is 412 with the current ETag and revision (was 409); a weak tag
// never matches (W/"n" was taken as "n"); "*" and lists work (were 400); a malformed header is 400.
func TestRecordIfMatch(t *testing.T) {
	e := newEnv(t, false)
	for i, tt := range []struct {
		name    string
		ifMatch func(cur string, rev uint64) string
		status  int
		detail  string
	}{
		{"the ETag from GET", func(cur string, _ uint64) string { return cur }, 201, ""},
		{"stale", func(_ string, rev uint64) string { return fmt.Sprintf(`"%d"`, rev-1) }, 412, "does not match the partnership"},
		{"weak current", func(_ string, rev uint64) string { return fmt.Sprintf(`W/"%d"`, rev) }, 412, "does not match the partnership"},
		{"star", func(string, uint64) string { return "*" }, 201, ""},
		{"a list holding the current", func(cur string, _ uint64) string { return `"1", ` + cur }, 201, ""},
		{"a list with empty elements", func(cur string, _ uint64) string { return ` , "1",,` + cur + ", " }, 201, ""},
		{"a list of stale and weak", func(_ string, rev uint64) string { return fmt.Sprintf(`"1", W/"%d"`, rev) }, 412, "does not match the partnership"},
		{"a body hash, as GET of other routes answers", func(string, uint64) string { return `"d6f99b06ab0819b4cd3b27b5"` }, 412, "does not match the partnership"},
		{"unquoted", func(_ string, rev uint64) string { return strconv.FormatUint(rev, 10) }, 400, "an entity-tag must be in double quotes"},
		{"garbage", func(string, uint64) string { return "soon" }, 400, `If-Match must be "*" or a list of entity-tags`},
		{"no closing quote", func(string, uint64) string { return `"12` }, 400, "no closing quote"},
		{"star in a list", func(cur string, _ uint64) string { return "*, " + cur }, 400, `"*" stands alone`},
		{"lower-case w/", func(_ string, rev uint64) string { return fmt.Sprintf(`w/"%d"`, rev) }, 400, "double quotes"},
		{"tags not separated", func(cur string, _ uint64) string { return cur + cur }, 400, "separated by commas"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cur, rev := eventsETag(t, e)
			before := e.head(t)
			r := e.do(t, "POST", gnn+"/events", e.recorder, fmt.Sprintf(savings, 1000+i), "If-Match", tt.ifMatch(cur, rev))
			require.Equal(t, tt.status, r.status, "%s", r.body)
			if tt.status == 201 {
				assert.Equal(t, fmt.Sprintf(`"%d"`, rev+1), r.header.Get("ETag"), "the new event's revision")
				after, _ := eventsETag(t, e)
				assert.Equal(t, r.header.Get("ETag"), after, "POST's ETag is what GET .../events now answers")
				return
			}
			assert.Equal(t, before, e.head(t), "nothing recorded")
			p := problemOf(t, r)
			assert.Contains(t, p.Detail, tt.detail)
			faulttest.AssertForPeople(t, p.Detail)
			require.Len(t, p.Errors, 1)
			assert.Equal(t, "If-Match", p.Errors[0].Header)
			faulttest.AssertForPeople(t, p.Errors[0].Detail)
			if tt.status == 412 {
				assert.Equal(t, fault.PreconditionFailed.Type(), p.Type)
				assert.Equal(t, cur, r.header.Get("ETag"), "a 412 carries the current ETag")
				require.NotNil(t, p.CurrentRevision)
				assert.Equal(t, rev, *p.CurrentRevision)
				var raw map[string]any
				require.NoError(t, json.Unmarshal(r.body, &raw))
				assert.Equal(t, float64(rev), raw["current_revision"], "an integer")
				assert.NotContains(t, raw, "expected_revision")
			} else {
				assert.Empty(t, r.header.Get("ETag"))
			}
		})
	}

	t.Run("If-Match on two header lines is one list", func(t *testing.T) {
		cur, rev := eventsETag(t, e)
		req, err := http.NewRequest("POST", e.srv.URL+gnn+"/events", strings.NewReader(fmt.Sprintf(savings, 2000)))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+e.recorder)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Add("If-Match", `"1"`)
		req.Header.Add("If-Match", cur)
		r := send(t, req)
		require.Equal(t, 201, r.status, "%s", r.body)
		assert.Equal(t, fmt.Sprintf(`"%d"`, rev+1), r.header.Get("ETag"))
	})
}

// A retry with the same Idempotency-Key and If-Match, after the first attempt was recorded, is
// answered with that event (RFC 9110 §13.1.1 lets a server answer 2xx when the change asked for has
// already happened), not 412; a new body with that stale If-Match is 412.
func TestIdempotentRetryWithIfMatch(t *testing.T) {
	e := newEnv(t, false)
	cur, _ := eventsETag(t, e)
	body := fmt.Sprintf(savings, 4242)
	first := e.do(t, "POST", gnn+"/events", e.recorder, body, "If-Match", cur, "Idempotency-Key", "retry-im")
	require.Equal(t, 201, first.status, "%s", first.body)
	before := e.head(t)
	again := e.do(t, "POST", gnn+"/events", e.recorder, body, "If-Match", cur, "Idempotency-Key", "retry-im")
	require.Equal(t, 201, again.status, "%s", again.body)
	assert.Equal(t, "true", again.header.Get("Idempotent-Replayed"))
	assert.JSONEq(t, string(first.body), string(again.body))
	assert.Equal(t, before, e.head(t))

	other := e.do(t, "POST", gnn+"/events", e.recorder, fmt.Sprintf(savings, 4343), "If-Match", cur, "Idempotency-Key", "another")
	require.Equal(t, 412, other.status, "%s", other.body)
	assert.Equal(t, first.header.Get("ETag"), other.header.Get("ETag"))
	assert.Equal(t, before, e.head(t))
}

// If-Match on a partnership with nothing recorded can never match, "*" included (RFC 9110
// §13.1.1: "*" is false when there is no current representation): 412, with no ETag to send.
func TestIfMatchOnANewPartnership(t *testing.T) {
	e := newEnv(t, false)
	for _, im := range []string{"*", `"0"`} {
		r := e.do(t, "POST", "/v1/partnerships/nobody-yet/events", e.recorder, fmt.Sprintf(savings, 1), "If-Match", im)
		require.Equal(t, 412, r.status, "%s", r.body)
		p := problemOf(t, r)
		assert.Nil(t, p.CurrentRevision)
		assert.Empty(t, r.header.Get("ETag"))
		assert.Contains(t, p.Detail, "nothing is recorded for this partnership yet")
		faulttest.AssertForPeople(t, p.Detail)
	}
}

// Issue 22 point 4: the ETag of GET .../events is the strong stream revision (was a body hash), the
// same tag POST answers; every page of the stream has it; If-None-Match still gets 304, and a
// change of the stream a new tag.
func TestEventsETagIsRevision(t *testing.T) {
	e := newEnv(t, false)
	tag, rev := eventsETag(t, e)
	assert.False(t, strings.HasPrefix(tag, "W/"), "strong")
	for _, path := range []string{gnn + "/events", gnn + "/events?after=3&limit=2", gnn + fmt.Sprintf("/events?after=%d", rev)} {
		r := e.do(t, "GET", path, "", "")
		require.Equal(t, 200, r.status, "%s", r.body)
		assert.Equal(t, tag, r.header.Get("ETag"), path)
		assert.Equal(t, 304, e.do(t, "GET", path, "", "", "If-None-Match", tag).status, path)
		assert.Equal(t, 304, e.do(t, "GET", path, "", "", "If-None-Match", "W/"+tag).status, "If-None-Match compares weakly: %s", path)
		assert.Equal(t, 304, e.do(t, "GET", path, "", "", "If-None-Match", `"x", `+tag).status, path)
		assert.Equal(t, 200, e.do(t, "GET", path, "", "", "If-None-Match", `"x"`).status, path)
	}
	head := e.do(t, "HEAD", gnn+"/events", "", "")
	assert.Equal(t, tag, head.header.Get("ETag"), "HEAD answers GET's headers")

	posted := e.do(t, "POST", gnn+"/events", e.recorder, fmt.Sprintf(savings, 77), "If-Match", tag)
	require.Equal(t, 201, posted.status, "%s", posted.body)
	now, _ := eventsETag(t, e)
	assert.Equal(t, posted.header.Get("ETag"), now)
	assert.Equal(t, 200, e.do(t, "GET", gnn+"/events", "", "", "If-None-Match", tag).status, "the old tag no longer matches")

	// Other reads keep a body hash and 304 (unchanged).
	st := e.do(t, "GET", gnn+"?as_of=2015-11-07", "", "")
	assert.Equal(t, 304, e.do(t, "GET", gnn+"?as_of=2015-11-07", "", "", "If-None-Match", st.header.Get("ETag")).status)
	// A malformed If-None-Match is ignored: the answer is sent in full.
	assert.Equal(t, 200, e.do(t, "GET", gnn+"/events", "", "", "If-None-Match", "soon").status)
}

// Issue 22 point 3: errors name the exact member, never a Go type; a body that is not an object
// names the whole body, with "pointer": "" sent (it was left out); an empty body says it is empty
// (was "not valid JSON: it ends before the value does", and "EOF" before that).
func TestBodyPointers(t *testing.T) {
	e := newEnv(t, false)
	withData := func(old, new string) string { return strings.Replace(fmt.Sprintf(savings, 1), old, new, 1) }
	for _, tt := range []struct {
		name, path, token, body string
		pointer, detail         string
	}{
		{"empty", gnn + "/events", e.recorder, "", "", "the body is empty: send the event as a JSON object"},
		{"only spaces", gnn + "/events", e.recorder, " \r\n\t", "", "the body is empty: send the event as a JSON object"},
		{"an array", gnn + "/events", e.recorder, "[]", "", "the body must be a JSON object, not a JSON array: send the event as a JSON object"},
		{"a number", gnn + "/events", e.recorder, "7", "", "the body must be a JSON object, not a JSON number: send the event as a JSON object"},
		{"a string", gnn + "/events", e.recorder, `"x"`, "", "the body must be a JSON object, not a JSON string: send the event as a JSON object"},
		{"null", gnn + "/events", e.recorder, " null", "", "the body must be a JSON object, not JSON null: send the event as a JSON object"},
		{"true", gnn + "/events", e.recorder, "true", "", "the body must be a JSON object, not a JSON boolean: send the event as a JSON object"},
		{"cut short", gnn + "/events", e.recorder, `{"type":`, "/type", "/type: not valid JSON: it ends before the value does"},
		{"a fraction of a penny", gnn + "/events", e.recorder, withData(`"amount_pence":1`, `"amount_pence":4200000.5`), "/data/amount_pence", "4200000.5 is not a whole number of pence"},
		{"an unknown data member", gnn + "/events", e.recorder, withData(`"status":"forecast"`, `"status":"forecast","colour":"red"`), "/data/colour", `unknown field "colour"`},
		{"a type that is a number", gnn + "/events", e.recorder, `{"type":7}`, "/type", "must be a string, not a JSON number"},
		{"token request empty", "/v1/admin/tokens", e.admin, "", "", "the body is empty: send the token's role and actor as a JSON object"},
		{"token request an array", "/v1/admin/tokens", e.admin, `[{"role":"reader"}]`, "", "the body must be a JSON object, not a JSON array"},
		{"token request role a number", "/v1/admin/tokens", e.admin, `{"role":1,"actor":"x"}`, "/role", "must be a string, not a JSON number"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := e.head(t)
			req, err := http.NewRequest("POST", e.srv.URL+tt.path, strings.NewReader(tt.body))
			require.NoError(t, err)
			req.Header.Set("Authorization", "Bearer "+tt.token)
			req.Header.Set("Content-Type", "application/json")
			r := send(t, req)
			require.Equal(t, 400, r.status, "%s", r.body)
			p := problemOf(t, r)
			assert.Contains(t, p.Detail, tt.detail)
			faulttest.AssertForPeople(t, p.Detail)
			require.Len(t, p.Errors, 1, "%s", r.body)
			assert.Equal(t, tt.pointer, p.Errors[0].Pointer)
			faulttest.AssertForPeople(t, p.Errors[0].Detail)
			var raw struct {
				Errors []map[string]any `json:"errors"`
			}
			require.NoError(t, json.Unmarshal(r.body, &raw))
			assert.Equal(t, tt.pointer, raw.Errors[0]["pointer"], `"pointer" is sent, "" too: %s`, r.body)
			assert.Equal(t, before, e.head(t), "nothing recorded")
		})
	}
}

// The HTTP client the command line uses reads this server's 412 as a typed problem and says it in one
// line; the ETag it answers is the next Record's If-Match.
func TestClientSeesPreconditionFailed(t *testing.T) {
	e := newEnv(t, false)
	c, err := client.New(e.srv.URL, e.recorder)
	require.NoError(t, err)
	var sent struct {
		Type        string          `json:"type"`
		EffectiveOn string          `json:"effective_on"`
		Certainty   string          `json:"certainty"`
		Data        json.RawMessage `json:"data"`
	}
	require.NoError(t, json.Unmarshal([]byte(fmt.Sprintf(savings, 5)), &sent))
	req := client.RecordRequest{Type: sent.Type, EffectiveOn: sent.EffectiveOn, Certainty: sent.Certainty, Data: sent.Data}
	req.Sources = []domain.SourceRef{{Kind: "press", Title: "EDP, 1 March 2016"}}
	cur, rev := eventsETag(t, e)
	rec, err := c.Record(context.Background(), "great-yarmouth-north-norfolk", req, client.RecordOptions{IfMatch: cur})
	require.NoError(t, err)
	assert.Equal(t, fmt.Sprintf(`"%d"`, rev+1), rec.ETag)

	_, err = c.Record(context.Background(), "great-yarmouth-north-norfolk", req, client.RecordOptions{IfMatch: cur})
	var p *client.Problem
	require.True(t, errors.As(err, &p), "%v", err)
	assert.True(t, p.IsPreconditionFailed())
	assert.Equal(t, rec.ETag, p.ETag)
	require.NotNil(t, p.CurrentRevision)
	assert.Equal(t, rev+1, *p.CurrentRevision)
	assert.Equal(t, fault.PreconditionFailed, fault.KindOf(err))
	assert.Equal(t, fmt.Sprintf(`POST %s/v1/partnerships/great-yarmouth-north-norfolk/events: 412 Precondition failed: If-Match: %s does not match the partnership, which is now at revision %d (ETag "%d"): nothing was recorded; read it again and retry`,
		e.srv.URL, cur, rev+1, rev+1), err.Error())
	faulttest.AssertForPeople(t, fault.Message(err))
}

// Issue 22 (tester, point 2): If-None-Match on POST .../events follows RFC 9110 §13.1.2 ("*":
// record only when nothing is recorded for the partnership; a list: unless the current ETag is
// among them; was ignored), after If-Match (§13.2.2); If-Match on GET .../events is 412 when false
// (was ignored).
func TestRecordIfNoneMatch(t *testing.T) {
	e := newEnv(t, false)
	first := demo.Commands()[0]
	body, err := json.Marshal(map[string]any{"type": first.Type, "effective_on": first.EffectiveOn, "sources": first.Sources,
		"certainty": first.Certainty, "data": first.Data})
	require.NoError(t, err)
	newOne := "/v1/partnerships/" + first.Partnership + "-again/events"
	r := e.do(t, "POST", newOne, e.recorder, string(body), "If-None-Match", "*")
	require.Equal(t, 201, r.status, "nothing recorded yet: * holds: %s", r.body)
	r = e.do(t, "POST", newOne, e.recorder, string(body), "If-None-Match", "*")
	require.Equal(t, 412, r.status, "%s", r.body)
	p := problemOf(t, r)
	assert.Equal(t, fault.PreconditionFailed.Type(), p.Type)
	require.Len(t, p.Errors, 1)
	assert.Equal(t, "If-None-Match", p.Errors[0].Header)
	require.NotNil(t, p.CurrentRevision)
	assert.Equal(t, fmt.Sprintf(`"%d"`, *p.CurrentRevision), r.header.Get("ETag"))
	faulttest.AssertForPeople(t, p.Detail)

	before := e.head(t)
	cur, rev := eventsETag(t, e)
	for _, tt := range []struct {
		name    string
		headers []string
		status  int
		header  string
	}{
		{"star on a partnership with events", []string{"If-None-Match", "*"}, 412, "If-None-Match"},
		{"the current tag", []string{"If-None-Match", cur}, 412, "If-None-Match"},
		{"the current tag, weak", []string{"If-None-Match", "W/" + cur}, 412, "If-None-Match"},
		{"a list holding the current", []string{"If-None-Match", `"1", ` + cur}, 412, "If-None-Match"},
		{"If-Match first: both false names If-Match", []string{"If-Match", `"1"`, "If-None-Match", cur}, 412, "If-Match"},
		{"If-Match holds, If-None-Match false", []string{"If-Match", cur, "If-None-Match", "*"}, 412, "If-None-Match"},
		{"malformed", []string{"If-None-Match", "soon"}, 400, "If-None-Match"},
	} {
		r := e.do(t, "POST", gnn+"/events", e.recorder, fmt.Sprintf(savings, 5), tt.headers...)
		require.Equal(t, tt.status, r.status, "%s: %s", tt.name, r.body)
		p := problemOf(t, r)
		require.Len(t, p.Errors, 1, tt.name)
		assert.Equal(t, tt.header, p.Errors[0].Header, tt.name)
		faulttest.AssertForPeople(t, p.Detail)
	}
	assert.Equal(t, before, e.head(t), "nothing was recorded")
	r = e.do(t, "POST", gnn+"/events", e.recorder, fmt.Sprintf(savings, 5), "If-Match", cur, "If-None-Match", fmt.Sprintf(`"%d"`, rev-1))
	require.Equal(t, 201, r.status, "both hold: %s", r.body)

	// GET .../events with If-Match: the page when it holds, 412 when it does not.
	cur, rev = eventsETag(t, e)
	assert.Equal(t, 200, e.do(t, "GET", gnn+"/events", "", "", "If-Match", cur).status)
	assert.Equal(t, 200, e.do(t, "GET", gnn+"/events", "", "", "If-Match", "*").status)
	for _, im := range []string{fmt.Sprintf(`"%d"`, rev-1), "W/" + cur} {
		r = e.do(t, "GET", gnn+"/events", "", "", "If-Match", im)
		require.Equal(t, 412, r.status, "%s: %s", im, r.body)
		p = problemOf(t, r)
		assert.Equal(t, cur, r.header.Get("ETag"))
		assert.Equal(t, "If-Match", p.Errors[0].Header)
		assert.NotContains(t, p.Detail, "recorded", "a GET records nothing: %s", p.Detail)
		faulttest.AssertForPeople(t, p.Detail)
	}
	assert.Equal(t, 404, e.do(t, "GET", "/v1/partnerships/nobody-yet/events", "", "", "If-Match", "*").status, "404 comes first")
}
