package eventstore

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzCanonicalizeMatchesReference checks the fast canonicaliser against the first, encoding/json
// based one: whatever the fast one accepts, the reference accepts with the same bytes. The fast one
// may refuse more: lone UTF-16 surrogates, which encoding/json silently replaces with U+FFFD.
func FuzzCanonicalizeMatchesReference(f *testing.F) {
	for _, s := range []string{`{"b":1,"a":[1,2.5,"x"]}`, `[]`, `"\u0000"`, `1e-7`, `{"a":{"b":null}}`, `-0`, `0.1`,
		`{"\u20ac":1,"\r":2,"\ud83d\ude00":3}`, `123456789012345`, `1234567890123456`, `-1.5E+3`, `"a\/b\"c"`, ` [ 1 , 2 ] `} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		fast, errFast := Canonicalize(in)
		ref, errRef := canonicalizeReference(in)
		switch {
		case errFast == nil && errRef != nil:
			t.Fatalf("fast accepts %q (-> %q) but the reference refuses: %v", in, fast, errRef)
		case errFast == nil && !bytes.Equal(fast, ref):
			t.Fatalf("input %q: fast %q, reference %q", in, fast, ref)
		case errFast != nil && errRef == nil && !strings.Contains(string(in), `\u`) && !strings.Contains(errFast.Error(), "UTF-8"):
			t.Fatalf("fast refuses %q (%v) but the reference gives %q", in, errFast, ref)
		}
	})
}

func BenchmarkCanonicalize(b *testing.B) {
	in := []byte(`{"council":"north-norfolk","financial_year":2015,"category":"shared management","amount_pence":4000000,"status":"forecast","period_to":"2016-03-31","note":"` + strings.Repeat("n", 180) + `","sources":[{"kind":"press","title":"Eastern Daily Press"}]}`)
	for _, impl := range []struct {
		name string
		fn   func([]byte) ([]byte, error)
	}{{"fast", Canonicalize}, {"reference", canonicalizeReference}} {
		b.Run(impl.name, func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			for i := 0; i < b.N; i++ {
				if _, err := impl.fn(in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// FuzzAdmittedCanonical checks the verifier's one-pass check against its definition: admittedCanonical
// accepts exactly the inputs that Gate admits and returns unchanged.
func FuzzAdmittedCanonical(f *testing.F) {
	for _, s := range []string{`{"a":1,"b":[1,2.5,"x"]}`, `{"b":1,"a":2}`, `{"a":1,"a":1}`, `[]`, `{}`, `"\u0000"`, `"a\nb\t\"\\"`,
		`"\/"`, `"\u0041"`, `-0`, `0`, `-1`, `01`, `1e21`, `1e+21`, `1.5`, `1.50`, `123456789012345`, `1234567890123456`,
		`9007199254740992`, `1e-7`, `0.000001`, `{"\u20ac":1,"1":2}`, `{"1":2,"€":1}`, `{"😀":1,"ö":2}`, `{"ö":2,"😀":1}`,
		"\"\u202e\"", "\"\u0085\"", `true`, `null`, `[1,]`, ` 1`, `{"a":{"b":{"c":null}}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out, err := Gate(in)
		want := err == nil && bytes.Equal(out, in)
		if got := admittedCanonical(in); got != want {
			t.Fatalf("admittedCanonical(%q) = %v; Gate gives %q, %v", in, got, out, err)
		}
	})
}

func BenchmarkAdmittedCanonical(b *testing.B) {
	in, err := Gate([]byte(`{"council":"north-norfolk","financial_year":2015,"category":"shared management","amount_pence":4000000,"status":"forecast","period_to":"2016-03-31","note":"` + strings.Repeat("n", 180) + `","sources":[{"kind":"press","title":"Eastern Daily Press"}]}`))
	if err != nil {
		b.Fatal(err)
	}
	b.Run("check", func(b *testing.B) {
		b.SetBytes(int64(len(in)))
		for b.Loop() {
			if !admittedCanonical(in) {
				b.Fatal("refused")
			}
		}
	})
	b.Run("gate", func(b *testing.B) {
		b.SetBytes(int64(len(in)))
		for b.Loop() {
			if _, err := Gate(in); err != nil {
				b.Fatal(err)
			}
		}
	})
}
