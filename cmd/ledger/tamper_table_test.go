package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bbolt "go.etcd.io/bbolt"

	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/eventstore/bolt"
	"github.com/partnership-ledger/ledger/eventstore/storetest"
)

var tamperFlips = flag.Int("tamper-flips", 16, "random single-byte flips TestTamperTable tries in the used pages (and as many anywhere)")

// tamperLedger is a bolt ledger of more than 8,192 events, so that the revs and ids indexes hold
// entries (ledger-tokens among them: an admin token issued and revoked before the fillers) and serve
// reads, with a kept tree head and the public key that signed it.
type tamperLedger struct {
	path     string
	pristine []byte // the file, cut at its high-water mark: copy it before changing anything
	head     string // a tree head file kept before any tampering
	headJSON []byte
	pub      string
	token    string // the revoked admin token
	key      []byte // the tree-signing key file's bytes
	events   uint64
}

var (
	tamperOnce   sync.Once
	tamperShared tamperLedger
)

// newTamperLedger builds the ledger once per test binary and gives each caller its own head file.
func newTamperLedger(t *testing.T) tamperLedger {
	t.Helper()
	tamperOnce.Do(func() { tamperShared = buildTamperLedger(t) })
	require.NotNil(t, tamperShared.pristine, "building the ledger failed in an earlier test")
	tl := tamperShared
	tl.head = filepath.Join(t.TempDir(), "head.json")
	require.NoError(t, os.WriteFile(tl.head, tl.headJSON, 0o600))
	return tl
}

func buildTamperLedger(t *testing.T) tamperLedger {
	t.Helper()
	dir := t.TempDir()
	tl := tamperLedger{path: filepath.Join(dir, "ledger.db"), head: filepath.Join(dir, "head.json")}
	store := "bolt:" + tl.path
	issued := ledger(t, nil, "token", "issue", "--role", "admin", "--actor", "Democratic services", "--store", store)
	require.Equal(t, 0, issued.code, issued.stderr)
	var id string
	for _, line := range strings.Split(issued.stdout, "\n") {
		if v, ok := strings.CutPrefix(line, "token:"); ok {
			tl.token = strings.TrimSpace(v)
		}
		if v, ok := strings.CutPrefix(line, "token id:"); ok {
			id = strings.TrimSpace(v)
		}
	}
	require.NotEmpty(t, id, issued.stdout)
	require.Equal(t, 0, ledger(t, nil, "token", "revoke", id, "--store", store).code)

	// Fillers: enough for the commit loop to flush the index tail (8,192 entries) with the token
	// events in it, then a few single appends alternating between two streams after the flush.
	s, err := bolt.Open(tl.path, bolt.Options{})
	require.NoError(t, err)
	ctx := context.Background()
	for i := range 84 {
		batch := make([]eventstore.Event, 100)
		for j := range batch {
			batch[j] = storetest.Event("Filled", fmt.Sprintf(`{"n":%d}`, i*100+j))
		}
		_, err := s.Append(ctx, fmt.Sprintf("filler-%d", i%4), eventstore.Any, batch...)
		require.NoError(t, err)
	}
	for i := range 12 {
		_, err := s.Append(ctx, fmt.Sprintf("tail-%d", i%2), eventstore.Any, storetest.Event("Filled", fmt.Sprintf(`{"t":%d}`, i)))
		require.NoError(t, err)
	}
	h, err := s.Head(ctx)
	require.NoError(t, err)
	tl.events = h.Seq
	require.NoError(t, s.Close())

	k := ledger(t, nil, "key", "--json", "--store", store)
	require.Equal(t, 0, k.code, k.stderr)
	var key struct {
		PublicKey string `json:"public_key"`
	}
	require.NoError(t, json.Unmarshal([]byte(k.stdout), &key))
	tl.pub = key.PublicKey
	th := ledger(t, nil, "tree-head", "--store", store, "-o", tl.head)
	require.Equal(t, 0, th.code, th.stderr)
	tl.pristine, err = os.ReadFile(tl.path)
	require.NoError(t, err)
	_, hwm := usedBytes(t, tl.pristine)
	tl.pristine = tl.pristine[:hwm] // the pages past it are unused: fewer bytes to copy per case
	tl.headJSON, err = os.ReadFile(tl.head)
	require.NoError(t, err)
	tl.key, err = os.ReadFile(keyBeside(store))
	require.NoError(t, err)
	return tl
}

// copyOf writes the pristine ledger to a new file and returns its path.
func (tl tamperLedger) copyOf(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "copy.db")
	require.NoError(t, os.WriteFile(p, tl.pristine, 0o600))
	return p
}

