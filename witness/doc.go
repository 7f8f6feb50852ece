// Package witness lets independent parties stop a ledger from showing different histories to
// different people (a split view): a witness cosigns the ledger's checkpoints, and refuses to cosign
// one that does not extend the last it cosigned.
//
//   - Witness is the witness of C2SP tlog-witness: AddCheckpoint checks a checkpoint's signature
//     against the log keys it was given, its consistency proof from the checkpoint it last cosigned
//     for that log (transparency-dev/merkle's RFC 6962 verifier, independent of package audit's), and
//     answers cosignature/v1 lines (C2SP tlog-cosignature, Ed25519, with the signing time); State
//     keeps the last cosigned checkpoint per log durably (bbolt), checked and replaced atomically.
//     The HTTP routes are api.NewWitnessServer's.
//   - ParseAddCheckpoint and AddCheckpointRequest.Marshal are the request body's one reading and one
//     writing.
//   - Key is a witness's key (NewKey, CreateKeyFile, ParseKey) and ParseVerifierKey reads the vkey
//     people pin; ParseLogKey reads a log's checkpoint key.
//   - Remote is a witness as the ledger knows it (--witness VKEY@URL): AddCheckpoint sends it a
//     checkpoint and verifies the cosignatures it answers.
//
// docs/integrity.md says what witnesses protect against and how a council runs one.
//
// Import rules: the package imports eventstore, audit, fault, golang.org/x/mod/sumdb/note,
// github.com/transparency-dev/formats, github.com/transparency-dev/merkle and go.etcd.io/bbolt
// (internal/layers tests this).
package witness
