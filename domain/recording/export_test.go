package recording

// OnQueued sets a function Record calls when a command joins a partnership's queue behind a batch
// in flight, so tests know a caller is waiting without sleeping.
func OnQueued(s *Service, f func()) { s.queued = f }
