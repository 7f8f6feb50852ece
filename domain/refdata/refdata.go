// Package refdata generates the national-scale reference ledger the performance targets are measured
// on: many partnerships with the demo's mix of event types, valid under every invariant of the domain
// by construction (a test runs a sample through domain.Decide).
package refdata

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/eventstore"
)

// Options size the ledger. The zero value makes 300 partnerships and 1,000,000 events.
type Options struct {
	Partnerships int
	Events       int
	// Progress, if set, is called after each batch with the events written so far.
	Progress func(done int)
}

// batch is how many events one append carries.
const batch = 1000

var namespace = uuid.MustParse("0b6d1c5e-9f3a-4a8e-8c31-2f5d7a9e4b11")

var sources = func() json.RawMessage {
	b, _ := json.Marshal([]domain.SourceRef{{Kind: domain.SourceReport, Title: "Generated reference data"}})
	return b
}()

// Generate appends the reference ledger to an empty store. Events are built valid by construction
// and appended in batches per partnership; recorded_at runs on from 2015-01-01, a minute per event.
func Generate(ctx context.Context, store eventstore.Store, opts Options) error {
	if opts.Partnerships <= 0 {
		opts.Partnerships = 300
	}
	if opts.Events <= 0 {
		opts.Events = 1_000_000
	}
	head, err := store.Head(ctx)
	if err != nil {
		return err
	}
	if head.Seq != 0 {
		return fmt.Errorf("refdata: the store is not empty (%d events); generate into a new one", head.Seq)
	}
	per := opts.Events / opts.Partnerships
	clock := time.Date(2015, 1, 1, 9, 0, 0, 0, time.UTC)
	done := 0
	for p := range opts.Partnerships {
		n := per
		if p == opts.Partnerships-1 {
			n = opts.Events - done
		}
		gen := newPartnership(p)
		stream := domain.StreamPrefix + gen.slug
		var pending []eventstore.Event
		for i := range n {
			typ, eff, payload := gen.next(i)
			data, err := domain.EncodePayload(payload)
			if err != nil {
				return fmt.Errorf("refdata: %s event %d: %w", gen.slug, i, err)
			}
			clock = clock.Add(time.Minute)
			pending = append(pending, eventstore.Event{
				ID: uuid.NewSHA1(namespace, fmt.Appendf(nil, "%s/%d", gen.slug, i)), Type: typ, Schema: domain.CurrentSchema,
				EffectiveOn: eff.String(), RecordedAt: clock, RecordedBy: "gen", Sources: sources, Certainty: "confirmed", Data: data,
			})
			if len(pending) == batch || i == n-1 {
				if _, err := store.Append(ctx, stream, eventstore.Any, pending...); err != nil {
					return fmt.Errorf("refdata: append to %s: %w", stream, err)
				}
				done += len(pending)
				pending = pending[:0]
				if opts.Progress != nil {
					opts.Progress(done)
				}
			}
		}
	}
	return nil
}

// partnership produces one partnership's events in effective-date order.
type partnership struct {
	slug        string
	a, b        domain.Council
	day         domain.Date // effective date of the last event
	decisionDay domain.Date
	proposal    uuid.UUID
}

func newPartnership(p int) *partnership {
	c := func(suffix string, kind domain.CouncilKind) domain.Council {
		slug := fmt.Sprintf("ref%03d-%s", p, suffix)
		return domain.Council{Council: domain.MustCouncil(slug), Name: "Council " + slug, Kind: kind}
	}
	start := domain.MustDate("2015-04-01")
	return &partnership{slug: fmt.Sprintf("ref-partnership-%03d", p), a: c("a", domain.District), b: c("b", domain.Borough), day: start}
}

