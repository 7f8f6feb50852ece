package projections_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/recording"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/eventstore/memstore"
)

// This file generates random valid histories for the differential test (differential_test.go).
//
// A generator proposes candidate commands for one to three partnerships and records each through
// domain/recording into an in-memory store: the domain's own decision accepts or refuses it, and a
// refused candidate is dropped. Every history is therefore one the ledger would accept, and the
// events are exactly as the ledger stores them (canonical data, sources, seq, recorded_at).
//
// The generator's own bookkeeping (who was appointed, which decisions exist, ...) only makes
// plausible candidates likely; it is never trusted for validity.

// genOptions shape a generated history.
type genOptions struct {
	// Events is the number of events to record (the history may end shorter if candidates keep being
	// refused).
	Events int
	// Partnerships is how many partnerships share the log (1 to 3).
	Partnerships int
	// NameVariants writes officer names and posts of later events in other case and spacing
	// ("Karen Sly", "karen  SLY", "Chief-Finance-Officer"): the domain matches them as the same officer
	// and post.
	NameVariants bool
	// RenameOnJoin names a council that joins (or rejoins after withdrawing) otherwise than the
	// pool does ("Breckland Council" for "Breckland District Council").
	RenameOnJoin bool
	// OtherStreams interleaves events of a stream that is not a partnership's (token records), which
	// only advance the log.
	OtherStreams bool
}

// history is a generated log.
type history struct {
	name   string // a scripted history's name; "" for a generated one
	seed   uint64
	opts   genOptions
	events []eventstore.Event // the global log in seq order
	slugs  []string           // the partnerships, sorted
}

var genCouncils = []domain.Council{
	{Council: domain.MustCouncil("great-yarmouth"), Name: "Great Yarmouth Borough Council", Kind: domain.Borough, ONSCode: "E07000145"},
	{Council: domain.MustCouncil("north-norfolk"), Name: "North Norfolk District Council", Kind: domain.District, ONSCode: "E07000147"},
	{Council: domain.MustCouncil("kings-lynn-west-norfolk"), Name: "Borough Council of King's Lynn and West Norfolk", Kind: domain.Borough},
	{Council: domain.MustCouncil("breckland"), Name: "Breckland District Council", Kind: domain.District},
	{Council: domain.MustCouncil("norfolk"), Name: "Norfolk County Council", Kind: domain.County},
}

var genOfficers = []string{"Karen Sly", "Sheila Oxtoby", "Steve Blatch", "Emma Duncan"}

var genPosts = []string{"chief-executive", "chief-finance-officer", "monitoring-officer", "head-of-hr"}

var genServices = []string{"human resources", "revenues and benefits", "legal services", "ict"}

var genCategories = []string{"shared management", "back office", "procurement"}

var genRoles = []domain.StatutoryRole{domain.HeadOfPaidService, domain.MonitoringOfficer, domain.ChiefFinanceOfficer}

var genSlugs = []string{"alpha-share", "beta-share", "gamma-share"}

// genPart is the generator's bookkeeping for one partnership: what was accepted, by event.
type genPart struct {
	slug      string
	proposed  bool
	start     domain.Date // effective date of the proposal
	cursor    domain.Date // the latest effective date used
	partners  []domain.Council
	outsiders []domain.Council
	former    []domain.CouncilRef // councils that withdrew: they may join again
	decisions []domain.MinuteRef  // approved decisions, citable
	minutes   int                 // item counter: every minute is unique
	appts     []domain.JointAppointmentMade
	ended     []domain.AppointmentEnded // accepted ends: the officer may be appointed again
	roles     []domain.StatutoryRoleDesignated
	notices   map[domain.CouncilRef]domain.Date // council → the earliest date a withdrawal may take effect
	services  []string                          // in shared delivery
	reviews   []string
	agreement []string
	recorded  []recordedEvent // every accepted event that a correction or retraction may target
	dissolved bool
}

// recordedEvent is an accepted event a correction or retraction may target.
type recordedEvent struct {
	id      uuid.UUID
	typ     string
	eff     domain.Date
	payload domain.Payload
}

// generator builds one history.
type generator struct {
	t     testing.TB
	rng   *rand.Rand
	opts  genOptions
	store *memstore.Store
	rec   *recording.Service
	clock time.Time
	parts []*genPart
	ids   int
}

var genBase = domain.MustDate("2015-06-01")

