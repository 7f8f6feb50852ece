package words

import (
	"fmt"
	"strings"

	"github.com/partnership-ledger/ledger/domain"
)

// Event is the one line a councillor reads for an event: "Karen Sly appointed chief finance officer
// (s151) for Great Yarmouth Borough Council and North Norfolk District Council, interim". typ is the
// event's type and p its payload as in effect (corrections applied); names gives councils' names (a
// council it does not name is written as its slug). A payload this build does not know (nil) is
// written as its type.
func Event(typ string, p domain.Payload, names Names) string {
	switch p := p.(type) {
	case domain.PartnershipProposed:
		return fmt.Sprintf("Partnership proposed: %s (%d councils)", p.Name, len(p.Partners))
	case domain.CouncilJoinedPartnership:
		return fmt.Sprintf("%s joined the partnership", orText(p.Council.Name, p.Council.Council.String()))
	case domain.WithdrawalNoticeGiven:
		return fmt.Sprintf("%s gave %d days' notice of withdrawal", names.Council(p.Council), p.NoticeDays)
	case domain.CouncilWithdrew:
		return fmt.Sprintf("%s withdrew: %s", names.Council(p.Council), p.Reason)
	case domain.ExternalFundingAwarded:
		return fmt.Sprintf("%s awarded %s to %s", p.Funder, p.AmountPence.String(), names.Councils(p.Recipients))
	case domain.BusinessCasePublished:
		return "Business case published: “" + p.Document + "”"
	case domain.DecisionTaken:
		return fmt.Sprintf("%s (%s, %s): %s", orText(p.Minute.Raw, p.Minute.Body), names.Council(p.Minute.Council), p.Outcome, p.Resolution)
	case domain.AgreementExecuted:
		return fmt.Sprintf("Agreement signed (%s): %s", Phrase(p.Kind), p.Title)
	case domain.AgreementVaried:
		return fmt.Sprintf("Agreement %s varied: %s", p.Reference, p.Variation)
	case domain.JointAppointmentMade:
		cs := make([]domain.CouncilRef, len(p.Councils))
		for i, c := range p.Councils {
			cs[i] = c.Council
		}
		return fmt.Sprintf("%s appointed %s for %s, %s", p.Officer.Name, Post(p.Post, p.StatutoryRole), names.Councils(cs), p.Basis)
	case domain.StatutoryRoleDesignated:
		return fmt.Sprintf("%s designated %s at %s", p.Officer.Name, Role(p.Role), names.Council(p.Council))
	case domain.StatutoryRoleVacated:
		return fmt.Sprintf("%s no longer %s at %s", p.Officer.Name, Role(p.Role), names.Council(p.Council))
	case domain.AppointmentEnded:
		last := ""
		if !p.LastDay.IsZero() {
			last = ", last day " + p.LastDay.Long() // in force that day, out of force from the next
		}
		return fmt.Sprintf("%s's appointment as %s ended for %s%s (%s)", p.Officer.Name, Phrase(p.Post), names.Councils(p.Councils), last, p.Reason)
	case domain.ServiceSharingProposed:
		return fmt.Sprintf("%s %s by %s", Capital(Phrase(p.Service)), SharingCandidate, names.Councils(p.Candidates))
	case domain.ServiceMovedToSharedDelivery:
		return fmt.Sprintf("%s moved to shared delivery led by %s", Capital(Phrase(p.Service)), names.Council(p.LeadCouncil))
	case domain.ServiceReturnedToSeparateDelivery:
		return fmt.Sprintf("%s returned to separate delivery", Capital(Phrase(p.Service)))
	case domain.CostShareAgreed:
		parts := make([]string, len(p.Shares))
		for i, s := range p.Shares {
			parts[i] = fmt.Sprintf("%s %s", names.Council(s.Council), s.BasisPoints)
		}
		return fmt.Sprintf("Cost of %s shared (%s basis): %s", Phrase(p.Subject), Phrase(p.Basis), strings.Join(parts, ", "))
	case domain.SavingsTargetSet:
		return fmt.Sprintf("Savings target for %s in %s: %s (%s)", names.Council(p.Council), p.FinancialYear, p.AmountPence.String(), p.Category)
	case domain.SavingsReported:
		return fmt.Sprintf("Savings %s for %s in %s: %s (%s)", p.Status, names.Council(p.Council), p.FinancialYear, p.AmountPence.String(), p.Category)
	case domain.OneOffCostIncurred:
		return fmt.Sprintf("One-off cost at %s in %s: %s (%s)", names.Council(p.Council), p.FinancialYear, p.AmountPence.String(), p.Category)
	case domain.ReviewScheduled:
		bodies := make([]string, len(p.Bodies))
		for i, b := range p.Bodies {
			bodies[i] = b.Body + " of " + names.Council(b.Council)
		}
		if len(bodies) == 0 {
			return fmt.Sprintf("Review scheduled, due %s", p.DueOn.Long())
		}
		return fmt.Sprintf("Review scheduled, due %s, for the %s", p.DueOn.Long(), JoinAnd(bodies))
	case domain.ExternalReviewCommissioned:
		return fmt.Sprintf("External review commissioned from %s: %s", p.Reviewer, p.Scope)
	case domain.ReviewOutcomeRecorded:
		return fmt.Sprintf("%s decided to %s (review outcome)", names.Council(p.Council), Outcome(p.Outcome))
	case domain.PartnershipDissolved:
		return "Partnership dissolved: " + p.Reason
	}
	return typ
}
