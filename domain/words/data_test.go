package words_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/words"
)

var dataNames = words.Names{domain.MustCouncil("north-norfolk"): "North Norfolk District Council",
	domain.MustCouncil("great-yarmouth"): "Great Yarmouth Borough Council"}

// sampleOf fills a value of type t for the k-th sample: every member set, an enumerated text to its
// k-th value (so that every value is written over the samples), lists of two, free text with a
// slug-like word in it.
func sampleOf(t reflect.Type, name string, tag reflect.StructTag, k int) reflect.Value {
	v := reflect.New(t).Elem()
	switch x := v.Addr().Interface().(type) {
	case *domain.Date:
		*x = domain.MustDate("2016-06-30")
		return v
	case *domain.CouncilRef:
		*x = []domain.CouncilRef{domain.MustCouncil("north-norfolk"), domain.MustCouncil("great-yarmouth")}[k%2]
		return v
	case *domain.StatutoryRole:
		*x = []domain.StatutoryRole{domain.HeadOfPaidService, domain.ChiefFinanceOfficer, domain.MonitoringOfficer}[k%3]
		return v
	case *domain.Certainty:
		*x = []domain.Certainty{domain.Confirmed, domain.Reported, domain.Inferred}[k%3]
		return v
	case *domain.CouncilKind:
		*x = []domain.CouncilKind{domain.District, domain.Borough, domain.Unitary, domain.County}[k%4]
		return v
	case *domain.SourceKind:
		*x = []domain.SourceKind{domain.SourceMinutes, domain.SourceReport, domain.SourceAgreement, domain.SourceLetter, domain.SourcePress, domain.SourceWeb}[k%6]
		return v
	case *domain.FinancialYear:
		*x = 2015
		return v
	case *domain.Pence:
		*x = 4000050
		return v
	case *domain.BasisPoints:
		*x = 5000
		return v
	case *json.RawMessage:
		*x = json.RawMessage(`{"amount_pence":4500000,"councils":["north-norfolk","great-yarmouth"],"basis":"fixed_ratio","outcome":"make_permanent","shares":[{"council":"north-norfolk","basis_points":5000}]}`)
		return v
	}
	switch t.Kind() {
	case reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() || f.Tag.Get("stored") == "only" {
				continue
			}
			n, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			v.Field(i).Set(sampleOf(f.Type, n, f.Tag, k))
		}
	case reflect.Pointer:
		v.Set(sampleOf(t.Elem(), name, tag, k).Addr())
	case reflect.Slice:
		if name == "assumed" {
			v.Set(reflect.ValueOf([]string{domain.DetailTitle, domain.DetailLocator}))
			break
		}
		v.Set(reflect.MakeSlice(t, 2, 2))
		for i := range 2 {
			v.Index(i).Set(sampleOf(t.Elem(), name, tag, k+i))
		}
	case reflect.Array:
		for i := range v.Len() {
			v.Index(i).Set(reflect.ValueOf(uint8(i + 1)))
		}
	case reflect.String:
		switch {
		case tag.Get("enum") != "":
			e := strings.Split(tag.Get("enum"), ",")
			v.SetString(e[k%len(e)])
		case name == "url":
			v.SetString("https://example.org/minutes.pdf")
		case name == "sha256":
			v.SetString(strings.Repeat("a7", 32))
		case name == "ons_code":
			v.SetString("E07000145")
		case name == "name" || name == "title" || name == "body" || name == "raw" || name == "publisher" || name == "locator":
			v.SetString("Name as typed")
		default:
			v.SetString([]string{"end_of_term", "chief-finance-officer", "Text as typed, with words"}[k%3])
		}
	case reflect.Int, reflect.Int64:
		v.SetInt(90)
	case reflect.Bool:
		v.SetBool(k%2 == 0)
	}
	return v
}

// payloadOf is the k-th sample payload of an event type (k = -1: the zero payload).
func payloadOf(t *testing.T, typ string, k int) domain.Payload {
	zero, err := domain.DecodePayload(typ, domain.CurrentSchema, []byte("{}"))
	require.NoError(t, err, typ)
	if k < 0 {
		return zero
	}
	return sampleOf(reflect.TypeOf(zero), "", "", k).Interface().(domain.Payload)
}

