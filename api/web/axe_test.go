package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/api/web"
	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/demo"
	"github.com/partnership-ledger/ledger/internal/browsertest"
)

// readerToken is a token the accessibility test's authenticator accepts as a reader: signed in,
// but not allowed to record (the forbidden page).
const readerToken = "test-reader-token"

// widths are the viewports every page is checked at: a desktop and a phone (CSS pixels).
var widths = []struct {
	name string
	w, h int64
}{{"1280px", 1280, 900}, {"375px", 375, 812}}

// structure is run in the page: it returns one line per structural fault of what a screen-reader
// or keyboard user meets, beyond what axe-core checks:
//   - every input, select and textarea a person fills has a label;
//   - every hint (ID-hint) and field error (ID-error) is in the aria-describedby of the control
//     whose id is ID, and every id an aria-describedby names exists;
//   - every item of the error summary links (#ID) to an element that exists and reads "Name: message",
//     Name being that field's name (the label of a control, the legend of a fieldset, without
//     " (optional)"), or ending with ", " and it when the field is one of a group or row ("Source 1,
//     Title").
const structure = `(() => {
  const out = [];
  const words = s => (s || "").replace(/\s+/g, " ").trim();
  const nameOf = el => {
    if (el.labels && el.labels.length) return words(el.labels[0].textContent);
    if (el.tagName === "FIELDSET") { const l = el.querySelector("legend"); return l ? words(l.textContent) : ""; }
    return words(el.getAttribute("aria-label"));
  };
  for (const c of document.querySelectorAll('input:not([type=hidden]):not([type=submit]):not([type=button]), select, textarea')) {
    if (!nameOf(c)) out.push("no label: " + c.outerHTML.slice(0, 120));
  }
  for (const h of document.querySelectorAll('[id$="-hint"], [id$="-error"]')) {
    const id = h.id.replace(/-(hint|error)$/, "");
    const c = document.getElementById(id);
    if (!c) { out.push(h.id + ": no control has the id " + id); continue; }
    const by = words(c.getAttribute("aria-describedby")).split(" ");
    if (!by.includes(h.id)) out.push(h.id + " is not in the aria-describedby of #" + id + " (" + by.join(" ") + ")");
  }
  for (const c of document.querySelectorAll("[aria-describedby]")) {
    for (const id of words(c.getAttribute("aria-describedby")).split(" ").filter(Boolean)) {
      if (!document.getElementById(id)) out.push("#" + c.id + " is described by " + id + ", which does not exist");
    }
  }
  const summary = document.getElementById("error-summary");
  if (summary) {
    const items = summary.querySelectorAll("li");
    if (!items.length) out.push("the error summary lists nothing");
    for (const li of items) {
      const text = words(li.textContent);
      const a = li.querySelector('a[href^="#"]');
      if (!a) { out.push("summary item links to no field: " + text); continue; }
      const id = decodeURIComponent(a.getAttribute("href").slice(1));
      const el = document.getElementById(id);
      if (!el) { out.push("summary item links to #" + id + ", which does not exist: " + text); continue; }
      const name = nameOf(el).replace(/ \(optional\)$/, "");
      const said = text.split(": ")[0];
      if (!name) out.push("summary item links to #" + id + ", which has no label: " + text);
      else if (!text.startsWith(name + ": ") && !said.endsWith(", " + name)) out.push("summary item does not start with its field's label \"" + name + "\": " + text);
    }
  }
  return out;
})()`

// checkPage runs axe-core on the page ctx shows (no serious or critical finding) and the
// structural checks (structure), naming the page in every failure.
func checkPage(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	browsertest.AssertAccessible(t, ctx, page)
	faults, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](structure))
	require.NoError(t, err, page)
	assert.Empty(t, faults, "%s: structure", page)
}

// visit opens path at each width and checks it (checkPage); the page must show an h1.
func visit(t *testing.T, ctx context.Context, base, name, path string) {
	t.Helper()
	for _, vp := range widths {
		require.NoError(t, chromedp.Do(ctx,
			chromedp.EmulateViewport(vp.w, vp.h),
			chromedp.Navigate(base+path),
			chromedp.WaitVisible(chromedp.CSS("h1")),
		), "%s (%s)", name, path)
		checkPage(t, ctx, name+" at "+vp.name)
	}
}

