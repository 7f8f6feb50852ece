// Package demo loads the Norfolk demo ledger: two partnerships between Norfolk councils, built from
// two Eastern Daily Press reports (the demo's seeds), with every detail the articles do not give marked
// assumed in its source reference (domain.SourceRef.Assumed) and every fact they do not report
// recorded as inferred, its free text saying where it comes from. The articles are cited by the
// SHA-256 of their text as the demo's authors held it; the repository does not carry them. Nothing
// about real people or agreements goes beyond what the articles say, except the end of the trial in
// September 2016, which the demo's brief gives: its events are inferred and their sources assumed.
//
// The demo is seeded offline: each event's recorded_at is the plausible day it would have been
// entered (the day after a meeting, the day a press report appeared), non-decreasing in append
// order, so that "as known at 1 June 2016" means something. Event ids are fixed (UUIDv5 of a
// namespace and a name), so seeding twice appends nothing the second time.
package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/recording"
	"github.com/partnership-ledger/ledger/eventstore"
)

// The demo's partnerships.
const (
	GreatYarmouthNorthNorfolk = "great-yarmouth-north-norfolk"
	NorfolkRevenuesBenefits   = "norfolk-revenues-benefits"
)

// Actor is the recorded_by of every demo event (domain.DemoActor).
const Actor = domain.DemoActor

// namespace is the UUID namespace of the demo's event ids: an event's id is
// uuid.NewSHA1(namespace, "<partnership>/<name>").
var namespace = uuid.MustParse("5d6c7a0e-2f3b-4c1d-9e8f-6a7b8c9d0e1f")

// EventID returns the fixed id of the demo event with the given name in a partnership.
func EventID(partnership, name string) uuid.UUID {
	return uuid.NewSHA1(namespace, []byte(partnership+"/"+name))
}

var (
	greatYarmouth = domain.Council{Council: domain.MustCouncil("great-yarmouth"), Name: "Great Yarmouth Borough Council",
		Kind: domain.Borough, ONSCode: "E07000145"}
	northNorfolk = domain.Council{Council: domain.MustCouncil("north-norfolk"), Name: "North Norfolk District Council",
		Kind: domain.District, ONSCode: "E07000147"}
	kingsLynn = domain.Council{Council: domain.MustCouncil("kings-lynn-west-norfolk"),
		Name: "Borough Council of King's Lynn and West Norfolk", Kind: domain.Borough, ONSCode: "E07000146"}

	gy, nn, kl = greatYarmouth.Council, northNorfolk.Council, kingsLynn.Council
)

func date(s string) domain.Date { return domain.MustDate(s) }

