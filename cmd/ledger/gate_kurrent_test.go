package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/eventstore/kurrentdb/kurrenttest"
)

// TestKurrentDBEventRepeatingANameWithNull: another client writes into KurrentDB a sealed event whose
// data repeats "council", the second time null (issue 16). `ledger state` and `history` read it
// without crashing (go-json used to leave a corrupt string: nil pointer), and `ledger verify` names it
// as damage, exit 1.
func TestKurrentDBEventRepeatingANameWithNull(t *testing.T) {
	srv := kurrenttest.Start(t)
	store := srv.URL()
	key := filepath.Join(t.TempDir(), "ledger.key")
	r := ledger(t, nil, "seed", "--store", store, "--key-file", key)
	require.Equal(t, 0, r.code, r.stderr)

	// The partnership stream's last event, to chain the foreign one on.
	exp := filepath.Join(t.TempDir(), "export.jsonl")
	r = ledger(t, nil, "export", "--store", store, "--key-file", key, "-o", exp)
	require.Equal(t, 0, r.code, r.stderr)
	var last eventstore.Event
	for _, line := range strings.Split(strings.TrimSpace(readFile(t, exp)), "\n") {
		var e eventstore.Event
		require.NoError(t, json.Unmarshal([]byte(line), &e))
		if e.Stream == "partnership-"+gnn {
			last = e
		}
	}
	require.NotEmpty(t, last.Stream)

	data := `{"amount_pence":100,"category":"shared management","council":"north-norfolk","financial_year":2015,"period_to":"2016-03-31","status":"forecast","council":null}`
	ev := eventstore.Event{ID: uuid.New(), Stream: last.Stream, Revision: last.Revision + 1, Type: "SavingsReported", Schema: 1,
		EffectiveOn: "2016-03-01", RecordedAt: time.Now().UTC().Round(time.Microsecond), RecordedBy: "another client",
		Sources: json.RawMessage(`[{"kind":"press","title":"EDP"}]`), Certainty: "reported", Data: json.RawMessage(data)}
	ev = eventstore.Seal(ev, last.Hash)
	meta := map[string]any{"ledger": eventstore.HashVersion, "schema": 1, "effective_on": ev.EffectiveOn, "recorded_at": ev.RecordedAt,
		"recorded_by": ev.RecordedBy, "sources": ev.Sources, "certainty": ev.Certainty, "prev_hash": ev.PrevHash, "hash": ev.Hash}
	var mb bytes.Buffer
	enc := json.NewEncoder(&mb)
	enc.SetEscapeHTML(false)
	require.NoError(t, enc.Encode(meta))

	cfg, err := esdb.ParseConnectionString(store)
	require.NoError(t, err)
	cfg.Logger = esdb.NoopLogging()
	client, err := esdb.NewClient(cfg)
	require.NoError(t, err)
	defer client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = client.AppendToStream(ctx, ev.Stream, esdb.AppendToStreamOptions{ExpectedRevision: esdb.Revision(last.Revision)},
		esdb.EventData{EventID: ev.ID, EventType: ev.Type, ContentType: esdb.ContentTypeJson, Data: []byte(data),
			Metadata: bytes.TrimSuffix(mb.Bytes(), []byte("\n"))})
	require.NoError(t, err)

	st := ledger(t, nil, "state", "--store", store, "--key-file", key, "--partnership", gnn, "--as-of", "2016-06-30", "--json")
	assert.Equal(t, 0, st.code, "stderr %q", st.stderr)
	assert.Contains(t, st.stdout, `"partnership"`)
	h := ledger(t, nil, "history", "--store", store, "--key-file", key, "--partnership", gnn)
	assert.Equal(t, 0, h.code, "stderr %q", h.stderr)
	assert.Contains(t, h.stdout, ev.ID.String())

	v := ledger(t, nil, "verify", "--store", store, "--key-file", key)
	assert.Equal(t, 1, v.code, "stdout %q stderr %q", v.stdout, v.stderr)
	assert.Contains(t, v.stdout+v.stderr, ev.ID.String())
	assert.Contains(t, v.stdout+v.stderr, `repeated member name "council"`)
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(b)
}
