package web_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/partnership-ledger/ledger/domain/demo"
	"github.com/partnership-ledger/ledger/internal/browsertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// browser starts headless Chromium (1280 × 900), or skips the test saying how to install it (fails
// instead when CI is set: see internal/browsertest).
func browser(t *testing.T) context.Context {
	t.Helper()
	return browsertest.Start(t, browsertest.Options{Timeout: 45 * time.Second})
}

// text returns the text of the element with that id.
func text(t *testing.T, ctx context.Context, id string) string {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID(id)))
	require.NoError(t, err)
	return v
}

func TestBrowser(t *testing.T) {
	srv := newServer(t)
	ctx := browser(t)
	base := srv.URL

	t.Run("as-of date moves the joint appointment in and out", func(t *testing.T) {
		require.NoError(t, chromedp.Do(ctx,
			// Start from a date with appointments: today the partnership is dissolved and shows none,
			// so "no-appointments" would be visible before the form is sent.
			chromedp.Navigate(base+gnn+"?as_of=2016-06-15"),
			chromedp.WaitVisible(chromedp.CSS("tr.appointment")),
			chromedp.SetValue(chromedp.ID("as_of"), "2015-11-06"),
			chromedp.Click(chromedp.ID("show")),
			chromedp.WaitVisible(chromedp.ID("no-appointments")),
		))
		assert.NotContains(t, text(t, ctx, "people"), "Sheila Oxtoby")
		assert.Contains(t, text(t, ctx, "axes"), "as of 6 November 2015")
		require.NoError(t, chromedp.Do(ctx,
			chromedp.SetValue(chromedp.ID("as_of"), "2015-11-07"),
			chromedp.Click(chromedp.ID("show")),
			chromedp.WaitVisible(chromedp.CSS("tr.appointment")),
		))
		assert.Contains(t, text(t, ctx, "people"), "Sheila Oxtoby")
	})

	t.Run("a bad as-of date is shown by the control", func(t *testing.T) {
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Navigate(base+gnn+"?as_of=2015-02-30"),
			chromedp.WaitVisible(chromedp.ID("as_of-error")),
		))
		assert.Contains(t, text(t, ctx, "as_of-error"), "is not a date")
	})

	// fill records a SavingsReported through the generated form (element ids: "f" + the field's JSON
	// pointer with "/" as "-"). Dates are set as a date picker sets them.
	fill := func(periodTo string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(
			chromedp.Navigate(base+gnn+"/record?type=SavingsReported"),
			chromedp.WaitVisible(chromedp.ID("f-data-council")),
			chromedp.SetValue(chromedp.ID("f-data-council"), "north-norfolk"),
			chromedp.SendKeys(chromedp.ID("f-data-financial_year"), "2016"),
			chromedp.SendKeys(chromedp.ID("f-data-category"), "shared management"),
			chromedp.SendKeys(chromedp.ID("f-data-amount_pence"), "54321"),
			chromedp.SetValue(chromedp.ID("f-data-status"), "forecast"),
			chromedp.SetValue(chromedp.ID("f-data-period_to"), periodTo),
			chromedp.SetValue(chromedp.ID("f-effective_on"), "2016-09-30"),
			chromedp.SetValue(chromedp.ID("f-certainty"), "confirmed"),
			chromedp.SetValue(chromedp.ID("f-sources-0-kind"), "report"),
			chromedp.SendKeys(chromedp.ID("f-sources-0-title"), "Budget monitoring, quarter 2"),
			chromedp.Click(chromedp.ID("submit")),
		)
	}

	t.Run("a clerk signs in and records a savings figure", func(t *testing.T) {
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Navigate(base+"/signin?next="+url.QueryEscape(gnn+"/record?type=SavingsReported")),
			chromedp.WaitVisible(chromedp.ID("token")),
			chromedp.SendKeys(chromedp.ID("token"), clerkToken),
			chromedp.Submit(chromedp.ID("token")),
			chromedp.WaitVisible(chromedp.ID("f-data-council")),
			fill("2017-03-31"),
			chromedp.WaitVisible(chromedp.ID("confirmation")),
		))
		assert.Contains(t, text(t, ctx, "confirmation"), "Recorded")
		assert.Contains(t, text(t, ctx, "savings-table"), "£54,321")
	})

	t.Run("a date out of range is refused by its field, input kept", func(t *testing.T) {
		require.NoError(t, chromedp.Do(ctx,
			fill("2200-01-01"), // a date picker sends only real dates: this one is beyond the ledger's range
			chromedp.WaitVisible(chromedp.ID("f-data-period_to-error")),
		))
		msg := text(t, ctx, "f-data-period_to-error")
		assert.NotEmpty(t, strings.TrimSpace(strings.TrimPrefix(msg, "Error:")))
		t.Logf("period_to: %s", msg)
		amount, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID("f-data-amount_pence")))
		require.NoError(t, err)
		assert.Equal(t, "54321", amount)
		assert.Contains(t, text(t, ctx, "error-summary"), "Nothing was recorded")
		// app.js moves the focus once it has run, which may be after the error is visible: wait for
		// the focus to arrive (a condition with a deadline, not a sleep), then say where it is.
		_, waitErr := chromedp.Run(ctx, chromedp.Poll[bool](`document.activeElement && document.activeElement.id === "error-summary"`,
			chromedp.WithPollingTimeout(30*time.Second)))
		focused, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.id`))
		require.NoError(t, err)
		assert.Equal(t, "error-summary", focused, "focus moves to the problems (waiting: %v)", waitErr)
	})

	t.Run("a clerk signs in, is refused and records with JavaScript off", func(t *testing.T) {
		// A tab of its own (not signed in) whose pages run no script: every step is a plain link or
		// form post, so the pages work without static/app.js.
		nojs := browsertest.WithoutScript(t, ctx)
		require.NoError(t, chromedp.Do(nojs,
			chromedp.Navigate(base+"/signin?next="+url.QueryEscape(gnn+"/record?type=SavingsReported")),
			chromedp.WaitVisible(chromedp.ID("token")),
			chromedp.SendKeys(chromedp.ID("token"), clerkToken),
			chromedp.Click(chromedp.CSS(`main form[method=post] button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`form[action="/signout"]`)),
			fill("2200-01-01"),
			chromedp.WaitVisible(chromedp.ID("error-summary")),
		))
		assert.Contains(t, text(t, nojs, "error-summary"), "Nothing was recorded")
		// app.js did not run: the focus stays where the page load left it, not on the summary.
		focused, err := chromedp.Run(nojs, chromedp.Evaluate[string](`document.activeElement ? document.activeElement.id : ""`))
		require.NoError(t, err)
		assert.NotEqual(t, "error-summary", focused, "scripts are off, so app.js cannot move the focus")
		require.NoError(t, chromedp.Do(nojs,
			fill("2017-03-31"),
			chromedp.WaitVisible(chromedp.ID("confirmation")),
		))
		assert.Contains(t, text(t, nojs, "confirmation"), "Recorded")
		require.NoError(t, chromedp.Do(nojs,
			chromedp.Click(chromedp.CSS(`form[action="/signout"] button`)),
			chromedp.WaitVisible(chromedp.CSS(`a[href^="/signin"]`)),
		))
	})

	t.Run("the PDF pack downloads and parses", func(t *testing.T) {
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Navigate(base+gnn+"?as_of=2016-03-31"),
			chromedp.WaitVisible(chromedp.ID("pack-pdf")),
		))
		href, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.ID("pack-pdf"), "href"))
		require.NoError(t, err)
		require.NotEmpty(t, href.Value)
		res, err := http.Get(base + href.Value)
		require.NoError(t, err)
		defer res.Body.Close()
		pdf, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, res.StatusCode)
		assert.Equal(t, "application/pdf", res.Header.Get("Content-Type"))
		require.True(t, bytes.HasPrefix(pdf, []byte("%PDF")))
		if _, err := exec.LookPath("pdftotext"); err != nil {
			t.Log("pdftotext not installed (apt-get install -y poppler-utils): text not checked")
			return
		}
		file := filepath.Join(t.TempDir(), "pack.pdf")
		require.NoError(t, os.WriteFile(file, pdf, 0o600))
		out, err := exec.CommandContext(ctx, "pdftotext", file, "-").Output()
		require.NoError(t, err)
		assert.Contains(t, string(out), "Sheila Oxtoby")
	})

	t.Run("no horizontal scroll on a phone", func(t *testing.T) {
		for _, path := range []string{"/", gnn + "?as_of=2016-03-31", gnn + "/record", demoEvent("savings-forecast-nn-2015") + "/correct?field=amount_pence"} {
			require.NoError(t, chromedp.Do(ctx,
				chromedp.EmulateViewport(375, 812),
				chromedp.Navigate(base+path),
				chromedp.WaitVisible(chromedp.CSS("h1")),
			))
			fits, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`))
			require.NoError(t, err)
			assert.True(t, fits, "%s scrolls sideways at 375px", path)
			unlabelled, err := chromedp.Run(ctx, chromedp.Evaluate[int](`Array.from(document.querySelectorAll(
				'input:not([type=hidden]), select, textarea')).filter(e => e.labels.length === 0).length`))
			require.NoError(t, err)
			assert.Zero(t, unlabelled, "%s has controls without a label", path)
			h1s, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('h1').length`))
			require.NoError(t, err)
			assert.Equal(t, 1, h1s, "%s: one h1", path)
			unscoped, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('th:not([scope])').length`))
			require.NoError(t, err)
			assert.Zero(t, unscoped, "%s has th without scope", path)
		}
	})

	// WEB_SCREENSHOTS=dir saves the screenshots for docs/pages.md and README.md: each shot's actions
	// show the page, at each width.
	if dir := os.Getenv("WEB_SCREENSHOTS"); dir != "" {
		open := func(path string) chromedp.Action[chromedp.Void] {
			return chromedp.Steps(chromedp.Navigate(base+path), chromedp.WaitVisible(chromedp.CSS("h1")))
		}
		shots := []struct {
			name string
			show chromedp.Action[chromedp.Void]
		}{
			{"partnerships", open("/")},
			{"partnership", open(gnn + "?as_of=2016-03-31")},
			{"savings", open(gnn + "?as_of=2017-06-30#savings")},
			{"event", open("/events/" + demo.EventID(demo.GreatYarmouthNorthNorfolk, "appoint-sheila-oxtoby").String())},
			{"choose", open(gnn + "/record")},
			// a generated form with a repeated group (the shares, each a council and a percentage)
			{"record", open(gnn + "/record?type=CostShareAgreed#f-data-shares")},
			{"refused", chromedp.Steps(fill("2200-01-01"), chromedp.WaitVisible(chromedp.ID("error-summary")))},
			{"correct", chromedp.Steps(
				open("/events/"+demo.EventID(demo.GreatYarmouthNorthNorfolk, "savings-forecast-gy-2015").String()+"/correct?field=amount_pence"),
				chromedp.SetValue(chromedp.ID("f-data-data-amount_pence"), "45000"),
				chromedp.SendKeys(chromedp.ID("f-data-reason"), "The figure was misread from the report."),
				chromedp.SetValue(chromedp.ID("f-certainty"), "confirmed"),
				chromedp.SetValue(chromedp.ID("f-sources-0-kind"), "report"),
				chromedp.SendKeys(chromedp.ID("f-sources-0-title"), "Budget monitoring, quarter 2"),
				chromedp.Click(chromedp.ID("submit")),
				chromedp.WaitVisible(chromedp.ID("changes")),
			)},
		}
		for _, vp := range []struct {
			name string
			w, h int64
		}{{"desktop", 1280, 900}, {"phone", 375, 812}} {
			for _, s := range shots {
				require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(vp.w, vp.h), s.show), s.name)
				png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
				require.NoError(t, err)
				require.NoError(t, os.WriteFile(filepath.Join(dir, s.name+"-"+vp.name+".png"), png, 0o644))
			}
		}
	}
}
