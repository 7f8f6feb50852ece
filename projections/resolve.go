package projections

// ResolveKnownAt returns the last seq that k includes, given what the models have folded so far
// (their Seq when k is everything). Safe for concurrent use.
func (m *Models) ResolveKnownAt(k KnownAt) uint64 {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return resolveKnownAt(k, m.index.maxRec)
}
