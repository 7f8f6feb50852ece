package reviewpack_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/demo"
	"github.com/partnership-ledger/ledger/domain/recording"
	"github.com/partnership-ledger/ledger/domain/words"
	"github.com/partnership-ledger/ledger/eventstore/bolt"
	"github.com/partnership-ledger/ledger/projections"
	"github.com/partnership-ledger/ledger/reviewpack"
)

// The demo's events corrected below, by id (ledger history --json).
const (
	demoAppointKaren  = "1b9d142e-6b0f-59be-bc5e-488caf5b4507" // [9] Karen Sly's joint appointment
	demoDesignateGY   = "740d715a-9a36-5981-ad2d-c501927ab515" // [10] Sheila Oxtoby, head of paid service at Great Yarmouth
	demoDesignateNN   = "0be853a6-ac69-5f3f-ae2a-a261dac8263a" // [11] Sheila Oxtoby, head of paid service at North Norfolk
	demoDesignateS151 = "5e47c818-36a5-5110-bc83-dab7c76da7a4" // [12] Karen Sly, s151 at Great Yarmouth
	demoCostShareCE   = "5f390584-e371-56ac-866f-cd1f39268ea4" // [14] the chief executive's cost share
	demoSavingsGY     = "048f6485-3a71-55f9-93d9-06a7221c93c1" // [17] Great Yarmouth's 2015/16 forecast
)

// correctedDemo is the Norfolk demo with each correction recorded today (seq 31, 32, …), and its
// pack source.
func correctedDemo(t *testing.T, corrections ...string) reviewpack.Source {
	t.Helper()
	ctx := context.Background()
	store, err := bolt.Open(filepath.Join(t.TempDir(), "ledger.db"), bolt.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { store.Close() })
	_, err = demo.SeedStore(ctx, store)
	require.NoError(t, err)
	for _, data := range corrections {
		_, err = recording.New(store, nil).Record(ctx, "test", domain.Command{Partnership: demo.GreatYarmouthNorthNorfolk,
			Type: domain.TypeEventCorrected, EffectiveOn: "2016-06-01", Certainty: "reported",
			Sources: []domain.SourceRef{{Kind: domain.SourcePress, Title: "Eastern Daily Press, 2 March 2016"}},
			Data:    []byte(data)}, nil)
		require.NoError(t, err, data)
	}
	src, err := reviewpack.LoadSource(ctx, store, testKey(), demo.GreatYarmouthNorthNorfolk)
	require.NoError(t, err)
	return src
}

// packAndState builds the pack as of asOf at known (the zero value: the pack's default, the end of
// the as-of day) and reads projections' State at the pack's own cut (its known-at seq).
func packAndState(t *testing.T, src reviewpack.Source, asOf string, known projections.KnownAt) (*reviewpack.Report, *projections.State) {
	t.Helper()
	opts := demoOptions
	opts.AsOf, opts.KnownAt = domain.MustDate(asOf), known
	p, err := reviewpack.Build(context.Background(), src, opts)
	require.NoError(t, err)
	st, err := src.Models.State(demo.GreatYarmouthNorthNorfolk, projections.Query{AsOf: opts.AsOf, KnownAt: projections.KnownAtSeq(p.Report.KnownAt.Seq)})
	require.NoError(t, err)
	return p.Report, st
}

// stateFacts are the state's facts as the pack's tables must carry them: one line per row, with the
// events it cites by seq (seqs from the pack's register: every event of the partnership up to its cut).
type stateFacts struct {
	roles, appointments, savings, costShares, monitoringGaps []string
}

