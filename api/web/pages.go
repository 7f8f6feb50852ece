package web

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/words"
	"github.com/partnership-ledger/ledger/fault"
	"github.com/partnership-ledger/ledger/projections"
	"github.com/partnership-ledger/ledger/reviewpack"
)

// page is what every template gets.
type page struct {
	Title    string
	User     *user
	CSRF     string
	Notice   string
	Body     any
	Path     string
	ErrTitle string
	ErrText  string
}

type user struct{ Actor, Role string }

func (s *server) page(r *http.Request, title string, body any) page {
	p := page{Title: title, Body: body, Path: r.URL.Path}
	if sess, u := s.current(r); u != nil {
		p.User, p.CSRF = u, sess.csrf
	}
	return p
}

func (s *server) render(w http.ResponseWriter, status int, name string, p page) {
	var buf bytes.Buffer
	if err := s.tmpl.ExecuteTemplate(&buf, name, p); err != nil {
		s.Logger.Error("render page", "template", name, "err", err)
		http.Error(w, "The page could not be shown.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func (s *server) renderError(w http.ResponseWriter, r *http.Request, status int, title, text string) {
	p := s.page(r, title, nil)
	p.ErrTitle, p.ErrText = title, text
	s.render(w, status, "error.html", p)
}

// fail answers err on an error page, by its kind (fault.KindOf), as api/problem.go does for the
// API: not found as 404, a value that cannot be read as 400 with its message for people, over a limit as 429 with Retry-After (the error's RetryAfter), a command
// withdrawn unrecorded as 503 with Retry-After, anything else as 500 with the cause logged, not
// shown. Problems with the fields of a form are shown on the form (record.go), not here.
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	kind := fault.KindOf(err)
	if kind == fault.NotFound {
		s.renderError(w, r, http.StatusNotFound, "Not found", "The ledger has no record of this.")
		return
	}
	if kind == fault.Malformed {
		s.renderError(w, r, http.StatusBadRequest, "This cannot be read", fault.Message(err)+". Go back, correct it and try again.")
		return
	}
	var busy interface{ RetryAfter() time.Duration }
	if kind == fault.TooManyRequests && errors.As(err, &busy) {
		secs := max(1, int(math.Ceil(busy.RetryAfter().Seconds())))
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		s.renderError(w, r, http.StatusTooManyRequests, "Too many requests",
			fmt.Sprintf("This server limits how much one person can ask of it at a time: how many entries per second, and how many review packs at once and per minute. Nothing was changed. Try again in %d seconds; a pack already built downloads at once.", secs))
		return
	}
	if kind == fault.Busy {
		w.Header().Set("Retry-After", "1")
		s.renderError(w, r, http.StatusServiceUnavailable, "The partnership is busy",
			"Nothing was recorded: the ledger could not take the entry in time. Go back and submit it again in a moment.")
		return
	}
	s.Logger.Error("page", "path", r.URL.Path, "err", err)
	s.renderError(w, r, http.StatusInternalServerError, "Something went wrong", "The page could not be shown. Try again, and tell the ledger's administrator if it keeps happening.")
}

var errNotFound = fault.Errorf(fault.NotFound, "not found")

func (s *server) handleList(w http.ResponseWriter, r *http.Request) {
	l, err := s.Models.List(projections.Query{})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rows := make([]listRow, len(l.Partnerships))
	for i, p := range l.Partnerships {
		rows[i] = listRow{Summary: p, Partners: p.Partners}
		// The partners by name, from the partnership at the list's own cut of the log.
		if st, err := s.Models.State(p.Partnership, projections.Query{AsOf: l.AsOf, KnownAt: projections.KnownAtSeq(l.KnownAt.Seq)}); err == nil {
			names := councilNames(st)
			rows[i].Partners = make([]string, len(p.Partners))
			for j, c := range p.Partners {
				rows[i].Partners[j] = cmp.Or(names[c], c)
			}
			if len(p.Partners) == 0 {
				rows[i].Former = formerText(st.Former, names)
			}
		}
	}
	s.render(w, http.StatusOK, "list.html", s.page(r, "Partnerships", listPage{Partnerships: rows}))
}

// listPage is the body of the list page.
type listPage struct{ Partnerships []listRow }

// listRow is one partnership on the list page, with its partners' names (a slug for a council the
// events never named).
type listRow struct {
	projections.Summary
	Partners []string
	Former   string // with no partners now (dissolved): who they were, "until 30 September 2016 (the last day): …"
}

// formerText names former partners by when they stopped being partners (words.LastDay), in the
// order the state lists them: "until 30 September 2016 (the last day): Great Yarmouth Borough
// Council, North Norfolk District Council"; groups of different last days are joined by "; ".
func formerText(former []projections.Partner, names map[string]string) string {
	var groups []string
	byDay := map[domain.Date]int{}
	var members [][]string
	for _, f := range former {
		i, ok := byDay[f.Until]
		if !ok {
			i = len(groups)
			byDay[f.Until] = i
			groups = append(groups, words.LastDay(f.Until))
			members = append(members, nil)
		}
		members[i] = append(members[i], cmp.Or(f.Name, names[f.Council], f.Council))
	}
	for i := range groups {
		groups[i] += ": " + strings.Join(members[i], ", ")
	}
	return strings.Join(groups, "; ")
}

// partnershipPage is the body of the partnership page.
type partnershipPage struct {
	State      *projections.State
	Timeline   *projections.Timeline
	AsOf       string // as typed
	KnownAt    string
	AsOfErr    string
	KnownAtErr string
	PackQuery  template.URL
	TreeHead   audit.TreeHead
	Verified   bool
	Chart      chart
	Recorded   string // id of the event just recorded
	UpTo       string // the partnership's last event within known_at: "[33], the partnership's 30th event"
	Point      string // the known-at axis in words: "with everything recorded (up to event [33], …)", "as known at event [20] (…)"
	NotYet     string // when known_at is before the partnership was recorded: what the page says instead of its facts
	NoSavings  string // when no savings figure is in effect: which of the two times leaves none (savingsNone)
	names      map[string]string
	eventQuery string // added to links to event pages: the page's known_at, so they show the same point
	evidence   func(projections.Evidence, map[uuid.UUID]string, string) template.HTML
	types      map[uuid.UUID]string          // the type of each event the timeline names, for evidence links
	retracted  map[uuid.UUID]domain.Recorded // the events retracted, as recorded
}

// Evidence is a fact's evidence as links to the event pages (evidenceLinks), each titled by its
// event's type.
func (p partnershipPage) Evidence(ev projections.Evidence) template.HTML {
	return p.evidence(ev, p.types, p.eventQuery)
}

// EventHref is the path of an event's page as known at the page's known_at point (eventHref).
func (p partnershipPage) EventHref(id uuid.UUID) string { return eventHref(id, p.eventQuery) }

// timelineRow is one line of the partnership page's timeline: an event in effect on the as-of date
// (as corrected), or an event retracted by the known-at point that would have been, struck through
// with the reason (Retraction).
type timelineRow struct {
	projections.TimelineEntry
	Retraction *correctionNote
	Assumed    []string // the event's sources that mark assumed details, as words.Source writes them
}

// Rows is the timeline in effective order (then seq): the events in effect and, in their places,
// those retracted (Timeline.Corrections) whose effective date is not after the as-of date.
func (p partnershipPage) Rows() []timelineRow {
	if p.Timeline == nil {
		return nil
	}
	var retracted []timelineRow
	for _, c := range p.Timeline.Corrections {
		if c.Type != domain.TypeEventRetracted || c.TargetSeq == 0 || c.TargetOn.After(p.Timeline.AsOf) {
			continue
		}
		why := words.Retraction(c.Reason)
		if c.Notes != "" {
			why += " (" + strings.TrimSuffix(c.Notes, ".") + ")"
		}
		row := timelineRow{
			TimelineEntry: projections.TimelineEntry{Seq: c.TargetSeq, ID: c.Target, EffectiveOn: c.TargetOn, Description: c.Retracted,
				Evidence: projections.Evidence{c.Target}},
			Retraction: &correctionNote{eventLink: eventLink{ID: c.ID, Seq: c.Seq, Ref: ref(c.Seq)}, Why: why},
		}
		if rec, ok := p.retracted[c.Target]; ok {
			// Its minutes and sources marked with what they assume, as the entries in effect are.
			row.Description = words.Cited(c.Retracted, rec.Payload, rec.Sources)
			row.Assumed = assumedSources(rec.Sources)
		}
		retracted = append(retracted, row)
	}
	slices.SortStableFunc(retracted, func(a, b timelineRow) int { return rowOrder(a.TimelineEntry, b.TimelineEntry) })
	out := make([]timelineRow, 0, len(p.Timeline.Entries)+len(retracted))
	for _, e := range p.Timeline.Entries {
		for len(retracted) > 0 && rowOrder(retracted[0].TimelineEntry, e) < 0 {
			out, retracted = append(out, retracted[0]), retracted[1:]
		}
		out = append(out, timelineRow{TimelineEntry: e, Assumed: assumedSources(e.Sources)})
	}
	return append(out, retracted...)
}

// assumedSources are the sources that mark assumed details, as words.Source writes them.
func assumedSources(sources []domain.SourceRef) []string {
	var out []string
	for _, s := range sources {
		if len(s.AssumedDetails()) > 0 {
			out = append(out, words.Source(s))
		}
	}
	return out
}

// rowOrder orders timeline entries as the timeline does: by effective date, then seq.
func rowOrder(a, b projections.TimelineEntry) int {
	switch {
	case a.EffectiveOn.Before(b.EffectiveOn):
		return -1
	case b.EffectiveOn.Before(a.EffectiveOn):
		return 1
	}
	return cmp.Compare(a.Seq, b.Seq)
}

// Described is an entry's line with each minute it prints marked with what its sources assume
// (words.Cited), as the review pack prints it; the JSON timeline keeps the description as recorded.
func (p partnershipPage) Described(e projections.TimelineEntry) string {
	return words.Cited(e.Description, e.Payload, e.Sources)
}

// Minute is a minute of the state marked with what the sources of its evidence assume
// (words.MinuteCited): the sources are those the timeline's entries carry, as in effect.
func (p partnershipPage) Minute(m *projections.MinuteRef, ev projections.Evidence) string {
	var sources []domain.SourceRef
	if p.Timeline != nil {
		for _, e := range p.Timeline.Entries {
			if slices.Contains(ev, e.ID) {
				sources = append(sources, e.Sources...)
			}
		}
	}
	return words.MinuteCited(m.Ref(), sources)
}

// Net is a council's net saving for the year in the review pack's words: the outturn, else the
// forecast ("£40,000 (forecast)"), less one-off costs (domain.Totals.Net, words.Net); without
// one-off costs recorded, words.NetNoOneOff; without a forecast or outturn, words.NotRecorded.
func (p partnershipPage) Net(cs projections.CouncilSavings) string {
	if cs.NetLacksOneOff() {
		return words.NetNoOneOff
	}
	return words.Net(cs.NetPence, cs.HasOutturn)
}

// Council returns a partner's name, or the slug when the ledger has no name for it.
func (p partnershipPage) Council(slug string) string {
	if n := p.names[slug]; n != "" {
		return n
	}
	return slug
}

func (s *server) handlePartnership(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("id")
	qs := r.URL.Query()
	body := partnershipPage{AsOf: qs.Get("as_of"), KnownAt: qs.Get("known_at"), Recorded: qs.Get("recorded")}
	status := http.StatusOK
	var q projections.Query
	if body.AsOf != "" {
		if d, err := projections.ParseAsOf(body.AsOf); err != nil {
			body.AsOfErr = fmt.Sprintf("%q is not a date. Enter it as YYYY-MM-DD, e.g. 2015-11-07.", body.AsOf)
			status = http.StatusBadRequest
		} else {
			q.AsOf = d
		}
	}
	if body.KnownAt != "" {
		k, err := projections.ParseKnownAt(body.KnownAt)
		if err != nil {
			body.KnownAtErr = fmt.Sprintf("%q is not a point in the record. Enter a date (2016-06-01), a time (2016-06-01T12:00:00Z) or an event number.", body.KnownAt)
			status = http.StatusBadRequest
		} else {
			q.KnownAt = k
		}
	}
	st, err := s.Models.State(slug, q)
	if fault.KindOf(err) == fault.NotFound && q.KnownAt != (projections.KnownAt{}) {
		if s.notYetRecorded(w, r, slug, q, body) {
			return
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	tl, err := s.Models.Timeline(slug, q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	body.State, body.Timeline, body.names = st, tl, councilNames(st)
	body.evidence, body.types, body.retracted = s.evidenceLinks, map[uuid.UUID]string{}, map[uuid.UUID]domain.Recorded{}
	for _, e := range tl.Entries {
		body.types[e.ID] = e.Type
	}
	for _, c := range tl.Corrections {
		body.types[c.ID] = c.Type
		if c.Type != domain.TypeEventRetracted || c.TargetOn.After(tl.AsOf) {
			continue
		}
		if e, err := s.eventByID(r.Context(), c.Target.String()); err == nil {
			body.types[e.ID] = e.Type
			if rec, err := domain.DecodeEnvelope(envelopeOf(e)); err == nil {
				body.retracted[e.ID] = rec
			}
		}
	}
	body.UpTo = ref(st.LastSeq)
	if last, err := s.eventAt(r.Context(), st.LastSeq); err == nil {
		body.UpTo += ", " + partnershipOrdinal(last.Revision)
	}
	body.Point = pointText(st.KnownAt, q.KnownAt.IsSeq(), body.UpTo, st.LastSeq)
	// The packs are for the page's point in both times (docs/pages.md). A page asked without known_at
	// shows everything recorded, while a pack's default known_at is the end of its as-of day
	// (reviewpack.Options.KnownAtFor): the link names the seq the page was read at, so a correction
	// recorded after the as-of day, shown on the page, is in its pack too.
	pq := url.Values{"as_of": {st.AsOf.String()}}
	switch {
	case q.KnownAt != (projections.KnownAt{}):
		pq.Set("known_at", body.KnownAt)
	case st.KnownAt.Seq > 0:
		pq.Set("known_at", strconv.FormatUint(st.KnownAt.Seq, 10))
	}
	body.PackQuery = template.URL(pq.Encode())
	if q.KnownAt != (projections.KnownAt{}) {
		body.eventQuery = url.Values{"known_at": {body.KnownAt}}.Encode()
	}
	body.TreeHead = s.Log.LatestTreeHead()
	body.Verified = body.TreeHead.Size > 0 && audit.VerifyTreeHead(body.TreeHead, s.Log.Key().Public()) == nil
	body.Chart = buildChart(st)
	if len(st.Savings.Years) == 0 {
		body.NoSavings = s.savingsNone(slug, st, q)
	}
	s.render(w, status, "partnership.html", s.page(r, st.Name, body))
}

// savingsNone says why the savings section is empty, keeping the two times apart: "None in effect on
// 31 January 2016." or, when figures in effect on that date were recorded after the known-at point,
// "None in effect on 31 January 2016 had been recorded as known at event [20]; some were recorded later."
func (s *server) savingsNone(slug string, st *projections.State, q projections.Query) string {
	none := "None in effect on " + st.AsOf.Long()
	if q.KnownAt != (projections.KnownAt{}) {
		if all, err := s.Models.State(slug, projections.Query{AsOf: st.AsOf}); err == nil && len(all.Savings.Years) > 0 {
			at := st.KnownAt.Requested
			if q.KnownAt.IsSeq() {
				at = "event " + ref(st.KnownAt.Seq)
			}
			return none + " had been recorded as known at " + at + "; some were recorded later."
		}
	}
	return none + "."
}

// pointText is the known-at axis in words for the "Point in time" line: "with everything recorded
// (up to event [33], the partnership's 30th event)"; "as known at event [20] (the partnership's 17th
// event)" when its last event then is the point asked for, else "as known at event [20] (up to event
// [18], …)"; a date or time asked for is written as asked ("as known at 2016-06-01 (up to event …)").
func pointText(k projections.KnownAtInfo, isSeq bool, upTo string, last uint64) string {
	switch {
	case k.Requested == "all" || k.Requested == "":
		return "with everything recorded (up to event " + upTo + ")"
	case !isSeq:
		return "as known at " + k.Requested + " (up to event " + upTo + ")"
	case last == k.Seq:
		_, ord, _ := strings.Cut(upTo, ", ")
		return "as known at event " + ref(k.Seq) + " (" + ord + ")"
	}
	return "as known at event " + ref(k.Seq) + " (up to event " + upTo + ")"
}

// notYetRecorded answers the partnership page for a known_at before the partnership was first
// recorded, when the ledger records it now: the page with its point-in-time form and, instead of
// its facts, that it was not yet recorded at that point (404). It reports false, having written
// nothing, when the ledger does not know the partnership now either.
func (s *server) notYetRecorded(w http.ResponseWriter, r *http.Request, slug string, q projections.Query, body partnershipPage) bool {
	now, err := s.Models.State(slug, projections.Query{AsOf: q.AsOf})
	if err != nil {
		return false
	}
	at := body.KnownAt
	if l, err := s.Models.List(projections.Query{KnownAt: q.KnownAt}); err == nil && q.KnownAt.IsSeq() {
		at = "event " + ref(l.KnownAt.Seq)
	}
	shown := *now
	shown.KnownAt = projections.KnownAtInfo{Requested: body.KnownAt}
	body.State = &shown
	body.Point = "as known at " + at
	body.NotYet = "The ledger had not yet recorded this partnership at " + at + ": nothing about it was known then. Choose a later point, or clear Known at to see it as recorded now."
	s.render(w, http.StatusNotFound, "partnership.html", s.page(r, now.Name, body))
	return true
}

// handlePack serves /partnerships/{id}/pack.{format}.
func (s *server) handlePack(w http.ResponseWriter, r *http.Request) {
	format, ok := strings.CutPrefix(r.PathValue("file"), "pack.")
	ctype, err := reviewpack.ContentType(format)
	if !ok || err != nil {
		s.renderError(w, r, http.StatusNotFound, "Page not found", "Review packs come as pack.html, pack.pdf, pack.md and pack.json.")
		return
	}
	q, err := projections.ParseQuery(r.URL.Query().Get("as_of"), r.URL.Query().Get("known_at"))
	if err != nil {
		s.renderError(w, r, http.StatusBadRequest, "Cannot build this pack", "The as-of date or known-at value is not valid: "+fault.Message(err)+".")
		return
	}
	slug := r.PathValue("id")
	body, err := s.Packs(r, reviewpack.Options{Partnership: slug, AsOf: q.AsOf, KnownAt: q.KnownAt, Now: s.Now}, format)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	asOf := q.AsOf.String()
	if asOf == "" {
		asOf = "today"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%s.%s"`, slug, asOf, format))
	_, _ = w.Write(body)
}

// buildPack is the default Config.Packs: it builds and renders every time, without limits.
func (s *server) buildPack(r *http.Request, opts reviewpack.Options, format string) ([]byte, error) {
	p, err := reviewpack.Build(r.Context(), reviewpack.Source{Events: s.Store, Models: s.Models, Log: s.Log}, opts)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := p.Render(format, &buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
