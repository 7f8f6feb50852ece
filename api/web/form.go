package web

// The form engine: one form for every event type, generated from the event payload structs by
// reflection (as api/openapigen describes them), so no event type has a template of its own.
//
// Form field names are the JSON pointers of the command member they fill ("/effective_on",
// "/sources/0/title", "/data/amount_pence", "/data/shares/1/basis_points"); the reserved plain names
// are csrf, key, type and action. An element's id is "f" + the pointer with "/" written "-"
// ("f-data-amount_pence"), its hint ID+"-hint", its error ID+"-error". A problem at pointer P is shown
// beside the field named P or, when none, its nearest ancestor group (a fieldset with the same id
// rule); the error summary lists it as "Label: message" linked to #ID.
//
// The engine's Go API (frozen; package web's pages build on it):
//
//	type formField struct{ Name, Pointer, ID, Label, Full, Hint string; Kind fieldKind; Required bool;
//		Optional bool; Enum []string; Choices []choice; Min, Max int; Fields []formField; Rows []formField;
//		Value string; Checked []string; Over bool; Errs []string }
//	func (s *server) dataFields(typ, prefix string, st *projections.State, v url.Values) []formField
//	func memberField(typ, member, prefix string, st *projections.State, v url.Values) (formField, bool)
//	func readFields(fs []formField, v url.Values, add func(pointer, msg string)) map[string]any
//	func envelopeFields(v url.Values) []formField
//	func placeProblem(fs []formField, pointer, msg string) formProblem // with formErrors (correct.go) for the rules' problems
//	func applyAction(fs []formField, v url.Values, action string) bool
//	func (s *server) describe(typ string, fs []formField) // hints from Config.Schema (memberField's too)
//
// A list's rows are Rows (each a formField: a group for a struct element, a control for a scalar one,
// its Pointer the row's, "/data/shares/1"); a list of enum values or of the partnership's councils is
// one field of kind "checks" whose ticked values are Checked. Rows are added and removed by a round trip
// (applyAction, buttons name=action value="add:<list pointer>" or "remove:<row pointer>"), so the forms
// work without JavaScript. A list reads at most maxRows rows; a form naming a row beyond is refused
// (Over) without reading it.

import (
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/words"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/projections"
)

// fieldKind is the control a field gets.
type fieldKind string

const (
	kindText       fieldKind = "text"       // one line of text (limit name), or a uuid
	kindTextarea   fieldKind = "textarea"   // long text (limit text)
	kindDate       fieldKind = "date"       // a civil date, YYYY-MM-DD (type=date)
	kindMoney      fieldKind = "money"      // pounds and pence, read by domain.ParsePounds into pence
	kindPercent    fieldKind = "percent"    // a percentage, read by domain.ParsePercent into basis points
	kindCount      fieldKind = "count"      // a whole number
	kindYear       fieldKind = "year"       // a financial year by its start year (2015 or 2015/16)
	kindBool       fieldKind = "bool"       // a checkbox: ticked is true
	kindEnum       fieldKind = "enum"       // a select of the tag's (or the type's) values, in words
	kindCouncil    fieldKind = "council"    // a select of the partnership's councils
	kindChecks     fieldKind = "checks"     // checkboxes: a list of enum values or of councils
	kindGroup      fieldKind = "group"      // a fieldset of Fields (a struct)
	kindNewCouncil fieldKind = "newcouncil" // a council in full: slug (made from the name when blank), name, kind, ONS code
	kindList       fieldKind = "list"       // repeated Rows
	kindSame       fieldKind = "same"       // a date the rules require to equal effective_on: not asked, filled from it (a hidden input)
	kindMinute     fieldKind = "minute"     // a select of the partnership's recorded decisions: the value is the minute (a MinuteRef) as JSON
)

// maxRows is the most rows a list of a form reads (no event needs more: domain.MaxSources is smaller).
const maxRows = 50

// choice is one option of a select or checkbox group: the value sent and its words.
type choice struct{ Value, Text string }

// formField is one control, group or list of a generated form, with what was typed and the problems
// placed on it.
type formField struct {
	Name     string    // the JSON member ("amount_pence"); a row's is its index
	Pointer  string    // the JSON pointer and form name ("/data/amount_pence")
	ID       string    // the element id: "f" + Pointer with "/" as "-"
	Label    string    // the field's label ("Amount (£)")
	Full     string    // the label with its groups', for the error summary ("Share 2, Council")
	Hint     string    // the hint under the label, or ""
	Kind     fieldKind // the control
	Required bool      // the member is required (its json tag has neither omitempty nor omitzero)
	Optional bool      // a group left out of the JSON when every value in it is blank (a pointer member)
	Enum     []string  // the values an enum or checks field allows
	Choices  []choice  // the options of an enum, council or checks field
	Min, Max int       // a list's fewest and most rows (Max 0: maxRows)
	Fields   []formField
	Rows     []formField // a list's rows
	Value    string      // the text typed or chosen
	Checked  []string    // a checks field's ticked values
	Over     bool        // a list named a row beyond maxRows (or an index that is not one), or a checks field more than maxRows values
	Errs     []string    // the problems shown beside it
}

// formProblem is one problem for the error summary: the field it is placed on (ID "" when none)
// and its message, read as "Label: message".
type formProblem struct {
	ID, Label, Message string
}

// Text is the summary line: "Label: message", or the message alone.
func (p formProblem) Text() string {
	if p.Label == "" {
		return p.Message
	}
	return p.Label + ": " + p.Message
}

// CanAdd reports whether a list may take another row.
func (f formField) CanAdd() bool { return len(f.Rows) < f.maxRows() }

func (f formField) maxRows() int {
	if f.Max > 0 && f.Max < maxRows {
		return f.Max
	}
	return maxRows
}

// AddText is a list's Add button in words, naming its item: "Add another source", "Add a share",
// "Add an option".
func (f formField) AddText() string {
	noun := words.Lower(strings.TrimSuffix(f.Label, "s"))
	if len(f.Rows) > 0 {
		noun = words.Lower(strings.TrimRight(f.Rows[0].Label, " 0123456789"))
		return "Add another " + noun
	}
	if noun != "" && strings.ContainsRune("aeiou", rune(noun[0])) {
		return "Add an " + noun
	}
	return "Add a " + noun
}