func factsOfState(t *testing.T, r *reviewpack.Report, st *projections.State) stateFacts {
	t.Helper()
	seq := map[uuid.UUID]uint64{}
	for _, e := range r.Register {
		seq[uuid.MustParse(e.ID)] = e.Seq
	}
	refs := func(ev projections.Evidence) string {
		var out []uint64
		for _, id := range ev {
			s, ok := seq[id]
			require.True(t, ok, "evidence %s is in the pack's register", id)
			out = append(out, s)
		}
		slices.Sort(out)
		return fmt.Sprint(slices.Compact(out))
	}
	name := func(slug string) string {
		if slug == "" {
			return ""
		}
		c, err := domain.ParseCouncilRef(slug)
		require.NoError(t, err)
		return st.Councils.Council(c)
	}
	pct := func(bp domain.BasisPoints) string { return bp.String() }
	var f stateFacts
	held := map[string]map[string]bool{}
	for _, a := range st.Appointments {
		var serves []string
		for _, c := range a.Councils {
			serve := name(c.Council)
			if c.BasisPoints > 0 { // an officer designated without a joint appointment has no share of time
				serve += " " + pct(c.BasisPoints)
			}
			serves = append(serves, serve)
		}
		f.appointments = append(f.appointments, strings.Join([]string{a.Officer, name(a.EmployingCouncil), strings.Join(serves, ", "), a.Since.String(), refs(a.Evidence)}, " | "))
		for _, ro := range a.Roles {
			f.roles = append(f.roles, strings.Join([]string{name(ro.Council), words.Capital(words.Role(domain.StatutoryRole(ro.Role))), a.Officer, ro.Since.String(), refs(ro.Evidence)}, " | "))
			if held[ro.Council] == nil {
				held[ro.Council] = map[string]bool{}
			}
			held[ro.Council][ro.Role] = true
		}
		if cs := a.CostShare; cs != nil {
			var shares []string
			for _, s := range cs.Shares {
				shares = append(shares, name(s.Council)+" "+pct(s.BasisPoints))
			}
			f.costShares = append(f.costShares, strings.Join([]string{cs.Basis, strings.Join(shares, ", "), cs.AppliesFrom.String(), refs(cs.Evidence)}, " | "))
		}
	}
	for _, y := range st.Savings.Years {
		for _, cs := range y.Councils {
			f.savings = append(f.savings, strings.Join([]string{y.Label, name(cs.Council), words.Money(cs.ForecastPence), refs(cs.Evidence)}, " | "))
		}
	}
	for _, p := range st.Partners {
		if len(held[p.Council]) > 0 && !held[p.Council][string(domain.MonitoringOfficer)] {
			f.monitoringGaps = append(f.monitoringGaps, name(p.Council))
		}
	}
	return f
}

// factsOfPack are the same facts as the pack states them.
func factsOfPack(r *reviewpack.Report) stateFacts {
	var f stateFacts
	for _, ro := range r.Roles {
		f.roles = append(f.roles, strings.Join([]string{ro.Council, ro.Role, ro.Officer, ro.Since, fmt.Sprint(ro.Refs)}, " | "))
	}
	for _, a := range r.Appointments {
		f.appointments = append(f.appointments, strings.Join([]string{a.Officer, a.Employer, a.Councils, a.Since, fmt.Sprint(a.Refs)}, " | "))
	}
	for _, cs := range r.Finance.CostShares {
		if strings.Contains(cs.Subject, "(") { // a post's: "Chief executive (Sheila Oxtoby)"
			f.costShares = append(f.costShares, strings.Join([]string{cs.Basis, cs.Shares, cs.AppliesFrom, fmt.Sprint(cs.Refs)}, " | "))
		}
	}
	for _, row := range r.Finance.Rows {
		f.savings = append(f.savings, strings.Join([]string{row.Year, row.Council, row.Forecast, fmt.Sprint(row.Refs)}, " | "))
	}
	for _, g := range r.Gaps {
		if rest, ok := strings.CutPrefix(g.Text, "No monitoring officer is recorded for "); ok && g.Kind == reviewpack.GapNoStatutoryRole {
			rest = strings.TrimSuffix(rest, ".")
			for _, part := range strings.Split(rest, " or ") {
				f.monitoringGaps = append(f.monitoringGaps, strings.Split(part, ", ")...)
			}
		}
	}
	return f
}

// assertPackReadsState: every table and finding compared reads the same facts as the state at the
// pack's cut, whatever was corrected.
func assertPackReadsState(t *testing.T, r *reviewpack.Report, st *projections.State) stateFacts {
	t.Helper()
	want, got := factsOfState(t, r, st), factsOfPack(r)
	for _, s := range [][]string{want.roles, got.roles, want.appointments, got.appointments, want.savings, got.savings,
		want.costShares, got.costShares, want.monitoringGaps, got.monitoringGaps} {
		slices.Sort(s)
	}
	assert.Equal(t, want.roles, got.roles, "section 4's statutory roles")
	assert.Equal(t, want.appointments, got.appointments, "section 4's joint appointments")
	assert.Equal(t, want.savings, got.savings, "section 6's savings")
	assert.Equal(t, want.costShares, got.costShares, "section 6's cost shares")
	assert.Equal(t, want.monitoringGaps, got.monitoringGaps, "section 9's missing monitoring officers")
	return got
}

