package kurrenttest_test

import (
	"testing"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/stretchr/testify/require"
)

func TestSmoke(t *testing.T) {
	_, c := setup(t)
	s := streamName("smoke")
	res := appendEvents(t, c, s, esdb.NoStream{}, events("Opened", 3)...)
	require.Equal(t, uint64(2), res.NextExpectedVersion)
	evs, err := readStream(t, c, s, esdb.ReadStreamOptions{}, 10)
	require.NoError(t, err)
	require.Equal(t, []uint64{0, 1, 2}, revisions(evs))

	sub, err := c.SubscribeToStream(ctxT(t), s, esdb.SubscribeToStreamOptions{From: esdb.Start{}})
	require.NoError(t, err)
	ch := subEvents(t, sub)
	require.Len(t, waitCaughtUp(t, ch), 3)
	appendEvents(t, c, s, esdb.Revision(2), events("More", 1)...)
	require.Equal(t, uint64(3), nextEvent(t, ch).EventNumber)
}
