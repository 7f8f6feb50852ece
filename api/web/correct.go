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
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/words"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/fault"
	"github.com/partnership-ledger/ledger/projections"
)

// The pages that correct and retract an event (GET|POST /events/{id}/correct and /retract) record
// through the same path as the record page: the clerk's checks (clerk, clerkForm, allowWrite before recording), one command built
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
	cmd, err := s.command(u, slug, key, body)
	if err != nil {
		return false, err
	}
	if checkOnly {
		return false, domain.CheckCommand(cmd)
	}
	res, err := s.Recorder.Record(r.Context(), u.Actor, cmd, nil)
	if dup := new(eventstore.DuplicateIDError); errors.As(err, &dup) {
		// The form's key recorded an event in another partnership (a proposal sent again with
		// another slug): the form was recorded before, with other values, as Decide says at /id.
		return false, &domain.ValidationError{Problems: []domain.Problem{{Field: "/id", Message: "already recorded with other content"}}}
	}
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

// command is the command a page's form builds (submit): body decoded by domain.DecodeCommand for
// the partnership slug, with the id formEventID(actor, keyScope(type, slug), key) when key is set.
func (s *server) command(u *user, slug, key string, body map[string]any) (domain.Command, error) {
	raw, err := json.Marshal(body)
	if err != nil {
		return domain.Command{}, err
	}
	cmd, err := domain.DecodeCommand(slug, raw)
	if err != nil {
		return domain.Command{}, err
	}
	if key != "" {
		cmd.ID = formEventID(u.Actor, keyScope(cmd.Type, slug), key)
	}
	return cmd, nil
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
	within := maps.Clone(said) // every pointer with a problem, the form's or the rules'
	for _, fl := range fe.Fields {
		within[fl.Pointer] = true
	}
	for _, fl := range fe.Fields {
		if said[fl.Pointer] || (strings.Contains(fl.Message, " sum to ") && saidWithin(within, fl.Pointer)) {
			continue // one message a field; a list's sum is said only when every share in it reads
		}
		said[fl.Pointer] = true
		msg := fl.Message
		if fl.Event != "" {
			msg += " (conflicts with " + fl.Event + ")"
		}
		add(fl.Pointer, msg)
	}
	return true
}

// saidWithin reports whether said holds a pointer within the list or group at pointer.
func saidWithin(said map[string]bool, pointer string) bool {
	for p := range said {
		if strings.HasPrefix(p, pointer+"/") {
			return true
		}
	}
	return false
}