// genStart is the recorded_at clock's start; it runs on by up to three hours per event.
var genStart = time.Date(2015, 6, 1, 9, 0, 0, 0, time.UTC)

// generate returns the history of seed under opts. It fails t only on an error that is not the
// domain refusing a candidate.
func generate(t testing.TB, seed uint64, opts genOptions) history {
	t.Helper()
	g := &generator{t: t, rng: rand.New(rand.NewPCG(seed, 0x5eed)), opts: opts,
		store: memstore.New(memstore.Options{}), clock: genStart}
	g.rec = recording.NewWithOptions(g.store, recording.Options{Clock: g.tick, Timeout: -1})
	n := max(1, min(opts.Partnerships, len(genSlugs)))
	for i := range n {
		p := &genPart{slug: genSlugs[i], notices: map[domain.CouncilRef]domain.Date{}}
		g.parts = append(g.parts, p)
	}
	accepted := 0
	for attempts := 0; accepted < opts.Events && attempts < opts.Events*6; attempts++ {
		if opts.OtherStreams && g.rng.IntN(20) == 0 {
			g.otherStream()
			accepted++
			continue
		}
		p := g.parts[g.rng.IntN(len(g.parts))]
		if g.step(p) {
			accepted++
		}
	}
	h := history{seed: seed, opts: opts}
	for e, err := range g.store.ReadAll(context.Background(), 0, eventstore.Forward, 0) {
		if err != nil {
			t.Fatalf("seed %d: read the generated log: %v", seed, err)
		}
		h.events = append(h.events, e)
	}
	for _, p := range g.parts {
		if p.proposed {
			h.slugs = append(h.slugs, p.slug)
		}
	}
	return h
}

// tick is the recording clock: up to three hours per event, sometimes none (the store refuses a
// recorded_at that goes back).
func (g *generator) tick() time.Time {
	g.clock = g.clock.Add(time.Duration(g.rng.IntN(180)) * time.Minute)
	return g.clock
}

func (g *generator) newID() uuid.UUID {
	var u uuid.UUID
	for i := range u {
		u[i] = byte(g.rng.UintN(256))
	}
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	return u
}

func (g *generator) otherStream() {
	e := eventstore.Event{ID: g.newID(), Type: "TokenIssued", Schema: 1, EffectiveOn: g.clock.Format(time.DateOnly),
		RecordedAt: g.tick(), RecordedBy: "differential", Sources: []byte("[]"), Certainty: "confirmed", Data: []byte(`{}`)}
	if _, err := g.store.Append(context.Background(), "ledger-tokens", eventstore.Any, e); err != nil {
		g.t.Fatalf("append a token event: %v", err)
	}
}

// record asks the domain to record a candidate; it reports whether it was accepted.
func (g *generator) record(p *genPart, typ string, eff domain.Date, payload domain.Payload) (uuid.UUID, bool) {
	data, err := domain.EncodePayload(payload)
	if err != nil {
		g.t.Fatalf("encode %s: %v", typ, err)
	}
	cmd := domain.Command{Partnership: p.slug, Type: typ, EffectiveOn: eff.String(), ID: g.newID(),
		Sources: []domain.SourceRef{{Kind: domain.SourceMinutes, Title: "Minutes"}}, Certainty: "confirmed",
		Data: data}
	if g.rng.IntN(6) == 0 {
		cmd.Sources = []domain.SourceRef{{Kind: domain.SourcePress, Title: "Eastern Daily Press"}}
		cmd.Certainty = string(domain.Reported)
	}
	res, err := g.rec.Record(context.Background(), "differential", cmd, nil)
	if errors.Is(err, domain.ErrValidation) {
		return uuid.Nil, false
	}
	if err != nil {
		g.t.Fatalf("record %s: %v", typ, err)
	}
	if len(res.Events) != 1 {
		g.t.Fatalf("record %s: %d events stored, want 1", typ, len(res.Events))
	}
	id := res.Events[0].ID
	if typ != domain.TypeEventCorrected && typ != domain.TypeEventRetracted {
		p.recorded = append(p.recorded, recordedEvent{id: id, typ: typ, eff: eff, payload: payload})
	}
	if eff.After(p.cursor) {
		p.cursor = eff
	}
	return id, true
}

// date picks the effective date of the next event: usually on or after the latest so far, sometimes
// back-dated to any day since the proposal.
func (g *generator) date(p *genPart) domain.Date {
	if g.rng.IntN(6) == 0 && p.cursor.After(p.start) {
		span := int(p.cursor.Time().Sub(p.start.Time()).Hours() / 24)
		return p.start.AddDays(g.rng.IntN(span + 1))
	}
	return p.cursor.AddDays(g.rng.IntN(40))
}

