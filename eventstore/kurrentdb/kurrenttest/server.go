package kurrenttest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/gossip"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/serverfeatures"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"github.com/google/uuid"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// Full gRPC method names, as recorded by Server.Calls and accepted by Server.FailNext.
const (
	MethodRead                = "/event_store.client.streams.Streams/Read"
	MethodAppend              = "/event_store.client.streams.Streams/Append"
	MethodDelete              = "/event_store.client.streams.Streams/Delete"
	MethodTombstone           = "/event_store.client.streams.Streams/Tombstone"
	MethodBatchAppend         = "/event_store.client.streams.Streams/BatchAppend"
	MethodGetSupportedMethods = "/event_store.client.server_features.ServerFeatures/GetSupportedMethods"
	MethodGossipRead          = "/event_store.client.gossip.Gossip/Read"
)

// DefaultServerVersion is the version GetSupportedMethods reports when
// Options.ServerVersion is empty.
const DefaultServerVersion = "24.10.0"

// DefaultMaxAppendSize is KurrentDB's default limit on the total size of one append (1 MiB).
const DefaultMaxAppendSize = 1 << 20

// DefaultKeepalivePolicy is the keepalive enforcement policy the server
// uses when Options.KeepalivePolicy is zero. The client pings every 10 s
// by default, even with no call in flight; grpc-go's own default policy
// (5 min, no pings without streams) would answer with GOAWAY
// "too_many_pings" after about 30-40 s and kill idle subscriptions.
var DefaultKeepalivePolicy = keepalive.EnforcementPolicy{MinTime: 5 * time.Second, PermitWithoutStream: true}

// Options configures a Server. The zero value is a single KurrentDB 24.10 node.
type Options struct {
	// ServerVersion is the EventStoreServerVersion GetSupportedMethods
	// reports; empty means DefaultServerVersion. The client fails
	// discovery on anything that is not a dotted number.
	ServerVersion string
	// NoServerFeatures leaves the ServerFeatures service unregistered, as
	// on servers older than 21.10: the client then reports version 0.0.0.
	NoServerFeatures bool
	// KeepalivePolicy overrides DefaultKeepalivePolicy when non-zero.
	KeepalivePolicy keepalive.EnforcementPolicy
	// MaxRecvMsgSize is the largest request message accepted; 0 means 64 MiB.
	MaxRecvMsgSize int
	// MaxAppendSize is the largest total size of one append's events; 0
	// means DefaultMaxAppendSize, a negative value means no limit.
	MaxAppendSize int
	// Now is the clock that stamps events' "created" time; nil means time.Now.
	Now func() time.Time
	// NewSubscriptionID returns the id sent in a subscription's
	// Confirmation; nil means a random UUID, as on the real server.
	NewSubscriptionID func() string
	// NoSystemEvents starts the server with an empty $all. By default it
	// starts, as a real node does, with the system events of a fresh
	// database ($settings, $user-admin, $users, $scavenges, the metadata
	// of $scavenges and of the stats stream) ahead of anything a test
	// writes.
	NoSystemEvents bool
	// StatsInterval, when positive, makes the server write a
	// $statsCollected event to $stats-HOST:PORT at that interval, as a
	// real node does every 30 s. Zero: only when a test calls
	// Server.CollectStats.
	StatsInterval time.Duration
}

// Call is one RPC as the server received it.
type Call struct {
	// Method is the full gRPC method name, e.g. MethodAppend.
	Method string
	// Metadata is the incoming request metadata (headers).
	Metadata metadata.MD
}

// Fault is an error a test makes the server return from the next call of
// a method (see Server.FailNext).
type Fault struct {
	// Code is the gRPC status code.
	Code codes.Code
	// Message is the status message.
	Message string
	// Trailer is sent as trailing metadata; keys must be lowercase.
	Trailer metadata.MD
}

// NotLeader returns the Fault a follower answers a write with: NotFound
// and the trailers exception=not-leader, leader-endpoint-host and
// leader-endpoint-port. The client then reconnects to host:port.
func NotLeader(host string, port int) Fault {
	return Fault{
		Code:    codes.NotFound,
		Message: "Leader info available",
		Trailer: metadata.Pairs(
			"exception", "not-leader",
			"leader-endpoint-host", host,
			"leader-endpoint-port", strconv.Itoa(port),
		),
	}
}

