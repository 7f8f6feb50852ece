package projections_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/eventstore/memstore"
	"github.com/partnership-ledger/ledger/projections"
)

// The differential test (issue 19, point 4). Random valid histories (histgen_test.go) are fed, one event
// at a time, into one long-lived Models — the cached, incremental query path, asked while events arrive
// so that its caches are warm and hit — and its State, Timeline and List answers are compared
// (require.Equal on the typed views) with two oracles:
//
//   - from scratch: a brand-new Models fed only the events of the prefix, each point asked of it once
//     (now and then a Models rebuilt by Load from a store holding just the prefix);
//   - the domain's own fold (domainoracle_test.go): domain.EffectiveView of the partnership's events in
//     the prefix, then domain.Fold of those in effect on as_of, on the facts that map one to one.
//
// The points: after each event, the head (known_at all, asked twice: the second answer is cached),
// the head by seq, a prefix by recorded_at, and an older prefix; then every prefix (known_at = seq k)
// on a date, every as_of date with everything known, and every fourth date at some prefix. The as_of
// dates are every effective date and the days either side (so before the first event), every date in
// a payload (ends, notices, due dates), the far future and today.
//
// A failure names the seed and the shape of its history and prints the prefix. Replay one history with
//
//	go test ./projections -run 'TestDifferential$' -diff.seed=N -v
//
// (or DIFF_SEED=N), and run more histories with -diff.histories=N. FuzzDifferential takes the seed and
// shape from the fuzzer: go test ./projections -run '^$' -fuzz FuzzDifferential.

var (
	diffSeed      = flag.Uint64("diff.seed", 0, "replay the differential test's history of this seed only (also DIFF_SEED)")
	diffHistories = flag.Int("diff.histories", 0, "how many histories the differential test checks (default 150, 30 with -short)")
)

// diffShape is the shape of the history of a seed: sizes 5 to 60 events, one to three partnerships,
// officers and posts written in other case and spacing, councils joining again under other names.
func diffShape(seed uint64) genOptions {
	return genOptions{Events: 5 + int(seed*7919%56), Partnerships: 1 + int(seed%3), NameVariants: true, RenameOnJoin: true,
		OtherStreams: seed%4 == 0}
}

func TestDifferential(t *testing.T) {
	seeds := diffSeeds(t)
	var stats diffStats
	for _, seed := range seeds {
		h := generate(t, seed, diffShape(seed))
		stats.add(checkHistory(t, h))
	}
	t.Logf("%d histories, %d events, %d prefixes, %d as_of dates, %d (prefix, as_of) points, %d views compared with fresh models, %d with the domain's fold, %d with Decide",
		stats.histories, stats.events, stats.prefixes, stats.dates, stats.points, stats.comparisons, stats.domain, stats.agreement)
	require.Positive(t, stats.comparisons)
	require.Positive(t, stats.agreement)
}

// diffSeeds returns the seeds to run: the one asked for, or 1..N.
func diffSeeds(t *testing.T) []uint64 {
	if *diffSeed != 0 {
		return []uint64{*diffSeed}
	}
	if s := os.Getenv("DIFF_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		require.NoError(t, err, "DIFF_SEED")
		return []uint64{n}
	}
	n := 150
	if testing.Short() {
		n = 30
	}
	if *diffHistories > 0 {
		n = *diffHistories
	}
	out := make([]uint64, n)
	for i := range out {
		out[i] = uint64(i + 1)
	}
	return out
}

func FuzzDifferential(f *testing.F) {
	for _, s := range []uint64{1, 2, 3, 7, 42, 90} {
		f.Add(s, uint8(30), uint8(2), uint8(5))
	}
	f.Fuzz(func(t *testing.T, seed uint64, events, parts, flags uint8) {
		opts := diffShape(seed)
		opts.Events = 5 + int(events)%56
		opts.Partnerships = 1 + int(parts)%3
		opts.NameVariants, opts.OtherStreams, opts.RenameOnJoin = flags&1 != 0, flags&2 != 0, flags&4 != 0
		checkHistory(t, generate(t, seed, opts))
	})
}

// diffStats counts what a run checked.
type diffStats struct {
	histories, events, prefixes, dates, points, comparisons int
	domain                                                  int // views checked against the domain's fold
	agreement                                               int // views whose appointments and roles Decide was asked to end, vacate and give away
}

func (s *diffStats) add(o diffStats) {
	s.histories += o.histories
	s.events += o.events
	s.prefixes += o.prefixes
	s.dates += o.dates
	s.points += o.points
	s.comparisons += o.comparisons
	s.domain += o.domain
	s.agreement += o.agreement
}