func pick[T any](g *generator, xs []T) T { return xs[g.rng.IntN(len(xs))] }

// variant writes a name in another case and spacing when NameVariants is on.
func (g *generator) variant(s string) string {
	if !g.opts.NameVariants || g.rng.IntN(2) == 0 {
		return s
	}
	words := strings.Fields(s)
	for i, w := range words {
		switch g.rng.IntN(3) {
		case 0:
			words[i] = strings.ToLower(w)
		case 1:
			words[i] = strings.ToUpper(w)
		}
	}
	sep := " "
	if g.rng.IntN(2) == 0 {
		sep = "  "
	}
	return strings.Join(words, sep)
}

// postVariant writes a post in another case when NameVariants is on.
func (g *generator) postVariant(s string) string {
	if !g.opts.NameVariants || g.rng.IntN(2) == 0 {
		return s
	}
	parts := strings.Split(s, "-")
	for i, w := range parts {
		if w != "" && g.rng.IntN(2) == 0 {
			parts[i] = strings.ToUpper(w[:1]) + w[1:]
		}
	}
	return strings.Join(parts, "-")
}

func (g *generator) partner(p *genPart) domain.CouncilRef { return pick(g, p.partners).Council }

// citation returns, now and then, an approved decision to cite as authority.
func (g *generator) citation(p *genPart) []domain.MinuteRef {
	if len(p.decisions) == 0 || g.rng.IntN(3) != 0 {
		return nil
	}
	return []domain.MinuteRef{pick(g, p.decisions)}
}

// step records one event in p, or reports false when the candidate was refused.
func (g *generator) step(p *genPart) bool {
	if !p.proposed {
		return g.propose(p)
	}
	if p.dissolved {
		return g.windDown(p)
	}
	switch r := g.rng.IntN(100); {
	case r < 10:
		return g.decision(p)
	case r < 18:
		return g.appoint(p)
	case r < 24:
		return g.designate(p)
	case r < 28:
		return g.vacate(p)
	case r < 32:
		return g.endAppointment(p)
	case r < 37:
		return g.costShare(p)
	case r < 47:
		return g.money(p)
	case r < 52:
		return g.review(p)
	case r < 56:
		return g.service(p)
	case r < 59:
		return g.agreement(p)
	case r < 62:
		return g.join(p)
	case r < 68:
		return g.withdraw(p)
	case r < 70:
		return g.funding(p)
	case r < 80:
		return g.correct(p)
	case r < 86:
		return g.retract(p)
	case r < 88:
		return g.dissolve(p)
	default:
		return g.money(p)
	}
}

func (g *generator) propose(p *genPart) bool {
	order := g.rng.Perm(len(genCouncils))
	k := 2 + g.rng.IntN(2)
	var partners, outsiders []domain.Council
	for i, j := range order {
		if i < k {
			partners = append(partners, genCouncils[j])
		} else {
			outsiders = append(outsiders, genCouncils[j])
		}
	}
	eff := genBase.AddDays(g.rng.IntN(120))
	pl := domain.PartnershipProposed{Name: "Shared services " + p.slug, Partners: partners, Purpose: "share senior managers"}
	if g.rng.IntN(2) == 0 {
		pl.TrialEndsOn = eff.AddDays(180 + g.rng.IntN(200))
		pl.ReviewDue = eff.AddDays(120 + g.rng.IntN(100))
	}
	if g.rng.IntN(3) == 0 {
		pl.Scope = []string{pick(g, genServices)}
	}
	if _, ok := g.record(p, domain.TypePartnershipProposed, eff, pl); !ok {
		return false
	}
	p.proposed, p.start, p.cursor, p.partners, p.outsiders = true, eff, eff, partners, outsiders
	return true
}

