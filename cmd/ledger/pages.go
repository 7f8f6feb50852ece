package main

import (
	"net/http"

	"github.com/partnership-ledger/ledger/api"
)

// pages returns the pages for people served at "/", or nil until api/web is wired in.
func pages(cfg api.Config) http.Handler { return nil }
