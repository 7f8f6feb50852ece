package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/recording"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/fault"
	"github.com/partnership-ledger/ledger/projections"
	"github.com/partnership-ledger/ledger/reviewpack"
	"github.com/partnership-ledger/ledger/tokens"
)

// query reads as_of and known_at, waiting for min_seq first.
func (s *server) query(r *http.Request) (projections.Query, error) {
	if err := s.waitMinSeq(r); err != nil {
		return projections.Query{}, err
	}
	if err := once(r, "as_of", "known_at"); err != nil {
		return projections.Query{}, err
	}
	asOf, knownAt := r.URL.Query().Get("as_of"), r.URL.Query().Get("known_at")
	return projections.ParseQuery(asOf, knownAt)
}

// once refuses (400 naming the parameter) a query parameter among names given more than once
// (as_of=…&as_of=…): which one was meant cannot be told, so neither is chosen.
func once(r *http.Request, names ...string) error {
	for _, n := range names {
		if v := r.URL.Query()[n]; len(v) > 1 {
			return fault.BadParam(n, "%s is given %d times: give it once", n, len(v))
		}
	}
	return nil
}

func (s *server) handleList(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.require(r, tokens.RoleReader); err != nil {
		return err
	}
	q, err := s.query(r)
	if err != nil {
		return err
	}
	list, err := s.Models.List(q)
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, list)
}

func (s *server) state(r *http.Request) (*projections.State, error) {
	if _, err := s.require(r, tokens.RoleReader); err != nil {
		return nil, err
	}
	q, err := s.query(r)
	if err != nil {
		return nil, err
	}
	return s.Models.State(r.PathValue("id"), q)
}

// handleState serves a partnership's state. A cached answer is found from the query's resolved axes
// before anything is folded; an answer is cached under the axes it was folded at, so a key always
// names exactly the body it holds even while events arrive.
func (s *server) handleState(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.require(r, tokens.RoleReader); err != nil {
		return err
	}
	q, err := s.query(r)
	if err != nil {
		return err
	}
	slug := r.PathValue("id")
	if axes, err := s.Models.Axes(slug, q); err == nil {
		if e, ok := s.bodies.get(stateKey(slug, axes)); ok {
			return write(w, r, http.StatusOK, e)
		}
	}
	st, err := s.Models.State(slug, q)
	if err != nil {
		return err
	}
	e, err := encodeBody(st)
	if err != nil {
		return err
	}
	s.bodies.put(stateKey(st.Partnership, st.Axes), e)
	return write(w, r, http.StatusOK, e)
}

func stateKey(slug string, axes projections.Axes) string {
	return fmt.Sprintf("state\x00%s\x00%s\x00%d\x00%s", slug, axes.AsOf, axes.KnownAt.Seq, axes.KnownAt.Requested)
}

// modelHandler serves one read model of a partnership, model (one of readModels: appointments,
// services, savings, decisions or timeline), with the axes it was taken at.
func (s *server) modelHandler(model string) handler {
	if model == "timeline" {
		return func(w http.ResponseWriter, r *http.Request) error {
			if _, err := s.require(r, tokens.RoleReader); err != nil {
				return err
			}
			q, err := s.query(r)
			if err != nil {
				return err
			}
			tl, err := s.Models.Timeline(r.PathValue("id"), q)
			if err != nil {
				return err
			}
			return encode(w, r, http.StatusOK, tl)
		}
	}
	pick := map[string]func(*projections.State) any{
		"appointments": func(st *projections.State) any { return st.Appointments },
		"services":     func(st *projections.State) any { return st.Services },
		"savings":      func(st *projections.State) any { return st.Savings },
		"decisions":    func(st *projections.State) any { return st.Decisions },
	}[model]
	return func(w http.ResponseWriter, r *http.Request) error {
		st, err := s.state(r)
		if err != nil {
			return err
		}
		return encode(w, r, http.StatusOK, map[string]any{
			"partnership": st.Partnership, "as_of": st.AsOf, "known_at": st.KnownAt, model: pick(st),
		})
	}
}

// page is a page of events with the cursor for the next one.
type page struct {
	Events []eventstore.Event `json:"events"`
	Next   string             `json:"next,omitempty"`
	bytes  int                // the events' size (eventstore.Size)
}

// MaxPageBytes bounds a page of events by bytes as well as by count: a page stops before the event
// that would take its events past 4 MiB, as eventstore.Size counts them, and its next link goes on
// from there. A page always holds at least one event (an event stored before the cap on a whole
// event, eventstore.MaxEventBytes, may be larger than the budget alone).
const MaxPageBytes = 4 << 20

