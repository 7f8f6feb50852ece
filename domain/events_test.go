package domain_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/domain"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/events")

func d(s string) domain.Date       { return domain.MustDate(s) }
func c(s string) domain.CouncilRef { return domain.MustCouncil(s) }
func cs(s ...string) []domain.CouncilRef {
	out := make([]domain.CouncilRef, len(s))
	for i, v := range s {
		out[i] = c(v)
	}
	return out
}

var gyFullCouncil = domain.MinuteRef{Council: c("great-yarmouth"), Body: "full council", Meeting: d("2015-10-15"),
	Item: "8", Raw: "Full Council 15 October 2015, item 8"}

// samples holds one payload of every event type, with every field set where it can be.
func samples() []domain.Payload {
	staff := 12
	return []domain.Payload{
		domain.PartnershipProposed{Name: "Great Yarmouth and North Norfolk shared management", Partners: []domain.Council{
			{Council: c("great-yarmouth"), Name: "Great Yarmouth Borough Council", Kind: domain.Borough, ONSCode: "E07000145"},
			{Council: c("north-norfolk"), Name: "North Norfolk District Council", Kind: domain.District, ONSCode: "E07000147"},
		}, Scope: []string{"senior management"}, Purpose: "share the chief executive and chief finance officer",
			TrialEndsOn: d("2016-06-30"), ReviewDue: d("2016-06-30"), Notes: "interim"},
		domain.CouncilJoinedPartnership{Council: domain.Council{Council: c("broadland"), Name: "Broadland District Council",
			Kind: domain.District}, AuthorisedBy: []domain.MinuteRef{gyFullCouncil}},
		domain.CouncilWithdrew{Council: c("north-norfolk"), Reason: "prefers its own management team",
			AuthorisedBy: []domain.MinuteRef{gyFullCouncil}},
		domain.WithdrawalNoticeGiven{Council: c("north-norfolk"), NoticeDays: 90, ProposedEnd: d("2016-12-31")},
		domain.ExternalFundingAwarded{Funder: "Improvement East", Recipients: cs("north-norfolk", "great-yarmouth"),
			AmountPence: 5000000, Purpose: "study shared services", Notes: "year unconfirmed"},
		domain.BusinessCasePublished{Document: "Shared services business case", Options: []string{"share HR", "share finance"},
			ProjectedSavings: []domain.CouncilAmount{{Council: c("north-norfolk"), FinancialYear: 2016, AmountPence: 10000000}},
			OneOffCosts:      []domain.CouncilAmount{{Council: c("north-norfolk"), FinancialYear: 2016, Category: "implementation", AmountPence: 500000}}},
		domain.DecisionTaken{Minute: gyFullCouncil, Resolution: "to share the chief executive", Outcome: domain.OutcomeApproved,
			Votes: &domain.Votes{For: 30, Against: 4, Abstentions: 1}, KeyDecision: true, CallInApplies: false},
		domain.AgreementExecuted{Reference: "s113-2015", Kind: domain.AgreementS113, Title: "Section 113 agreement",
			Parties: cs("great-yarmouth", "north-norfolk"), Signed: d("2015-11-06"), Commences: d("2015-11-07"),
			Ends: d("2016-06-30"), NoticeDays: 90, ReviewDue: d("2016-06-01"), AuthorisedBy: []domain.MinuteRef{gyFullCouncil}},
		domain.AgreementVaried{Reference: "s113-2015", Variation: "extended", Ends: d("2016-09-30"), NoticeDays: 30,
			ReviewDue: d("2016-09-01"), AuthorisedBy: []domain.MinuteRef{gyFullCouncil}},
		domain.JointAppointmentMade{Officer: domain.Officer{Name: "Sheila Oxtoby"}, Post: "chief-executive",
			StatutoryRole: domain.HeadOfPaidService, EmployingCouncil: c("north-norfolk"),
			Councils: []domain.CouncilShare{{Council: c("great-yarmouth"), TimeShareBasisPoints: 5000}, {Council: c("north-norfolk"), TimeShareBasisPoints: 5000}},
			Basis:    domain.BasisInterim, StartsOn: d("2015-11-07"), Approvals: []domain.MinuteRef{gyFullCouncil}},
		domain.StatutoryRoleDesignated{Council: c("great-yarmouth"), Role: domain.HeadOfPaidService,
			Officer: domain.Officer{Name: "Sheila Oxtoby"}, AuthorisedBy: []domain.MinuteRef{gyFullCouncil}},
		domain.StatutoryRoleVacated{Council: c("north-norfolk"), Role: domain.HeadOfPaidService,
			Officer: domain.Officer{Name: "Sheila Oxtoby"}, Reason: "resigned"},
		domain.AppointmentEnded{Officer: domain.Officer{Name: "Sheila Oxtoby"}, Post: "chief-executive",
			Councils: cs("north-norfolk"), LastDay: d("2016-09-30"), Reason: "resignation"},
		domain.ServiceSharingProposed{Service: "human resources", Candidates: cs("great-yarmouth", "north-norfolk"), Notes: "business case"},
		domain.ServiceMovedToSharedDelivery{Service: "human resources", LeadCouncil: c("north-norfolk"),
			ReceivingCouncils: cs("great-yarmouth"), From: d("2016-04-01"), Agreement: "s113-2015", StaffTransferred: &staff},
		domain.ServiceReturnedToSeparateDelivery{Service: "human resources", Reason: "partnership ended"},
		domain.CostShareAgreed{Subject: "chief-executive", Basis: domain.ShareEqual, Shares: []domain.Share{
			{Council: c("great-yarmouth"), BasisPoints: 5000}, {Council: c("north-norfolk"), BasisPoints: 5000}},
			AppliesFrom: d("2015-11-07")},
		domain.SavingsTargetSet{Council: c("north-norfolk"), FinancialYear: 2015, Category: "shared management", AmountPence: 4000000},
		domain.SavingsReported{Council: c("north-norfolk"), FinancialYear: 2015, Category: "shared management",
			AmountPence: 4000000, Status: domain.SavingsForecast, PeriodTo: d("2016-03-31")},
		domain.OneOffCostIncurred{Council: c("north-norfolk"), FinancialYear: 2015, Category: "implementation", AmountPence: 250000},
		domain.ReviewScheduled{Review: "june-2016", DueOn: d("2016-06-30"), Bodies: []domain.BodyRef{
			{Council: c("great-yarmouth"), Body: "full council"}, {Council: c("north-norfolk"), Body: "cabinet"}},
			TermsOfReference: "whether the trial should continue"},
		domain.ExternalReviewCommissioned{Reviewer: "Local Government Association", Scope: "shared management", Review: "june-2016"},
		domain.ReviewOutcomeRecorded{Review: "june-2016", Council: c("north-norfolk"), Outcome: domain.ReviewTerminate,
			Minute:    &domain.MinuteRef{Council: c("north-norfolk"), Body: "cabinet", Meeting: d("2016-09-05"), Item: "4", Raw: "Cabinet 5 September 2016, minute 4"},
			Rationale: "prefers its own management team"},
		domain.PartnershipDissolved{Reason: "North Norfolk ended the agreement", AuthorisedBy: []domain.MinuteRef{gyFullCouncil}},
		domain.EventCorrected{Target: uuid.MustParse("0190f3a4-0000-7000-8000-000000000001"),
			Data: json.RawMessage(`{"item":"9"}`), EffectiveOn: d("2015-10-16"),
			Sources:   []domain.SourceRef{{Kind: domain.SourceMinutes, Title: "Minutes", Illustrative: true}},
			Certainty: domain.Confirmed, Reason: "item number misread", Evidence: "printed minutes"},
		domain.EventRetracted{Target: uuid.MustParse("0190f3a4-0000-7000-8000-000000000002"), Reason: domain.RetractDuplicate, Notes: "entered twice"},
	}
}

