package domain

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/partnership-ledger/ledger/eventstore"
)

// Limits on new commands. They are declared once: text limits by a `limit` tag on each text field of
// the payload and envelope types ("name" or "text"), counts by a `limit:"count"` tag on each whole-number
// field, amounts and dates by their types (Pence, Date).
// Decide applies them to every new command and correction; events already stored are never checked
// against them, so a limit never makes a recorded event unreadable. Schema generators read the same
// declarations through FieldLimit.
const (
	// MaxNameRunes bounds names, titles, categories, slugs-as-text and references ("name" fields), in
	// Unicode code points.
	MaxNameRunes = 200
	// MaxTextRunes bounds free text: purposes, notes, reasons, resolutions, rationales, URLs ("text").
	MaxTextRunes = 4000
	// MaxCount bounds every count (`limit:"count"`: votes for, against and abstaining, notice days,
	// staff transferred): at most 100,000. A council has at most a few hundred members and a shared
	// service a few thousand staff, so a larger count is a mistake, and this keeps every count and any
	// sum of a few far below 2^53, where a JSON reader using doubles stays exact.
	MaxCount = 100_000
	// MaxSources bounds the sources of one command (its envelope's, and a correction's new ones): at
	// most 32. Each source's text is bounded by its limit tags, so a command's sources are at most
	// about 600 KB: with MaxDataBytes of data, the event stays under eventstore.MaxEventBytes.
	MaxSources = 32
	// MaxAmountPence bounds every amount in a new command: ±£100bn, in pence.
	MaxAmountPence Pence = 100_000_000_000 * 100
	// MaxMoneyPence bounds the sum of the magnitudes of every amount in effect in one partnership:
	// 2^53 pence, the largest integer a JSON reader using doubles keeps exactly. Every total a read
	// model shows (a council's target, forecast, outturn, one-off costs, net and net against target in
	// a financial year, and any sum of those) adds or subtracts each amount at most once, so its
	// magnitude is at most this sum: no total can overflow an int64 or lose precision in JSON.
	MaxMoneyPence int64 = 1 << 53
)

// MinCommandDate and MaxCommandDate bound every date in a new command (effective_on, payload dates,
// source publication dates), both ends included.
var (
	MinCommandDate = Date{v: 1900_01_01}
	MaxCommandDate = Date{v: 2199_12_31}
)

// FieldLimit returns a field's limit in a new command, from its `limit` tag: for a text field (string
// or []string) the most Unicode code points it may hold, MaxNameRunes for "name" and MaxTextRunes for
// "text"; for a whole-number field (int or *int) the largest value, MaxCount for "count". ok is false
// for a field without a limit tag.
func FieldLimit(f reflect.StructField) (limit int, ok bool) {
	switch f.Tag.Get("limit") {
	case "name":
		return MaxNameRunes, true
	case "text":
		return MaxTextRunes, true
	case "count":
		return MaxCount, true
	}
	return 0, false
}

var (
	pencePtr = reflect.TypeFor[Pence]()
	dateType = reflect.TypeFor[Date]()
)

// limitField is one field of a struct the limit walker visits.
type limitField struct {
	index    int
	name     string // JSON name
	maxRunes int    // for text, or the largest value of a count; 0 otherwise
}

var limitPlans sync.Map // reflect.Type -> []limitField

func limitPlan(t reflect.Type) []limitField {
	if plan, ok := limitPlans.Load(t); ok {
		return plan.([]limitField)
	}
	var plan []limitField
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		n, _ := FieldLimit(f)
		plan = append(plan, limitField{index: i, name: name, maxRunes: n})
	}
	limitPlans.Store(t, plan)
	return plan
}

// checkLimits adds a problem for every text longer than its declared limit, every count above its
// declared limit, every amount beyond
// ±MaxAmountPence and every date outside MinCommandDate–MaxCommandDate in v, whose JSON pointer is at.
func checkLimits(v reflect.Value, at string, maxRunes int, p *problems) {
	w := limitWalker{p: p, at: at}
	w.walk(v, maxRunes)
}

// limitWalker walks a value for checkLimits, keeping the path as segments and writing a pointer
// only for a problem: the record path checks every command, and most have none.
type limitWalker struct {
	p    *problems
	at   string
	path []pathStep
}

