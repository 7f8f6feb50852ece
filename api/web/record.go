package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/recording"
	"github.com/partnership-ledger/ledger/domain/words"
	"github.com/partnership-ledger/ledger/projections"
)

// recordForm is the body of the record and propose pages: a generated form for one event type
// (form.go), or the chooser of types when none is chosen.
type recordForm struct {
	Slug, Name string
	New        bool   // the propose page (/partnerships/new): the partnership's slug is a field
	Action     string // where the form posts
	Type       string // the event type; "" shows the chooser
	TypeText   string // the type in words
	Types      []choice
	Key        string      // the idempotency key, carried through every round trip
	Fields     []formField // the data's fields
	Envelope   []formField // effective_on, certainty, sources
	Problems   []formProblem
	NotOffered *notOffered // why a type asked for is not offered (the chooser shown instead)
	all        []formField // Fields and Envelope, one slice
}

// notOffered says why the record page does not offer a type asked for, and where to go instead
// (Href and Link, when another page records it).
type notOffered struct{ Why, Href, Link string }

// whyNotOffered says why the record page does not offer typ (a non-empty type not recordable()).
func whyNotOffered(typ string) *notOffered {
	switch typ {
	case domain.TypePartnershipProposed:
		return &notOffered{Why: "A partnership is proposed from its own page, not from a partnership's page:", Href: "/partnerships/new", Link: "Propose a partnership"}
	case domain.TypeEventCorrected, domain.TypeEventRetracted:
		return &notOffered{Why: words.EventType(typ) + " is not recorded here: corrections and retractions start from the page of the event they correct or retract."}
	}
	return &notOffered{Why: fmt.Sprintf("%.80s is not a kind of event recorded here: choose one below.", typ)}
}

// recordable are the types the record page offers: every type but the proposal (its own page) and
// corrections and retractions (from an event's page).
func recordable() []choice {
	var out []choice
	for _, t := range domain.EventTypes() {
		if t != domain.TypePartnershipProposed && t != domain.TypeEventCorrected && t != domain.TypeEventRetracted {
			out = append(out, choice{Value: t, Text: words.EventType(t)})
		}
	}
	return out
}

func isRecordable(t string) bool {
	return slices.ContainsFunc(recordable(), func(c choice) bool { return c.Value == t })
}

// recordState is the partnership a form records into (nil for the propose page).
func (s *server) recordState(slug string, propose bool) (*projections.State, error) {
	if propose {
		return nil, nil
	}
	return s.Models.State(slug, projections.Query{})
}

// formPage builds the record (or propose) page for type typ from the values v.
func (s *server) formPage(r *http.Request, slug string, st *projections.State, f *recordForm, v url.Values) page {
	f.Slug, f.Types = slug, recordable()
	title := "Record an event"
	if st != nil {
		f.Name = st.Name
		f.Action = "/partnerships/" + url.PathEscape(slug) + "/record"
		title += ": " + st.Name
	} else {
		f.New, f.Action, f.Name, title = true, "/partnerships/new", "", "Propose a partnership"
	}
	if f.Type != "" && f.all == nil {
		f.setFields(s.formFields(f.Type, st, v))
	}
	f.TypeText = words.EventType(f.Type)
	f.Problems = inPageOrder(f.Problems, f.all)
	return s.page(r, title, f)
}

// setFields keeps the fields formFields built: all, of which the first n are the data's.
func (f *recordForm) setFields(all []formField, n int) {
	f.all, f.Fields, f.Envelope = all, all[:n:n], all[n:]
}

// formFields builds a type's data and envelope fields from v, as one slice (so a problem placed on
// either shows), the first n the data's. The propose page's slug comes first among the data.
func (s *server) formFields(typ string, st *projections.State, v url.Values) (all []formField, n int) {
	var data []formField
	data = s.dataFields(typ, "/data", st, v)
	if typ == domain.TypePartnershipProposed {
		slug := formField{Name: "partnership", Pointer: "/partnership", ID: fieldID("/partnership"), Kind: kindText,
			Label: "Short name", Full: "Short name", Required: false, Value: v.Get("/partnership"),
			Hint: "Optional: made from the name when left blank. The partnership's web address uses it: lowercase letters, digits and hyphens, e.g. great-yarmouth-north-norfolk."}
		data = append([]formField{slug}, data...)
	}
	env := envelopeFields(v)
	labelEffective(typ, env)
	return append(slices.Clip(data), env...), len(data)
}

// newKey is a fresh idempotency key for a form.
func newKey() string { return randomToken() }

