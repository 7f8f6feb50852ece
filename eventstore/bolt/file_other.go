//go:build !unix

package bolt

import (
	"io"
	"os"
	"time"
)

// lockShared is a no-op where flock is not available: bbolt's own lock still guards the open.
func lockShared(f *os.File, timeout time.Duration) (bool, error) { return true, nil }

func unlock(f *os.File) {}

// mapFile reads the file into memory where mmap is not available.
func mapFile(f *os.File, size int64) ([]byte, func(), error) {
	b := make([]byte, size)
	if _, err := io.ReadFull(io.NewSectionReader(f, 0, size), b); err != nil {
		return nil, nil, err
	}
	return b, func() {}, nil
}