// edit changes a copy through bbolt, as someone holding the file could.
func edit(t *testing.T, path string, fn func(tx *bbolt.Tx) error) {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, nil)
	require.NoError(t, err)
	require.NoError(t, db.Update(fn))
	require.NoError(t, db.Close())
}

func key8(seq uint64) []byte { return binary.BigEndian.AppendUint64(nil, seq) }

// record fields a tamperer rewrites, at their offsets in bolt's stored form (eventstore/bolt/codec.go):
// version (1) ‖ id (16) ‖ uvarint revision ‖ uvarint seq ‖ stream, type (uvarint length ‖ bytes) ‖
// uvarint schema ‖ effective_on ‖ recorded_at (8, big-endian Unix ns) ‖ ...
func withSeq(v []byte, seq uint64) []byte {
	_, n1 := binary.Uvarint(v[17:])
	_, n2 := binary.Uvarint(v[17+n1:])
	out := append([]byte(nil), v[:17+n1]...)
	out = binary.AppendUvarint(out, seq)
	return append(out, v[17+n1+n2:]...)
}

// withText returns the record v with its stream name (field 0) or type (field 1) replaced (not
// re-sealed).
func withText(v []byte, field int, text string) []byte {
	i := 17
	for range 2 { // revision, seq
		_, n := binary.Uvarint(v[i:])
		i += n
	}
	for range field {
		l, n := binary.Uvarint(v[i:])
		i += n + int(l)
	}
	l, n := binary.Uvarint(v[i:])
	out := append([]byte(nil), v[:i]...)
	out = binary.AppendUvarint(out, uint64(len(text)))
	out = append(out, text...)
	return append(out, v[i+n+int(l):]...)
}

func recordedAt(v []byte) uint64 {
	i := 17
	skipVarint := func() uint64 { x, n := binary.Uvarint(v[i:]); i += n; return x }
	skipVarint()
	skipVarint()
	i += int(skipVarint()) // stream
	i += int(skipVarint()) // type
	skipVarint()
	i += int(skipVarint()) // effective_on
	return binary.BigEndian.Uint64(v[i:])
}

func metaPut(tx *bbolt.Tx, seq, rec uint64) error {
	m := tx.Bucket([]byte("meta"))
	if err := m.Put([]byte("seq"), key8(seq)); err != nil {
		return err
	}
	return m.Put([]byte("recorded_at"), key8(rec))
}

// oneLine asserts the command's output is one line with no crash in it.
func oneLine(t *testing.T, r result, what string) {
	t.Helper()
	out := strings.TrimSpace(r.stdout + r.stderr)
	assert.NotContains(t, out, "panic:", what)
	assert.NotContains(t, out, "goroutine ", what)
	assert.Equal(t, 1, strings.Count(out, "\n")+1, "%s: one line, got %q", what, out)
}

