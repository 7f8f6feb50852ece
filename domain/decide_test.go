package domain_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/domain"
)

// book is an in-memory partnership history for decision tests.
type book struct {
	t    *testing.T
	hist []domain.Recorded
}

var minutesSource = []domain.SourceRef{{Kind: domain.SourceMinutes, Title: "Minutes"}}

func cmd(typ, eff, data string) domain.Command {
	return domain.Command{Partnership: "gy-nn", Type: typ, EffectiveOn: eff, Sources: minutesSource,
		Certainty: "confirmed", Data: json.RawMessage(data)}
}

// ok records a command that must be accepted and returns the new event's id.
func (b *book) ok(c domain.Command) uuid.UUID {
	b.t.Helper()
	evs, err := domain.Decide(b.hist, c)
	require.NoError(b.t, err)
	require.Len(b.t, evs, 1)
	e := evs[0]
	if e.Replay {
		return e.ID
	}
	if e.ID == uuid.Nil {
		e.ID = uuid.New()
	}
	b.hist = append(b.hist, domain.Recorded{ID: e.ID, Seq: uint64(len(b.hist) + 1), Revision: uint64(len(b.hist)),
		Type: e.Type, Schema: e.Schema, EffectiveOn: e.EffectiveOn, RecordedAt: time.Now(), Sources: e.Sources,
		Certainty: e.Certainty, Data: e.Data, Payload: e.Payload})
	return e.ID
}

// refused checks that a command is refused with a problem on field whose message contains want.
func (b *book) refused(c domain.Command, field, want string) *domain.ValidationError {
	b.t.Helper()
	evs, err := domain.Decide(b.hist, c)
	require.Error(b.t, err, "accepted %v", evs)
	require.ErrorIs(b.t, err, domain.ErrValidation)
	var ve *domain.ValidationError
	require.ErrorAs(b.t, err, &ve)
	for _, p := range ve.Problems {
		if p.Field == field && contains(p.Message, want) {
			return ve
		}
	}
	b.t.Fatalf("no problem on %s containing %q in %v", field, want, ve.Problems)
	return nil
}

func contains(s, sub string) bool {
	return len(sub) == 0 || (len(s) >= len(sub) && indexOf(s, sub) >= 0)
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

const proposal = `{"name":"GY and NN","purpose":"share senior managers","partners":[
 {"council":"great-yarmouth","name":"Great Yarmouth Borough Council","kind":"borough"},
 {"council":"north-norfolk","name":"North Norfolk District Council","kind":"district"}]}`

const gyDecision = `{"minute":{"council":"great-yarmouth","body":"full council","meeting":"2015-10-15","item":"8","raw":"Full Council 15 October 2015, item 8"},
 "resolution":"share the chief executive","outcome":"approved","key_decision":true,"call_in_applies":false}`

const sheila = `{"officer": {"name": "Sheila Oxtoby"}, "post": "chief-executive",
  "statutory_role": "head_of_paid_service", "employing_council": "north-norfolk",
  "councils": [{"council": "great-yarmouth", "time_share_basis_points": 5000}, {"council": "north-norfolk", "time_share_basis_points": 5000}],
  "basis": "interim", "starts_on": "2015-11-07", "approvals": [ {"council": "great-yarmouth", "body": "full council", "meeting": "2015-10-15", "item": "8", "raw": "Full Council 15 October 2015, item 8"} ]}`

// started returns a partnership proposed on 2015-10-01 with the GY decision of 2015-10-15.
func started(t *testing.T) (*book, map[string]uuid.UUID) {
	b := &book{t: t}
	ids := map[string]uuid.UUID{}
	ids["proposal"] = b.ok(cmd(domain.TypePartnershipProposed, "2015-10-01", proposal))
	ids["decision"] = b.ok(cmd(domain.TypeDecisionTaken, "2015-10-15", gyDecision))
	return b, ids
}

func TestDecideAcceptsTheStory(t *testing.T) {
	b, _ := started(t)
	b.ok(cmd(domain.TypeJointAppointmentMade, "2015-11-07", sheila))
	b.ok(cmd(domain.TypeCostShareAgreed, "2015-11-07", `{"subject": "chief-executive", "basis": "equal",
  "shares": [{"council": "great-yarmouth", "basis_points": 5000}, {"council": "north-norfolk", "basis_points": 5000}],
  "applies_from": "2015-11-07"}`))
	press := cmd(domain.TypeSavingsReported, "2015-12-18", `{"council": "north-norfolk", "financial_year": 2015, "category": "shared management",
  "amount_pence": 4000000, "status": "forecast", "period_to": "2016-03-31"}`)
	press.Sources = []domain.SourceRef{{Kind: domain.SourcePress, Title: "EDP"}}
	press.Certainty = "reported"
	b.ok(press)
	assert.Len(t, b.hist, 5)
}

func TestDecideEnvelope(t *testing.T) {
	b, _ := started(t)
	tests := []struct {
		name, field, want string
		mutate            func(*domain.Command)
		malformed         bool
	}{
		{"bad partnership", "/partnership", "is not a partnership slug", func(c *domain.Command) { c.Partnership = "X" }, false},
		{"unknown type", "/type", "is not an event type", func(c *domain.Command) { c.Type = "Merged" }, false},
		{"invalid date", "/effective_on", "2015-02-30 is not a valid date", func(c *domain.Command) { c.EffectiveOn = "2015-02-30" }, true},
		{"unknown field", "/data/colour", `unknown field "colour"`, func(c *domain.Command) { c.Data = json.RawMessage(`{"colour":1}`) }, true},
		{"no data", "/data", "is required", func(c *domain.Command) { c.Data = nil }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := cmd(domain.TypeSavingsTargetSet, "2015-12-01", `{"council":"north-norfolk","financial_year":2015,"category":"x","amount_pence":1}`)
			tt.mutate(&c)
			ve := b.refused(c, tt.field, tt.want)
			assert.Equal(t, tt.malformed, errors.Is(ve, domain.ErrMalformed))
		})
	}
}

