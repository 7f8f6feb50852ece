package words_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/words"
)

func TestPhrases(t *testing.T) {
	tests := []struct {
		name string
		f    func(string) string
		in   string
		want string
	}{
		{"identifier", words.Phrase, "chief-executive", "chief executive"},
		{"acronym in capitals", words.Phrase, "head-of-hr", "head of HR"},
		{"underscores and runs of spaces", words.Phrase, "shared__ict  service", "shared ICT service"},
		{"section numbers", words.Phrase, "S151_officer", "s151 officer"},
		{"empty", words.Phrase, "", ""},
		{"capital", words.Capital, "head of HR", "Head of HR"},
		{"capital, not a letter", words.Capital, "£40,000", "£40,000"},
		{"capital of nothing", words.Capital, "", ""},
		{"lower", words.Lower, "Human resources", "human resources"},
		{"lower keeps an acronym", words.Lower, "HR and payroll", "HR and payroll"},
		{"lower, one letter", words.Lower, "A", "a"},
		{"sentence", words.Sentence, "  the trial ends  ", "The trial ends."},
		{"sentence already ended", words.Sentence, "is it shared?", "Is it shared?"},
		{"sentence of nothing", words.Sentence, " ", ""},
		{"article before a vowel", words.Article, "interim", "an"},
		{"article before a consonant", words.Article, "fixed", "a"},
		{"article of nothing", words.Article, "", "a"},
		{"title of a slug", words.Title, "kings-lynn-and-west-norfolk", "Kings Lynn and West Norfolk"},
		{"title keeps a leading 'the'", words.Title, "the-broads", "The Broads"},
		{"event type", words.EventType, "StatutoryRoleDesignated", "Statutory role designated"},
		{"review outcome", words.Outcome, "terminate", "end the partnership"},
		{"review outcome, permanent", words.Outcome, "make_permanent", "make the arrangement permanent"},
		{"review outcome not in the list", words.Outcome, "pause_for_audit", "pause for audit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.f(tt.in))
		})
	}
}

func TestRolesAndPosts(t *testing.T) {
	tests := []struct {
		post string
		role domain.StatutoryRole
		want string
	}{
		{"chief-executive", domain.HeadOfPaidService, "chief executive (head of paid service)"},
		{"chief-finance-officer", domain.ChiefFinanceOfficer, "chief finance officer (s151)"}, // said once
		{"head-of-hr", "", "head of HR"},
		{"monitoring-officer", domain.MonitoringOfficer, "monitoring officer"},
		{"solicitor", "returning_officer", "solicitor (returning officer)"}, // a role this build does not know
	}
	for _, tt := range tests {
		t.Run(tt.post, func(t *testing.T) {
			assert.Equal(t, tt.want, words.Post(tt.post, tt.role))
		})
	}
	assert.Equal(t, "chief finance officer (s151)", words.Role(domain.ChiefFinanceOfficer))
}

func TestListsAndCounts(t *testing.T) {
	for _, tt := range []struct {
		items []string
		want  string
	}{
		{nil, ""},
		{[]string{"a"}, "a"},
		{[]string{"a", "b"}, "a and b"},
		{[]string{"a", "b", "c"}, "a, b and c"},
	} {
		assert.Equal(t, tt.want, words.JoinAnd(tt.items), "%q", tt.items)
		assert.Equal(t, strings.ReplaceAll(tt.want, " and ", " or "), words.JoinOr(tt.items), "%q", tt.items)
	}
	for _, tt := range []struct {
		n    int
		want string
	}{{0, "no events"}, {1, "one event"}, {2, "two events"}, {10, "ten events"}, {11, "11 events"}, {-1, "-1 events"}} {
		assert.Equal(t, tt.want, words.Count(tt.n, "event", "events"))
	}
	assert.Equal(t, "rests", words.Verb(1, "rests", "rest"))
	assert.Equal(t, "rest", words.Verb(3, "rests", "rest"))
}

func TestNames(t *testing.T) {
	gy, nn := domain.MustCouncil("great-yarmouth"), domain.MustCouncil("north-norfolk")
	names := words.Names{gy: "Great Yarmouth Borough Council"}
	assert.Equal(t, "Great Yarmouth Borough Council", names.Council(gy))
	assert.Equal(t, "north-norfolk", names.Council(nn), "a council never named is its slug")
	assert.Equal(t, "Great Yarmouth Borough Council and north-norfolk", names.Councils([]domain.CouncilRef{gy, nn}))
	assert.Equal(t, "great-yarmouth", words.Names(nil).Council(gy))
}

