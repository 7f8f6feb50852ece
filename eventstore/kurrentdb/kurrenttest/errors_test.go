package kurrenttest_test

import (
	"errors"
	"testing"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"

	"github.com/partnership-ledger/ledger/eventstore/kurrentdb/kurrenttest"
)

// TestErrors covers the error-mapping items E1-E3 of the spec's §10 checklist.
func TestErrors(t *testing.T) {
	t.Run("E1", func(t *testing.T) {
		srv, c := setup(t)
		s := streamName("e1")
		for _, tc := range []struct {
			code codes.Code
			want esdb.ErrorCode
		}{
			{codes.Unauthenticated, esdb.ErrorCodeUnauthenticated},
			{codes.Unimplemented, esdb.ErrorCodeUnsupportedFeature},
			{codes.NotFound, esdb.ErrorCodeResourceNotFound},
			{codes.PermissionDenied, esdb.ErrorCodeAccessDenied},
			{codes.DeadlineExceeded, esdb.ErrorCodeDeadlineExceeded},
			{codes.AlreadyExists, esdb.ErrorCodeResourceAlreadyExists},
			{codes.Aborted, esdb.ErrorAborted},
			{codes.Unavailable, esdb.ErrorUnavailable},
			{codes.FailedPrecondition, esdb.ErrorCodeUnknown},
			{codes.InvalidArgument, esdb.ErrorCodeUnknown},
			{codes.Internal, esdb.ErrorCodeUnknown},
			{codes.Unknown, esdb.ErrorCodeUnknown},
			{codes.Canceled, esdb.ErrorCodeUnknown},
			{codes.ResourceExhausted, esdb.ErrorCodeUnknown},
		} {
			t.Run(tc.code.String(), func(t *testing.T) {
				srv.FailNext(kurrenttest.MethodAppend, kurrenttest.Fault{Code: tc.code, Message: "injected"})
				_, err := c.AppendToStream(ctxT(t), s, esdb.AppendToStreamOptions{}, jsonEvent("E", 0))
				require.True(t, isUnwrapped(err), "CloseAndRecv errors are unwrapped: %T", err)
				e, _ := esdb.FromError(err)
				assert.Equal(t, tc.want, e.Code())
			})
		}
		// No event was written by the failed appends; the next one works.
		res := appendEvents(t, c, s, esdb.NoStream{}, jsonEvent("E", 0))
		assert.Equal(t, uint64(0), res.NextExpectedVersion)
	})

	t.Run("E2", func(t *testing.T) {
		srv, c := setup(t)
		s := streamName("e2")
		for _, tc := range []struct {
			name  string
			fault kurrenttest.Fault
			want  esdb.ErrorCode
		}{
			{"access denied", kurrenttest.Fault{Code: codes.PermissionDenied, Message: "Access Denied",
				Trailer: metadata.Pairs("exception", "access-denied")}, esdb.ErrorCodeAccessDenied},
			{"unauthenticated", kurrenttest.Fault{Code: codes.Unauthenticated, Message: "Bad credentials"}, esdb.ErrorCodeUnauthenticated},
			{"timeout", kurrenttest.Fault{Code: codes.Aborted, Message: "Operation timed out: Prepare"}, esdb.ErrorAborted},
			{"maximum append size", kurrenttest.Fault{Code: codes.InvalidArgument, Message: "Maximum Append Size Exceeded",
				Trailer: metadata.Pairs("exception", "maximum-append-size-exceeded", "maximum-append-size", "1048576")}, esdb.ErrorCodeUnknown},
		} {
			t.Run(tc.name, func(t *testing.T) {
				srv.FailNext(kurrenttest.MethodAppend, tc.fault)
				_, err := c.AppendToStream(ctxT(t), s, esdb.AppendToStreamOptions{}, jsonEvent("E", 0))
				assert.Equal(t, tc.want, esdbCode(t, err))
			})
		}
		// The real append-size check, not an injected one.
		big := jsonEvent("Big", 0)
		big.Data = make([]byte, kurrenttest.DefaultMaxAppendSize+1)
		big.ContentType = esdb.ContentTypeBinary
		_, err := c.AppendToStream(ctxT(t), s, esdb.AppendToStreamOptions{}, big)
		assert.Equal(t, esdb.ErrorCodeUnknown, esdbCode(t, err))
		assert.Contains(t, err.Error(), "Maximum Append Size")
	})

	t.Run("E3", func(t *testing.T) {
		// Append's open and Send failures are also wrapped, but cannot be
		// produced on purpose: the server reads the whole request before
		// it answers, as the spec requires (§4.1).
		srv, c := setup(t)
		s := streamName("e3")
		appendEvents(t, c, s, esdb.Any{}, jsonEvent("E", 0))
		denied := kurrenttest.Fault{Code: codes.PermissionDenied, Message: "Access Denied", Trailer: metadata.Pairs("exception", "access-denied")}
		for _, tc := range []struct {
			name string
			call func() error
			want esdb.ErrorCode
		}{
			{"DeleteStream", func() error {
				srv.FailNext(kurrenttest.MethodDelete, denied)
				_, err := c.DeleteStream(ctxT(t), s, esdb.DeleteStreamOptions{})
				return err
			}, esdb.ErrorCodeAccessDenied},
			{"TombstoneStream", func() error {
				srv.FailNext(kurrenttest.MethodTombstone, denied)
				_, err := c.TombstoneStream(ctxT(t), s, esdb.TombstoneStreamOptions{})
				return err
			}, esdb.ErrorCodeAccessDenied},
			{"SubscribeToStream", func() error {
				srv.FailNext(kurrenttest.MethodRead, denied)
				_, err := c.SubscribeToStream(ctxT(t), s, esdb.SubscribeToStreamOptions{})
				return err
			}, esdb.ErrorCodeAccessDenied},
			{"SubscribeToAll", func() error {
				srv.FailNext(kurrenttest.MethodRead, denied)
				_, err := c.SubscribeToAll(ctxT(t), esdb.SubscribeToAllOptions{})
				return err
			}, esdb.ErrorCodeAccessDenied},
			{"GetStreamMetadata", func() error {
				_, err := c.GetStreamMetadata(ctxT(t), streamName("no-metadata"), esdb.ReadStreamOptions{})
				return err
			}, esdb.ErrorCodeResourceNotFound},
		} {
			t.Run(tc.name, func(t *testing.T) {
				err := tc.call()
				require.Error(t, err)
				assert.False(t, isUnwrapped(err), "wrapped: %v", err)
				var e *esdb.Error
				require.True(t, errors.As(err, &e), "errors.As finds the *esdb.Error")
				assert.Equal(t, tc.want, e.Code())
			})
		}
	})
}