// TestInvariants has one or more refusals per invariant of docs/domain.md.
func TestInvariants(t *testing.T) {
	savings := func(council string) string {
		return fmt.Sprintf(`{"council":%q,"financial_year":2015,"category":"shared management","amount_pence":100,"status":"forecast","period_to":"2016-03-31"}`, council)
	}
	tests := []struct {
		name  string
		setup func(b *book, ids map[string]uuid.UUID)
		cmd   func(ids map[string]uuid.UUID) domain.Command
		field string
		want  string
	}{
		{"1 proposal needs two partners", nil, func(map[string]uuid.UUID) domain.Command {
			return cmd(domain.TypePartnershipProposed, "2015-10-01", `{"name":"x","purpose":"y","partners":[{"council":"ab","name":"A","kind":"district"}]}`)
		}, "/data/partners", "at least two"},
		{"1 council not a partner", nil, func(map[string]uuid.UUID) domain.Command {
			return cmd(domain.TypeSavingsReported, "2015-12-01", savings("broadland"))
		}, "/data/council", "broadland is not an active partner on 2015-12-01"},
		{"1 before the proposal", nil, func(map[string]uuid.UUID) domain.Command {
			return cmd(domain.TypeSavingsReported, "2015-09-01", savings("north-norfolk"))
		}, "/effective_on", "has not been proposed"},
		{"1 withdrawal leaving one partner", nil, func(map[string]uuid.UUID) domain.Command {
			return cmd(domain.TypeCouncilWithdrew, "2016-01-01", `{"council":"north-norfolk","reason":"x","authorised_by":[{"council":"great-yarmouth","body":"full council","meeting":"2015-10-15","item":"8","raw":"r"}]}`)
		}, "/data/council", "fewer than two partners"},
		{"1 back-dated withdrawal breaks a later appointment", func(b *book, ids map[string]uuid.UUID) {
			b.ok(cmd(domain.TypeCouncilJoinedPartnership, "2015-10-02", `{"council":{"council":"broadland","name":"Broadland","kind":"district"}}`))
			ids["appt"] = b.ok(cmd(domain.TypeJointAppointmentMade, "2015-11-07", `{"officer":{"name":"A"},"post":"p","employing_council":"broadland",
				"councils":[{"council":"broadland","time_share_basis_points":5000}],"basis":"interim","starts_on":"2015-11-07"}`))
			b.ok(cmd(domain.TypeDecisionTaken, "2015-10-20", `{"minute":{"council":"broadland","body":"cabinet","meeting":"2015-10-20","raw":"c"},"resolution":"leave","outcome":"approved","key_decision":false,"call_in_applies":false}`))
		}, func(map[string]uuid.UUID) domain.Command {
			return cmd(domain.TypeCouncilWithdrew, "2015-10-21", `{"council":"broadland","reason":"x","authorised_by":[{"council":"broadland","body":"cabinet","meeting":"2015-10-20","raw":"c"}]}`)
		}, "/effective_on", "JointAppointmentMade"},
		{"2 shares not summing to 10000", nil, func(map[string]uuid.UUID) domain.Command {
			return cmd(domain.TypeCostShareAgreed, "2015-11-07", `{"subject":"ce","basis":"fixed_ratio","applies_from":"2015-11-07","shares":[{"council":"great-yarmouth","basis_points":6000},{"council":"north-norfolk","basis_points":3000}]}`)
		}, "/data/shares", "sum to 9000"},
		{"2 zero share", nil, func(map[string]uuid.UUID) domain.Command {
			return cmd(domain.TypeCostShareAgreed, "2015-11-07", `{"subject":"ce","basis":"fixed_ratio","applies_from":"2015-11-07","shares":[{"council":"great-yarmouth","basis_points":10000},{"council":"north-norfolk","basis_points":0}]}`)
		}, "/data/shares/1/basis_points", "positive"},
		{"2 share for a non-partner", nil, func(map[string]uuid.UUID) domain.Command {
			return cmd(domain.TypeCostShareAgreed, "2015-11-07", `{"subject":"ce","basis":"equal","applies_from":"2015-11-07","shares":[{"council":"great-yarmouth","basis_points":5000},{"council":"broadland","basis_points":5000}]}`)
		}, "/data/shares/1/council", "not an active partner"},
		{"3 officer over 100% of time", func(b *book, _ map[string]uuid.UUID) {
			b.ok(cmd(domain.TypeJointAppointmentMade, "2015-11-07", sheila))
		}, func(map[string]uuid.UUID) domain.Command {
			return cmd(domain.TypeJointAppointmentMade, "2015-12-01", `{"officer":{"name":"Sheila Oxtoby"},"post":"head-of-hr","employing_council":"north-norfolk",
				"councils":[{"council":"great-yarmouth","time_share_basis_points":2000}],"basis":"interim","starts_on":"2015-12-01"}`)
		}, "/data/councils", "12000 basis points"},
		{"4 two holders of a role", func(b *book, _ map[string]uuid.UUID) {
			b.ok(cmd(domain.TypeStatutoryRoleDesignated, "2015-11-07", `{"council":"great-yarmouth","role":"head_of_paid_service","officer":{"name":"Sheila Oxtoby"}}`))
		}, func(map[string]uuid.UUID) domain.Command {
			return cmd(domain.TypeStatutoryRoleDesignated, "2015-12-01", `{"council":"great-yarmouth","role":"head_of_paid_service","officer":{"name":"Someone Else"}}`)
		}, "/data/role", "held by Sheila Oxtoby"},
		{"4 monitoring officer is the s151", func(b *book, _ map[string]uuid.UUID) {
			b.ok(cmd(domain.TypeStatutoryRoleDesignated, "2015-11-07", `{"council":"great-yarmouth","role":"chief_finance_officer","officer":{"name":"Karen Sly"}}`))
		}, func(map[string]uuid.UUID) domain.Command {
			return cmd(domain.TypeStatutoryRoleDesignated, "2015-12-01", `{"council":"great-yarmouth","role":"monitoring_officer","officer":{"name":"Karen Sly"}}`)
		}, "/data/role", "must not also be the chief finance officer"},
		{"4 district monitoring officer is head of paid service", func(b *book, _ map[string]uuid.UUID) {
			b.ok(cmd(domain.TypeStatutoryRoleDesignated, "2015-11-07", `{"council":"north-norfolk","role":"head_of_paid_service","officer":{"name":"Sheila Oxtoby"}}`))
		}, func(map[string]uuid.UUID) domain.Command {
			return cmd(domain.TypeStatutoryRoleDesignated, "2015-12-01", `{"council":"north-norfolk","role":"monitoring_officer","officer":{"name":"Sheila Oxtoby"}}`)
		}, "/data/role", "in a district"},
		{"5 approval with no decision", nil, func(map[string]uuid.UUID) domain.Command {
			return cmd(domain.TypeJointAppointmentMade, "2015-11-07", `{"officer":{"name":"Karen Sly"},"post":"cfo","employing_council":"north-norfolk",
				"councils":[{"council":"great-yarmouth","time_share_basis_points":5000}],"basis":"interim","starts_on":"2015-11-07",
				"approvals":[{"council":"great-yarmouth","body":"cabinet","meeting":"2015-10-15","item":"9","raw":"Cabinet item 9"}]}`)
		}, "/data/approvals/0", "no DecisionTaken with that minute"},
		{"5 approval citing a rejected decision", func(b *book, _ map[string]uuid.UUID) {
			b.ok(cmd(domain.TypeDecisionTaken, "2015-10-16", `{"minute":{"council":"north-norfolk","body":"cabinet","meeting":"2015-10-16","item":"1","raw":"NN cab 1"},"resolution":"no","outcome":"rejected","key_decision":false,"call_in_applies":true}`))
		}, func(map[string]uuid.UUID) domain.Command {
			return cmd(domain.TypeJointAppointmentMade, "2015-11-07", `{"officer":{"name":"Karen Sly"},"post":"cfo","employing_council":"north-norfolk",
				"councils":[{"council":"great-yarmouth","time_share_basis_points":5000}],"basis":"interim","starts_on":"2015-11-07",
				"approvals":[{"council":"north-norfolk","body":"cabinet","meeting":"2015-10-16","item":"1","raw":"NN cab 1"}]}`)
		}, "/data/approvals/0", "outcome is rejected"},
		{"5 minute ref unique", nil, func(map[string]uuid.UUID) domain.Command {
			return cmd(domain.TypeDecisionTaken, "2015-10-15", gyDecision)
		}, "/data/minute", "already recorded"},
		{"6 appointment ends before it starts", nil, func(map[string]uuid.UUID) domain.Command {
			return cmd(domain.TypeJointAppointmentMade, "2015-11-07", `{"officer":{"name":"Karen Sly"},"post":"cfo","employing_council":"north-norfolk",
				"councils":[{"council":"great-yarmouth","time_share_basis_points":5000}],"basis":"interim","starts_on":"2015-11-07","ends_on":"2015-11-01"}`)
		}, "/data/ends_on", "before the appointment starts"},
		{"6 agreement varied to end before it commences", func(b *book, _ map[string]uuid.UUID) {
			b.ok(cmd(domain.TypeAgreementExecuted, "2015-11-06", `{"reference":"s113","kind":"s113","title":"s113 agreement","parties":["great-yarmouth","north-norfolk"],"signed":"2015-11-06","commences":"2015-11-07"}`))
		}, func(map[string]uuid.UUID) domain.Command {
			return cmd(domain.TypeAgreementVaried, "2016-01-01", `{"reference":"s113","variation":"shortened","ends":"2015-11-01"}`)
		}, "/data/ends", "before the agreement commences (2015-11-07)"},
		{"6 withdrawal notice ending before its period", nil, func(map[string]uuid.UUID) domain.Command {
			return cmd(domain.TypeWithdrawalNoticeGiven, "2016-01-01", `{"council":"north-norfolk","notice_days":90,"proposed_end":"2016-02-01"}`)
		}, "/data/proposed_end", "before the 90 days' notice"},
		{"6 outturn dated inside the year", nil, func(map[string]uuid.UUID) domain.Command {
			return cmd(domain.TypeSavingsReported, "2016-03-31", `{"council":"north-norfolk","financial_year":2015,"category":"x","amount_pence":1,"status":"outturn","period_to":"2016-03-31"}`)
		}, "/effective_on", "after 2016-03-31"},
		{"7 negative cost", nil, func(map[string]uuid.UUID) domain.Command {
			return cmd(domain.TypeOneOffCostIncurred, "2016-01-01", `{"council":"north-norfolk","financial_year":2015,"category":"redundancy","amount_pence":-5}`)
		}, "/data/amount_pence", "must not be negative"},
		{"7 fractional pence", nil, func(map[string]uuid.UUID) domain.Command {
			return cmd(domain.TypeOneOffCostIncurred, "2016-01-01", `{"council":"north-norfolk","financial_year":2015,"category":"redundancy","amount_pence":5.5}`)
		}, "/data/amount_pence", "not a whole number of pence"},
		{"8 notice from a non-partner", nil, func(map[string]uuid.UUID) domain.Command {
			return cmd(domain.TypeWithdrawalNoticeGiven, "2016-01-01", `{"council":"broadland","notice_days":90,"proposed_end":"2016-04-01"}`)
		}, "/data/council", "not an active partner"},
		{"8 withdrawal before the notice runs out", func(b *book, _ map[string]uuid.UUID) {
			b.ok(cmd(domain.TypeCouncilJoinedPartnership, "2015-10-02", `{"council":{"council":"broadland","name":"Broadland","kind":"district"}}`))
			b.ok(cmd(domain.TypeWithdrawalNoticeGiven, "2016-01-01", `{"council":"broadland","notice_days":90,"proposed_end":"2016-03-31"}`))
		}, func(map[string]uuid.UUID) domain.Command {
			return cmd(domain.TypeCouncilWithdrew, "2016-02-01", `{"council":"broadland","reason":"leaving"}`)
		}, "/effective_on", "notice given on 2016-01-01 runs out (2016-03-31)"},
		{"9 outcome without a review", nil, func(map[string]uuid.UUID) domain.Command {
			return cmd(domain.TypeReviewOutcomeRecorded, "2016-06-30", `{"review":"june-2016","council":"north-norfolk","outcome":"continue","rationale":"fine"}`)
		}, "/data/review", "no review \"june-2016\" is scheduled"},
		{"9 two outcomes per council", func(b *book, _ map[string]uuid.UUID) {
			b.ok(cmd(domain.TypeReviewScheduled, "2015-12-01", `{"review":"june-2016","due_on":"2016-06-30","bodies":[{"council":"north-norfolk","body":"cabinet"}]}`))
			b.ok(cmd(domain.TypeReviewOutcomeRecorded, "2016-06-30", `{"review":"june-2016","council":"north-norfolk","outcome":"continue","rationale":"fine"}`))
		}, func(map[string]uuid.UUID) domain.Command {
			return cmd(domain.TypeReviewOutcomeRecorded, "2016-07-01", `{"review":"june-2016","council":"north-norfolk","outcome":"terminate","rationale":"no"}`)
		}, "/data/council", "already has an outcome"},
		{"10 correction of an unknown event", nil, func(map[string]uuid.UUID) domain.Command {
			return cmd(domain.TypeEventCorrected, "2016-01-01", `{"target":"0190f3a4-0000-7000-8000-000000000001","data":{"purpose":"x"},"reason":"typo"}`)
		}, "/data/target", "no event"},
		{"10 correction cannot add unknown fields (type is fixed)", nil, func(ids map[string]uuid.UUID) domain.Command {
			return cmd(domain.TypeEventCorrected, "2016-01-01", fmt.Sprintf(`{"target":%q,"data":{"type":"PartnershipDissolved"},"reason":"typo"}`, ids["proposal"]))
		}, "/data/data/type", "unknown field \"type\""},
		{"10 retracting a decision cited by an approval", func(b *book, _ map[string]uuid.UUID) {
			b.ok(cmd(domain.TypeJointAppointmentMade, "2015-11-07", sheila))
		}, func(ids map[string]uuid.UUID) domain.Command {
			return cmd(domain.TypeEventRetracted, "2016-01-01", fmt.Sprintf(`{"target":%q,"reason":"entered_in_error"}`, ids["decision"]))
		}, "/data/target", "JointAppointmentMade"},
		{"10 target already retracted", func(b *book, ids map[string]uuid.UUID) {
			ids["x"] = b.ok(cmd(domain.TypeSavingsTargetSet, "2015-12-01", `{"council":"north-norfolk","financial_year":2015,"category":"x","amount_pence":1}`))
			b.ok(cmd(domain.TypeEventRetracted, "2016-01-01", fmt.Sprintf(`{"target":%q,"reason":"duplicate"}`, ids["x"])))
		}, func(ids map[string]uuid.UUID) domain.Command {
			return cmd(domain.TypeEventCorrected, "2016-01-02", fmt.Sprintf(`{"target":%q,"data":{"amount_pence":2},"reason":"typo"}`, ids["x"]))
		}, "/data/target", "has been retracted"},
		{"11 no sources", nil, func(map[string]uuid.UUID) domain.Command {
			c := cmd(domain.TypeSavingsTargetSet, "2015-12-01", `{"council":"north-norfolk","financial_year":2015,"category":"x","amount_pence":1}`)
			c.Sources = nil
			return c
		}, "/sources", "at least one source"},
		{"11 no certainty", nil, func(map[string]uuid.UUID) domain.Command {
			c := cmd(domain.TypeSavingsTargetSet, "2015-12-01", `{"council":"north-norfolk","financial_year":2015,"category":"x","amount_pence":1}`)
			c.Certainty = ""
			return c
		}, "/certainty", "is required"},
		{"11 press-only confirmed", nil, func(map[string]uuid.UUID) domain.Command {
			c := cmd(domain.TypeSavingsTargetSet, "2015-12-01", `{"council":"north-norfolk","financial_year":2015,"category":"x","amount_pence":1}`)
			c.Sources = []domain.SourceRef{{Kind: domain.SourcePress, Title: "EDP"}}
			return c
		}, "/certainty", "must be reported"},
		{"11 confirmed citing only minutes whose details are assumed", nil, func(map[string]uuid.UUID) domain.Command {
			c := cmd(domain.TypeSavingsTargetSet, "2015-12-01", `{"council":"north-norfolk","financial_year":2015,"category":"x","amount_pence":1}`)
			c.Sources = []domain.SourceRef{{Kind: domain.SourceMinutes, Title: "Cabinet minutes", Locator: "minute 10", Assumed: []string{"locator"}},
				{Kind: domain.SourcePress, Title: "EDP"}}
			return c
		}, "/certainty", "confirmed needs a confirming source: minutes, a report or an agreement none of whose details is assumed"},
		{"11 confirmed citing a letter", nil, func(map[string]uuid.UUID) domain.Command {
			c := cmd(domain.TypeSavingsTargetSet, "2015-12-01", `{"council":"north-norfolk","financial_year":2015,"category":"x","amount_pence":1}`)
			c.Sources = []domain.SourceRef{{Kind: domain.SourceLetter, Title: "Letter from the leader"}}
			return c
		}, "/certainty", "confirmed needs a confirming source"},
		{"11 a correction to confirmed needs a confirming source", func(b *book, ids map[string]uuid.UUID) {
			c := cmd(domain.TypeSavingsTargetSet, "2015-12-01", `{"council":"north-norfolk","financial_year":2015,"category":"x","amount_pence":1}`)
			c.Sources, c.Certainty = []domain.SourceRef{{Kind: domain.SourceLetter, Title: "Letter"}}, "inferred"
			ids["target"] = b.ok(c)
		}, func(ids map[string]uuid.UUID) domain.Command {
			return cmd(domain.TypeEventCorrected, "2015-12-02", `{"target":"`+ids["target"].String()+`","certainty":"confirmed","reason":"sure now"}`)
		}, "/data/certainty", "confirmed needs a confirming source"},
		{"12 same id, other content", func(b *book, _ map[string]uuid.UUID) {
			c := cmd(domain.TypeSavingsTargetSet, "2015-12-01", `{"council":"north-norfolk","financial_year":2015,"category":"x","amount_pence":1}`)
			c.ID = uuid.MustParse("0190f3a4-0000-7000-8000-00000000000c")
			b.ok(c)
		}, func(map[string]uuid.UUID) domain.Command {
			c := cmd(domain.TypeSavingsTargetSet, "2015-12-01", `{"council":"north-norfolk","financial_year":2015,"category":"x","amount_pence":2}`)
			c.ID = uuid.MustParse("0190f3a4-0000-7000-8000-00000000000c")
			return c
		}, "/id", "already recorded with other content"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, ids := started(t)
			if tt.setup != nil {
				tt.setup(b, ids)
			}
			b.refused(tt.cmd(ids), tt.field, tt.want)
		})
	}
}