// TestTamperTable changes a bolt ledger the ways issue #17 lists and checks `ledger verify` end to
// end: exit 1 with one line for every change to a byte in use (cut tail, swap and re-seal through a
// kept tree head), nothing crashing.
func TestTamperTable(t *testing.T) {
	tl := newTamperLedger(t)
	n := tl.events
	var indexed uint64
	{
		db, err := bbolt.Open(tl.copyOf(t), 0o600, &bbolt.Options{ReadOnly: true})
		require.NoError(t, err)
		require.NoError(t, db.View(func(tx *bbolt.Tx) error {
			indexed = binary.BigEndian.Uint64(tx.Bucket([]byte("meta")).Get([]byte("indexed")))
			return nil
		}))
		require.NoError(t, db.Close())
	}
	require.Greater(t, indexed, uint64(8192), "the revs index serves reads")
	require.Greater(t, n, indexed+10, "events after the last flush")
	mid := indexed / 2

	cases := []struct {
		name     string
		change   func(t *testing.T, path string)
		needHead bool // only a kept tree head catches it
	}{
		{"delete an event", func(t *testing.T, p string) {
			edit(t, p, func(tx *bbolt.Tx) error { return tx.Bucket([]byte("events")).Delete(key8(mid)) })
		}, false},
		{"swap two events of different streams and rewrite their seq", func(t *testing.T, p string) {
			edit(t, p, func(tx *bbolt.Tx) error {
				b := tx.Bucket([]byte("events"))
				a, c := append([]byte(nil), b.Get(key8(n-3))...), append([]byte(nil), b.Get(key8(n-2))...)
				if err := b.Put(key8(n-3), withSeq(c, n-3)); err != nil {
					return err
				}
				return b.Put(key8(n-2), withSeq(a, n-2))
			})
		}, true},
		{"duplicate an event at the end", func(t *testing.T, p string) {
			edit(t, p, func(tx *bbolt.Tx) error {
				b := tx.Bucket([]byte("events"))
				v := append([]byte(nil), b.Get(key8(mid))...)
				if err := b.Put(key8(n+1), withSeq(v, n+1)); err != nil {
					return err
				}
				return metaPut(tx, n+1, recordedAt(b.Get(key8(n))))
			})
		}, false},
		{"move an event to the end", func(t *testing.T, p string) {
			edit(t, p, func(tx *bbolt.Tx) error {
				b := tx.Bucket([]byte("events"))
				v := append([]byte(nil), b.Get(key8(mid))...)
				if err := b.Delete(key8(mid)); err != nil {
					return err
				}
				if err := b.Put(key8(n+1), withSeq(v, n+1)); err != nil {
					return err
				}
				return metaPut(tx, n+1, recordedAt(b.Get(key8(n))))
			})
		}, false},
		{"cut the tail and fix the stored seq", func(t *testing.T, p string) {
			edit(t, p, func(tx *bbolt.Tx) error {
				b := tx.Bucket([]byte("events"))
				for seq := n - 4; seq <= n; seq++ {
					if err := b.Delete(key8(seq)); err != nil {
						return err
					}
				}
				return metaPut(tx, n-5, recordedAt(b.Get(key8(n-5))))
			})
		}, true},
		{"re-seal a stream forward after editing a payload", func(t *testing.T, p string) {
			resealed(t, tl, p)
		}, true},
		{"index only: drop the last seq of the ledger-tokens revs chunk", func(t *testing.T, p string) {
			dropLastTokenSeq(t, p)
		}, false},
		{"index only: point the revocation's revs entry at the issue (counts kept)", func(t *testing.T, p string) {
			repointLastTokenSeq(t, p)
		}, false},
		{"truncate into the used pages", func(t *testing.T, p string) {
			_, hwm := usedBytes(t, tl.pristine)
			require.NoError(t, os.Truncate(p, hwm/2))
		}, false},
		{"a zero-byte file", func(t *testing.T, p string) { require.NoError(t, os.Truncate(p, 0)) }, false},
		{"the buckets dropped", func(t *testing.T, p string) {
			edit(t, p, func(tx *bbolt.Tx) error {
				for _, b := range []string{"events", "revs", "ids", "meta"} {
					if err := tx.DeleteBucket([]byte(b)); err != nil {
						return err
					}
				}
				return nil
			})
		}, false},
		{"the last event missing", func(t *testing.T, p string) {
			edit(t, p, func(tx *bbolt.Tx) error { return tx.Bucket([]byte("events")).Delete(key8(n)) })
		}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := tl.copyOf(t)
			c.change(t, p)
			plain := ledger(t, nil, "verify", "--store", "bolt:"+p)
			oneLine(t, plain, "verify")
			if !c.needHead {
				assert.Equal(t, 1, plain.code, "verify without a kept head: %s%s", plain.stdout, plain.stderr)
			}
			kept := ledger(t, nil, "verify", "--store", "bolt:"+p, "--tree-head", tl.head, "--key", tl.pub)
			oneLine(t, kept, "verify --tree-head")
			assert.Equal(t, 1, kept.code, "verify with the kept head: %s%s", kept.stdout, kept.stderr)
			if c.name == "the last event missing" {
				assert.Contains(t, kept.stdout+kept.stderr, "missing")
				assert.NotContains(t, kept.stdout+kept.stderr, "unknown record version")
			}
		})
	}

	t.Run("untouched", func(t *testing.T) {
		r := ledger(t, nil, "verify", "--store", "bolt:"+tl.copyOf(t), "--tree-head", tl.head, "--key", tl.pub)
		assert.Equal(t, 0, r.code, r.stdout+r.stderr)
		assert.Contains(t, r.stdout, "it extends the kept tree head")
	})

	t.Run("random single-byte flips", func(t *testing.T) {
		seed := uint64(time.Now().UnixNano())
		t.Logf("seed %d (rerun with more flips: go test -run TestTamperTable -tamper-flips 500)", seed)
		rng := rand.New(rand.NewPCG(seed, 17))
		used, hwm := usedBytes(t, tl.pristine)
		var total int64
		for _, r := range used {
			total += r[1] - r[0]
		}
		for trial := range 2 * *tamperFlips {
			inUse := trial%2 == 0
			var off int64
			if inUse { // a byte in use: a page header, an element, a key or a value of a reachable page
				at := rng.Int64N(total)
				for _, r := range used {
					if at < r[1]-r[0] {
						off = r[0] + at
						break
					}
					at -= r[1] - r[0]
				}
			} else { // anywhere in the file, used or not
				off = rng.Int64N(int64(len(tl.pristine)))
			}
			data := append([]byte(nil), tl.pristine...)
			data[off] ^= byte(1 + rng.IntN(255))
			p := filepath.Join(t.TempDir(), "flip.db")
			require.NoError(t, os.WriteFile(p, data, 0o600))
			r := ledger(t, nil, "verify", "--store", "bolt:"+p)
			oneLine(t, r, fmt.Sprintf("flip at byte %d (page %d)", off, off/4096))
			if inUse {
				assert.Equal(t, 1, r.code, "trial %d: byte %d (page %d, used pages end at %d) flipped, verify said %q", trial, off, off/4096, hwm, r.stdout)
			}
		}
	})
}

