package web_test

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/internal/browsertest"
)

// TestFormsWithoutScript: with scripts switched off, a clerk proposes a partnership on the generated
// form (a second source added by its button, boxes ticked), a council joins, and a cost share is
// recorded after a share row is removed by its button (the values typed kept); a blank form's error
// summary names each field and links to it. The forms and an error summary pass axe-core (checked in
// a tab that runs script: axe needs it). The clerk's browsing is accept_test.go's clerkBrowser.
func TestFormsWithoutScript(t *testing.T) {
	srv := newServer(t)
	ctx := browsertest.Start(t, browsertest.Options{Timeout: 3 * time.Minute}) // many round trips, on a shared machine
	signIn := func(tab context.Context, next, wait string) {
		require.NoError(t, chromedp.Do(tab,
			chromedp.Navigate(srv.URL+"/signin?next="+next),
			chromedp.WaitVisible(chromedp.ID("token")),
			chromedp.SetValue(chromedp.ID("token"), clerkToken),
			chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type=submit]`)),
			chromedp.WaitVisible(chromedp.ID(wait)),
		))
	}
	// axe-core needs the page's scripts: the forms are checked in a tab that runs them.
	signIn(ctx, "/partnerships/new", "f-data-name")
	browsertest.AssertAccessible(t, ctx, "the propose form")
	require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.ID("submit")), chromedp.WaitVisible(chromedp.ID("error-summary"))))
	browsertest.AssertAccessible(t, ctx, "the propose form with its problems")
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(srv.URL+gnn+"/record?type=CostShareAgreed"), chromedp.WaitVisible(chromedp.ID("submit"))))
	browsertest.AssertAccessible(t, ctx, "the cost share form")

	tab := browsertest.WithoutScript(t, ctx)
	signIn(tab, "/partnerships/new", "f-data-name")
	// Sent blank: the error summary names each field and links to it.
	require.NoError(t, chromedp.Do(tab, chromedp.Click(chromedp.ID("submit")), chromedp.WaitVisible(chromedp.ID("error-summary"))))
	summary := text(t, tab, "error-summary")
	assert.Contains(t, summary, "Name: is required")
	assert.Contains(t, summary, "Certainty: ")
	broken, err := chromedp.Run(tab, chromedp.Evaluate[int](`Array.from(document.querySelectorAll('#error-summary a')).filter(a => !document.getElementById(a.hash.slice(1))).length`))
	require.NoError(t, err)
	assert.Zero(t, broken, "every summary link goes to a field")

	b := &clerkBrowser{t: t, ctx: tab, base: srv.URL}
	for _, tf := range everyTypeForm()[:2] { // the proposal (a second source added by its button), then a council joining
		if tf.Type != domain.TypePartnershipProposed {
			b.do("open "+tf.Type, chromedp.Navigate(srv.URL+"/partnerships/"+everyTypeSlug+"/record?type="+tf.Type), chromedp.WaitVisible(chromedp.ID("submit")))
		}
		b.record(tf.Type, tf.Values)
	}

	// A share row removed, then added back by its button: the values typed stay.
	tf := formOf(t, domain.TypeCostShareAgreed)
	require.NoError(t, chromedp.Do(tab, chromedp.Navigate(srv.URL+"/partnerships/"+everyTypeSlug+"/record?type="+tf.Type),
		chromedp.WaitVisible(chromedp.ID("submit"))))
	b.do("type the subject", chromedp.SetValue(chromedp.ID("f-data-subject"), "Joint chief executive"))
	b.send("remove a share", chromedp.Click(chromedp.CSS(`button[value="remove:/data/shares/2"]`)))
	rows, err := chromedp.Run(tab, chromedp.Evaluate[int](`document.querySelectorAll('#f-data-shares .list-row').length`))
	require.NoError(t, err)
	assert.Equal(t, 2, rows)
	subject, err := chromedp.Run(tab, chromedp.Value(chromedp.ID("f-data-subject")))
	require.NoError(t, err)
	assert.Equal(t, "Joint chief executive", subject, "kept through the round trip")
	b.record(tf.Type, tf.Values)
}
