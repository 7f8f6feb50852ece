package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/tokens"
)

// heartbeatEvery is how often an idle stream sends a comment, so proxies keep it open.
const heartbeatEvery = 15 * time.Second

// handleStream serves live events as Server-Sent Events: each event's id is its seq, so a client
// resumes with Last-Event-ID (or ?after=) and gets every later event once, without gaps.
func (s *server) handleStream(w http.ResponseWriter, r *http.Request) error {
	p, err := s.require(r, tokens.RoleReader)
	if err != nil {
		return err
	}
	var after uint64
	if v := r.Header.Get("Last-Event-ID"); v != "" {
		if after, err = strconv.ParseUint(v, 10, 64); err != nil {
			return badHeader("Last-Event-ID", "Last-Event-ID must be a seq number, got %q", v)
		}
	} else if a, ok, err := parseUint(r, "after"); err != nil {
		return err
	} else if ok {
		after = a
	}
	flusher, ok := w.(http.Flusher)
	if !ok {
		return fmt.Errorf("streaming unsupported by the response writer")
	}
	// Streams outlive the server's write timeout.
	if rc := http.NewResponseController(w); rc != nil {
		rc.SetWriteDeadline(time.Time{})
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprintf(w, ": partnership ledger events after seq %d\nretry: 2000\n\n", after)
	flusher.Flush()

	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	events := make(chan eventstore.Event)
	errc := make(chan error, 1)
	go func() {
		for e, err := range s.Store.SubscribeAll(ctx, after) {
			if err != nil {
				errc <- err
				return
			}
			select {
			case events <- e:
			case <-ctx.Done():
				return
			}
		}
	}()
	tick := time.NewTicker(heartbeatEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-errc:
			return nil
		case <-tick.C:
			fmt.Fprint(w, ": heartbeat\n\n")
			flusher.Flush()
		case e := <-events:
			if !visible(p, e) {
				// Still advance the client's cursor past events it may not see.
				fmt.Fprintf(w, "id: %d\n\n", e.Seq)
				flusher.Flush()
				continue
			}
			b, err := json.Marshal(e)
			if err != nil {
				return nil
			}
			fmt.Fprintf(w, "id: %d\nevent: %s\ndata: %s\n\n", e.Seq, e.Type, b)
			flusher.Flush()
		}
	}
}