// next returns the i-th event: a set-up of five events, then a repeating cycle of decisions, savings
// figures and one-off costs, each a day later than the one before.
func (g *partnership) next(i int) (string, domain.Date, domain.Payload) {
	if i > 0 {
		t := g.dayTime().AddDate(0, 0, 1)
		g.day, _ = domain.NewDate(t.Year(), t.Month(), t.Day())
	}
	a, b := g.a.Council, g.b.Council
	minute := domain.MinuteRef{Council: a, Body: "cabinet", Meeting: g.decisionDay, Item: "1",
		Raw: fmt.Sprintf("Cabinet %s, item 1", g.decisionDay)}
	switch i {
	case 0:
		g.decisionDay = g.day
		return domain.TypePartnershipProposed, g.day, domain.PartnershipProposed{Name: "Reference partnership " + g.slug,
			Partners: []domain.Council{g.a, g.b}, Scope: []string{"human resources", "finance"}, Purpose: "Generated reference data"}
	case 1:
		g.decisionDay = g.day
		return domain.TypeDecisionTaken, g.day, domain.DecisionTaken{Minute: domain.MinuteRef{Council: a, Body: "cabinet", Meeting: g.day,
			Item: "1", Raw: fmt.Sprintf("Cabinet %s, item 1", g.day)}, Resolution: "To share a chief executive", Outcome: domain.OutcomeApproved}
	case 2:
		return domain.TypeJointAppointmentMade, g.day, domain.JointAppointmentMade{Officer: domain.Officer{Name: "Chief executive of " + g.slug},
			Post: "chief-executive", EmployingCouncil: a, Basis: domain.BasisInterim, StartsOn: g.day,
			Councils:  []domain.CouncilShare{{Council: a, TimeShareBasisPoints: 5000}, {Council: b, TimeShareBasisPoints: 5000}},
			Approvals: []domain.MinuteRef{minute}}
	case 3:
		return domain.TypeCostShareAgreed, g.day, domain.CostShareAgreed{Subject: "chief-executive", Basis: domain.ShareEqual, AppliesFrom: g.day,
			Shares: []domain.Share{{Council: a, BasisPoints: 5000}, {Council: b, BasisPoints: 5000}}}
	case 4:
		return domain.TypeServiceSharingProposed, g.day, domain.ServiceSharingProposed{Service: "human resources", Candidates: []domain.CouncilRef{a, b}}
	}
	council := a
	if i%2 == 1 {
		council = b
	}
	fy := domain.FinancialYear(g.day.Year())
	if g.dayTime().Month() < time.April {
		fy--
	}
	category := fmt.Sprintf("category %d", i%5)
	switch i % 6 {
	case 0:
		return domain.TypeSavingsTargetSet, g.day, domain.SavingsTargetSet{Council: council, FinancialYear: fy, Category: category, AmountPence: 5_000_000}
	case 1, 2:
		return domain.TypeSavingsReported, g.day, domain.SavingsReported{Council: council, FinancialYear: fy, Category: category,
			AmountPence: domain.Pence(1_000_000 + i), Status: domain.SavingsForecast, PeriodTo: fy.End()}
	case 3:
		// The outturn of the year before: dated after that year's 31 March, as the domain requires.
		return domain.TypeSavingsReported, g.day, domain.SavingsReported{Council: council, FinancialYear: fy - 1, Category: category,
			AmountPence: domain.Pence(900_000 + i), Status: domain.SavingsOutturn, PeriodTo: (fy - 1).End()}
	case 4:
		return domain.TypeOneOffCostIncurred, g.day, domain.OneOffCostIncurred{Council: council, FinancialYear: fy, Category: "implementation", AmountPence: 25_000}
	default:
		return domain.TypeDecisionTaken, g.day, domain.DecisionTaken{Minute: domain.MinuteRef{Council: council, Body: "cabinet", Meeting: g.day,
			Item: fmt.Sprint(i), Raw: fmt.Sprintf("Cabinet %s, item %d", g.day, i)}, Resolution: "To note the savings report", Outcome: domain.OutcomeApproved}
	}
}

func (g *partnership) dayTime() time.Time { return g.day.Time() }