// answers are everything the models say at one point in both times, for every partnership.
type answers struct {
	states    map[string]*projections.State
	timelines map[string]*projections.Timeline
	errs      map[string]string // slug → the State error, "" when none (Timeline must give the same)
	list      *projections.List
}

var diffNow = func() time.Time { return time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC) }

// ask puts every query to m at q. where describes the point for a failure message.
func ask(t testing.TB, m *projections.Models, slugs []string, q projections.Query, where func() string) answers {
	a, err := tryAsk(m, slugs, q)
	if err != nil {
		t.Fatalf("%s: %v", where(), err)
	}
	return a
}

// tryAsk is ask for any goroutine: it returns what is wrong rather than failing the test.
func tryAsk(m *projections.Models, slugs []string, q projections.Query) (answers, error) {
	a := answers{states: map[string]*projections.State{}, timelines: map[string]*projections.Timeline{}, errs: map[string]string{}}
	for _, slug := range slugs {
		st, err := m.State(slug, q)
		var tl *projections.Timeline
		terr := err
		if timelineAt(q) || err != nil {
			tl, terr = m.Timeline(slug, q)
		}
		if err != nil {
			if !errors.Is(err, projections.ErrUnknownPartnership) || terr == nil || !errors.Is(terr, projections.ErrUnknownPartnership) {
				return a, fmt.Errorf("%s: State error %v, Timeline error %v", slug, err, terr)
			}
			// The message may differ (a partnership recorded later is "nothing recorded for it by
			// known_at ..."); the kind may not.
			a.errs[slug] = "unknown partnership"
			continue
		}
		if terr != nil {
			return a, fmt.Errorf("%s: Timeline error %v where State answered", slug, terr)
		}
		a.states[slug], a.timelines[slug] = st, tl
	}
	if !listAt(q) {
		return a, nil
	}
	l, err := m.List(q)
	if err != nil {
		return a, fmt.Errorf("List: %v", err)
	}
	a.list = l
	return a, nil
}

// listAt and timelineAt say whether the list of partnerships and the timelines are asked at q too:
// the list at one point in three (it folds every partnership again), the timelines at two in three
// (they describe every event). Both are chosen by q alone, so that both sides ask the same.
func listAt(q projections.Query) bool { return pointHash(q)%4 == 0 }

func timelineAt(q projections.Query) bool { return pointHash(q)/4%2 == 0 }

func pointHash(q projections.Query) uint64 {
	h := fnv.New64a()
	h.Write([]byte(q.AsOf.String() + "|" + q.KnownAt.String()))
	return h.Sum64()
}

// same requires two sets of answers to be equal, with a readable diff (testify's) of each view that
// differs. It returns the number of views compared.
func same(t testing.TB, want, got answers, slugs []string, where func() string) int {
	n := 1
	for _, slug := range slugs {
		check(t, want.errs[slug], got.errs[slug], where, "error of "+slug)
		check(t, want.states[slug], got.states[slug], where, "State of "+slug)
		check(t, want.timelines[slug], got.timelines[slug], where, "Timeline of "+slug)
		n += 2
	}
	check(t, want.list, got.list, where, "List")
	return n
}

// check is require.Equal, with the failure message built only on failure.
func check(t testing.TB, want, got any, where func() string, what string) {
	if !assert.ObjectsAreEqual(want, got) {
		require.Equal(t, want, got, "%s: %s", where(), what)
	}
}

var dateInData = regexp.MustCompile(`"(\d{4}-\d{2}-\d{2})"`)

// asOfDates are the as_of dates a history is checked on, sorted: every effective date and the day
// before and after it (so the day before the first event), every date in a payload (ends, notice
// periods, due dates), the far future, and "" (today, from the models' clock).
func asOfDates(events []eventstore.Event) []string {
	seen := map[string]bool{"2199-12-31": true, "": true} // "" is today, from the models' clock
	add := func(s string, around bool) {
		d, err := domain.ParseDate(s)
		if err != nil {
			return
		}
		seen[d.String()] = true
		if around {
			seen[d.AddDays(-1).String()], seen[d.AddDays(1).String()] = true, true
		}
	}
	for _, e := range events {
		add(e.EffectiveOn, true)
		for _, m := range dateInData.FindAllSubmatch(e.Data, -1) {
			add(string(m[1]), false)
			if d, err := domain.ParseDate(string(m[1])); err == nil {
				add(d.AddDays(1).String(), false) // the day after an end: a fixed term has lapsed
			}
		}
	}
	out := make([]string, 0, len(seen))
	for d := range seen {
		out = append(out, d)
	}
	slices.Sort(out)
	return out
}