// noJSONOrSlug fails when a text written for people holds a stored slug's underscore, JSON's braces
// or brackets, or nothing at all.
func noJSONOrSlug(t *testing.T, where, s string) {
	t.Helper()
	assert.NotEmpty(t, strings.TrimSpace(s), where)
	for _, bad := range []string{"_", "{", "[", "\""} {
		assert.NotContains(t, s, bad, "%s: %q", where, s)
	}
}

// Every data member of every event type, as the event page writes it (Data), as a correction writes
// its value (DataMember with the type and CorrectedValue without), reads as words: no slug, no JSON
// (issue 23 point 4).
func TestEveryDataMemberInWords(t *testing.T) {
	for _, typ := range domain.EventTypes() {
		for k := -1; k < 6; k++ {
			p := payloadOf(t, typ, k)
			sources := []domain.SourceRef{{Kind: domain.SourceMinutes, Title: "Minutes", Published: domain.MustDate("2016-06-30"), Locator: "item 90", Assumed: []string{domain.DetailLocator}}}
			members := words.Data(p, dataNames, sources)
			if k >= 0 {
				assert.NotEmpty(t, members, typ)
			}
			var walk func(where string, v words.Value)
			walk = func(where string, v words.Value) {
				for _, m := range v.Members {
					noJSONOrSlug(t, where+" label", m.Label)
					walk(where+"."+m.Name, m.Value)
				}
				for _, x := range v.List {
					walk(where+"[]", x)
				}
			}
			data, err := domain.EncodePayload(p)
			if k < 0 && err != nil {
				continue // a zero payload with a required date cannot be encoded; Data wrote it above
			}
			require.NoError(t, err, typ)
			var raw map[string]json.RawMessage
			require.NoError(t, json.Unmarshal(data, &raw))
			for _, m := range members {
				where := typ + "." + m.Name
				noJSONOrSlug(t, where, m.Value.String())
				noJSONOrSlug(t, where+" label", m.Label)
				walk(where, m.Value)
				if m.Value.Event != "" || k < 0 {
					continue // a link to another event, which a correction cannot change
				}
				assert.Equal(t, m.Value.String(), words.DataMember(typ, m.Name, raw[m.Name], dataNames, sources).String(), where)
				if typ != domain.TypeEventCorrected && typ != domain.TypeEventRetracted {
					v := words.CorrectedValue(m.Name, raw[m.Name], dataNames)
					noJSONOrSlug(t, where+" corrected", v)
					assert.Equal(t, words.DataMember(typ, m.Name, raw[m.Name], dataNames, nil).String(), v, where)
				}
			}
		}
	}
}

