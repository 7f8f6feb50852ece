package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/recording"
	"github.com/partnership-ledger/ledger/domain/words"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/fault"
	"github.com/partnership-ledger/ledger/projections"
)

// The pages that correct and retract an event (GET|POST /events/{id}/correct and /retract) record
// through the same path as the record page: the clerk's checks (clerk, clerkPost), one command built
// from form fields named by their JSON pointers, and submit (domain.DecodeCommand, then
// recording.Service.Record with the form's idempotency key). The target comes from the address,
// never from the form.

// clerk returns the signed-in session and its clerk when the clerk may record; otherwise it answers
// the request itself (a browser not signed in is sent to sign in and back, another role gets 403)
// and returns a nil user.
func (s *server) clerk(w http.ResponseWriter, r *http.Request) (*session, *user) {
	sess, u := s.current(r)
	if u == nil {
		next := r.URL.RequestURI()
		if r.Method == http.MethodPost {
			next = r.URL.Path // a form's values are not carried to sign-in
		}
		http.Redirect(w, r, "/signin?next="+url.QueryEscape(next), http.StatusSeeOther)
		return nil, nil
	}
	if !canRecord[u.Role] {
		s.forbidden(w, r, u)
		return nil, nil
	}
	return sess, u
}

// clerkPost is clerk for a form that records: clerkForm, then allowWrite. It answers the request
// itself and returns nil when any check fails.
func (s *server) clerkPost(w http.ResponseWriter, r *http.Request) *user {
	sess, u := s.clerk(w, r)
	if u == nil || !s.clerkForm(w, r, sess) || !s.allowWrite(w, r, sess) {
		return nil
	}
	return u
}

// clerkForm reads a signed-in clerk's form: the body is read up to maxRecordForm (413 beyond it),
// must parse (400) and carry the session's CSRF token (403, checkCSRF). It answers the request
// itself and returns false when a check fails.
func (s *server) clerkForm(w http.ResponseWriter, r *http.Request, sess *session) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxRecordForm)
	if err := r.ParseForm(); err != nil {
		if mbe := new(http.MaxBytesError); errors.As(err, &mbe) {
			s.renderError(w, r, http.StatusRequestEntityTooLarge, "Form too large",
				"The form is over the limit of 1 MiB, so nothing was read and nothing was recorded. Go back, shorten the longest text (the data or a title) and send it again.")
			return false
		}
		s.renderError(w, r, http.StatusBadRequest, "Form not readable", "The form could not be read, so nothing was recorded. Go back, reload the page and try again.")
		return false
	}
	if !checkCSRF(r, sess) {
		s.renderError(w, r, http.StatusForbidden, "Form expired", "This form was not sent from a page of this session. Go back, reload the page and try again.")
		return false
	}
	return true
}

// allowWrite asks AllowWrite, when set, before a form records (429 or its error's page); it
// answers the request itself and returns false when the write is not allowed. A form's round trip
// that records nothing (adding a row) does not ask.
func (s *server) allowWrite(w http.ResponseWriter, r *http.Request, sess *session) bool {
	if s.AllowWrite != nil {
		if err := s.AllowWrite(r, sess.token); err != nil {
			s.fail(w, r, err)
			return false
		}
	}
	return true
}

// submit is the one way a page records: body holds the command's members as a form read them
// (type, effective_on, certainty, sources, data), decoded by domain.DecodeCommand for the
// partnership slug. With key set the command's id is recording.IdempotentID("page:"+actor, slug,
// key), so the same form sent twice records once and both answers are the same. When the form
// already found problems (checkOnly) the command is only checked (domain.CheckCommand: its own
// problems, listed with the form's); otherwise it is recorded, the models and the audit log are
// waited for (at most 3 s, so the next page shows the event), the browser is sent to the
// partnership page (303 to ?recorded=ID#confirmation) and done is true. err is what stopped it: a
// fault.Malformed or fault.Rule error with the fields at fault (formErrors), or another for s.fail.
func (s *server) submit(w http.ResponseWriter, r *http.Request, u *user, slug, key string, body map[string]any, checkOnly bool) (done bool, err error) {
	raw, err := json.Marshal(body)
	if err != nil {
		return false, err
	}
	cmd, err := domain.DecodeCommand(slug, raw)
	if err != nil {
		return false, err
	}
	if key != "" {
		cmd.ID = recording.IdempotentID("page:"+u.Actor, slug, key)
	}
	if checkOnly {
		return false, domain.CheckCommand(cmd)
	}
	res, err := s.Recorder.Record(r.Context(), u.Actor, cmd, nil)
	if err != nil {
		return false, err
	}
	e := res.Events[0]
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	// Read-your-writes: the partnership page reads the models, and the event page it links to finds
	// the event through the tree's index.
	_ = s.Models.WaitFor(ctx, e.Seq)
	_ = s.Log.WaitFor(ctx, e.Seq)
	cancel()
	http.Redirect(w, r, "/partnerships/"+url.PathEscape(slug)+"?recorded="+e.ID.String()+"#confirmation", http.StatusSeeOther)
	return true, nil
}

