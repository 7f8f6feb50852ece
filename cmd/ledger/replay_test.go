package main

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/projections"
)

var updateReplay = flag.Bool("update-replay", false, "rewrite cmd/ledger/testdata/replay-*.txt")

// replayJSON runs ledger replay --json with args on store and decodes the report.
func replayJSON(t *testing.T, store string, args ...string) replayReport {
	t.Helper()
	r := ledger(t, nil, append([]string{"replay", "--store", store, "--partnership", gnn, "--json"}, args...)...)
	require.Equal(t, 0, r.code, r.stderr)
	var rep replayReport
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &rep))
	return rep
}

// step returns the step of seq in rep.
func step(t *testing.T, rep replayReport, seq uint64) replayStep {
	t.Helper()
	i := slices.IndexFunc(rep.Steps, func(s replayStep) bool { return s.Seq == seq })
	require.GreaterOrEqual(t, i, 0, "seq %d is in the replay", seq)
	return rep.Steps[i]
}

func kinds(fs []replayFact) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Kind
	}
	return out
}

// The demo's replay, as reviewers read it, is checked in: go test ./cmd/ledger -run TestReplayGolden
// -update-replay rewrites it.
func TestReplayGolden(t *testing.T) {
	store := seeded(t)
	r := ledger(t, nil, "replay", "--store", store, "--partnership", gnn, "--as-of", "2016-12-31")
	require.Equal(t, 0, r.code, r.stderr)
	path := filepath.Join("testdata", "replay-great-yarmouth-north-norfolk.txt")
	if *updateReplay {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, []byte(r.stdout), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./cmd/ledger -run TestReplayGolden -update-replay to create it")
	assert.Equal(t, string(want), r.stdout, "the replay changed: review the diff, then -update-replay")
}

// Every event of the demo shows its effect, from the one fold: a cost share is a cost share (not an
// appointment removed and added again), designations, vacations, the business case and the decisions
// show theirs, and the correction says what it corrected, field by field.
func TestReplayEveryEventShowsItsEffect(t *testing.T) {
	store := seeded(t)
	rep := replayJSON(t, store, "--as-of", "2016-12-31")
	assert.Equal(t, "effective", rep.Order)
	assert.Equal(t, "2016-12-31", rep.AsOf.String())
	require.Len(t, rep.Steps, 26, "every event of the partnership")
	for _, st := range rep.Steps {
		assert.NotEmpty(t, st.Words, "#%d %s says what it did", st.Seq, st.Type)
		assert.False(t, st.Made == nil || st.Changed == nil || st.Ended == nil, "#%d: lists, never null", st.Seq)
		if st.Type != "EventCorrected" {
			assert.True(t, st.Folded, "#%d folded", st.Seq)
			if st.Type != "StatutoryRoleDesignated" { // the demo's designations confirm the appointments' roles
				assert.NotZero(t, len(st.Made)+len(st.Changed)+len(st.Ended), "#%d %s changed the state", st.Seq, st.Type)
			}
		}
		if st.Corrects != nil && !slices.ContainsFunc(st.Corrects.Fields, func(f string) bool { return f != "sources" && f != "certainty" }) {
			continue // a correction of provenance alone changes no fact: it says so
		}
		for _, w := range st.Words {
			assert.NotContains(t, w, "no change", "#%d", st.Seq)
		}
	}

	cost := step(t, rep, 14)
	assert.Equal(t, "CostShareAgreed", cost.Type)
	assert.Equal(t, []string{"cost_share"}, kinds(cost.Made), "a cost share makes a cost share true")
	assert.Empty(t, cost.Changed)
	assert.Empty(t, cost.Ended, "no appointment ends")
	assert.Equal(t, []string{"makes true: cost share of chief executive: basis equal; shares Great Yarmouth Borough Council 50% and North Norfolk District Council 50%; applies from 7 November 2015; reset each financial year no"}, cost.Words)

	// The appointment's statutory_role makes the role true at both councils (one record of who holds
	// it); the council's designation that follows confirms it.
	appointed := step(t, rep, 9)
	assert.Equal(t, []string{"appointment", "statutory_role", "statutory_role"}, kinds(appointed.Made))
	designated := step(t, rep, 12)
	assert.Empty(t, designated.Made)
	assert.Contains(t, designated.Words[0], "statutory role chief finance officer (s151) at Great Yarmouth Borough Council")

	vacated := step(t, rep, 27)
	assert.Equal(t, []string{"statutory_role"}, kinds(vacated.Ended))
	assert.Contains(t, vacated.Words, "ends statutory role chief finance officer (s151) at North Norfolk District Council")

	sources := step(t, rep, 22)
	require.NotNil(t, sources.Corrects)
	assert.Equal(t, []string{"sources"}, sources.Corrects.Fields, "the article added to the appointment's sources; it stays inferred (fixdemo)")

	decision := step(t, rep, 6)
	assert.Equal(t, []string{"decision"}, kinds(decision.Made))
	assert.Contains(t, decision.Words[0], "records the decision Full Council 15 October 2015, item 8 (every detail assumed): body full council; council Great Yarmouth Borough Council")

	ended := step(t, rep, 28) // after the vacations of the same day
	require.Len(t, ended.Changed, 1)
	assert.Equal(t, "appointment of Sheila Oxtoby as chief executive", ended.Changed[0].Label)
	assert.Equal(t, "councils", ended.Changed[0].Changes[0].Name)
	assert.Equal(t, "Great Yarmouth Borough Council 50%", ended.Changed[0].Changes[0].AfterWords)

	// The correction follows its target; the target is folded as corrected and says so.
	proposed := step(t, rep, 5)
	assert.Equal(t, []uint64{21}, proposed.CorrectedBy)
	assert.Contains(t, proposed.Words, "makes true: trial period: to 30 June 2016", "the trial starts with the first thing shared")
	assert.Contains(t, step(t, rep, 8).Words, "changes trial period: from (not recorded) → 7 November 2015", "the first joint appointment starts the trial")
	assert.Equal(t, uint64(21), rep.Steps[1].Seq, "the correction right after the event it corrects")
	corr := rep.Steps[1]
	require.NotNil(t, corr.Corrects)
	assert.Equal(t, uint64(5), corr.Corrects.Event)
	assert.Equal(t, []string{"trial_ends_on"}, corr.Corrects.Fields)
	require.Len(t, corr.Changed, 1)
	assert.Equal(t, replayFieldChange{Name: "to", Before: "2016-03-31", After: "2016-06-30", BeforeWords: "31 March 2016", AfterWords: "30 June 2016"},
		corr.Changed[0].Changes[0])
	assert.Equal(t, "changes trial period: to 31 March 2016 → 30 June 2016", corr.Words[1])
	assert.True(t, strings.HasPrefix(corr.Words[0], "corrects event #5 (PartnershipProposed of 7 October 2015): trial ends on; reason: "), corr.Words[0])
}

// --type filters what is shown; the state still folds every event (the vacation ends a designation
// made by an event not shown).
func TestReplayTypeFilters(t *testing.T) {
	store := seeded(t)
	for _, args := range [][]string{
		{"--type", "StatutoryRoleVacated,CostShareAgreed"},
		{"--type", "StatutoryRoleVacated", "--type", "CostShareAgreed"},
	} {
		rep := replayJSON(t, store, args...)
		var seqs []uint64
		for _, st := range rep.Steps {
			seqs = append(seqs, st.Seq)
		}
		assert.Equal(t, []uint64{14, 15, 26, 27}, seqs, "%v", args)
		assert.Equal(t, 22, rep.Omitted)
		assert.Equal(t, []string{"StatutoryRoleVacated", "CostShareAgreed"}, rep.Types)
		assert.Equal(t, []string{"statutory_role"}, kinds(step(t, rep, 26).Ended), "the designation was folded though not shown")
	}
	ended := replayJSON(t, store, "--type", "AppointmentEnded")
	require.Len(t, ended.Steps, 2)
	assert.Equal(t, "appointment of Sheila Oxtoby as chief executive", ended.Steps[0].Changed[0].Label,
		"the label of a fact made by an event not shown")
	text := ledger(t, nil, "replay", "--store", store, "--partnership", gnn, "--type", "DecisionTaken")
	require.Equal(t, 0, text.code, text.stderr)
	assert.Contains(t, text.stdout, "showing DecisionTaken (24 other events folded, not shown)")
	assert.Equal(t, 2, strings.Count(text.stdout, "records the decision"))
}

// --known-at is the recording axis: a later recording (the correction, seq 21) is neither shown nor
// applied.
func TestReplayKnownAtHidesLaterRecordings(t *testing.T) {
	store := seeded(t)
	for _, k := range []string{"20", "2015-12-18"} {
		rep := replayJSON(t, store, "--known-at", k, "--as-of", "2016-12-31")
		assert.Equal(t, k, rep.KnownAt)
		require.Len(t, rep.Steps, 16, "known at %s: seqs 5 to 20", k)
		for _, st := range rep.Steps {
			assert.LessOrEqual(t, st.Seq, uint64(20))
		}
		proposed := step(t, rep, 5)
		assert.Empty(t, proposed.CorrectedBy)
		assert.Contains(t, proposed.Words, "makes true: trial period: to 31 March 2016", "as recorded, not yet corrected")
	}
}

// --until is a point on the walk (the effective axis): a date stops after the events effective on or
// before it, a seq after that event. Nothing after it is folded.
func TestReplayUntilIsOnTheEffectiveAxis(t *testing.T) {
	store := seeded(t)
	rep := replayJSON(t, store, "--until", "2015-11-07")
	var seqs []uint64
	for _, st := range rep.Steps {
		seqs = append(seqs, st.Seq)
		if st.Corrects == nil {
			assert.False(t, st.EffectiveOn.String() > "2015-11-07", "#%d effective %s", st.Seq, st.EffectiveOn)
		}
	}
	assert.Equal(t, []uint64{5, 21, 6, 7, 8, 22, 9, 23, 10, 11, 12, 13, 14, 15}, seqs,
		"effective order; the corrections (recorded 19 December 2015) go with their targets")
	assert.Equal(t, "2015-11-07", rep.Until)

	bySeq := replayJSON(t, store, "--until", "9")
	require.NotEmpty(t, bySeq.Steps)
	assert.Equal(t, uint64(9), bySeq.Steps[len(bySeq.Steps)-1].Seq)
	assert.Len(t, bySeq.Steps, 7)

	// --until between an event and its correction: the event is shown as corrected (at K), and its
	// line says the correction comes later, after --until (it said "as corrected by #21" and then
	// stopped before listing #21).
	cut := replayJSON(t, store, "--until", "5")
	require.Len(t, cut.Steps, 1)
	assert.Equal(t, []uint64{21}, cut.Steps[0].CorrectedBy)
	assert.Equal(t, []uint64{21}, cut.Steps[0].CorrectedAfterUntil)
	text := ledger(t, nil, "replay", "--store", store, "--partnership", gnn, "--until", "5")
	require.Equal(t, 0, text.code, text.stderr)
	assert.Contains(t, text.stdout, "as corrected later by #21, after --until)")
	assert.NotContains(t, text.stdout, "as corrected by #21")
	assert.Empty(t, replayJSON(t, store, "--until", "21").Steps[0].CorrectedAfterUntil, "#21 listed: no note")
}

// --as-of is the date the state is shown as of: events effective after it are listed, not folded.
func TestReplayAsOf(t *testing.T) {
	store := seeded(t)
	rep := replayJSON(t, store, "--as-of", "2016-09-10")
	require.Len(t, rep.Steps, 26)
	for _, st := range rep.Steps {
		after := st.EffectiveOn.String() > "2016-09-10"
		assert.Equal(t, after, st.AfterAsOf, "#%d", st.Seq)
		if after {
			assert.False(t, st.Folded)
			assert.Empty(t, st.Made)
			assert.Empty(t, st.Changed)
			assert.Empty(t, st.Ended)
		}
	}
	dissolved := step(t, rep, 30)
	assert.Equal(t, []string{"takes effect on 1 October 2016, after the as-of date (10 September 2016): not folded"}, dissolved.Words)

	// The correction's effect is on the state as of the as-of date: before the trial, none.
	early := replayJSON(t, store, "--as-of", "2015-10-01")
	corr := step(t, early, 21)
	assert.Empty(t, corr.Changed)
	assert.Contains(t, corr.Words, "no change to the state as of 1 October 2015")
}

// A retraction ends what the retracted event made true; the retracted event shows that it was.
func TestReplayRetraction(t *testing.T) {
	store := seeded(t)
	r := ledger(t, nil, "record", "--store", store, "--partnership", gnn, "--type", "EventRetracted", "--effective", "2016-03-01",
		"--data", `{"target":"f6caa24b-1650-56e4-b793-91465c8d3137","reason":"entered_in_error","notes":"finance was not proposed"}`,
		"--source", pressSource, "--certainty", "reported")
	require.Equal(t, 0, r.code, r.stderr)
	// As of a date before the dissolution, which ends every proposal still standing.
	rep := replayJSON(t, store, "--as-of", "2016-06-30")
	finance := step(t, rep, 19)
	assert.False(t, finance.Folded)
	assert.Equal(t, uint64(31), finance.RetractedBy)
	assert.Equal(t, []string{"retracted by event #31: not folded, no effect"}, finance.Words)
	ret := step(t, rep, 31)
	require.NotNil(t, ret.Retracts)
	assert.Equal(t, uint64(19), ret.Retracts.Event)
	assert.Equal(t, []string{"service"}, kinds(ret.Ended))
	assert.Equal(t, "retracts event #19 (ServiceSharingProposed of 18 December 2015): entered in error (finance was not proposed)", ret.Words[0])
	assert.Contains(t, ret.Words[1], "ends service finance")
}

func TestReplayBadFlagsExitTwoWithOneLine(t *testing.T) {
	store := seeded(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--as-of", "2016-02-30"}, "--as-of"},
		{[]string{"--as-of", "soon"}, "--as-of"},
		{[]string{"--known-at", "soon"}, "--known-at"},
		{[]string{"--until", "soon"}, "--until"},
		{[]string{"--until", "2016-13-01"}, "--until"},
		{[]string{"--until", "999"}, "no event #999"},
		{[]string{"--type", "Frobnicated"}, "Frobnicated"},
		{[]string{"--type", "DecisionTaken,"}, `""`},
		{[]string{"stray"}, "unexpected argument"},
	} {
		r := ledger(t, nil, append([]string{"replay", "--store", store, "--partnership", gnn}, tc.args...)...)
		assert.Equal(t, 2, r.code, "%v: %s", tc.args, r.stderr)
		assert.Contains(t, r.stderr, tc.want, "%v", tc.args)
		assert.Equal(t, 1, strings.Count(strings.TrimRight(r.stderr, "\n"), "\n")+1, "%v: one line: %q", tc.args, r.stderr)
		assert.Empty(t, r.stdout, "%v", tc.args)
	}
	// Nothing of the partnership recorded by --known-at: replay refuses it as 'ledger state' does
	// (it exited 0 with an empty walk while state exited 2).
	for _, k := range []string{"0", "1"} {
		none := ledger(t, nil, "replay", "--store", store, "--partnership", gnn, "--known-at", k)
		state := ledger(t, nil, "state", "--store", store, "--partnership", gnn, "--known-at", k)
		assert.Equal(t, 2, state.code, state.stderr)
		assert.Equal(t, state.code, none.code, "replay and state agree on --known-at %s: %s", k, none.stderr)
		assert.Contains(t, none.stderr, "nothing recorded for it by known_at "+k)
		assert.Empty(t, none.stdout)
	}
	unknown := ledger(t, nil, "replay", "--store", store, "--partnership", "no-such-partnership")
	assert.Equal(t, 2, unknown.code)
	assert.Contains(t, unknown.stderr, "no partnership")
	missing := ledger(t, nil, "replay", "--store", store)
	assert.Equal(t, 2, missing.code)
	assert.Contains(t, missing.stderr, "--partnership is required")
}

// Replay reads through the read interface: with --server it prints what it prints from the store.
func TestReplayWithServerMatchesTheStore(t *testing.T) {
	store := seeded(t)
	args := [][]string{
		{"replay", "--partnership", gnn, "--as-of", "2016-09-10", "--known-at", "21"},
		{"replay", "--partnership", gnn, "--type", "CostShareAgreed", "--until", "2016-01-01", "--json"},
	}
	s := startServe(t, store)
	var viaServer []result
	for _, a := range args {
		r := ledger(t, nil, append(slices.Clone(a), "--server", s.base)...)
		require.Equal(t, 0, r.code, r.stderr)
		viaServer = append(viaServer, r)
	}
	require.NoError(t, s.stop())
	for i, a := range args {
		local := ledger(t, nil, append(slices.Clone(a), "--store", store)...)
		require.Equal(t, 0, local.code, local.stderr)
		assert.Equal(t, local.stdout, viaServer[i].stdout, "%v", a)
	}
}

// The kinds of event the demo does not hold show their effect in words too, every list the fold gives
// as text (shares, roles, amounts, bodies, councils) written with the one formatters. The history is
// folded by the walk directly.
func TestReplayWordsOfEveryKind(t *testing.T) {
	gy, nn := domain.MustCouncil("great-yarmouth"), domain.MustCouncil("north-norfolk")
	staff := 12
	payloads := []domain.Payload{
		domain.PartnershipProposed{Name: "Shared services", Partners: []domain.Council{{Council: gy, Name: "Great Yarmouth"}, {Council: nn, Name: "North Norfolk"}}},
		domain.AgreementExecuted{Reference: "IAA-1", Kind: "inter_authority_agreement", Title: "Shared HR", Parties: []domain.CouncilRef{gy, nn},
			Signed: domain.MustDate("2016-01-04"), Commences: domain.MustDate("2016-02-01"), NoticeDays: 90},
		domain.AgreementVaried{Reference: "IAA-1", Variation: "notice shortened", NoticeDays: 60},
		domain.ServiceMovedToSharedDelivery{Service: "human resources", LeadCouncil: gy, ReceivingCouncils: []domain.CouncilRef{nn},
			From: domain.MustDate("2016-02-01"), StaffTransferred: &staff},
		domain.BusinessCasePublished{Document: "Case", ProjectedSavings: []domain.CouncilAmount{{Council: gy, FinancialYear: 2016, Category: "shared HR", AmountPence: 1234567}}},
		domain.OneOffCostIncurred{Council: nn, FinancialYear: 2016, Category: "redundancy", AmountPence: 500000},
		domain.JointAppointmentMade{Officer: domain.Officer{Name: "Jane Roe"}, Post: "head-of-hr", StatutoryRole: "", EmployingCouncil: gy,
			Councils: []domain.CouncilShare{{Council: gy, TimeShareBasisPoints: 6000}, {Council: nn, TimeShareBasisPoints: 4000}}, Basis: "permanent"},
		domain.AppointmentEnded{Officer: domain.Officer{Name: "jane  ROE"}, Post: "Head-Of-HR", Councils: []domain.CouncilRef{gy, nn}, Reason: "resignation"},
		domain.WithdrawalNoticeGiven{Council: nn, NoticeDays: 180, ProposedEnd: domain.MustDate("2016-12-31")},
		domain.CouncilWithdrew{Council: nn, Reason: "own arrangements"},
	}
	history := make([]domain.Recorded, len(payloads))
	for i, p := range payloads {
		history[i] = domain.Recorded{ID: uuid.New(), Seq: uint64(i + 1), Type: p.EventType(), EffectiveOn: domain.MustDate("2016-03-01").AddDays(i), Payload: p}
	}
	rep := buildWalk(history).replay(domain.MustDate("2017-01-01"), nil)
	require.Len(t, rep.Steps, len(payloads))
	words := func(seq int) string { return strings.Join(rep.Steps[seq-1].Words, "\n") }
	assert.Contains(t, words(2), "records the agreement IAA-1: kind inter authority agreement; title Shared HR; parties Great Yarmouth and North Norfolk; signed 4 January 2016; commences 1 February 2016; notice days 90")
	assert.Contains(t, words(3), "changes agreement IAA-1: notice days 90 → 60; variations (not recorded) → notice shortened")
	assert.Contains(t, words(4), "makes true: service human resources: status shared; since 1 February 2016; lead council Great Yarmouth; receiving councils North Norfolk; staff transferred 12")
	assert.Contains(t, words(2), "changes status: proposed → active; since 1 March 2016 → 2 March 2016")
	assert.Contains(t, words(5), "projected savings Great Yarmouth 2016/17 shared HR £12,345.67")
	assert.Contains(t, words(6), "makes true: one-off cost of North Norfolk for 2016/17 (redundancy): amount £5,000")
	assert.Contains(t, words(7), "councils Great Yarmouth 60% and North Norfolk 40%")
	assert.Equal(t, "ends appointment of Jane Roe as head of HR", words(8), "ended under a name differing in case and spacing")
	assert.Contains(t, words(9), "changes partner North Norfolk: notice given on (not recorded) → 9 March 2016; notice days (not recorded) → 180; proposed end (not recorded) → 31 December 2016")
	assert.Equal(t, "ends partner North Norfolk", words(10))
}

// The state replay's walk reaches is the state `ledger state` shows at the same as_of and known_at:
// the facts the folded steps made, changed and ended add up to its status, trial period, partners,
// appointments (with the councils they serve) and services.
func TestReplayEndsInTheStateLedgerStateShows(t *testing.T) {
	store := seeded(t)
	for _, q := range []struct{ asOf, knownAt string }{
		{"2015-11-07", ""}, {"2016-07-01", "2015-12-18"}, {"2016-09-10", ""}, {"2016-12-31", ""}, {"2016-12-31", "21"}, {"2015-10-10", "7"},
	} {
		args := []string{"--as-of", q.asOf}
		if q.knownAt != "" {
			args = append(args, "--known-at", q.knownAt)
		}
		rep := replayJSON(t, store, args...)
		facts := map[string]map[string]any{} // kind|key → field → value
		change := func(seq uint64, changed []replayChange, ended []replayFact) {
			for _, c := range changed {
				fields := facts[c.Kind+"|"+c.Key]
				require.NotNil(t, fields, "#%d changes %s|%s, which no step made", seq, c.Kind, c.Key)
				for _, x := range c.Changes {
					if x.After == nil {
						delete(fields, x.Name)
					} else {
						fields[x.Name] = x.After
					}
				}
			}
			for _, f := range ended {
				require.Contains(t, facts, f.Kind+"|"+f.Key, "#%d ends a fact no step made", seq)
				delete(facts, f.Kind+"|"+f.Key)
			}
		}
		for _, st := range rep.Steps {
			if !st.Folded {
				continue
			}
			change(st.Seq, st.LapseChanged, st.Lapsed) // before the event: the passage of time
			for _, f := range st.Made {
				fields := map[string]any{}
				for _, x := range f.Fields {
					fields[x.Name] = x.Value
				}
				facts[f.Kind+"|"+f.Key] = fields
			}
			change(st.Seq, st.Changed, st.Ended)
		}
		if rep.ByAsOf != nil {
			change(0, rep.ByAsOf.Changed, rep.ByAsOf.Ended)
		}
		var want, got []string
		r := ledger(t, nil, append([]string{"state", "--store", store, "--partnership", gnn, "--json"}, args...)...)
		require.Equal(t, 0, r.code, r.stderr)
		var st projections.State
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &st))
		want = append(want, "status "+st.Status.Value+" since "+st.Status.Since.String())
		if st.TrialPeriod != nil {
			want = append(want, "trial to "+st.TrialPeriod.To.String())
		}
		for _, p := range st.Partners {
			want = append(want, "partner "+p.Council)
		}
		for _, a := range st.Appointments {
			var cs []string
			for _, c := range a.Councils {
				cs = append(cs, c.Council)
			}
			want = append(want, "appointment "+a.Officer+" "+a.Post+" for "+strings.Join(cs, ","))
		}
		for _, s := range st.Services {
			want = append(want, "service "+s.Service+" "+s.Status)
		}
		for key, f := range facts {
			switch kind, _, _ := strings.Cut(key, "|"); kind {
			case "status":
				got = append(got, "status "+f["value"].(string)+" since "+f["since"].(string))
			case "trial_period":
				got = append(got, "trial to "+f["to"].(string))
			case "partner":
				got = append(got, "partner "+f["council"].(string))
			case "appointment":
				var cs []string
				for _, c := range f["councils"].([]any) {
					slug, _, _ := strings.Cut(c.(string), " ")
					cs = append(cs, slug)
				}
				post, _ := f["post"].(string)
				got = append(got, "appointment "+f["officer"].(string)+" "+post+" for "+strings.Join(cs, ","))
			case "service":
				got = append(got, "service "+f["service"].(string)+" "+f["status"].(string))
			}
		}
		if q.asOf == "2016-12-31" && q.knownAt == "" {
			// The dissolution of 1 October 2016 ended the sharing: the walk ends the partners and
			// appointments, as the state shows none.
			assert.Equal(t, []string{"status dissolved since 2016-10-01", "trial to 2016-06-30"}, want)
		} else {
			assert.GreaterOrEqual(t, len(want), 3, "a status and two partners at least")
		}
		assert.ElementsMatch(t, want, got, "as of %s known at %q", q.asOf, q.knownAt)
		if q.asOf == "2016-09-10" {
			assert.Contains(t, got, "appointment Sheila Oxtoby chief-executive for great-yarmouth,north-norfolk")
			assert.Contains(t, got, "trial to 2016-06-30", "as corrected")
		}
	}
}