type pathStep struct {
	name  string
	index int // when name is ""
}

func (w *limitWalker) pointer() string {
	var b strings.Builder
	b.WriteString(w.at)
	for _, s := range w.path {
		b.WriteByte('/')
		if s.name != "" {
			b.WriteString(s.name)
		} else {
			b.WriteString(strconv.Itoa(s.index))
		}
	}
	return b.String()
}

func (w *limitWalker) walk(v reflect.Value, maxRunes int) {
	switch v.Type() {
	case pencePtr:
		if n := Pence(v.Int()); n > MaxAmountPence || n < -MaxAmountPence {
			w.p.addf(w.pointer(), "%d pence (%s) is beyond the largest amount the ledger accepts, ±%d pence (±%s)", int64(n), n,
				int64(MaxAmountPence), MaxAmountPence)
		}
		return
	case dateType:
		if d := v.Interface().(Date); !d.IsZero() && (d.Before(MinCommandDate) || d.After(MaxCommandDate)) {
			checkDateLimit(w.p, w.pointer(), d)
		}
		return
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			w.walk(v.Elem(), maxRunes)
		}
	case reflect.Struct:
		if reflect.PointerTo(v.Type()).Implements(textUnmarshaler) {
			return // a slug or an enumeration, validated when parsed
		}
		for _, f := range limitPlan(v.Type()) {
			w.path = append(w.path, pathStep{name: f.name})
			w.walk(v.Field(f.index), f.maxRunes)
			w.path = w.path[:len(w.path)-1]
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return // raw JSON or an id
		}
		for i := 0; i < v.Len(); i++ {
			w.path = append(w.path, pathStep{index: i})
			w.walk(v.Index(i), maxRunes)
			w.path = w.path[:len(w.path)-1]
		}
	case reflect.Int:
		if n := v.Int(); maxRunes > 0 && n > int64(maxRunes) {
			w.p.addf(w.pointer(), "%d is more than the largest count the ledger accepts, %d", n, maxRunes)
		}
	case reflect.String:
		if msg := TextLimitProblem(v.String(), maxRunes); msg != "" {
			w.p.add(w.pointer(), msg) // the rule: text that did not come through the gate (a form, a flag)
		}
	}
}

// TextLimitProblem returns what is wrong with s as the text of a field limited to maxRunes Unicode
// code points (MaxNameRunes, MaxTextRunes, or 0 for no limit), or "" when nothing is: first the text
// rule (eventstore.TextProblem: valid UTF-8 without controls but tab, line feed and carriage return,
// nor bidirectional controls), then the length in code points. It is the one check of a single text
// value against the rule and a limit, for commands, query parameters, flags and headers alike.
func TextLimitProblem(s string, maxRunes int) string {
	if msg := eventstore.TextProblem(s); msg != "" {
		return msg
	}
	if maxRunes > 0 && len(s) > maxRunes { // fewer bytes than the limit cannot be more code points
		if n := utf8.RuneCountInString(s); n > maxRunes {
			kind := "names, titles and categories"
			if maxRunes == MaxTextRunes {
				kind = "free text"
			}
			return fmt.Sprintf("is %d characters long; the limit for %s is %d", n, kind, maxRunes)
		}
	}
	return ""
}

// checkDateLimit adds a problem when d is outside MinCommandDate–MaxCommandDate.
func checkDateLimit(p *problems, at string, d Date) {
	if msg := DateLimitProblem(d); msg != "" {
		p.addf(at, "%s", msg)
	}
}

// DateLimitProblem says, for people, why d is outside the dates the ledger accepts in a command or an
// option (MinCommandDate to MaxCommandDate): "1066-01-01 is outside the dates the ledger accepts
// (1900-01-01 to 2199-12-31)"; "" when it is inside.
func DateLimitProblem(d Date) string {
	if d.Before(MinCommandDate) || d.After(MaxCommandDate) {
		return fmt.Sprintf("%s is outside the dates the ledger accepts (%s to %s)", d, MinCommandDate, MaxCommandDate)
	}
	return ""
}

// checkNew adds the problems a new payload has on its own: its rules (check) and the limits.
func checkNew(pl Payload, p *problems) {
	pl.check(p)
	checkLimits(reflect.ValueOf(pl), "/data", 0, p)
}
