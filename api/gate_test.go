package api_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/api"
	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/fault/faulttest"
)

// savingsWith is a SavingsReported body whose data is given whole.
func savingsWith(data string) string {
	return `{"type":"SavingsReported","effective_on":"2016-03-01","certainty":"reported","sources":[{"kind":"press","title":"EDP, 1 March 2016"}],"data":` + data + `}`
}

const savingsData = `"council":"north-norfolk","financial_year":2015,"status":"forecast","period_to":"2016-03-31"`

// TestRecordGate: every fault of issue 16 that reshaped input or let bad text in is now a 400
// naming the JSON pointer, and nothing is appended.
func TestRecordGate(t *testing.T) {
	e := newEnv(t, false)
	tests := []struct {
		name, body    string
		status        int
		pointer, text string
	}{
		{"repeated amount was stored as the last", savingsWith(`{` + savingsData + `,"category":"x","amount_pence":100,"amount_pence":999}`), 400, "/data/amount_pence", "repeated member name"},
		{"repeated amount spelled with an escape", savingsWith(`{` + savingsData + `,"category":"x","amount_pence":100,"\u0061mount_pence":999}`), 400, "/data/amount_pence", "repeated member name"},
		{"repeated type", `{"type":"SavingsReported","type":"SavingsTargetSet"}`, 400, "/type", "repeated member name"},
		{"lone surrogate was stored as U+FFFD", savingsWith(`{` + savingsData + `,"category":"x\ud800y","amount_pence":1}`), 400, "/data/category", "lone surrogate"},
		{"raw invalid UTF-8", savingsWith(`{` + savingsData + ",\"category\":\"x\xed\xa0\x80y\",\"amount_pence\":1}"), 400, "/data/category", "UTF-8"},
		{"NUL", savingsWith(`{` + savingsData + `,"category":"x\u0000y","amount_pence":1}`), 400, "/data/category", "U+0000"},
		{"C1", savingsWith(`{` + savingsData + `,"category":"x\u0085y","amount_pence":1}`), 400, "/data/category", "U+0085"},
		{"DEL", savingsWith(`{` + savingsData + "," + `"category":"x` + "\x7f" + `y","amount_pence":1}`), 400, "/data/category", "U+007F"},
		{"right-to-left override", savingsWith(`{` + savingsData + `,"category":"x\u202ey","amount_pence":1}`), 400, "/data/category", "U+202E"},
		{"isolate in a source title", strings.Replace(savingsWith(`{`+savingsData+`,"category":"x","amount_pence":1}`), "EDP", "\u2067EDP", 1), 400, "/sources/0/title", "U+2067"},
		{"100 KB category", savingsWith(`{` + savingsData + `,"category":"` + strings.Repeat("c", 100_000) + `","amount_pence":1}`), 422, "/data/category", "the limit for names, titles and categories is 200"},
		{"2^53 pence", savingsWith(`{` + savingsData + `,"category":"x","amount_pence":9007199254740992}`), 422, "/data/amount_pence", "beyond the largest amount"},
		{"effective 9999-12-31", strings.Replace(savingsWith(`{`+savingsData+`,"category":"x","amount_pence":1}`), "2016-03-01", "9999-12-31", 1), 422, "/effective_on", "outside the dates the ledger accepts (1900-01-01 to 2199-12-31)"},
		{"effective 0001-01-01", strings.Replace(savingsWith(`{`+savingsData+`,"category":"x","amount_pence":1}`), "2016-03-01", "0001-01-01", 1), 422, "/effective_on", "0001-01-01 is outside the dates the ledger accepts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.head(t)
			r := e.do(t, "POST", gnn+"/events", e.recorder, tt.body)
			require.Equal(t, tt.status, r.status, string(r.body))
			p := problemOf(t, r)
			found := false
			for _, f := range p.Errors {
				found = found || (f.Pointer == tt.pointer && strings.Contains(f.Detail, tt.text))
			}
			assert.True(t, found, "problem names %s with %q: %s", tt.pointer, tt.text, r.body)
			assert.Equal(t, before, e.head(t), "nothing appended")
		})
	}
}