// The fixed choices and values that read as slugs or JSON before read as words.
func TestDataMemberExamples(t *testing.T) {
	for _, tt := range []struct{ typ, field, v, want string }{
		{domain.TypeJointAppointmentMade, "statutory_role", `"head_of_paid_service"`, "head of paid service"},
		{domain.TypeReviewOutcomeRecorded, "outcome", `"make_permanent"`, "make the arrangement permanent"},
		{"", "outcome", `"make_permanent"`, "make the arrangement permanent"},
		{"", "outcome", `"approved"`, "approved"},
		{domain.TypeCostShareAgreed, "basis", `"fixed_ratio"`, "fixed ratio"},
		{"", "basis", `"interim"`, "interim"},
		{domain.TypeAgreementExecuted, "kind", `"s113"`, "section 113 agreement (officers shared, s113 LGA 1972)"},
		{"", "kind", `"inter_authority_agreement"`, "inter-authority agreement"},
		{domain.TypeEventRetracted, "reason", `"entered_in_error"`, "it was entered in error"},
		{"", "reason", `"end_of_term"`, "end of term"},
		{"", "reason", `"The officer resigned."`, "The officer resigned."},
		{"", "councils", `["north-norfolk","great-yarmouth"]`, "North Norfolk District Council and Great Yarmouth Borough Council"},
		{"", "councils", `[{"council":"north-norfolk","time_share_basis_points":5000},{"council":"great-yarmouth","time_share_basis_points":5000}]`,
			"Council: North Norfolk District Council, Time share: 50%; Council: Great Yarmouth Borough Council, Time share: 50%"},
		{"", "council", `{"council":"north-norfolk","name":"North Norfolk District Council","kind":"district","ons_code":"E07000147"}`,
			"North Norfolk District Council (district council, ONS code E07000147)"},
		{"", "officer", `{"name":"Karen Sly"}`, "Karen Sly"},
		{"", "minute", `{"council":"north-norfolk","body":"Cabinet","meeting":"2016-01-04","item":"7","raw":"Cabinet 4 January 2016, item 7"}`,
			"Cabinet 4 January 2016, item 7, North Norfolk District Council"},
		{"", "votes", `{"for":30,"against":2,"abstentions":1}`, "Votes for: 30, Votes against: 2, Abstentions: 1"},
		{"", "notice_days", `90`, "90 days"},
		{"", "staff_transferred", `12`, "12"},
		{"", "bodies", `[{"council":"north-norfolk","body":"Cabinet"}]`, "Cabinet of North Norfolk District Council"},
		{"", "projected_savings", `[{"council":"north-norfolk","financial_year":2016,"amount_pence":5000000}]`,
			"Council: North Norfolk District Council, Financial year: 2016/17, Amount: £50,000"},
		{"", "no_such_member", `{"some_thing":[1,2],"when":"2016-06-30"}`, "Some thing: 1 and 2, When: 30 June 2016"},
		{"", "post", `"chief-finance-officer"`, "chief finance officer"},
		{"", "amount_pence", `null`, words.NotRecorded},
	} {
		got := words.DataMember(tt.typ, tt.field, json.RawMessage(tt.v), dataNames, nil).String()
		assert.Equal(t, tt.want, got, "%s %s %s", tt.typ, tt.field, tt.v)
	}
}

// memberNames lists the JSON names of the members of t and of every struct inside it.
func memberNames(t reflect.Type, into map[string]bool) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return
	}
	for i := range t.NumField() {
		f := t.Field(i)
		n, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || n == "-" || n == "" {
			continue
		}
		if !into[n] {
			into[n] = true
			memberNames(f.Type, into)
		}
	}
}

// Every member name of every payload (and of the groups inside them) reads as plain English through
// CorrectedField: no underscore, no unit the value writes, a capital first; and the names that
// read literally before read as people say them.
func TestEveryLabelReadsAsEnglish(t *testing.T) {
	all := map[string]bool{domain.CorrectedEffectiveOn: true, domain.CorrectedSources: true, domain.CorrectedCertainty: true}
	for _, typ := range domain.EventTypes() {
		memberNames(reflect.TypeOf(payloadOf(t, typ, -1)), all)
	}
	memberNames(reflect.TypeOf(domain.SourceRef{}), all)
	require.Greater(t, len(all), 60)
	for name := range all {
		l := words.CorrectedField(name)
		noJSONOrSlug(t, name, l)
		assert.Equal(t, words.Capital(l), l, name)
		for _, unit := range []string{"pence", "basis points", "days", "Raw", "sha256", "Url"} {
			assert.NotContains(t, l, unit, name)
		}
	}
	for name, want := range map[string]string{
		"time_share_basis_points": "Time share", "basis_points": "Share", "amount_pence": "Amount",
		"staff_transferred": "Staff transferred", "ons_code": "ONS code", "sha256": "SHA-256", "url": "Web address",
		"call_in_applies": "Call-in applies", "one_off_costs": "One-off costs", "notice_days": "Notice",
		"trial_ends_on": "Trial ends on", "effective_on": "Date it takes effect", "key_decision": "Key decision",
		"statutory_role": "Statutory role", "lead_council": "Lead council", "financial_year": "Financial year",
	} {
		assert.Equal(t, want, words.CorrectedField(name), name)
	}
}