// formErrors passes each field of a form's error (a fault.Malformed or fault.Rule error, as submit
// returns) to add, with the event it conflicts with, except at a pointer in said (the form's own
// problem there is the one shown). It reports false for any other error: the caller answers it
// with s.fail.
func formErrors(err error, said map[string]bool, add func(pointer, msg string)) bool {
	fe := fault.Of(err)
	if k := fault.KindOf(err); fe == nil || (k != fault.Malformed && k != fault.Rule) {
		return false
	}
	said = maps.Clone(said)
	for _, fl := range fe.Fields {
		if said[fl.Pointer] {
			continue
		}
		msg := fl.Message
		if fl.Event != "" {
			msg += " (conflicts with " + fl.Event + ")"
		}
		add(fl.Pointer, msg)
	}
	return true
}

// target is the event a correction or retraction names, as the pages show it.
type target struct {
	ID          uuid.UUID
	Effective   domain.Effective // as in effect: the original with the corrections so far
	Slug        string           // the partnership's slug
	Partnership string           // the partnership's name
	Names       words.Names
	Seq         uint64
	Type        string // the event's type in words
	Line        string // the event in words, as in effect (words.Cited)
	On          string // its effective date in words
}

// loadTarget reads the event at /events/{id}/... and checks it may be corrected or retracted
// (domain.CheckTarget). It answers the request itself and returns nil: 404 for no such event of a
// partnership, and 409 with the domain's message for a target that is a correction or a
// retraction, or is retracted. A form sent again after it was recorded (its key known, so its
// target may now be retracted) is answered as the first time: see refused.
func (s *server) loadTarget(w http.ResponseWriter, r *http.Request, verb string) *target {
	t, refusal, err := s.readTarget(r)
	switch {
	case err != nil:
		s.fail(w, r, err)
		return nil
	case refusal != "":
		s.refuse(w, r, verb, refusal)
		return nil
	}
	return t
}

// readTarget reads the event at /events/{id}/...: refusal is the domain's message when it may not
// be corrected or retracted; err is errNotFound for no event of a partnership, or another error.
func (s *server) readTarget(r *http.Request) (t *target, refusal string, err error) {
	e, err := s.eventByID(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, "", err
	}
	slug, ok := strings.CutPrefix(e.Stream, domain.StreamPrefix)
	if !ok {
		return nil, "", errNotFound
	}
	hist, err := s.Recorder.History(r.Context(), slug)
	if err != nil {
		return nil, "", err
	}
	st, err := s.Models.State(slug, projections.Query{})
	if err != nil {
		return nil, "", err
	}
	t = &target{ID: e.ID, Slug: slug, Partnership: st.Name, Names: st.Councils, Seq: e.Seq, Type: words.EventType(e.Type)}
	eff, err := domain.CheckTarget(hist, e.ID)
	if err != nil {
		var ve *domain.ValidationError
		if !errors.As(err, &ve) || len(ve.Problems) == 0 {
			return nil, "", err
		}
		return t, ve.Problems[0].Message, nil
	}
	t.Effective, t.On = eff, eff.EffectiveOn.Long()
	t.Line = words.Sentence(words.Cited(words.Event(eff.Type, eff.Payload, st.Councils), eff.Payload, eff.Sources))
	return t, "", nil
}

// refuse answers a target that may not be corrected or retracted: 409 with the domain's message.
func (s *server) refuse(w http.ResponseWriter, r *http.Request, verb, refusal string) {
	s.renderError(w, r, http.StatusConflict, "This event cannot be "+verb, words.Sentence(refusal)+" Nothing was recorded.")
}

// postTarget is loadTarget for a form's post: a target that may no longer be corrected or
// retracted still gets its form submitted (ok), so that the same form sent again is answered with
// the event it recorded (submit); refusal is then the domain's message, for when it is not.
func (s *server) postTarget(w http.ResponseWriter, r *http.Request) (t *target, refusal string, ok bool) {
	t, refusal, err := s.readTarget(r)
	if err != nil {
		s.fail(w, r, err)
		return nil, "", false
	}
	return t, refusal, true
}