// resealed edits the payload of the first event of stream tail-0 (after the last index flush, so no
// index names it) and re-seals that stream's chain forward: every chain verifies, only the Merkle root
// differs from the kept head's.
func resealed(t *testing.T, tl tamperLedger, p string) {
	t.Helper()
	edit(t, p, func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte("events"))
		var prev eventstore.Hash
		edited := false
		for seq := tl.events - 11; seq <= tl.events; seq++ {
			v := b.Get(key8(seq))
			e, prevAt := parseRecord(t, v)
			if e.Stream != "tail-0" {
				continue
			}
			if !edited {
				e.Data, edited = []byte(`{"t":99}`), true
			}
			e = eventstore.Seal(e, prev)
			prev = e.Hash
			out := append([]byte(nil), v[:prevAt]...)
			out = append(out, e.PrevHash[:]...)
			out = append(out, e.Hash[:]...)
			out = binary.AppendUvarint(out, uint64(len(e.Data)))
			if err := b.Put(key8(seq), append(out, e.Data...)); err != nil {
				return err
			}
		}
		return nil
	})
}

// parseRecord decodes bolt's stored form of an event (eventstore/bolt/codec.go) and returns where its
// prev_hash starts (hash and data follow it, data last).
func parseRecord(t *testing.T, v []byte) (eventstore.Event, int) {
	t.Helper()
	i := 17
	uv := func() uint64 { x, n := binary.Uvarint(v[i:]); i += n; return x }
	bs := func() []byte { n := int(uv()); b := v[i : i+n]; i += n; return b }
	var e eventstore.Event
	copy(e.ID[:], v[1:17])
	e.Revision, e.Seq = uv(), uv()
	e.Stream, e.Type = string(bs()), string(bs())
	e.Schema = int(uv())
	e.EffectiveOn = string(bs())
	e.RecordedAt = time.Unix(0, int64(binary.BigEndian.Uint64(v[i:]))).UTC()
	i += 8
	e.RecordedBy, e.Sources, e.Certainty = string(bs()), bs(), string(bs())
	copy(e.CorrelationID[:], v[i:])
	copy(e.CausationID[:], v[i+16:])
	i += 32
	prevAt := i
	copy(e.PrevHash[:], v[i:])
	copy(e.Hash[:], v[i+32:])
	i += 64
	e.Data = bs()
	require.Equal(t, eventstore.ComputeHash(e, e.PrevHash), e.Hash, "parsed seq %d whole", e.Seq)
	return e, prevAt
}

// dropLastTokenSeq removes the last seq of the ledger-tokens chunk in the revs index (the revocation).
func dropLastTokenSeq(t *testing.T, p string) {
	t.Helper()
	editLastTokenChunk(t, p, func(val []byte) ([]byte, error) { return val[:len(val)-8], nil })
}

// repointLastTokenSeq points the last entry of the ledger-tokens chunk in the revs index (the
// revocation) at the seq of the entry before it (the issue): every count stays as it was.
func repointLastTokenSeq(t *testing.T, p string) {
	t.Helper()
	editLastTokenChunk(t, p, func(val []byte) ([]byte, error) {
		if len(val) < 16 {
			return nil, fmt.Errorf("the last ledger-tokens chunk holds %d bytes, want two seqs or more", len(val))
		}
		copy(val[len(val)-8:], val[len(val)-16:len(val)-8])
		return val, nil
	})
}

