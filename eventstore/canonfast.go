package eventstore

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// canonicalizer is a single-pass RFC 8785 canonicaliser over bytes: it validates the JSON text as it
// goes and writes the canonical form, without building a token stream.
type canonicalizer struct {
	in  []byte
	pos int
	out []byte
	// text turns on the gate's rules for text (Gate): no control characters but tab, LF and CR, no
	// bidi override or isolate controls, in member names and string values.
	text bool
	path []pathSeg // where the scanner is, for the JSON pointer of an error
}

// pathSeg is one step of a JSON pointer: a member name, or an array index when key is unset.
type pathSeg struct {
	key   []byte
	index int
	isKey bool
}

// pointer returns the RFC 6901 JSON pointer of the scanner's position ("" for the whole document).
func (c *canonicalizer) pointer() string {
	var b strings.Builder
	for _, s := range c.path {
		b.WriteByte('/')
		if s.isKey {
			b.WriteString(strings.NewReplacer("~", "~0", "/", "~1").Replace(string(s.key)))
		} else {
			b.WriteString(strconv.Itoa(s.index))
		}
	}
	return b.String()
}

// fail returns a *JSONError at the scanner's position.
func (c *canonicalizer) fail(reason string) error {
	return &JSONError{Pointer: c.pointer(), Offset: c.pos, Reason: reason}
}

func (c *canonicalizer) skipSpace() {
	for c.pos < len(c.in) {
		switch c.in[c.pos] {
		case ' ', '\t', '\n', '\r':
			c.pos++
		default:
			return
		}
	}
}

func (c *canonicalizer) errf(format string, args ...any) error {
	return c.fail(fmt.Sprintf(format, args...))
}

func (c *canonicalizer) value(depth int) error {
	if depth > maxDepth {
		return c.fail("nested too deeply")
	}
	if c.pos >= len(c.in) {
		return c.fail(endsEarly)
	}
	switch b := c.in[c.pos]; {
	case b == '{':
		return c.object(depth)
	case b == '[':
		return c.array(depth)
	case b == '"':
		s, err := c.str()
		if err != nil {
			return err
		}
		c.out = appendCanonString(c.out, s)
		return nil
	case b == 't':
		return c.literal("true")
	case b == 'f':
		return c.literal("false")
	case b == 'n':
		return c.literal("null")
	case b == '-' || (b >= '0' && b <= '9'):
		return c.number()
	default:
		return c.errf("unexpected %q", b)
	}
}

func (c *canonicalizer) literal(lit string) error {
	if !strings.HasPrefix(string(c.in[c.pos:min(len(c.in), c.pos+len(lit))]), lit) {
		return c.errf("invalid literal")
	}
	c.pos += len(lit)
	c.out = append(c.out, lit...)
	return nil
}

func (c *canonicalizer) array(depth int) error {
	c.pos++ // [
	c.out = append(c.out, '[')
	c.skipSpace()
	if c.pos < len(c.in) && c.in[c.pos] == ']' {
		c.pos++
		c.out = append(c.out, ']')
		return nil
	}
	c.path = append(c.path, pathSeg{})
	for i := 0; ; i++ {
		c.path[len(c.path)-1].index = i
		c.skipSpace()
		if err := c.value(depth + 1); err != nil {
			return err
		}
		c.skipSpace()
		if c.pos >= len(c.in) {
			return c.fail(endsEarly)
		}
		switch c.in[c.pos] {
		case ',':
			c.pos++
			c.out = append(c.out, ',')
		case ']':
			c.pos++
			c.out = append(c.out, ']')
			c.path = c.path[:len(c.path)-1]
			return nil
		default:
			return c.errf("want , or ] in an array")
		}
	}
}

type fastMember struct {
	key        []byte // the decoded name: a slice of the input, or of its own buffer when escaped
	start, end int    // the member's canonical value in the object's scratch output
}

