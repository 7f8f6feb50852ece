package reviewpack

import "github.com/partnership-ledger/ledger/audit"

// TreeHead is the signed tree head a pack is built under: audit's, so `ledger check-consistency`
// accepts the one in pack.json as it is.
type TreeHead = audit.TreeHead
