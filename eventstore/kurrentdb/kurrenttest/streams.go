package kurrenttest

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"strconv"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"github.com/google/uuid"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// streamsService implements the Streams service. BatchAppend is left
// Unimplemented: client v4.2.0 never calls it.
type streamsService struct {
	streams.UnimplementedStreamsServer
	s *Server
}

// trailerSetter is grpc.ServerStream.SetTrailer or, for unary calls, grpc.SetTrailer on the call's context.
type trailerSetter func(metadata.MD)

func unaryTrailer(ctx context.Context) trailerSetter {
	return func(md metadata.MD) { _ = grpc.SetTrailer(ctx, md) } // fails only outside a gRPC call
}

func streamTrailer(ss grpc.ServerStream) trailerSetter {
	return func(md metadata.MD) { ss.SetTrailer(md) }
}

// streamDeletedError is KurrentDB's answer for a tombstoned stream. The
// stream-name trailer is mandatory: the client indexes it unchecked.
func streamDeletedError(set trailerSetter, name string) error {
	set(metadata.Pairs("exception", "stream-deleted", "stream-name", name))
	return status.Errorf(codes.FailedPrecondition, "Event stream '%s' is deleted.", name)
}

// wrongVersionError is the gRPC error Delete and Tombstone give for a
// wrong expected version (appends answer with a message instead).
func wrongVersionError(set trailerSetter, name string, exp expected, actual int64) error {
	set(metadata.Pairs(
		"exception", "wrong-expected-version",
		"stream-name", name,
		"expected-version", exp.serverNumber(),
		"actual-version", strconv.FormatInt(actual, 10),
	))
	return status.Errorf(codes.FailedPrecondition,
		"Delete failed due to WrongExpectedVersion. Stream: %s, Expected version: %s, Actual version: %d",
		name, exp.serverNumber(), actual)
}

// newID returns a random event id as the structured (most, least) pair.
func newID() [2]int64 {
	return idPair(uuid.New())
}

func idPair(u uuid.UUID) [2]int64 {
	return [2]int64{int64(binary.BigEndian.Uint64(u[0:8])), int64(binary.BigEndian.Uint64(u[8:16]))}
}

func pairUUID(most, least int64) uuid.UUID {
	var u uuid.UUID
	binary.BigEndian.PutUint64(u[0:8], uint64(most))
	binary.BigEndian.PutUint64(u[8:16], uint64(least))
	return u
}

// eventID decodes a proposed event id; ok is false when it is missing or unparsable.
func eventID(id *shared.UUID) ([2]int64, bool) {
	if st := id.GetStructured(); st != nil {
		return [2]int64{st.GetMostSignificantBits(), st.GetLeastSignificantBits()}, true
	}
	if text := id.GetString_(); text != "" {
		u, err := uuid.Parse(text)
		if err != nil {
			return [2]int64{}, false
		}
		return idPair(u), true
	}
	return [2]int64{}, false
}

func appendExpected(o *streams.AppendReq_Options) (expected, bool) {
	switch v := o.GetExpectedStreamRevision().(type) {
	case *streams.AppendReq_Options_Any:
		return expected{kind: expectAny}, true
	case *streams.AppendReq_Options_NoStream:
		return expected{kind: expectNoStream}, true
	case *streams.AppendReq_Options_StreamExists:
		return expected{kind: expectStreamExists}, true
	case *streams.AppendReq_Options_Revision:
		if v.Revision == math.MaxUint64 {
			return expected{kind: expectNoStream}, true
		}
		return expected{kind: expectRevision, revision: v.Revision}, true
	}
	return expected{}, false
}