// IsChecked reports whether a checks field has the value ticked.
func (f formField) IsChecked(v string) bool { return slices.Contains(f.Checked, v) }

// DateInput reports whether a date field is shown as type=date: when blank or a date a browser can
// show (a refused value such as 2016-02-30 is shown as text, so what was typed stays visible).
func (f formField) DateInput() bool {
	if f.Value == "" {
		return true
	}
	_, err := domain.ParseDate(f.Value)
	return err == nil
}

// fieldID is the element id of the field at pointer: "/data/amount_pence" → "f-data-amount_pence".
func fieldID(pointer string) string { return "f" + strings.ReplaceAll(pointer, "/", "-") }

// ---- specs: what reflection finds in a payload struct, cached per type ----

type spec struct {
	name     string
	kind     fieldKind
	required bool
	optional bool // a pointer to a struct or int: left out when blank
	enum     []string
	min, max int
	councils bool // a checks field of councils (a []CouncilRef)
	minute   bool // a group that is a domain.MinuteRef
	fields   []spec
	elem     *spec // a list's element
}

var specCache sync.Map // event type → []spec

var (
	typeDate        = reflect.TypeFor[domain.Date]()
	typePence       = reflect.TypeFor[domain.Pence]()
	typeBasisPoints = reflect.TypeFor[domain.BasisPoints]()
	typeYear        = reflect.TypeFor[domain.FinancialYear]()
	typeCouncilRef  = reflect.TypeFor[domain.CouncilRef]()
	typeCouncil     = reflect.TypeFor[domain.Council]()
	typeUUID        = reflect.TypeFor[uuid.UUID]()
	typeRaw         = reflect.TypeFor[json.RawMessage]()
	typeSourceRef   = reflect.TypeFor[domain.SourceRef]()
	typeMinuteRef   = reflect.TypeFor[domain.MinuteRef]()
)

// enumSchemer is a value type that lists its values (domain's JSONSchema methods).
type enumSchemer interface{ JSONSchema() map[string]any }

// specsOf returns the specs of a payload type's members, or nil for a type this build does not know.
func specsOf(typ string) []spec {
	if c, ok := specCache.Load(typ); ok {
		return c.([]spec)
	}
	p, err := domain.DecodePayload(typ, domain.CurrentSchema, []byte("{}"))
	if err != nil {
		return nil
	}
	sp := structSpecs(reflect.TypeOf(p))
	specCache.Store(typ, sp)
	return sp
}

func structSpecs(t reflect.Type) []spec {
	var out []spec
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() || sf.Tag.Get("stored") == "only" || sf.Type == typeRaw {
			continue
		}
		name, opts, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		sp := typeSpec(sf.Type, sf.Tag)
		sp.name = name
		sp.required = !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero")
		out = append(out, sp)
	}
	return out
}

func typeSpec(t reflect.Type, tag reflect.StructTag) spec {
	var sp spec
	if e := tag.Get("enum"); e != "" {
		sp.enum = strings.Split(e, ",")
	}
	sp.min, _ = strconv.Atoi(tag.Get("minItems"))
	sp.max, _ = strconv.Atoi(tag.Get("maxItems"))
	switch t {
	case typeDate:
		sp.kind = kindDate
		return sp
	case typePence:
		sp.kind = kindMoney
		return sp
	case typeBasisPoints:
		sp.kind = kindPercent
		return sp
	case typeYear:
		sp.kind = kindYear
		return sp
	case typeCouncilRef:
		sp.kind = kindCouncil
		return sp
	case typeCouncil:
		sp.kind = kindNewCouncil
		sp.fields = structSpecs(t)
		for i := range sp.fields {
			if sp.fields[i].name == "council" {
				sp.fields[i].kind = kindText // a new council's slug is typed (or made from its name), not chosen from the partners
			}
		}
		return sp
	case typeUUID:
		sp.kind = kindText
		return sp
	}
	switch t.Kind() {
	case reflect.Pointer:
		inner := typeSpec(t.Elem(), tag)
		inner.optional = true
		return inner
	case reflect.Slice:
		elem := typeSpec(t.Elem(), tag)
		elem.enum, elem.min, elem.max = sp.enum, 0, 0
		if t.Elem().Kind() == reflect.String && len(sp.enum) > 0 {
			sp.kind = kindChecks // a set of values: one checkbox each
			return sp
		}
		if t.Elem() == typeCouncilRef {
			sp.kind, sp.councils = kindChecks, true
			return sp
		}
		if sp.enum != nil {
			elem.enum = sp.enum
		}
		sp.enum = nil
		sp.kind, sp.elem = kindList, &elem
		return sp
	case reflect.Struct:
		sp.kind = kindGroup
		sp.fields = structSpecs(t)
		sp.minute = t == typeMinuteRef
		return sp
	case reflect.Bool:
		sp.kind = kindBool
		return sp
	case reflect.Int, reflect.Int64, reflect.Int32:
		sp.kind = kindCount
		return sp
	case reflect.String:
		if sp.enum == nil && t.Implements(reflect.TypeFor[enumSchemer]()) {
			if sc, ok := reflect.Zero(t).Interface().(enumSchemer); ok {
				values, _ := sc.JSONSchema()["enum"].([]any)
				for _, v := range values {
					if s, _ := v.(string); s != "s151" { // s151 is read as chief_finance_officer: offered once
						sp.enum = append(sp.enum, s)
					}
				}
			}
		}
		switch {
		case sp.enum != nil:
			sp.kind = kindEnum
		case tag.Get("limit") == "text" && !strings.Contains(tag.Get("json"), "url"):
			sp.kind = kindTextarea
		default:
			sp.kind = kindText
		}
		return sp
	}
	sp.kind = kindText
	return sp
}

// ---- building fields with their values ----

// builder instantiates specs at pointers, with the values of v and the partnership's choices.
type builder struct {
	st       *projections.State
	v        url.Values
	councils []choice
	typ      string                        // the event type whose data is built ("" for the envelope or a correction's member)
	rec      *domain.State                 // the partnership's record folded (recorded), nil when not read
	known    func(ons, name string) string // the slug of a council the ledger knows by ONS code or name, or ""
}

