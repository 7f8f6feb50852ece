package api

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"

	"github.com/partnership-ledger/ledger/fault"
	"github.com/partnership-ledger/ledger/witness"
)

// NewWitnessServer returns the HTTP handler of a witness (ledger witness serve), per C2SP
// tlog-witness:
//
//   - POST /add-checkpoint: the body (witness.ParseAddCheckpoint, at most witness.MaxRequestBytes,
//     else 413) is checked and cosigned by w; 200 answers the cosignature line(s) as text/plain; 409
//     answers the size the witness holds, "N\n", as text/x.tlog.size. Every other failure is
//     problem+json with the status tlog-witness prescribes: 400 malformed (or old size above the
//     checkpoint's), 403 no valid signature of a key the witness trusts for the origin, 404 unknown
//     origin, 422 a consistency proof that does not verify (a split view).
//   - GET /{origin hash}/checkpoint: the checkpoint the witness last cosigned for the log whose
//     origin's SHA-256 is the lowercase hex origin hash, with the log's signatures and the witness's
//     cosignature (text/plain); 404 when it has none.
//
// Requests carry no credentials: the checkpoint's signature is the authentication (tlog-witness).
func NewWitnessServer(w *witness.Witness, logger *slog.Logger) http.Handler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &server{log: logger}
	mux := http.NewServeMux()
	mux.Handle("POST /add-checkpoint", s.h(func(rw http.ResponseWriter, r *http.Request) error {
		body, err := io.ReadAll(http.MaxBytesReader(rw, r.Body, witness.MaxRequestBytes))
		if err != nil {
			return err
		}
		cosigs, err := w.AddCheckpoint(body)
		var conflict *witness.ConflictError
		if errors.As(err, &conflict) {
			rw.Header().Set("Content-Type", "text/x.tlog.size")
			rw.Header().Set("Cache-Control", "no-store")
			rw.WriteHeader(http.StatusConflict)
			fmt.Fprintf(rw, "%d\n", conflict.Size)
			return nil
		}
		if err != nil {
			switch f := fault.Of(err); {
			case f != nil && f.Kind == fault.Unprocessable:
				// A validly signed checkpoint that does not extend the one cosigned: evidence of
				// another history of the log, kept in the log (tlog-witness allows it).
				logger.WarnContext(r.Context(), "add-checkpoint refused: the log shows another history", slog.String("reason", f.Message), slog.String("request", string(body)))
			case f != nil && f.Kind != fault.Internal:
				logger.InfoContext(r.Context(), "add-checkpoint refused", slog.String("kind", string(f.Kind)), slog.String("reason", f.Message))
			}
			return err
		}
		logger.InfoContext(r.Context(), "checkpoint cosigned", slog.String("cosignature", string(cosigs)))
		rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
		rw.Header().Set("Cache-Control", "no-store")
		_, err = rw.Write(cosigs)
		return err
	}))
	mux.Handle("GET /{origin}/checkpoint", s.h(func(rw http.ResponseWriter, r *http.Request) error {
		cp, err := w.Latest(r.PathValue("origin"))
		if err != nil {
			return err
		}
		rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
		rw.Header().Set("Cache-Control", "no-store")
		_, err = rw.Write(cp)
		return err
	}))
	// Another method on a witness path is 405 with Allow (RFC 9110 §15.5.6), as problem+json.
	mux.Handle("/add-checkpoint", s.notAllowed(http.MethodPost))
	mux.Handle("/{origin}/checkpoint", s.notAllowed(http.MethodGet, http.MethodHead))
	mux.Handle("/", s.h(func(http.ResponseWriter, *http.Request) error {
		return fault.Errorf(fault.NotFound, "a witness answers POST /add-checkpoint and GET /<origin hash>/checkpoint (C2SP tlog-witness)")
	}))
	return securityHeaders(s.recoverer(mux))
}