// Append implements the client-streaming Append RPC (spec §4).
func (x *streamsService) Append(srv streams.Streams_AppendServer) error {
	// Read the whole request before answering: if the server ends the call
	// while the client still sends, the client sees io.EOF, not the status.
	var (
		opts     *streams.AppendReq_Options
		proposed []*streams.AppendReq_ProposedMessage
		badOrder bool
		wire     []*streams.AppendReq
	)
	for first := true; ; first = false {
		req, err := srv.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		wire = append(wire, req)
		if first {
			opts = req.GetOptions()
			badOrder = opts == nil
			continue
		}
		pm := req.GetProposedMessage()
		if pm == nil {
			badOrder = true
			continue
		}
		proposed = append(proposed, pm)
	}
	x.s.mu.Lock()
	x.s.appends = append(x.s.appends, wire)
	x.s.mu.Unlock()
	if fault, ok := x.s.takeFault(MethodAppend); ok {
		return faultError(srv.Context(), srv, fault)
	}
	if badOrder {
		return status.Error(codes.Unknown, "the first append message must be options and the others proposed messages")
	}
	exp, ok := appendExpected(opts)
	if !ok {
		return status.Error(codes.InvalidArgument, "expected stream revision is missing")
	}
	name := string(opts.GetStreamIdentifier().GetStreamName())
	if name == "" {
		return status.Error(codes.InvalidArgument, "stream name is empty")
	}
	recs := make([]*record, 0, len(proposed))
	size := 0
	for _, pm := range proposed {
		eventType, hasType := pm.GetMetadata()["type"]
		contentType, hasContentType := pm.GetMetadata()["content-type"]
		if !hasType || !hasContentType {
			srv.SetTrailer(metadata.Pairs(
				"exception", "missing-required-metadata-property",
				"required-metadata-properties", "type,content-type",
			))
			return status.Error(codes.InvalidArgument, "Missing required metadata property")
		}
		if eventType == "" {
			return status.Error(codes.Unknown, "event type is empty")
		}
		id, ok := eventID(pm.GetId())
		if !ok || id == [2]int64{} {
			return status.Error(codes.Unknown, "event id is empty")
		}
		size += len(pm.GetData()) + len(pm.GetCustomMetadata()) + 2*len(eventType) // KurrentDB's Event.SizeOnDisk
		recs = append(recs, &record{
			stream:    name,
			most:      id[0],
			least:     id[1],
			eventType: eventType,
			json:      contentType == "application/json",
			data:      nonNil(pm.GetData()),
			meta:      nonNil(pm.GetCustomMetadata()),
		})
	}
	if limit := x.s.opts.MaxAppendSize; limit > 0 && size > limit {
		srv.SetTrailer(metadata.Pairs(
			"exception", "maximum-append-size-exceeded",
			"maximum-append-size", strconv.Itoa(limit),
		))
		return status.Errorf(codes.InvalidArgument, "Maximum Append Size of %d Exceeded.", limit)
	}
	resp, err := x.s.append(name, exp, recs)
	if err != nil {
		return streamDeletedError(streamTrailer(srv), name)
	}
	return srv.SendAndClose(resp)
}

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// errDeleted tells a handler to answer with stream-deleted.
var errDeleted = errors.New("stream deleted")

// append writes recs to name if exp allows it. It returns errDeleted for
// a tombstoned stream; a wrong expected version is a response, not an error.
func (s *Server) append(name string, exp expected, recs []*record) (*streams.AppendResp, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	db := s.db
	cur := db.stream(name).last()
	if db.tombstoned(name) {
		return nil, errDeleted
	}
	if resp := db.idempotent(name, exp, recs); resp != nil {
		return resp, nil
	}
	switch db.check(name, exp) {
	case outcomeDeleted:
		return nil, errDeleted
	case outcomeWrongVersion:
		return wrongExpectedVersion(exp, cur), nil
	}
	now := s.opts.Now()
	if len(recs) == 0 {
		pos := db.marker()
		success := &streams.AppendResp_Success{
			PositionOption: &streams.AppendResp_Success_Position{Position: &streams.AppendResp_Position{CommitPosition: pos, PreparePosition: pos}},
		}
		if cur < 0 {
			success.CurrentRevisionOption = &streams.AppendResp_Success_NoStream{NoStream: &shared.Empty{}}
		} else {
			success.CurrentRevisionOption = &streams.AppendResp_Success_CurrentRevision{CurrentRevision: uint64(cur)}
		}
		return &streams.AppendResp{Result: &streams.AppendResp_Success_{Success: success}}, nil
	}
	if db.softDeleted(name) {
		// Undelete: the stream becomes readable again from its next revision.
		s.publish(db.writeMetadata(name, cur+1, now, newID()))
	}
	for _, rec := range recs {
		rec.created = now
		db.write(rec, false)
		s.publish(rec)
	}
	last := recs[len(recs)-1]
	return &streams.AppendResp{Result: &streams.AppendResp_Success_{Success: &streams.AppendResp_Success{
		CurrentRevisionOption: &streams.AppendResp_Success_CurrentRevision{CurrentRevision: last.revision},
		PositionOption: &streams.AppendResp_Success_Position{Position: &streams.AppendResp_Position{
			CommitPosition: last.pos, PreparePosition: last.pos,
		}},
	}}}, nil
}

