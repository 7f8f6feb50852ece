package openapigen

import (
	"reflect"

	"github.com/partnership-ledger/ledger/projections"
)

// readModels adds to w.defs the schemas of the read models the API answers, generated from the
// projections' Go types (projections/views.go): members by JSON name, none other; required unless
// omitempty/omitzero; a pointer written without omitempty may be null (CouncilSavings' figures that
// were not recorded: net_pence is null when one-off costs are not). The hand-written document refers
// to them by these names.
func readModels(w *walker) {
	rw := &walker{defs: w.defs, docs: w.docs, read: true, order: w.order, owner: w.owner,
		rename: map[reflect.Type]string{reflect.TypeFor[projections.KnownAtInfo](): "KnownAt"}}
	for _, t := range []reflect.Type{
		reflect.TypeFor[projections.List](),
		reflect.TypeFor[projections.State](),
		reflect.TypeFor[projections.Timeline](),
	} {
		rw.typeSchema(t, nil)
	}
	w.owner = rw.owner
}
