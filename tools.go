//go:build tools

// Package ledger pins the modules the project depends on before every package uses them.
package ledger

import (
	_ "github.com/EventStore/EventStore-Client-Go/v4/esdb"
	_ "github.com/chromedp/chromedp"
	_ "github.com/go-pdf/fpdf"
	_ "github.com/google/uuid"
	_ "github.com/stretchr/testify/require"
	_ "go.etcd.io/bbolt"
	_ "golang.org/x/image/font/gofont/goregular"
	_ "google.golang.org/grpc"
)
