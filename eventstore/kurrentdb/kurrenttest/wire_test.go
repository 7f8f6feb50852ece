package kurrenttest_test

import (
	"testing"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/partnership-ledger/ledger/eventstore/kurrentdb/kurrenttest"
)

// rawStreams returns a plain generated Streams client, for the assertions
// about what goes over the wire that esdb hides (status OK, oneof variants).
func rawStreams(t *testing.T, srv *kurrenttest.Server) streams.StreamsClient {
	t.Helper()
	conn, err := grpc.NewClient(srv.Addr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	return streams.NewStreamsClient(conn)
}
