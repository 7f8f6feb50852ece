// Package reviewpack builds a partnership's review pack: the facts a scrutiny committee needs to
// decide whether a shared-service partnership should continue, be made permanent, be varied or end,
// laid out as an English council's scrutiny report, in four formats that say the same thing:
//
//   - HTML: one self-contained page (html/template), print-ready on A4 through CSS @page, the savings
//     chart as inline SVG; no scripts, fonts or images are fetched.
//   - PDF: A4, drawn with github.com/go-pdf/fpdf (pure Go) in the Liberation fonts (github.com/go-fonts/liberation,
//     SIL OFL 1.1: Sans for text and digits, Mono for hashes), embedded as
//     UTF-8 TrueType subsets so that "£" and typographic quotes print; bookmarks per section, running
//     header and "Page n of m" footer, table headers repeated on every page a table spans. The
//     Liberation fonts cover Latin (Welsh and Polish included), Greek and Cyrillic; fpdf neither shapes text nor
//     falls back to other fonts, so a character they lack (Arabic, Hebrew, Indic scripts, CJK, emoji,
//     control characters) prints as □, one per character or emoji sequence, and the table or section
//     says that the HTML and JSON packs hold the exact text. Text too long for a page (stored before
//     input limits, or free text in a narrow column) is cut with "…" and noted the same way: at most
//     5,000 code points and 60 line breaks per string and 60 lines per table cell.
//   - Markdown: the same sections as GitHub-flavoured Markdown (runs of white space in running text
//     become one space).
//   - JSON (pack.json): the Evidence the pack was built from — the query, the signed tree head at the
//     known_at cut, and every event of the partnership up to it with its RFC 9162 audit path — and
//     the Report built from it.
//
// # How a pack is made
//
// Build resolves known_at to a seq with the read models, takes the audit log's signed tree head at
// that size (its timestamp is the recorded_at of that event), reads the partnership's events up to
// it with their inclusion proofs, and calls Compose. Compose is a pure function of the Evidence: it
// replays the events into fresh projections (Sparse: the seqs of other streams are simply missing),
// queries the state and the timeline at (as_of, known_at = tree size), and writes the Report's text
// from those views alone, in the ledger's one wording (package words): what each event means, its
// sources and certainty, corrections and retractions all come from the views; of the events it
// reads only the envelope's metadata (seq, id, type, dates, hash) for the register and citations.
// Renderers read only the Report.
//
// # What a council report holds
//
// Besides the facts, each derived from the views at the pack's as-of and known-at, never written
// for one partnership: the cover's row per body the review is scheduled for, each with its own
// meeting (cover.go); the risks the facts show (risks.go) and the gaps in the record that bear on
// the decision (gaps.go), each saying why it matters and citing its events; the consequences of each
// option (options.go); and, with Options.Since, the events recorded since the last report and what
// they changed (changes.go).
//
// # Reproducible
//
// The same ledger with the same as_of and known_at gives byte-identical files in every format, even
// after the ledger has grown: the tree head for a size is always the same bytes (Ed25519 is
// deterministic), no clock is read (the PDF's creation and modification dates are the tree head's
// timestamp, its trailer /ID is derived from the tree head and the query, its resources are written
// in sorted order), maps are never iterated into output, and JSON is written from structs.
//
// # Verifiable offline
//
// VerifyDir (ledger verify-pack DIR) needs only the pack directory and the ledger's pinned public key;
// VerifyFile (ledger verify-pack pack.json) needs only pack.json. They check the tree head's signature,
// recompute every event's hash from its envelope and its link to the stream's previous event, follow
// each audit path to the signed root, check that the events are the partnership's whole stream up to
// the tree head, rebuild the Report with Compose and compare it with the one in pack.json; VerifyDir
// also re-renders each other format present and compares it byte for byte, and checks manifest.json's
// SHA-256s when it is there. An edited event, an edited fact in any format, a dropped event or a
// swapped manifest is refused, naming what failed (an event by [n] and id); an absent rendering is
// named, not refused. A pack is rebuilt by the same version of the rendering code that built it:
// pack.json carries FormatVersion, which changes whenever the wording or layout changes; a pack of one
// of EarlierFormats is checked by the rules that still apply to it (docs/integrity.md §7).
//
// A Pack is immutable and safe for concurrent use; Build is safe for concurrent use when its Source's
// parts are (projections.Models and audit.Log are).
//
// Import rules: reviewpack sits above projections and audit and below api and cmd; outside the
// ledger it imports only the PDF writer (github.com/go-pdf/fpdf), the Liberation fonts (github.com/go-fonts/liberation)
// with the parser that reads their character maps (golang.org/x/image/font), Unicode normalisation for the PDF's text
// (golang.org/x/text/unicode/norm) and github.com/google/uuid (internal/layers tests this).
package reviewpack
