package audit

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"runtime"
	"strconv"
	"sync"

	"github.com/google/uuid"

	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/fault"
)

// MaxExportLine bounds one line of an export file: an event's JSON with its payload (at most
// eventstore.MaxDataBytes) and sources.
const MaxExportLine = 16 << 20

// Export writes the store's global log to w as JSON Lines, one event per line in seq order with every
// envelope field (the JSON form of eventstore.Event). Data and sources are written byte for byte as
// stored (canonical JSON, no HTML escaping), so every hash can be recomputed from the file. It returns
// the number of events written; errors are the store's or w's.
func Export(ctx context.Context, store eventstore.Store, w io.Writer) (uint64, error) {
	return ExportEvents(ctx, store.ReadAll(ctx, 0, eventstore.Forward, 0), w)
}

// ExportEvents writes events, given in seq order from any source (a store, a server's pages), to w as
// Export does: the same bytes for the same events. It stops at the first error events yields.
func ExportEvents(ctx context.Context, events iter.Seq2[eventstore.Event, error], w io.Writer) (uint64, error) {
	bw := bufio.NewWriterSize(w, 1<<16)
	enc := json.NewEncoder(bw)
	// HTML escaping would rewrite '<', '>' and '&' inside data, which is hashed byte for byte.
	enc.SetEscapeHTML(false)
	var n uint64
	for e, err := range events {
		if err != nil {
			return n, fmt.Errorf("export: %w", err)
		}
		if err := enc.Encode(e); err != nil {
			return n, fmt.Errorf("export seq %d: %w", e.Seq, err)
		}
		n++
	}
	if err := bw.Flush(); err != nil {
		return n, fmt.Errorf("export: %w", err)
	}
	return n, nil
}

// Salvage writes, as Export does, the events of a damaged store that still verify: from seq 1 up to,
// not including, the first event that cannot be read or does not verify (eventstore.ChainVerifier, ids
// never reused). It returns how many events it wrote and the reason it stopped early: nil when the
// whole log verified, else the read error or a *BadEvent naming the first bad event. The error is w's
// (or ctx's).
func Salvage(ctx context.Context, store eventstore.Store, w io.Writer) (written uint64, stopped error, err error) {
	bw := bufio.NewWriterSize(w, 1<<16)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	var v eventstore.ChainVerifier
	ids := map[uuid.UUID]uint64{}
	for e, rerr := range store.ReadAll(ctx, 0, eventstore.Forward, 0) {
		if rerr != nil {
			if ctx.Err() != nil {
				return written, nil, ctx.Err()
			}
			stopped = rerr
			break
		}
		if cerr := v.Add(e); cerr != nil {
			var ce *eventstore.ChainError
			if errors.As(cerr, &ce) {
				cerr = &BadEvent{Seq: ce.Seq, ID: ce.ID, Stream: ce.Stream, Field: ce.Field, Want: ce.Want, Got: ce.Got}
			}
			stopped = cerr
			break
		}
		if first, seen := ids[e.ID]; seen {
			stopped = &BadEvent{Seq: e.Seq, ID: e.ID, Stream: e.Stream, Field: "id", Want: "an id not used before", Got: fmt.Sprintf("the id of seq %d", first)}
			break
		}
		ids[e.ID] = e.Seq
		if err := enc.Encode(e); err != nil {
			return written, nil, fmt.Errorf("export seq %d: %w", e.Seq, err)
		}
		written++
	}
	if err := bw.Flush(); err != nil {
		return written, stopped, fmt.Errorf("export: %w", err)
	}
	return written, stopped, nil
}

// ExportLineError reports a line of an export file that is not an event envelope. It matches
// ErrBadExport.
type ExportLineError struct {
	Line int // 1-based
	Err  error
}

// Error names the line and what is wrong with it, in people's words (fault.JSONProblem): "export
// line 1: /seq: must be a whole number, not a JSON string".
func (e *ExportLineError) Error() string {
	return "export line " + strconv.Itoa(e.Line) + ": " + e.problem()
}

