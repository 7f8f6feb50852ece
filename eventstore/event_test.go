package eventstore_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/eventstore"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// vectorEvent is the published test vector of docs/integrity.md.
func vectorEvent(t *testing.T) eventstore.Event {
	t.Helper()
	e, err := eventstore.Prepare(eventstore.Event{
		ID:          uuid.MustParse("01890a5d-ac96-774b-bcce-b302099a8057"),
		Stream:      "partnership-great-yarmouth-north-norfolk",
		Type:        "JointAppointmentMade",
		Schema:      1,
		EffectiveOn: "2015-11-07",
		RecordedAt:  time.Date(2015, 11, 8, 9, 30, 0, 0, time.UTC),
		RecordedBy:  "seed:norfolk-demo",
		Sources:     json.RawMessage(`[{"kind":"press","title":"Shared chief executive","published":"2015-12-18"}]`),
		Certainty:   "reported",
		Data:        json.RawMessage(`{"post": "chief-executive", "officer": {"name": "Sheila Oxtoby"}, "starts_on": "2015-11-07"}`),
	})
	require.NoError(t, err)
	return e
}

type vector struct {
	CanonicalHex string `json:"canonical_hex"`
	PrevHash     string `json:"prev_hash"`
	Hash         string `json:"hash"`
	DataHash     string `json:"data_hash"`
	CanonData    string `json:"canonical_data"`
}

func TestHashTestVector(t *testing.T) {
	e := vectorEvent(t)
	sealed := eventstore.Seal(e, eventstore.ZeroHash)
	got := vector{
		CanonicalHex: hexString(eventstore.CanonicalBytes(e)),
		PrevHash:     sealed.PrevHash.String(),
		Hash:         sealed.Hash.String(),
		DataHash:     sha256Hex(e.Data),
		CanonData:    string(e.Data),
	}
	path := filepath.Join("testdata", "hash-vector.json")
	if *update {
		b, _ := json.MarshalIndent(got, "", "  ")
		require.NoError(t, os.WriteFile(path, append(b, '\n'), 0o644))
	}
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var want vector
	require.NoError(t, json.Unmarshal(b, &want))
	assert.Equal(t, want, got, "the ledger-event-v1 layout changed: that breaks every stored chain")
	assert.Equal(t, `{"officer":{"name":"Sheila Oxtoby"},"post":"chief-executive","starts_on":"2015-11-07"}`, got.CanonData)
}

func TestChainVerifierCatchesEdits(t *testing.T) {
	e1 := vectorEvent(t)
	e1.Seq = 1
	e1 = eventstore.Seal(e1, eventstore.ZeroHash)
	e2 := e1
	e2.ID = uuid.MustParse("01890a5d-ac96-774b-bcce-b302099a8058")
	e2.Seq, e2.Revision = 2, 1
	e2 = eventstore.Seal(e2, e1.Hash)

	var v eventstore.ChainVerifier
	require.NoError(t, v.Add(e1))
	require.NoError(t, v.Add(e2))

	tampered := e2
	tampered.Data = []byte(`{"post":"chief-executive"}`)
	var v2 eventstore.ChainVerifier
	require.NoError(t, v2.Add(e1))
	err := v2.Add(tampered)
	var ce *eventstore.ChainError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, uint64(2), ce.Seq)
	assert.Equal(t, "hash", ce.Field)
	assert.ErrorIs(t, err, eventstore.ErrCorrupt)
}

func TestPrepareRefusesBadInput(t *testing.T) {
	good := vectorEvent(t)
	tests := []struct {
		name  string
		edit  func(*eventstore.Event)
		field string
	}{
		{"no id", func(e *eventstore.Event) { e.ID = uuid.Nil }, "id"},
		{"empty stream", func(e *eventstore.Event) { e.Stream = "" }, "stream"},
		{"dollar stream", func(e *eventstore.Event) { e.Stream = "$all" }, "stream"},
		{"long stream", func(e *eventstore.Event) { e.Stream = string(make([]byte, 201)) }, "stream"},
		{"empty type", func(e *eventstore.Event) { e.Type = "" }, "type"},
		{"bad date", func(e *eventstore.Event) { e.EffectiveOn = "2015-02-30" }, "effective_on"},
		{"no actor", func(e *eventstore.Event) { e.RecordedBy = "" }, "recorded_by"},
		{"invalid json", func(e *eventstore.Event) { e.Data = []byte(`{"a":`) }, "data"},
		{"duplicate key", func(e *eventstore.Event) { e.Data = []byte(`{"a":1,"a":2}`) }, "data"},
		{"sources not array", func(e *eventstore.Event) { e.Sources = []byte(`{}`) }, "sources"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := good
			tt.edit(&e)
			_, err := eventstore.Prepare(e)
			var ie *eventstore.InvalidEventError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, tt.field, ie.Field)
			assert.ErrorIs(t, err, eventstore.ErrInvalidEvent)
		})
	}
}

func TestPrepareSizeLimit(t *testing.T) {
	e := vectorEvent(t)
	// {"x":"…"} is 8 bytes of framing.
	e.Data = []byte(`{"x":"` + string(make([]byte, 0)) + repeat('a', eventstore.MaxDataBytes-8) + `"}`)
	_, err := eventstore.Prepare(e)
	require.NoError(t, err)
	e.Data = []byte(`{"x":"` + repeat('a', eventstore.MaxDataBytes-7) + `"}`)
	_, err = eventstore.Prepare(e)
	assert.ErrorIs(t, err, eventstore.ErrTooLarge)
	assert.ErrorIs(t, err, eventstore.ErrInvalidEvent)
}

func TestDamageErrorMatchesDamagedAndCorrupt(t *testing.T) {
	err := fmt.Errorf("read s: %w", &eventstore.DamageError{Where: "stream s at revision 2", Reason: "revision 1 is missing"})
	assert.ErrorIs(t, err, eventstore.ErrDamaged)
	assert.ErrorIs(t, err, eventstore.ErrCorrupt)
	assert.NotErrorIs(t, err, eventstore.ErrConflict)
	assert.Equal(t, "read s: the store is damaged at stream s at revision 2: revision 1 is missing", err.Error())
}

func TestContendedErrorIsNotAConflict(t *testing.T) {
	err := fmt.Errorf("record: %w", &eventstore.ContendedError{Stream: "s", Attempts: 17})
	assert.ErrorIs(t, err, eventstore.ErrContended)
	assert.NotErrorIs(t, err, eventstore.ErrConflict)
	assert.Contains(t, err.Error(), "gave up after 17 attempts")
}