func (g *generator) decision(p *genPart) bool {
	eff := g.date(p)
	p.minutes++
	m := domain.MinuteRef{Council: g.partner(p), Body: pick(g, []string{"cabinet", "full council", "Cabinet"}), Meeting: eff,
		Item: fmt.Sprint(p.minutes), Raw: fmt.Sprintf("Minute %d", p.minutes)}
	outcome := domain.OutcomeApproved
	if g.rng.IntN(5) == 0 {
		outcome = pick(g, []string{domain.OutcomeRejected, domain.OutcomeDeferred, domain.OutcomeAmended})
	}
	pl := domain.DecisionTaken{Minute: m, Resolution: "to share", Outcome: outcome, KeyDecision: g.rng.IntN(2) == 0}
	if g.rng.IntN(3) == 0 {
		pl.Votes = &domain.Votes{For: g.rng.IntN(30), Against: g.rng.IntN(10)}
	}
	if _, ok := g.record(p, domain.TypeDecisionTaken, eff, pl); !ok {
		return false
	}
	if outcome == domain.OutcomeApproved {
		p.decisions = append(p.decisions, m)
	}
	return true
}

func (g *generator) appoint(p *genPart) bool {
	eff := g.date(p)
	officer := g.variant(pick(g, genOfficers))
	post := g.postVariant(pick(g, genPosts))
	if len(p.ended) > 0 && g.rng.IntN(2) == 0 {
		// A reappointment to the post just left, the name perhaps written otherwise.
		e := pick(g, p.ended)
		officer, post = g.variant(e.Officer.Name), g.postVariant(strings.ToLower(e.Post))
		if !eff.After(e.LastDay) {
			eff = e.LastDay.AddDays(1 + g.rng.IntN(30))
		}
	}
	order := g.rng.Perm(len(p.partners))
	n := 1 + g.rng.IntN(min(2, len(p.partners)))
	var councils []domain.CouncilShare
	for _, i := range order[:n] {
		councils = append(councils, domain.CouncilShare{Council: p.partners[i].Council, TimeShareBasisPoints: domain.BasisPoints(pick(g, []int{2500, 5000}))})
	}
	pl := domain.JointAppointmentMade{Officer: domain.Officer{Name: officer}, Post: post, EmployingCouncil: councils[0].Council,
		Councils: councils, Basis: pick(g, []string{domain.BasisInterim, domain.BasisPermanent}), StartsOn: eff, Approvals: g.citation(p)}
	if g.rng.IntN(3) == 0 {
		pl.StatutoryRole = pick(g, genRoles)
	}
	if g.rng.IntN(5) == 0 {
		pl.EndsOn = eff.AddDays(30 + g.rng.IntN(300)) // a fixed term: out of force after it, with no event
	}
	if _, ok := g.record(p, domain.TypeJointAppointmentMade, eff, pl); !ok {
		return false
	}
	p.appts = append(p.appts, pl)
	return true
}

func (g *generator) designate(p *genPart) bool {
	eff := g.date(p)
	officer := pick(g, genOfficers)
	if len(p.appts) > 0 && g.rng.IntN(2) == 0 {
		officer = pick(g, p.appts).Officer.Name
	}
	pl := domain.StatutoryRoleDesignated{Council: g.partner(p), Role: pick(g, genRoles), Officer: domain.Officer{Name: g.variant(officer)},
		AuthorisedBy: g.citation(p)}
	if _, ok := g.record(p, domain.TypeStatutoryRoleDesignated, eff, pl); !ok {
		return false
	}
	p.roles = append(p.roles, pl)
	return true
}

func (g *generator) vacate(p *genPart) bool {
	if len(p.roles) == 0 {
		return g.designate(p)
	}
	r := pick(g, p.roles)
	pl := domain.StatutoryRoleVacated{Council: r.Council, Role: r.Role, Officer: domain.Officer{Name: g.variant(r.Officer.Name)}, Reason: "left"}
	_, ok := g.record(p, domain.TypeStatutoryRoleVacated, g.date(p), pl)
	return ok
}

func (g *generator) endAppointment(p *genPart) bool {
	if len(p.appts) == 0 {
		return g.appoint(p)
	}
	a := pick(g, p.appts)
	eff := g.date(p)
	var councils []domain.CouncilRef
	for _, c := range a.Councils {
		if len(councils) == 0 || g.rng.IntN(2) == 0 {
			councils = append(councils, c.Council)
		}
	}
	// The last day is the day before the event (out of force from its date), the event's own date,
	// or a later one (an end recorded in advance: served to the last day, out of force the day after);
	// now and then one Decide refuses: more than a day before the event, or after a fixed term's end.
	var last domain.Date
	switch g.rng.IntN(8) {
	case 0, 1, 2:
		last = eff.AddDays(-1)
	case 3, 4:
		last = eff
	case 5, 6:
		last = eff.AddDays(1 + g.rng.IntN(40))
	default:
		last = eff.AddDays(-2 - g.rng.IntN(10))
	}
	if last.Before(a.StartsOn) {
		last = a.StartsOn
	}
	pl := domain.AppointmentEnded{Officer: domain.Officer{Name: g.variant(a.Officer.Name)}, Post: g.postVariant(strings.ToLower(a.Post)),
		Councils: councils, LastDay: last, Reason: pick(g, []string{"resignation", "end_of_term", "notice"})}
	if _, ok := g.record(p, domain.TypeAppointmentEnded, eff, pl); !ok {
		return false
	}
	p.ended = append(p.ended, pl)
	return true
}

