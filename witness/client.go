package witness

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/note"

	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/fault"
)

// MaxResponseBytes bounds what the ledger reads of a witness's answer (a few cosignature lines, a
// size, or a short problem): more is refused as a bad answer.
const MaxResponseBytes = 64 << 10

// Remote is a witness the ledger asks for cosignatures: the key it pins (a cosignature/v1 verifier)
// and its submission prefix (tlog-witness), e.g. http://witness.example:8090.
type Remote struct {
	Key  note.Verifier
	VKey string // the key as given
	URL  string // no trailing slash
}

// ParseRemote reads "VKEY@URL", as --witness takes it: a witness's verifier key (ParseVerifierKey:
// NAME+HASH+KEY, as 'ledger witness key' prints it) and its http or https URL. Anything else is a
// fault.Malformed error.
func ParseRemote(spec string) (Remote, error) {
	vkey, raw, ok := strings.Cut(spec, "@")
	if !ok {
		return Remote{}, fault.Errorf(fault.Malformed, "a witness is VKEY@URL, e.g. witness.example/w1+1234abcd+BASE64@http://127.0.0.1:8090 (got %q)", clip([]byte(spec)))
	}
	v, err := ParseVerifierKey(vkey)
	if err != nil {
		return Remote{}, err
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return Remote{}, fault.Errorf(fault.Malformed, "the witness URL %q is not an http(s) URL without query, fragment or credentials", clip([]byte(raw)))
	}
	return Remote{Key: v, VKey: strings.TrimSpace(vkey), URL: strings.TrimSuffix(u.String(), "/")}, nil
}

// RefusedError is a witness's answer other than 200 or 409: its status and what it says (refusal).
type RefusedError struct {
	Status int
	Body   string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("the witness answered %d: %s", e.Status, e.Body)
}

// AddCheckpoint sends req to the witness (POST <URL>/add-checkpoint, tlog-witness) and returns the
// verified cosignatures of the checkpoint by the pinned key: the signature lines of the answer that
// verify under r.Key, as note signatures (lines of other keys are ignored, as the spec says). A 409
// is a *ConflictError with the size the witness holds; another status a *RefusedError; an answer
// with no valid cosignature by the pinned key an error saying so. Redirects are not followed.
func (r Remote) AddCheckpoint(ctx context.Context, hc *http.Client, req AddCheckpointRequest) ([]note.Signature, error) {
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, r.URL+"/add-checkpoint", bytes.NewReader(req.Marshal()))
	if err != nil {
		return nil, err
	}
	hreq.Header.Set("Content-Type", "text/plain; charset=utf-8")
	res, err := hc.Do(hreq)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, MaxResponseBytes+1))
	if err != nil {
		return nil, err
	}
	if len(body) > MaxResponseBytes {
		return nil, fmt.Errorf("the witness's answer is over %d bytes", MaxResponseBytes)
	}
	switch res.StatusCode {
	case http.StatusOK:
	case http.StatusConflict:
		size, ok := parseDecimal(bytes.TrimSuffix(body, []byte("\n")))
		if !ok || !bytes.HasSuffix(body, []byte("\n")) {
			return nil, fmt.Errorf("the witness answered 409 without a size (%q)", clip(body))
		}
		cp, err := audit.ParseCheckpointText(noteText(req.Checkpoint))
		if err != nil {
			return nil, err
		}
		return nil, &ConflictError{Origin: cp.Origin, Size: size}
	default:
		return nil, &RefusedError{Status: res.StatusCode, Body: refusal(res.Header.Get("Content-Type"), body)}
	}
	// The answer is signature lines: appended to the checkpoint, they make a note whose
	// signatures by the pinned key verify (tlog-witness).
	n, err := note.Open(append(bytes.Clone(req.Checkpoint), body...), note.VerifierList(r.Key))
	var unverified *note.UnverifiedNoteError
	switch {
	case errors.As(err, &unverified):
		return nil, fmt.Errorf("the witness answered no cosignature by its pinned key %s", r.VKey)
	case err != nil:
		return nil, fmt.Errorf("the witness's cosignature does not verify under its pinned key %s: %v", r.VKey, err)
	}
	return n.Sigs, nil
}

// MaxRefusalBytes bounds the text of a witness's refusal kept in a RefusedError (and so in the
// ledger's log): enough for any reason a witness gives, never a whole hostile body.
const MaxRefusalBytes = 512

// refusal is what a witness's non-200 answer says, for people: an RFC 9457 problem's title and
// detail when it sent one, else its body; valid UTF-8 with newlines as spaces, at most
// MaxRefusalBytes (cut on a character boundary, "…" marking the cut).
func refusal(contentType string, body []byte) string {
	text := string(body)
	if strings.HasPrefix(contentType, "application/problem+json") {
		var p struct {
			Title  string `json:"title"`
			Detail string `json:"detail"`
		}
		if json.Unmarshal(body, &p) == nil && (p.Title != "" || p.Detail != "") {
			text = strings.TrimSuffix(p.Title+": "+p.Detail, ": ")
		}
	}
	text = strings.ToValidUTF8(strings.Join(strings.Fields(text), " "), "\ufffd")
	if len(text) > MaxRefusalBytes {
		cut := MaxRefusalBytes
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut] + "…"
	}
	return text
}

// noteText is the text of a signed note: everything before its last blank line, with its final
// newline.
func noteText(n []byte) string {
	i := bytes.LastIndex(n, []byte("\n\n"))
	if i < 0 {
		return string(n)
	}
	return string(n[:i+1])
}