// freshAnswers is the from-scratch oracle. For prefix k it keeps a brand-new Models fed only
// events[:k], and asks it each (as_of, known_at) once: its answers never come from a cached answer.
// (The one thing it shares between the dates of a prefix is the prefix's view of its corrections,
// which does not depend on the date; pristine checks a sample of points against a Models made for
// that one query.)
type freshAnswers struct {
	t      testing.TB
	events []eventstore.Event
	slugs  []string
	models map[int]*projections.Models
	last   freshKey // the point of the last answer, kept in lastA: a point asked twice in a row is answered once
	lastA  answers
}

type freshKey struct {
	k    int
	asOf string
	mode knownMode
}

// knownMode is how a query names its prefix of the log.
type knownMode uint8

const (
	bySeq  knownMode = iota // KnownAtSeq(k)
	byAll                   // everything recorded (the fresh models hold just the prefix)
	byTime                  // KnownAtTime of the prefix's last recorded_at, plus half a minute
)

// asOfDate is an as_of of the tests as a query takes it: "" is today (the zero Date).
func asOfDate(s string) domain.Date {
	if s == "" {
		return domain.Date{}
	}
	return domain.MustDate(s)
}

func (f *freshAnswers) query(k int, asOf string, mode knownMode) projections.Query {
	q := projections.Query{AsOf: asOfDate(asOf), KnownAt: projections.KnownAtSeq(uint64(k))}
	switch mode {
	case byAll:
		q.KnownAt = projections.KnownAt{}
	case byTime:
		t := genStart.Add(-time.Hour)
		if k > 0 {
			t = f.events[k-1].RecordedAt.Add(30 * time.Second)
		}
		q.KnownAt = projections.KnownAtTime(t)
	}
	return q
}

// timeCut returns the prefix a recorded_at query made for prefix j covers in models fed the first
// fed events: up to the last of them recorded in the same minute as event j.
func (f *freshAnswers) timeCut(j, fed int) int {
	for j > 0 && j < fed && !f.events[j].RecordedAt.After(f.events[j-1].RecordedAt) {
		j++
	}
	return j
}

func (f *freshAnswers) newModels(k int) *projections.Models {
	m := projections.NewModels(projections.Options{Now: diffNow})
	for _, e := range f.events[:k] {
		require.NoError(f.t, m.Apply(e))
	}
	return m
}

func (f *freshAnswers) at(k int, asOf string, mode knownMode) answers {
	key := freshKey{k, asOf, mode}
	if key == f.last && f.lastA.states != nil {
		return f.lastA
	}
	m := f.models[k]
	if m == nil {
		m = f.newModels(k)
		f.models[k] = m
	}
	a := ask(f.t, m, f.slugs, f.query(k, asOf, mode), func() string { return fmt.Sprintf("fresh models, prefix %d, as_of %s", k, asOf) })
	f.last, f.lastA = key, a
	return a
}

// pristine is the answer of a Models made for this one query, by the rebuild path (Load: CatchUp's
// batches decoded on every CPU) from a store holding just the prefix.
func (f *freshAnswers) pristine(k int, asOf string, mode knownMode) answers {
	m, err := projections.Load(context.Background(), memstore.FromEvents(f.events[:k], memstore.Options{}), projections.Options{Now: diffNow})
	require.NoError(f.t, err)
	return ask(f.t, m, f.slugs, f.query(k, asOf, mode), func() string { return fmt.Sprintf("pristine models, prefix %d, as_of %s", k, asOf) })
}

