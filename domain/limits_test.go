package domain_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/eventstore"
)

const oneOff = `{"council":"north-norfolk","financial_year":2015,"category":%q,"amount_pence":%d}`

// TestLimits: every text field, amount and date of a new command is bounded (issue 16), counted in
// code points, with a message naming the limit.
func TestLimits(t *testing.T) {
	b, _ := started(t)
	welsh := func(n int) string { return strings.Repeat("ŵ", n) } // 2 bytes, 1 code point each
	b.ok(cmd(domain.TypeOneOffCostIncurred, "2015-12-01", fmt.Sprintf(oneOff, welsh(200), 100)))
	b.refused(cmd(domain.TypeOneOffCostIncurred, "2015-12-01", fmt.Sprintf(oneOff, welsh(201), 100)),
		"/data/category", "is 201 characters long; the limit for names, titles and categories is 200")
	b.refused(cmd(domain.TypeOneOffCostIncurred, "2015-12-01", fmt.Sprintf(oneOff, strings.Repeat("x", 100_000), 100)),
		"/data/category", "is 100000 characters long")
	b.ok(cmd(domain.TypeOneOffCostIncurred, "2015-12-01", fmt.Sprintf(oneOff, "max", int64(domain.MaxAmountPence))))
	b.refused(cmd(domain.TypeOneOffCostIncurred, "2015-12-01", fmt.Sprintf(oneOff, "x", int64(domain.MaxAmountPence)+1)),
		"/data/amount_pence", "beyond the largest amount the ledger accepts, ±10000000000000 pence (±£100,000,000,000)")
	b.refused(cmd(domain.TypeOneOffCostIncurred, "2015-12-01", fmt.Sprintf(oneOff, "x", int64(1)<<53)),
		"/data/amount_pence", "beyond the largest amount")
	b.refused(cmd(domain.TypeDecisionTaken, "2015-12-01", `{"minute":{"council":"great-yarmouth","body":"cabinet","meeting":"2015-11-30","raw":"C1"},
		"resolution":"`+strings.Repeat("r", 4001)+`","outcome":"approved","key_decision":false,"call_in_applies":false}`), "/data/resolution", "the limit for free text is 4000")
	b.ok(cmd(domain.TypeDecisionTaken, "2015-12-01", `{"minute":{"council":"great-yarmouth","body":"cabinet","meeting":"2015-11-30","raw":"C1"},
		"resolution":"`+strings.Repeat("r", 4000)+`","outcome":"approved","key_decision":false,"call_in_applies":false}`))

	long := cmd(domain.TypeOneOffCostIncurred, "2015-12-01", fmt.Sprintf(oneOff, "x", 100))
	long.Sources = []domain.SourceRef{{Kind: domain.SourceMinutes, Title: welsh(201), Locator: welsh(201)}}
	b.refused(long, "/sources/0/title", "the limit for names, titles and categories is 200")
	b.refused(long, "/sources/0/locator", "is 201 characters long")

	for _, tt := range []struct{ date, want string }{
		{"9999-12-31", "9999-12-31 is outside the dates the ledger accepts (1900-01-01 to 2199-12-31)"},
		{"0001-01-01", "0001-01-01 is outside the dates the ledger accepts (1900-01-01 to 2199-12-31)"},
		{"2200-01-01", "is outside the dates"},
	} {
		b.refused(cmd(domain.TypeOneOffCostIncurred, tt.date, fmt.Sprintf(oneOff, "x", 100)), "/effective_on", tt.want)
		b.refused(cmd(domain.TypeSavingsReported, "2016-04-02", `{"council":"north-norfolk","financial_year":2015,"category":"x","amount_pence":1,"status":"outturn","period_to":"`+tt.date+`"}`),
			"/data/period_to", tt.want)
	}
	// Both ends are inside: 1900-01-01 is before the partnership, so it is refused for that reason only.
	_, err := domain.Decide(nil, cmd(domain.TypePartnershipProposed, "1900-01-01", proposal))
	require.NoError(t, err)
	_, err = domain.Decide(nil, cmd(domain.TypePartnershipProposed, "2199-12-31", proposal))
	require.NoError(t, err)
	b.refused(cmd(domain.TypePartnershipProposed, "1899-12-31", proposal), "/effective_on", "is outside the dates")
}

// TestEveryTextFieldHasALimit: every text field and every plain whole number (a count) of every payload
// and of a source reference declares its limit, so the validator and the API's schemas read one
// declaration; named number types (a financial year, basis points) are bounded by their own parsing.
func TestEveryTextFieldHasALimit(t *testing.T) {
	textUnmarshaler := reflect.TypeFor[interface{ UnmarshalText([]byte) error }]()
	seen := map[reflect.Type]bool{}
	var walk func(reflect.Type, string)
	walk = func(typ reflect.Type, at string) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct || seen[typ] || reflect.PointerTo(typ).Implements(textUnmarshaler) {
			return
		}
		seen[typ] = true
		for i := 0; i < typ.NumField(); i++ {
			f := typ.Field(i)
			if !f.IsExported() {
				continue
			}
			ft := f.Type
			if ft.Kind() == reflect.Slice {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.String && !reflect.PointerTo(ft).Implements(textUnmarshaler) || ft == reflect.TypeFor[int]() {
				_, ok := domain.FieldLimit(f)
				assert.True(t, ok, "%s.%s (%s) has no limit tag", typ.Name(), f.Name, at)
			}
			walk(f.Type, at+"."+f.Name)
		}
	}
	for _, typ := range domain.EventTypes() {
		p, err := domain.DecodeStoredPayload(typ, domain.CurrentSchema, []byte(`{}`)) // the types alone: no member is required here
		require.NoError(t, err)
		walk(reflect.TypeOf(p), typ)
	}
	walk(reflect.TypeFor[domain.SourceRef](), "SourceRef")
	assert.Greater(t, len(seen), 30)
}