// add appends e unless the page is full: limit events, or MaxPageBytes that e would pass. It reports
// whether e was added.
func (p *page) add(e eventstore.Event, limit int) bool {
	n := eventstore.Size(e)
	if len(p.Events) >= limit || (len(p.Events) > 0 && p.bytes+n > MaxPageBytes) {
		return false
	}
	p.Events = append(p.Events, e)
	p.bytes += n
	return true
}

func limitParam(r *http.Request) (int, error) {
	n, ok, err := parseUint(r, "limit")
	if err != nil {
		return 0, err
	}
	if !ok {
		return 100, nil
	}
	if n < 1 || n > 1000 {
		return 0, fault.BadParam("limit", "limit must be between 1 and 1000, got %d", n)
	}
	return int(n), nil
}

// handlePartnershipEvents serves a page of a partnership's events (after, limit), with the stream's
// revision as its strong ETag ("31", revisionETag): what POST takes back in If-Match.
func (s *server) handlePartnershipEvents(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.require(r, tokens.RoleReader); err != nil {
		return err
	}
	slug, err := domain.ParsePartnershipSlug(r.PathValue("id"))
	if err != nil {
		return notFound("no partnership %q is recorded", r.PathValue("id"))
	}
	limit, err := limitParam(r)
	if err != nil {
		return err
	}
	from := eventstore.Start
	if after, ok, err := parseUint(r, "after"); err != nil {
		return err
	} else if ok {
		from = eventstore.AfterRevision(after)
	}
	// The stream's revision is read before the page, and raised to any later revision the page
	// holds, so the ETag is never older than what the page shows.
	last, exists, err := s.lastRevision(r.Context(), slug.Stream())
	if err != nil {
		return err
	}
	p := page{Events: []eventstore.Event{}}
	full := false
	for e, err := range s.Store.ReadStream(r.Context(), slug.Stream(), from, eventstore.Forward, limit) {
		if err != nil {
			return err
		}
		if !p.add(e, limit) {
			full = true
			break
		}
		last, exists = max(last, e.Revision), true
	}
	if !exists {
		return notFound("partnership %q has no events", slug)
	}
	// If-Match (RFC 9110 §13.1.1): a GET whose condition is false is 412, not the page.
	if im, ok, err := parseConditionList(r, "If-Match"); err != nil {
		return err
	} else if ok && !im.strongMatch(revisionETag(last), true) {
		return &preconditionFailed{header: "If-Match", read: true, sent: echoed(strings.Join(r.Header.Values("If-Match"), ", ")), current: last, exists: true}
	}
	if full || len(p.Events) == limit {
		p.Next = fmt.Sprintf("/v1/partnerships/%s/events?after=%d&limit=%d", slug, p.Events[len(p.Events)-1].Revision, limit)
	}
	e, err := encodeBody(p)
	if err != nil {
		return err
	}
	e.etag = revisionETag(last) // strong: a page is a function of its URL and the stream's revision
	return write(w, r, http.StatusOK, e)
}

// visible reports whether a principal may see an event: ledger-* streams are for auditors only.
func visible(p tokens.Principal, e eventstore.Event) bool {
	return strings.HasPrefix(e.Stream, domain.StreamPrefix) || p.Can(tokens.RoleAuditor)
}

func (s *server) handleEvents(w http.ResponseWriter, r *http.Request) error {
	p, err := s.require(r, tokens.RoleReader)
	if err != nil {
		return err
	}
	after, _, err := parseUint(r, "after")
	if err != nil {
		return err
	}
	limit, err := limitParam(r)
	if err != nil {
		return err
	}
	out := page{Events: []eventstore.Event{}}
	last := after
	full := false
	for e, err := range s.Store.ReadAll(r.Context(), after, eventstore.Forward, 0) {
		if err != nil {
			return err
		}
		if visible(p, e) && !out.add(e, limit) {
			full = true
			break
		}
		last = e.Seq
		if len(out.Events) == limit {
			full = true
			break
		}
	}
	if full {
		out.Next = fmt.Sprintf("/v1/events?after=%d&limit=%d", last, limit)
	}
	return encode(w, r, http.StatusOK, out)
}

// eventByID finds an event through the audit log's id index.
func (s *server) eventByID(ctx context.Context, text string) (eventstore.Event, error) {
	id, err := uuid.Parse(text)
	if err != nil {
		return eventstore.Event{}, notFound("%q is not an event id", text)
	}
	seq, ok := s.Log.Seq(id)
	if !ok {
		return eventstore.Event{}, notFound("no event %s is recorded", id)
	}
	for e, err := range s.Store.ReadAll(ctx, seq-1, eventstore.Forward, 1) {
		return e, err
	}
	return eventstore.Event{}, notFound("no event %s is recorded", id)
}

