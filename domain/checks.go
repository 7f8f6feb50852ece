package domain

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/google/uuid"
)

// The payload checks: rules a payload must meet on its own, whatever the partnership's history.
// Field paths are JSON pointers into the command ("/data/...").

func required(p *problems, field, value, hint string) {
	if Blank(value) {
		p.add(field, "is required"+hint)
	}
}

// Blank reports whether s shows nothing: it is empty or holds only white space (unicode.IsSpace) and
// invisible format characters (Unicode general category Cf: zero-width space U+200B, zero-width joiner
// U+200D, word joiner U+2060, byte order mark U+FEFF, soft hyphen U+00AD, ...). A required text that is
// Blank is refused as "is required".
func Blank(s string) bool {
	for _, r := range s {
		if !unicode.IsSpace(r) && !unicode.Is(unicode.Cf, r) {
			return false
		}
	}
	return true
}

func requiredDate(p *problems, field string, d Date) {
	if d.IsZero() {
		p.add(field, "is required (YYYY-MM-DD)")
	}
}

func requiredCouncil(p *problems, field string, c CouncilRef) {
	if c.IsZero() {
		p.add(field, "is required (a council slug, e.g. north-norfolk)")
	}
}

func oneOf(p *problems, field, value string, allowed ...string) {
	for _, a := range allowed {
		if value == a {
			return
		}
	}
	if value == "" {
		p.addf(field, "is required (one of %s)", strings.Join(allowed, ", "))
		return
	}
	p.addf(field, "%q is not one of %s", value, strings.Join(allowed, ", "))
}

func councilList(p *problems, field string, cs []CouncilRef, min int) {
	if len(cs) < min {
		p.addf(field, "needs at least %d council(s)", min)
	}
	seen := map[CouncilRef]bool{}
	for i, c := range cs {
		f := fmt.Sprintf("%s/%d", field, i)
		if c.IsZero() {
			p.add(f, "is required (a council slug)")
			continue
		}
		if seen[c] {
			p.addf(f, "council %s is listed twice", c)
		}
		seen[c] = true
	}
}

func minutes(p *problems, field string, ms []MinuteRef) {
	for i, m := range ms {
		m.check(p, fmt.Sprintf("%s/%d", field, i))
	}
}

func notNegative(p *problems, field string, v Pence) {
	if v < 0 {
		p.addf(field, "must not be negative (got %d pence)", int64(v))
	}
}

func (e PartnershipProposed) check(p *problems) {
	required(p, "/data/name", e.Name, " (the partnership's name)")
	required(p, "/data/purpose", e.Purpose, " (why the councils are working together)")
	if len(e.Partners) < 2 {
		p.add("/data/partners", "needs at least two councils (a partnership has at least two partners)")
	}
	seen := map[CouncilRef]bool{}
	for i, c := range e.Partners {
		at := fmt.Sprintf("/data/partners/%d", i)
		c.check(p, at)
		if !c.Council.IsZero() && seen[c.Council] {
			p.addf(at+"/council", "council %s is listed twice", c.Council)
		}
		seen[c.Council] = true
	}
	for i, s := range e.Scope {
		required(p, fmt.Sprintf("/data/scope/%d", i), s, " (a service area)")
	}
}

func (e CouncilJoinedPartnership) check(p *problems) {
	e.Council.check(p, "/data/council")
	minutes(p, "/data/authorised_by", e.AuthorisedBy)
}

func (e CouncilWithdrew) check(p *problems) {
	requiredCouncil(p, "/data/council", e.Council)
	required(p, "/data/reason", e.Reason, "")
	minutes(p, "/data/authorised_by", e.AuthorisedBy)
}

func (e WithdrawalNoticeGiven) check(p *problems) {
	requiredCouncil(p, "/data/council", e.Council)
	if e.NoticeDays < 0 {
		p.add("/data/notice_days", "must not be negative")
	}
	requiredDate(p, "/data/proposed_end", e.ProposedEnd)
	minutes(p, "/data/authorised_by", e.AuthorisedBy)
}