// checkHistory runs the differential check on one history and returns what it covered.
func checkHistory(t testing.TB, h history) diffStats {
	t.Helper()
	n := len(h.events)
	slugs := append(slices.Clone(h.slugs), "no-such-partnership")
	dates := asOfDates(h.events)
	fresh := &freshAnswers{t: t, events: h.events, slugs: slugs, models: map[int]*projections.Models{}}
	replay := fmt.Sprintf("seed %d, shape %+v", h.seed, h.opts)
	if h.name != "" {
		replay = h.name
	} else if h.opts == diffShape(h.seed) {
		replay += fmt.Sprintf(" (replay: go test ./projections -run 'TestDifferential$' -diff.seed=%d -v)", h.seed)
	}
	stats := diffStats{histories: 1, events: n, prefixes: n + 1, dates: len(dates)}
	rng := rand.New(rand.NewPCG(h.seed, 0x9e7))
	dom := decodeHistory(t, h.events)
	m := projections.NewModels(projections.Options{Now: diffNow})
	compare := func(k int, asOf string, mode knownMode, how string) {
		q := fresh.query(k, asOf, mode)
		where := func() string {
			return fmt.Sprintf("%s: %s, known_at %s, as_of %s, %d events fed; the prefix:\n%s", replay, how, q.KnownAt, asOf, m.Seq(),
				dumpEvents(h.events[:k]))
		}
		got := ask(t, m, slugs, q, where)
		want := fresh.at(k, asOf, mode)
		stats.comparisons += same(t, want, got, slugs, where)
		for _, slug := range h.slugs {
			if stats.points%2 != 0 {
				break // the domain's fold at every other point
			}
			if f, ok := dom.facts(slug, k, asOf); ok && got.states[slug] != nil {
				check(t, f, viewFacts(got.states[slug]), where, "the domain's fold and the view of "+slug)
				stats.domain++
				if stats.points%4 == 0 { // Decide at every fourth point: it checks the whole timeline
					if wrong := dom.writeReadAgreement(slug, k, asOf, got.states[slug]); wrong != "" {
						t.Fatalf("%s: the write side and the view of %s disagree:\n%s", where(), slug, wrong)
					}
					stats.agreement++
				}
			}
		}
		if rng.IntN(64) == 0 {
			stats.comparisons += same(t, fresh.pristine(k, asOf, mode), want, slugs, func() string { return "pristine vs fresh: " + where() })
		}
		stats.points++
	}
	date := func() string { return dates[rng.IntN(len(dates))] }

	// While events arrive: after each one, the head (known_at "all" and seq k) on a date, asked twice
	// so that the second answer comes from the cache, and an older prefix.
	for k := 1; k <= n; k++ {
		require.NoError(t, m.Apply(h.events[k-1]), replay)
		d := date()
		compare(k, d, byAll, "head")
		compare(k, d, byAll, "head again (cached)")
		if k%2 == 0 {
			compare(k, date(), bySeq, "head by seq")
		} else {
			compare(fresh.timeCut(rng.IntN(k+1), k), date(), byTime, "a prefix by recorded_at")
		}
		compare(rng.IntN(k+1), date(), bySeq, "older prefix while live")
	}
	// Everything known: every prefix on a date, going back and forth, so that the long-lived models'
	// caches are used across prefixes and dates; every date at the last prefix and at some other.
	for k := n; k >= 0; k-- {
		compare(k, date(), bySeq, "every prefix")
	}
	for i, d := range dates {
		compare(n, d, bySeq, "every date, everything known")
		if i%4 == 0 {
			compare(rng.IntN(n+1), d, bySeq, "every fourth date, some prefix")
		}
	}
	return stats
}

// dumpEvents prints a log compactly for a failure message.
func dumpEvents(events []eventstore.Event) string {
	var out []byte
	for _, e := range events {
		out = fmt.Appendf(out, "  seq %d %s %s %s eff %s %s\n", e.Seq, e.Stream, e.ID, e.Type, e.EffectiveOn, e.Data)
	}
	return string(out)
}

// TestDifferentialConcurrent asks the long-lived models from two goroutines while events are applied
// (Models is documented safe for that: readers take a snapshot, a back-dated event makes a new order
// rather than moving what a snapshot sees). Every answer at a prefix already applied must be the
// from-scratch one, whatever is appended meanwhile. Run it with -race too.
func TestDifferentialConcurrent(t *testing.T) {
	seeds := 8
	if testing.Short() {
		seeds = 2
	}
	for seed := uint64(1001); seed < uint64(1001+seeds); seed++ {
		h := generate(t, seed, genOptions{Events: 60, Partnerships: 2, NameVariants: true})
		n := len(h.events)
		slugs := append(slices.Clone(h.slugs), "no-such-partnership")
		dates := asOfDates(h.events)
		fresh := &freshAnswers{t: t, events: h.events, slugs: slugs, models: map[int]*projections.Models{}}
		rng := rand.New(rand.NewPCG(seed, 3))
		type point struct {
			k    int
			asOf string
		}
		var points [][]point // by prefix
		want := map[point]answers{}
		for k := 0; k <= n; k++ {
			var ps []point
			for range 3 {
				p := point{k, dates[rng.IntN(len(dates))]}
				want[p] = fresh.at(k, p.asOf, bySeq)
				ps = append(ps, p)
			}
			points = append(points, ps)
		}

		m := projections.NewModels(projections.Options{Now: diffNow})
		stop := make(chan struct{})
		asked := make(chan struct{}, 64)
		var wg sync.WaitGroup
		var mismatches atomic.Int64
		for w := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := rand.New(rand.NewPCG(seed, uint64(w)))
				for {
					select {
					case <-stop:
						return
					default:
					}
					ps := points[r.IntN(int(m.Seq())+1)]
					p := ps[r.IntN(len(ps))]
					got, err := tryAsk(m, slugs, fresh.query(p.k, p.asOf, bySeq))
					if err == nil && !assert.ObjectsAreEqual(want[p], got) {
						err = errors.New("answers differ from the models fed only the prefix")
					}
					if err != nil && mismatches.Add(1) == 1 {
						t.Errorf("seed %d: prefix %d, as_of %s, asked while events were applied: %v", seed, p.k, p.asOf, err)
					}
					select {
					case asked <- struct{}{}:
					default:
					}
				}
			}()
		}
		for _, e := range h.events {
			require.NoError(t, m.Apply(e))
			<-asked // at least one answer between two events
		}
		close(stop)
		wg.Wait()
		require.Zero(t, mismatches.Load(), "seed %d", seed)
	}
}

