package audit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/eventstore"
)

func TestVerifyIntact(t *testing.T) {
	events := sealedEvents(100, 7)
	var calls []uint64
	rep, err := audit.Verify(context.Background(), withEvents(events), func(done uint64) { calls = append(calls, done) })
	require.NoError(t, err)
	assert.True(t, rep.Intact)
	assert.Nil(t, rep.FirstBad)
	assert.Equal(t, uint64(100), rep.Events)
	assert.Equal(t, 7, rep.Streams)
	assert.Equal(t, uint64(100), rep.Size)
	tree := audit.NewTree(0)
	tree.AppendAll(hashesOf(events))
	root, err := tree.Root(100)
	require.NoError(t, err)
	assert.Equal(t, root, rep.Root)
	require.NotEmpty(t, calls)
	assert.Equal(t, uint64(100), calls[len(calls)-1])
}

func TestVerifyEmpty(t *testing.T) {
	rep, err := audit.Verify(context.Background(), newMemStore(), nil)
	require.NoError(t, err)
	assert.True(t, rep.Intact)
	assert.Equal(t, audit.EmptyRoot, rep.Root)
	assert.Zero(t, rep.Size)
}

func TestVerifyNamesFirstBadEvent(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(events []eventstore.Event) []eventstore.Event
		seq   uint64
		field string
		size  uint64 // events before the bad one
	}{
		{"edited data", func(ev []eventstore.Event) []eventstore.Event {
			ev[40].Data = json.RawMessage(`{"amount_pence":1}`)
			return ev
		}, 41, "hash", 40},
		{"edited recorded_by", func(ev []eventstore.Event) []eventstore.Event {
			ev[10].RecordedBy = "mallory"
			return ev
		}, 11, "hash", 10},
		{"resealed event breaks the next link", func(ev []eventstore.Event) []eventstore.Event {
			ev[20].Data = json.RawMessage(`{}`)
			ev[20] = eventstore.Seal(ev[20], ev[20].PrevHash)
			return ev
		}, 21 + 7, "prev_hash", 27},
		{"deleted event", func(ev []eventstore.Event) []eventstore.Event {
			return append(ev[:30], ev[31:]...)
		}, 32, "seq", 30},
		{"reused id", func(ev []eventstore.Event) []eventstore.Event {
			ev[50].ID = ev[3].ID
			ev[50] = eventstore.Seal(ev[50], ev[50].PrevHash)
			for i := 57; i < len(ev); i += 7 { // reseal the rest of its stream
				ev[i] = eventstore.Seal(ev[i], ev[i-7].Hash)
			}
			return ev
		}, 51, "id", 50},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			events := tt.edit(sealedEvents(100, 7))
			rep, err := audit.Verify(context.Background(), withEvents(events), nil)
			require.NoError(t, err)
			assert.False(t, rep.Intact)
			require.NotNil(t, rep.FirstBad)
			assert.Equal(t, tt.seq, rep.FirstBad.Seq)
			assert.Equal(t, tt.field, rep.FirstBad.Field)
			assert.Equal(t, events[tt.size].Stream, rep.FirstBad.Stream)
			assert.ErrorIs(t, rep.FirstBad, audit.ErrTampered)
			assert.ErrorIs(t, rep.FirstBad, eventstore.ErrCorrupt)
			// The report describes the part that still stands.
			assert.Equal(t, tt.size, rep.Size)
			assert.Equal(t, tt.size, rep.Events)
			tree := audit.NewTree(0)
			tree.AppendAll(hashesOf(events[:tt.size]))
			root, _ := tree.Root(tt.size)
			assert.Equal(t, root, rep.Root)
		})
	}
}

func TestVerifyBadEventJSON(t *testing.T) {
	b, err := json.Marshal(audit.BadEvent{Seq: 3, ID: uuid.Nil, Stream: "s", Field: "hash", Want: "a", Got: "b"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"seq":3,"id":"00000000-0000-0000-0000-000000000000","stream":"s","field":"hash","want":"a","got":"b"}`, string(b))
}

func TestVerifyExport(t *testing.T) {
	events := sealedEvents(50, 3)
	var buf bytes.Buffer
	_, err := audit.Export(context.Background(), withEvents(events), &buf)
	require.NoError(t, err)
	rep, err := audit.VerifyExport(context.Background(), bytes.NewReader(buf.Bytes()), audit.VerifyOptions{})
	require.NoError(t, err)
	assert.True(t, rep.Intact)
	assert.Equal(t, uint64(50), rep.Size)

	tampered := bytes.Replace(buf.Bytes(), []byte(`"amount_pence":4000,`), []byte(`"amount_pence":4001,`), 1)
	require.NotEqual(t, buf.Bytes(), tampered)
	rep, err = audit.VerifyExport(context.Background(), bytes.NewReader(tampered), audit.VerifyOptions{})
	require.NoError(t, err)
	assert.False(t, rep.Intact)
	assert.Equal(t, uint64(41), rep.FirstBad.Seq)

	_, err = audit.VerifyExport(context.Background(), bytes.NewReader([]byte("{not json\n")), audit.VerifyOptions{})
	assert.ErrorIs(t, err, audit.ErrBadExport)
}

func TestVerifyStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	events := sealedEvents(1<<15, 3)
	_, err := audit.Verify(ctx, withEvents(events), nil)
	assert.ErrorIs(t, err, context.Canceled)
}