func (c *canonicalizer) object(depth int) error {
	c.pos++ // {
	c.skipSpace()
	if c.pos < len(c.in) && c.in[c.pos] == '}' {
		c.pos++
		c.out = append(c.out, '{', '}')
		return nil
	}
	// Values are written after the current output, then moved into key order.
	base := len(c.out)
	var members []fastMember
	for {
		c.skipSpace()
		if c.pos >= len(c.in) {
			return c.fail(endsEarly)
		}
		if c.in[c.pos] != '"' {
			return c.errf("object key is not a string")
		}
		keyAt := c.pos
		key, err := c.str()
		if err != nil {
			return err
		}
		c.path = append(c.path, pathSeg{key: key, isKey: true})
		for _, m := range members {
			if bytes.Equal(m.key, key) {
				c.pos = keyAt
				return c.fail(fmt.Sprintf("repeated member name %q (each name may appear once in an object)", key))
			}
		}
		c.skipSpace()
		if c.pos >= len(c.in) || c.in[c.pos] != ':' {
			return c.errf("want : after an object key")
		}
		c.pos++
		c.skipSpace()
		start := len(c.out)
		if err := c.value(depth + 1); err != nil {
			return err
		}
		c.path = c.path[:len(c.path)-1]
		members = append(members, fastMember{key: key, start: start, end: len(c.out)})
		c.skipSpace()
		if c.pos >= len(c.in) {
			return c.fail(endsEarly)
		}
		if c.in[c.pos] == ',' {
			c.pos++
			continue
		}
		if c.in[c.pos] != '}' {
			return c.errf("want , or } in an object")
		}
		c.pos++
		break
	}
	slices.SortFunc(members, func(a, b fastMember) int { return compareKeys(a.key, b.key) })
	values := slices.Clone(c.out[base:])
	c.out = append(c.out[:base], '{')
	for i, m := range members {
		if i > 0 {
			c.out = append(c.out, ',')
		}
		c.out = appendCanonString(c.out, m.key)
		c.out = append(c.out, ':')
		c.out = append(c.out, values[m.start-base:m.end-base]...)
	}
	c.out = append(c.out, '}')
	return nil
}

// compareKeys orders member names by UTF-16 code units; for ASCII that is byte order.
func compareKeys(a, b []byte) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] >= utf8.RuneSelf || b[i] >= utf8.RuneSelf {
			return slices.Compare(utf16.Encode([]rune(string(a))), utf16.Encode([]rune(string(b))))
		}
		if a[i] != b[i] {
			return int(a[i]) - int(b[i])
		}
	}
	return len(a) - len(b)
}

// str reads a JSON string at c.pos and returns its value: a slice of the input when the string has
// no escapes (no copy), else a new buffer.
func (c *canonicalizer) str() ([]byte, error) {
	c.pos++ // opening quote
	start := c.pos
	// Fast path: no escapes, all printable.
	for c.pos < len(c.in) {
		b := c.in[c.pos]
		if b == '"' {
			s := c.in[start:c.pos]
			if !utf8.Valid(s) {
				return nil, c.fail("invalid UTF-8 in a string")
			}
			if c.text {
				if err := c.checkText(s); err != nil {
					return nil, err
				}
			}
			c.pos++
			return s, nil
		}
		if b == '\\' || b < 0x20 {
			break
		}
		c.pos++
	}
	var sb []byte
	sb = append(sb, c.in[start:c.pos]...)
	for c.pos < len(c.in) {
		b := c.in[c.pos]
		switch {
		case b == '"':
			if !utf8.Valid(sb) {
				return nil, c.fail("invalid UTF-8 in a string")
			}
			if c.text {
				if err := c.checkText(sb); err != nil {
					return nil, err
				}
			}
			c.pos++
			return sb, nil
		case b < 0x20:
			return nil, c.errf("raw control character U+%04X in a string (JSON needs it escaped, and text may not hold it)", b)
		case b == '\\':
			if c.pos+1 >= len(c.in) {
				return nil, c.fail(endsEarly)
			}
			esc := c.in[c.pos+1]
			c.pos += 2
			switch esc {
			case '"', '\\', '/':
				sb = append(sb, esc)
			case 'b':
				sb = append(sb, '\b')
			case 'f':
				sb = append(sb, '\f')
			case 'n':
				sb = append(sb, '\n')
			case 'r':
				sb = append(sb, '\r')
			case 't':
				sb = append(sb, '\t')
			case 'u':
				r, err := c.hex4()
				if err != nil {
					return nil, err
				}
				if utf16.IsSurrogate(r) {
					if c.pos+6 > len(c.in) || c.in[c.pos] != '\\' || c.in[c.pos+1] != 'u' {
						return nil, c.errf("lone surrogate \\u%04x", r)
					}
					c.pos += 2
					r2, err := c.hex4()
					if err != nil {
						return nil, err
					}
					if r = utf16.DecodeRune(r, r2); r == utf8.RuneError {
						return nil, c.errf("invalid surrogate pair")
					}
				}
				sb = utf8.AppendRune(sb, r)
			default:
				return nil, c.errf("invalid escape \\%c", esc)
			}
		default:
			sb = append(sb, b)
			c.pos++
		}
	}
	return nil, c.fail(endsEarly)
}

// checkText applies the gate's rules for text to one decoded, valid UTF-8 string (see TextProblem).
func (c *canonicalizer) checkText(s []byte) error {
	if msg := textProblem(s); msg != "" {
		return c.fail(msg)
	}
	return nil
}