// TestDifferentialNameCase runs the name case of issue 19 through both oracles and says what the view
// must show: Karen Sly's appointment as chief finance officer ended as "karen  SLY" and
// "Chief-Finance-Officer" at one council, then at the other, and a reappointment under yet another
// spelling, which is one appointment, not two.
func TestDifferentialNameCase(t *testing.T) {
	gy, nn := genCouncils[0], genCouncils[1]
	shares := []domain.CouncilShare{{Council: gy.Council, TimeShareBasisPoints: 5000}, {Council: nn.Council, TimeShareBasisPoints: 5000}}
	h := scripted(t, "great-yarmouth-north-norfolk",
		step{"2015-10-01", domain.PartnershipProposed{Name: "GY and NN", Purpose: "share senior managers", Partners: []domain.Council{gy, nn}}},
		step{"2015-11-07", domain.JointAppointmentMade{Officer: domain.Officer{Name: "Karen Sly"}, Post: "chief-finance-officer",
			StatutoryRole: domain.ChiefFinanceOfficer, EmployingCouncil: nn.Council, Councils: shares, Basis: domain.BasisInterim,
			StartsOn: domain.MustDate("2015-11-07")}},
		step{"2016-06-30", domain.AppointmentEnded{Officer: domain.Officer{Name: "karen  SLY"}, Post: "Chief-Finance-Officer",
			Councils: []domain.CouncilRef{gy.Council}, LastDay: domain.MustDate("2016-06-29"), Reason: "notice"}},
		step{"2016-09-30", domain.AppointmentEnded{Officer: domain.Officer{Name: "KAREN sly"}, Post: "chief-finance-officer",
			Councils: []domain.CouncilRef{nn.Council}, LastDay: domain.MustDate("2016-09-29"), Reason: "end_of_term"}},
		step{"2016-10-01", domain.JointAppointmentMade{Officer: domain.Officer{Name: "karen  sly"}, Post: "Chief-Finance-Officer",
			EmployingCouncil: nn.Council, Councils: shares, Basis: domain.BasisPermanent, StartsOn: domain.MustDate("2016-10-01")}},
	)
	stats := checkHistory(t, h)
	require.Positive(t, stats.domain)

	m := projections.NewModels(projections.Options{Now: diffNow})
	for _, e := range h.events {
		require.NoError(t, m.Apply(e))
	}
	held := func(asOf string) []string {
		st, err := m.State("great-yarmouth-north-norfolk", projections.Query{AsOf: asOfDate(asOf)})
		require.NoError(t, err)
		var out []string
		for _, a := range st.Appointments {
			var cs []string
			for _, c := range a.Councils {
				cs = append(cs, fmt.Sprint(c.Council))
			}
			out = append(out, fmt.Sprintf("%s as %s at %v", a.Officer, a.Post, cs))
		}
		return out
	}
	require.Equal(t, []string{"Karen Sly as chief-finance-officer at [great-yarmouth north-norfolk]"}, held("2016-06-29"))
	require.Equal(t, []string{"Karen Sly as chief-finance-officer at [north-norfolk]"}, held("2016-06-30"), "ended at Great Yarmouth as \"karen  SLY\"")
	require.Empty(t, held("2016-09-30"), "ended at North Norfolk as \"KAREN sly\"")
	require.Equal(t, []string{"karen  sly as Chief-Finance-Officer at [great-yarmouth north-norfolk]"}, held("2016-10-01"), "one appointment after the reappointment")
}