func TestSourcesAndMinutes(t *testing.T) {
	press := domain.SourceRef{Kind: domain.SourcePress, Title: "Shared chief executive", Published: domain.MustDate("2015-12-18"),
		Locator: "p. 3", URL: "https://example.org/a"}
	invented := domain.SourceRef{Kind: domain.SourceMinutes, Title: "Full Council minutes", Locator: "item 8", Illustrative: true}
	article := domain.SourceRef{Kind: domain.SourcePress, Title: "Shared chief executive", Publisher: "Eastern Daily Press",
		Published: domain.MustDate("2015-12-18"), SHA256: "a7caed1a9930b42ede28201736824adccce060e1a47b1acd9c2ad12e41d73f82",
		Assumed: []string{"title", "publisher", "published"}}
	minutes := domain.SourceRef{Kind: domain.SourceMinutes, Title: "Cabinet minutes", Locator: "minute 10", Assumed: []string{"locator"}}
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"source line", words.Source(press), "Press: Shared chief executive, 18 December 2015, p. 3 <https://example.org/a>"},
		{"a source recorded with the old illustrative flag", words.Source(invented), "Minutes: Full Council minutes, item 8 (every detail assumed)"},
		{"a held article with assumed details", words.Source(article),
			"Press: Shared chief executive, Eastern Daily Press, 18 December 2015 (assumed: title, publisher and date; text held, SHA-256 a7caed1a9930…)"},
		{"minutes with an assumed minute number", words.Source(minutes), "Minutes: Cabinet minutes, minute 10 (assumed: item or page)"},
		{"confirmed with a confirming source", words.Certainty("confirmed", []domain.SourceRef{{Kind: domain.SourceMinutes, Title: "Minutes"}}), "confirmed"},
		{"confirmed without one", words.Certainty("confirmed", []domain.SourceRef{minutes, article}), "recorded as confirmed; no confirming source"},
		{"reported", words.Certainty("reported", []domain.SourceRef{article}), "reported"},
		{"retraction in words", words.Retraction("source_withdrawn"), "its source was withdrawn"},
		{"retraction, entered in error", words.Retraction("entered_in_error"), "it was entered in error"},
		{"retraction, an unknown reason", words.Retraction("court_order"), "court order"},
		{"untitled source of an unknown kind", words.Source(domain.SourceRef{Kind: "video_clip"}), "Video clip: untitled"},
		{"source in a sentence", words.SourceTitle(press), "“Shared chief executive”, 18 December 2015"},
		{"source in a sentence, no date", words.SourceTitle(invented), "“Full Council minutes”"},
		{"minute as written", words.Minute(domain.MinuteRef{Raw: "Cabinet 19 October 2015, minute 10", Body: "cabinet"}), "Cabinet 19 October 2015, minute 10"},
		{"minute from its parts", words.Minute(domain.MinuteRef{Body: "full-council", Meeting: domain.MustDate("2015-10-15"), Item: "8"}), "Full council 15 October 2015, item 8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.got)
		})
	}

	m1 := domain.MinuteRef{Council: domain.MustCouncil("great-yarmouth"), Body: "full council", Meeting: domain.MustDate("2015-10-15"), Raw: "Full Council 15 October 2015, item 8"}
	m2 := domain.MinuteRef{Council: domain.MustCouncil("north-norfolk"), Body: "cabinet", Meeting: domain.MustDate("2015-10-19"), Raw: "Cabinet 19 October 2015, minute 10"}
	for _, tt := range []struct {
		name string
		p    domain.Payload
		want []domain.MinuteRef
	}{
		{"appointment's approvals", domain.JointAppointmentMade{Approvals: []domain.MinuteRef{m1, m2}}, []domain.MinuteRef{m1, m2}},
		{"decision's minute", domain.DecisionTaken{Minute: m2}, []domain.MinuteRef{m2}},
		{"outcome without a minute", domain.ReviewOutcomeRecorded{}, nil},
		{"outcome's minute", domain.ReviewOutcomeRecorded{Minute: &m1}, []domain.MinuteRef{m1}},
		{"authorised by", domain.PartnershipDissolved{AuthorisedBy: []domain.MinuteRef{m2}}, []domain.MinuteRef{m2}},
		{"no minutes", domain.SavingsReported{}, nil},
		{"unknown type", nil, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, words.Minutes(tt.p))
		})
	}
}

