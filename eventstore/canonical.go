package eventstore

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/partnership-ledger/ledger/fault"
)

// maxSafeInteger is the largest integer an IEEE 754 double holds exactly (2^53). RFC 8785 reads every
// number as a double, so a larger integer would be silently changed by canonicalisation; it is refused.
const maxSafeInteger = 1 << 53

// Canonicalize returns the RFC 8785 (JSON Canonicalization Scheme) form of a JSON text: object members
// sorted by their names' UTF-16 code units, no insignificant whitespace, numbers in their shortest
// ECMAScript form and strings with the minimal escaping.
//
// It returns a *JSONError (matching ErrInvalidJSON) naming the JSON pointer and byte offset when the
// input is not a single JSON value, repeats a member name in an object (however the name is spelled:
// "\u0061" is "a"), holds invalid UTF-8 or a lone UTF-16 surrogate, nests deeper than 200, or has an
// integer beyond ±2^53 that a double cannot hold exactly.
func Canonicalize(in []byte) ([]byte, error) {
	return canonicalize(in, false)
}

// Gate is the one check every JSON document entering the ledger passes, on its exact bytes, before
// anything decodes it (HTTP bodies, `ledger record --data`, form-built commands, imports, events read
// back from a store): Canonicalize's rules, and no string (member names included) may hold a
// character TextProblem refuses. It returns the RFC 8785 form of in, which is what the ledger stores;
// the error is a *JSONError (matching ErrInvalidJSON) whose Pointer (RFC 6901) names the value at
// fault. It is safe for concurrent use.
func Gate(in []byte) ([]byte, error) {
	return canonicalize(in, true)
}

func canonicalize(in []byte, text bool) ([]byte, error) {
	c := canonicalizer{in: in, out: make([]byte, 0, len(in)), text: text}
	c.skipSpace()
	if err := c.value(0); err != nil {
		return nil, err
	}
	c.skipSpace()
	if c.pos != len(c.in) {
		c.path = c.path[:0]
		return nil, c.fail("unexpected data after the JSON value")
	}
	return c.out, nil
}

// JSONError reports a JSON document refused by Canonicalize or Gate: where (Pointer, an RFC 6901 JSON
// pointer into the document, "" for the whole; Offset, the byte) and why. It matches ErrInvalidJSON.
type JSONError struct {
	Pointer string
	Offset  int
	Reason  string
}

// Error reads "at /data/amount_pence (byte 31): repeated member name ...".
func (e *JSONError) Error() string {
	at := e.Pointer
	if at == "" {
		at = "the top level"
	}
	return fmt.Sprintf("at %s (byte %d): %s", at, e.Offset, e.Reason)
}

// Is makes a *JSONError match ErrInvalidJSON.
func (e *JSONError) Is(target error) bool { return target == ErrInvalidJSON }

// canonicalizeReference is the first, encoding/json-based implementation of Canonicalize. It is
// kept as the reference the fast one is fuzzed against.
func canonicalizeReference(in []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(in))
	dec.UseNumber()
	var out bytes.Buffer
	out.Grow(len(in))
	if err := canonValue(dec, &out, 0); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidJSON, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: unexpected data after the JSON value", ErrInvalidJSON)
	}
	if !utf8.Valid(in) {
		return nil, fmt.Errorf("%w: invalid UTF-8", ErrInvalidJSON)
	}
	return out.Bytes(), nil
}

const maxDepth = 200

func canonValue(dec *json.Decoder, out *bytes.Buffer, depth int) error {
	if depth > maxDepth {
		return errors.New("nested too deeply")
	}
	tok, err := dec.Token()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return errors.New("unexpected end of JSON input")
		}
		return err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			return canonObject(dec, out, depth)
		case '[':
			out.WriteByte('[')
			for i := 0; dec.More(); i++ {
				if i > 0 {
					out.WriteByte(',')
				}
				if err := canonValue(dec, out, depth+1); err != nil {
					return err
				}
			}
			if _, err := dec.Token(); err != nil {
				return err
			}
			out.WriteByte(']')
			return nil
		default:
			return fmt.Errorf("unexpected %q", rune(t))
		}
	case string:
		writeCanonString(out, t)
	case json.Number:
		s, err := canonNumber(t)
		if err != nil {
			return err
		}
		out.WriteString(s)
	case bool:
		out.WriteString(strconv.FormatBool(t))
	case nil:
		out.WriteString("null")
	}
	return nil
}