// TestRecordStoresTheCanonicalFormOfWhatWasSent: the stored data is the RFC 8785 form of the bytes
// received (keys sorted, whitespace and escapes normalised), not the payload encoded again.
func TestRecordStoresTheCanonicalFormOfWhatWasSent(t *testing.T) {
	e := newEnv(t, false)
	data := `{ "period_to" : "2016-03-31", "category":"caf\u00e9 \ud83d\ude00 \u05e9\u05dc\u05d5\u05dd", "amount_pence": 4200000, "council":"north-norfolk", "financial_year":2015, "status":"forecast" }`
	r := e.do(t, "POST", gnn+"/events", e.recorder, savingsWith(data))
	require.Equal(t, 201, r.status, string(r.body))
	var ev eventstore.Event
	require.NoError(t, json.Unmarshal(r.body, &ev))
	want, err := eventstore.Gate([]byte(data))
	require.NoError(t, err)
	for got, err := range e.store.ReadAll(t.Context(), ev.Seq-1, eventstore.Forward, 1) {
		require.NoError(t, err)
		assert.Equal(t, string(want), string(got.Data))
		stored, err := domain.DecodeStoredPayload(got.Type, got.Schema, got.Data)
		require.NoError(t, err)
		strict, err := domain.DecodePayload(got.Type, got.Schema, []byte(data))
		require.NoError(t, err)
		assert.Equal(t, strict, stored, "read back equal")
	}
}

// TestJSONRoutesNeedApplicationJSON: a JSON route answers 415 unless the media type is exactly
// application/json (parameters allowed).
func TestJSONRoutesNeedApplicationJSON(t *testing.T) {
	e := newEnv(t, false)
	post := func(path, token, ctype, body string) (int, []byte, http.Header) {
		req, err := http.NewRequest("POST", e.srv.URL+path, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+token)
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		return res.StatusCode, b, res.Header
	}
	for i, tt := range []struct {
		ctype  string
		status int
	}{
		{"", 415}, {"application/jsonx", 415}, {"text/plain", 415}, {"application/x-www-form-urlencoded", 415},
		{"application/json-patch+json", 415}, {"application/json; charset=utf-8", 201},
		{"Application/JSON", 201}, {"application/json", 201},
	} {
		t.Run("events "+tt.ctype, func(t *testing.T) {
			before := e.head(t)
			status, body, h := post(gnn+"/events", e.recorder, tt.ctype, fmt.Sprintf(savings, 1000+i))
			require.Equal(t, tt.status, status, string(body))
			if tt.status == 415 {
				assert.Equal(t, "application/problem+json", h.Get("Content-Type"))
				assert.Contains(t, string(body), `"header":"Content-Type"`)
				assert.Equal(t, before, e.head(t))
			}
		})
	}
	status, body, _ := post("/v1/admin/tokens", e.admin, "", `{"role":"reader","actor":"x"}`)
	assert.Equal(t, 415, status, string(body))
	status, body, _ = post("/v1/admin/tokens", e.admin, "application/json", `{"role":"reader","actor":"x","actor":"y"}`)
	assert.Equal(t, 400, status, string(body))
	assert.Contains(t, string(body), `"pointer":"/actor"`)
	status, body, _ = post("/v1/admin/tokens", e.admin, "application/json", `{"role":"reader","actor":"a\u202eb"}`)
	assert.Equal(t, 400, status, string(body))
	status, body, _ = post("/v1/admin/tokens", e.admin, "application/json", `{"role":"reader","actor":"`+strings.Repeat("ŵ", 200)+`"}`)
	assert.Equal(t, 201, status, string(body))
}

// The tester: an EventCorrected whose sources[0].title was 201 characters listed the problem twice
// (the source's own check and the payload's limit walk both checked its limits). Every problem is
// listed once.
func TestCorrectionProblemsAreListedOnce(t *testing.T) {
	e := newEnv(t, false)
	r := e.do(t, "POST", gnn+"/events", e.recorder, fmt.Sprintf(savings, 100))
	require.Equal(t, 201, r.status, string(r.body))
	var rec struct {
		ID string `json:"id"`
	}
	require.NoError(t, json.Unmarshal(r.body, &rec))
	before := e.head(t)
	body := `{"type":"EventCorrected","effective_on":"2016-03-02","certainty":"reported","sources":[{"kind":"press","title":"EDP"}],
		"data":{"target":"` + rec.ID + `","data":{"amount_pence":200},"reason":"misread","sources":[{"kind":"press","title":"` +
		strings.Repeat("t", 201) + `","locator":"` + strings.Repeat("p", 201) + `"}]}}`
	r = e.do(t, "POST", gnn+"/events", e.recorder, body)
	require.Equal(t, 422, r.status, string(r.body))
	p := problemOf(t, r)
	seen := map[api.ProblemField]bool{}
	titles := 0
	for _, f := range p.Errors {
		assert.False(t, seen[f], "listed twice: %+v", f)
		seen[f] = true
		if f.Pointer == "/data/sources/0/title" {
			titles++
			assert.Contains(t, f.Detail, "201 characters")
		}
	}
	assert.Equal(t, 1, titles, "%s", r.body)
	assert.True(t, seen[api.ProblemField{Pointer: "/data/sources/0/locator", Detail: "is 201 characters long; the limit for names, titles and categories is 200"}], "%s", r.body)
	assert.Equal(t, before, e.head(t), "nothing appended")
}

