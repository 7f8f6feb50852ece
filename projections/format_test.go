package projections_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/partnership-ledger/ledger/projections"
)

func TestFormatPence(t *testing.T) {
	tests := []struct {
		name string
		in   int64
		want string
	}{
		{"zero", 0, "£0"},
		{"pence only", 5, "£0.05"},
		{"forty thousand", 4000000, "£40,000"},
		{"with pence", 123456, "£1,234.56"},
		{"negative", -5000, "-£50"},
		{"million", 100000000, "£1,000,000"},
		{"min int64", math.MinInt64, "-£92,233,720,368,547,758.08"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, projections.FormatPence(tt.in))
		})
	}
}
