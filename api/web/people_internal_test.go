package web

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestForPeople: the domain's messages a page can meet (domain/decide.go, fold.go, checks.go,
// values.go), rewritten in the pages' words: councils by name, event types in words, no event id,
// dates in words, no member names, enum values or format notes.
func TestForPeople(t *testing.T) {
	fs := []formField{
		{Name: "council", Kind: kindCouncil, Choices: []choice{{Value: "north-norfolk", Text: "North Norfolk District Council"}, {Value: "great-yarmouth", Text: "Great Yarmouth Borough Council"}}},
		{Name: "partners", Kind: kindList, Rows: []formField{{Kind: kindNewCouncil, Fields: []formField{
			{Name: "council", Kind: kindText, Value: "fenland"}, {Name: "name", Kind: kindText, Value: "Fenland District Council"}}}}},
	}
	for msg, want := range map[string]string{
		"council nowhere is not an active partner on 2016-01-04":                                                        "council nowhere is not an active partner on 4 January 2016",
		"council north-norfolk is not an active partner on 2016-01-04":                                                  "North Norfolk District Council is not an active partner on 4 January 2016",
		"council north-norfolk is listed twice":                                                                         "North Norfolk District Council is listed twice",
		"council fenland is listed twice":                                                                               "Fenland District Council is listed twice",
		`great-yarmouth already has an outcome for review "june-2016"`:                                                  `Great Yarmouth Borough Council already has an outcome for review "june-2016"`,
		`no review "june-2016" is scheduled on or before 2016-06-30; record ReviewScheduled first`:                      `no review "june-2016" is scheduled on or before 30 June 2016; record “Review scheduled” first`,
		"every source is a press report, so the certainty must be reported (got confirmed)":                             "every source is a press report, so the certainty must be reported, but confirmed was chosen",
		"event b85998d2-1c1b-4b9e-9c1e-2f1d6a3e9f00 (SavingsReported) has been retracted":                               "the event (“Savings reported”) has been retracted",
		"event b85998d2-1c1b-4b9e-9c1e-2f1d6a3e9f00 is a EventRetracted; correct or retract the original event instead": "the event is a retraction; correct or retract the original event instead",
		"is required (the date the event takes effect, YYYY-MM-DD)":                                                     "is required (the date the event takes effect)",
		"is required (the meeting date, YYYY-MM-DD)":                                                                    "is required (the meeting date)",
		"is required (YYYY-MM-DD)":                                                                                      "is required",
		"is required (confirmed, reported or inferred)":                                                                 "is required: choose how certain the fact is",
		"is required (one of entered_in_error, source_withdrawn, duplicate)":                                            "is required: choose one",
		`"ftp://x" is not an http(s) URL`:                                                                               "must be a web address starting https:// or http://",
		"must be a positive whole number of pence":                                                                      "must be an amount of more than £0",
		"2016-04-02 differs from the event's effective_on (2016-04-01); they must be the same date":                     "2 April 2016 differs from the event's date it takes effect (1 April 2016); they must be the same date",
		"shares sum to 9000 basis points; they must sum to exactly 10000 (100%)":                                        "shares sum to 90%; they must sum to exactly 100%",
		"the corrected SavingsReported e9ecd645-bb70-5ca1-983d-0e0cce3199e2 would break a rule: an outturn for 2015/16 can only be dated after 2016-03-31 (the year's end); got 2015-12-18 (conflicts with SavingsReported e9ecd645-bb70-5ca1-983d-0e0cce3199e2)": "the corrected “Savings reported” would break a rule: an outturn for 2015/16 can only be dated after 31 March 2016 (the year's end); got 18 December 2015 (conflicts with “Savings reported”)",
		"must be a whole number written as digits, e.g. 90": "must be a whole number written as digits, e.g. 90",
	} {
		assert.Equal(t, want, forPeople(msg, fs), msg)
	}
}