// idempotent answers a re-sent batch as KurrentDB 24.10 does (spec §4.2): when the events the batch
// would have become are already stored with the same ids, in the same order, it returns success with
// the original write's last revision and position, and nothing is written. Where the batch would
// have gone is the revision after the expected one (revision 0 for NoStream), or, for Any and
// StreamExists, where its first id is. It returns nil when the batch is not a re-send. The caller
// holds Server.mu.
func (db *state) idempotent(name string, exp expected, recs []*record) *streams.AppendResp {
	st, ok := db.streams[name]
	if !ok || len(recs) == 0 || st.last() < 0 {
		return nil
	}
	start := int64(-1)
	switch exp.kind {
	case expectRevision:
		if exp.revision <= math.MaxInt64 && int64(exp.revision) < st.last() {
			start = int64(exp.revision) + 1
		}
	case expectNoStream:
		start = 0
	default:
		for i, e := range st.events {
			if e.most == recs[0].most && e.least == recs[0].least {
				start = int64(i)
				break
			}
		}
	}
	if start < 0 || start+int64(len(recs))-1 > st.last() {
		return nil
	}
	for i, r := range recs {
		e := st.events[start+int64(i)]
		if e.dropped || e.most != r.most || e.least != r.least {
			return nil
		}
	}
	last := st.events[start+int64(len(recs))-1]
	return &streams.AppendResp{Result: &streams.AppendResp_Success_{Success: &streams.AppendResp_Success{
		CurrentRevisionOption: &streams.AppendResp_Success_CurrentRevision{CurrentRevision: last.revision},
		PositionOption: &streams.AppendResp_Success_Position{Position: &streams.AppendResp_Position{
			CommitPosition: last.pos, PreparePosition: last.pos,
		}},
	}}}
}

// wrongExpectedVersion builds the status-OK WrongExpectedVersion answer,
// with the legacy 20.6.0 fields filled as the real server does.
func wrongExpectedVersion(exp expected, cur int64) *streams.AppendResp {
	w := &streams.AppendResp_WrongExpectedVersion{}
	if cur < 0 {
		w.CurrentRevisionOption = &streams.AppendResp_WrongExpectedVersion_CurrentNoStream{CurrentNoStream: &shared.Empty{}}
		w.CurrentRevisionOption_20_6_0 = &streams.AppendResp_WrongExpectedVersion_NoStream_20_6_0{NoStream_20_6_0: &shared.Empty{}}
	} else {
		w.CurrentRevisionOption = &streams.AppendResp_WrongExpectedVersion_CurrentRevision{CurrentRevision: uint64(cur)}
		w.CurrentRevisionOption_20_6_0 = &streams.AppendResp_WrongExpectedVersion_CurrentRevision_20_6_0{CurrentRevision_20_6_0: uint64(cur)}
	}
	switch exp.kind {
	case expectAny:
		w.ExpectedRevisionOption = &streams.AppendResp_WrongExpectedVersion_ExpectedAny{ExpectedAny: &shared.Empty{}}
		w.ExpectedRevisionOption_20_6_0 = &streams.AppendResp_WrongExpectedVersion_Any_20_6_0{Any_20_6_0: &shared.Empty{}}
	case expectStreamExists:
		w.ExpectedRevisionOption = &streams.AppendResp_WrongExpectedVersion_ExpectedStreamExists{ExpectedStreamExists: &shared.Empty{}}
		w.ExpectedRevisionOption_20_6_0 = &streams.AppendResp_WrongExpectedVersion_StreamExists_20_6_0{StreamExists_20_6_0: &shared.Empty{}}
	case expectNoStream:
		w.ExpectedRevisionOption = &streams.AppendResp_WrongExpectedVersion_ExpectedNoStream{ExpectedNoStream: &shared.Empty{}}
		w.ExpectedRevisionOption_20_6_0 = &streams.AppendResp_WrongExpectedVersion_ExpectedRevision_20_6_0{ExpectedRevision_20_6_0: math.MaxUint64}
	default:
		w.ExpectedRevisionOption = &streams.AppendResp_WrongExpectedVersion_ExpectedRevision{ExpectedRevision: exp.revision}
		w.ExpectedRevisionOption_20_6_0 = &streams.AppendResp_WrongExpectedVersion_ExpectedRevision_20_6_0{ExpectedRevision_20_6_0: exp.revision}
	}
	return &streams.AppendResp{Result: &streams.AppendResp_WrongExpectedVersion_{WrongExpectedVersion: w}}
}

