package reviewpack

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// FormatVersion names the layout of pack.json and the rules its report and renderings were composed
// by; it changes whenever they do. verify-pack rebuilds and compares a pack of this format, checks a
// pack of one of EarlierFormats by the rules that still apply to it (dir.go), and refuses any other.
//
// v3 (issue 21): the report's facts, money and time honesty, provenance, gaps and risks, the pack's
// own explanation of its verification, the PDF's typeface and the HTML's contents and links.
// v4 (issue 21's committee review): assumed minute details marked wherever a minute is printed, the
// cover's dates in words, retractions in words, certainty stated for each risk and gap; a net needs
// one-off costs recorded, and a below-target flag the figures it compares; a dissolved
// partnership's section 2 is its wind-down (options_heading), vacant statutory roles are gaps and
// risks, differing review outcomes a matter to note, and a finding gone names what closed it.
// v5 (issue 23): a correction's fields and values in words wherever a pack shows them ("What
// changed", provenance): fixed choices ("fixed ratio", not fixed_ratio), lists and groups member by
// member (they were JSON), labels without units ("Amount", was "Amount pence"); pack.json's members
// are v4's.
const FormatVersion = "ledger-review-pack-v5"

// Formats lists the formats a pack renders to, in the order `ledger pack` writes them.
var Formats = []string{"html", "pdf", "md", "json"}

// ErrUnknownFormat is returned (wrapped) by Render and ContentType for a format not in Formats.
var ErrUnknownFormat = errors.New("reviewpack: unknown format")

// ContentType returns the media type of a format, for HTTP responses.
// It returns an error matching ErrUnknownFormat for a format not in Formats.
func ContentType(format string) (string, error) {
	switch format {
	case "html":
		return "text/html; charset=utf-8", nil
	case "pdf":
		return "application/pdf", nil
	case "md":
		return "text/markdown; charset=utf-8", nil
	case "json":
		return "application/json", nil
	}
	return "", fmt.Errorf("%w %q (want one of %s)", ErrUnknownFormat, format, strings.Join(Formats, ", "))
}

// FileName returns the file a format is written to in a pack directory: pack.html, pack.pdf, ...
func FileName(format string) string { return "pack." + format }

// Pack is a built review pack: the report and the evidence it cites (every event with its inclusion
// proof under one signed tree head). A Pack is immutable once built and safe for concurrent use:
// Render may be called from several goroutines.
type Pack struct {
	Report   *Report
	Evidence *Evidence
}

// Render writes the pack in one format: "html", "pdf", "md" or "json". The same pack always renders to
// the same bytes. It returns an error matching ErrUnknownFormat for another format, or w's error.
func (p *Pack) Render(format string, w io.Writer) error {
	switch format {
	case "html":
		return renderHTML(p.Report, w)
	case "pdf":
		return renderPDF(p.Report, w)
	case "md":
		return renderMarkdown(p.Report, w)
	case "json":
		return p.renderJSON(w)
	}
	_, err := ContentType(format)
	return err
}

// File is pack.json: the evidence first (what a verifier checks), then the report built from it.
type File struct {
	Format string `json:"format"` // FormatVersion
	*Evidence
	Report *Report `json:"report"`
}

func (p *Pack) renderJSON(w io.Writer) error {
	b, err := json.MarshalIndent(File{Format: FormatVersion, Evidence: p.Evidence, Report: p.Report}, "", "  ")
	if err != nil {
		return fmt.Errorf("reviewpack: json: %w", err)
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
