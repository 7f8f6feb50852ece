package reviewpack_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/reviewpack"
)

// testKey is a fixed signing key, so tree heads (and packs) are the same on every run.
func testKey() audit.Key { return audit.KeyFromSeed(make([]byte, 32)) }

// rawEvent is an event of the fixture before it is sealed.
type rawEvent struct {
	typ, eff, rec, certainty, sources, data string
}

const slug = "great-yarmouth-north-norfolk"

// fixtureEvents are a small Norfolk history, each payload as the domain records it; other streams'
// events sit between them, as in a real ledger, so the evidence has gaps in seq.
var fixtureEvents = []rawEvent{
	{"PartnershipProposed", "2015-10-15", "2015-10-16T09:00:00Z", "confirmed",
		`[{"kind":"minutes","title":"Great Yarmouth Full Council minutes","published":"2015-10-15","locator":"item 8","illustrative":true}]`,
		`{"name":"Great Yarmouth and North Norfolk shared management","purpose":"share a chief executive and a chief finance officer","partners":[{"council":"great-yarmouth","name":"Great Yarmouth Borough Council","kind":"borough"},{"council":"north-norfolk","name":"North Norfolk District Council","kind":"district"}],"trial_ends_on":"2016-06-30"}`},
	{"JointAppointmentMade", "2015-11-07", "2015-11-08T09:30:00Z", "confirmed",
		`[{"kind":"minutes","title":"Great Yarmouth Full Council minutes","published":"2015-10-15","locator":"item 8","illustrative":true}]`,
		`{"officer":{"name":"Sheila Oxtoby"},"post":"chief-executive","statutory_role":"head_of_paid_service","employing_council":"north-norfolk","councils":[{"council":"great-yarmouth","time_share_basis_points":5000},{"council":"north-norfolk","time_share_basis_points":5000}],"basis":"interim","starts_on":"2015-11-07","approvals":[{"council":"great-yarmouth","body":"full council","meeting":"2015-10-15","item":"8","raw":"Full Council 15 October 2015, item 8"}]}`},
	{"JointAppointmentMade", "2015-11-07", "2015-11-08T09:31:00Z", "confirmed",
		`[{"kind":"minutes","title":"Great Yarmouth Full Council minutes","published":"2015-10-15","locator":"item 8","illustrative":true}]`,
		`{"officer":{"name":"Karen Sly"},"post":"chief-finance-officer","statutory_role":"chief_finance_officer","employing_council":"north-norfolk","councils":[{"council":"great-yarmouth","time_share_basis_points":5000},{"council":"north-norfolk","time_share_basis_points":5000}],"basis":"interim","starts_on":"2015-11-07","approvals":[{"council":"great-yarmouth","body":"full council","meeting":"2015-10-15","item":"8","raw":"Full Council 15 October 2015, item 8"}]}`},
	{"SavingsReported", "2015-12-18", "2015-12-18T12:00:00Z", "reported",
		`[{"kind":"press","title":"Councils' shared chief executive: £40,000 saving each","published":"2015-12-18"}]`,
		`{"council":"north-norfolk","financial_year":2015,"category":"shared management","amount_pence":4000000,"status":"forecast","period_to":"2016-03-31"}`},
	{"SavingsReported", "2015-12-18", "2015-12-18T12:01:00Z", "reported",
		`[{"kind":"press","title":"Councils' shared chief executive: £40,000 saving each","published":"2015-12-18"}]`,
		`{"council":"great-yarmouth","financial_year":2015,"category":"shared management","amount_pence":4000000,"status":"forecast","period_to":"2016-03-31"}`},
	{"ReviewScheduled", "2016-06-01", "2016-01-10T10:00:00Z", "reported",
		`[{"kind":"press","title":"Councils' shared chief executive: £40,000 saving each","published":"2015-12-18"}]`,
		`{"review":"june-2016","due_on":"2016-06-30","bodies":[{"council":"great-yarmouth","body":"full council"},{"council":"north-norfolk","body":"cabinet"}],"terms_of_reference":"whether the partnership has worked and should go further"}`},
	// Recorded after the pack's as-of date: the pack flags it.
	{"EventCorrected", "2015-12-18", "2016-07-02T09:00:00Z", "confirmed",
		`[{"kind":"report","title":"North Norfolk outturn report 2015/16","published":"2016-07-01"}]`,
		`{"target":"acf4d421-0165-58c6-84be-ca115b0703d8","data":{"amount_pence":3500000},"sources":[{"kind":"report","title":"North Norfolk outturn report 2015/16","published":"2016-07-01"}],"reason":"the council's own report gives the forecast"}`},
}

