package reviewpack

import (
	"fmt"
	"slices"
	"strings"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/words"
)

// closers are, for each kind of gap and risk, the event types whose recording can close it (besides a
// correction or a retraction, which can close any): "Changes since the last report" names the events
// of these types recorded since as what closed a finding that no longer applies.
var closers = map[string][]string{
	GapNoS113Agreement: {domain.TypeAgreementExecuted, domain.TypeAgreementVaried, domain.TypeAppointmentEnded, domain.TypePartnershipDissolved, domain.TypeCouncilWithdrew},
	GapNoStatutoryRole: {domain.TypeStatutoryRoleDesignated, domain.TypeJointAppointmentMade, domain.TypeStatutoryRoleVacated, domain.TypeAppointmentEnded,
		domain.TypePartnershipDissolved, domain.TypeCouncilWithdrew},
	GapNoApproval:      {domain.TypeDecisionTaken, domain.TypeJointAppointmentMade, domain.TypeAppointmentEnded, domain.TypePartnershipDissolved, domain.TypeCouncilWithdrew},
	GapNoCostShare:     {domain.TypeCostShareAgreed, domain.TypeAppointmentEnded, domain.TypePartnershipDissolved, domain.TypeCouncilWithdrew},
	GapNoOutturn:       {domain.TypeSavingsReported},
	GapNoSavingsTarget: {domain.TypeSavingsTargetSet},
	GapNoExitTerms: {domain.TypeAgreementExecuted, domain.TypeAgreementVaried, domain.TypeAppointmentEnded, domain.TypeServiceReturnedToSeparateDelivery,
		domain.TypePartnershipDissolved},
	GapRoleVacant: {domain.TypeStatutoryRoleDesignated, domain.TypeJointAppointmentMade}, // RiskRoleVacant too
	RiskRolesLapseTogether: {domain.TypeStatutoryRoleDesignated, domain.TypeJointAppointmentMade, domain.TypeStatutoryRoleVacated, domain.TypeAppointmentEnded,
		domain.TypePartnershipDissolved, domain.TypeCouncilWithdrew},
	RiskOneOfficerTwoRoles: {domain.TypeStatutoryRoleDesignated, domain.TypeStatutoryRoleVacated, domain.TypeAppointmentEnded, domain.TypePartnershipDissolved,
		domain.TypeCouncilWithdrew},
	RiskUndecidedAfterEnd: {domain.TypeReviewOutcomeRecorded, domain.TypeReviewScheduled, domain.TypePartnershipDissolved},
}

// closedBy says which events recorded since the last report (rows, in seq order) closed the finding
// f, in words, with their seqs: those of a type that can close its kind (closers), and corrections
// and retractions. "" when none of them can.
func (c *composer) closedBy(f Finding, rows []ChangeRow) (string, []uint64) {
	types := make(map[uint64]string, len(c.ev.Events))
	for _, ce := range c.ev.Events {
		types[ce.Event.Seq] = ce.Event.Type
	}
	var found []ChangeRow
	for _, row := range rows {
		t := types[row.Seq]
		if t == domain.TypePartnershipDissolved && slices.Contains(closers[f.Kind], t) {
			found = []ChangeRow{row} // the dissolution ends the sharing: it alone closes what the sharing raised
			break
		}
		if slices.Contains(closers[f.Kind], t) || t == domain.TypeEventCorrected || t == domain.TypeEventRetracted {
			found = append(found, row)
		}
	}
	if len(found) == 0 {
		return "", nil
	}
	parts := make([]string, len(found))
	seqs := make([]uint64, len(found))
	for i, row := range found {
		parts[i] = fmt.Sprintf("event %d (%s)", row.Seq, strings.TrimSuffix(row.What, "."))
		seqs[i] = row.Seq
	}
	return "Closed by " + words.JoinAnd(parts) + ".", seqs
}
