package audit_test

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/partnership-ledger/ledger/eventstore"
)

// sealedEvents returns n valid sealed events in seq order spread over streams streams, as a store
// would have stored them. Ids are deterministic.
func sealedEvents(n, streams int) []eventstore.Event {
	t0 := time.Date(2016, 4, 1, 9, 0, 0, 0, time.UTC)
	type head struct {
		rev  uint64
		hash eventstore.Hash
		ok   bool
	}
	heads := make([]head, streams)
	names := make([]string, streams)
	for i := range names {
		names[i] = fmt.Sprintf("partnership-p%03d", i)
	}
	sources := json.RawMessage(`[{"kind":"report","title":"Outturn <Q4> & notes"}]`)
	out := make([]eventstore.Event, n)
	for i := range out {
		s := i % streams
		var id uuid.UUID
		id[0], id[6], id[8] = 0x01, 0x70, 0x80
		id[12], id[13], id[14], id[15] = byte(i>>24), byte(i>>16), byte(i>>8), byte(i)
		e := eventstore.Event{
			ID: id, Stream: names[s], Seq: uint64(i) + 1, Type: "SavingsReported", Schema: 1,
			EffectiveOn: "2016-03-31", RecordedAt: t0.Add(time.Duration(i) * time.Millisecond),
			RecordedBy: "seed:bench", Sources: sources,
			Certainty: "confirmed",
			Data:      json.RawMessage(fmt.Sprintf(`{"amount_pence":%d,"note":"a <b> & c","year":"2015/16"}`, i*100)),
		}
		h := heads[s]
		if h.ok {
			e.Revision = h.rev + 1
		}
		e = eventstore.Seal(e, h.hash)
		heads[s] = head{rev: e.Revision, hash: e.Hash, ok: true}
		out[i] = e
	}
	return out
}

func hashesOf(events []eventstore.Event) []eventstore.Hash {
	out := make([]eventstore.Hash, len(events))
	for i, e := range events {
		out[i] = e.Hash
	}
	return out
}

func sha256Sum(b []byte) [32]byte { return sha256.Sum256(b) }

func beUint64(b []byte) uint64 { return binary.BigEndian.Uint64(b) }
