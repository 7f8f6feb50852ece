package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReviewPackTakesAnyText: an emoji recorded in a category once made the PDF download answer 500
// (fpdf indexed its width table by rune). Every format answers 200, and all but the PDF (which marks
// what its fonts cannot show) carry the exact text.
func TestReviewPackTakesAnyText(t *testing.T) {
	e := newEnv(t, false)
	const category = "shared management 👩‍👩‍👧 مجلس 共享 𠀋 Cyngor ŵ ŷ"
	cat, err := json.Marshal(category)
	require.NoError(t, err)
	body := strings.Replace(fmt.Sprintf(savings, 4200000), `"shared management"`, string(cat), 1)
	r := e.do(t, "POST", gnn+"/events", e.recorder, body)
	require.Equal(t, 201, r.status, string(r.body))
	e.settle(t)
	for _, format := range []string{"html", "pdf", "md", "json"} {
		t.Run(format, func(t *testing.T) {
			res := e.do(t, "GET", gnn+"/review-pack?as_of=2016-06-30&known_at=all&format="+format, "", "") // recorded today: after the default, the end of the as-of day
			require.Equal(t, 200, res.status, string(res.body))
			if format == "pdf" {
				assert.True(t, bytes.HasPrefix(res.body, []byte("%PDF-")))
				return
			}
			assert.Contains(t, string(res.body), category)
		})
	}
}