func TestBackDatedEventNamesTheLaterEvent(t *testing.T) {
	b, ids := started(t)
	appt := b.ok(cmd(domain.TypeJointAppointmentMade, "2015-11-07", sheila))
	ve := b.refused(cmd(domain.TypeEventRetracted, "2016-01-01", fmt.Sprintf(`{"target":%q,"reason":"entered_in_error"}`, ids["decision"])),
		"/data/target", "")
	require.NotEmpty(t, ve.Problems)
	assert.Equal(t, appt, ve.Problems[0].Event)
	assert.Equal(t, domain.TypeJointAppointmentMade, ve.Problems[0].EventType)
}

func TestReportsEveryProblem(t *testing.T) {
	b, _ := started(t)
	c := cmd(domain.TypeCostShareAgreed, "2015-11-07", `{"subject":"","basis":"odd","applies_from":"2015-11-07","shares":[{"council":"great-yarmouth","basis_points":6000},{"council":"north-norfolk","basis_points":3000}]}`)
	c.Sources = nil
	_, err := domain.Decide(b.hist, c)
	var ve *domain.ValidationError
	require.ErrorAs(t, err, &ve)
	fields := map[string]bool{}
	for _, p := range ve.Problems {
		fields[p.Field] = true
	}
	c2 := cmd(domain.TypeJointAppointmentMade, "2015-11-07", `{"officer":{"name":""},"post":"ce","employing_council":"broadland","councils":[],"basis":"interim"}`)
	_, err = domain.Decide(b.hist, c2)
	var ve2 *domain.ValidationError
	require.ErrorAs(t, err, &ve2)
	assert.Len(t, ve2.Problems, 4, "%v", ve2.Problems) // name, councils, starts_on, and broadland not a partner
	for _, f := range []string{"/sources", "/data/subject", "/data/basis", "/data/shares"} {
		assert.True(t, fields[f], "missing %s in %v", f, ve.Problems)
	}
}