// editLastTokenChunk replaces the last ledger-tokens chunk of the revs index with what fn makes of
// it (a copy), deleting it when that is empty.
func editLastTokenChunk(t *testing.T, p string, fn func(val []byte) ([]byte, error)) {
	t.Helper()
	edit(t, p, func(tx *bbolt.Tx) error {
		c := tx.Bucket([]byte("revs")).Cursor()
		prefix := []byte("ledger-tokens\x00")
		var key, val []byte
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			key, val = append([]byte(nil), k...), append([]byte(nil), v...)
		}
		if key == nil {
			return errors.New("no ledger-tokens chunk in revs")
		}
		val, err := fn(val)
		if err != nil {
			return err
		}
		if len(val) == 0 {
			return tx.Bucket([]byte("revs")).Delete(key)
		}
		return tx.Bucket([]byte("revs")).Put(key, val)
	})
}

// TestRevsEditDoesNotRevive checks that after the ledger-tokens revs chunk loses its revocation
// (one entry fewer, or the entry pointed at the issue with every count kept) the store is reported
// damaged by every way in: a server does not start (a revoked token must not work again), and an
// append to the stream fails in one line without writing (it must not chain to the wrong event).
func TestRevsEditDoesNotRevive(t *testing.T) {
	tl := newTamperLedger(t)
	for name, change := range map[string]func(*testing.T, string){"dropped": dropLastTokenSeq, "repointed": repointLastTokenSeq} {
		t.Run(name, func(t *testing.T) {
			p := tl.copyOf(t)
			change(t, p)
			require.NoError(t, os.WriteFile(keyBeside("bolt:"+p), tl.key, 0o600))
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			var out, errOut bytes.Buffer
			err := run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--store", "bolt:" + p}, func(string) string { return "" },
				strings.NewReader(""), &out, &errOut)
			assert.Equal(t, 1, exitCode(err), "serve: %v", err)
			assert.ErrorIs(t, err, eventstore.ErrDamaged)
			assert.NotContains(t, out.String(), "listening")

			issue := ledger(t, nil, "token", "issue", "--role", "reader", "--actor", "Tester", "--store", "bolt:"+p)
			assert.Equal(t, 1, issue.code, issue.stdout+issue.stderr)
			oneLine(t, issue, "token issue")
			assert.Contains(t, issue.stderr, "damaged")
			var last uint64
			db, err := bbolt.Open(p, 0o600, &bbolt.Options{ReadOnly: true})
			require.NoError(t, err)
			require.NoError(t, db.View(func(tx *bbolt.Tx) error {
				last = binary.BigEndian.Uint64(tx.Bucket([]byte("meta")).Get([]byte("seq")))
				return nil
			}))
			require.NoError(t, db.Close())
			assert.Equal(t, tl.events, last, "token issue appended nothing")

			r := ledger(t, nil, "verify", "--store", "bolt:"+p)
			assert.Equal(t, 1, r.code)
			assert.Contains(t, r.stdout+r.stderr, "revs")
			// Every event verifies; only the index is wrong, and the verdict says so (it said "the
			// 20003 events before it verify" of an entry at seq 102).
			// (A dropped entry changes the counts, which Open refuses as damage before any verdict.)
			if name == "repointed" {
				assert.Contains(t, r.stdout, "events verify on their own, the store's index does not")
				assert.NotContains(t, r.stdout, "events before it verify")
			}
		})
	}
}

// TestForgedStreamNameStaysOnOneLine forges the stream name of the last event with an escape
// sequence, CR, LF, a bidi override and invalid UTF-8 (a fake "intact" verdict for the terminal to
// show): verify names it escaped on one line, so the terminal shows what the store holds.
func TestForgedStreamNameStaysOnOneLine(t *testing.T) {
	tl := newTamperLedger(t)
	p := tl.copyOf(t)
	forged := "tail-0\r\x1b[2Kintact: every hash chain verifies\n\u202e\xff\xfe"
	edit(t, p, func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte("events"))
		return b.Put(key8(tl.events), withText(append([]byte(nil), b.Get(key8(tl.events))...), 0, forged))
	})
	for _, args := range [][]string{{"verify"}, {"verify", "--tree-head", tl.head, "--key", tl.pub}} {
		r := ledger(t, nil, append(args, "--store", "bolt:"+p)...)
		assert.Equal(t, 1, r.code, "%v: %s%s", args, r.stdout, r.stderr)
		oneLine(t, r, args[0])
		out := r.stdout + r.stderr
		for _, raw := range []string{"\r", "\x1b", "\u202e"} {
			assert.NotContains(t, out, raw, "%v", args)
		}
		assert.True(t, utf8.ValidString(out), "%v: %q", args, out)
		assert.Contains(t, out, `tail-0\r\x1b[2Kintact: every hash chain verifies\n\u202e\xff\xfe`, "%v: the name, escaped", args)
	}
}