// Delete implements the unary Delete RPC: a soft delete (spec §7).
func (x *streamsService) Delete(ctx context.Context, req *streams.DeleteReq) (*streams.DeleteResp, error) {
	if fault, ok := x.s.takeFault(MethodDelete); ok {
		return nil, faultError(ctx, nil, fault)
	}
	o := req.GetOptions()
	name := string(o.GetStreamIdentifier().GetStreamName())
	var exp expected
	switch v := o.GetExpectedStreamRevision().(type) {
	case *streams.DeleteReq_Options_Any:
		exp = expected{kind: expectAny}
	case *streams.DeleteReq_Options_NoStream:
		exp = expected{kind: expectNoStream}
	case *streams.DeleteReq_Options_StreamExists:
		exp = expected{kind: expectStreamExists}
	case *streams.DeleteReq_Options_Revision:
		exp = expected{kind: expectRevision, revision: v.Revision}
	default:
		return nil, status.Error(codes.InvalidArgument, "expected stream revision is missing")
	}
	pos, cur, err := x.s.softDelete(name, exp)
	switch {
	case errors.Is(err, errDeleted):
		return nil, streamDeletedError(unaryTrailer(ctx), name)
	case err != nil:
		return nil, wrongVersionError(unaryTrailer(ctx), name, exp, cur)
	}
	return &streams.DeleteResp{PositionOption: &streams.DeleteResp_Position_{Position: &streams.DeleteResp_Position{
		CommitPosition: pos, PreparePosition: pos,
	}}}, nil
}

// errWrongVersion tells Delete and Tombstone to answer wrong-expected-version.
var errWrongVersion = errors.New("wrong expected version")

// softDelete writes a $metadata event with $tb = MaxInt64 to $$name.
func (s *Server) softDelete(name string, exp expected) (pos uint64, cur int64, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	db := s.db
	cur = db.stream(name).last()
	if db.tombstoned(name) {
		return 0, cur, errDeleted
	}
	if cur < 0 && !db.metadata(name).exists {
		// Nothing to delete: the real server answers wrong expected version
		// whatever was expected.
		return 0, cur, errWrongVersion
	}
	switch db.check(name, exp) {
	case outcomeDeleted:
		return 0, cur, errDeleted
	case outcomeWrongVersion:
		return 0, cur, errWrongVersion
	}
	rec := db.writeMetadata(name, deletedRevision, s.opts.Now(), newID())
	s.publish(rec)
	return rec.pos, cur, nil
}

// Tombstone implements the unary Tombstone RPC: a hard delete (spec §7).
func (x *streamsService) Tombstone(ctx context.Context, req *streams.TombstoneReq) (*streams.TombstoneResp, error) {
	if fault, ok := x.s.takeFault(MethodTombstone); ok {
		return nil, faultError(ctx, nil, fault)
	}
	o := req.GetOptions()
	name := string(o.GetStreamIdentifier().GetStreamName())
	var exp expected
	switch v := o.GetExpectedStreamRevision().(type) {
	case *streams.TombstoneReq_Options_Any:
		exp = expected{kind: expectAny}
	case *streams.TombstoneReq_Options_NoStream:
		exp = expected{kind: expectNoStream}
	case *streams.TombstoneReq_Options_StreamExists:
		exp = expected{kind: expectStreamExists}
	case *streams.TombstoneReq_Options_Revision:
		exp = expected{kind: expectRevision, revision: v.Revision}
	default:
		return nil, status.Error(codes.InvalidArgument, "expected stream revision is missing")
	}
	pos, cur, err := x.s.tombstone(name, exp)
	switch {
	case errors.Is(err, errDeleted):
		return nil, streamDeletedError(unaryTrailer(ctx), name)
	case err != nil:
		return nil, wrongVersionError(unaryTrailer(ctx), name, exp, cur)
	}
	return &streams.TombstoneResp{PositionOption: &streams.TombstoneResp_Position_{Position: &streams.TombstoneResp_Position{
		CommitPosition: pos, PreparePosition: pos,
	}}}, nil
}

