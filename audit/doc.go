// Package audit makes the ledger checkable by people who do not trust its operator.
//
//   - Tree is the Merkle tree over every event hash in seq order, built exactly as RFC 9162
//     (Certificate Transparency v2) §2.1: leaf = SHA-256(0x00 ‖ event hash), node =
//     SHA-256(0x01 ‖ left ‖ right). It gives the root at any size, inclusion proofs and consistency
//     proofs; VerifyInclusion and VerifyConsistency check them offline.
//   - TreeHead is a root at a size signed with the ledger's Ed25519 Key (LoadOrCreateKey), over the
//     bytes of SigningBytes; VerifyTreeHead checks it against a pinned public key (ParsePublicKey).
//   - Verify recomputes every hash of a store (or VerifyExport of an export file) and builds the tree;
//     its Report names the first bad event.
//   - Export, ReadExport and Import move a ledger as JSON Lines with every envelope field; Import
//     verifies the whole file before it writes anything and keeps ids, seq and hashes.
//   - Bundle is an offline inclusion proof for one event (Prove, CheckBundle); Consistency and
//     CheckConsistency show that today's ledger extends an earlier signed tree head.
//   - Log follows a live store and answers tree heads and proofs for the HTTP server.
//   - Checkpoints are the same roots as C2SP tlog-checkpoints in C2SP signed notes (Key.SignCheckpoint,
//     VerifyCheckpoint, under an origin naming the ledger), the format witnesses cosign; a
//     Checkpointer signs them as the log grows and keeps them in an eventstore.CheckpointStore.
//
// docs/integrity.md documents every byte layout and how an auditor checks a proof by hand.
//
// Import rules: the package imports only eventstore, fault, github.com/google/uuid,
// golang.org/x/mod/sumdb/note and github.com/transparency-dev/formats/log (signed notes and
// checkpoints) and the standard library (its crypto among it): never domain or projections
// (internal/layers tests this).
package audit
