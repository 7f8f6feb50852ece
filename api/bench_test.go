package api_test

import (
	"net/http/httptest"
	"testing"
)

// BenchmarkGETState is one cached GET of a partnership's state through the whole handler: the
// security headers, metrics, logging and recovery middleware, routing, the body cache and the ETag.
// Command and figures: docs/benchmarks.md.
func BenchmarkGETState(b *testing.B) {
	e := newEnv(b, false)
	req := httptest.NewRequest("GET", gnn+"?as_of=2016-06-30", nil)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		e.handler.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatal(rec.Code, rec.Body.String())
		}
	}
}