func (s *server) handleRecordForm(w http.ResponseWriter, r *http.Request) {
	if _, u := s.current(r); u == nil {
		http.Redirect(w, r, "/signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	} else if !canRecord[u.Role] {
		s.forbidden(w, r, u)
		return
	}
	q := r.URL.Query()
	slug := r.PathValue("id")
	propose := r.URL.Path == "/partnerships/new"
	st, err := s.recordState(slug, propose)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f := &recordForm{Key: newKey(), Type: q.Get("type")}
	status := http.StatusOK
	if propose {
		f.Type = domain.TypePartnershipProposed
	} else if !isRecordable(f.Type) {
		if f.Type != "" { // a type asked for that this page does not offer: the chooser, saying why
			f.NotOffered, status = whyNotOffered(f.Type), http.StatusBadRequest
		}
		f.Type = "" // the chooser
	}
	s.render(w, status, "record.html", s.formPage(r, slug, st, f, url.Values{}))
}

// maxRecordForm is the largest record form read, in bytes (1 MiB); a larger one is answered 413.
const maxRecordForm = 1 << 20

// handleRecord takes a post of the record page or the propose page: a generated form's add or
// remove button (the form again with a row more or less, nothing recorded), or its record button.
// Corrections and retractions have their own pages (correct.go).
func (s *server) handleRecord(w http.ResponseWriter, r *http.Request) {
	sess, u := s.clerk(w, r)
	if u == nil || !s.clerkForm(w, r, sess) {
		return
	}
	slug := r.PathValue("id")
	propose := r.URL.Path == "/partnerships/new"
	st, err := s.recordState(slug, propose)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ok := false
	v := postedValues(r)
	action := r.PostForm.Get("action")
	f := &recordForm{Type: v.Get("type")}
	if propose {
		f.Type = domain.TypePartnershipProposed
	} else if !isRecordable(f.Type) {
		f.Type = ""
		f.Problems = []formProblem{{Label: "Kind of event", Message: "choose the kind of event to record"}}
		s.render(w, http.StatusUnprocessableEntity, "record.html", s.formPage(r, slug, st, f, url.Values{}))
		return
	}
	f.setFields(s.formFields(f.Type, st, v))
	// The form must be this page's, for this type, with its key: a name it does not have (another
	// type's field, /recorded_by), a name sent twice or no key is refused whole (checkNames).
	if f.Key, ok = s.checkNames(w, r, v, f.all, []formField{{Name: "type", Pointer: "type"}}); !ok {
		return
	}
	if action != "" && action != "record" {
		// Add or remove a row: the same form again, with what was typed, nothing recorded.
		if !applyAction(f.all, v, action) {
			s.renderError(w, r, http.StatusBadRequest, "Form not recognised",
				"The form sent a button this page does not have, or a row it cannot add (a list holds at most "+strconv.Itoa(maxRows)+
					" rows), so nothing was recorded. Go back, reload the page and try again.")
			return
		}
		f.setFields(s.formFields(f.Type, st, v))
		s.render(w, http.StatusOK, "record.html", s.formPage(r, slug, st, f, v))
		return
	}
	if !s.allowWrite(w, r, sess) {
		return
	}
	said := map[string]bool{} // the pointers the form itself found a problem at
	add := func(pointer, msg string) {
		said[pointer] = true
		if pointer == "/id" {
			pointer, msg = "", s.keyReused(u.Actor, keyScope(f.Type, slug), f.Key)
		}
		if pointer == "/type" && propose {
			// A partnership at that address was proposed before: the slug is what to change.
			pointer, msg = "/partnership", "is the address of a partnership already proposed; choose another"
		}
		f.Problems = append(f.Problems, placeProblem(f.all, pointer, msg))
	}
	body := readFields(f.Envelope, v, add)
	body["type"] = f.Type
	data := readFields(f.Fields, v, add)
	body["data"] = data
	if propose {
		slug, _ = data["partnership"].(string)
		delete(data, "partnership")
		if slug == "" {
			slug = slugOf(v.Get("/data/name"))
			f.Fields[0].Value = slug
		}
	}
	done, err := s.submit(w, r, u, slug, f.Key, body, len(f.Problems) > 0)
	if done {
		return
	}
	if err != nil && !formErrors(err, said, add) {
		s.fail(w, r, err)
		return
	}
	s.render(w, http.StatusUnprocessableEntity, "record.html", s.formPage(r, slug, st, f, v))
}

// formEventID is the id of the event a page's form records: the same actor, partnership and form
// key give the same id, so a form sent twice records once (recording.IdempotentID).
func formEventID(actor, slug, key string) uuid.UUID {
	return recording.IdempotentID("page:"+actor, slug, key)
}

// keyScope is the scope of a form's key (formEventID): the partnership's slug, but "new" for a
// proposal, whose slug is typed on the form itself, so that the same form sent again with another
// name or slug is known as the same form (recorded once), whatever was typed.
func keyScope(typ, slug string) string {
	if typ == domain.TypePartnershipProposed {
		return "new"
	}
	return slug
}

// keyReused is Decide's problem at /id, a form's key used before with other values (the form was
// sent, changed and sent again), in the form's words, with the event the key recorded.
func (s *server) keyReused(actor, slug, key string) string {
	n := ""
	if seq, ok := s.Log.Seq(formEventID(actor, slug, key)); ok {
		n = " [" + strconv.FormatUint(seq, 10) + "]"
	}
	return "This form was already recorded as event" + n + " with other values; open a new form to record another."
}

// slugOf makes a slug of a name: lowercase letters and digits, runs of anything else one hyphen.
func slugOf(name string) string {
	s := strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(name), "-"), "-")
	if len(s) > 64 {
		s = strings.TrimRight(s[:64], "-")
	}
	return s
}

func (s *server) forbidden(w http.ResponseWriter, r *http.Request, u *user) {
	s.renderError(w, r, http.StatusForbidden, "Not allowed", "You are signed in as "+u.Actor+" with the "+u.Role+
		" role. Recording needs a recorder token: sign out and sign in with one.")
}