func newBuilder(st *projections.State, v url.Values) *builder {
	b := &builder{st: st, v: v}
	if st != nil {
		partners := st.Partners
		if st.Status.Value == projections.StatusDissolved {
			// A wind-down event names a council that was a partner when the partnership was dissolved.
			for _, p := range st.Former {
				if p.Until == st.Status.Since {
					partners = append(partners, p)
				}
			}
		}
		for _, p := range partners {
			name := p.Name
			if ref, err := domain.ParseCouncilRef(p.Council); name == "" && err == nil {
				name = st.Councils.Council(ref)
			}
			if name == "" {
				name = p.Council
			}
			b.councils = append(b.councils, choice{Value: p.Council, Text: name})
		}
	}
	return b
}

// dataFields returns the fields of an event type's data, named under prefix ("/data"), with the
// values v holds and the choices st offers (the partnership's councils; st nil: none). An unknown
// type has no fields.
func (s *server) dataFields(typ, prefix string, st *projections.State, v url.Values) []formField {
	b := newBuilder(st, v)
	b.typ, b.known = typ, s.knownCouncil
	if st != nil {
		b.rec = s.recorded(st.Partnership)
	}
	var out []formField
	for _, sp := range specsOf(typ) {
		out = append(out, b.field(sp, prefix+"/"+sp.name, prefix+"/"+sp.name, ""))
	}
	s.describe(typ, out)
	return out
}

// memberField returns the field of one top-level data member of an event type (a correction's
// control), named under prefix ("/data/data"), with the values of v; ok is false when the type has
// no such member.
func memberField(typ, member, prefix string, st *projections.State, v url.Values) (formField, bool) {
	b := newBuilder(st, v)
	for _, sp := range specsOf(typ) {
		if sp.name == member {
			return b.field(sp, prefix+"/"+sp.name, prefix+"/"+sp.name, ""), true
		}
	}
	return formField{}, false
}

// envelopeSpecs are the members every command has besides its data.
var envelopeSpecs = func() []spec {
	src := typeSpec(reflect.SliceOf(typeSourceRef), `minItems:"1"`)
	src.min = 1
	src.name, src.required = "sources", true
	eff := typeSpec(typeDate, "")
	eff.name, eff.required = "effective_on", true
	cert := typeSpec(reflect.TypeFor[domain.Certainty](), "")
	cert.name, cert.required = "certainty", true
	return []spec{eff, cert, src}
}()

// envelopeFields returns the fields of a command's envelope, with the values of v: effective_on,
// certainty (no default: a blank one is refused) and the sources (one row at first; every SourceRef
// member but the stored-only illustrative).
func envelopeFields(v url.Values) []formField {
	b := newBuilder(nil, v)
	var out []formField
	for _, sp := range envelopeSpecs {
		out = append(out, b.field(sp, "/"+sp.name, "/"+sp.name, ""))
	}
	pageHint("", out)
	return out
}

// field instantiates sp at pointer (its form name), reading its values from v at src (the pointer the
// browser sent: rows are renumbered from 0 when the form skipped an index). parent is the enclosing
// group's Full label.
func (b *builder) field(sp spec, pointer, src, parent string) formField {
	f := formField{Name: sp.name, Pointer: pointer, ID: fieldID(pointer), Kind: sp.kind, Required: sp.required,
		Optional: sp.optional, Enum: sp.enum, Min: sp.min, Max: sp.max}
	f.Label = label(sp)
	f.Full = f.Label
	if parent != "" {
		f.Full = parent + ", " + f.Label
	}
	f.Hint = hint(sp)
	if sp.optional && sp.kind == kindGroup && slices.ContainsFunc(sp.fields, func(m spec) bool { return m.kind == kindCount }) {
		f.Hint = "Optional: leave every count blank when not recorded; a count left blank among those given is read as 0."
	}
	if b.typ != "" && sameAsEffective[b.typ] == sp.name && pointer == "/data/"+sp.name {
		// Not asked twice: the rules require it to equal the event's effective date, so it is that date.
		f.Kind, f.Hint, f.Value = kindSame, "", b.v.Get("/effective_on")
		return f
	}
	switch sp.kind {
	case kindGroup, kindNewCouncil:
		for _, m := range sp.fields {
			f.Fields = append(f.Fields, b.field(m, pointer+"/"+m.name, src+"/"+m.name, f.Full))
		}
		if sp.kind == kindNewCouncil {
			b.matchCouncil(&f)
		}
		if sp.minute {
			for i := range f.Fields {
				if f.Fields[i].Name == "raw" {
					f.Fields[i].Required = false // made from the body, meeting and item when blank (minuteRaw)
					f.Fields[i].Hint = "As the council writes it, when it differs; left blank, it is made from the body, meeting and item, e.g. Cabinet 5 September 2016, item 12."
				}
			}
		}
	case kindList:
		if sp.elem.kind == kindGroup && sp.elem.minute && b.rec != nil {
			sp.elem = &spec{kind: kindMinute} // approvals cite recorded decisions: one select a row
		}
		idx, over := rowIndexes(b.v, src)
		f.Over = over
		if len(idx) == 0 {
			n := sp.min
			if n == 0 && sp.required {
				n = 1
			}
			if sp.name == "shares" || sp.name == "councils" && sp.elem.kind == kindGroup {
				n = max(n, len(b.councils)) // a share per partner to start with
			}
			for i := range n {
				idx = append(idx, -1-i) // a new row: no values
			}
		}
		noun := rowNoun(sp)
		for i, j := range idx {
			row := *sp.elem
			row.name = strconv.Itoa(i)
			rp, rs := pointer+"/"+strconv.Itoa(i), src+"/"+strconv.Itoa(j)
			r := b.field(row, rp, rs, "")
			r.Label = noun + " " + strconv.Itoa(i+1)
			r.Full = r.Label
			if parent != "" {
				r.Full = parent + ", " + r.Label
			}
			if row.kind != kindGroup && row.kind != kindNewCouncil {
				r.Hint = hint(*sp.elem)
			}
			relabel(&r)
			if j < 0 && row.kind == kindGroup && len(b.councils) > 0 && (sp.name == "shares" || sp.name == "councils") {
				// A fresh share row starts with the next partner chosen.
				for k := range r.Fields {
					if r.Fields[k].Kind == kindCouncil && i < len(b.councils) {
						r.Fields[k].Value = b.councils[i].Value
					}
				}
			}
			f.Rows = append(f.Rows, r)
		}
		if sp.name == "shares" {
			f.Hint = sharesHint(f)
		}
	case kindChecks:
		seen := map[string]bool{}
		for _, c := range b.v[src] {
			if c != "" && !seen[c] { // a box is ticked once
				if len(f.Checked) == maxRows {
					f.Over = true // more boxes than any form offers: not read
					break
				}
				seen[c] = true
				f.Checked = append(f.Checked, c)
			}
		}
		if sp.councils {
			f.Choices = slices.Clone(b.councils)
		} else {
			for _, e := range sp.enum {
				f.Choices = append(f.Choices, choice{Value: e, Text: enumText(sp.name, e)})
			}
		}
		for _, c := range f.Checked {
			if !slices.ContainsFunc(f.Choices, func(ch choice) bool { return ch.Value == c }) {
				f.Choices = append(f.Choices, choice{Value: c, Text: c}) // kept, to be refused by the rules
			}
		}
	case kindEnum:
		f.Value = b.v.Get(src)
		for _, e := range sp.enum {
			f.Choices = append(f.Choices, choice{Value: e, Text: enumText(sp.name, e)})
		}
		keepChoice(&f)
	case kindCouncil:
		f.Value = b.v.Get(src)
		f.Choices = slices.Clone(b.councils)
		keepChoice(&f)
	case kindMinute:
		f.Value = b.v.Get(src)
		if f.Value == "" {
			f.Value = minuteValue(b.v, src)
		}
		f.Choices = b.decisions()
		keepChoice(&f)
	default:
		f.Value = b.v.Get(src)
		if cs, ok := b.fromRecord(pointer); ok && sp.kind == kindText {
			f.Kind, f.Choices = kindEnum, cs
			keepChoice(&f)
			break
		}
		if sp.kind == kindText {
			for _, sug := range b.suggestions(pointer) {
				f.Choices = append(f.Choices, choice{Value: sug, Text: sug})
			}
		}
	}
	return f
}

