package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/api/web"
	"github.com/partnership-ledger/ledger/domain/recording"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/eventstore/storetest"
)

// A clerk's form that cannot be recorded in time, because the partnership's append in flight is
// held, gets a 503 page with Retry-After saying nothing was recorded, and nothing is appended
// (issue 18).
func TestBusyRecordFormIs503AndRecordsNothing(t *testing.T) {
	var held *storetest.Held
	var store eventstore.Store
	frozen := func() time.Time { return time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC) }
	srv := newServerWith(t, func(c *web.Config) {
		store = c.Store
		held = storetest.Hold(c.Store)
		// Deadlines on a clock that stands still: the held append is never past its own, and a
		// queued command's 1 ns timer fires at once.
		c.Recorder = recording.NewWithOptions(held, recording.Options{Now: frozen, Timeout: time.Nanosecond})
	})
	c, csrf := clerkAtRecordForm(t, srv)
	form := func(category string) url.Values {
		form := savingsForm(csrf, "1000")
		form.Set("/data/council", "great-yarmouth")
		form.Set("/data/category", category)
		form.Set("/certainty", "reported")
		form.Set("/sources/0/kind", "press")
		form.Set("/sources/0/title", "Eastern Daily Press")
		return form
	}
	head := func() uint64 {
		h, err := store.Head(context.Background())
		require.NoError(t, err)
		return h.Seq
	}
	before := head()

	first := make(chan int, 1)
	go func() {
		res, err := c.PostForm(srv.URL+gnn+"/record", form("held first"))
		if err != nil {
			first <- 0
			return
		}
		res.Body.Close()
		first <- res.StatusCode
	}()
	select {
	case <-held.Started:
	case <-time.After(10 * time.Second):
		t.Fatal("the first form never reached the store")
	}

	res, err := c.PostForm(srv.URL+gnn+"/record", form("queued second"))
	require.NoError(t, err)
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	assert.Equal(t, http.StatusServiceUnavailable, res.StatusCode)
	assert.Equal(t, "1", res.Header.Get("Retry-After"))
	assert.Contains(t, string(b), "Nothing was recorded")
	assert.Equal(t, before, head(), "nothing appended while the first is held")

	close(held.Release)
	select {
	case status := <-first:
		assert.Equal(t, http.StatusOK, status, "the first form is recorded and redirected to its page")
	case <-time.After(10 * time.Second):
		t.Fatal("the first form was never answered")
	}
	assert.Equal(t, before+1, head())
	for e, err := range store.ReadAll(context.Background(), before, eventstore.Forward, 0) {
		require.NoError(t, err)
		assert.False(t, strings.Contains(string(e.Data), "queued second"), "the withdrawn form was never appended")
	}
}