// visibleEvent is the event the path's {id} names, read by a caller with the reader role; an event of a
// ledger-* stream is not found unless the caller may see it (visible).
func (s *server) visibleEvent(r *http.Request) (eventstore.Event, error) {
	p, err := s.require(r, tokens.RoleReader)
	if err != nil {
		return eventstore.Event{}, err
	}
	e, err := s.eventByID(r.Context(), r.PathValue("id"))
	if err != nil {
		return eventstore.Event{}, err
	}
	if !visible(p, e) {
		return eventstore.Event{}, notFound("no event %s is recorded", e.ID)
	}
	return e, nil
}

func (s *server) handleEvent(w http.ResponseWriter, r *http.Request) error {
	e, err := s.visibleEvent(r)
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, e)
}

func (s *server) handleProof(w http.ResponseWriter, r *http.Request) error {
	e, err := s.visibleEvent(r)
	if err != nil {
		return err
	}
	b, err := s.Log.Prove(r.Context(), e.ID)
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, b)
}

func (s *server) handleTreeHead(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.require(r, tokens.RoleReader); err != nil {
		return err
	}
	size, ok, err := parseUint(r, "size")
	if err != nil {
		return err
	}
	th := s.Log.LatestTreeHead()
	if ok {
		if th, err = s.Log.TreeHead(size); err != nil {
			return asParam("size", err)
		}
	}
	return encode(w, r, http.StatusOK, th)
}

func (s *server) handleConsistency(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.require(r, tokens.RoleReader); err != nil {
		return err
	}
	from, okFrom, err := parseUint(r, "from")
	if err != nil {
		return err
	}
	if !okFrom {
		return fault.BadParam("from", "from (the older tree size) is required")
	}
	to, okTo, err := parseUint(r, "to")
	if err != nil {
		return err
	}
	if !okTo {
		to = s.Log.Size()
	}
	if from > to {
		return fault.BadParam("from", "from (%d) must not be larger than to (%d)", from, to)
	}
	c, err := s.Log.Consistency(from, to)
	if err != nil {
		return asParam("to", err)
	}
	return encode(w, r, http.StatusOK, c)
}

func (s *server) handleVerify(w http.ResponseWriter, r *http.Request) error {
	p, err := s.require(r, tokens.RoleAuditor)
	if err != nil {
		return err
	}
	release, err := s.Limiter.verify(Caller(r, p))
	if err != nil {
		return err
	}
	defer release()
	rep, err := audit.Verify(r.Context(), s.Store, nil)
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, rep)
}

func (s *server) handleKey(w http.ResponseWriter, r *http.Request) error {
	k := s.Log.Key()
	body := map[string]string{"public_key": k.PublicText(), "key_id": k.ID(), "algorithm": "Ed25519"}
	if s.Checkpoints != nil {
		vkey, err := audit.VerifierKey(s.Checkpoints.Origin, k.Public())
		if err != nil {
			return err
		}
		body["origin"], body["vkey"] = s.Checkpoints.Origin, vkey
	}
	return encode(w, r, http.StatusOK, body)
}

// handleCheckpoint serves the latest signed checkpoint with its stored cosignatures (C2SP
// tlog-checkpoint and signed-note: text/plain; charset=utf-8). A checkpoint follows appends within
// a second or so (audit.Checkpointer), so caches must ask again each time (no-cache); the ETag lets
// them ask cheaply.
func (s *server) handleCheckpoint(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.require(r, tokens.RoleReader); err != nil {
		return err
	}
	if s.Checkpoints == nil {
		return fault.Errorf(fault.NotImplemented, "this server keeps no checkpoints")
	}
	cp, err := s.Checkpoints.Latest(r.Context())
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-cache")
	return write(w, r, http.StatusOK, bodyOf(audit.WithCosignatures(cp), "text/plain; charset=utf-8"))
}