func TestIdempotentReplay(t *testing.T) {
	b, _ := started(t)
	c := cmd(domain.TypeSavingsTargetSet, "2015-12-01", `{"council":"north-norfolk","financial_year":2015,"category":"x","amount_pence":1}`)
	c.ID = uuid.MustParse("0190f3a4-0000-7000-8000-0000000000aa")
	b.ok(c)
	n := len(b.hist)
	evs, err := domain.Decide(b.hist, c)
	require.NoError(t, err)
	require.Len(t, evs, 1)
	assert.True(t, evs[0].Replay)
	assert.Equal(t, c.ID, evs[0].ID)
	assert.Len(t, b.hist, n)
}

func TestCorrectionsAndEffectiveView(t *testing.T) {
	b, ids := started(t)
	target := b.ok(cmd(domain.TypeSavingsReported, "2015-12-18", `{"council": "north-norfolk", "financial_year": 2015, "category": "shared management",
  "amount_pence": 4000000, "status": "forecast", "period_to": "2016-03-31"}`))
	known := len(b.hist)
	corr := b.ok(cmd(domain.TypeEventCorrected, "2016-01-10", fmt.Sprintf(`{"target":%q,"data":{"amount_pence":3900000},"effective_on":"2015-12-19","certainty":"inferred","reason":"misread"}`, target)))
	corr2 := b.ok(cmd(domain.TypeEventCorrected, "2016-01-11", fmt.Sprintf(`{"target":%q,"data":{"category":"management"},"reason":"renamed"}`, target)))

	t.Run("before the correction the original stands", func(t *testing.T) {
		view := domain.EffectiveView(b.hist[:known])
		require.Len(t, view, 3)
		assert.Equal(t, domain.Pence(4000000), view[2].Payload.(domain.SavingsReported).AmountPence)
		assert.False(t, view[2].Corrected())
	})
	t.Run("the last correction wins, fields accumulate", func(t *testing.T) {
		view := domain.EffectiveView(b.hist)
		require.Len(t, view, 3)
		got := view[2]
		p := got.Payload.(domain.SavingsReported)
		assert.Equal(t, domain.Pence(3900000), p.AmountPence)
		assert.Equal(t, "management", p.Category)
		assert.Equal(t, domain.MustDate("2015-12-19"), got.EffectiveOn)
		assert.Equal(t, domain.Inferred, got.Certainty)
		assert.Equal(t, []uuid.UUID{target, corr, corr2}, got.Evidence)
		assert.Equal(t, domain.TypeSavingsReported, got.Type)
	})
	t.Run("a retraction removes the event and its corrections", func(t *testing.T) {
		b.ok(cmd(domain.TypeEventRetracted, "2016-02-01", fmt.Sprintf(`{"target":%q,"reason":"source_withdrawn"}`, target)))
		view := domain.EffectiveView(b.hist)
		require.Len(t, view, 2)
		assert.Equal(t, ids["proposal"], view[0].ID)
	})
	t.Run("a correction that breaks the timeline is refused", func(t *testing.T) {
		b.t = t
		b.ok(cmd(domain.TypeJointAppointmentMade, "2015-11-07", sheila))
		b.refused(cmd(domain.TypeEventCorrected, "2016-02-02", fmt.Sprintf(`{"target":%q,"data":{"outcome":"rejected"},"reason":"x"}`, ids["decision"])),
			"/data/target", "JointAppointmentMade")
		b.refused(cmd(domain.TypeEventCorrected, "2016-02-02", fmt.Sprintf(`{"target":%q,"data":{"outcome":"wrong"},"reason":"x"}`, ids["decision"])),
			"/data/data/outcome", "is not one of")
	})
}

