package kurrenttest

import (
	"math"
	"regexp"
	"strings"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// subscriber is a live subscription. pending is guarded by Server.mu;
// publish appends to it and wakes the handler without ever blocking.
type subscriber struct {
	all        bool
	stream     string
	pending    []*record
	fellBehind bool // a test asked for a FellBehind message
	wake       chan struct{}
}

// signal wakes the subscription's handler without blocking.
func (sub *subscriber) signal() {
	select {
	case sub.wake <- struct{}{}:
	default:
	}
}

// publish hands rec to every live subscription it concerns. The caller holds s.mu.
func (s *Server) publish(rec *record) {
	for sub := range s.subs {
		if sub.all || sub.stream == rec.stream {
			sub.pending = append(sub.pending, rec)
			sub.signal()
		}
	}
}

// filter is a server-side $all subscription filter (spec §6.1, §6.4).
type filter struct {
	onType   bool
	prefixes []string
	re       *regexp.Regexp
	interval uint64 // checkpoint every interval considered events
}

func newFilter(fo *streams.ReadReq_Options_FilterOptions) (*filter, error) {
	f := &filter{}
	expr := fo.GetStreamIdentifier()
	if fo.GetEventType() != nil {
		f.onType = true
		expr = fo.GetEventType()
	}
	if expr == nil {
		return nil, status.Error(codes.InvalidArgument, "filter expression is missing")
	}
	if expr.GetRegex() != "" {
		// A regex takes priority over prefixes, as on the real server.
		re, err := regexp.Compile(expr.GetRegex())
		if err != nil {
			return nil, status.Errorf(codes.InvalidArgument, "invalid filter regex: %v", err)
		}
		f.re = re
	} else {
		f.prefixes = expr.GetPrefix()
	}
	window := uint64(32)
	if _, ok := fo.GetWindow().(*streams.ReadReq_Options_FilterOptions_Max); ok && fo.GetMax() > 0 {
		window = uint64(fo.GetMax())
	}
	if fo.GetCheckpointIntervalMultiplier() == 0 {
		return nil, status.Error(codes.Unknown, "checkpoint interval multiplier must be greater than 0")
	}
	f.interval = window * uint64(fo.GetCheckpointIntervalMultiplier())
	return f, nil
}

func (f *filter) match(rec *record) bool {
	v := rec.stream
	if f.onType {
		v = rec.eventType
	}
	if f.re != nil {
		return f.re.MatchString(v)
	}
	for _, p := range f.prefixes {
		if strings.HasPrefix(v, p) {
			return true
		}
	}
	return false
}

func checkpointResp(pos uint64) *streams.ReadResp {
	return &streams.ReadResp{Content: &streams.ReadResp_Checkpoint_{Checkpoint: &streams.ReadResp_Checkpoint{
		CommitPosition: pos, PreparePosition: pos,
	}}}
}

var caughtUpResp = &streams.ReadResp{Content: &streams.ReadResp_CaughtUp_{CaughtUp: &streams.ReadResp_CaughtUp{}}}

// subscribe serves a subscription Read: Confirmation, catch-up, CaughtUp,
// then live events until the client cancels or the stream is tombstoned.
// The catch-up snapshot and the live registration are taken under one
// lock, so no event is missed or delivered twice at the hand-over.
func (s *Server) subscribe(o *streams.ReadReq_Options, srv streams.Streams_ReadServer) error {
	ctx := srv.Context()
	var flt *filter
	if fo := o.GetFilter(); fo != nil && o.GetAll() != nil {
		var err error
		if flt, err = newFilter(fo); err != nil {
			return err
		}
	}
	structured := o.GetUuidOption().GetString_() == nil
	resolve := o.GetResolveLinks()
	sub := &subscriber{wake: make(chan struct{}, 1)}
	var (
		catchUp []*record
		after   int64 = -1 // stream subscriptions deliver revisions > after
		fromEnd bool
	)

	s.mu.Lock()
	db := s.db
	if so := o.GetStream(); so != nil {
		name := string(so.GetStreamIdentifier().GetStreamName())
		if db.tombstoned(name) {
			s.mu.Unlock()
			return streamDeletedError(streamTrailer(srv), name)
		}
		sub.stream = name
		st := db.stream(name)
		last := st.last()
		lowest, visible := db.readable(name)
		switch {
		case so.GetStart() != nil:
		case so.GetEnd() != nil:
			after, fromEnd = last, true
		default:
			after = int64(so.GetRevision())
			if so.GetRevision() > math.MaxInt64 {
				after = math.MaxInt64
			}
		}
		if visible && !fromEnd {
			from := max(after+1, lowest)
			if from <= last {
				catchUp = st.events[from:]
			}
		}
	} else {
		sub.all = true
		ao := o.GetAll()
		switch {
		case ao.GetStart() != nil:
			catchUp = db.log
		case ao.GetEnd() != nil:
			fromEnd = true
		default:
			catchUp = db.log[db.indexAfter(ao.GetPosition().GetCommitPosition()):]
		}
	}
	// catchUp aliases the log's backing array: safe, because the log only
	// ever grows and records are never changed once written.
	s.subs[sub] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.subs, sub)
		s.mu.Unlock()
	}()

	if err := srv.Send(&streams.ReadResp{Content: &streams.ReadResp_Confirmation{Confirmation: &streams.ReadResp_SubscriptionConfirmation{
		SubscriptionId: s.opts.NewSubscriptionID(),
	}}}); err != nil {
		return err
	}

	event := func(rec *record) error {
		s.mu.Lock()
		m := s.eventResp(rec, resolve, structured)
		s.mu.Unlock()
		return srv.Send(m)
	}

	// Catch-up.
	const unknown = math.MaxUint64
	checkpoint := uint64(unknown)
	considered := uint64(0)
	for _, rec := range catchUp {
		if rec.dropped {
			continue
		}
		if flt == nil {
			if err := event(rec); err != nil {
				return err
			}
			continue
		}
		considered++
		if flt.match(rec) {
			if err := event(rec); err != nil {
				return err
			}
			checkpoint = rec.pos
		}
		if considered%flt.interval == 0 {
			checkpoint = rec.pos
			if err := srv.Send(checkpointResp(checkpoint)); err != nil {
				return err
			}
		}
	}
	if flt != nil && !fromEnd {
		// The real server always ends a filtered catch-up with a
		// checkpoint, the unknown sentinel if there was none yet.
		if err := srv.Send(checkpointResp(checkpoint)); err != nil {
			return err
		}
	}
	if err := srv.Send(caughtUpResp); err != nil {
		return err
	}

	// Live.
	live := uint64(0)
	for {
		select {
		case <-ctx.Done():
			return status.FromContextError(ctx.Err()).Err()
		case <-sub.wake:
		}
		s.mu.Lock()
		batch := sub.pending
		sub.pending = nil
		fellBehind := sub.fellBehind
		sub.fellBehind = false
		s.mu.Unlock()
		if fellBehind {
			if err := srv.Send(&streams.ReadResp{Content: &streams.ReadResp_FellBehind_{FellBehind: &streams.ReadResp_FellBehind{}}}); err != nil {
				return err
			}
		}
		for _, rec := range batch {
			switch {
			case sub.stream != "":
				if rec.revision == deletedRevision && rec.eventType == "$streamDeleted" {
					if err := event(rec); err != nil {
						return err
					}
					return streamDeletedError(streamTrailer(srv), sub.stream)
				}
				if int64(rec.revision) <= after {
					continue
				}
				if err := event(rec); err != nil {
					return err
				}
			case flt == nil:
				if err := event(rec); err != nil {
					return err
				}
			default:
				live++
				if flt.match(rec) {
					if err := event(rec); err != nil {
						return err
					}
				}
				if live == flt.interval {
					live = 0
					if err := srv.Send(checkpointResp(rec.pos)); err != nil {
						return err
					}
				}
			}
		}
	}
}