// sameAsEffective are the data members the rules require to equal the event's effective_on
// (domain/doc.go: dates inside a payload that say when the event itself takes effect), by event type:
// the form does not ask for them but fills them from the effective date.
var sameAsEffective = map[string]string{
	domain.TypeJointAppointmentMade: "starts_on", domain.TypeCostShareAgreed: "applies_from",
	domain.TypeServiceMovedToSharedDelivery: "from",
}

// effectiveLabels are the effective date's label for a type whose data takes its date from it.
var effectiveLabels = map[string]string{
	domain.TypeJointAppointmentMade:         "Starts on (the date it takes effect)",
	domain.TypeCostShareAgreed:              "Applies from (the date it takes effect)",
	domain.TypeServiceMovedToSharedDelivery: "Shared from (the date it takes effect)",
}

// labelEffective gives the effective date of envelope fields env (envelopeFields) its label for
// type typ when the type's data takes its date from it ("Starts on (the date it takes effect)").
func labelEffective(typ string, env []formField) {
	if l, ok := effectiveLabels[typ]; ok && len(env) > 0 && env[0].Name == "effective_on" {
		env[0].Label, env[0].Full = l, l
	}
}

// suggestions are the values the partnership already knows for a text field at pointer, offered as
// the input's datalist (any other value may still be typed): officers and posts from its
// appointments, services from its services.
func (b *builder) suggestions(pointer string) []string {
	if b.st == nil {
		return nil
	}
	var out []string
	add := func(s string) {
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	switch {
	case strings.HasSuffix(pointer, "/officer/name"):
		for _, a := range b.st.Appointments {
			add(a.Officer)
		}
	case strings.HasSuffix(pointer, "/post"):
		for _, a := range b.st.Appointments {
			add(a.Post)
		}
	case strings.HasSuffix(pointer, "/service"):
		for _, sv := range b.st.Services {
			add(sv.Service)
		}
	}
	return out
}

// relabel gives a row's members their Full label under the row's.
func relabel(r *formField) {
	for i := range r.Fields {
		r.Fields[i].Full = r.Full + ", " + r.Fields[i].Label
		relabel(&r.Fields[i])
	}
}

// keepChoice adds a value sent that is not among the choices, so that it is shown as sent (and
// refused by the rules) rather than silently replaced.
func keepChoice(f *formField) {
	if f.Value != "" && !slices.ContainsFunc(f.Choices, func(c choice) bool { return c.Value == f.Value }) {
		f.Choices = append(f.Choices, choice{Value: f.Value, Text: f.Value})
	}
}

// rowIndexes returns the row indexes v names under the list at src ("/data/shares/3/council" names
// row 3), in order. over is true when v names a row at maxRows or beyond, or an index written other
// than as a decimal without leading zeros; those are not read.
func rowIndexes(v url.Values, src string) (idx []int, over bool) {
	seen := map[int]bool{}
	for k := range v {
		rest, ok := strings.CutPrefix(k, src+"/")
		if !ok {
			continue
		}
		seg, _, _ := strings.Cut(rest, "/")
		n, err := strconv.Atoi(seg)
		if err != nil || n < 0 || n >= maxRows || strconv.Itoa(n) != seg {
			over = true
			continue
		}
		if !seen[n] {
			seen[n] = true
			idx = append(idx, n)
		}
	}
	sort.Ints(idx)
	return idx, over
}

// shareSum adds up the percentages of a list's rows, in basis points; ok is false unless every
// row's percentage is typed and reads.
func shareSum(f formField) (sum int, ok bool) {
	for _, r := range f.Rows {
		for _, m := range r.Fields {
			if m.Kind != kindPercent {
				continue
			}
			bp, err := domain.ParsePercent(m.Value)
			if err != nil {
				return 0, false
			}
			sum += int(bp)
		}
	}
	return sum, len(f.Rows) > 0
}

// sharesHint says what the shares of a list add up to, when every share typed is a percentage.
func sharesHint(f formField) string {
	h := "Each partner's share as a percentage, e.g. 50 or 33.33; the shares must add up to 100%."
	if sum, ok := shareSum(f); ok {
		return h + " These add up to " + domain.BasisPoints(sum).String() + "."
	}
	return h
}

// labels are the members whose name reads badly in words.
var labels = map[string]string{
	"amount_pence": "Amount (£)", "basis_points": "Share (%)", "time_share_basis_points": "Share of time (%)",
	"ons_code": "ONS code", "sha256": "SHA-256 of the document", "url": "Web address", "raw": "Minute reference",
	"effective_on": "Date it takes effect", "financial_year": "Financial year", "notice_days": "Notice (days)",
	"reset_each_financial_year": "Worked out again each financial year", "key_decision": "Key decision",
	"call_in_applies": "Call-in applies", "staff_transferred": "Staff transferred (headcount)",
	"assumed": "Details assumed rather than read from the document", "for": "Votes for", "against": "Votes against",
	"item": "Item number", "sources": "Sources",
}

func label(sp spec) string {
	if l, ok := labels[sp.name]; ok {
		return l
	}
	return words.CorrectedField(sp.name)
}

// rowNouns name one row of a list.
var rowNouns = map[string]string{
	"authorised_by": "Minute", "approvals": "Approval", "sources": "Source", "partners": "Partner",
	"shares": "Share", "councils": "Council", "bodies": "Body", "projected_savings": "Projected saving",
	"one_off_costs": "One-off cost", "options": "Option", "scope": "Service area",
}

func rowNoun(sp spec) string {
	if n, ok := rowNouns[sp.name]; ok {
		return n
	}
	return strings.TrimSuffix(label(sp), "s")
}

// hint is the engine's own hint for a kind, saying how to write the value.
func hint(sp spec) string {
	switch sp.kind {
	case kindDate:
		return "A date, " + dateExample + "."
	case kindMoney:
		return "In pounds, e.g. 40000 or £40,000.50 (£ and commas are fine); a minus for a negative amount."
	case kindPercent:
		return "A percentage, e.g. 50 or 33.33 (at most two decimal places)."
	case kindYear:
		return "The year it starts: 2015 (or 2015/16) means April 2015 to March 2016."
	case kindCount:
		return "A whole number."
	case kindMinute:
		return "The decision that approved it, as recorded; record the decision first when it is not listed."
	case kindNewCouncil:
		return "The council in full: its name, kind and ONS code."
	}
	switch sp.name {
	case "council":
		if sp.kind == kindText {
			return shortNameHint
		}
	case "ons_code":
		return "A letter and 8 digits, e.g. E07000145."
	case "sha256":
		return "64 lowercase hexadecimal digits, when the document is held."
	case "url":
		return "A web address starting https:// or http://, e.g. https://www.north-norfolk.gov.uk/meetings."
	case "assumed":
		return "Tick each detail of this source that was assumed rather than read from the document."
	case "target":
		return "The id of the event, as shown on its page."
	}
	return ""
}

// enumText is an enum value in words for its member.
func enumText(member, v string) string {
	switch member {
	case "certainty":
		return words.Capital(words.CertaintyText(v))
	case "role", "statutory_role":
		return words.Capital(words.Role(domain.StatutoryRole(v)))
	case "reason":
		return words.Capital(words.Retraction(v))
	case "outcome":
		if slices.Contains([]string{domain.ReviewContinue, domain.ReviewMakePermanent, domain.ReviewExtend, domain.ReviewVary, domain.ReviewTerminate}, v) {
			return words.Capital(words.Outcome(v))
		}
	case "assumed":
		return labelOfMember(v)
	case "kind":
		if t, ok := agreementKinds[v]; ok {
			return t
		}
	}
	return words.Capital(words.Phrase(v))
}

// agreementKinds are the kinds of agreement in words.
var agreementKinds = map[string]string{
	domain.AgreementS113: "Section 113 agreement (officers shared, s113 LGA 1972)", domain.AgreementJointCommittee: "Joint committee",
	domain.AgreementInterAuthorityAgreement: "Inter-authority agreement", domain.AgreementSLA: "Service-level agreement",
}

func labelOfMember(name string) string { return label(spec{name: name}) }

// ---- reading a form into JSON values ----

var wholeNumber = regexp.MustCompile(`^-?[0-9]{1,18}$`)

// readFields reads the values of fs (as built from v) into the JSON members they fill: text as
// strings, money as whole pence (domain.ParsePounds), percentages as basis points
// (domain.ParsePercent), counts and years as integers, ticked boxes as booleans and lists. A blank
// value is left out (the rules say when it is required); a group marked Optional is left out when all
// of it is blank. A value that cannot be read (or fails the store's text rule,
// eventstore.TextProblem) is reported by add at its pointer and left out. A council in full with no
// slug gets one made from its name, which is written back into fs so the form shows it. It never
// panics, whatever v holds.
func readFields(fs []formField, v url.Values, add func(pointer, msg string)) map[string]any {
	out := map[string]any{}
	for i := range fs {
		if val, ok := readField(&fs[i], add); ok {
			out[fs[i].Name] = val
		}
	}
	return out
}

// pageTextProblem is the store's text rule (eventstore.TextProblem) for a value typed into a page,
// or "": bytes that are not UTF-8 are refused, and the value is rewritten with each such byte as
// U+FFFD so the page that answers is UTF-8 text; a U+FFFD (as that echo leaves it, or as a NUL byte
// comes back from a browser) is refused, so that sending the form again records nothing the person did
// not type.
func pageTextProblem(f *formField) string {
	if !utf8.ValidString(f.Value) {
		f.Value = strings.ToValidUTF8(f.Value, "\uFFFD")
		return "contains bytes that are not UTF-8 text"
	}
	if strings.ContainsRune(f.Value, utf8.RuneError) {
		return "contains a character that could not be read (U+FFFD); retype it"
	}
	return eventstore.TextProblem(f.Value)
}

func readField(f *formField, add func(pointer, msg string)) (any, bool) {
	switch f.Kind {
	case kindGroup, kindNewCouncil:
		if f.Kind == kindNewCouncil {
			deriveSlug(f)
		}
		minuteRaw(f)
		if f.Optional && blank(*f) {
			return nil, false
		}
		if f.Optional {
			// An optional group given in part (the votes: for and against, no abstentions): a blank
			// count in it is 0, as its hint says.
			for i := range f.Fields {
				if f.Fields[i].Kind == kindCount && f.Fields[i].Value == "" {
					f.Fields[i].Value = "0"
				}
			}
		}
		return readFields(f.Fields, nil, add), true
	case kindList:
		if f.Over {
			add(f.Pointer, "names a row beyond the form's "+strconv.Itoa(maxRows)+" rows; reload the form and enter the rows again")
			return nil, false
		}
		if len(f.Rows) == 0 {
			return nil, false
		}
		if f.Name == "shares" {
			if sum, ok := shareSum(*f); ok && sum != 10000 {
				// Said in percent, as typed (the rules say it in basis points).
				add(f.Pointer, "add up to "+domain.BasisPoints(sum).String()+"; they must add up to exactly 100%")
			}
		}
		arr := make([]any, 0, len(f.Rows))
		for i := range f.Rows {
			val, ok := readField(&f.Rows[i], add)
			if !ok {
				val = nil
				if f.Rows[i].Kind == kindGroup {
					val = map[string]any{}
				}
			}
			arr = append(arr, val)
		}
		return arr, true
	case kindChecks:
		if f.Over {
			add(f.Pointer, "has more boxes ticked than the form offers; reload the form and tick them again")
			return nil, false
		}
		if len(f.Checked) == 0 {
			return nil, false
		}
		arr := make([]any, 0, len(f.Checked))
		for _, c := range f.Choices { // in the order offered
			if f.IsChecked(c.Value) {
				if msg := eventstore.TextProblem(c.Value); msg != "" {
					add(f.Pointer, msg)
					return nil, false
				}
				arr = append(arr, c.Value)
			}
		}
		return arr, true
	case kindBool:
		return f.Value == "true", true
	case kindMinute:
		if f.Value == "" {
			return nil, false
		}
		var m map[string]any
		if json.Unmarshal([]byte(f.Value), &m) != nil {
			add(f.Pointer, "is not one of the recorded decisions offered; choose one")
			return nil, false
		}
		return m, true
	}
	if f.Value == "" {
		return nil, false
	}
	if msg := pageTextProblem(f); msg != "" {
		add(f.Pointer, msg)
		return nil, false
	}
	switch f.Kind {
	case kindMoney:
		t := formPounds(f.Value)
		p, err := domain.ParsePounds(t)
		if err != nil {
			if longPounds.MatchString(t) { // more than the 15 digits ParsePounds reads: out of range, not ill-written
				err = fmt.Errorf("must be within the largest amount the ledger accepts, ±%s", domain.MaxAmountPence)
			}
			add(f.Pointer, err.Error())
			return nil, false
		}
		if p == 0 && strings.HasPrefix(t, "-") {
			add(f.Pointer, "-0 is not an amount: write 0")
			return nil, false
		}
		return int64(p), true
	case kindPercent:
		bp, err := domain.ParsePercent(f.Value)
		if err != nil {
			add(f.Pointer, err.Error())
			return nil, false
		}
		return int(bp), true
	case kindCount:
		n, err := strconv.Atoi(f.Value)
		if err != nil || !wholeNumber.MatchString(f.Value) {
			add(f.Pointer, "must be a whole number written as digits, e.g. 90")
			return nil, false
		}
		if n < 0 && strings.Contains(f.Pointer, "/votes/") {
			add(f.Pointer, "must not be negative") // said beside the count (the rules say it of the votes)
			return nil, false
		}
		return n, true
	case kindYear:
		fy, err := domain.ParseFinancialYear(f.Value)
		if err != nil {
			add(f.Pointer, "must be a financial year by the year it starts, e.g. 2015 or 2015/16")
			return nil, false
		}
		return int(fy), true
	}
	return f.Value, true
}

// groupedPounds is an amount as a report writes it: an optional minus, an optional £, thousands
// grouped by commas (1,000 or 12,500.50, never 1,00 or 12,50), an optional point and pence.
var groupedPounds = regexp.MustCompile(`^(-?)£?([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(\.[0-9]{1,2})?$`)

// longPounds is pounds written as digits with more whole digits than domain.ParsePounds reads (15).
var longPounds = regexp.MustCompile(`^-?[0-9]{16,}(\.[0-9]{1,2})?$`)

// formPounds is a money field's text as domain.ParsePounds reads it: a leading £ (after any minus)
// and correctly grouped thousands commas are dropped ("£12,500.50" → "12500.50", "-£5" → "-5"); any
// other text is returned unchanged, for ParsePounds to refuse. The form's one normaliser of pounds:
// ParsePounds itself stays strict (the API's rule).
func formPounds(s string) string {
	t := strings.TrimSpace(s)
	m := groupedPounds.FindStringSubmatch(t)
	if m == nil {
		return s
	}
	return m[1] + strings.ReplaceAll(m[2], ",", "") + m[3]
}

// blank reports whether nothing was typed or chosen in f.
func blank(f formField) bool {
	if f.Value != "" || len(f.Checked) > 0 || len(f.Rows) > 0 {
		return false
	}
	for _, m := range f.Fields {
		if !blank(m) {
			return false
		}
	}
	return true
}

// member returns the field of group f for the member named name (its JSON name), or nil; it points
// into f.Fields, so a caller may change the field in place.
func (f *formField) member(name string) *formField {
	for i := range f.Fields {
		if f.Fields[i].Name == name {
			return &f.Fields[i]
		}
	}
	return nil
}

// minuteRaw fills a minute's blank reference (a group with body, meeting, item and raw) from its
// body, meeting and item as words.Minute writes them ("Cabinet 5 September 2016, item 12"), written
// back into f so the form shows it; nothing is filled while the body or the meeting date is blank or
// the date does not read.
func minuteRaw(f *formField) {
	body, meeting, item, raw := f.member("body"), f.member("meeting"), f.member("item"), f.member("raw")
	if body == nil || meeting == nil || item == nil || raw == nil || raw.Value != "" || body.Value == "" {
		return
	}
	on, err := domain.ParseDate(meeting.Value)
	if err != nil {
		return
	}
	raw.Value = words.Minute(domain.MinuteRef{Body: body.Value, Meeting: on, Item: item.Value})
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

// deriveSlug fills a council's blank slug from its name: "North Norfolk District Council" →
// "north-norfolk".
func deriveSlug(f *formField) {
	slug, name := f.member("council"), f.member("name")
	if slug == nil || name == nil || slug.Value != "" || name.Value == "" {
		return
	}
	s := strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(name.Value), "-"), "-")
	for _, suffix := range []string{"-district-council", "-borough-council", "-county-council", "-city-council", "-council"} {
		if t, ok := strings.CutSuffix(s, suffix); ok && t != "" {
			s = t
			break
		}
	}
	if len(s) > 64 {
		s = strings.TrimRight(s[:64], "-")
	}
	slug.Value = s
}