// Sources. Each marks the details the demo assumed (SourceRef.Assumed), detail by detail: the two
// articles are held (their SHA-256 is of the text as the demo's authors held it), but neither text
// shows its publisher, headline or date; the council minutes and reports are not held, and the
// articles name no meeting, so every detail of them is assumed (wholly).
// None of them confirms a fact (SourceRef.Confirms), so no demo fact is recorded as confirmed.
var (
	// seed000 is the December 2015 article on the shared chief executive. "Six weeks into her new
	// shared role" (from 7 November) dates it about 18 December 2015.
	seed000 = domain.SourceRef{Kind: domain.SourcePress,
		Title:     "Shared chief executive expects £40,000 saving at each council",
		Publisher: "Eastern Daily Press",
		Published: date("2015-12-18"),
		SHA256:    "a7caed1a9930b42ede28201736824adccce060e1a47b1acd9c2ad12e41d73f82",
		Assumed:   []string{domain.DetailTitle, domain.DetailPublisher, domain.DetailPublished}}
	// seed002 is the article on the Improvement East grant. It is undated; early 2010 is inferred
	// from its mention of the coming general election.
	seed002 = domain.SourceRef{Kind: domain.SourcePress,
		Title:     "Norfolk councils join forces to save cash",
		Publisher: "Eastern Daily Press",
		Published: date("2010-02-10"),
		SHA256:    "844a1dad5d1866f31feb650face6a2974c8aad9d547070ee3f6b51ae54343298",
		Assumed:   []string{domain.DetailTitle, domain.DetailPublisher, domain.DetailPublished}}
	// gyMinutes: Great Yarmouth must have agreed to share North Norfolk's officers before they began
	// on 7 November 2015, but neither article names a meeting: the body, the date (15 October 2015)
	// and the item are assumed, so every detail is.
	gyMinutes = wholly(domain.SourceRef{Kind: domain.SourceMinutes,
		Title:     "Great Yarmouth Borough Council, Full Council minutes",
		Published: date("2015-10-15"), Locator: "item 8"})
	// nnMinutes: North Norfolk must have agreed to share its officers, but the story gives no
	// meeting: every detail is assumed.
	nnMinutes = wholly(domain.SourceRef{Kind: domain.SourceMinutes,
		Title:     "North Norfolk District Council, Cabinet minutes",
		Published: date("2015-10-19"), Locator: "minute 10"})
	// gyReport: the officers' report to the full council, assumed as a whole.
	gyReport = wholly(domain.SourceRef{Kind: domain.SourceReport,
		Title:     "Report to Full Council: sharing a chief executive and chief finance officer with North Norfolk",
		Published: date("2015-10-07")})
	// brief2016 is the ending, September 2016: no article the demo holds reports it; the demo's
	// brief says only that the trial ended in September 2016. It is cited as what it is, not as a
	// press report; its kind and date are assumed, and the events citing it are inferred.
	brief2016 = domain.SourceRef{Kind: domain.SourceReport,
		Title:     "The demo's brief (not a council document): the trial ended in September 2016",
		Published: date("2016-09-06"), Assumed: []string{domain.DetailKind, domain.DetailPublished}}
)

// assumedEnd says where the demo's September 2016 events come from, in their free text.
const assumedEnd = "assumed for the demo, whose brief says only that the trial ended in September 2016"

// wholly marks every detail the source gives as assumed: a document the story implies but does not
// describe.
func wholly(s domain.SourceRef) domain.SourceRef {
	s.Assumed = s.GivenDetails()
	return s
}

var (
	gyFullCouncil = domain.MinuteRef{Council: gy, Body: "full council", Meeting: date("2015-10-15"), Item: "8",
		Raw: "Full Council 15 October 2015, item 8"}
	nnCabinet = domain.MinuteRef{Council: nn, Body: "cabinet", Meeting: date("2015-10-19"), Item: "10",
		Raw: "Cabinet 19 October 2015, minute 10"}
)

// entry is one demo event before it becomes a command.
type entry struct {
	partnership string
	name        string // stable name: the event id derives from it
	recordedAt  string // RFC 3339
	effectiveOn string
	certainty   domain.Certainty
	sources     []domain.SourceRef
	payload     domain.Payload
}

func srcs(s ...domain.SourceRef) []domain.SourceRef { return s }

func shares(councils ...domain.CouncilRef) []domain.CouncilShare {
	out := make([]domain.CouncilShare, len(councils))
	for i, c := range councils {
		out[i] = domain.CouncilShare{Council: c, TimeShareBasisPoints: domain.BasisPoints(10000 / len(councils))}
	}
	return out
}