// TestForgedTypeInHistory forges an event's type with an escape sequence, CR and a bidi override:
// history shows it escaped, its table keeping one line per event.
func TestForgedTypeInHistory(t *testing.T) {
	store := seeded(t)
	edit(t, strings.TrimPrefix(store, "bolt:"), func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte("events"))
		return b.Put(key8(5), withText(append([]byte(nil), b.Get(key8(5))...), 1, "Partnership\x1b[2K\rProposed\u202e"))
	})
	r := ledger(t, nil, "history", "--partnership", gnn, "--store", store)
	require.Equal(t, 0, r.code, r.stderr)
	for _, raw := range []string{"\r", "\x1b", "\u202e"} {
		assert.NotContains(t, r.stdout, raw)
	}
	assert.Contains(t, r.stdout, `Partnership\x1b[2K\rProposed\u202e`)
}

// TestVerifyIsReadOnly checks verify on a read-only copy: it needs no key and no write access and
// leaves every byte and the modification time as they were.
func TestVerifyIsReadOnly(t *testing.T) {
	store := seeded(t)
	p := filepath.Join(t.TempDir(), "evidence.db")
	b, err := os.ReadFile(strings.TrimPrefix(store, "bolt:"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(p, b, 0o444))
	old := time.Now().Add(-time.Hour).Truncate(time.Second)
	require.NoError(t, os.Chtimes(p, old, old))
	r := ledger(t, nil, "verify", "--store", "bolt:"+p)
	assert.Equal(t, 0, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stdout, "intact")
	after, err := os.ReadFile(p)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(b, after), "the file's bytes are unchanged")
	st, err := os.Stat(p)
	require.NoError(t, err)
	assert.True(t, st.ModTime().Equal(old), "mtime unchanged: %v", st.ModTime())
	_, err = os.Stat(filepath.Join(filepath.Dir(p), "evidence.key"))
	assert.True(t, errors.Is(err, os.ErrNotExist), "no key was created beside it")
}

// TestDamagedFileEveryCommand opens a store truncated into its used pages with every command that
// opens one: each says so in one line and exits 1.
func TestDamagedFileEveryCommand(t *testing.T) {
	store := seeded(t)
	path := strings.TrimPrefix(store, "bolt:")
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	_, hwm := usedBytes(t, b)
	require.NoError(t, os.Truncate(path, hwm-4096))
	for _, args := range [][]string{
		{"verify"}, {"state", "--partnership", gnn}, {"history", "--partnership", gnn}, {"export"},
		{"export", "--salvage", "-o", filepath.Join(t.TempDir(), "out.jsonl")},
		{"record", "--partnership", gnn, "--type", "SavingsReported", "--effective", "2016-03-01", "--data",
			`{"council":"north-norfolk","financial_year":2015,"category":"shared management","amount_pence":4200000,"status":"forecast","period_to":"2016-03-31"}`,
			"--source", "press:Eastern Daily Press, 1 March 2016", "--certainty", "reported"},
		{"seed"}, {"tree-head"}, {"prove", "--event", "01890a5d-ac96-774b-bcce-b302099a8057"}, {"replay", "--partnership", gnn},
		{"token", "issue", "--role", "reader", "--actor", "x"}, {"check-consistency", filepath.Join(t.TempDir(), "none.json")},
		{"serve", "--addr", "127.0.0.1:0"},
	} {
		r := ledger(t, nil, append(args, "--store", store)...)
		if args[0] == "check-consistency" {
			assert.Equal(t, 2, r.code, "a missing head file is bad input first")
			continue
		}
		oneLine(t, r, args[0])
		assert.Equal(t, 1, r.code, "%v: %s%s", args, r.stdout, r.stderr)
		assert.True(t, strings.HasPrefix(r.stderr, "ledger: the store is damaged at "), "%v: the line starts as docs/integrity.md §8 says: %q", args, r.stderr)
		assert.Contains(t, r.stderr, "restore the file from a backup", "%v", args)
	}
}