// --until and --type never panic: a value is a seq, a date or an error, and every type accepted is
// one the domain knows.
func FuzzReplayFlags(f *testing.F) {
	for _, s := range []string{"", "14", "0", "00", "2016-06-01", "2016-02-30", "18446744073709551616", " 7 ", "soon",
		"DecisionTaken", "DecisionTaken,CostShareAgreed", ",", "EventCorrected, EventRetracted"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := parseReplayUntil(s)
		if err == nil && u.set {
			if u.date.IsZero() {
				n, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
				assert.NoError(t, err, "%q is a seq", s)
				assert.Equal(t, n, u.seq)
			} else {
				assert.Equal(t, strings.TrimSpace(s), u.date.String(), "%q is a date", s)
				assert.Zero(t, u.seq)
			}
		}
		if err == nil && !u.set {
			assert.Empty(t, strings.TrimSpace(s))
		}
		var types typeList
		if types.Set(s) == nil {
			for _, typ := range types {
				assert.Contains(t, domain.EventTypes(), typ)
			}
		}
	})
}

// An event of a type this build does not know (recorded by a newer build) is listed with no effect,
// as the read models count it; a stored event that does not decode is an error.
func TestReplayEventOfAnUnknownType(t *testing.T) {
	future := eventstore.Event{ID: uuid.New(), Seq: 2, Type: "PartnershipRenamed", Schema: 1, EffectiveOn: "2016-01-01",
		RecordedAt: time.Date(2016, 1, 2, 9, 0, 0, 0, time.UTC), Certainty: "reported", Data: []byte(`{"name":"New name"}`)}
	r, err := replayDecode(future)
	require.NoError(t, err)
	assert.Nil(t, r.Payload)
	assert.Equal(t, "2016-01-01", r.EffectiveOn.String())
	proposed := domain.Recorded{ID: uuid.New(), Seq: 1, Type: domain.TypePartnershipProposed, EffectiveOn: domain.MustDate("2015-10-07"),
		Payload: domain.PartnershipProposed{Name: "Shared", Partners: []domain.Council{{Council: domain.MustCouncil("great-yarmouth")}}}}
	rep := buildWalk([]domain.Recorded{proposed, r}).replay(domain.MustDate("2017-01-01"), nil)
	require.Len(t, rep.Steps, 2)
	assert.True(t, rep.Steps[1].Folded)
	assert.Equal(t, []string{"no change to the state: an event type this build does not know (counted, not read)"}, rep.Steps[1].Words)

	_, err = replayDecode(eventstore.Event{ID: uuid.New(), Seq: 3, Type: domain.TypeDecisionTaken, Schema: 1, EffectiveOn: "2016-01-01",
		Data: []byte(`{"minute":7}`)})
	assert.ErrorIs(t, err, domain.ErrMalformed)
}
