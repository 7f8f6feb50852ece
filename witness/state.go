package witness

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"go.etcd.io/bbolt"

	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/fault"
)

// StateFile is the name of the witness's state file inside its --state directory.
const StateFile = "witness.db"

// logsBucket holds one record per log, keyed by the log's origin.
var logsBucket = []byte("logs")

// record is what the witness keeps of a log: the latest checkpoint it cosigned.
type record struct {
	Size uint64 `json:"size"`
	Root []byte `json:"root"` // HashSize bytes (base64 in JSON)
	// Checkpoint is that checkpoint as the witness serves it to monitors: the note text, the log's
	// signatures it verified and its own cosignature.
	Checkpoint []byte `json:"checkpoint"`
}

// State is the witness's durable memory: for each log origin, the latest checkpoint it cosigned. It is
// a bbolt file, so a record is written whole or not at all and is on disk (fsync) before Update
// returns: a witness killed at any moment never forgets a checkpoint it cosigned, nor half-remembers
// one. One process holds the file at a time.
type State struct {
	db *bbolt.DB
}

// Opener opens an existing bbolt file with opts. cmd/ledger passes eventstore/bolt.OpenChecked, which
// checks the file before bbolt maps it (an empty, cut short or overwritten file is a
// *eventstore.DamageError, never a crash); the layers keep that store adapter out of this package.
type Opener func(path string, opts *bbolt.Options) (*bbolt.DB, error)

// OpenState opens the existing state file StateFile in dir with open: damage is open's error (with
// bolt.OpenChecked, a *eventstore.DamageError matching eventstore.ErrCorrupt), never a fresh state. A
// missing file is an error matching fs.ErrNotExist: a witness never starts again from nothing on its
// own, since a witness that forgot what it cosigned would cosign a smaller or forked history
// (CreateState starts a new one). Another process holding it is a fault.Busy error naming the file.
func OpenState(dir string, open Opener) (*State, error) {
	path := filepath.Join(dir, StateFile)
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("witness state %s: %w", path, err)
	}
	db, err := open(path, &bbolt.Options{Timeout: time.Second})
	return wrapState(path, db, err)
}

// CreateState makes a new, empty state file StateFile in dir (creating dir, mode 0700, if missing)
// and opens it. A file already there is an error matching fs.ErrExist: it is never replaced.
func CreateState(dir string) (*State, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("witness state: %w", err)
	}
	path := filepath.Join(dir, StateFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("witness state: %w", err)
	}
	f.Close()
	// An empty file is what bbolt initialises; only this call ever hands one to it.
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second})
	return wrapState(path, db, err)
}

// wrapState checks the logs bucket of a freshly opened db (creating it in a new file).
func wrapState(path string, db *bbolt.DB, err error) (*State, error) {
	if errors.Is(err, eventstore.ErrLocked) || errors.Is(err, bbolt.ErrTimeout) {
		return nil, fault.Errorf(fault.Busy, "witness state %s is held by another process (another 'ledger witness serve'?)", path)
	}
	if err != nil {
		return nil, err
	}
	if err := db.Update(func(tx *bbolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(logsBucket)
		return err
	}); err != nil {
		db.Close()
		return nil, fmt.Errorf("witness state %s: %w", path, err)
	}
	return &State{db: db}, nil
}

// Close releases the state file.
func (s *State) Close() error { return s.db.Close() }

// get reads the record of origin; ok is false when the witness never cosigned a checkpoint of it.
func get(tx *bbolt.Tx, origin string) (rec record, ok bool, err error) {
	b := tx.Bucket(logsBucket).Get([]byte(origin))
	if b == nil {
		return record{}, false, nil
	}
	if err := json.Unmarshal(b, &rec); err != nil || len(rec.Root) != HashSize {
		return record{}, false, fmt.Errorf("witness state: the record of %q is damaged", origin)
	}
	return rec, true, nil
}

// Latest returns the checkpoint the witness last cosigned for origin, as it serves it, or ok false.
func (s *State) Latest(origin string) (checkpoint []byte, ok bool, err error) {
	err = s.db.View(func(tx *bbolt.Tx) error {
		rec, found, err := get(tx, origin)
		checkpoint, ok = rec.Checkpoint, found
		return err
	})
	return checkpoint, ok, err
}

// update runs fn on the record of origin (zero and ok false if none) in one write transaction and
// stores what it returns when it returns true. Transactions run one at a time, so the size fn checks
// is the size it replaces: two requests can never both advance a log (tlog-witness: checking the old
// size and persisting the new checkpoint "must be performed atomically").
func (s *State) update(origin string, fn func(cur record, ok bool) (next record, store bool, err error)) error {
	return s.db.Update(func(tx *bbolt.Tx) error {
		cur, ok, err := get(tx, origin)
		if err != nil {
			return err
		}
		next, store, err := fn(cur, ok)
		if err != nil || !store {
			return err
		}
		b, err := json.Marshal(next)
		if err != nil {
			return err
		}
		return tx.Bucket(logsBucket).Put([]byte(origin), b)
	})
}
