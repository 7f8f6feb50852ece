package api

import (
	"slices"
	"strings"

	"github.com/partnership-ledger/ledger/fault"
)

// catalogueLink adds to a refusal of the data of an event of type typ (a field at /data or under it)
// where the type is described: "…; SavingsReported is described in docs/events.md#savingsreported".
// The kind, the fields and the wrapped error are unchanged; any other error is returned as it is.
func catalogueLink(err error, typ string) error {
	f := fault.Of(err)
	if f == nil || (f.Kind != fault.Malformed && f.Kind != fault.Rule) {
		return err
	}
	for _, fl := range f.Fields {
		if fl.Pointer == "/data" || strings.HasPrefix(fl.Pointer, "/data/") {
			return &fault.Error{Kind: f.Kind, Fields: slices.Clone(f.Fields), Err: err,
				Message: f.Message + "; " + typ + " is described in docs/events.md#" + strings.ToLower(typ)}
		}
	}
	return err
}