func canonObject(dec *json.Decoder, out *bytes.Buffer, depth int) error {
	type member struct {
		key   string
		value []byte
	}
	var members []member
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, ok := tok.(string)
		if !ok {
			return errors.New("object key is not a string")
		}
		if seen[key] {
			return fmt.Errorf("duplicate member name %q", key)
		}
		seen[key] = true
		var v bytes.Buffer
		if err := canonValue(dec, &v, depth+1); err != nil {
			return err
		}
		members = append(members, member{key, v.Bytes()})
	}
	if _, err := dec.Token(); err != nil {
		return err
	}
	slices.SortFunc(members, func(a, b member) int { return compareUTF16(a.key, b.key) })
	out.WriteByte('{')
	for i, m := range members {
		if i > 0 {
			out.WriteByte(',')
		}
		writeCanonString(out, m.key)
		out.WriteByte(':')
		out.Write(m.value)
	}
	out.WriteByte('}')
	return nil
}

// compareUTF16 orders strings by their UTF-16 code units, as RFC 8785 section 3.2.3 requires.
func compareUTF16(a, b string) int {
	ua, ub := utf16.Encode([]rune(a)), utf16.Encode([]rune(b))
	return slices.Compare(ua, ub)
}

func writeCanonString(out *bytes.Buffer, s string) {
	out.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			out.WriteString(`\"`)
		case '\\':
			out.WriteString(`\\`)
		case '\b':
			out.WriteString(`\b`)
		case '\f':
			out.WriteString(`\f`)
		case '\n':
			out.WriteString(`\n`)
		case '\r':
			out.WriteString(`\r`)
		case '\t':
			out.WriteString(`\t`)
		default:
			if r < 0x20 {
				fmt.Fprintf(out, `\u%04x`, r)
			} else {
				out.WriteRune(r)
			}
		}
	}
	out.WriteByte('"')
}

// canonNumber formats a JSON number as ECMAScript's Number.prototype.toString does (RFC 8785 3.2.2.3).
func canonNumber(n json.Number) (string, error) {
	s := string(n)
	if !strings.ContainsAny(s, ".eE") {
		i, err := strconv.ParseInt(s, 10, 64)
		if err != nil || i > maxSafeInteger || i < -maxSafeInteger {
			return "", fmt.Errorf("integer %s is outside ±2^53 and cannot be kept exactly", s)
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return "", fmt.Errorf("number %s is out of range", s)
	}
	if a := math.Abs(f); a > maxSafeInteger && a < 1e21 {
		// Its canonical form would be an integer beyond ±2^53, which Canonicalize refuses: the output
		// must canonicalise again to itself.
		return "", fmt.Errorf("number %s is outside ±2^53 and cannot be kept exactly", s)
	}
	return formatES6(f), nil
}

func formatES6(f float64) string {
	if f == 0 {
		return "0" // also for -0
	}
	abs := math.Abs(f)
	if abs >= 1e21 || abs < 1e-6 {
		s := strconv.FormatFloat(f, 'e', -1, 64)
		// Go writes e+07 / e-07; ECMAScript writes e+7 / e-7.
		mant, exp, _ := strings.Cut(s, "e")
		sign := exp[0]
		exp = strings.TrimLeft(exp[1:], "0")
		return mant + "e" + string(sign) + exp
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// Fault describes the refusal for people (fault.Malformed) at the pointer of the value at fault.
func (e *JSONError) Fault() *fault.Error {
	msg := e.Reason
	if e.Pointer != "" {
		msg = e.Pointer + ": " + e.Reason
	}
	return (&fault.Error{Kind: fault.Malformed, Message: msg}).At(e.Pointer, e.Reason)
}
