package audit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

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