func TestDecodeCommand(t *testing.T) {
	tests := []struct {
		name, body, err string
	}{
		{"ok", `{"type":"SavingsTargetSet","effective_on":"2015-12-01","sources":[{"kind":"press","title":"EDP"}],"certainty":"reported","data":{"council":"north-norfolk"}}`, ""},
		{"unknown field", `{"type":"SavingsTargetSet","id":"x"}`, `unknown field "id"`},
		{"bad source kind", `{"sources":[{"kind":"gossip","title":"x"}]}`, `"gossip" is not a source kind`},
		{"not JSON", `{`, "it ends before the value does"},
		{"wrong type", `{"type":3}`, "must be a string, not a JSON number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := domain.DecodeCommand("gy-nn", []byte(tt.body))
			if tt.err == "" {
				require.NoError(t, err)
				assert.Equal(t, "gy-nn", c.Partnership)
				assert.Equal(t, domain.SourcePress, c.Sources[0].Kind)
				return
			}
			require.ErrorIs(t, err, domain.ErrMalformed)
			assert.ErrorContains(t, err, tt.err)
		})
	}
}

// TestDecodeCommandGate: the body's exact bytes pass the gate before anything decodes them, and a
// refusal names the JSON pointer (issue 16).
func TestDecodeCommandGate(t *testing.T) {
	tests := []struct{ name, body, field, msg string }{
		{"repeated amount", `{"type":"SavingsReported","data":{"amount_pence":100,"amount_pence":999}}`, "/data/amount_pence", "repeated member name"},
		{"repeated amount, escaped", `{"type":"SavingsReported","data":{"amount_pence":100,"\u0061mount_pence":999}}`, "/data/amount_pence", "repeated member name"},
		{"repeated type", `{"type":"SavingsReported","type":"SavingsTargetSet"}`, "/type", "repeated member name"},
		{"lone surrogate", `{"data":{"category":"x\ud800y"}}`, "/data/category", "lone surrogate"},
		{"NUL", `{"data":{"category":"x\u0000y"}}`, "/data/category", "U+0000"},
		{"right-to-left override", `{"sources":[{"kind":"press","title":"a\u202eb"}]}`, "/sources/0/title", "U+202E"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := domain.DecodeCommand("gy-nn", []byte(tt.body))
			var ve *domain.ValidationError
			require.ErrorAs(t, err, &ve)
			require.ErrorIs(t, err, domain.ErrMalformed)
			require.Len(t, ve.Problems, 1)
			assert.Equal(t, tt.field, ve.Problems[0].Field)
			assert.Contains(t, ve.Problems[0].Message, tt.msg)
		})
	}
}

