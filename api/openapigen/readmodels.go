package openapigen

import (
	"reflect"

	"github.com/partnership-ledger/ledger/projections"
	"github.com/partnership-ledger/ledger/reviewpack"
)

// readModels adds to w.defs the schemas of the read models the API answers, generated from the
// projections' Go types (projections/views.go): members by JSON name, none other; required unless
// omitempty/omitzero; a pointer written without omitempty may be null (CouncilSavings' figures that
// were not recorded: net_pence is null when one-off costs are not). The hand-written document refers
// to them by these names.
func readModels(w *walker) {
	rw := &walker{defs: w.defs, docs: w.docs, read: true, order: w.order, owner: w.owner,
		rename: map[reflect.Type]string{reflect.TypeFor[projections.KnownAtInfo](): "KnownAt",
			reflect.TypeFor[reviewpack.File](): "ReviewPack", reflect.TypeFor[reviewpack.Report](): "PackReport",
			reflect.TypeFor[reviewpack.TreeHead](): "PackTreeHead"}}
	for _, t := range []reflect.Type{
		reflect.TypeFor[projections.List](),
		reflect.TypeFor[projections.State](),
		reflect.TypeFor[projections.Timeline](),
	} {
		rw.typeSchema(t, nil)
	}
	// GET …/review-pack?format=json, pack.json: reviewpack's model, whose empty lists may be null.
	pw := *rw
	pw.nilSlices = true
	pw.typeSchema(reflect.TypeFor[reviewpack.File](), nil)
	rw.owner = pw.owner
	w.owner = rw.owner
}
