package words

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/partnership-ledger/ledger/domain"
)

// An event's data members in words: Data writes a payload's members, DataMember one member from its JSON
// (a correction's before and after), both as a Value, a tree the pages lay out (a list one item a
// line, a group member by member) and String writes on one line. This is the one wording of every
// data member: the event page, the correct page, the review packs' "What changed" and the banners of
// corrected events all use it, never a member's JSON or a stored slug.

// Value is a data member's value in words: Text; or a list of values (List), written on one line
// "A; B"; or a group of labelled members (Members), written "Label: value, Label: value". Event is
// set for a reference to another event (an EventCorrected's or EventRetracted's target): its id, with
// Text "event <id>", which pages replace by a link.
type Value struct {
	Text    string
	Event   string
	List    []Value
	Members []Member
}

// Member is one data member in words: its JSON name, its label (CorrectedField) and its value.
type Member struct {
	Name, Label string
	Value       Value
}

// String writes v on one line: a group as "Label: value, Label: value", a list's items separated by
// semicolons, text as it is.
func (v Value) String() string {
	switch {
	case v.Members != nil:
		parts := make([]string, len(v.Members))
		for i, m := range v.Members {
			parts[i] = m.Label + ": " + m.Value.String()
		}
		return strings.Join(parts, ", ")
	case v.List != nil:
		parts := make([]string, len(v.List))
		for i, x := range v.List {
			parts[i] = x.String()
		}
		return strings.Join(parts, "; ")
	}
	return v.Text
}

// Data writes the data members of a payload in words, in the order of its type's fields (its JSON
// order): optional members left empty and members kept only for stored events are left out. names
// gives councils' names; sources are the event's, for marking assumed minutes (MinuteCited). A nil
// payload has no members.
func Data(p domain.Payload, names Names, sources []domain.SourceRef) []Member {
	if p == nil {
		return nil
	}
	return writer{names, sources}.members(reflect.ValueOf(p))
}

// DataMember writes the value of the data member field of an event of type typ, given as JSON (a
// correction's before or after), in words as Data writes it. The member's Go type is its type's
// field; for typ "" (or a type without the member) it is the first correctable event type's member of
// that name the JSON reads as (an enumerated text only when it is one of its values). JSON no type
// reads is written by its shape: text, numbers, yes or no, and lists and groups item by item, never
// as JSON. Absent (nil or null) is NotRecorded.
func DataMember(typ, field string, v json.RawMessage, names Names, sources []domain.SourceRef) Value {
	if len(bytes.TrimSpace(v)) == 0 || string(bytes.TrimSpace(v)) == "null" {
		return Value{Text: NotRecorded}
	}
	w := writer{names, sources}
	for _, f := range memberFields(typ, field) {
		x := reflect.New(f.Type)
		if json.Unmarshal(v, x.Interface()) != nil {
			continue
		}
		if e := f.Tag.Get("enum"); e != "" && x.Elem().Kind() == reflect.String && !slices.Contains(strings.Split(e, ","), x.Elem().String()) {
			continue
		}
		return w.value(field, f.Tag, x.Elem())
	}
	return w.json(field, v)
}

// payloadTypes are the Go types of the event types' payloads, by type name.
var payloadTypes = sync.OnceValue(func() map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for _, typ := range domain.EventTypes() {
		if p, err := domain.DecodePayload(typ, domain.CurrentSchema, []byte("{}")); err == nil {
			out[typ] = reflect.TypeOf(p)
		}
	}
	return out
})

// memberFields returns the struct fields a member named field may be: typ's, or, when typ has none,
// those of every event type a correction may change (not corrections or retractions), in catalogue
// order.
func memberFields(typ, field string) []reflect.StructField {
	if t, ok := payloadTypes()[typ]; ok {
		if f, ok := fieldNamed(t, field); ok {
			return []reflect.StructField{f}
		}
	}
	var out []reflect.StructField
	for _, name := range domain.EventTypes() {
		if name == domain.TypeEventCorrected || name == domain.TypeEventRetracted {
			continue
		}
		if f, ok := fieldNamed(payloadTypes()[name], field); ok {
			out = append(out, f)
		}
	}
	return out
}

