package reviewpack_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/partnership-ledger/ledger/internal/browsertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHTMLTablesFitTheirContainer (issue 21): in headless Chromium at a desktop width (1200 px) and
// a phone's (390 px), no table of the demo's HTML packs is wider than the element that holds it, and
// the page scrolls only down, never sideways (was: the savings table ran off the page at 1200 px, its
// cells "cannot be worked out: one-off costs not recorded" kept on one line by td.num's nowrap).
// Figures themselves stay unbroken (white-space: nowrap on a cell holding only a figure).
func TestHTMLTablesFitTheirContainer(t *testing.T) {
	type overflow struct {
		Table     string  `json:"table"`
		Width     float64 `json:"width"`
		Container float64 `json:"container"`
	}
	type measure struct {
		Tables    int        `json:"tables"`
		Overflows []overflow `json:"overflows"`
		PageWidth float64    `json:"pageWidth"`
		Viewport  float64    `json:"viewport"`
		Figures   []string   `json:"figures"` // figures (span.fig) broken over lines
	}
	const js = `(() => {
  const out = {tables: 0, overflows: [], pageWidth: document.documentElement.scrollWidth, viewport: window.innerWidth, figures: []};
  for (const t of document.querySelectorAll("table")) {
    out.tables++;
    const w = t.getBoundingClientRect().width, c = t.parentElement.clientWidth;
    if (w > c + 0.5) {
      const h = t.previousElementSibling;
      out.overflows.push({table: (h ? h.textContent : "") + " / " + t.querySelector("tr").textContent.slice(0, 60), width: w, container: c});
    }
  }
  for (const f of document.querySelectorAll(".fig")) {
    if (f.getClientRects().length > 1) out.figures.push(f.textContent);
  }
  out.tables = out.tables && document.querySelectorAll(".fig").length ? out.tables : 0;
  return out;
})()`
	for _, asOf := range []string{"2016-06-15", "2016-10-01"} {
		path := filepath.Join(t.TempDir(), "pack.html")
		require.NoError(t, os.WriteFile(path, render(t, demoPackAsOf(t, asOf), "html"), 0o644))
		for _, width := range []int{1200, 390} {
			t.Run(asOf+"/"+map[int]string{1200: "desktop", 390: "phone"}[width], func(t *testing.T) {
				ctx := browser(t, width)
				require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), 3000), chromedp.Navigate("file://"+path)))
				m, err := chromedp.Run(ctx, chromedp.Evaluate[measure](js))
				require.NoError(t, err)
				assert.Greater(t, m.Tables, 6, "the tables were measured")
				assert.Empty(t, m.Overflows, "tables wider than their container at %d px", width)
				assert.LessOrEqual(t, m.PageWidth, m.Viewport, "the page scrolls sideways at %d px", width)
				assert.Empty(t, m.Figures, "figures broken over lines at %d px", width)
			})
		}
	}
}

// browser starts headless Chromium for t with a viewport width px wide, stopped when t ends; it skips
// t saying how to install Chromium, or fails t when CI is set (see internal/browsertest; .ci/run sets
// CI=true and installs Chromium, so CI always runs these tests).
func browser(t *testing.T, width int) context.Context {
	t.Helper()
	// headless windows are at least 500 px wide: callers set the viewport
	return browsertest.Start(t, browsertest.Options{Width: width, Height: 3000, Timeout: 90 * time.Second})
}