// ---- placing problems ----

// placeProblem puts msg beside the field named pointer or, when none, its nearest enclosing group,
// and returns the summary's line for it. A problem no field of fs holds is returned with the
// pointer's words as its label and no ID. msg is shown in the pages' words (forPeople).
func placeProblem(fs []formField, pointer, msg string) formProblem {
	if f := fieldAt(fs, pointer); f != nil && f.Kind == kindSame {
		if e := fieldAt(fs, "/effective_on"); e != nil && e.Pointer == "/effective_on" {
			if slices.Contains(e.Errs, words.Capital(forPeople(msg, fs))) {
				return formProblem{ID: e.ID, Label: e.Full, Message: forPeople(msg, fs)} // said beside the effective date already
			}
			return placeProblem(fs, "/effective_on", msg)
		}
	}
	msg = forPeople(msg, fs)
	if f := fieldAt(fs, pointer); f != nil {
		if msg == "is required (a whole number)" { // the rules' words for a blank amount or share
			switch f.Kind {
			case kindMoney:
				msg = "is required (pounds, e.g. 40000 or 40000.50)"
			case kindPercent:
				msg = "is required (a percentage, e.g. 50)"
			}
		}
		f.Errs = append(f.Errs, words.Capital(msg))
		return formProblem{ID: f.ID, Label: f.Full, Message: msg}
	}
	l := ""
	if seg := pointer[strings.LastIndex(pointer, "/")+1:]; seg != "" {
		l = labelOfMember(seg)
	}
	return formProblem{Label: l, Message: msg}
}