func TestSamplesCoverEveryType(t *testing.T) {
	got := map[string]bool{}
	for _, p := range samples() {
		got[p.EventType()] = true
	}
	for _, typ := range domain.EventTypes() {
		assert.True(t, got[typ], "no sample for %s", typ)
	}
	assert.Len(t, domain.EventTypes(), 26)
}

func TestGoldenRoundTrip(t *testing.T) {
	for _, p := range samples() {
		t.Run(p.EventType(), func(t *testing.T) {
			data, err := domain.EncodePayload(p)
			require.NoError(t, err)
			path := filepath.Join("testdata", "events", p.EventType()+".json")
			if *update {
				var pretty map[string]any
				require.NoError(t, json.Unmarshal(data, &pretty))
				out, err := json.MarshalIndent(pretty, "", "  ")
				require.NoError(t, err)
				require.NoError(t, os.WriteFile(path, append(out, '\n'), 0o644))
			}
			golden, err := os.ReadFile(path)
			require.NoError(t, err, "run go test ./domain -update to create it")
			assert.JSONEq(t, string(golden), string(data))

			decoded, err := domain.DecodePayload(p.EventType(), domain.CurrentSchema, golden)
			require.NoError(t, err)
			assert.IsType(t, p, decoded)
			again, err := domain.EncodePayload(decoded)
			require.NoError(t, err)
			assert.JSONEq(t, string(data), string(again))
		})
	}
}