func TestEvent(t *testing.T) {
	gy, nn := domain.MustCouncil("great-yarmouth"), domain.MustCouncil("north-norfolk")
	names := words.Names{gy: "Great Yarmouth Borough Council", nn: "North Norfolk District Council"}
	both := []domain.CouncilShare{{Council: gy, TimeShareBasisPoints: 5000}, {Council: nn, TimeShareBasisPoints: 5000}}
	tests := []struct {
		name string
		typ  string
		p    domain.Payload
		want string
	}{
		{"appointment", domain.TypeJointAppointmentMade, domain.JointAppointmentMade{Officer: domain.Officer{Name: "Karen Sly"},
			Post: "chief-finance-officer", StatutoryRole: domain.ChiefFinanceOfficer, Councils: both, Basis: "interim"},
			"Karen Sly appointed chief finance officer (s151) for Great Yarmouth Borough Council and North Norfolk District Council, interim"},
		{"designation", domain.TypeStatutoryRoleDesignated, domain.StatutoryRoleDesignated{Council: gy, Role: domain.HeadOfPaidService,
			Officer: domain.Officer{Name: "Sheila Oxtoby"}}, "Sheila Oxtoby designated head of paid service at Great Yarmouth Borough Council"},
		{"savings", domain.TypeSavingsReported, domain.SavingsReported{Council: nn, FinancialYear: 2015, Category: "shared management",
			AmountPence: 4000000, Status: domain.SavingsForecast}, "Savings forecast for North Norfolk District Council in 2015/16: £40,000 (shared management)"},
		{"cost share", domain.TypeCostShareAgreed, domain.CostShareAgreed{Subject: "chief-executive", Basis: "equal",
			Shares: []domain.Share{{Council: gy, BasisPoints: 5000}, {Council: nn, BasisPoints: 5000}}},
			"Cost of chief executive shared (equal basis): Great Yarmouth Borough Council 50%, North Norfolk District Council 50%"},
		{"review with bodies", domain.TypeReviewScheduled, domain.ReviewScheduled{DueOn: domain.MustDate("2016-06-30"),
			Bodies: []domain.BodyRef{{Council: gy, Body: "full council"}, {Council: nn, Body: "cabinet"}}},
			"Review scheduled, due 30 June 2016, for the full council of Great Yarmouth Borough Council and cabinet of North Norfolk District Council"},
		{"a council never named is its slug", domain.TypeWithdrawalNoticeGiven, domain.WithdrawalNoticeGiven{Council: domain.MustCouncil("broadland"), NoticeDays: 90},
			"broadland gave 90 days' notice of withdrawal"},
		{"a joining council names itself", domain.TypeCouncilJoinedPartnership, domain.CouncilJoinedPartnership{Council: domain.Council{Council: domain.MustCouncil("broadland"), Name: "Broadland District Council"}},
			"Broadland District Council joined the partnership"},
		{"service", domain.TypeServiceMovedToSharedDelivery, domain.ServiceMovedToSharedDelivery{Service: "hr", LeadCouncil: nn}, "HR moved to shared delivery led by North Norfolk District Council"},
		{"an end gives the last day served", domain.TypeAppointmentEnded, domain.AppointmentEnded{Officer: domain.Officer{Name: "Karen Sly"},
			Post: "chief-finance-officer", Councils: []domain.CouncilRef{nn}, LastDay: domain.MustDate("2016-09-30"), Reason: "resignation"},
			"Karen Sly's appointment as chief finance officer ended for North Norfolk District Council, last day 30 September 2016 (resignation)"},
		{"a type this build does not know", "SomethingNew", nil, "SomethingNew"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, words.Event(tt.typ, tt.p, names))
		})
	}
	for _, typ := range domain.EventTypes() {
		assert.NotEmpty(t, words.Event(typ, nil, nil), typ)
	}
}

// Money not recorded is words.NotRecorded, never £0; a total over partly recorded amounts names the
// missing ones instead of counting them as 0.
func TestMoneyNotRecordedAndTotals(t *testing.T) {
	p := domain.Pence(4000000)
	assert.Equal(t, "not recorded", words.Money(nil))
	assert.Equal(t, "not recorded", words.SignedMoney(nil))
	assert.Equal(t, "£40,000", words.Money(&p))
	var none words.Total
	none.Add(nil, "A")
	assert.Equal(t, "not recorded", none.String())
	assert.Nil(t, none.Pence())
	var some words.Total
	some.Add(&p, "A")
	some.Add(nil, "B")
	some.Add(nil, "C")
	assert.Equal(t, "£40,000 (not recorded for B and C)", some.String())
	var all words.Total
	all.Add(&p, "A")
	all.Add(&p, "B")
	assert.Equal(t, "£80,000", all.String())
	assert.Equal(t, domain.Pence(8000000), *all.Pence())
}