// TestExportSalvage damages one event after the last index flush, or removes the last event: the
// store still opens for export --salvage, which writes the events before the damage, says where it
// stopped and exits 1 (it never claims every event when one is missing).
func TestExportSalvage(t *testing.T) {
	tl := newTamperLedger(t)
	for name, c := range map[string]struct {
		bad    uint64
		change func(b *bbolt.Bucket, bad uint64) error
	}{
		"an event does not decode": {tl.events - 3, func(b *bbolt.Bucket, bad uint64) error {
			v := append([]byte(nil), b.Get(key8(bad))...)
			v[0] ^= 0xff // the record's version byte: it no longer decodes
			return b.Put(key8(bad), v)
		}},
		"the last event is missing": {tl.events, func(b *bbolt.Bucket, bad uint64) error { return b.Delete(key8(bad)) }},
	} {
		t.Run(name, func(t *testing.T) {
			p := tl.copyOf(t)
			bad := c.bad
			edit(t, p, func(tx *bbolt.Tx) error { return c.change(tx.Bucket([]byte("events")), bad) })
			v := ledger(t, nil, "verify", "--store", "bolt:"+p)
			assert.Equal(t, 1, v.code)
			oneLine(t, v, "verify")
			assert.Contains(t, v.stderr, fmt.Sprintf("event seq %d", bad))
			assert.True(t, strings.HasPrefix(v.stderr, "ledger: the store is damaged at "), "damage found while reading, without the prefixes of the calls it passed: %q", v.stderr)

			out := filepath.Join(t.TempDir(), "salvaged.jsonl")
			r := ledger(t, nil, "export", "--salvage", "-o", out, "--store", "bolt:"+p)
			assert.Equal(t, 1, r.code, r.stdout+r.stderr)
			oneLine(t, r, "export --salvage")
			assert.Contains(t, r.stderr, fmt.Sprintf("salvaged %d events", bad-1))
			assert.Contains(t, r.stderr, fmt.Sprintf("stopping before seq %d", bad))
			assert.NotContains(t, r.stderr, "every event")
			assert.Contains(t, r.stderr, fmt.Sprintf("stopping before seq %d: the store is damaged at event seq %d", bad, bad), "the damage line alone")
			ok := ledger(t, nil, "verify", "--file", out)
			assert.Equal(t, 0, ok.code, ok.stdout+ok.stderr)
			assert.Contains(t, ok.stdout, fmt.Sprintf("intact: %d events", bad-1))
		})
	}
}

// TestKeptHeadsOnExports: an auditor holding an export or a salvaged file checks it against the
// heads they kept, as against a store; a salvage that stops short of a kept head does not extend it.
func TestKeptHeadsOnExports(t *testing.T) {
	tl := newTamperLedger(t)
	p := tl.copyOf(t)
	full := filepath.Join(t.TempDir(), "full.jsonl")
	require.Equal(t, 0, ledger(t, nil, "export", "-o", full, "--store", "bolt:"+p).code)
	r := ledger(t, nil, "verify", "--file", full, "--tree-head", tl.head, "--key", tl.pub)
	assert.Equal(t, 0, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stdout, "it extends the kept tree head")

	edit(t, p, func(tx *bbolt.Tx) error { return tx.Bucket([]byte("events")).Delete(key8(tl.events)) })
	salvaged := filepath.Join(t.TempDir(), "salvaged.jsonl")
	require.Equal(t, 1, ledger(t, nil, "export", "--salvage", "-o", salvaged, "--store", "bolt:"+p).code)
	r = ledger(t, nil, "verify", "--file", salvaged, "--tree-head", tl.head, "--key", tl.pub)
	assert.Equal(t, 1, r.code, r.stdout+r.stderr)
	oneLine(t, r, "verify --file --tree-head")
	assert.Contains(t, r.stdout, "does not extend the kept tree head")
}

// TestKeptHeadNotSignedByTheKey: a kept head that is forged, or signed by another ledger's key, is a
// bad input file (exit 2, one line naming it), not evidence against the ledger.
func TestKeptHeadNotSignedByTheKey(t *testing.T) {
	tl := newTamperLedger(t)
	p := tl.copyOf(t)
	require.NoError(t, os.WriteFile(keyBeside("bolt:"+p), tl.key, 0o600))
	export := filepath.Join(t.TempDir(), "ledger.jsonl")
	require.Equal(t, 0, ledger(t, nil, "export", "-o", export, "--store", "bolt:"+p).code)
	var th map[string]any
	require.NoError(t, json.Unmarshal(tl.headJSON, &th))
	th["size"] = th["size"].(float64) - 1
	forged, err := json.Marshal(th)
	require.NoError(t, err)
	forgedPath := filepath.Join(t.TempDir(), "forged.json")
	require.NoError(t, os.WriteFile(forgedPath, forged, 0o600))
	for name, head := range map[string]string{"forged": forgedPath, "another key's": writeHeadFile(t)} {
		for _, args := range [][]string{
			{"verify", "--store", "bolt:" + p, "--tree-head", head, "--key", tl.pub},
			{"verify", "--file", export, "--tree-head", head, "--key", tl.pub},
			{"check-consistency", head, "--key", tl.pub, "--store", "bolt:" + p},
		} {
			r := ledger(t, nil, args...)
			assert.Equal(t, 2, r.code, "%s head, %v: %s%s", name, args, r.stdout, r.stderr)
			oneLine(t, r, args[0])
			assert.Contains(t, r.stderr, head, "%s head, %v: names the file", name, args)
			assert.NotContains(t, r.stdout+r.stderr, "TAMPERED", "%s head, %v", name, args)
		}
	}
}