// TestMoneyCannotOverflow proves that no total can overflow: amounts are at most ±£100bn, and a
// command taking the sum of the magnitudes of a partnership's amounts beyond 2^53 pence is refused, so
// every read-model total (each a signed sum of some of them) stays within ±2^53. The fault of issue 16
// was 1,024 one-off costs of 2^53 pence, whose total wrapped to a negative number.
func TestMoneyCannotOverflow(t *testing.T) {
	b, _ := started(t)
	d := domain.NewDecider(b.hist)
	max := int64(domain.MaxAmountPence)
	var total int64
	accepted := 0
	for i := 0; i < 1024; i++ {
		c := cmd(domain.TypeOneOffCostIncurred, "2015-12-01", fmt.Sprintf(oneOff, "pension strain", max))
		evs, err := d.Decide(c)
		if err != nil {
			var ve *domain.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, "/data/amount_pence", ve.Problems[0].Field)
			assert.Contains(t, ve.Problems[0].Message, "beyond 9007199254740992 pence in all")
			break
		}
		accepted++
		total += max
		e := evs[0]
		e.ID = [16]byte{byte(i), byte(i >> 8), 1}
		d.Add(domain.Recorded{ID: e.ID, Seq: uint64(d.Len() + 1), Type: e.Type, Schema: e.Schema, EffectiveOn: e.EffectiveOn,
			Sources: e.Sources, Certainty: e.Certainty, Data: e.Data, Payload: e.Payload})
	}
	assert.Equal(t, int((int64(1)<<53)/max), accepted, "the sum stops at 2^53")
	assert.LessOrEqual(t, total, domain.MaxMoneyPence)
	assert.Positive(t, total)

	// A back-dated amount is checked against the whole timeline too.
	_, err := domain.Decide(d.History(), cmd(domain.TypeSavingsTargetSet, "2015-11-01",
		`{"council":"north-norfolk","financial_year":2015,"category":"x","amount_pence":`+fmt.Sprint(max)+`}`))
	require.ErrorIs(t, err, domain.ErrValidation)
	// Money-free events are still accepted.
	_, err = domain.Decide(d.History(), cmd(domain.TypeJointAppointmentMade, "2015-11-07", sheila))
	require.NoError(t, err)
}

// TestStoredNullReadsAsTheStrictDecoderReadsIt: a sealed event whose data repeats "council" with null
// (written into KurrentDB by another client) crashed `ledger state` with a nil pointer: go-json left a
// corrupt string. It now reads as encoding/json reads it, and limits never make a stored event
// unreadable.
func TestStoredNullReadsAsTheStrictDecoderReadsIt(t *testing.T) {
	data := `{"amount_pence":1,"category":"x","council":"aaa-council","financial_year":2015,"period_to":"2016-03-31","status":"forecast","council":null}`
	r, err := domain.DecodeEnvelope(domain.Envelope{Type: domain.TypeSavingsReported, Schema: 1, EffectiveOn: "2016-03-01",
		Data: []byte(data), Sources: []byte(`[]`)})
	require.NoError(t, err)
	p := r.Payload.(domain.SavingsReported)
	assert.Equal(t, "aaa-council", p.Council.String())
	strict, err := domain.DecodePayload(domain.TypeSavingsReported, 1, []byte(data))
	require.NoError(t, err)
	assert.Equal(t, strict, r.Payload)

	// Stored before the limits: a 100 KB category, 2^53 pence and 9999-12-31 still read.
	old := `{"amount_pence":9007199254740992,"category":"` + strings.Repeat("c", 100_000) + `","council":"north-norfolk","financial_year":2015,"period_to":"9999-12-31","status":"forecast"}`
	r, err = domain.DecodeEnvelope(domain.Envelope{Type: domain.TypeSavingsReported, Schema: 1, EffectiveOn: "9999-12-31",
		Data: []byte(old), Sources: []byte(`[]`)})
	require.NoError(t, err)
	assert.Equal(t, domain.Pence(1<<53), r.Payload.(domain.SavingsReported).AmountPence)
}

// The largest valid command's event is within the cap on a whole event: MaxDataBytes of data and
// MaxSources sources, every text of each at its limit in 4-byte characters, with the longest envelope.
func TestLargestCommandFitsTheEventCap(t *testing.T) {
	wide := func(n int) string { return strings.Repeat("𝄞", n) } // 4 bytes, 1 code point
	var sources []domain.SourceRef
	for range domain.MaxSources {
		sources = append(sources, domain.SourceRef{Kind: domain.SourceMinutes, Title: wide(domain.MaxNameRunes),
			Publisher: wide(domain.MaxNameRunes), URL: wide(domain.MaxTextRunes), Locator: wide(domain.MaxNameRunes),
			SHA256: wide(domain.MaxNameRunes), Published: domain.MaxCommandDate, Assumed: domain.SourceDetails()})
	}
	raw, err := json.Marshal(sources)
	require.NoError(t, err)
	canonical, err := eventstore.Gate(raw)
	require.NoError(t, err)
	e := eventstore.Event{Stream: strings.Repeat("s", eventstore.MaxStreamNameBytes), Type: strings.Repeat("T", 100),
		EffectiveOn: "2199-12-31", RecordedBy: strings.Repeat("r", 4*domain.MaxNameRunes), Certainty: strings.Repeat("c", 50),
		Sources: canonical, Data: make([]byte, eventstore.MaxDataBytes)}
	assert.Less(t, eventstore.Size(e), eventstore.MaxEventBytes, "the largest valid command's event")
	assert.NoError(t, eventstore.CheckSize(e))
}