func entries() []entry {
	const nrb, gnn = NorfolkRevenuesBenefits, GreatYarmouthNorthNorfolk
	sheila := domain.Officer{Name: "Sheila Oxtoby"}
	karen := domain.Officer{Name: "Karen Sly"}
	return []entry{
		// The three councils and the Improvement East grant (early 2010; the year is unconfirmed).
		{nrb, "proposed", "2010-02-10T10:00:00Z", "2010-02-09", domain.Reported, srcs(seed002),
			domain.PartnershipProposed{Name: "Norfolk revenues and benefits shared services",
				Partners: []domain.Council{northNorfolk, kingsLynn, greatYarmouth},
				Scope:    []string{"revenues and benefits", "customer services"},
				Purpose: "Study sharing services, starting with revenues and benefits and parts of customer services, " +
					"including common software; a further bid for a new system would follow.",
				Notes: "King's Lynn and West Norfolk cites a £1m budget shortfall in 2012 (reported). " +
					"The article's date is not shown: the year 2010 is inferred."}},
		{nrb, "improvement-east-grant", "2010-02-10T10:05:00Z", "2010-02-09", domain.Reported, srcs(seed002),
			domain.ExternalFundingAwarded{Funder: "Improvement East", Recipients: []domain.CouncilRef{nn, kl, gy},
				AmountPence: 5000000, Purpose: "study shared services between the three councils",
				Notes: "Year unconfirmed: the article is undated; early 2010 is inferred from its mention of the coming general election."}},
		{nrb, "propose-revenues-benefits", "2010-02-10T10:10:00Z", "2010-02-09", domain.Reported, srcs(seed002),
			domain.ServiceSharingProposed{Service: "revenues and benefits", Candidates: []domain.CouncilRef{nn, kl, gy},
				Notes: "including common software"}},
		{nrb, "propose-customer-services", "2010-02-10T10:15:00Z", "2010-02-09", domain.Reported, srcs(seed002),
			domain.ServiceSharingProposed{Service: "customer services", Candidates: []domain.CouncilRef{nn, kl, gy},
				Notes: "some areas of customer services"}},

		// Great Yarmouth and North Norfolk, 2015–16.
		{gnn, "proposed", "2015-10-08T09:00:00Z", "2015-10-07", domain.Inferred, srcs(gyReport),
			domain.PartnershipProposed{Name: "Great Yarmouth and North Norfolk shared management",
				Partners: []domain.Council{greatYarmouth, northNorfolk},
				Scope:    []string{"senior management"},
				Purpose: "Share North Norfolk's chief executive and chief finance officer with Great Yarmouth on an " +
					"interim basis, and look at sharing back-office services.",
				TrialEndsOn: date("2016-03-31"), ReviewDue: date("2016-06-30")}},
		{gnn, "gy-full-council-2015-10-15", "2015-10-16T09:00:00Z", "2015-10-15", domain.Inferred, srcs(gyMinutes),
			domain.DecisionTaken{Minute: gyFullCouncil,
				Resolution: "To share North Norfolk District Council's chief executive (as head of paid service) and " +
					"chief finance officer (as s151 officer) on an interim basis.",
				Outcome: domain.OutcomeApproved, KeyDecision: true, CallInApplies: false}},
		{gnn, "nn-cabinet-2015-10-19", "2015-10-20T09:00:00Z", "2015-10-19", domain.Inferred, srcs(nnMinutes),
			domain.DecisionTaken{Minute: nnCabinet,
				Resolution: "To share the chief executive and chief finance officer with Great Yarmouth Borough Council " +
					"on an interim basis.",
				Outcome: domain.OutcomeApproved, KeyDecision: true, CallInApplies: true}},
		{gnn, "appoint-sheila-oxtoby", "2015-11-09T09:00:00Z", "2015-11-07", domain.Inferred, srcs(gyMinutes, nnMinutes),
			domain.JointAppointmentMade{Officer: sheila, Post: "chief-executive", StatutoryRole: domain.HeadOfPaidService,
				EmployingCouncil: nn, Councils: shares(gy, nn), Basis: domain.BasisInterim, StartsOn: date("2015-11-07"),
				Approvals: []domain.MinuteRef{gyFullCouncil, nnCabinet}}},
		{gnn, "appoint-karen-sly", "2015-11-09T09:05:00Z", "2015-11-07", domain.Inferred, srcs(gyMinutes, nnMinutes),
			domain.JointAppointmentMade{Officer: karen, Post: "chief-finance-officer", StatutoryRole: domain.ChiefFinanceOfficer,
				EmployingCouncil: nn, Councils: shares(gy, nn), Basis: domain.BasisInterim, StartsOn: date("2015-11-07"),
				Approvals: []domain.MinuteRef{gyFullCouncil, nnCabinet}}},
		{gnn, "designate-hops-gy", "2015-11-09T09:10:00Z", "2015-11-07", domain.Inferred, srcs(gyMinutes),
			domain.StatutoryRoleDesignated{Council: gy, Role: domain.HeadOfPaidService, Officer: sheila,
				AuthorisedBy: []domain.MinuteRef{gyFullCouncil}}},
		{gnn, "designate-hops-nn", "2015-11-09T09:11:00Z", "2015-11-07", domain.Inferred, srcs(nnMinutes),
			domain.StatutoryRoleDesignated{Council: nn, Role: domain.HeadOfPaidService, Officer: sheila,
				AuthorisedBy: []domain.MinuteRef{nnCabinet}}},
		{gnn, "designate-s151-gy", "2015-11-09T09:12:00Z", "2015-11-07", domain.Inferred, srcs(gyMinutes),
			domain.StatutoryRoleDesignated{Council: gy, Role: domain.ChiefFinanceOfficer, Officer: karen,
				AuthorisedBy: []domain.MinuteRef{gyFullCouncil}}},
		{gnn, "designate-s151-nn", "2015-11-09T09:13:00Z", "2015-11-07", domain.Inferred, srcs(nnMinutes),
			domain.StatutoryRoleDesignated{Council: nn, Role: domain.ChiefFinanceOfficer, Officer: karen,
				AuthorisedBy: []domain.MinuteRef{nnCabinet}}},
		{gnn, "cost-share-chief-executive", "2015-11-09T09:20:00Z", "2015-11-07", domain.Inferred, srcs(gyReport),
			domain.CostShareAgreed{Subject: "chief-executive", Basis: domain.ShareEqual, AppliesFrom: date("2015-11-07"),
				Shares: []domain.Share{{Council: gy, BasisPoints: 5000}, {Council: nn, BasisPoints: 5000}}}},
		{gnn, "cost-share-chief-finance-officer", "2015-11-09T09:21:00Z", "2015-11-07", domain.Inferred, srcs(gyReport),
			domain.CostShareAgreed{Subject: "chief-finance-officer", Basis: domain.ShareEqual, AppliesFrom: date("2015-11-07"),
				Shares: []domain.Share{{Council: gy, BasisPoints: 5000}, {Council: nn, BasisPoints: 5000}}}},
		// The December 2015 article says only that back-office roles such as HR "could be shared":
		// that is the proposal below (propose-hr), not a shared head of HR.
		{gnn, "savings-forecast-nn-2015", "2015-12-18T12:00:00Z", "2015-12-18", domain.Reported, srcs(seed000),
			domain.SavingsReported{Council: nn, FinancialYear: 2015, Category: "shared management",
				AmountPence: 4000000, Status: domain.SavingsForecast, PeriodTo: date("2016-03-31")}},
		{gnn, "savings-forecast-gy-2015", "2015-12-18T12:01:00Z", "2015-12-18", domain.Reported, srcs(seed000),
			domain.SavingsReported{Council: gy, FinancialYear: 2015, Category: "shared management",
				AmountPence: 4000000, Status: domain.SavingsForecast, PeriodTo: date("2016-03-31")}},
		{gnn, "propose-hr", "2015-12-18T12:02:00Z", "2015-12-18", domain.Reported, srcs(seed000),
			domain.ServiceSharingProposed{Service: "human resources", Candidates: []domain.CouncilRef{gy, nn},
				Notes: "a business case to be looked at: the article says back-office roles such as HR and finance could be shared"}},
		{gnn, "propose-finance", "2015-12-18T12:03:00Z", "2015-12-18", domain.Reported, srcs(seed000),
			domain.ServiceSharingProposed{Service: "finance", Candidates: []domain.CouncilRef{gy, nn},
				Notes: "a business case to be looked at: the article says back-office roles such as HR and finance could be shared"}},
		// The article expects meetings "at both authorities" around June 2016: the due date (30 June)
		// and the two bodies are the demo's assumption. The review stays reported (a fact citing
		// only a press report is reported: domain's certainty rule), and its terms of reference say
		// what is assumed; the event has no notes field.
		{gnn, "review-june-2016", "2015-12-18T12:04:00Z", "2015-12-18", domain.Reported, srcs(seed000),
			domain.ReviewScheduled{Review: "june-2016", DueOn: date("2016-06-30"),
				Bodies: []domain.BodyRef{{Council: gy, Body: "full council"}, {Council: nn, Body: "cabinet"}},
				TermsOfReference: "whether the interim shared management has worked and should go further; the article expects " +
					"meetings at both authorities around June 2016, so the due date and the two bodies are assumed for the demo"}},
		// Recorded after the fact: the proposal's trial end was entered as 31 March 2016 ("by March"
		// is when the savings fall due); the article gives the trial as lasting to around June 2016.
		{gnn, "correct-trial-end", "2015-12-19T09:00:00Z", "2015-12-19", domain.Reported, srcs(seed000),
			domain.EventCorrected{Target: EventID(gnn, "proposed"), Data: []byte(`{"trial_ends_on":"2016-06-30"}`),
				Reason:   "the trial runs to around June 2016, when both councils review it; 31 March 2016 was the savings date",
				Evidence: "the December 2015 article: the trial \u201cis to expected to last until sometime around June 2016\u201d"}},
		// The appointments were entered from the minutes; the article, published six weeks later, is the
		// one source the demo holds that reports them, so it is added to their sources when it appears.
		{gnn, "sources-sheila-oxtoby", "2015-12-19T09:01:00Z", "2015-12-19", domain.Reported, srcs(seed000),
			domain.EventCorrected{Target: EventID(gnn, "appoint-sheila-oxtoby"), Sources: srcs(gyMinutes, nnMinutes, seed000),
				Reason: "the December 2015 article reports that Sheila Oxtoby has worked for both councils since 7 November; " +
					"it gives neither her employer nor how her time is shared, so the appointment stays inferred: " +
					"North Norfolk as employer and the even split of time (50%/50%) are assumed for the demo",
				Evidence: "the December 2015 article: \u201cThe trial process began with Mrs Oxtoby and chief finance officer, Karen Sly, working for both authorities on November 7.\u201d"}},
		{gnn, "sources-karen-sly", "2015-12-19T09:02:00Z", "2015-12-19", domain.Reported, srcs(seed000),
			domain.EventCorrected{Target: EventID(gnn, "appoint-karen-sly"), Sources: srcs(gyMinutes, nnMinutes, seed000),
				Reason: "the December 2015 article reports that Karen Sly has worked for both councils since 7 November; " +
					"it gives neither her employer nor how her time is shared, so the appointment stays inferred: " +
					"North Norfolk as employer and the even split of time (50%/50%) are assumed for the demo",
				Evidence: "the December 2015 article: \u201cThe trial process began with Mrs Oxtoby and chief finance officer, Karen Sly, working for both authorities on November 7.\u201d"}},

		// The ending, September 2016: inferred from the demo's brief, every source detail assumed
		// (assumedEnd). Which council decided what, and when, is the demo's assumption.
		{gnn, "nn-review-outcome", "2016-09-07T09:00:00Z", "2016-09-06", domain.Inferred, srcs(brief2016),
			domain.ReviewOutcomeRecorded{Review: "june-2016", Council: nn, Outcome: domain.ReviewTerminate,
				Rationale: "North Norfolk ends the arrangement, " + assumedEnd}},
		{gnn, "gy-review-outcome", "2016-09-14T09:00:00Z", "2016-09-13", domain.Inferred, srcs(brief2016),
			domain.ReviewOutcomeRecorded{Review: "june-2016", Council: gy, Outcome: domain.ReviewMakePermanent,
				Rationale: "Great Yarmouth keeps the posts after the trial, " + assumedEnd}},
		// The officers serve North Norfolk to their last day, 30 September 2016, with its statutory
		// roles; from 1 October the roles are vacant and the appointments no longer serve it (an end
		// date is the last day in force: docs/domain.md, rules 4 and 6). The roles are vacated before
		// the appointments that carry them end on the same day (an appointment's end ends the roles
		// it carries there, after which there is nothing to vacate).
		{gnn, "vacate-hops-nn", "2016-10-01T09:00:00Z", "2016-10-01", domain.Inferred, srcs(brief2016),
			domain.StatutoryRoleVacated{Council: nn, Role: domain.HeadOfPaidService, Officer: sheila, Reason: "the trial ended, " + assumedEnd}},
		{gnn, "vacate-s151-nn", "2016-10-01T09:01:00Z", "2016-10-01", domain.Inferred, srcs(brief2016),
			domain.StatutoryRoleVacated{Council: nn, Role: domain.ChiefFinanceOfficer, Officer: karen, Reason: "the trial ended, " + assumedEnd}},
		{gnn, "sheila-oxtoby-leaves-nn", "2016-10-01T09:02:00Z", "2016-10-01", domain.Inferred, srcs(brief2016),
			domain.AppointmentEnded{Officer: sheila, Post: "chief-executive", Councils: []domain.CouncilRef{nn},
				LastDay: date("2016-09-30"), Reason: "the trial ended, " + assumedEnd}},
		{gnn, "karen-sly-leaves-nn", "2016-10-01T09:03:00Z", "2016-10-01", domain.Inferred, srcs(brief2016),
			domain.AppointmentEnded{Officer: karen, Post: "chief-finance-officer", Councils: []domain.CouncilRef{nn},
				LastDay: date("2016-09-30"), Reason: "the trial ended, " + assumedEnd}},
		// The agreement ended in September 2016: the partnership is dissolved with effect from 1
		// October, the day after the officers' last day, and the dissolution ends what was still shared
		// (docs/domain.md, rule 1).
		{gnn, "dissolved", "2016-10-01T09:04:00Z", "2016-10-01", domain.Inferred, srcs(brief2016),
			domain.PartnershipDissolved{Reason: "the shared management ended, " + assumedEnd}},
	}
}