// inPageOrder sorts a form's summary ps in the order of the fields on the page (fss, each a run of
// fields in page order, depth first), stably; a problem with no field of fss (about the whole form)
// comes first.
func inPageOrder(ps []formProblem, fss ...[]formField) []formProblem {
	at := map[string]int{}
	var walk func(fs []formField)
	walk = func(fs []formField) {
		for _, f := range fs {
			if _, ok := at[f.ID]; !ok {
				at[f.ID] = len(at)
			}
			walk(f.Fields)
			walk(f.Rows)
		}
	}
	for _, fs := range fss {
		walk(fs)
	}
	pos := func(p formProblem) int {
		if i, ok := at[p.ID]; ok && p.ID != "" {
			return i
		}
		return -1
	}
	slices.SortStableFunc(ps, func(a, b formProblem) int { return pos(a) - pos(b) })
	return ps
}

// fieldAt returns the field named pointer, or the deepest field enclosing it, or nil.
func fieldAt(fs []formField, pointer string) *formField {
	for i := range fs {
		f := &fs[i]
		if f.Pointer == pointer {
			return f
		}
		if !strings.HasPrefix(pointer, f.Pointer+"/") {
			continue
		}
		if in := fieldAt(f.Fields, pointer); in != nil {
			return in
		}
		if in := fieldAt(f.Rows, pointer); in != nil {
			return in
		}
		return f
	}
	return nil
}

