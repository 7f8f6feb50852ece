package audit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/partnership-ledger/ledger/fault"
)

// FileTooLargeError is a file named by a user that holds more than a command reads of it.
type FileTooLargeError struct {
	Path string
	Max  int64 // bytes
}

func (e *FileTooLargeError) Error() string {
	return fmt.Sprintf("%s is larger than %d bytes", e.Path, e.Max)
}

// ErrFileTooLarge matches every *FileTooLargeError.
var ErrFileTooLarge = errors.New("file too large")

func (e *FileTooLargeError) Is(target error) bool { return target == ErrFileTooLarge }

// Fault is the error for people: the file is too large (fault.TooLarge, bad input).
func (e *FileTooLargeError) Fault() *fault.Error {
	return &fault.Error{Kind: fault.TooLarge, Message: fmt.Sprintf("the file %s is larger than %d bytes, more than a file of its kind holds", e.Path, e.Max), Err: e}
}

// ReadFileAtMost reads the file at path whole when it holds at most max bytes. A larger one, or one
// that never ends (/dev/zero, /dev/urandom), is a *FileTooLargeError once max+1 bytes are read:
// nothing a user names on a command line is read without a bound. Errors opening or reading the file
// are os's (fs.ErrNotExist, fs.ErrPermission, ...), as os.ReadFile's.
func ReadFileAtMost(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	buf := bytes.Buffer{}
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() && st.Size() <= max {
		buf.Grow(int(st.Size()) + 512) // one allocation for a file that fits; others grow up to max+1
	}
	_, err = buf.ReadFrom(io.LimitReader(f, max+1))
	b := buf.Bytes()
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, &FileTooLargeError{Path: path, Max: max}
	}
	return b, nil
}

// writeSyncedTemp writes b to a new file of mode 0600 in dir (named by pattern, as os.CreateTemp),
// syncs and closes it, and returns its name; on an error it removes it.
func writeSyncedTemp(dir, pattern string, b []byte) (name string, err error) {
	tmp, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return "", err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(0o600); err != nil {
		return "", err
	}
	if _, err := tmp.Write(b); err != nil {
		return "", err
	}
	if err := tmp.Sync(); err != nil {
		return "", err
	}
	return tmp.Name(), tmp.Close()
}

// ReplaceFile replaces the file at path with b (mode 0600) so that a crash leaves the old file or the
// new one whole, never a part: b is written to a temporary file in the same directory and synced,
// renamed over path, and the directory is synced. Errors are os's.
func ReplaceFile(path string, b []byte) error {
	dir := filepath.Dir(path)
	tmp, err := writeSyncedTemp(dir, ".tmp-"+filepath.Base(path)+"-*", b)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
