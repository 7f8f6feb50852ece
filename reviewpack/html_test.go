package reviewpack_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/partnership-ledger/ledger/internal/browsertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHTMLPackStructure: the HTML pack has a list of contents linking every section, each [n] links
// to its event's row of the register and is titled with its event id, every link leads to an element
// of the page, and every table column header has scope="col".
func TestHTMLPackStructure(t *testing.T) {
	p := demoPack(t)
	page := string(render(t, p, "html"))

	nav := regexp.MustCompile(`(?s)<nav id="contents" aria-labelledby="contents-h">(.*?)</nav>`).FindStringSubmatch(page)
	require.NotNil(t, nav, "a list of contents")
	sections := regexp.MustCompile(`<h2 id="([a-z0-9-]+)">`).FindAllStringSubmatch(page, -1)
	require.Greater(t, len(sections), 10)
	for _, s := range sections {
		if s[1] != "contents-h" {
			assert.Contains(t, nav[1], `href="#`+s[1]+`"`, "the contents list section %s", s[1])
		}
	}

	ids := map[string]bool{}
	for _, m := range regexp.MustCompile(` id="([^"]+)"`).FindAllStringSubmatch(page, -1) {
		assert.False(t, ids[m[1]], "id %s is unique", m[1])
		ids[m[1]] = true
	}
	for _, m := range regexp.MustCompile(`href="#([^"]+)"`).FindAllStringSubmatch(page, -1) {
		assert.True(t, ids[m[1]], "link to #%s leads somewhere", m[1])
	}

	eventID := map[string]string{}
	for _, e := range p.Report.Register {
		eventID[strconv.FormatUint(e.Seq, 10)] = e.ID
	}
	links := regexp.MustCompile(`<a href="#event-(\d+)" title="event ([^"]+)">(\d+)</a>`).FindAllStringSubmatch(page, -1)
	require.NotEmpty(t, links, "[n] references are links")
	for _, l := range links {
		assert.Equal(t, l[1], l[3], "the link names its own event")
		assert.Equal(t, eventID[l[1]], l[2], "[%s] is titled with its event id", l[1])
	}
	// No citation is left unlinked: every "[..]" in a refs span holds only links.
	for _, m := range regexp.MustCompile(`<span class="refs">\[([^\]]*)\]</span>`).FindAllStringSubmatch(page, -1) {
		assert.NotRegexp(t, `(^|, )\d`, m[1], "an unlinked reference in [%s]", m[1])
	}

	for _, thead := range regexp.MustCompile(`(?s)<thead>.*?</thead>`).FindAllString(page, -1) {
		for _, th := range regexp.MustCompile(`<th[\s>][^>]*>`).FindAllString(thead, -1) {
			assert.Contains(t, th, `scope="col"`, "column header %s", th)
		}
	}
}

// TestHTMLPackAccessibility runs axe-core (vendored in internal/browsertest) on the demo's HTML pack
// in headless Chromium: no finding of serious or critical impact.
func TestHTMLPackAccessibility(t *testing.T) {
	for _, asOf := range []string{"2016-06-15", "2016-10-01"} {
		t.Run(asOf, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "pack.html")
			require.NoError(t, os.WriteFile(path, render(t, demoPackAsOf(t, asOf), "html"), 0o644))
			ctx := browser(t, 1200)
			require.NoError(t, chromedp.Do(ctx, chromedp.Navigate("file://"+path)))
			browsertest.AssertAccessible(t, ctx, "the HTML pack as of "+asOf)
		})
	}
}