// The tester: a DecisionTaken with 9007199254740991 votes each way was accepted. Counts are declared
// with limit:"count" and bounded by domain.MaxCount; the refusal names each count.
func TestVoteCountsAreBounded(t *testing.T) {
	e := newEnv(t, false)
	decision := func(n int64) string {
		return fmt.Sprintf(`{"type":"DecisionTaken","effective_on":"2015-10-15","certainty":"confirmed","sources":[{"kind":"minutes","title":"Full Council"}],
		"data":{"minute":{"council":"great-yarmouth","body":"full council","meeting":"2015-10-15","item":"99","raw":"Full Council 15 October 2015, item 99"},"resolution":"to share",
		"outcome":"approved","key_decision":true,"call_in_applies":false,"votes":{"for":%d,"against":%d,"abstentions":%d}}}`, n, n, n)
	}
	before := e.head(t)
	r := e.do(t, "POST", gnn+"/events", e.recorder, decision(9007199254740991))
	require.Equal(t, 422, r.status, string(r.body))
	got := map[string]string{}
	for _, f := range problemOf(t, r).Errors {
		got[f.Pointer] = f.Detail
	}
	for _, c := range []string{"for", "against", "abstentions"} {
		assert.Equal(t, fmt.Sprintf("9007199254740991 is more than the largest count the ledger accepts, %d", domain.MaxCount), got["/data/votes/"+c], "%s", r.body)
	}
	assert.Equal(t, 422, e.do(t, "POST", gnn+"/events", e.recorder, decision(domain.MaxCount+1)).status)
	assert.Equal(t, before, e.head(t), "nothing appended")
	ok := e.do(t, "POST", gnn+"/events", e.recorder, decision(domain.MaxCount))
	assert.Equal(t, 201, ok.status, string(ok.body))
}

// The tester: a correction whose data.data held a value that does not read was reported at
// /data/data as an error chain ("cannot apply to SavingsReported …: decode SavingsReported (schema
// 1): /amount_pence: …"). Each is at its own pointer under /data/data, with the reason alone.
func TestCorrectionProblemsPointIntoTheCorrectedData(t *testing.T) {
	e := newEnv(t, false)
	idOf := func(body string) string {
		r := e.do(t, "POST", gnn+"/events", e.recorder, body)
		require.Equal(t, 201, r.status, string(r.body))
		var rec struct {
			ID string `json:"id"`
		}
		require.NoError(t, json.Unmarshal(r.body, &rec))
		return rec.ID
	}
	savingsID := idOf(fmt.Sprintf(savings, 100))
	decisionID := idOf(`{"type":"DecisionTaken","effective_on":"2015-10-15","certainty":"confirmed","sources":[{"kind":"minutes","title":"Full Council"}],
		"data":{"minute":{"council":"great-yarmouth","body":"full council","meeting":"2015-10-15","item":"99","raw":"Full Council 15 October 2015, item 99"},"resolution":"to share",
		"outcome":"approved","key_decision":true,"call_in_applies":false,"votes":{"for":1,"against":0,"abstentions":0}}}`)
	correct := func(target, data string) string {
		return `{"type":"EventCorrected","effective_on":"2016-03-02","certainty":"reported","sources":[{"kind":"press","title":"EDP"}],
		"data":{"target":"` + target + `","data":` + data + `,"reason":"misread"}}`
	}
	before := e.head(t)
	for _, tt := range []struct{ target, data, pointer, detail string }{
		{savingsID, `{"amount_pence":"1"}`, "/data/data/amount_pence", `"1" is not a whole number of pence`},
		{savingsID, `{"colour":1}`, "/data/data/colour", `unknown field "colour"`},
		{decisionID, `{"minute":{"council":"great-yarmouth","body":"full council","meeting":"2015-10-15","item":"99","raw":"x","zz":1}}`, "/data/data/minute/zz", `unknown field "zz"`},
		{decisionID, `{"votes":{"for":"x","against":0,"abstentions":0}}`, "/data/data/votes/for", "must be a whole number, not a JSON string"},
	} {
		t.Run(tt.pointer, func(t *testing.T) {
			r := e.do(t, "POST", gnn+"/events", e.recorder, correct(tt.target, tt.data))
			require.Equal(t, 400, r.status, string(r.body))
			p := problemOf(t, r)
			require.Len(t, p.Errors, 1, "%s", r.body)
			assert.Equal(t, tt.pointer, p.Errors[0].Pointer)
			assert.Equal(t, tt.detail, p.Errors[0].Detail)
			faulttest.AssertForPeople(t, p.Detail)
			faulttest.AssertForPeople(t, p.Errors[0].Detail)
		})
	}
	assert.Equal(t, before, e.head(t), "nothing appended")
}