// ---- adding and removing rows ----

// applyAction carries out a form's add or remove button on v: "add:/data/shares" adds a blank row
// to that list, "remove:/data/shares/1" removes that row and renumbers the rows after it. It returns
// false when action names no list or row of fs (nothing is changed). fs must be built from v.
func applyAction(fs []formField, v url.Values, action string) bool {
	verb, pointer, _ := strings.Cut(action, ":")
	switch verb {
	case "add":
		f := fieldAt(fs, pointer)
		if f == nil || f.Pointer != pointer || f.Kind != kindList || !f.CanAdd() {
			return false
		}
		// The rows are renumbered from 0 as they are shown; write them back so, then add one.
		renumber(v, *f, -1)
		n := len(f.Rows)
		if len(f.Rows) == 0 || f.Rows[0].Kind != kindGroup && f.Rows[0].Kind != kindNewCouncil {
			v.Set(pointer+"/"+strconv.Itoa(n), "")
		} else {
			for _, m := range f.Rows[0].Fields {
				if m.Kind != kindChecks { // a blank value would show as a ticked box of its own
					v.Set(pointer+"/"+strconv.Itoa(n)+"/"+m.Name, "")
				}
			}
		}
		return true
	case "remove":
		cut := strings.LastIndex(pointer, "/")
		if cut <= 0 {
			return false
		}
		f := fieldAt(fs, pointer[:cut])
		i, err := strconv.Atoi(pointer[cut+1:])
		if f == nil || f.Pointer != pointer[:cut] || f.Kind != kindList || err != nil || i < 0 || i >= len(f.Rows) {
			return false
		}
		renumber(v, *f, i)
		return true
	}
	return false
}

// renumber writes the rows of list f back into v under indexes 0, 1, … in the order shown, leaving
// out row skip (-1: none).
func renumber(v url.Values, f formField, skip int) {
	rows := map[int]url.Values{}
	for k, vals := range v {
		if rest, ok := strings.CutPrefix(k, f.Pointer+"/"); ok {
			seg, tail, _ := strings.Cut(rest, "/")
			n, err := strconv.Atoi(seg)
			delete(v, k)
			if err != nil {
				continue
			}
			if rows[n] == nil {
				rows[n] = url.Values{}
			}
			if tail != "" {
				tail = "/" + tail
			}
			rows[n][tail] = vals
		}
	}
	idx, _ := rowIndexesOf(rows)
	j := 0
	for i, n := range idx {
		if i == skip {
			continue
		}
		for tail, vals := range rows[n] {
			v[f.Pointer+"/"+strconv.Itoa(j)+tail] = vals
		}
		j++
	}
}

func rowIndexesOf(rows map[int]url.Values) ([]int, bool) {
	var idx []int
	for n := range rows {
		if n >= 0 && n < maxRows {
			idx = append(idx, n)
		}
	}
	sort.Ints(idx)
	return idx, false
}

// ---- hints from the API's descriptions ----

