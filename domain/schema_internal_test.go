package domain

import (
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// problemAt returns the messages of p's problems at field.
func problemAt(p *problems, field string) []string {
	var out []string
	for _, q := range p.list {
		if q.Field == field {
			out = append(out, q.Message)
		}
	}
	return out
}

// TestEnumTagsMatchDecide holds every `enum` tag of a payload field (the values the JSON Schema and
// docs/events.md list) equal to the values Decide's rules (check) accept: each listed value passes, a
// value not listed is refused, and an empty field is refused naming exactly the listed values.
func TestEnumTagsMatchDecide(t *testing.T) {
	found := 0
	for _, typ := range EventTypes() {
		rt := reflect.TypeOf(deref(newPayload(typ)))
		for i := 0; i < rt.NumField(); i++ {
			f := rt.Field(i)
			tag, ok := f.Tag.Lookup("enum")
			if !ok {
				continue
			}
			found++
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			at := "/data/" + name
			run := func(value string) []string {
				pl := newPayload(typ)
				reflect.ValueOf(pl).Elem().Field(i).SetString(value)
				var p problems
				deref(pl).check(&p)
				return problemAt(&p, at)
			}
			values := strings.Split(tag, ",")
			for _, v := range values {
				assert.Empty(t, run(v), "%s %s: %q is in the enum tag but Decide refuses it", typ, at, v)
			}
			assert.NotEmpty(t, run("not-a-listed-value"), "%s %s: a value outside the tag passes Decide", typ, at)
			msgs := run("")
			require.Len(t, msgs, 1, "%s %s: an empty value", typ, at)
			assert.Equal(t, "is required (one of "+strings.Join(values, ", ")+")", msgs[0],
				"%s %s: the enum tag lists what Decide accepts, in its order", typ, at)
		}
	}
	assert.Equal(t, 7, found, "the free-text enumerations of the catalogue each carry an enum tag")
}