// pageForm is what a correct or retract form sent: its values by field name (TrimASCIISpace'd), the
// problems found, by pointer, and the fields the page knows, for placing them.
type pageForm struct {
	Values   map[string]string
	Errors   map[string][]string // by element id
	Problems []pageProblem       // every problem, for the summary: Field is the element id
	said     map[string]bool     // the pointers a problem was listed at
	labels   map[string]string   // the label of each field name (a JSON pointer) the page has
}

func newPageForm(labels map[string]string) *pageForm {
	return &pageForm{Values: map[string]string{}, Errors: map[string][]string{}, said: map[string]bool{}, labels: labels}
}

// stubID is the element id of the form field named by a JSON pointer: "/data/reason" →
// "f-data-reason" (the form engine's rule; it goes when the engine lands).
func stubID(pointer string) string { return "f" + strings.ReplaceAll(pointer, "/", "-") }

// pageProblem is a problem for the summary: the element id of its field ("" when none) and its
// line, "Label: message".
type pageProblem struct {
	Field, Message string
}

// add places a problem at the field named pointer or, failing that, its nearest ancestor the page
// has; with none it goes to the summary alone. Summary items read "Label: message".
func (f *pageForm) add(pointer, msg string) {
	f.said[pointer] = true
	for p := pointer; p != ""; p = p[:strings.LastIndexByte(p, '/')] {
		if label, ok := f.labels[p]; ok {
			id := stubID(p)
			f.Errors[id] = append(f.Errors[id], msg)
			f.Problems = append(f.Problems, pageProblem{Field: id, Message: label + ": " + msg})
			return
		}
	}
	f.Problems = append(f.Problems, pageProblem{Message: words.Capital(msg)})
}

// readPageForm takes the posted values of the fields the page has. A field name the page does not have, or
// one sent twice, is a forged or stale form: it is answered 400 and read reports false, as for a
// form without its idempotency key.
func (s *server) readPageForm(w http.ResponseWriter, r *http.Request, f *pageForm) (key string, ok bool) {
	for _, k := range slices.Sorted(maps.Keys(r.PostForm)) {
		if k == "csrf" || k == "key" || k == "action" {
			continue
		}
		if _, known := f.labels[k]; !known {
			s.renderError(w, r, http.StatusBadRequest, "Form not recognised",
				fmt.Sprintf("The form sent a field this page does not have (%.80q), so nothing was recorded. Go back, reload the page and try again.", k))
			return "", false
		}
		if len(r.PostForm[k]) > 1 {
			s.renderError(w, r, http.StatusBadRequest, "Form not recognised",
				fmt.Sprintf("The form sent the field “%s” twice, so nothing was recorded. Go back, reload the page and try again.", f.labels[k]))
			return "", false
		}
		v := domain.TrimASCIISpace(r.PostForm.Get(k)) // a trailing U+0085 stays, to be refused
		f.Values[k] = v
		if msg := eventstore.TextProblem(v); msg != "" {
			f.add(k, msg)
		}
	}
	key = r.PostForm.Get("key")
	if key == "" || len(key) > 100 || eventstore.TextProblem(key) != "" {
		s.renderError(w, r, http.StatusBadRequest, "Form not recognised",
			"The form has lost its key, which makes sure it is recorded only once, so nothing was recorded. Go back, reload the page and fill it in again.")
		return "", false
	}
	return key, true
}

// radio is one choice of a radio group.
type radio struct {
	Value, Label string
	Checked      bool
}

// retractPage is the body of the retract page.
type retractPage struct {
	Target   *target
	Key      string
	Reasons  []radio
	Notes    field
	Form     *pageForm
	Envelope envelopeStub
}

// retractLabels names the retract page's fields: the reason and notes, and the retraction's own
// effective date, certainty and source.
var retractLabels = map[string]string{"/data/reason": "Why it is retracted", "/data/notes": "Notes"}

func (s *server) retractPage(r *http.Request, t *target, key string, f *pageForm) page {
	body := retractPage{Target: t, Key: key, Form: f, Envelope: envelopeStubOf(f),
		Notes: field{ID: stubID("/data/notes"), Label: "Notes (optional)", Hint: "What a reader should know: the event it duplicates, who withdrew the source.",
			Value: f.Values["/data/notes"], Errs: f.Errors[stubID("/data/notes")]}}
	for _, reason := range []string{domain.RetractEnteredInError, domain.RetractSourceWithdrawn, domain.RetractDuplicate} {
		body.Reasons = append(body.Reasons, radio{Value: reason, Label: words.Capital(words.Retraction(reason)), Checked: f.Values["/data/reason"] == reason})
	}
	return s.page(r, fmt.Sprintf("Retract event [%d]", t.Seq), body)
}