// schemaDocs are the descriptions of the OpenAPI document's components (Config.Schema), by schema
// name: what each member of an event's data means, in the API's words.
type schemaDocs map[string]schemaObject

type schemaObject struct {
	Ref         string                  `json:"$ref"`
	Description string                  `json:"description"`
	Properties  map[string]schemaObject `json:"properties"`
	Items       *schemaObject           `json:"items"`
}

// parseSchemaDocs reads the components of an OpenAPI document; nil (no hints) when doc is empty or
// not one.
func parseSchemaDocs(doc []byte) schemaDocs {
	var d struct {
		Components struct {
			Schemas schemaDocs `json:"schemas"`
		} `json:"components"`
	}
	if len(doc) == 0 || json.Unmarshal(doc, &d) != nil {
		return nil
	}
	return d.Components.Schemas
}

// resolve follows a $ref to the schema it names.
func (d schemaDocs) resolve(o schemaObject) schemaObject {
	if name, ok := strings.CutPrefix(o.Ref, "#/components/schemas/"); ok {
		return d[name]
	}
	return o
}

// describe gives the fields of type typ's data (as dataFields or memberField built them) the API's
// description of their member as their hint ("The first day the split applies."), except where the
// engine's own hint says how to write the value (money, percentages, financial years, the shares).
func (s *server) describe(typ string, fs []formField) {
	if s.docs != nil {
		s.docs.describeFields(fs, s.docs[typ+"V"+strconv.Itoa(domain.CurrentSchema)])
	}
	pageHint(typ, fs)
}

// dateExample is the example every date hint gives, written as people write dates (the date picker
// shows the browser's own format, so no hint spells one).
var dateExample = "e.g. " + domain.MustDate("2016-03-31").Long()

// shortNameHint is the hint of a council's (or partnership's) short name, typed when it is new.
const shortNameHint = "Optional: made from the name when left blank. Lowercase letters, digits and hyphens, e.g. north-norfolk."

// pageHints are the pages' own hints where the API's description (or the engine's hint by kind)
// speaks the API's names (member names, event types, slugs, true/false) or says nothing: the one
// table of the pages' hint overrides. A key is "Type.member" for a member of event type Type's data
// (at any depth, rows too), or ".member" for the envelope (effective date, certainty, sources).
var pageHints = map[string]string{
	".effective_on": "The date the event takes effect, e.g. the date of the decision or of the change. For example, " + dateExample[len("e.g. "):] + ".",
	// The envelope date of a correction or retraction is the day it is made (domain rule 10,
	// checkCorrectionDate); the corrected event's own date is a field a correction may replace.
	domain.TypeEventCorrected + ".effective_on": "The day the correction is made: usually today, and never after today. This is not the date of the event corrected: to change that, choose its “Date it takes effect” as the field to correct.",
	domain.TypeEventRetracted + ".effective_on": "The day the retraction is made: usually today, and never after today.",
	".certainty": words.Capital(words.CertaintyText(string(domain.Confirmed))) + ": read in minutes, a report or an agreement, no detail assumed. " +
		words.Capital(words.CertaintyText(string(domain.Reported))) + ": known from the press or another report only. " +
		words.Capital(words.CertaintyText(string(domain.Inferred))) + ": worked out from what is recorded, not stated by any source.",
	".title":     "The document's title as published, e.g. \"Cabinet minutes, 7 March 2016\".",
	".kind":      "What the document is. Minutes, reports and agreements are primary sources; a press report or a web page is secondary.",
	".publisher": "Who published the document, e.g. the council or the newspaper.",
	".locator":   "Where in the document the fact is: a page, paragraph or agenda item, e.g. \"item 7\" or \"page 12, paragraph 3\".",
	domain.TypeDecisionTaken + ".key_decision":                "Tick if it is a key decision (under executive arrangements).",
	domain.TypeDecisionTaken + ".call_in_applies":             "Tick if the decision may be called in before it takes effect.",
	domain.TypeCostShareAgreed + ".reset_each_financial_year": "Tick if the split is worked out again each financial year.",
	domain.TypeAgreementExecuted + ".reference":               "A short name for the agreement within the partnership; a later variation of it names it by this.",
	domain.TypeAppointmentEnded + ".reason":                   "Why it ended, e.g. resignation, notice given or the end of a fixed term.",
	domain.TypeJointAppointmentMade + ".starts_on":            "The first day in post: the same date as the date it takes effect, below.",
	domain.TypeReviewScheduled + ".review":                    "A short name for the review within the partnership; its outcomes name it by this.",
}

// pageHint puts pageHints' hints for event type typ ("" for the envelope) on fs, their groups and
// rows too; a council's short name typed (a council in full) gets shortNameHint.
func pageHint(typ string, fs []formField) {
	for i := range fs {
		f := &fs[i]
		if h, ok := pageHints[typ+"."+f.Name]; ok {
			f.Hint = h
		} else if f.Kind == kindText && f.Name == "council" {
			f.Hint = shortNameHint
		}
		pageHint(typ, f.Fields)
		for j := range f.Rows {
			pageHint(typ, f.Rows[j].Fields)
		}
	}
}

func (d schemaDocs) describeFields(fs []formField, obj schemaObject) {
	for i := range fs {
		f := &fs[i]
		prop, ok := obj.Properties[f.Name]
		if !ok {
			continue
		}
		switch f.Kind {
		case kindMoney, kindPercent, kindYear:
		case kindDate:
			if prop.Description != "" {
				f.Hint = sentence(prop.Description) + " For example, " + dateExample[len("e.g. "):] + "."
			}
		default:
			if prop.Description != "" && f.Name != "shares" {
				own := ""
				if strings.HasPrefix(f.Hint, "Optional: ") && f.Kind == kindGroup {
					own = " " + f.Hint // the engine's word on blank counts stays
				}
				f.Hint = sentence(prop.Description) + own
			}
		}
		child := d.resolve(prop)
		if prop.Items != nil {
			child = d.resolve(*prop.Items)
		}
		d.describeFields(f.Fields, child)
		for j := range f.Rows {
			d.describeFields(f.Rows[j].Fields, child)
		}
	}
}

// sentence is a description as a hint: "the first day the split applies" → "The first day the split
// applies."
func sentence(s string) string {
	s = words.Capital(strings.TrimSpace(s))
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}