func TestCorrectionBreakingItsTarget(t *testing.T) {
	b, _ := started(t)
	appt := b.ok(cmd(domain.TypeJointAppointmentMade, "2015-11-07", sheila))
	ve := b.refused(cmd(domain.TypeEventCorrected, "2016-01-01", fmt.Sprintf(`{"target":%q,"data":{"employing_council":"broadland"},"reason":"x"}`, appt)),
		"/data/data/employing_council", "broadland is not an active partner")
	assert.Equal(t, appt, ve.Problems[0].Event)
	b.refused(cmd(domain.TypeEventCorrected, "2016-01-01", fmt.Sprintf(`{"target":%q,"effective_on":"2015-09-01","reason":"x"}`, appt)),
		"/data/effective_on", "has not been proposed")
}

// CheckTarget answers what Decide answers about a correction's or retraction's target, before a
// command exists: the target as corrected so far, or Decide's own problem at /data/target.
func TestCheckTarget(t *testing.T) {
	b, ids := started(t)
	target := b.ok(cmd(domain.TypeSavingsReported, "2015-12-18", `{"council": "north-norfolk", "financial_year": 2015, "category": "shared management",
  "amount_pence": 4000000, "status": "forecast", "period_to": "2016-03-31"}`))
	corr := b.ok(cmd(domain.TypeEventCorrected, "2016-01-10", fmt.Sprintf(`{"target":%q,"data":{"amount_pence":3900000},"reason":"misread"}`, target)))
	retr := b.ok(cmd(domain.TypeEventRetracted, "2016-01-11", fmt.Sprintf(`{"target":%q,"reason":"duplicate"}`, ids["decision"])))

	e, err := domain.CheckTarget(b.hist, target)
	require.NoError(t, err)
	assert.Equal(t, domain.Pence(3900000), e.Payload.(domain.SavingsReported).AmountPence, "as corrected so far")
	assert.Equal(t, []uuid.UUID{target, corr}, e.Evidence)

	for name, tc := range map[string]struct {
		id   uuid.UUID
		want string
	}{
		"unknown":    {uuid.New(), "no event"},
		"correction": {corr, "is a EventCorrected; correct or retract the original event instead"},
		"retraction": {retr, "is a EventRetracted"},
		"retracted":  {ids["decision"], "(DecisionTaken) has been retracted"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := domain.CheckTarget(b.hist, tc.id)
			var ve *domain.ValidationError
			require.ErrorAs(t, err, &ve)
			require.Len(t, ve.Problems, 1)
			assert.Equal(t, "/data/target", ve.Problems[0].Field)
			assert.Contains(t, ve.Problems[0].Message, tc.want)
			// Decide says the same of a retraction naming it.
			b.refused(cmd(domain.TypeEventRetracted, "2016-02-01", fmt.Sprintf(`{"target":%q,"reason":"duplicate"}`, tc.id)), "/data/target", ve.Problems[0].Message)
		})
	}
}

