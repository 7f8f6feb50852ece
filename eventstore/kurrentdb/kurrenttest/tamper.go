package kurrenttest

import "fmt"

// Direct access to the stored log, for tests that need KurrentDB to hold what no client could make
// it hold (a database restored from a damaged backup, a disk that lost or reordered records). A
// real KurrentDB never does either.

// DropEvent removes the event at revision of stream from the stream and from $all, as if it had
// never been stored; the other events keep their revisions and positions, so the stream has a gap.
// It returns an error if there is no such event.
func (s *Server) DropEvent(stream string, revision uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, err := s.db.storedEvent(stream, revision)
	if err != nil {
		return err
	}
	rec.dropped = true
	i := s.db.indexAtOrAfter(rec.pos)
	s.db.log = append(s.db.log[:i:i], s.db.log[i+1:]...) // a new array: catch-ups may hold the old
	return nil
}

// SwapEvents exchanges the contents (id, type, data, metadata, created) of two events of stream,
// which keep their revisions and positions: the stream and $all read them in each other's place.
func (s *Server) SwapEvents(stream string, a, b uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ra, err := s.db.storedEvent(stream, a)
	if err != nil {
		return err
	}
	rb, err := s.db.storedEvent(stream, b)
	if err != nil {
		return err
	}
	ra.most, rb.most = rb.most, ra.most
	ra.least, rb.least = rb.least, ra.least
	ra.eventType, rb.eventType = rb.eventType, ra.eventType
	ra.json, rb.json = rb.json, ra.json
	ra.data, rb.data = rb.data, ra.data
	ra.meta, rb.meta = rb.meta, ra.meta
	ra.created, rb.created = rb.created, ra.created
	return nil
}

// storedEvent returns the event at revision of stream. The caller holds Server.mu.
func (db *state) storedEvent(stream string, revision uint64) (*record, error) {
	st, ok := db.streams[stream]
	if !ok || revision >= uint64(len(st.events)) || st.events[revision].dropped {
		return nil, fmt.Errorf("kurrenttest: stream %q has no event at revision %d", stream, revision)
	}
	return st.events[revision], nil
}