// The tester: a DecisionTaken without key_decision (or call_in_applies) was recorded as false, a
// fact nobody stated; an event id that is not a UUID was "invalid UUID length: 4". Members that
// docs/domain.md lists as required and encoding/json would default (true or false, whole numbers)
// are required, at any depth; an id says what an event id looks like.
func TestRequiredMembersAreNotDefaulted(t *testing.T) {
	e := newEnv(t, false)
	decision := func(extra string) string {
		return `{"type":"DecisionTaken","effective_on":"2015-10-15","certainty":"confirmed","sources":[{"kind":"minutes","title":"Full Council"}],
		"data":{"minute":{"council":"great-yarmouth","body":"full council","meeting":"2015-10-15","item":"99","raw":"Full Council 15 October 2015, item 99"},"resolution":"to share",
		"outcome":"approved"` + extra + `}}`
	}
	before := e.head(t)
	for _, tt := range []struct {
		name, body string
		status     int
		want       map[string]string
	}{
		{"no key_decision", decision(`,"call_in_applies":false`), 422, map[string]string{"/data/key_decision": "is required (true or false)"}},
		{"neither", decision(``), 422, map[string]string{"/data/key_decision": "is required (true or false)", "/data/call_in_applies": "is required (true or false)"}},
		{"votes without abstentions", decision(`,"key_decision":true,"call_in_applies":false,"votes":{"for":1,"against":0}`), 422, map[string]string{"/data/votes/abstentions": "is required (a whole number)"}},
		{"a target that is not an id", `{"type":"EventRetracted","effective_on":"2016-03-02","certainty":"confirmed","sources":[{"kind":"minutes","title":"x"}],"data":{"target":"abcd","reason":"entered_in_error"}}`,
			400, map[string]string{"/data/target": domain.NotAnEventID}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(t, "POST", gnn+"/events", e.recorder, tt.body)
			require.Equal(t, tt.status, r.status, string(r.body))
			got := map[string]string{}
			for _, f := range problemOf(t, r).Errors {
				got[f.Pointer] = f.Detail
				faulttest.AssertForPeople(t, f.Detail)
			}
			for ptr, detail := range tt.want {
				assert.Equal(t, detail, got[ptr], "%s: %s", ptr, r.body)
			}
		})
	}
	assert.Equal(t, before, e.head(t), "nothing appended")
	ok := e.do(t, "POST", gnn+"/events", e.recorder, decision(`,"key_decision":false,"call_in_applies":false`))
	assert.Equal(t, 201, ok.status, "false given is false: %s", ok.body)
}

// The tester: a correction setting a required member to null ({"amount_pence":null}) was recorded,
// zeroing a savings figure. A correction must leave its target a valid payload of its type: the
// member is required at /data/data/amount_pence and nothing is appended.
func TestCorrectionCannotNullARequiredMember(t *testing.T) {
	e := newEnv(t, false)
	r := e.do(t, "POST", gnn+"/events", e.recorder, fmt.Sprintf(savings, 100))
	require.Equal(t, 201, r.status, string(r.body))
	var rec struct {
		ID string `json:"id"`
	}
	require.NoError(t, json.Unmarshal(r.body, &rec))
	before := e.head(t)
	for _, data := range []string{`{"amount_pence":null}`, `{"category":null}`} {
		body := `{"type":"EventCorrected","effective_on":"2016-03-02","certainty":"reported","sources":[{"kind":"press","title":"EDP"}],
		"data":{"target":"` + rec.ID + `","data":` + data + `,"reason":"misread"}}`
		r = e.do(t, "POST", gnn+"/events", e.recorder, body)
		require.Equal(t, 422, r.status, string(r.body))
		p := problemOf(t, r)
		found := false
		for _, f := range p.Errors {
			found = found || (strings.HasPrefix(f.Pointer, "/data/data/") && strings.Contains(f.Detail, "is required"))
		}
		assert.True(t, found, "%s", r.body)
	}
	assert.Equal(t, before, e.head(t), "nothing appended")
}