func (e ExternalFundingAwarded) check(p *problems) {
	required(p, "/data/funder", e.Funder, "")
	councilList(p, "/data/recipients", e.Recipients, 1)
	if e.AmountPence <= 0 {
		p.add("/data/amount_pence", "must be a positive whole number of pence")
	}
	required(p, "/data/purpose", e.Purpose, "")
}

func councilAmounts(p *problems, field string, as []CouncilAmount, costs bool) {
	for i, a := range as {
		at := fmt.Sprintf("%s/%d", field, i)
		requiredCouncil(p, at+"/council", a.Council)
		if a.FinancialYear == 0 {
			p.add(at+"/financial_year", "is required (the start year, e.g. 2015 for 2015/16)")
		}
		if costs {
			notNegative(p, at+"/amount_pence", a.AmountPence)
		}
	}
}

func (e BusinessCasePublished) check(p *problems) {
	required(p, "/data/document", e.Document, " (the business case's title)")
	councilAmounts(p, "/data/projected_savings", e.ProjectedSavings, false)
	councilAmounts(p, "/data/one_off_costs", e.OneOffCosts, true)
}

func (e DecisionTaken) check(p *problems) {
	e.Minute.check(p, "/data/minute")
	required(p, "/data/resolution", e.Resolution, " (the resolution as minuted)")
	oneOf(p, "/data/outcome", e.Outcome, OutcomeApproved, OutcomeRejected, OutcomeDeferred, OutcomeAmended)
	if e.Votes != nil && (e.Votes.For < 0 || e.Votes.Against < 0 || e.Votes.Abstentions < 0) {
		p.add("/data/votes", "vote counts must not be negative")
	}
}

func (e AgreementExecuted) check(p *problems) {
	required(p, "/data/reference", e.Reference, " (a name for the agreement within the partnership)")
	oneOf(p, "/data/kind", e.Kind, AgreementS113, AgreementJointCommittee, AgreementInterAuthorityAgreement, AgreementSLA)
	required(p, "/data/title", e.Title, "")
	councilList(p, "/data/parties", e.Parties, 2)
	requiredDate(p, "/data/signed", e.Signed)
	requiredDate(p, "/data/commences", e.Commences)
	if !e.Ends.IsZero() && e.Ends.Before(e.Commences) {
		p.addf("/data/ends", "%s is before the agreement commences (%s)", e.Ends, e.Commences)
	}
	if e.NoticeDays < 0 {
		p.add("/data/notice_days", "must not be negative")
	}
	minutes(p, "/data/authorised_by", e.AuthorisedBy)
}

func (e AgreementVaried) check(p *problems) {
	required(p, "/data/reference", e.Reference, " (the reference of the executed agreement)")
	required(p, "/data/variation", e.Variation, " (what changes)")
	if e.NoticeDays < 0 {
		p.add("/data/notice_days", "must not be negative")
	}
	minutes(p, "/data/authorised_by", e.AuthorisedBy)
}

func (e JointAppointmentMade) check(p *problems) {
	required(p, "/data/officer/name", e.Officer.Name, "")
	required(p, "/data/post", e.Post, " (e.g. chief-executive)")
	requiredCouncil(p, "/data/employing_council", e.EmployingCouncil)
	if len(e.Councils) == 0 {
		p.add("/data/councils", "needs at least one council served")
	}
	total := councilShares(p, "/data/councils", "time_share_basis_points", "must be positive (10000 is all of the officer's time)",
		len(e.Councils), func(i int) (CouncilRef, BasisPoints) {
			return e.Councils[i].Council, e.Councils[i].TimeShareBasisPoints
		})
	if total > 10000 {
		p.addf("/data/councils", "time shares sum to %d basis points; an officer has at most 10000 (100%%)", total)
	}
	oneOf(p, "/data/basis", e.Basis, BasisInterim, BasisPermanent)
	requiredDate(p, "/data/starts_on", e.StartsOn)
	if !e.EndsOn.IsZero() && e.EndsOn.Before(e.StartsOn) {
		p.addf("/data/ends_on", "%s is before the appointment starts (%s)", e.EndsOn, e.StartsOn)
	}
	minutes(p, "/data/approvals", e.Approvals)
}