// handleReviewPack serves a review pack in one format, through Packs (cached, and limited per caller).
func (s *server) handleReviewPack(w http.ResponseWriter, r *http.Request) error {
	p, err := s.require(r, tokens.RoleReader)
	if err != nil {
		return err
	}
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "html"
	}
	ctype, err := reviewpack.ContentType(format)
	if err != nil {
		return fault.BadParam("format", "format=%q: want one of html, pdf, md, json", format)
	}
	q, err := s.query(r)
	if err != nil {
		return err
	}
	if q.AsOf.IsZero() {
		return fault.BadParam("as_of", "as_of (the date the pack reviews, YYYY-MM-DD) is required")
	}
	slug := r.PathValue("id")
	cover := reviewpack.CoverOptions{Committee: r.URL.Query().Get("committee"), Meetings: r.URL.Query()["meeting"], Author: r.URL.Query().Get("author")}
	if err := cover.Check(); err != nil {
		return err
	}
	opts := reviewpack.Options{Partnership: slug, AsOf: q.AsOf, KnownAt: q.KnownAt, Cover: cover}
	if err := once(r, "since", "format", "committee", "author"); err != nil {
		return err
	}
	if r.URL.Query().Has("since") {
		k, err := reviewpack.ParseSince(r.URL.Query().Get("since"))
		if err != nil {
			return err
		}
		opts.Since = &k
	}
	body, err := s.Packs.Render(r.Context(), Caller(r, p), opts, format)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`inline; filename="%s-%s.%s"`, slug, q.AsOf, format))
	_, err = w.Write(body)
	return err
}

// handleRecord records one event: POST /v1/partnerships/{id}/events. With If-Match (RFC 9110
// §13.1.1: "*", or a list of the stream's strong ETags, "31", as GET .../events and this route
// answer them) it records only while the partnership is at a revision the header names, else 412
// with the current ETag (ifMatchExpected). It answers 201 with the event, Location and the new ETag.
func (s *server) handleRecord(w http.ResponseWriter, r *http.Request) error {
	p, err := s.require(r, tokens.RoleRecorder)
	if err != nil {
		return err
	}
	if err := s.Limiter.AllowWrite(Caller(r, p)); err != nil {
		return err
	}
	if err := requireJSON(r); err != nil {
		return err
	}
	conds, err := parseRecordConditions(r)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		return err
	}
	slug := r.PathValue("id")
	cmd, err := domain.DecodeCommand(slug, body)
	if err != nil {
		return err
	}
	if !slices.Contains(domain.EventTypes(), cmd.Type) {
		return fault.BadValue("/type", "%q is not an event type; docs/events.md is the catalogue (e.g. SavingsReported, DecisionTaken)", cmd.Type)
	}
	if keys := r.Header.Values("Idempotency-Key"); len(keys) > 1 {
		return badHeader("Idempotency-Key", "send one Idempotency-Key header, not %d", len(keys))
	}
	if key := r.Header.Get("Idempotency-Key"); key != "" {
		// Text under the ledger's rule, at most domain.MaxNameRunes code points (not bytes).
		if msg := domain.TextLimitProblem(key, domain.MaxNameRunes); msg != "" {
			return badHeader("Idempotency-Key", "Idempotency-Key %s", msg)
		}
		cmd.ID = recording.IdempotentID(p.TokenID.String(), slug, key)
	}
	var expected *uint64
	var failing string
	if conds.any() {
		ps, _ := domain.ParsePartnershipSlug(slug) // checked by partnership()
		if expected, failing, err = conds.expected(r.Context(), s, ps.Stream(), cmd.ID != uuid.Nil); err != nil {
			return err
		}
	}
	res, err := s.Recorder.Record(r.Context(), p.Actor, cmd, expected)
	var de *eventstore.DuplicateIDError
	if errors.As(err, &de) || (err != nil && cmd.ID != uuid.Nil && isIDReuse(err)) {
		return headerFault(fault.Unprocessable, "Idempotency-Key", "this Idempotency-Key was already used with a different request body")
	}
	if conds.any() {
		err = conds.failure(err, failing)
	}
	if err != nil {
		return catalogueLink(err, cmd.Type)
	}
	e := res.Events[0]
	w.Header().Set("Location", "/v1/events/"+e.ID.String())
	w.Header().Set("ETag", revisionETag(e.Revision))
	if res.Replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	return encode(w, r, http.StatusCreated, e)
}

// requireJSON answers 415 unless the request carries exactly one Content-Type header whose media type
// is application/json (RFC 8259) and whose charset, if given, is utf-8 in any case (JSON exchanged
// between systems is UTF-8, RFC 8259 §8.1): a missing Content-Type, two of them (which one a proxy
// and the server would each believe is undefined), application/jsonx, text/plain and
// charset=utf-16 or latin1 are refused before the body is read. Other parameters are allowed.
func requireJSON(r *http.Request) error {
	refuse := func(detail string) error {
		return headerFault(fault.UnsupportedMedia, "Content-Type", detail)
	}
	if cts := r.Header.Values("Content-Type"); len(cts) > 1 {
		return refuse(fmt.Sprintf("send one Content-Type header, not %d", len(cts)))
	}
	ct := r.Header.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if ct == "" || err != nil || mt != "application/json" {
		got := "no Content-Type"
		if ct != "" {
			got = fmt.Sprintf("%q", ct)
		}
		return refuse("the body must be JSON, sent with Content-Type: application/json; got " + got)
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return refuse(fmt.Sprintf("the body must be UTF-8 JSON (RFC 8259 §8.1): charset=%q is not accepted; send charset=utf-8 or no charset", cs))
	}
	return nil
}

