package words_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/words"
)

// Cited marks the minute an event's line prints with what its sources assume, once, and leaves a
// line whose minute no source assumes (or that prints none) as it is.
func TestCitedMarksTheMinuteItPrints(t *testing.T) {
	m := domain.MinuteRef{Council: domain.MustCouncil("great-yarmouth"), Body: "full council", Meeting: domain.MustDate("2015-10-15"), Item: "8",
		Raw: "Full Council 15 October 2015, item 8"}
	d := domain.DecisionTaken{Minute: m, Resolution: "To share.", Outcome: domain.OutcomeApproved}
	line := words.Event(d.EventType(), d, words.Names{})
	minutes := domain.SourceRef{Kind: domain.SourceMinutes, Title: "Full Council minutes", Published: m.Meeting, Locator: "item 8",
		Assumed: []string{domain.DetailLocator}}
	cited := words.Cited(line, d, []domain.SourceRef{minutes})
	assert.Equal(t, "Full Council 15 October 2015, item 8 (assumed: minute number) (great-yarmouth, approved): To share.", cited)
	assert.Equal(t, cited, words.Cited(cited, d, []domain.SourceRef{minutes}), "marked once")
	minutes.Assumed = nil
	assert.Equal(t, line, words.Cited(line, d, []domain.SourceRef{minutes}), "nothing assumed")
	assert.Equal(t, line, words.Cited(line, nil, nil), "no payload")
}

// Actor words the CLI's recorded_by for a person, never "cli:unknown".
func TestActorInWords(t *testing.T) {
	assert.Equal(t, "someone at the command line whose name was not recorded", words.Actor("cli:unknown"))
	assert.Equal(t, "alice, at the command line", words.Actor("cli:alice"))
	assert.Equal(t, "the demo loader (ledger seed), not a person", words.Actor(domain.DemoActor))
	assert.Equal(t, "demo clerk", words.Actor("demo clerk"), "a token's name as recorded")
}
