package reviewpack

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestLinkRefs: linkRefs links the numbers the register holds in text only: not inside a link, the
// style or the title, nor a number the register lacks, nor anything in a tag's attributes.
func TestLinkRefs(t *testing.T) {
	ids := map[uint64]string{8: "id-8", 22: "id-<22>"}
	a8 := `<a href="#event-8" title="event id-8">8</a>`
	a22 := `<a href="#event-22" title="event id-&lt;22&gt;">22</a>`
	for _, tt := range []struct{ in, want string }{
		{`<td class="refs">reported [8, 22]</td>`, `<td class="refs">reported [` + a8 + `, ` + a22 + `]</td>`},
		{`<p>[8] and [3] and [8, 3]</p>`, `<p>[` + a8 + `] and [3] and [` + a8 + `, 3]</p>`},
		{`<a href="#x">see [8]</a> [22]`, `<a href="#x">see [8]</a> [` + a22 + `]`},
		{`<style>p[8] > a {}</style><title>[8]</title>[8]`, `<style>p[8] > a {}</style><title>[8]</title>[` + a8 + `]`},
		{`<td data-x="[8]">[n] [8,22] [ 8]</td>`, `<td data-x="[8]">[n] [8,22] [ 8]</td>`},
		{`<>[8]<br`, `<>[` + a8 + `]<br`},
	} {
		assert.Equal(t, tt.want, string(linkRefs([]byte(tt.in), ids)), tt.in)
	}
}
