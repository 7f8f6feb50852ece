package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The October demo pack words Great Yarmouth's statutory roles as the record supports (issue 21's
// committee review, point 1): the record ends only North Norfolk's designations ([26], [27]) and the
// appointment endings [28], [29] name North Norfolk; the dissolution [30] ended the shared
// appointments, Great Yarmouth's designations are not recorded as ended, who has held its roles since
// is a gap, and its decision [25] is stated as that decision. Was: "held them until 30 September
// 2016", "ended with the dissolution" of the roles, and "may have been without" both officers.
func TestDissolvedPackWordsStandingDesignations(t *testing.T) {
	october := packText(t, seeded(t), "2016-10-01")
	held := "Sheila Oxtoby and Karen Sly held Great Yarmouth Borough Council's head of paid service and chief finance officer (s151) through shared appointments, " +
		"which ended with the dissolution with effect from 1 October 2016 (the last day was 30 September 2016); their designations there are not recorded as ended."
	unheld := "Who has held the head of paid service and chief finance officer (s151) of Great Yarmouth Borough Council since 1 October 2016 is not recorded"

	roles := section(t, october, "2. Winding down")
	roles = roles[strings.Index(roles, "### Matter 2"):strings.Index(roles, "### Matter 3")]
	assert.Contains(t, roles, "- "+unheld+": see section 9; Great Yarmouth Borough Council decided on 13 September 2016 to make the arrangement permanent, "+
		"and the record holds no appointment or designation following that decision. (rests on what the record holds up to event 30) [8, 9, 10, 12, 22, 23, 25, 30]")
	assert.Contains(t, roles, "No head of paid service or chief finance officer (s151) is recorded for North Norfolk District Council from 1 October 2016: see section 9.",
		"North Norfolk's designations were ended by [26] and [27]")
	assert.NotContains(t, roles, "recorded for Great Yarmouth Borough Council from 1 October 2016")

	sec4 := section(t, october, "4. Appointments")
	assert.Contains(t, sec4, "None recorded on 1 October 2016: the shared appointments that carried them ended with the dissolution; "+
		"Great Yarmouth Borough Council's designations are not recorded as ended, and who has held the roles since is not recorded (section 9). [30]")

	risks := section(t, october, "8. Risks")
	assert.Contains(t, risks, "- "+unheld+" (the gap in section 9).")
	assert.NotContains(t, risks, "Great Yarmouth Borough Council may have been without")

	gaps := section(t, october, "9. Gaps and unknowns")
	assert.Contains(t, gaps, "- "+unheld+". _Why it matters:_ Every council must have a head of paid service (Local Government and Housing Act 1989, s4) and a chief finance officer (s151) (Local Government Act 1972, s151). "+held)
}

// A dissolved partnership's exit terms are a gap when none are recorded, consistent with section 2's
// Matter 4, not a check that "does not apply (nothing is shared yet)" (point 3).
func TestDissolvedPackExitTermsAreAGap(t *testing.T) {
	october := packText(t, seeded(t), "2016-10-01")
	exit := section(t, october, "2. Winding down")
	exit = exit[strings.Index(exit, "### Matter 4"):]
	assert.Contains(t, exit, "- No exit terms are recorded (section 9): the notice the ending council had to give")
	gaps := section(t, october, "9. Gaps and unknowns")
	assert.Contains(t, gaps, "- No exit terms are recorded for the sharing the dissolution ended with effect from 1 October 2016 (the last day was 30 September 2016): no agreement in the ledger sets a notice period or an end date. "+
		"_Why it matters:_ The notice the ending council had to give, and who bears the costs of ending the shared posts, such as redundancy or pension strain, depend on terms the record does not hold. "+
		"How certain: rests on what the record holds up to event 30. [8, 9, 22, 23, 28, 29, 30]")
	assert.NotContains(t, gaps, "nothing is shared yet")
	assert.NotContains(t, gaps, "exit terms (")
}

// A fact ended by an event cites that event: the cost shares ended by the dissolution cite [30]
// (point 4).
func TestEndedCostSharesCiteTheDissolution(t *testing.T) {
	october := packText(t, seeded(t), "2016-10-01")
	assert.Contains(t, october, "- The cost shares ended with effect from 1 October 2016 (the last day was 30 September 2016): the chief executive (Great Yarmouth Borough Council 50%, North Norfolk District Council 50%, equal basis) and "+
		"the chief finance officer (Great Yarmouth Borough Council 50%, North Norfolk District Council 50%, equal basis). (inferred from other facts) [14, 15, 30]")
}

// The cover says what the record holds of each body's consideration: the council's review outcome and
// its date, with the meeting not recorded (point 5; was "meeting date not recorded" for both while
// section 1 gave both decisions).
func TestCoverSaysTheOutcomeRecorded(t *testing.T) {
	store := seeded(t)
	october := packText(t, store, "2016-10-01")
	assert.Contains(t, october, "| **Considered by** | Full council of Great Yarmouth Borough Council: review outcome recorded on 13 September 2016; meeting not recorded [25] |")
	assert.Contains(t, october, "| **Considered by** | Cabinet of North Norfolk District Council: review outcome recorded on 6 September 2016; meeting not recorded [24] |")
	june := packText(t, store, "2016-06-15", "--known-at", "2016-06-15")
	assert.Contains(t, june, "| **Considered by** | Cabinet of North Norfolk District Council: meeting date not recorded |", "no outcome is known in June")
}

// Every absence states what it rests on, the record up to the pack's last event, in section 2 and in
// section 9 alike; no absence carries a source's certainty (point 6).
func TestAbsencesSayWhatTheyRestOn(t *testing.T) {
	store := seeded(t)
	june := packText(t, store, "2016-06-15", "--known-at", "2016-06-15")
	october := packText(t, store, "2016-10-01")
	for _, tc := range []struct {
		pack, want string
	}{
		{june, "a permanent arrangement would need one setting out how the officers are directed, paid for and released. (rests on what the record holds up to event 23) [8, 9, 22, 23]"},
		{june, "who bears the costs of ending, cannot be stated from the record. (rests on what the record holds up to event 23) [8, 9, 22, 23]"},
		{october, "what each council owes the other for the shared posts cannot be stated from the record. (rests on what the record holds up to event 30) [14, 15]"},
		{october, "what the partnership saved in that year cannot be stated from the record. (rests on what the record holds up to event 30) [16, 17]"},
		{october, "cannot be stated from the record. (rests on what the record holds up to event 30) [8, 9, 22, 23, 28, 29, 30]"},
		{october, "cannot be answered from this record. How certain: rests on what the record holds up to event 30. [16, 17]"},
	} {
		assert.Contains(t, tc.pack, tc.want)
	}
	for _, md := range []string{june, october} {
		for _, line := range strings.Split(section(t, md, "9. Gaps and unknowns"), "\n") {
			if strings.HasPrefix(line, "- ") {
				assert.Contains(t, line, "How certain: rests on what the record holds up to event ", line)
			}
		}
		for _, line := range strings.Split(section(t, md, "2. "), "\n") {
			if strings.HasPrefix(line, "- ") {
				assert.Regexp(t, `\((inferred from other facts|reported by a secondary source|confirmed by a primary source|recorded as confirmed; no confirming source|rests on what the record holds up to event \d+)\) \[`, line, "every fact of section 2 says how certain it is")
			}
		}
	}
}