// tombstone writes a $streamDeleted record to name and marks it deleted for good.
func (s *Server) tombstone(name string, exp expected) (pos uint64, cur int64, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	db := s.db
	cur = db.stream(name).last()
	switch db.check(name, exp) {
	case outcomeDeleted:
		return 0, cur, errDeleted
	case outcomeWrongVersion:
		return 0, cur, errWrongVersion
	}
	id := newID()
	rec := &record{
		stream:    name,
		revision:  deletedRevision,
		most:      id[0],
		least:     id[1],
		eventType: "$streamDeleted",
		data:      []byte{},
		meta:      []byte{},
		created:   s.opts.Now(),
	}
	db.write(rec, true)
	s.publish(rec)
	return rec.pos, cur, nil
}

// Read implements the server-streaming Read RPC: counted reads of a
// stream or of $all (spec §5) and subscriptions (spec §6).
func (x *streamsService) Read(req *streams.ReadReq, srv streams.Streams_ReadServer) error {
	x.s.mu.Lock()
	x.s.reads = append(x.s.reads, req)
	x.s.mu.Unlock()
	if fault, ok := x.s.takeFault(MethodRead); ok {
		return faultError(srv.Context(), srv, fault)
	}
	o := req.GetOptions()
	if o == nil {
		return status.Error(codes.InvalidArgument, "read options are missing")
	}
	if o.GetUuidOption() == nil {
		return status.Error(codes.InvalidArgument, "uuid option is missing")
	}
	if o.GetSubscription() != nil {
		return x.s.subscribe(o, srv)
	}
	if _, ok := o.GetCountOption().(*streams.ReadReq_Options_Count); !ok {
		return status.Error(codes.InvalidArgument, "count option is missing")
	}
	var (
		msgs []*streams.ReadResp
		err  error
	)
	switch {
	case o.GetStream() != nil:
		msgs, err = x.s.readStream(o, srv)
	case o.GetAll() != nil:
		msgs, err = x.s.readAll(o)
	default:
		return status.Error(codes.InvalidArgument, "stream option is missing")
	}
	if err != nil {
		return err
	}
	for _, m := range msgs {
		if err := srv.Send(m); err != nil {
			return err
		}
	}
	return nil
}

func (s *Server) readStream(o *streams.ReadReq_Options, srv grpc.ServerStream) ([]*streams.ReadResp, error) {
	so := o.GetStream()
	name := string(so.GetStreamIdentifier().GetStreamName())
	s.mu.Lock()
	defer s.mu.Unlock()
	db := s.db
	if db.tombstoned(name) {
		return nil, streamDeletedError(streamTrailer(srv), name)
	}
	lowest, ok := db.readable(name)
	if !ok {
		return []*streams.ReadResp{{Content: &streams.ReadResp_StreamNotFound_{StreamNotFound: &streams.ReadResp_StreamNotFound{
			StreamIdentifier: &shared.StreamIdentifier{StreamName: []byte(name)},
		}}}}, nil
	}
	st := db.stream(name)
	last := st.last()
	count := o.GetCount()
	structured := o.GetUuidOption().GetString_() == nil
	var out []*streams.ReadResp
	emit := func(rev int64) {
		if !st.events[rev].dropped {
			out = append(out, s.eventResp(st.events[rev], o.GetResolveLinks(), structured))
		}
	}
	if o.GetReadDirection() == streams.ReadReq_Options_Backwards {
		from := last
		switch {
		case so.GetStart() != nil:
			from = 0
		case so.GetEnd() != nil:
			from = last
		default:
			if so.GetRevision() < uint64(last) {
				from = int64(so.GetRevision())
			}
		}
		for rev := from; rev >= lowest && uint64(len(out)) < count; rev-- {
			emit(rev)
		}
		return out, nil
	}
	from := int64(0)
	switch {
	case so.GetStart() != nil:
	case so.GetEnd() != nil:
		from = last + 1 // not meaningful on the real server; answer nothing
	default:
		if so.GetRevision() > uint64(last) {
			return nil, nil
		}
		from = int64(so.GetRevision())
	}
	if from < lowest {
		from = lowest
	}
	for rev := from; rev <= last && uint64(len(out)) < count; rev++ {
		emit(rev)
	}
	return out, nil
}