// fieldNamed is t's field whose JSON name is field.
func fieldNamed(t reflect.Type, field string) (reflect.StructField, bool) {
	if t == nil || t.Kind() != reflect.Struct {
		return reflect.StructField{}, false
	}
	for i := range t.NumField() {
		if f := t.Field(i); f.IsExported() && jsonName(f) == field {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// jsonName is a struct field's JSON member name ("" for one left out of JSON).
func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	switch {
	case name == "-":
		return ""
	case name == "":
		return f.Name
	}
	return name
}

// writer writes values in words with the councils' names and the event's sources.
type writer struct {
	names   Names
	sources []domain.SourceRef
}

// members writes the exported JSON members of a struct in order, each labelled by CorrectedField.
func (w writer) members(v reflect.Value) []Member {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return nil
	}
	var out []Member
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		name := jsonName(f)
		if !f.IsExported() || name == "" || f.Tag.Get("stored") == "only" {
			continue
		}
		_, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		fv := v.Field(i)
		if (strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero")) && fv.IsZero() {
			continue
		}
		if (fv.Kind() == reflect.Pointer || fv.Kind() == reflect.Interface) && fv.IsNil() {
			continue
		}
		out = append(out, Member{Name: name, Label: CorrectedField(name), Value: w.value(name, f.Tag, fv)})
	}
	return out
}

// identifiers are the data members that may hold an identifier chosen by the recorder (a post, a
// service, what a cost share is of, a review's name), written as a Phrase, as Event writes them, when
// they are one (no spaces): "chief-finance-officer" → "chief finance officer".
var identifiers = map[string]bool{"post": true, "service": true, "subject": true, "review": true}

// agreementKinds are the kinds of agreement (domain.AgreementExecuted.Kind) in words.
var agreementKinds = map[string]string{
	domain.AgreementS113:                    "section 113 agreement (officers shared, s113 LGA 1972)",
	domain.AgreementJointCommittee:          "joint committee",
	domain.AgreementInterAuthorityAgreement: "inter-authority agreement",
	domain.AgreementSLA:                     "service-level agreement",
}

// AgreementKind is a kind of agreement (domain.AgreementExecuted.Kind) in words: "s113" → "section
// 113 agreement (officers shared, s113 LGA 1972)", "sla" → "service-level agreement"; another value
// as a Phrase.
func AgreementKind(kind string) string {
	if k, ok := agreementKinds[kind]; ok {
		return k
	}
	return Phrase(kind)
}

// text writes a text member: an enumerated value in its words, an identifier as a Phrase, a text
// that is one slug-like word with underscores ("end_of_term") as a Phrase, any other as recorded;
// blank text is NotRecorded.
func text(name string, tag reflect.StructTag, s string) string {
	if strings.TrimSpace(s) == "" {
		return NotRecorded
	}
	if tag.Get("enum") != "" {
		switch name {
		case "outcome":
			if slices.Contains([]string{domain.ReviewContinue, domain.ReviewMakePermanent, domain.ReviewExtend, domain.ReviewVary, domain.ReviewTerminate}, s) {
				return Outcome(s)
			}
		case "kind":
			return AgreementKind(s)
		case "reason":
			return Retraction(s)
		}
		return Phrase(s)
	}
	if !strings.ContainsAny(s, " \t\n") && (identifiers[name] || strings.Contains(s, "_") && !strings.Contains(s, "/")) {
		return Phrase(s)
	}
	return s
}