// refuse opens the form at path at each width, sends it as it is (so the server refuses it), and
// checks the refused page: its error summary is shown and has the focus, and it passes checkPage.
func refuse(t *testing.T, ctx context.Context, base, name, path string, fill ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	for _, vp := range widths {
		steps := []chromedp.Action[chromedp.Void]{
			chromedp.EmulateViewport(vp.w, vp.h),
			chromedp.Navigate(base + path),
			chromedp.WaitVisible(chromedp.CSS("h1")),
		}
		steps = append(steps, fill...)
		steps = append(steps,
			chromedp.Click(chromedp.ID("submit")),
			chromedp.WaitVisible(chromedp.ID("error-summary")),
		)
		require.NoError(t, chromedp.Do(ctx, steps...), "%s (%s)", name, path)
		// app.js moves the focus once it has run: wait for that (a condition with a deadline).
		_, waitErr := chromedp.Run(ctx, chromedp.Poll[bool](`document.activeElement && document.activeElement.id === "error-summary"`,
			chromedp.WithPollingTimeout(20*time.Second)))
		focused, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.id`))
		require.NoError(t, err)
		assert.Equal(t, "error-summary", focused, "%s at %s: focus moves to the error summary (waiting: %v)", name, vp.name, waitErr)
		checkPage(t, ctx, name+" at "+vp.name)
	}
}

// signIn signs the browser in with token through the sign-in form.
func signIn(t *testing.T, ctx context.Context, base, token string) {
	t.Helper()
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(base+"/signin?next=/"),
		chromedp.WaitVisible(chromedp.ID("token")),
		chromedp.SendKeys(chromedp.ID("token"), token),
		chromedp.Submit(chromedp.ID("token")),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/signout"]`)),
	))
}

// signOut signs the browser out through the header's button.
func signOut(t *testing.T, ctx context.Context, base string) {
	t.Helper()
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/signout"] button`)),
		chromedp.Click(chromedp.CSS(`form[action="/signout"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href^="/signin"]`)),
	))
}

