package kurrentdb

import (
	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/partnership-ledger/ledger/eventstore"
)

// Encode exposes encode to the tests.
func Encode(e eventstore.Event) (esdb.EventData, error) { return encode(e) }

// SetBeforeFold sets the hook that runs before the index folds each ledger event.
func SetBeforeFold(o *Options, fn func()) { o.beforeFold = fn }

// SetBeforeAppend sets the hook that runs before each AppendToStream call the Store makes.
func SetBeforeAppend(o *Options, fn func(stream string)) { o.beforeAppend = fn }