func (g *generator) shares(p *genPart) []domain.Share {
	if len(p.partners) < 2 {
		return nil
	}
	order := g.rng.Perm(len(p.partners))
	a := 1000 * (1 + g.rng.IntN(9))
	return []domain.Share{{Council: p.partners[order[0]].Council, BasisPoints: domain.BasisPoints(a)},
		{Council: p.partners[order[1]].Council, BasisPoints: domain.BasisPoints(10000 - a)}}
}

func (g *generator) costShare(p *genPart) bool {
	eff := g.date(p)
	subject := pick(g, genPosts)
	if len(p.appts) > 0 && g.rng.IntN(2) == 0 {
		subject = g.postVariant(pick(g, p.appts).Post)
	} else if g.rng.IntN(3) == 0 {
		subject = pick(g, genServices)
	}
	shares := g.shares(p)
	basis := domain.ShareFixedRatio
	if len(shares) == 2 && shares[0].BasisPoints == 5000 {
		basis = domain.ShareEqual
	}
	_, ok := g.record(p, domain.TypeCostShareAgreed, eff, domain.CostShareAgreed{Subject: subject, Basis: basis, Shares: shares, AppliesFrom: eff})
	return ok
}

func (g *generator) money(p *genPart) bool {
	eff := g.date(p)
	fy := domain.FinancialYearOf(eff)
	council := g.partner(p)
	amount := domain.Pence(100 * (1 + g.rng.IntN(50000)))
	cat := pick(g, genCategories)
	switch g.rng.IntN(5) {
	case 0:
		_, ok := g.record(p, domain.TypeSavingsTargetSet, eff, domain.SavingsTargetSet{Council: council, FinancialYear: fy, Category: cat, AmountPence: amount})
		return ok
	case 1:
		_, ok := g.record(p, domain.TypeOneOffCostIncurred, eff, domain.OneOffCostIncurred{Council: council, FinancialYear: fy, Category: cat, AmountPence: amount})
		return ok
	case 2:
		// An outturn is dated after the end of its year.
		fy--
		if eff.After(fy.End()) {
			_, ok := g.record(p, domain.TypeSavingsReported, eff, domain.SavingsReported{Council: council, FinancialYear: fy, Category: cat,
				AmountPence: amount, Status: domain.SavingsOutturn, PeriodTo: fy.End()})
			return ok
		}
		fy++
		fallthrough
	default:
		if g.rng.IntN(8) == 0 {
			amount = -amount
		}
		_, ok := g.record(p, domain.TypeSavingsReported, eff, domain.SavingsReported{Council: council, FinancialYear: fy, Category: cat,
			AmountPence: amount, Status: domain.SavingsForecast, PeriodTo: fy.End()})
		return ok
	}
}

func (g *generator) review(p *genPart) bool {
	eff := g.date(p)
	switch {
	case len(p.reviews) == 0 || g.rng.IntN(4) == 0:
		name := fmt.Sprintf("review-%d", len(p.reviews)+1)
		pl := domain.ReviewScheduled{Review: name, DueOn: eff.AddDays(30 + g.rng.IntN(200)),
			Bodies: []domain.BodyRef{{Council: g.partner(p), Body: "overview and scrutiny"}}, TermsOfReference: "is it working"}
		if _, ok := g.record(p, domain.TypeReviewScheduled, eff, pl); !ok {
			return false
		}
		p.reviews = append(p.reviews, name)
		return true
	case g.rng.IntN(4) == 0:
		_, ok := g.record(p, domain.TypeExternalReviewCommissioned, eff, domain.ExternalReviewCommissioned{Reviewer: "the LGA", Scope: "shared management",
			Review: pick(g, p.reviews)})
		return ok
	default:
		pl := domain.ReviewOutcomeRecorded{Review: pick(g, p.reviews), Council: g.partner(p),
			Outcome:   pick(g, []string{domain.ReviewContinue, domain.ReviewMakePermanent, domain.ReviewExtend, domain.ReviewVary, domain.ReviewTerminate}),
			Rationale: "as the report says"}
		if len(p.decisions) > 0 && g.rng.IntN(2) == 0 {
			m := pick(g, p.decisions)
			pl.Minute = &m
		}
		_, ok := g.record(p, domain.TypeReviewOutcomeRecorded, eff, pl)
		return ok
	}
}

