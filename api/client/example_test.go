package client_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/partnership-ledger/ledger/api"
	"github.com/partnership-ledger/ledger/api/client"
	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/demo"
	"github.com/partnership-ledger/ledger/domain/recording"
	"github.com/partnership-ledger/ledger/eventstore/memstore"
	"github.com/partnership-ledger/ledger/projections"
	"github.com/partnership-ledger/ledger/tokens"
)

// demoServer is a real ledger server (api.NewServer) over an in-memory store seeded with the Norfolk
// demo, its read models and Merkle tree caught up, and a recorder token. stop ends it.
type demoServer struct {
	URL, Recorder string
	stop          func()
}

func startDemoServer() demoServer {
	ctx, cancel := context.WithCancel(context.Background())
	store := memstore.New(memstore.Options{})
	if _, err := demo.SeedStore(ctx, store); err != nil {
		log.Fatal(err)
	}
	key, err := audit.NewKey()
	if err != nil {
		log.Fatal(err)
	}
	models := projections.NewModels(projections.Options{})
	alog := audit.NewLog(store, key)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); projections.NewRunner(store, models).Run(ctx) }()
	go func() { defer wg.Done(); alog.Run(ctx) }()
	ts := tokens.New(store, nil)
	rec, err := ts.Issue(ctx, tokens.RoleRecorder, "example recorder", "example")
	if err != nil {
		log.Fatal(err)
	}
	head, err := store.Head(ctx)
	if err != nil {
		log.Fatal(err)
	}
	wait, done := context.WithTimeout(ctx, 10*time.Second)
	defer done()
	if err := errors.Join(models.WaitFor(wait, head.Seq), alog.WaitFor(wait, head.Seq)); err != nil {
		log.Fatal(err)
	}
	srv := httptest.NewServer(api.NewServer(api.Config{Store: store, Models: models, Log: alog,
		Recorder: recording.New(store, nil), Tokens: ts}))
	return demoServer{URL: srv.URL, Recorder: rec.Token, stop: func() { srv.Close(); cancel(); wg.Wait() }}
}