// value writes one value in words.
func (w writer) value(name string, tag reflect.StructTag, v reflect.Value) Value {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return Value{Text: NotRecorded}
		}
		v = v.Elem()
	}
	switch x := v.Interface().(type) {
	case domain.Date:
		if x.IsZero() {
			return Value{Text: NotRecorded}
		}
		return Value{Text: x.Long()}
	case domain.Pence:
		return Value{Text: x.String()}
	case domain.BasisPoints:
		return Value{Text: x.String()}
	case domain.FinancialYear:
		return Value{Text: x.String()}
	case domain.CouncilRef:
		return Value{Text: w.names.Council(x)}
	case domain.Council:
		t := x.Name
		if t == "" {
			t = w.names.Council(x.Council)
		}
		detail := []string{Phrase(string(x.Kind)) + " council"}
		if x.ONSCode != "" {
			detail = append(detail, "ONS code "+x.ONSCode)
		}
		return Value{Text: t + " (" + strings.Join(detail, ", ") + ")"}
	case domain.CouncilKind:
		return Value{Text: Phrase(string(x)) + " council"}
	case domain.StatutoryRole:
		return Value{Text: Role(x)}
	case domain.Certainty:
		return Value{Text: CertaintyText(string(x))}
	case domain.SourceKind:
		if k := sourceKinds[x]; k != "" {
			return Value{Text: Lower(k)}
		}
		return Value{Text: Phrase(string(x))}
	case domain.MinuteRef:
		return Value{Text: MinuteCited(x, w.sources) + ", " + w.names.Council(x.Council)}
	case domain.BodyRef:
		return Value{Text: x.Body + " of " + w.names.Council(x.Council)}
	case domain.Officer:
		return Value{Text: x.Name}
	case domain.SourceRef:
		return Value{Text: Source(x)}
	case json.RawMessage:
		return w.json(name, x)
	case fmt.Stringer:
		if v.Kind() == reflect.Array && v.Len() == 16 { // an event's id (uuid.UUID): another event
			return Value{Text: "event " + x.String(), Event: x.String()}
		}
	}
	switch v.Kind() {
	case reflect.Struct:
		switch v.Interface().(type) {
		case json.Marshaler, encoding.TextMarshaler:
			b, err := json.Marshal(v.Interface())
			if err == nil {
				return w.json(name, b)
			}
			return Value{Text: NotRecorded}
		}
		ms := w.members(v)
		if len(ms) == 1 {
			return ms[0].Value
		}
		return Value{Members: ms}
	case reflect.Slice, reflect.Array:
		if v.Len() == 0 {
			return Value{Text: "none"}
		}
		items := make([]Value, v.Len())
		for i := range v.Len() {
			items[i] = w.value(name, tag, v.Index(i))
		}
		return list(items)
	case reflect.String:
		return Value{Text: text(name, tag, v.String())}
	case reflect.Bool:
		return Value{Text: yesNo(v.Bool())}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return Value{Text: count(name, v.Int())}
	}
	return Value{Text: fmt.Sprint(v.Interface())}
}

// list is items as one value: plain texts (none with a comma of its own) joined with JoinAnd, "A, B
// and C"; otherwise a list, one item a line.
func list(items []Value) Value {
	plain := make([]string, len(items))
	for i, it := range items {
		if it.Event != "" || it.List != nil || it.Members != nil || strings.Contains(it.Text, ", ") {
			return Value{List: items}
		}
		plain[i] = it.Text
	}
	return Value{Text: JoinAnd(plain)}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// count writes a whole number of a member: days for a notice period ("90 days"), a financial year as
// "2015/16", an amount in a member ending _pence as money, a share in basis points as a percentage,
// other counts in digits.
func count(name string, n int64) string {
	switch {
	case name == "financial_year":
		return domain.FinancialYear(n).String()
	case strings.HasSuffix(name, "_pence"):
		return domain.Pence(n).String()
	case strings.HasSuffix(name, "basis_points"):
		return domain.BasisPoints(n).String()
	case strings.HasSuffix(name, "_days"):
		return Count(int(n), "day", "days")
	}
	return strconv.FormatInt(n, 10)
}

// json writes JSON that no Go type read, by its shape: text as a date, a council's name or text;
// numbers as count writes them; true and false as yes and no; an object's members by name (Member,
// labelled by CorrectedField, in name order); an array item by item.
func (w writer) json(name string, v json.RawMessage) Value {
	var x any
	d := json.NewDecoder(bytes.NewReader(v))
	d.UseNumber()
	if d.Decode(&x) != nil {
		return Value{Text: NotRecorded}
	}
	switch t := x.(type) {
	case nil:
		return Value{Text: NotRecorded}
	case string:
		if dt, err := domain.ParseDate(t); err == nil {
			return Value{Text: dt.Long()}
		}
		if c, err := domain.ParseCouncilRef(t); err == nil && w.names[c] != "" {
			return Value{Text: w.names[c]}
		}
		return Value{Text: text(name, "", t)}
	case bool:
		return Value{Text: yesNo(t)}
	case json.Number:
		if n, err := t.Int64(); err == nil {
			return Value{Text: count(name, n)}
		}
		return Value{Text: t.String()}
	case []any:
		if len(t) == 0 {
			return Value{Text: "none"}
		}
		var raws []json.RawMessage
		_ = json.Unmarshal(v, &raws)
		items := make([]Value, len(raws))
		for i, r := range raws {
			items[i] = w.json(name, r)
		}
		return list(items)
	case map[string]any:
		var raws map[string]json.RawMessage
		_ = json.Unmarshal(v, &raws)
		keys := make([]string, 0, len(raws))
		for k := range raws {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		ms := make([]Member, len(keys))
		for i, k := range keys {
			ms[i] = Member{Name: k, Label: CorrectedField(k), Value: DataMember("", k, raws[k], w.names, w.sources)}
		}
		if len(ms) == 0 {
			return Value{Text: "none"}
		}
		return Value{Members: ms}
	}
	return Value{Text: NotRecorded}
}
