package domain

// CompareFacts returns what changed from one list of facts to another (each as State.Facts lists
// them): the facts only in after (Made), those in both whose fields differ (Changed, field by field)
// and those only in before (Ended), matched by kind and key as ApplyEffect matches them. The Effect
// names no event (Event and Type are zero).
//
// ledger replay shows what a correction or a retraction did this way: the state known just before it
// against the state known with it, both folded from the effective history (EffectiveView) as of the
// same date; a correction changes its target where the target stands in that history, not where the
// correction was recorded.
func CompareFacts(before, after []Fact) Effect {
	return diffFacts(Effective{}, before, after)
}