// Reading a partnership's state on a date: the councils and the shared officers of the Norfolk demo
// on 7 November 2015, the day the shared management began.
func ExampleClient_State() {
	demo := startDemoServer()
	defer demo.stop()

	c, err := client.New(demo.URL, "") // reads need no token unless the server is private
	if err != nil {
		log.Fatal(err)
	}
	st, err := c.State(context.Background(), "great-yarmouth-north-norfolk", client.Query{AsOf: "2015-11-07"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(st.Name, "as of", st.AsOf)
	for _, p := range st.Partners {
		fmt.Println("partner:", p.Council)
	}
	for _, a := range st.Appointments {
		fmt.Printf("%s, %s, since %s\n", a.Officer, a.Post, a.Since)
	}
	// Output:
	// Great Yarmouth and North Norfolk shared management as of 2015-11-07
	// partner: great-yarmouth
	// partner: north-norfolk
	// Sheila Oxtoby, chief-executive, since 2015-11-07
	// Karen Sly, chief-finance-officer, since 2015-11-07
}

// Reading one read model: the savings per council and financial year, in integer pence; a figure not
// recorded is nil (JSON null), never 0.
func ExampleClient_Savings() {
	demo := startDemoServer()
	defer demo.stop()

	c, err := client.New(demo.URL, "")
	if err != nil {
		log.Fatal(err)
	}
	v, err := c.Savings(context.Background(), "great-yarmouth-north-norfolk", client.Query{AsOf: "2016-03-31"})
	if err != nil {
		log.Fatal(err)
	}
	for _, y := range v.Savings.Years {
		for _, cs := range y.Councils {
			fmt.Printf("%s %s: forecast %v, one-off costs recorded: %t\n", y.Label, cs.Council, cs.ForecastPence, cs.OneOffCostsPence != nil)
		}
	}
	// Output:
	// 2015/16 great-yarmouth: forecast £40,000, one-off costs recorded: false
	// 2015/16 north-norfolk: forecast £40,000, one-off costs recorded: false
}

// Recording an event with a recorder token: the answer's ETag (the stream's revision) makes the next
// record conditional, and an Idempotency-Key makes a retry safe.
func ExampleClient_Record() {
	demo := startDemoServer()
	defer demo.stop()

	c, err := client.New(demo.URL, demo.Recorder)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	req := client.RecordRequest{
		Type:        domain.TypeSavingsReported,
		EffectiveOn: "2016-03-01",
		Certainty:   "reported",
		Sources:     []domain.SourceRef{{Kind: domain.SourcePress, Title: "EDP, 1 March 2016"}},
		Data: map[string]any{"council": "north-norfolk", "financial_year": 2015, "category": "shared management",
			"amount_pence": 4200000, "status": "forecast", "period_to": "2016-03-31"},
	}
	first, err := c.Record(ctx, "great-yarmouth-north-norfolk", req, client.RecordOptions{IdempotencyKey: "edp-2016-03-01"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("recorded", first.Event.Type, "in", first.Event.Stream)
	fmt.Println("ETag is its revision:", first.ETag == fmt.Sprintf(`"%d"`, first.Event.Revision))

	// The same key and body again (a retry after a lost answer) records nothing.
	again, err := c.Record(ctx, "great-yarmouth-north-norfolk", req, client.RecordOptions{IdempotencyKey: "edp-2016-03-01"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("replayed:", again.Replayed, "same event:", again.Event.ID == first.Event.ID)

	// The event as the log serves it, by its id.
	e, err := c.Event(ctx, first.Event.ID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(e.Seq == first.Event.Seq, string(e.Data))

	// A bad amount is refused, naming the member at fault.
	req.Data = map[string]any{"council": "north-norfolk", "financial_year": 2015, "category": "shared management",
		"amount_pence": 4200000.5, "status": "forecast", "period_to": "2016-03-31"}
	_, err = c.Record(ctx, "great-yarmouth-north-norfolk", req, client.RecordOptions{IfMatch: first.ETag})
	var p *client.Problem
	if errors.As(err, &p) {
		fmt.Println(p.Status, p.Pointer())
	}
	// Output:
	// recorded SavingsReported in partnership-great-yarmouth-north-norfolk
	// ETag is its revision: true
	// replayed: true same event: true
	// true {"amount_pence":4200000,"category":"shared management","council":"north-norfolk","financial_year":2015,"period_to":"2016-03-31","status":"forecast"}
	// 400 /data/amount_pence
}

// A conditional record (RFC 9110 §13.1.1): If-Match carries the entity-tag of the stream as last read;
// when another record came first the answer is 412, nothing is recorded, and the problem carries the
// current ETag to retry with once the change has been read.
func ExampleProblem_IsPreconditionFailed() {
	demo := startDemoServer()
	defer demo.stop()

	c, err := client.New(demo.URL, demo.Recorder)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	req := savingsRequest(4200000) // a SavingsReported, as in the Record example

	_, err = c.Record(ctx, "great-yarmouth-north-norfolk", req, client.RecordOptions{IfMatch: `"0"`}) // long stale
	var p *client.Problem
	if !errors.As(err, &p) || !p.IsPreconditionFailed() {
		log.Fatalf("want a 412, got %v", err)
	}
	fmt.Println(p.Status, p.Title, "- the ETag names the current revision:", p.ETag == fmt.Sprintf(`"%d"`, *p.CurrentRevision))

	// (Read what changed, decide the event still holds, then) retry with the current tag.
	rec, err := c.Record(ctx, "great-yarmouth-north-norfolk", req, client.RecordOptions{IfMatch: p.ETag})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("recorded at the next revision:", rec.Event.Revision == *p.CurrentRevision+1)
	// Output:
	// 412 Precondition failed - the ETag names the current revision: true
	// recorded at the next revision: true
}
