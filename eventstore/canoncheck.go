package eventstore

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// admittedCanonical reports whether in is exactly what Gate returns for it: JSON the gate admits,
// already in canonical form. It is one pass over the bytes without building any output, for checking
// stored events (every one is read by verify, import and migrate); a false answer is explained by
// running Gate. FuzzAdmittedCanonical checks it against Gate.
func admittedCanonical(in []byte) bool {
	k := canonChecker{in: in}
	return k.value(0) && k.pos == len(in)
}

type canonChecker struct {
	in  []byte
	pos int
}

func (k *canonChecker) value(depth int) bool {
	if depth > maxDepth || k.pos >= len(k.in) {
		return false
	}
	switch b := k.in[k.pos]; {
	case b == '{':
		return k.object(depth)
	case b == '[':
		return k.array(depth)
	case b == '"':
		_, ok := k.str()
		return ok
	case b == 't':
		return k.literal("true")
	case b == 'f':
		return k.literal("false")
	case b == 'n':
		return k.literal("null")
	case b == '-' || (b >= '0' && b <= '9'):
		return k.number()
	}
	return false
}

func (k *canonChecker) literal(lit string) bool {
	if !bytes.HasPrefix(k.in[k.pos:], []byte(lit)) {
		return false
	}
	k.pos += len(lit)
	return true
}

// after reads what follows a member or element of an array or object closed by end: a comma (more
// follow: more is true), end (the container is done: ok), or anything else (not canonical).
func (k *canonChecker) after(end byte) (more, ok bool) {
	if k.pos >= len(k.in) {
		return false, false
	}
	switch k.in[k.pos] {
	case ',':
		k.pos++
		return true, true
	case end:
		k.pos++
		return false, true
	}
	return false, false
}

func (k *canonChecker) array(depth int) bool {
	k.pos++ // [
	if k.pos < len(k.in) && k.in[k.pos] == ']' {
		k.pos++
		return true
	}
	for {
		if !k.value(depth + 1) {
			return false
		}
		if more, ok := k.after(']'); !more {
			return ok
		}
	}
}

func (k *canonChecker) object(depth int) bool {
	k.pos++ // {
	if k.pos < len(k.in) && k.in[k.pos] == '}' {
		k.pos++
		return true
	}
	var prev []byte
	for i := 0; ; i++ {
		if k.pos >= len(k.in) || k.in[k.pos] != '"' {
			return false
		}
		key, ok := k.str()
		if !ok {
			return false
		}
		// Canonical members are sorted and, being strictly increasing, never repeat.
		if i > 0 && compareKeys(prev, key) >= 0 {
			return false
		}
		prev = key
		if k.pos >= len(k.in) || k.in[k.pos] != ':' {
			return false
		}
		k.pos++
		if !k.value(depth + 1) {
			return false
		}
		if more, ok := k.after('}'); !more {
			return ok
		}
	}
}

// str checks a string in canonical, admitted form and returns its value: a slice of the input when it
// has no escapes. Admitted text holds no control character but tab, LF and CR, so the only escapes
// of its canonical form are \" \\ \n \r and \t.
func (k *canonChecker) str() ([]byte, bool) {
	k.pos++ // opening quote
	start := k.pos
	var sb []byte
	escaped := false
	ascii := true // only printable ASCII so far, which needs neither the UTF-8 nor the text check
	for k.pos < len(k.in) {
		b := k.in[k.pos]
		switch {
		case b >= 0x20 && b < 0x7f && b != '"' && b != '\\':
			// The usual byte, first: most stored text is printable ASCII.
			if escaped {
				sb = append(sb, b)
			}
			k.pos++
		case b == '"':
			raw := k.in[start:k.pos]
			k.pos++
			if !escaped {
				return raw, ascii || utf8.Valid(raw) && textProblem(raw) == ""
			}
			// The escapes admitted below are \" \\ \n \r \t: all allowed text.
			return sb, ascii || utf8.Valid(sb) && textProblem(sb) == ""
		case b < 0x20:
			return nil, false
		case b == '\\':
			if !escaped {
				sb = append(sb, k.in[start:k.pos]...)
				escaped = true
			}
			if k.pos+1 >= len(k.in) {
				return nil, false
			}
			switch k.in[k.pos+1] {
			case '"', '\\':
				sb = append(sb, k.in[k.pos+1])
			case 'n':
				sb = append(sb, '\n')
			case 'r':
				sb = append(sb, '\r')
			case 't':
				sb = append(sb, '\t')
			default:
				return nil, false
			}
			k.pos += 2
		default: // DEL or a byte of a multi-byte sequence
			ascii = false
			if escaped {
				sb = append(sb, b)
			}
			k.pos++
		}
	}
	return nil, false
}

// number checks a number in its canonical (ECMAScript shortest) form.
func (k *canonChecker) number() bool {
	start := k.pos
	for k.pos < len(k.in) {
		switch b := k.in[k.pos]; {
		case b >= '0' && b <= '9', b == '-', b == '+', b == '.', b == 'e', b == 'E':
			k.pos++
			continue
		}
		break
	}
	text := k.in[start:k.pos]
	if isCanonicalSmallInteger(text) {
		return true
	}
	s, err := canonNumber(json.Number(text)) // rare: fractions, exponents, long integers
	return err == nil && s == string(text)
}

// isCanonicalSmallInteger reports whether text is an integer of at most 15 characters in canonical
// form: -?(0|[1-9][0-9]*), not -0 (the canonicaliser's fast path keeps such integers as they are).
func isCanonicalSmallInteger(text []byte) bool {
	if len(text) == 0 || len(text) > 15 {
		return false
	}
	d := text
	if d[0] == '-' {
		d = d[1:]
	}
	if len(d) == 0 || (d[0] == '0' && (len(d) > 1 || len(text) > 1)) {
		return false // empty, a leading zero, or -0
	}
	for _, c := range d {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