func TestCorrectedValues(t *testing.T) {
	names := words.Names{domain.MustCouncil("north-norfolk"): "North Norfolk District Council"}
	for _, tt := range []struct {
		field, v, want string
	}{
		{"trial_ends_on", `"2016-06-30"`, "30 June 2016"},
		{"amount_pence", `3500000`, "£35,000"},
		{"financial_year", `2015`, "2015/16"},
		{"time_share_basis_points", `5000`, "50%"},
		{"council", `"north-norfolk"`, "North Norfolk District Council"},
		{"key_decision", `true`, "yes"},
		{"notes", ``, "not recorded"},
		{"notes", `null`, "not recorded"},
		{"certainty", `"reported"`, "reported by a secondary source"},
		{"sources", `[{"kind":"press","title":"EDP","assumed":["title"]}]`, "Press: EDP (assumed: title)"},
		{"councils", `["a","b"]`, "a and b"},
		{"outcome", `"make_permanent"`, "make the arrangement permanent"},
		{"statutory_role", `"head_of_paid_service"`, "head of paid service"},
	} {
		assert.Equal(t, tt.want, words.CorrectedValue(tt.field, json.RawMessage(tt.v), names), tt.field)
	}
	assert.Equal(t, "Trial ends on", words.CorrectedField("trial_ends_on"))
	assert.Equal(t, "Date it takes effect", words.CorrectedField("effective_on"))
	// The unit is the value's to say (£40,000, 50%), not the field's name.
	assert.Equal(t, "Amount", words.CorrectedField("amount_pence"))
	assert.Equal(t, "Time share", words.CorrectedField("time_share_basis_points"))
	assert.Equal(t, "Share", words.CorrectedField("basis_points"))
}

// A net saving worked out from a forecast is never called a saving (issue 21 point 2).
func TestNetSavingSaysWhatItRestsOn(t *testing.T) {
	p := domain.Pence(4000000)
	assert.Equal(t, "net saving £40,000", words.NetSaving(&p, true))
	assert.Equal(t, "forecast net saving £40,000", words.NetSaving(&p, false))
	assert.Equal(t, "net saving not recorded", words.NetSaving(nil, false))
	assert.Equal(t, "£40,000", words.Net(&p, true))
	assert.Equal(t, "£40,000 (forecast)", words.Net(&p, false))
	assert.Equal(t, "not recorded", words.Net(nil, true))
	from, to := domain.MustDate("2015-11-07"), domain.MustDate("2016-06-30")
	assert.Equal(t, "from 7 November 2015 to 30 June 2016", words.Trial(from, to))
	assert.Equal(t, "not yet started (it starts with the first joint appointment or service shared), to end on 30 June 2016", words.Trial(domain.Date{}, to))
}

// A minute reference is marked with what the minutes source of its meeting assumes of it, once.
func TestMinuteCited(t *testing.T) {
	m := domain.MinuteRef{Council: domain.MustCouncil("great-yarmouth"), Body: "full council", Meeting: domain.MustDate("2015-10-15"),
		Item: "8", Raw: "Full Council 15 October 2015, item 8"}
	minutes := domain.SourceRef{Kind: domain.SourceMinutes, Title: "Full Council minutes", Published: domain.MustDate("2015-10-15"), Locator: "item 8"}
	item := minutes
	item.Assumed = []string{domain.DetailLocator}
	whole := minutes
	whole.Assumed = whole.GivenDetails()
	other := item
	other.Published = domain.MustDate("2015-10-19")
	press := domain.SourceRef{Kind: domain.SourcePress, Title: "x", Published: domain.MustDate("2015-10-15"), Assumed: []string{domain.DetailPublished}}
	for _, tt := range []struct {
		name    string
		sources []domain.SourceRef
		want    string
	}{
		{"no source", nil, "Full Council 15 October 2015, item 8"},
		{"read from the minutes", []domain.SourceRef{minutes}, "Full Council 15 October 2015, item 8"},
		{"item assumed", []domain.SourceRef{item, item}, "Full Council 15 October 2015, item 8 (assumed: minute number)"},
		{"every detail assumed", []domain.SourceRef{whole}, "Full Council 15 October 2015, item 8 (every detail assumed)"},
		{"another meeting's minutes", []domain.SourceRef{other}, "Full Council 15 October 2015, item 8"},
		{"not minutes", []domain.SourceRef{press}, "Full Council 15 October 2015, item 8"},
	} {
		t.Run(tt.name, func(t *testing.T) { assert.Equal(t, tt.want, words.MinuteCited(m, tt.sources)) })
	}
}
