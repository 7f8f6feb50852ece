// Package browsertest starts headless Chromium for tests and runs axe-core (vendored in axe/) on the
// page it shows. It is imported only by _test.go files.
//
// Without Chromium at Path a test is skipped, saying how to install it, unless the environment
// variable CI is set (to anything but "" or "false"): then a missing Chromium fails the test, so a CI
// run can never pass with its browser tests skipped (.ci/run sets CI=true and installs Chromium).
package browsertest

import (
	"context"
	_ "embed"
	"os"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Path is where the tests look for Chromium (Debian's chromium package).
const Path = "/usr/bin/chromium"

//go:embed axe/axe.min.js
var axeScript string

// Options size the browser window; zero values take the defaults.
type Options struct {
	Width, Height int           // CSS pixels; default 1280 × 900 (headless windows are at least 500 wide)
	Timeout       time.Duration // for the whole test's browsing; default 60 s
}

// InCI reports whether the environment variable CI asks for a CI run (set, and not "false" or "0").
func InCI() bool {
	v := os.Getenv("CI")
	return v != "" && v != "false" && v != "0"
}

// Require skips t when Chromium is missing, saying how to install it, or fails t if InCI.
func Require(t testing.TB) {
	t.Helper()
	if msg, fail := missing(Path, InCI()); fail {
		t.Fatal(msg)
	} else if msg != "" {
		t.Skip(msg)
	}
}

// missing says what to do when no browser is at path ("" when one is), and whether the test fails
// (in CI) rather than skips.
func missing(path string, ci bool) (msg string, fail bool) {
	if _, err := os.Stat(path); err == nil {
		return "", false
	}
	msg = "browser tests need Chromium at " + path + ": apt-get update && apt-get install -y chromium (.ci/run installs it)"
	if ci {
		return msg + "; CI is set, so a missing browser fails the test instead of skipping it", true
	}
	return msg, false
}

// Start starts headless Chromium for t (see Require) and returns its context, stopped when t ends.
func Start(t testing.TB, o Options) context.Context {
	t.Helper()
	Require(t)
	if o.Width == 0 {
		o.Width = 1280
	}
	if o.Height == 0 {
		o.Height = 900
	}
	if o.Timeout == 0 {
		o.Timeout = 60 * time.Second
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(Path),
		chromedp.Flag("headless", true), chromedp.Flag("no-sandbox", true), chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true), chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("lang", "en-GB"), chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(max(o.Width, 500), o.Height),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelB := chromedp.NewContext(actx)
	ctx, cancelC := context.WithTimeout(ctx, o.Timeout)
	t.Cleanup(func() { cancelC(); cancelB(); cancelA() })
	require.NoError(t, chromedp.Do(ctx), "start Chromium")
	return ctx
}

// WithoutScript opens a tab of the browser ctx drives, in a browser context of its own (cookies
// not shared with ctx's tabs), with the page's scripts switched off
// (Emulation.setScriptExecutionDisabled), as a browser that runs no JavaScript shows a page; the
// test's own queries (chromedp's selectors, Evaluate, Axe) still run. It is closed when t ends.
func WithoutScript(t testing.TB, ctx context.Context) context.Context {
	t.Helper()
	tab, cancel := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	require.NoError(t, chromedp.Do(tab, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	})), "switch scripts off")
	return tab
}

// Finding is one axe-core violation: its rule id, impact ("minor", "moderate", "serious" or
// "critical"), the rule's help text and the CSS selectors of up to five elements it concerns.
type Finding struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []string `json:"target"`
	} `json:"nodes"`
}

// Axe injects axe-core 4.14.1 into the page ctx shows and returns its violations (WCAG rules as
// axe-core's defaults run them).
func Axe(t testing.TB, ctx context.Context) []Finding {
	t.Helper()
	ran, err := chromedp.Run(ctx, chromedp.Evaluate[bool](axeScript+";typeof axe.run === 'function'"))
	require.NoError(t, err, "inject axe-core")
	require.True(t, ran, "axe-core loaded")
	found, err := chromedp.Run(ctx, chromedp.Evaluate[[]Finding](`axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map(n => ({target: n.target}))})))`,
		chromedp.EvalAwaitPromise))
	require.NoError(t, err, "run axe-core")
	return found
}

// AssertAccessible runs Axe on the page ctx shows and fails t on each serious or critical finding,
// naming page (what the page is, for the message); every finding is logged.
func AssertAccessible(t testing.TB, ctx context.Context, page string) {
	t.Helper()
	for _, v := range Axe(t, ctx) {
		t.Logf("axe on %s: %s (%s): %s %v", page, v.ID, v.Impact, v.Help, v.Nodes)
		assert.NotContains(t, []string{"serious", "critical"}, v.Impact, "axe-core on %s: %s: %s %v", page, v.ID, v.Help, v.Nodes)
	}
}
