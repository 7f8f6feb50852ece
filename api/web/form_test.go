package web

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/words"
	"github.com/partnership-ledger/ledger/projections"
)

// fuzzState is a partnership with two partners, for the councils' choices.
var fuzzState = &projections.State{Partners: []projections.Partner{{Council: "breckland", Name: "Breckland District Council"},
	{Council: "south-holland"}}, Councils: words.Names{}}

// FuzzReadFields: whatever a form posts (any names, indexes, values, actions), building the fields
// of any type, reading them, placing problems and carrying out the action never panic; the JSON
// read always marshals; no list holds more than maxRows rows.
func FuzzReadFields(f *testing.F) {
	for _, seed := range []string{
		"/data/shares/0/basis_points=33.33&/data/shares/1/basis_points=66.67&/data/shares/0/council=breckland",
		"/data/shares/99999999999/council=x&/data/shares/-1/council=y&/data/shares/01/council=z&action=remove:/data/shares/0",
		"/sources/0/assumed=kind&/sources/0/assumed=colour&/sources/49/title=x&/sources/50/title=y&action=add:/sources",
		"/data/partners/0/name=North+Norfolk+District+Council&/data/council/name=%E2%80%AE&/data/votes/for=-1",
		"/data/amount_pence=1e3&/data/notice_days=99999999999999999999&/data/financial_year=2015/16&/effective_on=2016-02-30",
		"/data/=x&//=y&/data/shares//council=z&/data/shares/0/=w&action=remove:/data/shares/",
		"/data/candidates=breckland&/data/candidates=nowhere&/data/key_decision=yes&/certainty=",
	} {
		for i := range domain.EventTypes() {
			f.Add(uint8(i), seed)
		}
	}
	s := &server{}
	types := domain.EventTypes()
	f.Fuzz(func(t *testing.T, i uint8, q string) {
		v, _ := url.ParseQuery(q) // what parsed, as net/http keeps it
		for _, typ := range []string{types[int(i)%len(types)]} {
			fs := append(s.dataFields(typ, "/data", fuzzState, v), envelopeFields(v)...)
			var pointers []string
			out := readFields(fs, v, func(p, m string) {
				pointers = append(pointers, p)
				placeProblem(fs, p, m)
			})
			_, err := json.Marshal(out)
			require.NoError(t, err)
			for _, p := range append(pointers, v.Get("p"), "", "/", "/data/shares/7/council") {
				placeProblem(fs, p, "a problem")
			}
			assertRowsCapped(t, fs)
			w := url.Values{}
			for k, vals := range v {
				w[k] = vals
			}
			applyAction(fs, w, v.Get("action"))
			assertRowsCapped(t, append(s.dataFields(typ, "/data", fuzzState, w), envelopeFields(w)...))
		}
	})
}

func assertRowsCapped(t *testing.T, fs []formField) {
	t.Helper()
	for _, f := range fs {
		require.LessOrEqual(t, len(f.Rows), maxRows, f.Pointer)
		assertRowsCapped(t, f.Fields)
		assertRowsCapped(t, f.Rows)
	}
}

func TestRowIndexes(t *testing.T) {
	v := url.Values{"/data/shares/3/council": {"a"}, "/data/shares/3/basis_points": {"1"}, "/data/shares/0/council": {"b"},
		"/data/sharesx/1": {"c"}, "/data/shares/10": {"d"}}
	idx, over := rowIndexes(v, "/data/shares")
	assert.Equal(t, []int{0, 3, 10}, idx)
	assert.False(t, over)
	for _, bad := range []string{"/data/shares/50/council", "/data/shares/-1/council", "/data/shares/007/council", "/data/shares/1e3/council",
		"/data/shares/99999999999999999999999/council", "/data/shares//council"} {
		_, over := rowIndexes(url.Values{bad: {"x"}}, "/data/shares")
		assert.True(t, over, bad)
	}
}

func TestDeriveSlug(t *testing.T) {
	for name, want := range map[string]string{
		"North Norfolk District Council": "north-norfolk", "Great Yarmouth Borough Council": "great-yarmouth",
		"Norfolk County Council": "norfolk", "Council": "council", "King's Lynn & West Norfolk": "king-s-lynn-west-norfolk",
		strings.Repeat("a", 100): strings.Repeat("a", 64),
	} {
		f := formField{Kind: kindNewCouncil, Fields: []formField{{Name: "council"}, {Name: "name", Value: name}}}
		deriveSlug(&f)
		assert.Equal(t, want, f.Fields[0].Value, name)
	}
}

// TestEngineSkipsStoredOnly: the stored-only illustrative is never a field, and every other
// SourceRef member is.
func TestEngineSkipsStoredOnly(t *testing.T) {
	fs := envelopeFields(url.Values{})
	src := fs[2].Rows[0]
	var names []string
	for _, m := range src.Fields {
		names = append(names, m.Name)
	}
	assert.Equal(t, []string{"kind", "title", "publisher", "url", "published", "locator", "sha256", "assumed"}, names)
	assert.Equal(t, "certainty", fs[1].Name)
	assert.Empty(t, fs[1].Value, "no certainty is chosen")
}

// TestMemberField: a correction's control for one member of a type, under its prefix.
func TestMemberField(t *testing.T) {
	f, ok := memberField(domain.TypeCostShareAgreed, "shares", "/data/data", fuzzState,
		url.Values{"/data/data/shares/0/basis_points": {"60"}, "/data/data/shares/1/basis_points": {"40"}})
	require.True(t, ok)
	assert.Equal(t, "/data/data/shares", f.Pointer)
	assert.Equal(t, "f-data-data-shares", f.ID)
	require.Len(t, f.Rows, 2)
	out := readFields([]formField{f}, nil, func(p, m string) { t.Errorf("%s: %s", p, m) })
	assert.Equal(t, 6000, out["shares"].([]any)[0].(map[string]any)["basis_points"])
	_, ok = memberField(domain.TypeCostShareAgreed, "colour", "/data/data", fuzzState, nil)
	assert.False(t, ok)
}