// Commands returns the demo's commands in append order, each with its fixed id and recorded_at.
// It panics only if the package's own data cannot be encoded, which its tests rule out.
func Commands() []domain.Command {
	es := entries()
	out := make([]domain.Command, len(es))
	for i, e := range es {
		data, err := domain.EncodePayload(e.payload)
		if err != nil {
			panic(err)
		}
		at, err := time.Parse(time.RFC3339, e.recordedAt)
		if err != nil {
			panic(err)
		}
		out[i] = domain.Command{Partnership: e.partnership, Type: e.payload.EventType(), EffectiveOn: e.effectiveOn,
			Sources: e.sources, Certainty: string(e.certainty), Data: data, ID: EventID(e.partnership, e.name),
			RecordedAt: at}
	}
	return out
}

// Seed records the demo through rec and returns how many events it appended: all of them into an
// empty store, none when the demo is already there (every id exists with the same content).
//
// Errors: any error of recording.Service.Record, wrapped with the event's name; a store holding
// other events under the demo's partnerships may refuse some commands (*domain.ValidationError).
func Seed(ctx context.Context, rec *recording.Service) (added int, err error) {
	for _, c := range Commands() {
		res, err := rec.Record(ctx, Actor, c, nil)
		if err != nil {
			return added, fmt.Errorf("demo: %s %s (%s): %w", c.Partnership, c.Type, c.ID, err)
		}
		if !res.Replayed {
			added += len(res.Events)
		}
	}
	return added, nil
}

// SeedStore is Seed through a new recording.Service over store. recorded_at comes from the demo's
// own dates, never from a clock.
func SeedStore(ctx context.Context, store eventstore.Store) (added int, err error) {
	return Seed(ctx, recording.New(store, nil))
}