func (g *generator) service(p *genPart) bool {
	eff := g.date(p)
	svc := pick(g, genServices)
	switch g.rng.IntN(3) {
	case 0:
		_, ok := g.record(p, domain.TypeServiceSharingProposed, eff, domain.ServiceSharingProposed{Service: svc, Candidates: []domain.CouncilRef{g.partner(p)}})
		return ok
	case 1:
		if len(p.services) > 0 {
			s := pick(g, p.services)
			_, ok := g.record(p, domain.TypeServiceReturnedToSeparateDelivery, eff, domain.ServiceReturnedToSeparateDelivery{Service: s, Reason: "cost"})
			return ok
		}
	}
	sh := g.shares(p)
	if len(sh) < 2 {
		return false
	}
	pl := domain.ServiceMovedToSharedDelivery{Service: svc, LeadCouncil: sh[0].Council, ReceivingCouncils: []domain.CouncilRef{sh[1].Council}, From: eff}
	if g.rng.IntN(2) == 0 {
		n := g.rng.IntN(40)
		pl.StaffTransferred = &n
	}
	if _, ok := g.record(p, domain.TypeServiceMovedToSharedDelivery, eff, pl); !ok {
		return false
	}
	p.services = append(p.services, svc)
	return true
}

func (g *generator) agreement(p *genPart) bool {
	eff := g.date(p)
	if len(p.agreement) > 0 && g.rng.IntN(2) == 0 {
		pl := domain.AgreementVaried{Reference: pick(g, p.agreement), Variation: "longer", Ends: eff.AddDays(365), NoticeDays: 90}
		_, ok := g.record(p, domain.TypeAgreementVaried, eff, pl)
		return ok
	}
	sh := g.shares(p)
	if len(sh) < 2 {
		return false
	}
	ref := fmt.Sprintf("s113-%d", len(p.agreement)+1)
	pl := domain.AgreementExecuted{Reference: ref, Kind: domain.AgreementS113, Title: "Section 113 agreement",
		Parties: []domain.CouncilRef{sh[0].Council, sh[1].Council}, Signed: eff, Commences: eff.AddDays(g.rng.IntN(30)),
		AuthorisedBy: g.citation(p)}
	if g.rng.IntN(2) == 0 {
		pl.Ends = pl.Commences.AddDays(365)
	}
	if _, ok := g.record(p, domain.TypeAgreementExecuted, eff, pl); !ok {
		return false
	}
	p.agreement = append(p.agreement, ref)
	return true
}

func (g *generator) join(p *genPart) bool {
	if len(p.outsiders) == 0 {
		return g.withdraw(p)
	}
	i := g.rng.IntN(len(p.outsiders))
	if len(p.former) > 0 && g.rng.IntN(3) != 0 {
		// A council that withdrew joins again.
		back := pick(g, p.former)
		i = slices.IndexFunc(p.outsiders, func(c domain.Council) bool { return c.Council == back })
		if i < 0 {
			i = g.rng.IntN(len(p.outsiders))
		}
	}
	c := p.outsiders[i]
	if g.opts.RenameOnJoin && g.rng.IntN(2) == 0 {
		c.Name = strings.TrimSuffix(strings.TrimSuffix(c.Name, " Council"), " District") + " Council" // named otherwise on joining
	}
	if _, ok := g.record(p, domain.TypeCouncilJoinedPartnership, g.date(p), domain.CouncilJoinedPartnership{Council: c, AuthorisedBy: g.citation(p)}); !ok {
		return false
	}
	p.partners = append(p.partners, c)
	p.outsiders = append(p.outsiders[:i:i], p.outsiders[i+1:]...)
	return true
}

