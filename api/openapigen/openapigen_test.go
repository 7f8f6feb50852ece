package openapigen_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/api/openapigen"
	"github.com/partnership-ledger/ledger/domain"
)

// command turns a request body of the document's examples into the command Decide reads.
func command(t *testing.T, body map[string]any) domain.Command {
	t.Helper()
	b, err := json.Marshal(body)
	require.NoError(t, err)
	cmd, err := domain.DecodeCommand("great-yarmouth-north-norfolk", b)
	require.NoError(t, err)
	return cmd
}

// problems returns the fields Decide's history-free checks (domain.CheckCommand) refuse in cmd.
func problems(t *testing.T, cmd domain.Command) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	err := domain.CheckCommand(cmd)
	if err == nil {
		return out
	}
	var ve *domain.ValidationError
	require.True(t, errors.As(err, &ve), "%v", err)
	for _, p := range ve.Problems {
		out[p.Field] = append(out[p.Field], p.Message)
	}
	return out
}

// TestEveryTypeHasAnExampleDecideAccepts: each event type's example (the demo's first event of the
// type, else examples.json) passes Decide's checks of a command on its own.
func TestEveryTypeHasAnExampleDecideAccepts(t *testing.T) {
	types := openapigen.EventTypes()
	require.Len(t, types, len(domain.EventTypes()))
	demo := 0
	for _, e := range types {
		assert.Equal(t, e.Name, e.Example["type"])
		assert.Empty(t, problems(t, command(t, e.Example)), "%s's example", e.Name)
		if e.FromDemo {
			demo++
		}
	}
	assert.GreaterOrEqual(t, demo, 14, "the demo's events are the examples where it has them")
}

// TestRequiredMatchesDecide: the members a data schema requires are exactly those whose absence
// Decide refuses (at /data/<member>) when data is {}.
func TestRequiredMatchesDecide(t *testing.T) {
	schemas := openapigen.Generated()
	for _, e := range openapigen.EventTypes() {
		body := map[string]any{}
		for k, v := range e.Example {
			body[k] = v
		}
		body["data"] = map[string]any{}
		got := problems(t, command(t, body))
		var refused []string
		for field := range got {
			// a member that is an object is refused at its own required members (/data/officer/name)
			if name, ok := strings.CutPrefix(field, "/data/"); ok {
				name, _, _ = strings.Cut(name, "/")
				if !slices.Contains(refused, name) {
					refused = append(refused, name)
				}
			}
		}
		var required []string
		for _, r := range schemas[e.DataSchema()].(map[string]any)["required"].([]any) {
			required = append(required, r.(string))
		}
		slices.Sort(refused)
		slices.Sort(required)
		assert.Equal(t, required, refused, "%s: the schema's required members and what Decide refuses missing", e.Name)
	}
}
