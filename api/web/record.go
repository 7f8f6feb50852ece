package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/fault"
	"github.com/partnership-ledger/ledger/projections"
)

// recordForm is the body of the record page: the values typed, and the problems by form field.
type recordForm struct {
	Slug     string
	Name     string
	Form     string // "savings" or "other"
	Values   map[string]string
	Errors   map[string][]string
	Problems []formProblem // every problem, for the summary at the top
	Partners []projections.Partner
	Types    []string
}

// formProblem is a problem with the form field it belongs to ("" when none fits).
type formProblem struct {
	Field   string
	Message string
}

// commonTypes are offered in the general form's type select.
var commonTypes = []string{domain.TypeDecisionTaken, domain.TypeJointAppointmentMade, domain.TypeServiceMovedToSharedDelivery,
	domain.TypeReviewOutcomeRecorded, domain.TypeSavingsReported, domain.TypeEventCorrected, domain.TypeEventRetracted}

// formPointers maps each field of the record forms to the JSON pointer of the command member it
// fills: the one mapping between the forms and the command. Problems, whether the form's own or the
// domain's, are placed beside the field by their pointer (fieldOf).
var formPointers = map[string]string{
	"effective_on": "/effective_on", "certainty": "/certainty", "source_kind": "/sources/0/kind",
	"source_title": "/sources/0/title", "source_url": "/sources/0/url",
	// the general form
	"type": "/type", "data": "/data",
	// the savings form (SavingsReported)
	"council": "/data/council", "financial_year": "/data/financial_year", "category": "/data/category",
	"amount": "/data/amount_pence", "status": "/data/status", "period_to": "/data/period_to",
}

// savingsOnly are the fields of the savings form alone; type and data are the general form's.
var savingsOnly = map[string]bool{"council": true, "financial_year": true, "category": true, "amount": true, "status": true, "period_to": true}

// fieldOf returns the field of the given form whose member the JSON pointer is or is inside (the
// longest such), "source_title" for the sources as a whole, or "" when no field of the form fits.
func fieldOf(form, pointer string) string {
	if pointer == "/sources" || pointer == "/sources/0" {
		return "source_title"
	}
	best := ""
	for f, p := range formPointers {
		if (f == "type" || f == "data") && form == "savings" || savingsOnly[f] && form != "savings" {
			continue
		}
		if (pointer == p || strings.HasPrefix(pointer, p+"/")) && len(p) > len(formPointers[best]) {
			best = f
		}
	}
	return best
}

func (s *server) recordPage(r *http.Request, slug string, f *recordForm) (page, error) {
	st, err := s.Models.State(slug, projections.Query{})
	if err != nil {
		return page{}, err
	}
	f.Slug, f.Name, f.Partners, f.Types = slug, st.Name, st.Partners, commonTypes
	if st.Status.Value == projections.StatusDissolved {
		// A wind-down event names a council that was a partner when the partnership was dissolved.
		for _, p := range st.Former {
			if p.Until == st.Status.Since {
				f.Partners = append(f.Partners, p)
			}
		}
	}
	if f.Form == "" {
		f.Form = "savings"
	}
	return s.page(r, "Record an event: "+st.Name, f), nil
}

