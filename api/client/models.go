package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/partnership-ledger/ledger/projections"
)

// View starts every read model's answer: the partnership's slug and the point in both times the model
// was taken at (as_of, a date YYYY-MM-DD; known_at, the last seq of the log it reflects, the
// recorded_at that seq stands for and the value asked for).
type View struct {
	Partnership string `json:"partnership"`
	projections.Axes
}

// AppointmentsView is GET /v1/partnerships/{id}/appointments: the partnership's appointments at the
// view's point, as in the state's "appointments".
type AppointmentsView struct {
	View
	Appointments []projections.Appointment `json:"appointments"`
}

// ServicesView is GET /v1/partnerships/{id}/services: the services and their delivery at the view's
// point, as in the state's "services".
type ServicesView struct {
	View
	Services []projections.Service `json:"services"`
}

// SavingsView is GET /v1/partnerships/{id}/savings: targets, reported savings and costs per council,
// in integer pence, as in the state's "savings". A net that cannot be worked out (one-off costs not
// recorded) is null (a nil pointer).
type SavingsView struct {
	View
	Savings projections.Savings `json:"savings"`
}

// DecisionsView is GET /v1/partnerships/{id}/decisions: the decisions taken, as in the state's
// "decisions".
type DecisionsView struct {
	View
	Decisions []projections.Decision `json:"decisions"`
}

// Appointments is GET /v1/partnerships/{id}/appointments at q. Errors as State's.
func (c *Client) Appointments(ctx context.Context, slug string, q Query) (*AppointmentsView, error) {
	return model(c, ctx, slug, "appointments", q, func(v *AppointmentsView) string { return v.Partnership })
}

// Services is GET /v1/partnerships/{id}/services at q. Errors as State's.
func (c *Client) Services(ctx context.Context, slug string, q Query) (*ServicesView, error) {
	return model(c, ctx, slug, "services", q, func(v *ServicesView) string { return v.Partnership })
}

// Savings is GET /v1/partnerships/{id}/savings at q. Errors as State's.
func (c *Client) Savings(ctx context.Context, slug string, q Query) (*SavingsView, error) {
	return model(c, ctx, slug, "savings", q, func(v *SavingsView) string { return v.Partnership })
}

// Decisions is GET /v1/partnerships/{id}/decisions at q. Errors as State's.
func (c *Client) Decisions(ctx context.Context, slug string, q Query) (*DecisionsView, error) {
	return model(c, ctx, slug, "decisions", q, func(v *DecisionsView) string { return v.Partnership })
}

// Timeline is GET /v1/partnerships/{id}/timeline at q: the events in effect on q's as_of as known at
// its known_at, in effective-date order (corrected content shown, retractions left out), and the
// corrections and retractions recorded. Errors as State's.
func (c *Client) Timeline(ctx context.Context, slug string, q Query) (*projections.Timeline, error) {
	return model(c, ctx, slug, "timeline", q, func(v *projections.Timeline) string { return v.Partnership })
}

// model GETs the read model name of partnership slug at q; of gives the answer's partnership member. A
// partnership with nothing recorded is a *Problem with status 404; a malformed slug or query one with
// status 400 naming the parameter. An answer that is another partnership's, or lacks the view's
// members, is a *TransportError.
func model[T any](c *Client, ctx context.Context, slug, name string, q Query, of func(*T) string) (*T, error) {
	var v T
	path := withQuery("/v1/partnerships/"+url.PathEscape(slug)+"/"+name, q.values())
	if err := c.getJSON(ctx, path, MaxViewBytes, &v, "partnership", "as_of", "known_at"); err != nil {
		return nil, err
	}
	if got := of(&v); got != slug {
		return nil, c.fail(http.MethodGet, path, "the answer is the %s of partnership %q, not of %q", name, cut(got, 100), slug)
	}
	return &v, nil
}
