package api

import (
	_ "embed"
	"net/http"
)

// openAPI is the OpenAPI 3.1 description of every route; api's tests validate real answers against it.
// It is generated (package api/openapigen) from the hand-written openapi.src.json and the Go types:
// edit openapi.src.json, never openapi.json, then run go generate ./api (TestOpenAPIGenerated -update).
//
//go:generate go test -run TestOpenAPIGenerated -update .
//go:embed openapi.json
var openAPI []byte

// OpenAPI returns the OpenAPI 3.1 document served at /openapi.json.
func OpenAPI() []byte { return openAPI }

// openAPIBody is the document as an answer, with the ETag of its bytes.
var openAPIBody = bodyOf(openAPI, "")

// handleOpenAPI serves the document, with its ETag and 304 to a matching If-None-Match (write), as
// every other GET.
func handleOpenAPI(w http.ResponseWriter, r *http.Request) error {
	return write(w, r, http.StatusOK, openAPIBody)
}
