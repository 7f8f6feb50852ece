package bolt

import "os"

// zeroAhead writes zeros into a bbolt file past its used pages, through its own descriptor.
//
// bbolt grows its file with ftruncate, which leaves a hole: the first write into a hole allocates
// blocks, and the fdatasync after it must then commit the file system's metadata as well. Measured on
// this project's machine (ext4, virtual disk): a commit's two fdatasyncs take 0.49 ms after writing
// into a hole and 0.34 ms after writing over blocks already written. So the commit loop keeps written
// zeros ahead of the used pages. Only pages past the committed high-water mark are written, and only
// between write transactions, so bbolt never has a page there in use; with the file already long
// enough, bbolt's own grow step (truncate and fsync) is skipped, and ensure's fsync stands in for it.
type zeroAhead struct {
	f   *os.File
	end int64 // zeros are written and synced up to here
	buf []byte
}

func newZeroAhead(path string) *zeroAhead {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return nil
	}
	return &zeroAhead{f: f, buf: make([]byte, 1<<20)}
}

// ensure keeps between ahead/2 and ahead bytes of zeros past used, where ahead is an eighth of the
// file, at least 1 MiB and at most 32 MiB. used must be the committed high-water mark (tx.Size()),
// with no write transaction open.
func (z *zeroAhead) ensure(used int64) error {
	ahead := min(max(used/8, 1<<20), 32<<20)
	if z.end-used >= ahead/2 {
		return nil
	}
	from, to := max(z.end, used), used+ahead
	for off := from; off < to; off += int64(len(z.buf)) {
		n := min(int64(len(z.buf)), to-off)
		if _, err := z.f.WriteAt(z.buf[:n], off); err != nil {
			return err
		}
	}
	if err := z.f.Sync(); err != nil {
		return err
	}
	z.end = to
	return nil
}

func (z *zeroAhead) close() { z.f.Close() }
