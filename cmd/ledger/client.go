package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// getJSON GETs path from the server named by --server and decodes the JSON answer into v. A problem
// answer (RFC 9457) becomes an error carrying its detail; 4xx answers are usage errors (exit 2).
func (a *app) getJSON(ctx context.Context, path string, v any) error {
	return a.doJSON(ctx, http.MethodGet, path, nil, v)
}

// doJSON sends a request with an optional JSON body to the --server and decodes the answer into v.
func (a *app) doJSON(ctx context.Context, method, path string, body any, v any) error {
	if a.server == "" {
		return usageErrorf("--server URL is required for this command")
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = strings.NewReader(string(b))
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(a.server, "/")+path, rd)
	if err != nil {
		return usageErrorf("--server %q: %v", a.server, err)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	client := &http.Client{Timeout: 60 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("ask %s: %w", a.server, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		var p struct {
			Title  string `json:"title"`
			Detail string `json:"detail"`
		}
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		msg := strings.TrimSpace(string(b))
		if json.Unmarshal(b, &p) == nil && (p.Detail != "" || p.Title != "") {
			msg = strings.TrimSpace(p.Title + ": " + p.Detail)
		}
		err := fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, msg)
		if resp.StatusCode < 500 {
			return &usageError{msg: err.Error()}
		}
		return err
	}
	if v == nil {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		return fmt.Errorf("%s %s: reading the answer: %w", method, path, err)
	}
	return nil
}