func (s *server) handleRetractForm(w http.ResponseWriter, r *http.Request) {
	if _, u := s.clerk(w, r); u == nil {
		return
	}
	t := s.loadTarget(w, r, "retracted")
	if t == nil {
		return
	}
	f := newPageForm(withEnvelope(retractLabels))
	f.Values["/effective_on"] = domain.LondonDate(s.Now()).String()
	s.render(w, http.StatusOK, "retract.html", s.retractPage(r, t, randomToken(), f))
}

func (s *server) handleRetract(w http.ResponseWriter, r *http.Request) {
	u := s.clerkPost(w, r)
	if u == nil {
		return
	}
	t, refusal, ok := s.postTarget(w, r)
	if !ok {
		return
	}
	f := newPageForm(withEnvelope(retractLabels))
	key, ok := s.readPageForm(w, r, f)
	if !ok {
		return
	}
	data := map[string]any{"target": t.ID, "reason": f.Values["/data/reason"]}
	if n := f.Values["/data/notes"]; n != "" {
		data["notes"] = n
	}
	if f.Values["/data/reason"] == "" {
		f.add("/data/reason", "Choose why the event is retracted.")
	}
	body := envelopeStubBody(f)
	body["type"], body["data"] = domain.TypeEventRetracted, data
	if refusal != "" && len(f.Problems) > 0 {
		s.refuse(w, r, "retracted", refusal)
		return
	}
	done, err := s.submit(w, r, u, t.Slug, key, body, len(f.Problems) > 0)
	switch {
	case done:
	case refusal != "":
		s.refuse(w, r, "retracted", refusal)
	case err != nil && !formErrors(err, f.said, f.add):
		s.fail(w, r, err)
	default:
		s.render(w, http.StatusUnprocessableEntity, "retract.html", s.retractPage(r, t, key, f))
	}
}

// ---- Until the form engine (form.go) lands: the envelope as plain fields. ----

// envelopeStub is the envelope's fields: effective date, certainty (no default) and one source.
type envelopeStub struct {
	EffectiveOn, SourceKind, SourceTitle, SourceURL field
	Certainty                                       []radio
	CertaintyErrs                                   []string
	Kinds                                           []radio
}

var envelopeStubLabels = map[string]string{"/effective_on": "Date it takes effect", "/certainty": "How certain it is",
	"/sources": "Source", "/sources/0": "Source", "/sources/0/kind": "Kind of source", "/sources/0/title": "Source title", "/sources/0/url": "Source web address"}

func withEnvelope(m map[string]string) map[string]string {
	out := maps.Clone(m)
	maps.Copy(out, envelopeStubLabels)
	return out
}

func envelopeStubOf(f *pageForm) envelopeStub {
	fl := func(p, hint string) field {
		return field{ID: stubID(p), Label: envelopeStubLabels[p], Hint: hint, Value: f.Values[p], Errs: f.Errors[stubID(p)]}
	}
	e := envelopeStub{EffectiveOn: fl("/effective_on", "The day it is made: today, or earlier. YYYY-MM-DD."),
		SourceKind:    fl("/sources/0/kind", ""),
		SourceTitle:   fl("/sources/0/title", "E.g. Joint committee minutes, 1 October 2016, item 4."),
		SourceURL:     fl("/sources/0/url", "Optional."),
		CertaintyErrs: f.Errors[stubID("/certainty")]}
	for _, c := range []domain.Certainty{domain.Confirmed, domain.Reported, domain.Inferred} {
		e.Certainty = append(e.Certainty, radio{Value: string(c), Label: words.Capital(words.CertaintyText(string(c))), Checked: f.Values["/certainty"] == string(c)})
	}
	for _, k := range []string{"minutes", "report", "agreement", "letter", "press", "web"} {
		e.Kinds = append(e.Kinds, radio{Value: k, Label: words.Capital(k), Checked: f.Values["/sources/0/kind"] == k})
	}
	return e
}

func envelopeStubBody(f *pageForm) map[string]any {
	v := f.Values
	src := map[string]any{"kind": v["/sources/0/kind"], "title": v["/sources/0/title"]}
	if v["/sources/0/url"] != "" {
		src["url"] = v["/sources/0/url"]
	}
	return map[string]any{"effective_on": v["/effective_on"], "certainty": v["/certainty"], "sources": []any{src}}
}