// fixtureEvidence seals the fixture into a ledger with another stream interleaved, builds the tree,
// and returns the evidence for the partnership as known at everything.
func fixtureEvidence(t testing.TB, cover reviewpack.CoverOptions) *reviewpack.Evidence {
	t.Helper()
	return evidenceOf(t, fixtureEvents, cover)
}

// manyEvents returns the fixture followed by n more events, a mix of decisions and savings reports
// over the years, with a token event between every partnership event: a large partnership for
// benchmarks.
func manyEvents(n int) []rawEvent {
	out := append([]rawEvent{}, fixtureEvents...)
	councils := []string{"great-yarmouth", "north-norfolk"}
	for i := 0; len(out) < n; i++ {
		day := time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i/4)
		eff, rec := day.Format(time.DateOnly), day.Add(36*time.Hour).Format(time.RFC3339)
		fy := day.Year()
		if day.Month() < time.April {
			fy--
		}
		c := councils[i%2]
		if i%3 == 0 {
			out = append(out, rawEvent{"DecisionTaken", eff, rec, "confirmed",
				fmt.Sprintf(`[{"kind":"minutes","title":"Cabinet minutes","published":%q,"locator":"item %d","url":"https://example.org/minutes/%d"}]`, eff, i%40+1, i),
				fmt.Sprintf(`{"minute":{"council":%q,"body":"cabinet","meeting":%q,"item":"%d","raw":"Cabinet %s, minute %d"},"resolution":"To note the report on shared services, item %d","outcome":"approved","key_decision":false,"call_in_applies":true}`, c, eff, i%40+1, eff, i, i)})
			continue
		}
		out = append(out, rawEvent{"SavingsReported", eff, rec, "reported",
			fmt.Sprintf(`[{"kind":"press","title":"Savings update %d","published":%q}]`, i, eff),
			fmt.Sprintf(`{"council":%q,"financial_year":%d,"category":"shared management","amount_pence":%d,"status":"forecast","period_to":"%d-03-31"}`, c, fy, 4000000+int64(i%7)*10000, fy+1)})
	}
	return out
}

// evidenceOf seals events into a ledger (with another stream's event after each) and returns the
// partnership's evidence under the signed tree head of the whole log.
func evidenceOf(t testing.TB, events []rawEvent, cover reviewpack.CoverOptions) *reviewpack.Evidence {
	t.Helper()
	all := sealAll(t, events)
	tree := audit.NewTree(len(all))
	var mine []eventstore.Event
	for _, e := range all {
		tree.Append(e.Hash)
		if e.Stream == "partnership-"+slug {
			mine = append(mine, e)
		}
	}
	size := tree.Size()
	root, err := tree.Root(size)
	require.NoError(t, err)
	th := testKey().Sign(size, root, all[size-1].RecordedAt)
	ev := &reviewpack.Evidence{Partnership: slug, AsOf: "2016-06-30", KnownAt: "all", Cover: cover, TreeHead: th}
	for _, e := range mine {
		path, err := tree.InclusionProof(e.Seq-1, size)
		require.NoError(t, err)
		ev.Events = append(ev.Events, reviewpack.CitedEvent{Event: e, LeafIndex: e.Seq - 1, AuditPath: path})
	}
	return ev
}

// fixturePack composes the fixture's pack.
func fixturePack(t testing.TB) *reviewpack.Pack {
	t.Helper()
	ev := fixtureEvidence(t, reviewpack.CoverOptions{Committee: "Scrutiny Committee", Meetings: []string{"Scrutiny Committee=2016-06-30"}, Author: "Head of Policy"})
	r, err := reviewpack.Compose(context.Background(), ev)
	require.NoError(t, err)
	return &reviewpack.Pack{Report: r, Evidence: ev}
}

