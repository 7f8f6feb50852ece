package reviewpack_test

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"
)

// TestHTMLEveryRefIsALink (issue 21): in the HTML pack no [n] is left as text, wherever it is: the
// refs cells of sections 4–6 ("reported [8, 22]"), section 7's per-source lists, "What changed" and
// its [n] column, the chronology, the register. The page is parsed as a browser does, and every text
// outside a link, a style or the title is searched for a number in square brackets.
func TestHTMLEveryRefIsALink(t *testing.T) {
	bare := regexp.MustCompile(`\[\d+(, \d+)*\]|\[(\d+, )*\d+\]`)
	for _, asOf := range []string{"2016-06-15", "2016-10-01"} {
		t.Run(asOf, func(t *testing.T) {
			page := render(t, demoPackAsOf(t, asOf), "html")
			require.Contains(t, string(page), `<h3 id="corrections">`, "the pack has a \"What changed\" table to check")
			doc, err := html.Parse(bytes.NewReader(page))
			require.NoError(t, err)
			links, texts := 0, 0
			var walk func(n *html.Node)
			walk = func(n *html.Node) {
				if n.Type == html.ElementNode {
					switch n.Data {
					case "a":
						links++
						return
					case "style", "title", "script":
						return
					}
				}
				if n.Type == html.TextNode {
					texts++
					for _, m := range bare.FindAllString(n.Data, -1) {
						at := strings.Index(n.Data, m)
						t.Errorf("an unlinked reference %s in <%s>: %q", m, n.Parent.Data, n.Data[max(0, at-60):min(len(n.Data), at+len(m)+20)])
					}
				}
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					walk(c)
				}
			}
			walk(doc)
			assert.Greater(t, links, 50)
			assert.Greater(t, texts, 200)
		})
	}
}