func (s *Server) readAll(o *streams.ReadReq_Options) ([]*streams.ReadResp, error) {
	ao := o.GetAll()
	if p := ao.GetPosition(); p != nil && p.GetCommitPosition() < p.GetPreparePosition() {
		return nil, status.Error(codes.Unknown, "commit position is smaller than prepare position")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	db := s.db
	count := o.GetCount()
	structured := o.GetUuidOption().GetString_() == nil
	var out []*streams.ReadResp
	if o.GetReadDirection() == streams.ReadReq_Options_Backwards {
		end := len(db.log) // exclusive
		switch {
		case ao.GetStart() != nil:
			end = 0
		case ao.GetEnd() != nil:
		default:
			end = db.indexAtOrAfter(ao.GetPosition().GetCommitPosition())
		}
		for i := end - 1; i >= 0 && uint64(len(out)) < count; i-- {
			out = append(out, s.eventResp(db.log[i], o.GetResolveLinks(), structured))
		}
		return out, nil
	}
	start := 0
	switch {
	case ao.GetStart() != nil:
	case ao.GetEnd() != nil:
		start = len(db.log)
	default:
		start = db.indexAtOrAfter(ao.GetPosition().GetCommitPosition())
	}
	for i := start; i < len(db.log) && uint64(len(out)) < count; i++ {
		out = append(out, s.eventResp(db.log[i], o.GetResolveLinks(), structured))
	}
	return out, nil
}

// eventResp builds the ReadResp for rec, resolving a "$>" link when asked.
// The caller holds s.mu.
func (s *Server) eventResp(rec *record, resolveLinks, structured bool) *streams.ReadResp {
	ev := &streams.ReadResp_ReadEvent{
		Position: &streams.ReadResp_ReadEvent_CommitPosition{CommitPosition: rec.pos},
	}
	if resolveLinks && rec.eventType == "$>" {
		ev.Link = rec.proto(structured)
		if target := s.db.resolve(rec); target != nil {
			ev.Event = target.proto(structured)
		}
	} else {
		ev.Event = rec.proto(structured)
	}
	return &streams.ReadResp{Content: &streams.ReadResp_Event{Event: ev}}
}

// proto encodes rec as the client expects: "type", "content-type" and
// "created" (100-ns ticks since the Unix epoch, mandatory) in Metadata.
func (rec *record) proto(structured bool) *streams.ReadResp_ReadEvent_RecordedEvent {
	contentType := "application/octet-stream"
	if rec.json {
		contentType = "application/json"
	}
	id := &shared.UUID{Value: &shared.UUID_Structured_{Structured: &shared.UUID_Structured{
		MostSignificantBits: rec.most, LeastSignificantBits: rec.least,
	}}}
	if !structured {
		id = &shared.UUID{Value: &shared.UUID_String_{String_: pairUUID(rec.most, rec.least).String()}}
	}
	return &streams.ReadResp_ReadEvent_RecordedEvent{
		Id:               id,
		StreamIdentifier: &shared.StreamIdentifier{StreamName: []byte(rec.stream)},
		StreamRevision:   rec.revision,
		PreparePosition:  rec.pos,
		CommitPosition:   rec.pos,
		Metadata: map[string]string{
			"type":         rec.eventType,
			"content-type": contentType,
			"created":      strconv.FormatInt(rec.created.UnixNano()/100, 10),
		},
		CustomMetadata: rec.meta,
		Data:           rec.data,
	}
}