// TestMissingKeyOfALedgerWithEvents: commands that must sign say where they looked for the key, and
// nothing creates one for a ledger that has events.
func TestMissingKeyOfALedgerWithEvents(t *testing.T) {
	store := seeded(t)
	keyPath := keyBeside(store)
	require.NoError(t, os.Remove(keyPath))
	before := exported(t, store)
	for _, args := range [][]string{{"tree-head"}, {"key"}, {"prove", "--event", "01890a5d-ac96-774b-bcce-b302099a8057"},
		{"serve", "--addr", "127.0.0.1:0"}, {"demo", "--addr", "127.0.0.1:0"}, {"demo", "--addr", "127.0.0.1:0"}} {
		r := ledger(t, nil, append(args, "--store", store)...)
		assert.Equal(t, 1, r.code, "%v: %s", args, r.stderr)
		oneLine(t, r, args[0])
		assert.Contains(t, r.stderr, keyPath, "%v says where it looked", args)
		_, err := os.Stat(keyPath)
		assert.True(t, errors.Is(err, os.ErrNotExist), "%v created no key", args)
	}
	assert.Equal(t, before, exported(t, store), "nothing was written (demo issues its token only once the key is there)")
	for _, args := range [][]string{{"verify"}, {"state", "--partnership", gnn}, {"export"}} {
		r := ledger(t, nil, append(args, "--store", store)...)
		assert.Equal(t, 0, r.code, "%v needs no key: %s", args, r.stderr)
		_, err := os.Stat(keyPath)
		assert.True(t, errors.Is(err, os.ErrNotExist), "%v created no key", args)
	}
}

// exported returns how many events 'ledger export' writes for store.
func exported(t *testing.T, store string) int {
	t.Helper()
	r := ledger(t, nil, "export", "--store", store)
	require.Equal(t, 0, r.code, r.stderr)
	return strings.Count(r.stdout, "\n")
}

// writeHeadFile writes a signed tree head of another ledger (its signature is checked only after
// the key is found).
func writeHeadFile(t *testing.T) string {
	t.Helper()
	other := seeded(t)
	p := filepath.Join(t.TempDir(), "head.json")
	r := ledger(t, nil, "tree-head", "--store", other, "-o", p)
	require.Equal(t, 0, r.code, r.stderr)
	return p
}

// usedBytes returns the byte ranges of a bbolt file in use (meta records; every reachable page's
// header, elements, keys and values, up to the end of its content) and the high-water mark in bytes.
// It trusts the file: call it on a pristine one.
func usedBytes(t *testing.T, data []byte) ([][2]int64, int64) {
	t.Helper()
	ne := binary.NativeEndian
	psz := int64(ne.Uint32(data[16+8:]))
	m := int64(0)
	if ne.Uint64(data[psz+16+48:]) > ne.Uint64(data[16+48:]) {
		m = psz
	}
	root, hwm := int64(ne.Uint64(data[m+16+16:])), int64(ne.Uint64(data[m+16+40:]))
	used := [][2]int64{{0, 16 + 64}, {psz, psz + 16 + 64}}
	var walk func(id int64)
	walk = func(id int64) {
		off := id * psz
		p := data[off:]
		flags, count := ne.Uint16(p[8:]), int(ne.Uint16(p[10:]))
		end := int64(16 + 16*count)
		for i := range count {
			e := p[16+16*i:]
			if flags == 0x01 {
				walk(int64(ne.Uint64(e[8:])))
				end = max(end, int64(16+16*i)+int64(ne.Uint32(e))+int64(ne.Uint32(e[4:])))
				continue
			}
			pos, ksize, vsize := int64(ne.Uint32(e[4:])), int64(ne.Uint32(e[8:])), int64(ne.Uint32(e[12:]))
			start := int64(16+16*i) + pos
			end = max(end, start+ksize+vsize)
			if ne.Uint32(e)&1 != 0 {
				if r := int64(ne.Uint64(p[start+ksize:])); r != 0 {
					walk(r)
				}
			}
		}
		used = append(used, [2]int64{off, off + end})
	}
	walk(root)
	require.Less(t, hwm*psz, int64(len(data))+1)
	return used, hwm * psz
}
