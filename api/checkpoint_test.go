package api_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/transparency-dev/formats/log"
	"golang.org/x/mod/sumdb/note"

	"github.com/partnership-ledger/ledger/api"
	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/eventstore/storetest"
)

// GET /checkpoint serves the latest signed checkpoint as C2SP says (text/plain; charset=utf-8), which
// the transparency-dev and Go libraries verify under the vkey GET /v1/audit/key gives, with the
// cosignatures stored for it appended; revalidation is cheap (ETag, 304).
func TestCheckpointIsServedAsC2SPSays(t *testing.T) {
	e := newEnv(t, false)
	var key struct {
		Origin string `json:"origin"`
		VKey   string `json:"vkey"`
	}
	k := e.do(t, "GET", "/v1/audit/key", "", "")
	require.Equal(t, 200, k.status)
	require.NoError(t, json.Unmarshal(k.body, &key))
	assert.Equal(t, testOrigin, key.Origin)

	r := e.do(t, "GET", "/checkpoint", "", "")
	require.Equal(t, 200, r.status, string(r.body))
	assert.Equal(t, "text/plain; charset=utf-8", r.header.Get("Content-Type"))
	assert.Equal(t, "no-cache", r.header.Get("Cache-Control"))
	v, err := note.NewVerifier(key.VKey)
	require.NoError(t, err)
	cp, _, _, err := log.ParseCheckpoint(r.body, testOrigin, v)
	require.NoError(t, err)
	assert.Equal(t, e.log.Size(), cp.Size)
	root, err := e.log.Tree().Root(cp.Size)
	require.NoError(t, err)
	assert.Equal(t, root[:], cp.Hash)

	again := e.do(t, "GET", "/checkpoint", "", "", "If-None-Match", r.header.Get("ETag"))
	assert.Equal(t, 304, again.status)
	assert.Empty(t, again.body)

	// A witness's cosignature, once stored, rides along.
	w := storetest.TestCosignature("witness.north-norfolk.example", 0x01020304, 5)
	added, err := e.store.PutCosignature(context.Background(), cp.Size, root, w)
	require.NoError(t, err)
	require.True(t, added)
	r = e.do(t, "GET", "/checkpoint", "", "")
	require.Equal(t, 200, r.status)
	assert.True(t, strings.HasSuffix(string(r.body), audit.SignatureLine(w)), "%s", r.body)
	_, _, n, err := log.ParseCheckpoint(r.body, testOrigin, v)
	require.NoError(t, err)
	assert.Len(t, n.UnverifiedSigs, 1, "the cosignature is a further signature line")
}

func TestCheckpointOnAPrivateServerOrNone(t *testing.T) {
	e := newEnv(t, true)
	r := e.do(t, "GET", "/checkpoint", "", "")
	assert.Equal(t, 401, r.status)
	assert.Equal(t, 200, e.do(t, "GET", "/checkpoint", e.auditor, "").status)

	none := newEnvWith(t, false, func(c *api.Config) { c.Checkpoints = nil })
	r = none.do(t, "GET", "/checkpoint", "", "")
	assert.Equal(t, 501, r.status)
	assert.Equal(t, "application/problem+json", r.header.Get("Content-Type"))
	var key map[string]string
	require.NoError(t, json.Unmarshal(none.do(t, "GET", "/v1/audit/key", "", "").body, &key))
	assert.NotContains(t, key, "vkey", "no checkpoints, no origin")
}
