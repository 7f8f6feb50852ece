package kurrenttest_test

import (
	"testing"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/partnership-ledger/ledger/eventstore/kurrentdb/kurrenttest"
)

// TestDropConnections shows the restart-like fault: live subscriptions
// drop with Unavailable, the data survives, and the client reconnects.
func TestDropConnections(t *testing.T) {
	srv, c := setup(t)
	s := streamName("drop")
	appendEvents(t, c, s, esdb.NoStream{}, events("E", 2)...)
	sub, err := c.SubscribeToStream(ctxT(t), s, esdb.SubscribeToStreamOptions{From: esdb.Start{}})
	require.NoError(t, err)
	ch := subEvents(t, sub)
	require.Len(t, waitCaughtUp(t, ch), 2)

	srv.DropConnections()
	dropped := next(t, ch).SubscriptionDropped
	require.NotNil(t, dropped)
	assert.Equal(t, codes.Unavailable, status.Code(dropped.Error))

	// The client may need one failed call to notice; a second one must work.
	var res *esdb.WriteResult
	for attempt := 0; attempt < 2; attempt++ {
		res, err = c.AppendToStream(ctxT(t), s, esdb.AppendToStreamOptions{ExpectedRevision: esdb.Revision(1)}, jsonEvent("E", 2))
		if err == nil {
			break
		}
		require.Equal(t, esdb.ErrorUnavailable, esdbCode(t, err))
	}
	require.NoError(t, err)
	assert.Equal(t, uint64(2), res.NextExpectedVersion, "the data survived")
}

func TestConnectionString(t *testing.T) {
	t.Setenv(kurrenttest.EnvURL, "")
	url := kurrenttest.ConnectionString(t)
	assert.Regexp(t, `^esdb://127\.0\.0\.1:\d+\?tls=false$`, url)
	c := connect(t, url)
	appendEvents(t, c, streamName("cs"), esdb.NoStream{}, jsonEvent("E", 0))

	t.Setenv(kurrenttest.EnvURL, "esdb://localhost:2113?tls=false")
	assert.Equal(t, "esdb://localhost:2113?tls=false", kurrenttest.ConnectionString(t))
}