// The tester's finding (a correction of [10]'s role to monitoring officer, recorded after the as-of
// day): the pack known at the correction has the monitoring officer row citing [10] and the
// correction, head of paid service citing only what supports it (the joint appointment [8] and its
// correction [22]), and no monitoring-officer gap for Great Yarmouth, as the state has them; the
// pack at its default known_at (the end of the as-of day) reads the state at that cut, before the
// correction, and says on its cover that it is known at that day.
func TestPackReadsTheCorrectedRole(t *testing.T) {
	src := correctedDemo(t, `{"target":"`+demoDesignateGY+`","data":{"role":"monitoring_officer"},"reason":"the minute designates her monitoring officer"}`)

	r, st := packAndState(t, src, "2016-06-15", knownAll)
	require.Equal(t, uint64(31), r.KnownAt.Seq)
	got := assertPackReadsState(t, r, st)
	assert.Contains(t, got.roles, "Great Yarmouth Borough Council | Monitoring officer | Sheila Oxtoby | 2015-11-07 | [10 31]")
	assert.Contains(t, got.roles, "Great Yarmouth Borough Council | Head of paid service | Sheila Oxtoby | 2015-11-07 | [8 22]")
	assert.Equal(t, []string{"North Norfolk District Council"}, got.monitoringGaps)
	md := string(render(t, &reviewpack.Pack{Report: r}, "md"))
	assert.Contains(t, md, "| Great Yarmouth Borough Council | Monitoring officer | Sheila Oxtoby | 2015-11-07 | inferred [10, 31] |")
	assert.Contains(t, md, "No monitoring officer is recorded for North Norfolk District Council.")
	assert.NotContains(t, md, "No monitoring officer is recorded for Great Yarmouth")

	r, st = packAndState(t, src, "2016-06-15", projections.KnownAt{})
	require.Equal(t, uint64(23), r.KnownAt.Seq, "the default: the end of the as-of day")
	got = assertPackReadsState(t, r, st)
	assert.Contains(t, got.roles, "Great Yarmouth Borough Council | Head of paid service | Sheila Oxtoby | 2015-11-07 | [8 10 22]")
	assert.Contains(t, r.Cover.Axes, "as recorded in the ledger by the end of 15 June 2016")
}

// A correction of any field of any type: the pack's tables and findings read the same corrected facts
// as the state, at the pack's own cut, and the corrected value is what they read.
func TestPackReadsEveryCorrectedFieldAsTheState(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		asOf       string
		check      func(t *testing.T, f stateFacts)
	}{
		{"role", `{"target":"` + demoDesignateGY + `","data":{"role":"monitoring_officer"},"reason":"r"}`, "2016-06-15",
			func(t *testing.T, f stateFacts) {
				assert.Contains(t, f.roles, "Great Yarmouth Borough Council | Monitoring officer | Sheila Oxtoby | 2015-11-07 | [10 31]")
			}},
		{"council", `{"target":"` + demoDesignateS151 + `","data":{"council":"north-norfolk"},"reason":"r"}`, "2016-06-15",
			func(t *testing.T, f stateFacts) {
				assert.Contains(t, strings.Join(f.roles, "\n"), "North Norfolk District Council | Chief finance officer (s151) | Karen Sly | 2015-11-07 | [9 12 13 23 31]")
			}},
		{"officer", `{"target":"` + demoDesignateGY + `","data":{"officer":{"name":"Jane Doe"},"role":"monitoring_officer"},"reason":"r"}`, "2016-06-15",
			func(t *testing.T, f stateFacts) { // (the officer alone would break a rule: [8] makes Sheila Oxtoby head of paid service)
				assert.Contains(t, f.roles, "Great Yarmouth Borough Council | Monitoring officer | Jane Doe | 2015-11-07 | [10 31]")
			}},
		{"effective date", `{"target":"` + demoDesignateNN + `","effective_on":"2016-01-04","reason":"r"}`, "2016-06-15",
			func(t *testing.T, f stateFacts) {
				assert.Contains(t, strings.Join(f.roles, "\n"), "North Norfolk District Council | Head of paid service | Sheila Oxtoby |")
			}},
		{"amount", `{"target":"` + demoSavingsGY + `","data":{"amount_pence":5500000},"reason":"r"}`, "2016-06-15",
			func(t *testing.T, f stateFacts) {
				assert.Contains(t, f.savings, "2015/16 | Great Yarmouth Borough Council | £55,000 | [17 31]")
			}},
		{"cost shares", `{"target":"` + demoCostShareCE + `","data":{"basis":"fixed_ratio","shares":[{"council":"great-yarmouth","basis_points":6000},{"council":"north-norfolk","basis_points":4000}]},"reason":"r"}`, "2016-06-15",
			func(t *testing.T, f stateFacts) {
				assert.Contains(t, f.costShares, "fixed_ratio | Great Yarmouth Borough Council 60%, North Norfolk District Council 40% | 2015-11-07 | [14 31]")
			}},
		{"time shares", `{"target":"` + demoAppointKaren + `","data":{"councils":[{"council":"great-yarmouth","time_share_basis_points":7000},{"council":"north-norfolk","time_share_basis_points":3000}]},"reason":"r"}`, "2016-06-15",
			func(t *testing.T, f stateFacts) {
				assert.Contains(t, f.appointments, "Karen Sly | North Norfolk District Council | Great Yarmouth Borough Council 70%, North Norfolk District Council 30% | 2015-11-07 | [9 23 31]")
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := correctedDemo(t, tc.data)
			r, st := packAndState(t, src, tc.asOf, knownAll)
			tc.check(t, assertPackReadsState(t, r, st))
			// At the pack's default known_at, before the correction was recorded: the same agreement.
			r, st = packAndState(t, src, tc.asOf, projections.KnownAt{})
			assertPackReadsState(t, r, st)
		})
	}
}