func (e StatutoryRoleDesignated) check(p *problems) {
	requiredCouncil(p, "/data/council", e.Council)
	if e.Role == "" {
		p.add("/data/role", "is required (head_of_paid_service, monitoring_officer or chief_finance_officer)")
	}
	required(p, "/data/officer/name", e.Officer.Name, "")
	minutes(p, "/data/authorised_by", e.AuthorisedBy)
}

func (e StatutoryRoleVacated) check(p *problems) {
	requiredCouncil(p, "/data/council", e.Council)
	if e.Role == "" {
		p.add("/data/role", "is required (head_of_paid_service, monitoring_officer or chief_finance_officer)")
	}
	required(p, "/data/officer/name", e.Officer.Name, "")
}

func (e AppointmentEnded) check(p *problems) {
	required(p, "/data/officer/name", e.Officer.Name, "")
	required(p, "/data/post", e.Post, " (the post of the appointment that ends)")
	councilList(p, "/data/councils", e.Councils, 1)
	requiredDate(p, "/data/last_day", e.LastDay)
	required(p, "/data/reason", e.Reason, " (e.g. resignation, notice, end_of_term)")
}

func (e ServiceSharingProposed) check(p *problems) {
	required(p, "/data/service", e.Service, " (e.g. human resources)")
	councilList(p, "/data/candidates", e.Candidates, 1)
}

func (e ServiceMovedToSharedDelivery) check(p *problems) {
	required(p, "/data/service", e.Service, "")
	requiredCouncil(p, "/data/lead_council", e.LeadCouncil)
	councilList(p, "/data/receiving_councils", e.ReceivingCouncils, 1)
	for i, c := range e.ReceivingCouncils {
		if c == e.LeadCouncil && !c.IsZero() {
			p.addf(fmt.Sprintf("/data/receiving_councils/%d", i), "%s is the lead council; it cannot also receive the service", c)
		}
	}
	requiredDate(p, "/data/from", e.From)
	if e.StaffTransferred != nil && *e.StaffTransferred < 0 {
		p.add("/data/staff_transferred", "must not be negative")
	}
}

func (e ServiceReturnedToSeparateDelivery) check(p *problems) {
	required(p, "/data/service", e.Service, "")
}

func (e CostShareAgreed) check(p *problems) {
	required(p, "/data/subject", e.Subject, " (a post, a service or a joint budget)")
	oneOf(p, "/data/basis", e.Basis, ShareEqual, ShareFixedRatio, ShareCaseload, ShareTime)
	requiredDate(p, "/data/applies_from", e.AppliesFrom)
	if len(e.Shares) < 2 {
		p.add("/data/shares", "needs at least two councils")
	}
	total := councilShares(p, "/data/shares", "basis_points", "must be a positive whole number of basis points",
		len(e.Shares), func(i int) (CouncilRef, BasisPoints) { return e.Shares[i].Council, e.Shares[i].BasisPoints })
	if len(e.Shares) > 0 && total != 10000 {
		p.addf("/data/shares", "shares sum to %d basis points; they must sum to exactly 10000 (100%%)", total)
	}
	if e.Basis == ShareEqual && len(e.Shares) > 1 {
		for _, s := range e.Shares[1:] {
			if d := int(s.BasisPoints) - int(e.Shares[0].BasisPoints); d > 1 || d < -1 {
				p.add("/data/shares", "the basis is equal but the shares differ; use fixed_ratio")
				break
			}
		}
	}
}

func moneyYear(p *problems, c CouncilRef, fy FinancialYear, category string, amount Pence, negativeOK bool) {
	requiredCouncil(p, "/data/council", c)
	if fy == 0 {
		p.add("/data/financial_year", "is required (the start year, e.g. 2015 for 2015/16)")
	}
	required(p, "/data/category", category, " (e.g. shared management)")
	if !negativeOK {
		notNegative(p, "/data/amount_pence", amount)
	}
}

func (e SavingsTargetSet) check(p *problems) {
	moneyYear(p, e.Council, e.FinancialYear, e.Category, e.AmountPence, false)
}

