package reviewpack

import "github.com/partnership-ledger/ledger/projections"

// ComposeViews writes the report of ev from views given by the caller, as Compose does from the views
// of its own models: for comparing the two.
func ComposeViews(ev *Evidence, m *projections.Models, st *projections.State, tl *projections.Timeline) *Report {
	r, err := compose(ev, m, st, tl)
	if err != nil {
		panic(err)
	}
	return r
}
