// Package kurrenttest runs an in-process gRPC server that behaves, on the
// wire, like a single KurrentDB 24.10 node as seen by the Go client
// github.com/EventStore/EventStore-Client-Go/v4 v4.2.0, so that code
// wrapping the client can be tested without a database.
//
// It is test support: only _test.go files may import it.
//
//	srv := kurrenttest.Start(t)
//	cfg, _ := esdb.ParseConnectionString(srv.URL()) // esdb://127.0.0.1:PORT?tls=false
//	client, _ := esdb.NewClient(cfg)
//
// The server keeps events in memory and answers appends (with the
// expected-revision rules and WrongExpectedVersion answers of the real
// server), stream and $all reads, stream and $all subscriptions (with
// event-type and stream-name filters and checkpoints), soft deletes,
// tombstones and stream metadata. It registers the Streams,
// ServerFeatures and Gossip services with a keepalive enforcement policy
// that tolerates the client's pings.
//
// Hooks for tests: Server.Calls and Server.CallCount record every RPC and
// its request headers; Server.FailNext makes the next call of a method
// fail with a chosen status and trailers (NotLeader builds the follower
// answer); Server.DropConnections cuts every client connection;
// Options.ServerVersion and Options.NoServerFeatures change what
// discovery sees; Server.CollectStats writes a system event now;
// Server.DropEvent and Server.SwapEvents damage the stored log as no
// client could.
//
// Like a real node, the server starts with system events in $all
// (Options.NoSystemEvents leaves them out) and answers a re-sent batch
// with the same event ids idempotently.
//
// The behaviour follows the spec in docs/kurrentdb-protocol.md, and
// docs/kurrentdb-testserver.md says what is left out.
package kurrenttest