// problem is what is wrong with the line: the pointer of the member at fault, when known, and why.
func (e *ExportLineError) problem() string {
	ptr, why := fault.JSONProblem(e.Err)
	if ptr == "" {
		return why
	}
	return ptr + ": " + why
}

// Fault describes the line for people: fault.Malformed (bad input), its message naming the line
// and the member at fault; the command that read the file names the file.
func (e *ExportLineError) Fault() *fault.Error {
	return &fault.Error{Kind: fault.Malformed, Message: e.Error(), Err: e.Err}
}

// Unwrap returns the decoding error.
func (e *ExportLineError) Unwrap() error { return e.Err }

// Is makes an *ExportLineError match ErrBadExport.
func (e *ExportLineError) Is(target error) bool { return target == ErrBadExport }

// ReadExport decodes an export file: one JSON event envelope per line (blank lines are skipped).
// Data and sources are kept byte for byte (Export writes them canonical), since the hashes cover
// those bytes. Unknown fields, a missing data or sources member, trailing data on a line and lines
// over MaxExportLine bytes are refused with an *ExportLineError (ErrBadExport); a read error is
// yielded wrapped. The sequence stops at the first error, which it yields with a zero Event. It checks
// nothing else: see VerifyEvents.
//
// Lines are decoded on several goroutines (encoding/json is the slow part) and yielded in file order.
// r is read only while the sequence is being iterated: every goroutine has stopped when it returns.
func ReadExport(r io.Reader) iter.Seq2[eventstore.Event, error] {
	return func(yield func(eventstore.Event, error) bool) {
		workers := max(1, runtime.GOMAXPROCS(0))
		jobs := make(chan *decodeJob, workers)
		order := make(chan *decodeJob, 2*workers)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		defer wg.Wait()
		defer close(stop)

		wg.Add(1)
		go func() { // split the file into chunks of lines, in order
			defer wg.Done()
			defer close(order)
			defer close(jobs)
			lr := lineReader{br: bufio.NewReaderSize(r, 1<<16)}
			for {
				job := &decodeJob{done: make(chan struct{})}
				var err error
				for size := 0; len(job.raw) < decodeChunk && size < decodeChunkBytes && err == nil; {
					var b []byte
					b, err = lr.next()
					if len(b) > 0 {
						job.lines = append(job.lines, lr.line)
						job.raw = append(job.raw, b)
						size += len(b)
					}
				}
				if !errors.Is(err, io.EOF) {
					job.readErr = err
				}
				for _, ch := range []chan *decodeJob{jobs, order} {
					select {
					case ch <- job:
					case <-stop:
						return
					}
				}
				if err != nil {
					return
				}
			}
		}()
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for job := range jobs {
					job.decode()
				}
			}()
		}

		for job := range order {
			<-job.done
			for _, e := range job.events {
				if !yield(e, nil) {
					return
				}
			}
			if job.err != nil {
				yield(eventstore.Event{}, job.err)
				return
			}
		}
	}
}

// decodeChunk is how many lines one decoding job holds, and decodeChunkBytes how many bytes of lines
// it takes before it is full (a line may pass it alone): the lines read ahead of the events yielded
// are bounded by bytes as well as by count, so an export of large events is not held in memory whole
// (40 lines of 14 MiB were read at once, 1.5 GB, before the first was refused).
const (
	decodeChunk      = 256
	decodeChunkBytes = 4 << 20
)

// decodeJob is a chunk of consecutive lines and, once done is closed, their events: every event
// before the first error, and that error.
type decodeJob struct {
	lines   []int
	raw     [][]byte
	readErr error // after the last line
	events  []eventstore.Event
	err     error
	done    chan struct{}
}

func (j *decodeJob) decode() {
	defer close(j.done)
	j.events = make([]eventstore.Event, 0, len(j.raw))
	for i, b := range j.raw {
		e, err := decodeEvent(b)
		if err != nil {
			j.err = &ExportLineError{Line: j.lines[i], Err: err}
			return
		}
		j.events = append(j.events, e)
	}
	j.err = j.readErr
	j.raw = nil
}