// TestAccessibility runs axe-core (no serious or critical finding) and the structural checks on
// every page and form, at 1280 and 375 px: signed out, signed in without the right to record, and
// as a clerk, including refused forms showing their problems.
func TestAccessibility(t *testing.T) {
	srv := newServerWith(t, func(c *web.Config) {
		c.Authenticate = func(r *http.Request, token string) (string, string, bool) {
			if token == readerToken {
				return "test reader", "reader", true
			}
			return fakeAuth(r, token)
		}
	})
	ctx := browsertest.Start(t, browsertest.Options{Timeout: 8 * time.Minute})
	base := srv.URL
	event := func(name string) string {
		return "/events/" + demo.EventID(demo.GreatYarmouthNorthNorfolk, name).String()
	}

	t.Run("read", func(t *testing.T) {
		for _, p := range []struct{ name, path string }{
			{"the partnerships", "/"},
			{"a partnership", gnn},
			{"a partnership as of a date", gnn + "?as_of=2016-03-31"},
			{"an event", event("savings-forecast-gy-2015")},
			{"a corrected event", event("proposed")},
			{"a correction", event("correct-trial-end")},
			{"the sign-in form", "/signin?next=/"},
			{"no such page", "/no/such/page"},
			{"no such partnership", "/partnerships/no-such-partnership"},
			{"no such event", "/events/" + uuid.NewSHA1(uuid.Nil, []byte("no such event")).String()},
			{"a bad as-of date", gnn + "?as_of=2015-02-30"},
			{"a bad known-at", gnn + "?known_at=yesterday"},
		} {
			visit(t, ctx, base, p.name, p.path)
		}
		for _, vp := range widths {
			require.NoError(t, chromedp.Do(ctx,
				chromedp.EmulateViewport(vp.w, vp.h),
				chromedp.Navigate(base+"/signin?next=/"),
				chromedp.WaitVisible(chromedp.ID("token")),
				chromedp.SendKeys(chromedp.ID("token"), "not a token"),
				chromedp.Submit(chromedp.ID("token")),
				chromedp.WaitVisible(chromedp.ID("token-error")),
			))
			checkPage(t, ctx, "a refused sign-in at "+vp.name)
		}
	})

	t.Run("signed in without the right to record", func(t *testing.T) {
		signIn(t, ctx, base, readerToken)
		visit(t, ctx, base, "the forbidden record form", gnn+"/record")
		signOut(t, ctx, base)
	})

	t.Run("a clerk's forms", func(t *testing.T) {
		signIn(t, ctx, base, clerkToken)
		visit(t, ctx, base, "the choice of event to record", gnn+"/record")
		for _, typ := range domain.EventTypes() {
			visit(t, ctx, base, "the record form for "+typ, gnn+"/record?type="+url.QueryEscape(typ))
		}
		visit(t, ctx, base, "the form proposing a partnership", "/partnerships/new")
		refuse(t, ctx, base, "a refused savings figure", gnn+"/record?type=SavingsReported")
		refuse(t, ctx, base, "a refused cost share", gnn+"/record?type=CostShareAgreed")
		refuse(t, ctx, base, "a refused proposal", "/partnerships/new")
		visit(t, ctx, base, "the retract form", event("savings-forecast-gy-2015")+"/retract")
		refuse(t, ctx, base, "a refused retract form", event("savings-forecast-gy-2015")+"/retract")
		visit(t, ctx, base, "a correction that cannot be retracted", event("correct-trial-end")+"/retract")
		visit(t, ctx, base, "a correction that cannot be corrected", event("correct-trial-end")+"/correct")
		correct := event("savings-forecast-gy-2015") + "/correct"
		visit(t, ctx, base, "the correct form, step 1: which field", correct)
		refuse(t, ctx, base, "the correct form refused at step 1: no field chosen", correct)
		visit(t, ctx, base, "the correct form, step 2: the right value", correct+"?field=amount_pence")
		refuse(t, ctx, base, "the correct form refused at step 2", correct+"?field=amount_pence",
			chromedp.Clear(chromedp.ID("f-data-data-amount_pence")))
		for _, vp := range widths {
			require.NoError(t, chromedp.Do(ctx,
				chromedp.EmulateViewport(vp.w, vp.h),
				chromedp.Navigate(base+correct+"?field=amount_pence"),
				chromedp.WaitVisible(chromedp.ID("f-data-data-amount_pence")),
				chromedp.SetValue(chromedp.ID("f-data-data-amount_pence"), "45000"),
				chromedp.SendKeys(chromedp.ID("f-data-reason"), "The figure was misread from the report."),
				chromedp.SetValue(chromedp.ID("f-certainty"), "confirmed"),
				chromedp.SetValue(chromedp.ID("f-sources-0-kind"), "report"),
				chromedp.SendKeys(chromedp.ID("f-sources-0-title"), "Budget monitoring, quarter 2"),
				chromedp.Click(chromedp.ID("submit")),
				chromedp.WaitVisible(chromedp.ID("changes")),
			))
			checkPage(t, ctx, "the correct form, step 3: the preview at "+vp.name)
		}
	})
}

// TestStructureFindsFaults shows that the structural checks catch each fault they look for, on a
// page made with one of each (and one control that passes).
func TestStructureFindsFaults(t *testing.T) {
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, `<!doctype html><html lang="en"><title>faults</title><main><h1>Faults</h1>
<div id="error-summary"><ul>
<li><a href="#good">Good field: is required</a></li>
<li><a href="#bad">is required</a></li>
<li><a href="#gone">Gone: is required</a></li>
<li>No link at all</li>
</ul></div>
<label for="good">Good field</label><p id="good-hint">A hint.</p><p id="good-error">is required</p>
<input id="good" aria-describedby="good-hint good-error">
<label for="bad">Bad field</label><p id="bad-hint">Not tied.</p>
<input id="bad" aria-describedby="nowhere">
<select id="bare"><option>x</option></select>
<p id="orphan-hint">A hint for nothing.</p>
</main></html>`)
	}))
	t.Cleanup(page.Close)
	ctx := browser(t)
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(page.URL), chromedp.WaitVisible(chromedp.CSS("h1"))))
	faults, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](structure))
	require.NoError(t, err)
	all := strings.Join(faults, "\n")
	for _, want := range []string{
		"no label: <select id=\"bare\">",
		"bad-hint is not in the aria-describedby of #bad",
		"#bad is described by nowhere, which does not exist",
		"orphan-hint: no control has the id orphan",
		"summary item does not start with its field's label \"Bad field\": is required",
		"summary item links to #gone, which does not exist",
		"summary item links to no field: No link at all",
	} {
		assert.Contains(t, all, want)
	}
	assert.NotContains(t, all, "#good", "a control with a label, its hint and error tied passes")
	assert.Len(t, faults, 7, all)
}