func (g *generator) withdraw(p *genPart) bool {
	var noticed []domain.CouncilRef
	for _, x := range p.partners {
		if _, ok := p.notices[x.Council]; ok {
			noticed = append(noticed, x.Council)
		}
	}
	mutual := len(p.decisions) > 0 && g.rng.IntN(3) == 0
	if len(noticed) > 0 && g.rng.IntN(3) != 0 || mutual {
		c, eff := g.partner(p), g.date(p)
		pl := domain.CouncilWithdrew{Council: c, Reason: "leaving"}
		if mutual {
			pl.AuthorisedBy = []domain.MinuteRef{pick(g, p.decisions)}
		} else {
			c = pick(g, noticed)
			pl.Council = c
			eff = p.notices[c].AddDays(g.rng.IntN(20))
			if g.rng.IntN(4) == 0 {
				eff = g.date(p) // perhaps too early: the domain decides
			}
		}
		if _, ok := g.record(p, domain.TypeCouncilWithdrew, eff, pl); !ok {
			return false
		}
		for i, x := range p.partners {
			if x.Council == c {
				p.partners = append(p.partners[:i:i], p.partners[i+1:]...)
				p.outsiders = append(p.outsiders, x)
				p.former = append(p.former, c)
				break
			}
		}
		delete(p.notices, c)
		return true
	}
	c := g.partner(p)
	eff := g.date(p)
	days := pick(g, []int{0, 30, 90, 180})
	pl := domain.WithdrawalNoticeGiven{Council: c, NoticeDays: days, ProposedEnd: eff.AddDays(days + g.rng.IntN(30)), AuthorisedBy: g.citation(p)}
	if _, ok := g.record(p, domain.TypeWithdrawalNoticeGiven, eff, pl); !ok {
		return false
	}
	p.notices[c] = eff.AddDays(days)
	return true
}

func (g *generator) funding(p *genPart) bool {
	eff := g.date(p)
	if g.rng.IntN(2) == 0 {
		pl := domain.BusinessCasePublished{Document: "Business case", Options: []string{"share", "do nothing"},
			ProjectedSavings: []domain.CouncilAmount{{Council: g.partner(p), FinancialYear: domain.FinancialYearOf(eff), Category: "shared management",
				AmountPence: domain.Pence(100 * (1 + g.rng.IntN(90000)))}}}
		_, ok := g.record(p, domain.TypeBusinessCasePublished, eff, pl)
		return ok
	}
	pl := domain.ExternalFundingAwarded{Funder: "Improvement East", Recipients: []domain.CouncilRef{g.partner(p)},
		AmountPence: domain.Pence(100 * (1 + g.rng.IntN(90000))), Purpose: "to plan the sharing"}
	_, ok := g.record(p, domain.TypeExternalFundingAwarded, eff, pl)
	return ok
}

func (g *generator) dissolve(p *genPart) bool {
	if len(p.recorded) < 6 {
		return g.money(p)
	}
	eff := g.date(p)
	if _, ok := g.record(p, domain.TypePartnershipDissolved, eff, domain.PartnershipDissolved{Reason: "the councils chose their own teams", AuthorisedBy: g.citation(p)}); !ok {
		return false
	}
	p.dissolved = true
	return true
}

// windDown records what may follow a dissolution (which ended the appointments, roles, cost shares
// and shared services: an end or a vacation is refused, and tried now and then to keep it so), or
// corrects and retracts (which may undo it).
func (g *generator) windDown(p *genPart) bool {
	switch g.rng.IntN(7) {
	case 0:
		return g.endAppointment(p)
	case 1:
		return g.vacate(p)
	case 2, 3:
		return g.correct(p)
	case 4:
		return g.retract(p)
	case 5:
		return g.decision(p)
	default:
		return g.money(p)
	}
}

