package domain

// ApplyEffectWhole is ApplyEffect listing every fact of the touched kinds, not only those in the
// event's scope: the reference the scoped listing is tested against.
func ApplyEffectWhole(s *State, e Effective) Effect {
	kinds := touches(e.Type)
	before := s.facts(kinds, nil)
	s.Apply(e)
	after := s.facts(kinds, nil)
	return diffFacts(e, before, after)
}

// ContainsNull is containsNull, for its test against bytes.Contains.
var ContainsNull = containsNull