func (s *server) handleRecordForm(w http.ResponseWriter, r *http.Request) {
	if _, u := s.current(r); u == nil {
		http.Redirect(w, r, "/signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	} else if !canRecord[u.Role] {
		s.forbidden(w, r, u)
		return
	}
	q := r.URL.Query()
	f := &recordForm{Form: q.Get("form"), Values: map[string]string{"certainty": "confirmed", "source_kind": "minutes"}}
	if t := q.Get("type"); t != "" {
		f.Values["type"] = t
	}
	if target := q.Get("target"); target != "" {
		switch q.Get("type") {
		case domain.TypeEventRetracted:
			f.Values["data"] = `{"target": "` + target + `", "reason": "entered_in_error", "notes": ""}`
		default:
			f.Values["data"] = `{"target": "` + target + `", "reason": "", "data": {}}`
		}
	}
	p, err := s.recordPage(r, r.PathValue("id"), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, http.StatusOK, "record.html", p)
}

var digits = regexp.MustCompile(`^-?[0-9]+$`)

// maxRecordForm is the largest record form read, in bytes (1 MiB); a larger one is answered 413.
const maxRecordForm = 1 << 20

func (s *server) handleRecord(w http.ResponseWriter, r *http.Request) {
	sess, u := s.current(r)
	if u == nil {
		http.Redirect(w, r, "/signin?next="+url.QueryEscape(r.URL.Path), http.StatusSeeOther)
		return
	}
	if !canRecord[u.Role] {
		s.forbidden(w, r, u)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxRecordForm)
	if err := r.ParseForm(); err != nil {
		if mbe := new(http.MaxBytesError); errors.As(err, &mbe) {
			s.renderError(w, r, http.StatusRequestEntityTooLarge, "Form too large",
				"The form is over the limit of 1 MiB, so nothing was read and nothing was recorded. Go back, shorten the longest text (the data or a title) and send it again.")
			return
		}
		s.renderError(w, r, http.StatusBadRequest, "Form not readable", "The form could not be read, so nothing was recorded. Go back, reload the page and try again.")
		return
	}
	if !checkCSRF(r, sess) {
		s.renderError(w, r, http.StatusForbidden, "Form expired", "This form was not sent from a page of this session. Go back, reload the page and try again.")
		return
	}
	if s.AllowWrite != nil {
		if err := s.AllowWrite(r, sess.token); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	slug := r.PathValue("id")
	f := &recordForm{Form: r.PostFormValue("form"), Values: map[string]string{}, Errors: map[string][]string{}}
	if f.Form != "other" {
		f.Form = "savings"
	}
	for k := range r.PostForm {
		if k != "csrf" {
			f.Values[k] = domain.TrimASCIISpace(r.PostFormValue(k)) // a trailing U+0085 stays, to be refused
		}
	}
	v := f.Values
	said := map[string]bool{} // the pointers a problem was listed at
	add := func(pointer, msg string) {
		said[pointer] = true
		field := fieldOf(f.Form, pointer)
		if field == "" {
			// Nothing of this form fills that member: the summary names it.
			if pointer != "" {
				msg = pointer + ": " + msg
			}
			f.Problems = append(f.Problems, formProblem{Message: msg})
			return
		}
		if field == "data" && pointer != formPointers["data"] {
			// The data is typed as JSON: say where in it.
			msg = strings.TrimPrefix(pointer, formPointers["data"]) + ": " + msg
		}
		f.Errors[field] = append(f.Errors[field], msg)
		f.Problems = append(f.Problems, formProblem{Field: field, Message: msg})
	}
	// The form's text passes the gate's text rule before it is built into JSON: encoding/json would
	// quietly replace invalid UTF-8 with U+FFFD. The raw data of the other form is gated as JSON.
	for _, k := range slices.Sorted(maps.Keys(v)) {
		if k == "data" {
			continue
		}
		if msg := eventstore.TextProblem(v[k]); msg != "" {
			add(formPointers[k], msg)
		}
	}
	body := map[string]any{"effective_on": v["effective_on"], "certainty": v["certainty"]}
	src := map[string]any{"kind": v["source_kind"], "title": v["source_title"]}
	if v["source_url"] != "" {
		src["url"] = v["source_url"]
	}
	body["sources"] = []any{src}
	if f.Form == "savings" {
		body["type"] = domain.TypeSavingsReported
		data := map[string]any{"council": v["council"], "category": v["category"], "status": v["status"], "period_to": v["period_to"]}
		if digits.MatchString(v["financial_year"]) {
			fy, err := strconv.Atoi(v["financial_year"])
			if err != nil { // beyond any int: Atoi's saturated value is not what was typed
				add(formPointers["financial_year"], fmt.Sprintf("The financial year %q is not a year such as 2015.", v["financial_year"]))
			}
			data["financial_year"] = fy
		} else {
			data["financial_year"] = v["financial_year"]
		}
		if p, err := domain.ParsePounds(v["amount"]); err == nil {
			data["amount_pence"] = p
		} else {
			add(formPointers["amount"], "The amount "+err.Error()+".")
		}
		body["data"] = data
	} else {
		body["type"] = v["type"]
		if !slices.Contains(domain.EventTypes(), v["type"]) {
			add(formPointers["type"], "Choose an event type.")
		}
		if !json.Valid([]byte(v["data"])) {
			add(formPointers["data"], "The data is not valid JSON. Check the brackets, quotes and commas.")
		} else {
			body["data"] = json.RawMessage(v["data"])
		}
	}
	// The domain's problems are listed with the form's (docs/domain.md: every problem found is
	// reported at once), except at a member the form already said is wrong; nothing is recorded
	// while any problem stands.
	raw, _ := json.Marshal(body)
	cmd, err := domain.DecodeCommand(slug, raw)
	if err == nil && len(f.Problems) > 0 {
		err = domain.CheckCommand(cmd) // the command's own problems; the history's wait for a clean form
	} else if err == nil {
		res, rerr := s.Recorder.Record(r.Context(), u.Actor, cmd, nil)
		if rerr == nil {
			e := res.Events[0]
			ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
			// Read-your-writes: the partnership page reads the models, and the event page it links
			// to finds the event through the tree's index (an event page 404ed for a moment).
			_ = s.Models.WaitFor(ctx, e.Seq)
			_ = s.Log.WaitFor(ctx, e.Seq)
			cancel()
			http.Redirect(w, r, "/partnerships/"+url.PathEscape(slug)+"?recorded="+e.ID.String()+"#confirmation", http.StatusSeeOther)
			return
		}
		err = rerr
	}
	if err != nil {
		fe := fault.Of(err)
		if k := fault.KindOf(err); fe == nil || (k != fault.Malformed && k != fault.Rule) {
			s.fail(w, r, err)
			return
		}
		formSaid := maps.Clone(said)
		for _, fl := range fe.Fields {
			if formSaid[fl.Pointer] {
				continue
			}
			msg := fl.Message
			if fl.Event != "" {
				msg += " (conflicts with " + fl.Event + ")"
			}
			add(fl.Pointer, msg)
		}
	}
	p, err := s.recordPage(r, slug, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, http.StatusUnprocessableEntity, "record.html", p)
}

func (s *server) forbidden(w http.ResponseWriter, r *http.Request, u *user) {
	s.renderError(w, r, http.StatusForbidden, "Not allowed", "You are signed in as "+u.Actor+" with the "+u.Role+
		" role. Recording needs a recorder token: sign out and sign in with one.")
}