// target is the event a correction or retraction names, as the pages show it.
type target struct {
	ID          uuid.UUID
	Effective   domain.Effective // as in effect: the original with the corrections so far
	Slug        string           // the partnership's slug
	Partnership string           // the partnership's name
	Names       words.Names
	State       *projections.State // the partnership now, for the choices of a council
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
	t = &target{ID: e.ID, Slug: slug, Partnership: st.Name, Names: st.Councils, State: st, Seq: e.Seq, Type: words.EventType(e.Type)}
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
	s.renderError(w, r, http.StatusConflict, "This event cannot be "+verb, words.Sentence(forPeople(refusal, nil))+" Nothing was recorded.")
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

// placer places the domain's problems on a correct or retract form's fields (placeProblem), the
// key's reuse with other values in the form's words (keyReused).
func (s *server) placer(u *user, t *target, key string, fs []formField, problems *[]formProblem) func(pointer, msg string) {
	return func(pointer, msg string) {
		if pointer == "/id" {
			pointer, msg = "", s.keyReused(u.Actor, t.Slug, key)
		}
		*problems = append(*problems, placeProblem(fs, pointer, msg))
	}
}

// postedValues are a form's values by name, but the CSRF token and the button pressed, each
// trimmed of ASCII space (a trailing U+0085 stays, to be refused).
func postedValues(r *http.Request) url.Values {
	v := url.Values{}
	for k, vals := range r.PostForm {
		if k != "csrf" && k != "action" {
			for _, x := range vals {
				v[k] = append(v[k], domain.TrimASCIISpace(x))
			}
		}
	}
	return v
}

// maxKey is the longest idempotency key a form may carry, in bytes (the pages make 48).
const maxKey = 64

// checkNames answers 400, and reports false, for a form that is not one of this page's: a name
// none of fs (built from v) has ("key" and "field" are the page's own), a name sent twice but for
// a field of ticked boxes, or no idempotency key (or one over maxKey bytes). The record, propose,
// correct and retract pages all read their forms through it. Nothing is recorded; a forged or stale form is
// refused whole rather than read in part.
func (s *server) checkNames(w http.ResponseWriter, r *http.Request, v url.Values, fs ...[]formField) (key string, ok bool) {
	known := map[string]bool{"key": false, "field": false}
	boxes := map[string]bool{} // yes/no checkboxes, which send "true" or nothing
	for _, f := range fs {
		pointers(f, known, boxes)
	}
	for _, k := range slices.Sorted(maps.Keys(v)) {
		many, ok := known[k]
		msg := ""
		switch {
		case !ok:
			msg = fmt.Sprintf("The form sent a field this page does not have (%.80q)", k)
		case len(v[k]) > 1 && !many:
			msg = fmt.Sprintf("The form sent the field %.80q twice", k)
		case boxes[k] && v.Get(k) != "" && v.Get(k) != "true":
			msg = fmt.Sprintf("The form sent the tick box %.80q with a value it does not have (%.80q)", k, v.Get(k))
		}
		if msg != "" {
			s.renderError(w, r, http.StatusBadRequest, "Form not recognised", msg+", so nothing was recorded. Go back, reload the page and try again.")
			return "", false
		}
	}
	key = v.Get("key")
	if key == "" || len(key) > maxKey || eventstore.TextProblem(key) != "" {
		s.renderError(w, r, http.StatusBadRequest, "Form not recognised",
			"The form has lost its key, which makes sure it is recorded only once, so nothing was recorded. Go back, reload the page and fill it in again.")
		return "", false
	}
	return key, true
}

// pointers adds the form names of fs (every control, and every row of a list) to known; true for a
// field of ticked boxes, whose name may be sent more than once. The names of yes/no checkboxes
// (kindBool) are added to boxes.
func pointers(fs []formField, known, boxes map[string]bool) {
	for _, f := range fs {
		switch f.Kind {
		case kindGroup, kindNewCouncil:
			pointers(f.Fields, known, boxes)
		case kindList:
			pointers(f.Rows, known, boxes)
		default:
			known[f.Pointer] = f.Kind == kindChecks
			if f.Kind == kindBool {
				boxes[f.Pointer] = true
			}
		}
	}
}

// retractPage is the body of the retract page.
type retractPage struct {
	Target   *target
	Key      string
	Fields   []formField // the reason (radios in words, words.Retraction) and notes
	Envelope []formField // the retraction's own effective date, certainty and sources
	Problems []formProblem
}

// retractFields are the retract form's fields with the values of v: why (the reasons in words) and
// notes.
func retractFields(v url.Values) []formField {
	reason, _ := memberField(domain.TypeEventRetracted, "reason", "/data", nil, v)
	reason.Label, reason.Full = "Why it is retracted", "Why it is retracted"
	notes, _ := memberField(domain.TypeEventRetracted, "notes", "/data", nil, v)
	notes.Hint = "What a reader should know: the event it duplicates, who withdrew the source."
	return []formField{reason, notes}
}

func (s *server) retractPage(r *http.Request, body *retractPage) page {
	pageHint(domain.TypeEventRetracted, body.Envelope)
	body.Problems = inPageOrder(body.Problems, body.Fields, body.Envelope)
	return s.page(r, fmt.Sprintf("Retract event [%d]", body.Target.Seq), body)
}

func (s *server) handleRetractForm(w http.ResponseWriter, r *http.Request) {
	if _, u := s.clerk(w, r); u == nil {
		return
	}
	t := s.loadTarget(w, r, "retracted")
	if t == nil {
		return
	}
	v := url.Values{"/effective_on": {domain.LondonDate(s.Now()).String()}}
	body := &retractPage{Target: t, Key: randomToken(), Fields: retractFields(v), Envelope: envelopeFields(v)}
	s.render(w, http.StatusOK, "retract.html", s.retractPage(r, body))
}

func (s *server) handleRetract(w http.ResponseWriter, r *http.Request) {
	sess, u := s.clerk(w, r)
	if u == nil || !s.clerkForm(w, r, sess) {
		return
	}
	t, refusal, ok := s.postTarget(w, r)
	if !ok {
		return
	}
	v := postedValues(r)
	body := &retractPage{Target: t, Fields: retractFields(v), Envelope: envelopeFields(v)}
	if body.Key, ok = s.checkNames(w, r, v, body.Fields, body.Envelope); !ok {
		return
	}
	if action := r.PostForm.Get("action"); strings.HasPrefix(action, "add:") || strings.HasPrefix(action, "remove:") {
		// A source more or less: the same form again, nothing recorded.
		applyAction(body.Envelope, v, action)
		body.Envelope = envelopeFields(v)
		s.render(w, http.StatusOK, "retract.html", s.retractPage(r, body))
		return
	}
	all := append(slices.Clone(body.Fields), body.Envelope...)
	n := len(body.Fields)
	said := map[string]bool{}
	add := func(pointer, msg string) {
		said[pointer] = true
		body.Problems = append(body.Problems, placeProblem(all, pointer, msg))
	}
	cmd := readFields(all[n:], v, add)
	data := readFields(all[:n], v, add)
	data["target"] = t.ID
	cmd["type"], cmd["data"] = domain.TypeEventRetracted, data
	body.Fields, body.Envelope = all[:n], all[n:]
	if refusal != "" && len(body.Problems) > 0 {
		s.refuse(w, r, "retracted", refusal)
		return
	}
	if !s.allowWrite(w, r, sess) {
		return
	}
	done, err := s.submit(w, r, u, t.Slug, body.Key, cmd, len(body.Problems) > 0)
	switch {
	case done:
	case refusal != "":
		s.refuse(w, r, "retracted", refusal)
	case err != nil && !formErrors(err, said, s.placer(u, t, body.Key, all, &body.Problems)):
		s.fail(w, r, err)
	default:
		s.render(w, http.StatusUnprocessableEntity, "retract.html", s.retractPage(r, body))
	}
}

// ---- The correct page ----

// correctPage is the body of the correct page, at one of its three steps: "pick" (which field),
// "value" (its new value, why, and the correction's own record), "preview" (old → new, nothing
// recorded yet, every value carried in hidden fields).
type correctPage struct {
	Target   *target
	Step     string
	Members  []correctable // pick: every field that may be corrected, with its value now
	Field    string        // the member chosen
	Label    string        // its name in words
	Current  string        // its value now, in words
	Key      string
	Fields   []formField // value: the member's control, then reason and evidence
	Envelope []formField // value: the correction's own effective date, certainty and sources
	Problems []formProblem
	Changes  []correctedChange // preview: what the correction changes
	About    []previewLine     // preview: why, and the correction's own record
	Hidden   []hiddenValue     // preview
}

// effectiveOn is a decided command's effective date in words.
func effectiveOn(cmd domain.Command) string {
	if d, err := domain.ParseDate(cmd.EffectiveOn); err == nil {
		return d.Long()
	}
	return cmd.EffectiveOn
}

// previewLine is a line of the preview about the correction itself: "Why it is corrected: …".
type previewLine struct{ Label, Text string }

// correctable is a field of the target a correction may replace: its member name, its name in words
// (words.CorrectedField) and its value as in effect (words.CorrectedValue).
type correctable struct {
	Name, Label, Current string
	raw                  json.RawMessage
}

// correctedChange is one line of the preview: the field in words, its value now and after.
type correctedChange struct{ Field, Old, New string }

// hiddenValue is a value the preview carries to the record step.
type hiddenValue struct{ Name, Value string }

// correctables lists the fields of t a correction may replace: its data members (every top-level
// member of its type, in the schema's order, each as corrected so far and in words as the event
// page writes it; a list or group is replaced whole), then its effective date, certainty and
// sources.
func (s *server) correctables(ctx context.Context, t *target) []correctable {
	e := t.Effective
	data := e.Data
	if len(data) == 0 {
		data, _ = domain.EncodePayload(e.Payload) // History keeps only the decoded payload
	}
	var members map[string]json.RawMessage
	_ = json.Unmarshal(data, &members)
	var out []correctable
	for _, f := range s.dataFields(e.Type, "/data/data", t.State, nil) {
		out = append(out, correctable{Name: f.Name, raw: members[f.Name]})
	}
	eff, _ := json.Marshal(e.EffectiveOn)
	cert, _ := json.Marshal(e.Certainty)
	// A source recorded with the old illustrative flag is offered as what it means, every detail it
	// gives assumed: the flag is stored only, and a correction cannot carry it.
	sources := slices.Clone(e.Sources)
	for i := range sources {
		sources[i].Assumed, sources[i].Illustrative = sources[i].AssumedDetails(), false
	}
	srcs, _ := json.Marshal(sources)
	out = append(out, correctable{Name: domain.CorrectedEffectiveOn, raw: eff},
		correctable{Name: domain.CorrectedCertainty, raw: cert}, correctable{Name: domain.CorrectedSources, raw: srcs})
	inWords := dataInWords(t.Names, e.Recorded)
	for i := range out {
		out[i].Label = words.CorrectedField(out[i].Name)
		out[i].Current = words.CorrectedValue(out[i].Name, out[i].raw, t.Names)
		if w, ok := inWords[out[i].Name]; ok && !envelopeMember(out[i].Name) {
			out[i].Current = w
		}
	}
	return out
}

// dataInWords writes the data members e records (those present in its JSON) in words, each on one
// line, as the event page writes them (words.Data: a list or group member by member, not as JSON).
func dataInWords(names words.Names, e domain.Recorded) map[string]string {
	out := map[string]string{}
	for _, m := range words.Data(e.Payload, names, e.Sources) {
		out[m.Name] = m.Value.String()
	}
	return out
}

// envelopeMember reports whether a correctable is one of the target's envelope fields, which an
// EventCorrected replaces by its own members (/data/effective_on, /data/certainty, /data/sources).
func envelopeMember(name string) bool {
	return name == domain.CorrectedEffectiveOn || name == domain.CorrectedCertainty || name == domain.CorrectedSources
}

// correctFields returns the form of a correction of member c of t with the values of v: the
// member's control (under /data/data, or /data for an envelope field), the reason and the evidence.
func (s *server) correctFields(t *target, c correctable, v url.Values) []formField {
	var f formField
	if envelopeMember(c.Name) {
		f, _ = memberField(domain.TypeEventCorrected, c.Name, "/data", t.State, v)
	} else {
		f, _ = memberField(t.Effective.Type, c.Name, "/data/data", t.State, v)
	}
	f.Label = "New value: " + c.Label
	f.Full = f.Label // the summary names the field as its label does
	f.Required = true
	switch f.Kind {
	case kindList, kindChecks:
		f.Hint = strings.TrimSpace(f.Hint + " The list replaces the whole list as it stands.")
	}
	reason, _ := memberField(domain.TypeEventCorrected, "reason", "/data", nil, v)
	reason.Label, reason.Full = "Why it is corrected", "Why it is corrected"
	reason.Hint = "What was wrong, e.g. the figure was misread from the report."
	evidence, _ := memberField(domain.TypeEventCorrected, "evidence", "/data", nil, v)
	evidence.Label, evidence.Full = "What shows the correction is right", "What shows the correction is right"
	evidence.Hint = "E.g. the page of the report that gives the figure."
	return []formField{f, reason, evidence}
}

// prefill returns the form values of a member's value as in effect (its JSON at pointer), as the
// member's control shows them: amounts in pounds as ParsePounds reads them, shares in percent,
// ticked boxes by value.
func (s *server) prefill(t *target, c correctable, pointer string) url.Values {
	v := url.Values{}
	flatten(v, pointer, c.raw)
	fs := s.correctFields(t, c, v)
	typed(fs[:1], v)
	return v
}

// flatten writes a JSON value into v by pointer: scalars as text, objects and arrays by member and
// index.
func flatten(v url.Values, pointer string, raw json.RawMessage) {
	d := json.NewDecoder(strings.NewReader(string(raw)))
	d.UseNumber()
	var x any
	if len(raw) == 0 || d.Decode(&x) != nil {
		return
	}
	var walk func(string, any)
	walk = func(p string, x any) {
		switch x := x.(type) {
		case map[string]any:
			for k, m := range x {
				walk(p+"/"+k, m)
			}
		case []any:
			for i, m := range x {
				walk(p+"/"+strconv.Itoa(i), m)
			}
		case string:
			v.Set(p, x)
		case json.Number:
			v.Set(p, x.String())
		case bool:
			if x {
				v.Set(p, "true")
			}
		}
	}
	walk(pointer, x)
}

// pounds writes pence as ParsePounds reads them: Pence.String without the pound sign and commas.
var pounds = strings.NewReplacer("£", "", ",", "")

// typed rewrites the flattened values of fs (built from v) as their controls take them: pence as
// pounds, basis points as a percentage, a list of values as one field of ticked values.
func typed(fs []formField, v url.Values) {
	for _, f := range fs {
		switch f.Kind {
		case kindGroup, kindNewCouncil:
			typed(f.Fields, v)
		case kindList:
			typed(f.Rows, v)
		case kindChecks:
			var ticked []string
			for i := 0; v.Has(f.Pointer + "/" + strconv.Itoa(i)); i++ {
				ticked = append(ticked, v.Get(f.Pointer+"/"+strconv.Itoa(i)))
				v.Del(f.Pointer + "/" + strconv.Itoa(i))
			}
			v[f.Pointer] = ticked
		case kindMoney:
			if n, err := strconv.ParseInt(f.Value, 10, 64); err == nil {
				v.Set(f.Pointer, pounds.Replace(domain.Pence(n).String()))
			}
		case kindPercent:
			if n, err := strconv.Atoi(f.Value); err == nil {
				v.Set(f.Pointer, strings.TrimSuffix(domain.BasisPoints(n).String(), "%"))
			}
		}
	}
}

func (s *server) correctPage(r *http.Request, body *correctPage) page {
	pageHint(domain.TypeEventCorrected, body.Envelope)
	body.Problems = inPageOrder(body.Problems, body.Fields, body.Envelope)
	title := fmt.Sprintf("Correct event [%d]", body.Target.Seq)
	if body.Step == "preview" {
		title = fmt.Sprintf("Check the correction of event [%d]", body.Target.Seq)
	}
	return s.page(r, title, body)
}

// chosen returns the member of t named by a form's field value; ok is false, with the request
// answered 400, when t has no such field.
func (s *server) chosen(w http.ResponseWriter, r *http.Request, t *target, name string) (correctable, bool) {
	for _, c := range s.correctables(r.Context(), t) {
		if c.Name == name {
			return c, true
		}
	}
	s.renderError(w, r, http.StatusBadRequest, "No such field",
		fmt.Sprintf("This event (%s) has no field %.80q that a correction may replace, so nothing was recorded. Go back and choose one of the fields listed.", words.Lower(t.Type), name))
	return correctable{}, false
}

func (s *server) handleCorrectForm(w http.ResponseWriter, r *http.Request) {
	if _, u := s.clerk(w, r); u == nil {
		return
	}
	t := s.loadTarget(w, r, "corrected")
	if t == nil {
		return
	}
	body := &correctPage{Target: t, Step: "pick", Members: s.correctables(r.Context(), t)}
	name := r.URL.Query().Get("field")
	if name == "" {
		status := http.StatusOK
		if r.URL.Query().Has("next") { // "Next" pressed with no field chosen
			status = http.StatusUnprocessableEntity
			body.Problems = []formProblem{{ID: "f-field", Label: "Which field is wrong", Message: "choose the field to correct"}}
		}
		s.render(w, status, "correct.html", s.correctPage(r, body))
		return
	}
	c, ok := s.chosen(w, r, t, name)
	if !ok {
		return
	}
	v := s.prefill(t, c, memberPointer(c.Name))
	v.Set("/effective_on", domain.LondonDate(s.Now()).String())
	body.Step, body.Field, body.Label, body.Current, body.Key = "value", c.Name, c.Label, c.Current, randomToken()
	body.Fields, body.Envelope = s.correctFields(t, c, v), envelopeFields(v)
	s.render(w, http.StatusOK, "correct.html", s.correctPage(r, body))
}

// memberPointer is where a correction carries the new value of a member of its target.
func memberPointer(name string) string {
	if envelopeMember(name) {
		return "/data/" + name
	}
	return "/data/data/" + name
}

// memberRequired reports whether the target's type requires its data member name (its JSON tag has
// no omitempty or omitzero): left blank on the correct page, it is "is required", never removed.
func memberRequired(t *target, name string) bool {
	f, ok := memberField(t.Effective.Type, name, "/data/data", nil, url.Values{})
	return ok && f.Required
}

func (s *server) handleCorrect(w http.ResponseWriter, r *http.Request) {
	sess, u := s.clerk(w, r)
	if u == nil || !s.clerkForm(w, r, sess) {
		return
	}
	t, refusal, ok := s.postTarget(w, r)
	if !ok {
		return
	}
	action := r.PostForm.Get("action")
	if refusal != "" {
		// The target may no longer be corrected (retracted meanwhile): a form already recorded is
		// answered as the first time (the event its key recorded); any other is refused 409 with the
		// domain's message, whatever its button.
		if id := formEventID(u.Actor, t.Slug, r.PostForm.Get("key")); action == "record" {
			if _, known := s.Log.Seq(id); known {
				http.Redirect(w, r, "/partnerships/"+url.PathEscape(t.Slug)+"?recorded="+id.String()+"#confirmation", http.StatusSeeOther)
				return
			}
		}
		s.refuse(w, r, "corrected", refusal)
		return
	}
	c, ok := s.chosen(w, r, t, r.PostForm.Get("field"))
	if !ok {
		return
	}
	v := postedValues(r)
	fs, env := s.correctFields(t, c, v), envelopeFields(v)
	key, ok := s.checkNames(w, r, v, fs, env)
	if !ok {
		return
	}
	body := &correctPage{Target: t, Step: "value", Field: c.Name, Label: c.Label, Current: c.Current, Key: key}
	if strings.HasPrefix(action, "add:") || strings.HasPrefix(action, "remove:") {
		// A row more or less in a list: the same form again, nothing checked or recorded.
		all := append(slices.Clone(fs), env...)
		applyAction(all, v, action)
		body.Fields, body.Envelope = s.correctFields(t, c, v), envelopeFields(v)
		s.render(w, http.StatusOK, "correct.html", s.correctPage(r, body))
		return
	}
	if action == "edit" {
		body.Fields, body.Envelope = fs, env
		s.render(w, http.StatusOK, "correct.html", s.correctPage(r, body))
		return
	}
	all := append(slices.Clone(fs), env...)
	said := map[string]bool{}
	add := func(pointer, msg string) {
		said[pointer] = true
		body.Problems = append(body.Problems, placeProblem(all, pointer, msg))
	}
	cmdBody := readFields(all[len(fs):], v, add)
	data := readFields(all[1:len(fs)], v, add)
	data["target"] = t.ID
	member := readFields(all[:1], v, add)
	_, given := member[c.Name]
	blankRequired := !given && !said[all[0].Pointer] && (envelopeMember(c.Name) || memberRequired(t, c.Name))
	if blankRequired {
		// Left blank, a field the event must have (its date, certainty or sources, or a required
		// member) is required at the field; it is never sent as null.
		add(all[0].Pointer, "is required")
		said["/data"] = true // the rules' "corrects nothing" is this problem, said at the field
	}
	if envelopeMember(c.Name) {
		maps.Copy(data, member)
	} else {
		if !given && !blankRequired && !said[all[0].Pointer] {
			member[c.Name] = nil // an optional member left blank: it is removed
		}
		data["data"] = member
	}
	cmdBody["type"], cmdBody["data"] = domain.TypeEventCorrected, data
	finish := func(err error) {
		body.Fields, body.Envelope = all[:len(fs)], all[len(fs):]
		switch {
		case refusal != "":
			s.refuse(w, r, "corrected", refusal)
		case err != nil && !formErrors(err, said, s.placer(u, t, key, all, &body.Problems)):
			s.fail(w, r, err)
		default:
			s.render(w, http.StatusUnprocessableEntity, "correct.html", s.correctPage(r, body))
		}
	}
	if action == "record" {
		if !s.allowWrite(w, r, sess) {
			return
		}
		if done, err := s.submit(w, r, u, t.Slug, key, cmdBody, len(body.Problems) > 0); !done {
			finish(err)
		}
		return
	}
	// Check: the command as Record would decide it now, and what it would change; nothing recorded.
	body.Fields, body.Envelope = all[:len(fs)], all[len(fs):]
	cmd, err := s.command(u, t.Slug, key, cmdBody)
	if err == nil && len(body.Problems) > 0 {
		err = domain.CheckCommand(cmd)
	} else if err == nil {
		err = s.preview(r, t, cmd, body)
	}
	if err != nil || len(body.Problems) > 0 {
		finish(err)
		return
	}
	for _, k := range slices.Sorted(maps.Keys(v)) {
		for _, x := range v[k] {
			body.Hidden = append(body.Hidden, hiddenValue{Name: k, Value: x})
		}
	}
	body.Step = "preview"
	s.render(w, http.StatusOK, "correct.html", s.correctPage(r, body))
}

// preview decides cmd against the partnership's history without recording it (domain.Decide) and
// puts what it would change into body (domain.Correct, each field in words by
// words.CorrectedChange). A correction that changes nothing is a problem at the member.
func (s *server) preview(r *http.Request, t *target, cmd domain.Command, body *correctPage) error {
	hist, err := s.Recorder.History(r.Context(), t.Slug)
	if err != nil {
		return err
	}
	if _, err := domain.Decide(hist, cmd); err != nil {
		return err
	}
	p, err := domain.DecodePayload(cmd.Type, domain.CurrentSchema, cmd.Data)
	if err != nil {
		return err
	}
	corr, _ := p.(domain.EventCorrected)
	_, fields, err := domain.Correct(t.Effective.Recorded, corr)
	if err != nil {
		return err
	}
	for _, f := range fields {
		old, new := words.CorrectedChange(f.Field, f.Before, f.After, t.Names) // a list or group member by member, not as JSON
		body.Changes = append(body.Changes, correctedChange{Field: words.CorrectedField(f.Field), Old: old, New: new})
	}
	srcs := make([]string, len(cmd.Sources))
	for i, src := range cmd.Sources {
		srcs[i] = words.Source(src)
	}
	body.About = []previewLine{{"Why it is corrected", corr.Reason}, {"What shows it is right", corr.Evidence},
		{"Takes effect on", effectiveOn(cmd)}, {"How certain", words.CertaintyText(cmd.Certainty)},
		{"Sources", strings.Join(srcs, "; ")}}
	if corr.Evidence == "" {
		body.About[1].Text = words.NotRecorded
	}
	if len(body.Changes) == 0 {
		body.Problems = append(body.Problems, placeProblem(body.Fields, memberPointer(body.Field),
			"is the same as it stands, so there is nothing to correct: enter the value it should have"))
	}
	return nil
}