func (e SavingsReported) check(p *problems) {
	moneyYear(p, e.Council, e.FinancialYear, e.Category, e.AmountPence, true)
	oneOf(p, "/data/status", e.Status, SavingsForecast, SavingsOutturn)
	requiredDate(p, "/data/period_to", e.PeriodTo)
	if !e.PeriodTo.IsZero() && e.FinancialYear != 0 && !e.FinancialYear.Contains(e.PeriodTo) {
		p.addf("/data/period_to", "%s is not in financial year %s (%s to %s)", e.PeriodTo, e.FinancialYear,
			e.FinancialYear.Start(), e.FinancialYear.End())
	}
}

func (e OneOffCostIncurred) check(p *problems) {
	moneyYear(p, e.Council, e.FinancialYear, e.Category, e.AmountPence, false)
}

func (e ReviewScheduled) check(p *problems) {
	required(p, "/data/review", e.Review, " (a name for the review, e.g. june-2016)")
	requiredDate(p, "/data/due_on", e.DueOn)
	if len(e.Bodies) == 0 {
		p.add("/data/bodies", "needs at least one body that will hold the review")
	}
	for i, b := range e.Bodies {
		requiredCouncil(p, fmt.Sprintf("/data/bodies/%d/council", i), b.Council)
		required(p, fmt.Sprintf("/data/bodies/%d/body", i), b.Body, "")
	}
}

func (e ExternalReviewCommissioned) check(p *problems) {
	required(p, "/data/reviewer", e.Reviewer, " (e.g. the LGA)")
	required(p, "/data/scope", e.Scope, "")
}

func (e ReviewOutcomeRecorded) check(p *problems) {
	required(p, "/data/review", e.Review, " (the name of the scheduled review)")
	requiredCouncil(p, "/data/council", e.Council)
	oneOf(p, "/data/outcome", e.Outcome, ReviewContinue, ReviewMakePermanent, ReviewExtend, ReviewVary, ReviewTerminate)
	if e.Minute != nil {
		e.Minute.check(p, "/data/minute")
	}
	required(p, "/data/rationale", e.Rationale, "")
}

func (e PartnershipDissolved) check(p *problems) {
	required(p, "/data/reason", e.Reason, "")
	minutes(p, "/data/authorised_by", e.AuthorisedBy)
}

func (e EventCorrected) check(p *problems) {
	if e.Target == uuid.Nil {
		p.add("/data/target", "is required (the id of the event to correct)")
	}
	required(p, "/data/reason", e.Reason, " (why the event is corrected)")
	if len(e.Data) == 0 && e.EffectiveOn.IsZero() && len(e.Sources) == 0 && e.Certainty == "" {
		p.add("/data", "corrects nothing: give data, effective_on, sources or certainty")
	}
	if len(e.Data) > 0 {
		var m map[string]any
		if err := strictUnmarshal(e.Data, &m); err != nil || m == nil {
			p.malformed("/data/data", "must be a JSON object of the corrected fields")
		}
	}
	if len(e.Sources) > MaxSources {
		p.addf("/data/sources", "has %d sources; the limit is %d", len(e.Sources), MaxSources)
	}
	for i, s := range e.Sources {
		s.rules(p, fmt.Sprintf("/data/sources/%d", i)) // limits: checkNew's walk
	}
}

func (e EventRetracted) check(p *problems) {
	if e.Target == uuid.Nil {
		p.add("/data/target", "is required (the id of the event to retract)")
	}
	oneOf(p, "/data/reason", e.Reason, RetractEnteredInError, RetractSourceWithdrawn, RetractDuplicate)
}

// councilShares checks a list of n council shares at pointer list (a JointAppointmentMade's time shares,
// a CostShareAgreed's shares): each names a council, once, with a positive share in the member named
// share (notPositive is its message). It returns the sum of the shares in basis points.
func councilShares(p *problems, list, share, notPositive string, n int, at func(i int) (CouncilRef, BasisPoints)) int {
	seen := map[CouncilRef]bool{}
	total := 0
	for i := range n {
		c, bp := at(i)
		ptr := fmt.Sprintf("%s/%d", list, i)
		requiredCouncil(p, ptr+"/council", c)
		if seen[c] {
			p.addf(ptr+"/council", "council %s is listed twice", c)
		}
		seen[c] = true
		if bp <= 0 {
			p.add(ptr+"/"+share, notPositive)
		}
		total += int(bp)
	}
	return total
}
