package domain_test

import (
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/eventstore"
)

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2015-11-07", "2015-02-30", "9999-12-31", "0000-00-00", "2015-1-1", "+015-01-01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := domain.ParseDate(s)
		if err != nil {
			return
		}
		assert.Equal(t, s, d.String(), "a parsed date prints as its input")
		again, err := domain.ParseDate(d.String())
		require.NoError(t, err)
		assert.Equal(t, d, again)
	})
}

func FuzzParseFinancialYear(f *testing.F) {
	for _, s := range []string{"2015", "2015/16", "2099-00", "2015/17", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fy, err := domain.ParseFinancialYear(s)
		if err != nil {
			return
		}
		assert.True(t, fy.Contains(fy.Start()))
		assert.True(t, fy.Contains(fy.End()))
		assert.False(t, fy.Contains(fy.End().AddDays(1)))
	})
}

// FuzzDecodePayload checks that DecodePayload never panics, that DecodeStoredPayload decodes what it
// accepts to the same value, and that what it accepts encodes and decodes again to the same JSON.
func FuzzDecodePayload(f *testing.F) {
	entries, err := os.ReadDir(filepath.Join("testdata", "events"))
	require.NoError(f, err)
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join("testdata", "events", e.Name()))
		require.NoError(f, err)
		typ := e.Name()[:len(e.Name())-len(".json")]
		f.Add(typ, data)
	}
	f.Add("CostShareAgreed", []byte(`{"shares":[{"council":"a","basis_points":1e3}]}`))
	// Issue 16: go-json left a corrupt string for null in a struct with UnmarshalText, and read
	// repeated names differently; what a store holds is gated and canonical.
	f.Add("SavingsReported", []byte(`{"council":"aaa-council","financial_year":2015,"category":"x","amount_pence":1,"status":"forecast","period_to":"2016-03-31","council":null}`))
	f.Add("SavingsReported", []byte(`{"council":null,"financial_year":2015,"category":"x","amount_pence":1,"status":"forecast","period_to":null}`))
	f.Add("SavingsReported", []byte(`{"amount_pence":100,"amount_pence":999}`))
	f.Add("JointAppointmentMade", []byte(`{"officer":{"name":null},"employing_council":null,"councils":null,"starts_on":null,"approvals":[null]}`))
	f.Add("DecisionTaken", []byte(`{"minute":null,"votes":null,"outcome":null,"key_decision":null}`))
	f.Add("SavingsReported", []byte(`{"category":"x\ud800y","council":"a\u0000b"}`))
	f.Fuzz(func(t *testing.T, typ string, data []byte) {
		p, err := domain.DecodePayload(typ, 1, data)
		if err != nil {
			return
		}
		// What a store keeps is what the gate admits, in canonical form (RFC 8785: valid UTF-8
		// only, no repeated names, numbers normalised).
		if canon, err := eventstore.Gate(data); err == nil {
			strict, err := domain.DecodePayload(typ, 1, canon)
			require.NoError(t, err, "the canonical form of an accepted payload is accepted")
			stored, err := domain.DecodeStoredPayload(typ, 1, canon)
			require.NoError(t, err, "what the strict decoder accepts, the stored decoder accepts")
			require.Equal(t, strict, stored, "the stored decoder (go-json) gives what the strict one (encoding/json) gives")
			sent := p
			if c, ok := sent.(domain.EventCorrected); ok && len(c.Data) > 0 {
				c.Data, err = eventstore.Gate(c.Data) // raw JSON kept as raw: compare its canonical form
				require.NoError(t, err)
				sent = c
			}
			require.Equal(t, sent, stored, "the value stored (the canonical form) reads back as the value sent")
		}
		if domain.CheckPayload(p) != nil {
			return // an incomplete payload (a zero date or year) need not encode back
		}
		out, err := domain.EncodePayload(p)
		require.NoError(t, err)
		again, err := domain.DecodePayload(typ, 1, out)
		require.NoError(t, err, "re-decoding %s", out)
		out2, err := domain.EncodePayload(again)
		require.NoError(t, err)
		assert.JSONEq(t, string(out), string(out2))
	})
}

// FuzzDecide checks that Decide never panics and answers either events or a *ValidationError,
// whatever the command, against a small partnership with a decision and an appointment.
func FuzzDecide(f *testing.F) {
	for _, p := range samples() {
		data, err := domain.EncodePayload(p)
		require.NoError(f, err)
		f.Add(p.EventType(), "2015-12-01", string(data))
	}
	f.Add(domain.TypeEventCorrected, "2016-01-01", `{"target":"00000000-0000-0000-0000-000000000000","data":{"x":null},"reason":"r"}`)
	f.Fuzz(func(t *testing.T, typ, eff, data string) {
		b, _ := started(t)
		b.ok(cmd(domain.TypeJointAppointmentMade, "2015-11-07", sheila))
		evs, err := domain.Decide(b.hist, cmd(typ, eff, data))
		if err != nil {
			var ve *domain.ValidationError
			require.ErrorAs(t, err, &ve)
			require.NotEmpty(t, ve.Problems)
			return
		}
		require.Len(t, evs, 1)
		assert.Equal(t, typ, evs[0].Type)
	})
}

// FuzzParsePounds: whatever is accepted is exactly the decimal value written (checked against
// math/big, never a float), within ±MaxAmountPence.
func FuzzParsePounds(f *testing.F) {
	for _, s := range []string{"40000", "40000.50", "-1.2", "1e3", "1,000", "£5", "0.001", "100000000000.01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := domain.ParsePounds(s)
		if err != nil {
			return
		}
		r, ok := new(big.Rat).SetString(s)
		require.True(t, ok, "%q accepted but not a decimal", s)
		r.Mul(r, big.NewRat(100, 1))
		require.True(t, r.IsInt(), "%q has more than two decimal places", s)
		require.Equal(t, r.Num().Int64(), int64(p), "%q", s)
		assert.LessOrEqual(t, max(int64(p), -int64(p)), int64(domain.MaxAmountPence))
		assert.NotContains(t, s, "e", "no exponent")
	})
}

// FuzzParsePercent: whatever is accepted is exactly the decimal percentage written (math/big, never a
// float), from 0 to 100, and BasisPoints.String writes it back in a form ParsePercent reads as the
// same share.
func FuzzParsePercent(f *testing.F) {
	for _, s := range []string{"50", "33.33", "12.5%", "100", "0.05", "-5", "50.001", "1,5", " 50", "5e1", "101", "100.01", "007"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := domain.ParsePercent(s)
		if err != nil {
			return
		}
		r, ok := new(big.Rat).SetString(strings.TrimSuffix(s, "%"))
		require.True(t, ok, "%q accepted but not a decimal", s)
		r.Mul(r, big.NewRat(100, 1))
		require.True(t, r.IsInt(), "%q has more than two decimal places", s)
		require.Equal(t, r.Num().Int64(), int64(b), "%q", s)
		require.True(t, b >= 0 && b <= 10000, "%q out of range", s)
		back, err := domain.ParsePercent(b.String())
		require.NoError(t, err, "%q written as %q", s, b.String())
		assert.Equal(t, b, back)
	})
}