// TextProblem returns what is wrong with s as text the ledger keeps, or "" when nothing is: it refuses
// invalid UTF-8, control characters other than tab, LF and CR (C0 U+0000–U+001F, DEL U+007F and C1
// U+0080–U+009F) and the bidi override and isolate controls (U+202A–U+202E, U+2066–U+2069), which can make
// a text display as something it does not say (CVE-2021-42574, "Trojan Source"). It is the text rule of
// Gate, for strings that do not arrive as JSON (command-line flags, envelope fields).
func TextProblem(s string) string {
	if !utf8.ValidString(s) {
		return "invalid UTF-8 in text"
	}
	return textProblem(s)
}

// textProblem is TextProblem for valid UTF-8. It looks at bytes, never decoding a rune: C1 controls
// are C2 80–C2 9F, the bidi controls E2 80 AA–E2 80 AE and E2 81 A6–E2 81 A9.
func textProblem[T string | []byte](s T) string {
	for i := 0; i < len(s); i++ {
		b := s[i]
		switch {
		case b < 0x20 && b != '\t' && b != '\n' && b != '\r', b == 0x7f:
			return fmt.Sprintf("control character U+%04X is not allowed in text (only tab, line feed and carriage return are)", b)
		case b == 0xc2 && i+1 < len(s) && s[i+1] <= 0x9f:
			return fmt.Sprintf("control character U+%04X is not allowed in text (only tab, line feed and carriage return are)", s[i+1])
		case b == 0xe2 && i+2 < len(s) && (s[i+1] == 0x80 && s[i+2] >= 0xaa && s[i+2] <= 0xae || s[i+1] == 0x81 && s[i+2] >= 0xa6 && s[i+2] <= 0xa9):
			r := 0x2000 | rune(s[i+1]&0x3f)<<6 | rune(s[i+2]&0x3f)
			return fmt.Sprintf("bidirectional control U+%04X is not allowed in text (it can make text display as something it does not say)", r)
		}
	}
	return ""
}

func (c *canonicalizer) hex4() (rune, error) {
	if c.pos+4 > len(c.in) {
		return 0, c.fail(endsEarly)
	}
	var r rune
	for _, h := range c.in[c.pos : c.pos+4] {
		r <<= 4
		switch {
		case h >= '0' && h <= '9':
			r |= rune(h - '0')
		case h >= 'a' && h <= 'f':
			r |= rune(h - 'a' + 10)
		case h >= 'A' && h <= 'F':
			r |= rune(h - 'A' + 10)
		default:
			return 0, c.errf("invalid \\u escape")
		}
	}
	c.pos += 4
	return r, nil
}

// number scans a JSON number (strict grammar) and writes its canonical form.
func (c *canonicalizer) number() error {
	start := c.pos
	if c.in[c.pos] == '-' {
		c.pos++
	}
	digits := func() int {
		n := 0
		for c.pos < len(c.in) && c.in[c.pos] >= '0' && c.in[c.pos] <= '9' {
			c.pos++
			n++
		}
		return n
	}
	if c.pos < len(c.in) && c.in[c.pos] == '0' {
		c.pos++
	} else if digits() == 0 {
		return c.errf("invalid number")
	}
	integer := true
	if c.pos < len(c.in) && c.in[c.pos] == '.' {
		integer = false
		c.pos++
		if digits() == 0 {
			return c.errf("invalid number")
		}
	}
	if c.pos < len(c.in) && (c.in[c.pos] == 'e' || c.in[c.pos] == 'E') {
		integer = false
		c.pos++
		if c.pos < len(c.in) && (c.in[c.pos] == '+' || c.in[c.pos] == '-') {
			c.pos++
		}
		if digits() == 0 {
			return c.errf("invalid number")
		}
	}
	text := string(c.in[start:c.pos])
	// Plain integers of up to 15 characters are exact doubles already in canonical form (but -0).
	if integer && len(text) <= 15 {
		if text == "-0" {
			text = "0"
		}
		c.out = append(c.out, text...)
		return nil
	}
	s, err := canonNumber(json.Number(text))
	if err != nil {
		c.pos = start
		return c.fail(err.Error())
	}
	c.out = append(c.out, s...)
	return nil
}

// appendCanonString appends s with RFC 8785's minimal escaping.
func appendCanonString[T string | []byte](out []byte, s T) []byte {
	out = append(out, '"')
	for i := 0; i < len(s); i++ {
		b := s[i]
		switch {
		case b == '"':
			out = append(out, '\\', '"')
		case b == '\\':
			out = append(out, '\\', '\\')
		case b >= 0x20:
			out = append(out, b)
		case b == '\b':
			out = append(out, '\\', 'b')
		case b == '\f':
			out = append(out, '\\', 'f')
		case b == '\n':
			out = append(out, '\\', 'n')
		case b == '\r':
			out = append(out, '\\', 'r')
		case b == '\t':
			out = append(out, '\\', 't')
		default:
			out = fmt.Appendf(out, `\u%04x`, b)
		}
	}
	return append(out, '"')
}

// endsEarly is the gate's reason for a document that ends inside a value.
const endsEarly = "not valid JSON: it ends before the value does"
