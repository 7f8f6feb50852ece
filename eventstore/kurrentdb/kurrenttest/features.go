package kurrenttest

import (
	"context"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/gossip"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/serverfeatures"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
)

// featuresService answers GetSupportedMethods the way a 24.10 node does,
// listing only the methods this server implements.
type featuresService struct {
	serverfeatures.UnimplementedServerFeaturesServer
	s *Server
}

func (f *featuresService) GetSupportedMethods(ctx context.Context, _ *shared.Empty) (*serverfeatures.SupportedMethods, error) {
	if fault, ok := f.s.takeFault(MethodGetSupportedMethods); ok {
		return nil, faultError(ctx, nil, fault)
	}
	const streamsService = "event_store.client.streams.streams"
	return &serverfeatures.SupportedMethods{
		EventStoreServerVersion: f.s.opts.ServerVersion,
		Methods: []*serverfeatures.SupportedMethod{
			{ServiceName: streamsService, MethodName: "read", Features: []string{"position", "events"}},
			{ServiceName: streamsService, MethodName: "append"},
			{ServiceName: streamsService, MethodName: "delete"},
			{ServiceName: streamsService, MethodName: "tombstone"},
			// Advertised as the real server does; v4.2.0 never calls it and
			// this server answers it with Unimplemented.
			{ServiceName: streamsService, MethodName: "batchappend", Features: []string{"deadline_duration"}},
			{ServiceName: "event_store.client.server_features.serverfeatures", MethodName: "getsupportedmethods"},
			{ServiceName: "event_store.client.gossip.gossip", MethodName: "read"},
		},
	}, nil
}

// gossipService reports a one-node cluster whose leader is this server.
type gossipService struct {
	gossip.UnimplementedGossipServer
	s *Server
}

func (g *gossipService) Read(ctx context.Context, _ *shared.Empty) (*gossip.ClusterInfo, error) {
	if fault, ok := g.s.takeFault(MethodGossipRead); ok {
		return nil, faultError(ctx, nil, fault)
	}
	return &gossip.ClusterInfo{Members: []*gossip.MemberInfo{{
		InstanceId: &shared.UUID{Value: &shared.UUID_String_{String_: "6b1b9ad0-6a5e-4b39-9a4b-6d0f6b2c5e11"}},
		TimeStamp:  g.s.opts.Now().UnixNano() / 100,
		State:      gossip.MemberInfo_Leader,
		IsAlive:    true,
		HttpEndPoint: &gossip.EndPoint{
			Address: g.s.host,
			Port:    uint32(g.s.port),
		},
	}}}, nil
}
