// Package layers holds no code: its test keeps the ledger's import rules, for every package of the
// module at once.
//
// The layers, lowest first (a package imports only from layers below its own):
//
//	0 fault; internal/docpaths (a repository-wide test of the paths docs name; no code);
//	  internal/browsertest (headless Chromium and axe-core for browser tests; test-only)
//	1 eventstore, fault/faulttest
//	2 domain; the store adapters eventstore/bolt, eventstore/kurrentdb, eventstore/memstore and the
//	  test support eventstore/storetest, eventstore/kurrentdb/kurrenttest
//	3 domain/words (the ledger's English, used by every layer above)
//	4 domain/recording, domain/refdata, projections, tokens
//	5 domain/demo, audit
//	6 reviewpack, witness
//	7 api, api/web, api/client, api/openapigen (builds api/openapi.json; used by api's tests only)
//	  and the test support api/contracttest (checks exchanges against the OpenAPI document)
//	8 cmd/ledger
//
// Besides, as the packages' own documentation states: eventstore knows nothing of domain; domain,
// domain/words, audit, eventstore, fault and witness import only the third-party modules their doc comments
// name (domain/words none); the store adapters are chosen only in cmd (other packages' tests may use
// them); test support (storetest, kurrenttest, faulttest, contracttest) is imported only by _test.go files;
// api/client does not import the server packages api and api/web. A new package must be given a layer here and in the test.
package layers