// Server is an in-process gRPC server that speaks the KurrentDB 24.10
// protocol as used by EventStore-Client-Go v4.2.0, with events kept in
// memory. It is safe for concurrent use.
type Server struct {
	opts Options
	lis  *trackingListener
	grpc *grpc.Server
	host string
	port int

	mu      sync.Mutex
	db      *state
	subs    map[*subscriber]struct{}
	calls   []Call
	appends [][]*streams.AppendReq
	reads   []*streams.ReadReq
	faults  map[string][]Fault

	started   time.Time
	stopStats chan struct{}
	closeOnce sync.Once
	serveErr  chan error
}

// Start starts a Server for the duration of t and closes it on cleanup.
// It fails t if the server cannot listen.
func Start(t testing.TB, opts ...Options) *Server {
	t.Helper()
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	s, err := New(o)
	if err != nil {
		t.Fatalf("kurrenttest: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// New starts a Server listening on 127.0.0.1 at a free port. It returns
// an error if it cannot listen. The caller must Close it.
func New(opts Options) (*Server, error) {
	if opts.ServerVersion == "" {
		opts.ServerVersion = DefaultServerVersion
	}
	if opts.KeepalivePolicy == (keepalive.EnforcementPolicy{}) {
		opts.KeepalivePolicy = DefaultKeepalivePolicy
	}
	if opts.MaxRecvMsgSize == 0 {
		opts.MaxRecvMsgSize = 64 << 20
	}
	if opts.MaxAppendSize == 0 {
		opts.MaxAppendSize = DefaultMaxAppendSize
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.NewSubscriptionID == nil {
		opts.NewSubscriptionID = uuid.NewString
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("kurrenttest: listen: %w", err)
	}
	addr := l.Addr().(*net.TCPAddr)
	s := &Server{
		opts:      opts,
		lis:       &trackingListener{Listener: l, conns: map[net.Conn]struct{}{}},
		host:      "127.0.0.1",
		port:      addr.Port,
		db:        newState(),
		subs:      map[*subscriber]struct{}{},
		faults:    map[string][]Fault{},
		started:   opts.Now(),
		stopStats: make(chan struct{}),
		serveErr:  make(chan error, 1),
	}
	if !opts.NoSystemEvents {
		s.writeSystem(s.startupEvents()) // nobody can subscribe yet
	}
	if opts.StatsInterval > 0 {
		go s.collectStats(opts.StatsInterval, s.stopStats)
	}
	s.grpc = grpc.NewServer(
		grpc.KeepaliveEnforcementPolicy(opts.KeepalivePolicy),
		grpc.MaxRecvMsgSize(opts.MaxRecvMsgSize),
		grpc.UnaryInterceptor(s.recordUnary),
		grpc.StreamInterceptor(s.recordStream),
		// Calls to unregistered services (ServerFeatures when
		// NoServerFeatures is set) are answered Unimplemented, as grpc-go
		// does by default, but through the interceptor, so they are recorded.
		grpc.UnknownServiceHandler(func(_ any, ss grpc.ServerStream) error {
			method, _ := grpc.MethodFromServerStream(ss)
			return status.Errorf(codes.Unimplemented, "unknown method %s", method)
		}),
	)
	streams.RegisterStreamsServer(s.grpc, &streamsService{s: s})
	if !opts.NoServerFeatures {
		serverfeatures.RegisterServerFeaturesServer(s.grpc, &featuresService{s: s})
	}
	gossip.RegisterGossipServer(s.grpc, &gossipService{s: s})
	go func() { s.serveErr <- s.grpc.Serve(s.lis) }()
	return s, nil
}

// URL returns the connection string of a single-node client:
// "esdb://127.0.0.1:PORT?tls=false".
func (s *Server) URL() string {
	return fmt.Sprintf("esdb://%s?tls=false", s.Addr())
}

// DiscoverURL returns a connection string that makes the client discover
// the node through Gossip: "esdb+discover://127.0.0.1:PORT?tls=false".
func (s *Server) DiscoverURL() string {
	return fmt.Sprintf("esdb+discover://%s?tls=false", s.Addr())
}

// Addr returns the address the server listens on, "127.0.0.1:PORT".
func (s *Server) Addr() string {
	return net.JoinHostPort(s.host, strconv.Itoa(s.port))
}

// Host returns the host the server listens on (127.0.0.1).
func (s *Server) Host() string { return s.host }

// Port returns the port the server listens on.
func (s *Server) Port() int { return s.port }

// Close stops the server: it closes every connection and ends every call,
// subscriptions included. It is safe to call more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.stopStats)
		s.grpc.Stop()
		<-s.serveErr
	})
}

// DropConnections closes every client connection open right now, as a
// crashed or restarted node would, while the server keeps listening and
// its data. Calls in flight fail with Unavailable on the client; the
// client's next operation reconnects.
func (s *Server) DropConnections() {
	s.lis.closeAll()
}

// Calls returns every RPC received so far, in arrival order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Call, len(s.calls))
	copy(out, s.calls)
	return out
}

