package client_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/api/client"
)

const gnn = "great-yarmouth-north-norfolk"

// Each read model from a real server is the same part of the state at the same point in both times,
// and an event read by id is the event of the stream.
func TestModelsMatchTheStateOnARealServer(t *testing.T) {
	demo := startDemoServer()
	t.Cleanup(demo.stop)
	c, err := client.New(demo.URL, "")
	require.NoError(t, err)
	ctx := context.Background()
	for _, q := range []client.Query{{AsOf: "2015-11-07"}, {AsOf: "2016-06-15", KnownAt: "2016-06-15"}, {}} {
		st, err := c.State(ctx, gnn, q)
		require.NoError(t, err)
		ap, err := c.Appointments(ctx, gnn, q)
		require.NoError(t, err)
		assert.Equal(t, st.Appointments, ap.Appointments)
		assert.Equal(t, client.View{Partnership: gnn, Axes: st.Axes}, ap.View)
		sv, err := c.Services(ctx, gnn, q)
		require.NoError(t, err)
		assert.Equal(t, st.Services, sv.Services)
		sa, err := c.Savings(ctx, gnn, q)
		require.NoError(t, err)
		assert.Equal(t, st.Savings, sa.Savings)
		de, err := c.Decisions(ctx, gnn, q)
		require.NoError(t, err)
		assert.Equal(t, st.Decisions, de.Decisions)
		tl, err := c.Timeline(ctx, gnn, q)
		require.NoError(t, err)
		assert.Equal(t, st.Axes, tl.Axes)
		assert.NotEmpty(t, tl.Entries)
	}
	_, err = c.Appointments(ctx, "no-such-partnership", client.Query{})
	var p *client.Problem
	require.True(t, errors.As(err, &p), "%v", err)
	assert.Equal(t, 404, p.Status)
	_, err = c.Timeline(ctx, gnn, client.Query{AsOf: "2015-02-30"})
	require.True(t, errors.As(err, &p), "%v", err)
	assert.Equal(t, 400, p.Status)
	assert.Equal(t, "as_of", p.Fields[0].Parameter)

	for e, err := range c.PartnershipEvents(ctx, gnn, 1<<62) {
		require.NoError(t, err)
		got, err := c.Event(ctx, e.ID)
		require.NoError(t, err)
		assert.Equal(t, e, got)
	}
}