// correct records an EventCorrected of an accepted event: its effective date (with the payload's
// own date moved too where the two must agree), an amount, a name, a post, an outcome or its
// certainty.
func (g *generator) correct(p *genPart) bool {
	if len(p.recorded) == 0 {
		return false
	}
	target := pick(g, p.recorded)
	c := domain.EventCorrected{Target: target.id, Reason: "the minutes say otherwise"}
	data := map[string]any{}
	moveDate := func() {
		c.EffectiveOn = target.eff.AddDays(g.rng.IntN(61) - 30)
	}
	switch pl := target.payload.(type) {
	case domain.PartnershipProposed:
		switch g.rng.IntN(3) {
		case 0:
			partners := append([]domain.Council(nil), pl.Partners...)
			i := g.rng.IntN(len(partners))
			partners[i].Name = "The " + partners[i].Name
			data["partners"] = partners
		case 1:
			data["name"] = "Renamed " + pl.Name
		default:
			moveDate()
		}
	case domain.JointAppointmentMade:
		switch g.rng.IntN(4) {
		case 0:
			moveDate()
			data["starts_on"] = c.EffectiveOn
		case 1:
			data["officer"] = domain.Officer{Name: g.variant(pick(g, genOfficers))}
		case 2:
			data["post"] = g.postVariant(pick(g, genPosts))
		default:
			data["basis"] = domain.BasisPermanent
		}
	case domain.CostShareAgreed:
		if g.rng.IntN(2) == 0 {
			moveDate()
			data["applies_from"] = c.EffectiveOn
		} else if sh := g.shares(p); len(sh) == 2 {
			data["shares"] = sh
			data["basis"] = domain.ShareFixedRatio
		}
	case domain.ServiceMovedToSharedDelivery:
		moveDate()
		data["from"] = c.EffectiveOn
	case domain.SavingsTargetSet, domain.SavingsReported, domain.OneOffCostIncurred, domain.ExternalFundingAwarded:
		if g.rng.IntN(3) == 0 {
			moveDate()
		} else {
			data["amount_pence"] = 100 * (1 + g.rng.IntN(60000))
		}
	case domain.DecisionTaken:
		if g.rng.IntN(2) == 0 {
			data["outcome"] = pick(g, []string{domain.OutcomeApproved, domain.OutcomeRejected})
		} else {
			data["resolution"] = "to share, as amended"
		}
	case domain.StatutoryRoleDesignated:
		if g.rng.IntN(2) == 0 {
			data["officer"] = domain.Officer{Name: g.variant(pl.Officer.Name)}
		} else {
			moveDate()
		}
	case domain.CouncilJoinedPartnership:
		cc := pl.Council
		cc.Name = cc.Name + " (corrected)"
		data["council"] = cc
	default:
		moveDate()
	}
	if len(data) > 0 {
		b, err := json.Marshal(data)
		if err != nil {
			g.t.Fatalf("encode a correction: %v", err)
		}
		c.Data = b
	}
	if g.rng.IntN(5) == 0 {
		c.Certainty = domain.Inferred
	}
	if len(c.Data) == 0 && c.EffectiveOn.IsZero() && c.Certainty == "" {
		c.Certainty = domain.Reported
		c.Sources = []domain.SourceRef{{Kind: domain.SourcePress, Title: "Eastern Daily Press"}}
	}
	// The correction is recorded on a date of its own; what it corrects keeps (or moves to) its date.
	_, ok := g.record(p, domain.TypeEventCorrected, p.cursor, c)
	return ok
}

func (g *generator) retract(p *genPart) bool {
	if len(p.recorded) == 0 {
		return false
	}
	target := pick(g, p.recorded)
	if target.typ == domain.TypePartnershipProposed && g.rng.IntN(8) != 0 {
		target = pick(g, p.recorded) // retracting the proposal leaves nothing valid to add: rarely
	}
	_, ok := g.record(p, domain.TypeEventRetracted, p.cursor, domain.EventRetracted{Target: target.id,
		Reason: pick(g, []string{domain.RetractEnteredInError, domain.RetractDuplicate, domain.RetractSourceWithdrawn})})
	return ok
}

// step is one command of a scripted history: its effective date and payload.
type step struct {
	eff     string
	payload domain.Payload
}

// scripted records the steps in one partnership through the domain's decision, each of which must be
// accepted, and returns the history.
func scripted(t testing.TB, slug string, steps ...step) history {
	t.Helper()
	g := &generator{t: t, rng: rand.New(rand.NewPCG(1, 1)), store: memstore.New(memstore.Options{}), clock: genStart}
	g.rec = recording.NewWithOptions(g.store, recording.Options{Clock: g.tick, Timeout: -1})
	p := &genPart{slug: slug, notices: map[domain.CouncilRef]domain.Date{}}
	for i, s := range steps {
		if _, ok := g.record(p, s.payload.EventType(), domain.MustDate(s.eff), s.payload); !ok {
			t.Fatalf("step %d (%s, %s) was refused", i, s.payload.EventType(), s.eff)
		}
	}
	h := history{name: "the scripted history of " + t.Name(), slugs: []string{slug}}
	for e, err := range g.store.ReadAll(context.Background(), 0, eventstore.Forward, 0) {
		if err != nil {
			t.Fatalf("read the scripted log: %v", err)
		}
		h.events = append(h.events, e)
	}
	return h
}