// CallCount returns how many calls of method (e.g. MethodGetSupportedMethods) arrived.
func (s *Server) CallCount(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.calls {
		if c.Method == method {
			n++
		}
	}
	return n
}

// Appends returns the request messages of every Append call the client
// completed (half-closed), one slice per call, in the order they were sent.
// The messages must not be modified.
func (s *Server) Appends() [][]*streams.AppendReq {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([][]*streams.AppendReq, len(s.appends))
	copy(out, s.appends)
	return out
}

// Reads returns the request of every Read call (reads and subscriptions)
// in arrival order. The messages must not be modified.
func (s *Server) Reads() []*streams.ReadReq {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*streams.ReadReq, len(s.reads))
	copy(out, s.reads)
	return out
}

// InjectFellBehind makes every subscription being served send one
// FellBehind message. The real server never sends it; use it only to
// exercise a consumer's handling of that message.
func (s *Server) InjectFellBehind() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for sub := range s.subs {
		sub.fellBehind = true
		sub.signal()
	}
}

// FailNext makes the next call of method return f instead of doing its
// work. Faults queue up: each call consumes one. An Append fault is
// returned after the whole request has been read, as the client needs.
func (s *Server) FailNext(method string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[method] = append(s.faults[method], f)
}

// Subscriptions returns how many subscription calls are being served
// right now. A call is counted until its handler returns.
func (s *Server) Subscriptions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.subs)
}

// takeFault removes and returns the next fault queued for method.
func (s *Server) takeFault(method string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.faults[method]
	if len(q) == 0 {
		return Fault{}, false
	}
	s.faults[method] = q[1:]
	return q[0], true
}

// faultError sets f's trailer on the call and returns its status error.
func faultError(ctx context.Context, ss grpc.ServerStream, f Fault) error {
	if len(f.Trailer) > 0 {
		if ss != nil {
			ss.SetTrailer(f.Trailer)
		} else {
			_ = grpc.SetTrailer(ctx, f.Trailer) // fails only outside a gRPC call
		}
	}
	return status.Error(f.Code, f.Message)
}

func (s *Server) record(ctx context.Context, method string) {
	md, _ := metadata.FromIncomingContext(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, Call{Method: method, Metadata: md.Copy()})
}

func (s *Server) recordUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	s.record(ctx, info.FullMethod)
	return handler(ctx, req)
}

func (s *Server) recordStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	s.record(ss.Context(), info.FullMethod)
	return handler(srv, ss)
}

// trackingListener remembers the connections it accepted so that
// DropConnections can close them.
type trackingListener struct {
	net.Listener
	mu    sync.Mutex
	conns map[net.Conn]struct{}
}

func (l *trackingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	tc := &trackedConn{Conn: c, l: l}
	l.mu.Lock()
	l.conns[tc] = struct{}{}
	l.mu.Unlock()
	return tc, nil
}

func (l *trackingListener) closeAll() {
	l.mu.Lock()
	conns := make([]net.Conn, 0, len(l.conns))
	for c := range l.conns {
		conns = append(conns, c)
	}
	l.mu.Unlock()
	for _, c := range conns {
		_ = c.Close() // the connection may already be closing
	}
}

type trackedConn struct {
	net.Conn
	l    *trackingListener
	once sync.Once
}

func (c *trackedConn) Close() error {
	c.once.Do(func() {
		c.l.mu.Lock()
		delete(c.l.conns, c)
		c.l.mu.Unlock()
	})
	err := c.Conn.Close()
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}