// A correction must leave its target a valid payload of its type, as if recorded fresh: a required
// member set to null or removed is refused at its pointer under /data/data; a new command giving
// it null is refused as one leaving it out.
func TestCorrectionCannotRemoveARequiredMember(t *testing.T) {
	b, _ := started(t)
	target := b.ok(cmd(domain.TypeSavingsReported, "2015-12-18", `{"council": "north-norfolk", "financial_year": 2015, "category": "shared management",
  "amount_pence": 4000000, "status": "forecast", "period_to": "2016-03-31"}`))
	b.refused(cmd(domain.TypeEventCorrected, "2016-01-10", fmt.Sprintf(`{"target":%q,"data":{"amount_pence":null},"reason":"misread"}`, target)),
		"/data/data/amount_pence", "is required")
	b.refused(cmd(domain.TypeEventCorrected, "2016-01-10", fmt.Sprintf(`{"target":%q,"data":{"category":null},"reason":"misread"}`, target)),
		"/data/data/category", "is required")
	b.refused(cmd(domain.TypeSavingsTargetSet, "2015-12-18", `{"council": "north-norfolk", "financial_year": 2015, "category": "shared management", "amount_pence": null}`),
		"/data/amount_pence", "null is not a whole number of pence")
	b.refused(cmd(domain.TypeSavingsReported, "2015-12-18", `{"council": "north-norfolk", "financial_year": 2015, "category": "shared management",
  "amount_pence": null, "status": "forecast", "period_to": "2016-03-31"}`), "/data/amount_pence", "null is not a whole number of pence")
}