// handReport is a full report built by hand, as the projections will give it for the demo: it
// exercises every table, the chart and every kind of flag.
func handReport() *reviewpack.Report {
	refs := func(s ...uint64) []uint64 { return s }
	return &reviewpack.Report{
		Partnership: slug,
		Name:        "Great Yarmouth and North Norfolk shared management",
		AsOf:        "2016-06-30",
		KnownAt:     reviewpack.KnownAtLine{Requested: "2016-06-01", Seq: 42, Time: "2016-05-31T10:00:00Z"},
		Cover: reviewpack.Cover{
			Title: "Review of Great Yarmouth and North Norfolk shared management", Committee: "Scrutiny Committee",
			Author: "Head of Policy and Performance",
			Meetings: []reviewpack.MeetingRow{
				{Label: "Prepared for", Body: "Scrutiny Committee", Date: "2016-06-30", Meeting: "meeting on 30 June 2016 (date given for this pack)"},
				{Label: "Considered by", Body: "Full council of Great Yarmouth Borough Council", Meeting: "meeting date not recorded"},
				{Label: "Considered by", Body: "Cabinet of North Norfolk District Council", Date: "2016-06-28", Meeting: "the ledger records it deciding the review's outcome at its meeting on 28 June 2016 (Cabinet 28 June 2016, minute 12)", Refs: refs(40)},
			},
			Purpose: "To give the committee the facts it needs to review the partnership.",
			Subject: "The shared management partnership", Status: "active since 7 November 2015",
			ReviewDue: "2016-06-30", Bodies: "Great Yarmouth Full Council and North Norfolk Cabinet",
			Reference:   "Ledger tree head 0123456789ab… (size 42)",
			Disclaimers: "Please note: two facts rest only on press reports.",
		},
		Summary: []string{
			"Great Yarmouth and North Norfolk shared management is a partnership between Great Yarmouth Borough Council and North Norfolk District Council.",
			"Two officers are shared between the councils: Sheila Oxtoby as chief executive and Karen Sly as chief finance officer, both interim since 7 November 2015.",
			"About £40,000 is expected to be saved at each council by March 2016.",
		},
		Recommendation: "That the committee considers the facts and recommends an option.",
		Options: []reviewpack.Option{
			{Key: "continue", Heading: "Option 1: continue the arrangement as it is", Facts: []reviewpack.Fact{{Text: "The trial runs to 30 June 2016.", Refs: refs(3)}}},
			{Key: "make_permanent", Heading: "Option 2: make the arrangement permanent", Facts: []reviewpack.Fact{{Text: "Sheila Oxtoby's appointment is interim.", Refs: refs(7)}}},
			{Key: "vary", Heading: "Option 3: vary the arrangement"},
			{Key: "end", Heading: "Option 4: end the arrangement", Facts: []reviewpack.Fact{{Text: "North Norfolk, 2015/16: net saving £30,000 is £10,000 below the target of £40,000.", Refs: refs(12, 14)}}},
		},
		Chronology: []reviewpack.ChronRow{
			{Seq: 3, Date: "2015-10-15", Type: "DecisionTaken", What: "Great Yarmouth Full Council approved sharing the chief executive and chief finance officer.", Certainty: "confirmed",
				Minutes: []string{"Minute: Full Council 15 October 2015, item 8"}, Sources: []string{"Minutes: Full Council, 2015-10-15, item 8 (illustrative)"}, Illustrative: true},
			{Seq: 7, Date: "2015-11-07", Type: "JointAppointmentMade", What: "Sheila Oxtoby appointed joint chief executive | head of paid service.", Certainty: "confirmed",
				Sources: []string{"Press: Shared chief executive, 2015-12-18 <https://example.org/a>"}},
			{Seq: 8, Date: "2015-11-07", Type: "JointAppointmentMade", What: "Karen Sly appointed joint chief finance officer (s151).", Certainty: "confirmed", Corrected: true,
				Sources: []string{"Press: Shared chief executive, 2015-12-18"}},
		},
		Partners: []reviewpack.PartnerRow{
			{Council: "Great Yarmouth Borough Council", Kind: "borough", Since: "2015-10-15", Refs: refs(1)},
			{Council: "North Norfolk District Council", Kind: "district", Since: "2015-10-15", Notice: "given 2016-09-20, leaving 2016-12-31", Refs: refs(1, 40)},
		},
		Appointments: []reviewpack.Appointment{
			{Officer: "Sheila Oxtoby", Post: "Chief executive", Employer: "North Norfolk District Council", Councils: "Great Yarmouth 50%, North Norfolk 50%",
				Basis: "interim", Since: "2015-11-07", Approvals: []string{"Full Council 15 October 2015, item 8"}, CostShare: "50/50", Refs: refs(7)},
			{Officer: "Karen Sly", Post: "Chief finance officer", Employer: "North Norfolk District Council", Councils: "Great Yarmouth 50%, North Norfolk 50%",
				Basis: "interim", Since: "2015-11-07", Refs: refs(8)},
		},
		Roles: []reviewpack.RoleRow{
			{Council: "Great Yarmouth Borough Council", Role: "Head of paid service", Officer: "Sheila Oxtoby", Since: "2015-11-07", Refs: refs(7)},
			{Council: "Great Yarmouth Borough Council", Role: "Chief finance officer (s151)", Officer: "Karen Sly", Since: "2015-11-07", Refs: refs(8)},
		},
		Services: []reviewpack.ServiceRow{
			{Service: "Human resources", Status: "shared", Detail: "led by North Norfolk District Council for Great Yarmouth Borough Council", Since: "2015-11-07", Refs: refs(9)},
			{Service: "Finance", Status: "proposed", Detail: "proposed for Great Yarmouth and North Norfolk", Since: "2015-12-18", Refs: refs(10)},
		},
		Finance: reviewpack.Finance{
			Rows: []reviewpack.FinanceRow{
				{Year: "2015/16", Council: "Great Yarmouth Borough Council", Target: "£40,000", Forecast: "£40,000", Outturn: "–", OneOff: "£0", Net: "£40,000", AgainstTarget: "£0", Refs: refs(11, 13)},
				{Year: "2015/16", Council: "North Norfolk District Council", Target: "£40,000", Forecast: "£40,000", Outturn: "£30,000", OneOff: "£0", Net: "£30,000", AgainstTarget: "-£10,000", BelowTarget: true, Refs: refs(12, 14)},
			},
			Totals:     []reviewpack.FinanceRow{{Year: "2015/16", Council: "All councils", Target: "£80,000", Forecast: "£80,000", Outturn: "£30,000", OneOff: "£0", Net: "£70,000", AgainstTarget: "-£10,000", BelowTarget: true}},
			CostShares: []reviewpack.CostShareRow{{Subject: "Chief executive (Sheila Oxtoby)", Basis: "equal", Shares: "Great Yarmouth Borough Council 50%, North Norfolk District Council 50%", AppliesFrom: "2015-11-07", Refs: refs(15)}},
			Funding:    []reviewpack.FundingRow{{Funder: "Improvement East", Recipients: "North Norfolk, King's Lynn and West Norfolk and Great Yarmouth", Amount: "£50,000", Purpose: "study sharing revenues and benefits", Refs: refs(2)}},
			Chart: reviewpack.Chart{Title: "Savings by financial year, all councils", Categories: []string{"2015/16", "2016/17"},
				Series: []reviewpack.ChartSeries{{Name: "Target", Values: points(8000000, 8000000)}, {Name: "Forecast", Values: points(8000000, 6000000)},
					{Name: "Outturn", Values: points(3000000, absent)}, {Name: "Net of one-off costs", Values: points(7000000, 6000000)}}},
			Notes: []string{"Financial years run from 1 April to 31 March."},
		},
		Flags: []reviewpack.Flag{
			{Kind: reviewpack.FlagBelowTarget, Text: "North Norfolk, 2015/16: net saving £30,000 is £10,000 below the target of £40,000.", Refs: refs(12, 14)},
			{Kind: reviewpack.FlagPressOnly, Text: "The savings forecast rests on press reports only.", Refs: refs(11)},
			{Kind: reviewpack.FlagIllustrative, Text: "The minute number of the 15 October 2015 decision is illustrative.", Refs: refs(3)},
			{Kind: reviewpack.FlagLateCorrect, Text: "On 2 July 2016, after the as-of date, the ledger corrected event 8.", Refs: refs(8, 41)},
		},
		Risks: []reviewpack.Finding{
			{Kind: reviewpack.RiskOneOfficerTwoRoles, Text: "Sheila Oxtoby is head of paid service at both councils.", Why: "Her absence leaves both without one.", Refs: refs(7)},
		},
		Gaps: []reviewpack.Finding{
			{Kind: reviewpack.GapNoS113Agreement, Text: "No section 113 agreement is recorded.", Why: "The terms cannot be checked.", Refs: refs(7, 8)},
		},
		Register: []reviewpack.RegisterRow{
			{Seq: 3, ID: "01890a5d-ac96-774b-bcce-b302099a8057", Type: "DecisionTaken", EffectiveOn: "2015-10-15", RecordedAt: "2015-10-16 09:00", Certainty: "confirmed", Hash: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"},
			{Seq: 7, ID: "01890a5d-ac96-774b-bcce-b302099a8058", Type: "JointAppointmentMade", EffectiveOn: "2015-11-07", RecordedAt: "2015-11-08 09:30", Certainty: "confirmed", Hash: "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752"},
		},
		TreeHead: reviewpack.TreeHeadLine{Size: 42, Root: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", Timestamp: "2016-05-31T10:00:00Z",
			KeyID: "00112233aabbccdd", Signature: "c2lnbmF0dXJlIGJ5dGVzIGZvciB0aGUgdGVzdCBvbmx5IChub3QgcmVhbCk="},
		HowToVerify: []string{"Run “ledger verify-pack DIR --key PUBKEY”."},
		Glossary:    []reviewpack.GlossaryItem{{Term: "Section 113", Meaning: "Section 113 of the Local Government Act 1972."}},
	}
}

// sealAll seals the events into one ledger, each partnership event followed by an event of another
// stream (as a real ledger interleaves streams), and returns the whole log in seq order.
func sealAll(t testing.TB, events []rawEvent) []eventstore.Event {
	t.Helper()
	var all []eventstore.Event
	prev := map[string]eventstore.Hash{}
	rev := map[string]uint64{}
	add := func(stream string, r rawEvent, n int) eventstore.Event {
		rec, err := time.Parse(time.RFC3339, r.rec)
		require.NoError(t, err)
		e, err := eventstore.Prepare(eventstore.Event{
			ID: uuid.NewSHA1(uuid.NameSpaceURL, fmt.Appendf(nil, "%s/%d", stream, n)), Stream: stream, Type: r.typ,
			EffectiveOn: r.eff, RecordedAt: rec, RecordedBy: "seed:test", Certainty: r.certainty,
			Sources: json.RawMessage(r.sources), Data: json.RawMessage(r.data),
		})
		require.NoError(t, err)
		e.Seq = uint64(len(all) + 1)
		e.Revision = rev[stream]
		rev[stream]++
		e = eventstore.Seal(e, prev[stream])
		prev[stream] = e.Hash
		all = append(all, e)
		return e
	}
	for i, r := range events {
		add("partnership-"+slug, r, i)
		add("ledger-tokens", rawEvent{"TokenIssued", r.eff, r.rec, "confirmed", `[]`, `{"role":"reader"}`}, i)
	}
	return all
}

// absent is a chart point with nothing recorded, for points.
const absent = math.MinInt64

// points is a chart series' values in pence, absent for a point not recorded (null, no bar).
func points(vs ...int64) []*domain.Pence {
	out := make([]*domain.Pence, len(vs))
	for i, v := range vs {
		if v != absent {
			p := domain.Pence(v)
			out[i] = &p
		}
	}
	return out
}