// lineReader splits an export file into lines.
type lineReader struct {
	br   *bufio.Reader
	line int // number of the line last returned
	long []byte
}

// next returns the next line without surrounding white space, copied (empty for a blank line). At
// the end it returns io.EOF, possibly with a last line that had no newline.
func (lr *lineReader) next() ([]byte, error) {
	lr.line++
	b, err := lr.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		lr.long = append(lr.long[:0], b...)
		for errors.Is(err, bufio.ErrBufferFull) && len(lr.long) <= MaxExportLine {
			b, err = lr.br.ReadSlice('\n')
			lr.long = append(lr.long, b...)
		}
		if len(lr.long) > MaxExportLine {
			return nil, &ExportLineError{Line: lr.line, Err: fmt.Errorf("longer than %d bytes", MaxExportLine)}
		}
		b = lr.long
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("export line %d: %w", lr.line, err)
	}
	return bytes.Clone(bytes.TrimSpace(b)), err
}

// decodeEvent decodes one envelope strictly: no unknown fields, nothing after the object.
func decodeEvent(b []byte) (eventstore.Event, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var e eventstore.Event
	if err := dec.Decode(&e); err != nil {
		return eventstore.Event{}, err
	}
	if dec.More() {
		return eventstore.Event{}, errors.New("unexpected data after the event object")
	}
	if e.Data == nil || e.Sources == nil {
		return eventstore.Event{}, errors.New("data and sources are required")
	}
	return e, nil
}

// MismatchError reports a copied or imported event that the target store stored differently from
// the source (another seq, id, revision, recorded_at or hash). It matches ErrTampered: the copy is
// not faithful.
type MismatchError struct {
	Seq   uint64
	Field string
	Want  string // as the source has it
	Got   string // as stored
}

// Error names the event and the field stored differently.
func (e *MismatchError) Error() string {
	return fmt.Sprintf("event seq %d was stored with %s %s, the source has %s", e.Seq, e.Field, e.Got, e.Want)
}

// Is makes a *MismatchError match ErrTampered.
func (e *MismatchError) Is(target error) bool { return target == ErrTampered }

// Import loads an export file into a store with Copy, keeping ids, recorded_at, order and hence
// every revision, seq and hash: it verifies the whole file and writes nothing unless it is intact
// (and every event fits the store), then appends, then reads the store back and verifies it. A store
// that already holds the file's first events is completed (an import that stopped part-way resumes;
// importing the same file again writes nothing).
//
// Verification needs two passes over r: if r can seek it is rewound (and the second pass must find the
// hashes the first verified), otherwise (a pipe) it is read into memory first.
//
// Errors: as Copy (ErrStoreNotEmpty; *BadEvent; *EventTooLargeError; *MismatchError; ErrTampered if
// the file changes between the passes), and an *ExportLineError (ErrBadExport) for a malformed line.
// It is not safe to run two imports, or an import and other appends, on one store at once.
func Import(ctx context.Context, store eventstore.Store, r io.Reader, opts CopyOptions) (CopyReport, error) {
	// A pipe (stdin) is an *os.File too, but cannot seek: buffer it.
	rs, ok := r.(io.ReadSeeker)
	var start int64
	var err error
	if ok {
		start, err = rs.Seek(0, io.SeekCurrent)
		ok = err == nil
	}
	if !ok {
		b, err := io.ReadAll(r)
		if err != nil {
			return CopyReport{}, fmt.Errorf("read the export: %w", err)
		}
		rs, start = bytes.NewReader(b), 0
	}
	read := false
	file := func() iter.Seq2[eventstore.Event, error] {
		if read { // rewind for the second pass
			if _, err := rs.Seek(start, io.SeekStart); err != nil {
				return func(yield func(eventstore.Event, error) bool) { yield(eventstore.Event{}, err) }
			}
		}
		read = true
		return ReadExport(rs)
	}
	return Copy(ctx, store, file, opts)
}
