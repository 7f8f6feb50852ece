package domain_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/domain"
)

// A correction says field by field what it changed: the trial's end from 31 March to 30 June 2016, a
// member it removed, its sources and certainty; a field set to the value it had is not a change.
func TestCorrectSaysWhatChanged(t *testing.T) {
	press := []domain.SourceRef{{Kind: domain.SourcePress, Title: "EDP"}}
	proposal := domain.PartnershipProposed{Name: "Shared management", Purpose: "share officers", Notes: "draft",
		Partners: []domain.Council{{Council: domain.MustCouncil("great-yarmouth"), Name: "Great Yarmouth Borough Council", Kind: domain.Borough},
			{Council: domain.MustCouncil("north-norfolk"), Name: "North Norfolk District Council", Kind: domain.District}},
		TrialEndsOn: domain.MustDate("2016-03-31")}
	data, err := domain.EncodePayload(proposal)
	require.NoError(t, err)
	target := domain.Recorded{Type: domain.TypePartnershipProposed, Schema: 1, EffectiveOn: domain.MustDate("2015-10-07"),
		Certainty: domain.Inferred, Sources: press, Data: data, Payload: proposal}

	minutes := []domain.SourceRef{{Kind: domain.SourceMinutes, Title: "Cabinet minutes"}}
	got, fields, err := domain.Correct(target, domain.EventCorrected{
		Data:    json.RawMessage(`{"trial_ends_on":"2016-06-30","notes":null,"name":"Shared management"}`),
		Sources: minutes, Certainty: domain.Confirmed, Reason: "the minutes say so"})
	require.NoError(t, err)
	assert.Equal(t, domain.MustDate("2016-06-30"), got.Payload.(domain.PartnershipProposed).TrialEndsOn)
	require.Len(t, fields, 4, "%+v", fields)
	assert.Equal(t, domain.CorrectedField{Field: "notes", Before: json.RawMessage(`"draft"`)}, fields[0], "removed")
	assert.Equal(t, domain.CorrectedField{Field: "trial_ends_on", Before: json.RawMessage(`"2016-03-31"`), After: json.RawMessage(`"2016-06-30"`)}, fields[1])
	assert.Equal(t, "sources", fields[2].Field)
	assert.JSONEq(t, `[{"kind":"press","title":"EDP"}]`, string(fields[2].Before))
	assert.JSONEq(t, `[{"kind":"minutes","title":"Cabinet minutes"}]`, string(fields[2].After))
	assert.Equal(t, domain.CorrectedField{Field: "certainty", Before: json.RawMessage(`"inferred"`), After: json.RawMessage(`"confirmed"`)}, fields[3])

	_, _, err = domain.Correct(target, domain.EventCorrected{Data: json.RawMessage(`{"trial_ends_on":"soon"}`)})
	assert.Error(t, err, "a correction that cannot apply")
}