// decodeBody reads a small JSON body, the request's what ("the token's role and actor"), into v
// with domain.UnmarshalBody: an empty body, one refused by eventstore.Gate or that is not an object,
// unknown fields and trailing data are refused, naming the JSON pointer ("" for the whole body).
func decodeBody(w http.ResponseWriter, r *http.Request, what string, v any) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		return err
	}
	return domain.UnmarshalBody(body, what, v)
}

// isIDReuse reports whether a refusal is the domain's "this id was recorded with other content".
func isIDReuse(err error) bool {
	var ve *domain.ValidationError
	if !errors.As(err, &ve) {
		return false
	}
	for _, p := range ve.Problems {
		if p.Field == "/id" {
			return true
		}
	}
	return false
}

func (s *server) handleIssueToken(w http.ResponseWriter, r *http.Request) error {
	p, err := s.require(r, tokens.RoleAdmin)
	if err != nil {
		return err
	}
	if err := requireJSON(r); err != nil {
		return err
	}
	var in struct {
		Role  string `json:"role"`
		Actor string `json:"actor"`
	}
	if err := decodeBody(w, r, "the token's role and actor", &in); err != nil {
		return err
	}
	issued, err := s.Tokens.Issue(r.Context(), in.Role, in.Actor, p.Actor)
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusCreated, issued)
}

func (s *server) handleRevokeToken(w http.ResponseWriter, r *http.Request) error {
	p, err := s.require(r, tokens.RoleAdmin)
	if err != nil {
		return err
	}
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		return notFound("no token %q was issued", r.PathValue("id"))
	}
	if err := s.Tokens.Revoke(r.Context(), id, p.Actor); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// backuper is the optional ability of a store to write a consistent hot backup (eventstore/bolt).
type backuper interface {
	Backup(ctx context.Context, w io.Writer) (int64, error)
}

func (s *server) handleBackup(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.require(r, tokens.RoleAdmin); err != nil {
		return err
	}
	b, ok := s.Store.(backuper)
	if !ok {
		return fault.Errorf(fault.NotImplemented, "hot backup is for the embedded store; back up a KurrentDB cluster with its own tools")
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", `attachment; filename="ledger-backup.db"`)
	// A backup takes as long as the link needs: instead of the server's write timeout, each write must
	// make progress within backupStall.
	if _, err := b.Backup(r.Context(), &progressWriter{w: w, rc: http.NewResponseController(w), stall: backupStall}); err != nil {
		s.log.ErrorContext(r.Context(), "backup failed midway", "err", err)
		// Abort the connection, so the client sees a broken transfer rather than a short file.
		panic(http.ErrAbortHandler)
	}
	return nil
}

// backupStall is how long one write of a backup may wait for the client to read.
const backupStall = time.Minute

// progressWriter moves the connection's write deadline to stall from now before each write, so a
// long transfer is not cut off by the server's WriteTimeout while a stalled one still is.
type progressWriter struct {
	w     io.Writer
	rc    *http.ResponseController
	stall time.Duration
}

func (p *progressWriter) Write(b []byte) (int, error) {
	_ = p.rc.SetWriteDeadline(time.Now().Add(p.stall)) // not every ResponseWriter has a deadline
	return p.w.Write(b)
}

func (s *server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain")
	io.WriteString(w, "ok\n")
}

func (s *server) handleReadyz(w http.ResponseWriter, r *http.Request) error {
	head, err := s.Store.Head(r.Context())
	if err != nil {
		return err
	}
	seq := s.Models.Seq()
	status := http.StatusOK
	if seq < head.Seq || s.Log.Size() < head.Seq {
		status = http.StatusServiceUnavailable
		w.Header().Set("Retry-After", "1")
	}
	if _, err := s.require(r, tokens.RoleReader); err != nil {
		// A private server tells a caller without a token only whether it is ready.
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
		io.WriteString(w, http.StatusText(status)+"\n")
		return nil
	}
	return encode(w, r, status, map[string]any{"ready": status == http.StatusOK, "store_seq": head.Seq,
		"projections_seq": seq, "audit_seq": s.Log.Size()})
}

func (s *server) handleIndex(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, "Partnership Ledger API: GET /v1/partnerships, /openapi.json\n")
}
