package kurrentdb

import (
	"errors"
	"regexp"
	"strconv"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/partnership-ledger/ledger/eventstore"
)

// DefaultMaxAppendSize is KurrentDB's default MaxAppendSize (1 MiB): the largest total size of the
// events of one append the server takes (docs/kurrentdb-protocol.md §4.6; docs/kurrentdb.md).
const DefaultMaxAppendSize = 1 << 20

// MaxAppendBytes implements eventstore.AppendLimiter: Options.MaxAppendSize, by default
// DefaultMaxAppendSize; 0 when the Store was opened without a limit.
func (s *Store) MaxAppendBytes() int { return max(s.opts.MaxAppendSize, 0) }

// AppendBytes implements eventstore.AppendLimiter: the size KurrentDB counts for the sealed event e
// against its MaxAppendSize, as its Event.SizeOnDisk does: the data, the metadata (the envelope
// fields the adapter keeps there, sources included) and twice the event type's length, in bytes.
func (s *Store) AppendBytes(e eventstore.Event) int {
	d, err := encode(e)
	if err != nil {
		return len(e.Data) + len(e.Sources) + 2*len(e.Type)
	}
	return sizeOnDisk(d)
}

func sizeOnDisk(d esdb.EventData) int { return len(d.Data) + len(d.Metadata) + 2*len(d.EventType) }

// checkAppendSize refuses, before anything is sent, an append whose events together are over the
// Store's limit, with an *eventstore.AppendTooLargeError.
func (s *Store) checkAppendSize(stream string, data []esdb.EventData) error {
	limit := s.MaxAppendBytes()
	if limit == 0 {
		return nil
	}
	total := 0
	for _, d := range data {
		total += sizeOnDisk(d)
	}
	if total <= limit {
		return nil
	}
	return &eventstore.AppendTooLargeError{Stream: stream, Events: len(data), Bytes: total, Limit: limit}
}

// Messages of KurrentDB's InvalidArgument refusals of an oversize append: "Maximum Append Size of N
// Exceeded." (every version) and "Event with Id: ID, Size: S, exceeds Maximum Append Event Size of
// N." (25.x and later, one event). The client keeps the status but drops the trailers
// (exception=maximum-append-size-exceeded) that name the refusal.
var (
	maxAppendSizeMsg      = regexp.MustCompile(`Maximum Append Size of (\d+) Exceeded`)
	maxAppendEventSizeMsg = regexp.MustCompile(`Size: (\d+), exceeds Maximum Append Event Size of (\d+)`)
)

// appendTooLarge returns the *eventstore.AppendTooLargeError for the server's refusal err of an
// append of events to stream as too large, or nil when err is something else.
func appendTooLarge(stream string, data []esdb.EventData, err error) error {
	var ee *esdb.Error
	if !errors.As(err, &ee) || ee.Err() == nil {
		return nil
	}
	st, ok := status.FromError(ee.Err())
	if !ok || st.Code() != codes.InvalidArgument {
		return nil
	}
	total := 0
	for _, d := range data {
		total += sizeOnDisk(d)
	}
	if m := maxAppendSizeMsg.FindStringSubmatch(st.Message()); m != nil {
		limit, _ := strconv.Atoi(m[1])
		return &eventstore.AppendTooLargeError{Stream: stream, Events: len(data), Bytes: total, Limit: limit}
	}
	if m := maxAppendEventSizeMsg.FindStringSubmatch(st.Message()); m != nil {
		size, _ := strconv.Atoi(m[1])
		limit, _ := strconv.Atoi(m[2])
		return &eventstore.AppendTooLargeError{Stream: stream, Events: 1, Bytes: size, Limit: limit}
	}
	return nil
}