// TestDomainDocExamples decodes the three payloads domain.md gives, exactly, and re-encodes them.
func TestDomainDocExamples(t *testing.T) {
	tests := []struct {
		name, typ, data string
	}{
		{"CostShareAgreed", domain.TypeCostShareAgreed, `{"subject": "chief-executive", "basis": "equal",
  "shares": [{"council": "great-yarmouth", "basis_points": 5000}, {"council": "north-norfolk", "basis_points": 5000}],
  "applies_from": "2015-11-07"}`},
		{"SavingsReported", domain.TypeSavingsReported, `{"council": "north-norfolk", "financial_year": 2015, "category": "shared management",
  "amount_pence": 4000000, "status": "forecast", "period_to": "2016-03-31"}`},
		{"JointAppointmentMade", domain.TypeJointAppointmentMade, `{"officer": {"name": "Sheila Oxtoby"}, "post": "chief-executive",
  "statutory_role": "head_of_paid_service", "employing_council": "north-norfolk",
  "councils": [{"council": "great-yarmouth", "time_share_basis_points": 5000}, {"council": "north-norfolk", "time_share_basis_points": 5000}],
  "basis": "interim", "starts_on": "2015-11-07", "approvals": [ {"council": "great-yarmouth", "body": "full council", "meeting": "2015-10-15", "item": "8", "raw": "Full Council 15 October 2015, item 8"} ]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := domain.DecodePayload(tt.typ, 1, []byte(tt.data))
			require.NoError(t, err)
			out, err := domain.EncodePayload(p)
			require.NoError(t, err)
			assert.JSONEq(t, tt.data, string(out))
		})
	}
}

func TestDecodePayloadErrors(t *testing.T) {
	tests := []struct {
		name, typ string
		schema    int
		data      string
		sentinel  error
		contains  string
	}{
		{"unknown type", "PartnershipMerged", 1, `{}`, domain.ErrUnknownEventType, `"PartnershipMerged" is not an event type`},
		{"unknown schema", domain.TypeSavingsReported, 2, `{}`, domain.ErrUnknownEventType, "schema version 2"},
		{"unknown field", domain.TypeSavingsReported, 1, `{"council":"north-norfolk","colour":"red"}`, domain.ErrMalformed, `unknown field "colour"`},
		{"bad date", domain.TypeSavingsReported, 1, `{"period_to":"2015-02-30"}`, domain.ErrMalformed, "2015-02-30 is not a valid date"},
		{"fractional pence", domain.TypeSavingsReported, 1, `{"amount_pence":40.5}`, domain.ErrMalformed, "40.5 is not a whole number of pence"},
		{"bad council", domain.TypeSavingsReported, 1, `{"council":"North Norfolk"}`, domain.ErrMalformed, "is not a council slug"},
		{"bad certainty in correction", domain.TypeEventCorrected, 1, `{"certainty":"sure"}`, domain.ErrMalformed, `"sure" is not a certainty`},
		{"basis points over 100%", domain.TypeCostShareAgreed, 1, `{"shares":[{"council":"ab","basis_points":10001}]}`, domain.ErrMalformed, "10001 basis points is out of range"},
		{"field name in other case", domain.TypeSavingsReported, 1, `{"Council":"north-norfolk"}`, domain.ErrMalformed, `unknown field "Council"`},
		{"nested field name in other case", domain.TypeCostShareAgreed, 1, `{"shares":[{"council":"ab","Basis_Points":1}]}`, domain.ErrMalformed, `unknown field "Basis_Points"`},
		{"trailing data", domain.TypeEventRetracted, 1, `{} {}`, domain.ErrMalformed, "unexpected data"},
		{"not JSON", domain.TypeEventRetracted, 1, `{`, domain.ErrMalformed, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := domain.DecodePayload(tt.typ, tt.schema, []byte(tt.data))
			require.Error(t, err)
			assert.True(t, errors.Is(err, tt.sentinel), "%v", err)
			var de *domain.DecodeError
			require.ErrorAs(t, err, &de)
			assert.Contains(t, err.Error(), tt.contains)
		})
	}
}

// TestContainsNullIsBytesContains: the windowed search finds "null" wherever bytes.Contains does,
// at every offset across the windows' edges, and nowhere else.
func TestContainsNullIsBytesContains(t *testing.T) {
	for n := 0; n <= 200; n++ {
		base := bytes.Repeat([]byte("nul n"), n/5+1)[:n]
		assert.False(t, domain.ContainsNull(base), "length %d", n)
		for at := 0; at+4 <= n; at++ {
			b := append([]byte(nil), base...)
			copy(b[at:], "null")
			assert.Equal(t, bytes.Contains(b, []byte("null")), domain.ContainsNull(b), "null at %d of %d", at, n)
		}
	}
}
