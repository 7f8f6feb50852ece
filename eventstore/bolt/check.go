package bolt

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"os"
	"time"

	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/fault"
)

// checkFile validates a bbolt file before bbolt maps it, so that no damage reaches code that cannot
// report it: bbolt trusts its pages (a page id past the end of a truncated file faults on the
// mapping; garbage element offsets index out of range), and in a read-write open it walks every page
// on a goroutine of its own (to rebuild the free list, as Options.NoFreelistSync asks) where a panic
// cannot be recovered.
//
// It checks, on bbolt's page layout (go.etcd.io/bbolt v1.5, native byte order):
//   - both meta pages: magic, version, checksum, page size, and their root, free list and high-water
//     mark inside the file (a torn or edited meta page is damage here, where bbolt would silently fall
//     back to the older one and lose the last commit);
//   - every page reachable from the newest meta page's root bucket: inside the high-water mark and the
//     file, its header id its own, a branch or leaf, reached once, its elements and their keys and
//     values inside the page, keys strictly ascending and inside the range their parent gives them,
//     each branch key the first key of its child, leaf flags 0 or "bucket", buckets (inline or not)
//     with a zero sequence (this package never uses bucket sequences);
//   - a free list page, when there is one, listing only pages in range that nothing reaches.
//
// It takes a shared lock on the file while it reads (waiting up to timeout), so a running writer's
// half-written commit is never mistaken for damage. It returns eventstore.ErrLocked (wrapped) when the
// file stays locked, a *eventstore.DamageError for damage, or the error opening, locking or mapping the file.
func checkFile(path string, timeout time.Duration) (fileStats, error) {
	f, err := os.Open(path)
	if err != nil {
		return fileStats{}, err
	}
	defer f.Close()
	ok, err := lockShared(f, timeout)
	if err != nil {
		return fileStats{}, fmt.Errorf("lock %s: %w", path, err)
	}
	if !ok {
		return fileStats{}, lockedError(path)
	}
	defer unlock(f)
	st, err := f.Stat()
	if err != nil {
		return fileStats{}, err
	}
	size := st.Size()
	if size == 0 {
		return fileStats{}, damaged(path, "byte 0", "the file is empty (0 bytes), so all it held is gone")
	}
	data, unmap, err := mapFile(f, size)
	if err != nil {
		return fileStats{}, fmt.Errorf("map %s: %w", path, err)
	}
	defer unmap()
	c := &fileCheck{path: path, data: data}
	err = guarded(path, "a page", c.run)
	return c.stats, err
}

// fileStats is what checkFile counted in the secondary indexes, for Open to hold against meta
// "indexed": both must cover exactly the events up to it.
type fileStats struct {
	ids  uint64 // entries in the ids bucket
	revs uint64 // seqs in the revs bucket's chunks
}

// indexWalk follows the revs bucket's chunks in key order: each stream's chunks must run on from
// revision 0 without a gap or an overlap.
type indexWalk struct {
	stream []byte
	next   uint64 // the revision the stream's next chunk must start at
}

func lockedError(path string) error {
	return fault.Wrap(fault.Busy, eventstore.ErrLocked, fmt.Sprintf("%s is held by another process (a running 'ledger serve'?): stop it, or send read commands to it with --server URL (commands that write need the store itself)", path))
}

// bbolt's on-disk layout.
const (
	pageHeaderSize  = 16 // id u64, flags u16, count u16, overflow u32
	elementSize     = 16 // branch: pos u32, ksize u32, pgid u64; leaf: flags u32, pos u32, ksize u32, vsize u32
	metaOffset      = pageHeaderSize
	metaSize        = 64 // magic, version, page size, flags u32; root, sequence, free list, pgid, txid, checksum u64
	metaSumLen      = 56 // the bytes the checksum covers
	inBucketSize    = 16 // a bucket's value: root pgid u64, sequence u64; an inline page follows when root is 0
	flagBranch      = 0x01
	flagLeaf        = 0x02
	flagMeta        = 0x04
	flagFreelist    = 0x10
	leafBucket      = 0x01
	boltMagic       = 0xED0CDAED
	boltVersion     = 2
	noFreelist      = ^uint64(0)
	freelistOverCnt = 0xFFFF // a free list page whose count is this holds the real count in its first u64
)

var ne = binary.NativeEndian

type meta struct {
	pageSize uint32
	root     uint64
	seq      uint64 // the root bucket's sequence
	freelist uint64
	pgid     uint64 // high-water mark: pages [0, pgid) are in use or free
	txid     uint64
}

type fileCheck struct {
	path string
	data []byte
	psz  uint64
	hwm  uint64
	seen []uint64 // bitset of pages reached

	in    string // the top-level bucket being walked
	stats fileStats
	revs  indexWalk

	free []*nodeScratch // element buffers for the levels of the walk, reused from page to page
	held []*nodeScratch
}

type kv struct{ k, v []byte }

// nodeScratch holds one page's elements while its children are walked.
type nodeScratch struct {
	elems    []kv
	flags    []uint32
	children []uint64
}

// scratch returns buffers for count elements; release gives them back.
func (c *fileCheck) scratch(count int) ([]kv, []uint32, []uint64) {
	var s *nodeScratch
	if n := len(c.free); n > 0 {
		s, c.free = c.free[n-1], c.free[:n-1]
	} else {
		s = &nodeScratch{}
	}
	if cap(s.elems) < count {
		s.elems, s.flags, s.children = make([]kv, count), make([]uint32, count), make([]uint64, count)
	}
	c.held = append(c.held, s)
	return s.elems[:count], s.flags[:count], s.children[:count]
}

func (c *fileCheck) release() {
	n := len(c.held) - 1
	c.free, c.held = append(c.free, c.held[n]), c.held[:n]
}

func (c *fileCheck) damaged(at, format string, args ...any) error {
	return damaged(c.path, at, format, args...)
}

func (c *fileCheck) pageAt(id uint64) string {
	return fmt.Sprintf("page %d (byte %d)", id, id*c.psz)
}

func (c *fileCheck) run() error {
	size := uint64(len(c.data))
	if size < metaOffset+metaSize {
		return c.damaged("byte 0", "the file is %d bytes, too short to hold a ledger", size)
	}
	m0, err := c.readMeta(0, 0)
	if err != nil {
		return err
	}
	c.psz = uint64(m0.pageSize)
	if size < 2*c.psz {
		return c.damaged(fmt.Sprintf("byte %d", size), "the file is cut short: %d bytes, less than its two meta pages", size)
	}
	m1, err := c.readMeta(1, c.psz)
	if err != nil {
		return err
	}
	if m1.pageSize != m0.pageSize {
		return c.damaged(c.pageAt(1), "meta page 1 gives page size %d, meta page 0 %d", m1.pageSize, m0.pageSize)
	}
	m := m0
	if m1.txid > m0.txid {
		m = m1
	}
	for i, mm := range []meta{m0, m1} {
		if mm.pgid < 2 || mm.root < 2 || mm.root >= mm.pgid || (mm.freelist != noFreelist && (mm.freelist < 2 || mm.freelist >= mm.pgid)) {
			return c.damaged(c.pageAt(uint64(i)), "meta page %d names pages outside the file's used range (root %d, free list %d, high-water mark %d)",
				i, int64(mm.root), int64(mm.freelist), mm.pgid)
		}
	}
	if m.pgid > size/c.psz {
		return c.damaged(fmt.Sprintf("byte %d", size), "the file is cut short: it is %d bytes, and its pages in use reach byte %d", size, m.pgid*c.psz)
	}
	if m.seq != 0 {
		return c.damaged(c.pageAt(m.txid%2), "the root bucket's sequence is %d, want 0", m.seq)
	}
	c.hwm = m.pgid
	c.seen = make([]uint64, (c.hwm+63)/64)
	c.mark(0, 0)
	c.mark(1, 0)
	if err := c.bucket(m.root, nil, "the root bucket"); err != nil {
		return err
	}
	if m.freelist != noFreelist {
		return c.freelist(m.freelist)
	}
	return nil
}

func (c *fileCheck) readMeta(id, off uint64) (meta, error) {
	at := c.pageAt(id)
	p := c.data[off:]
	if got := ne.Uint64(p); got != id {
		return meta{}, c.damaged(at, "meta page %d's header says page %d", id, got)
	}
	if flags := ne.Uint16(p[8:]); flags != flagMeta {
		return meta{}, c.damaged(at, "meta page %d is not marked as a meta page (flags %#x)", id, flags)
	}
	if ne.Uint16(p[10:]) != 0 || ne.Uint32(p[12:]) != 0 {
		return meta{}, c.damaged(at, "meta page %d's header gives a count or overflow", id)
	}
	b := p[metaOffset : metaOffset+metaSize]
	h := fnv.New64a()
	h.Write(b[:metaSumLen])
	switch {
	case ne.Uint32(b) != boltMagic:
		return meta{}, c.damaged(at, "meta page %d does not start with bbolt's magic number: not a store file, or overwritten", id)
	case ne.Uint32(b[4:]) != boltVersion:
		return meta{}, c.damaged(at, "meta page %d gives file format version %d, want %d", id, ne.Uint32(b[4:]), boltVersion)
	case ne.Uint64(b[56:]) != h.Sum64():
		return meta{}, c.damaged(at, "meta page %d fails its checksum", id)
	}
	m := meta{pageSize: ne.Uint32(b[8:]), root: ne.Uint64(b[16:]), seq: ne.Uint64(b[24:]), freelist: ne.Uint64(b[32:]),
		pgid: ne.Uint64(b[40:]), txid: ne.Uint64(b[48:])}
	if m.pageSize < 1024 || m.pageSize > 1<<20 || m.pageSize&(m.pageSize-1) != 0 {
		return meta{}, c.damaged(at, "meta page %d gives page size %d", id, m.pageSize)
	}
	return m, nil
}

// mark records that page id and its overflow pages are reached; false when one already was.
func (c *fileCheck) mark(id uint64, overflow uint32) bool {
	ok := true
	for p := id; p <= id+uint64(overflow); p++ {
		w, bit := p/64, uint64(1)<<(p%64)
		if c.seen[w]&bit != 0 {
			ok = false
		}
		c.seen[w] |= bit
	}
	return ok
}

// page returns the bytes of page id with its overflow pages, after checking its header.
func (c *fileCheck) page(id uint64, want uint16, what string) ([]byte, error) {
	if id < 2 || id >= c.hwm {
		return nil, c.damaged(c.pageAt(id), "%s names page %d, outside the used pages [2, %d)", what, id, c.hwm)
	}
	hdr := c.data[id*c.psz:]
	overflow := ne.Uint32(hdr[12:])
	if got := ne.Uint64(hdr); got != id {
		return nil, c.damaged(c.pageAt(id), "the page's header says page %d", got)
	}
	if id+uint64(overflow) >= c.hwm {
		return nil, c.damaged(c.pageAt(id), "the page claims %d overflow pages, past the used pages", overflow)
	}
	if flags := ne.Uint16(hdr[8:]); flags&want == 0 || flags&^(flagBranch|flagLeaf|flagFreelist) != 0 || flags&(flags-1) != 0 {
		return nil, c.damaged(c.pageAt(id), "%s reaches a page of the wrong kind (flags %#x)", what, flags)
	}
	if !c.mark(id, overflow) {
		return nil, c.damaged(c.pageAt(id), "the page is reached twice")
	}
	return c.data[id*c.psz : (id+1+uint64(overflow))*c.psz], nil
}

// bucket checks a bucket's tree: root names a page, or is 0 for an inline bucket whose page is inline.
func (c *fileCheck) bucket(root uint64, inline []byte, what string) error {
	if root == 0 {
		if len(inline) < pageHeaderSize {
			return c.damaged(what, "the inline bucket is %d bytes", len(inline))
		}
		if flags := ne.Uint16(inline[8:]); flags != flagLeaf || ne.Uint64(inline) != 0 || ne.Uint32(inline[12:]) != 0 {
			return c.damaged(what, "the inline bucket's page header is not an inline leaf's")
		}
		_, err := c.nodeIn(inline, loc{inline: what}, nil, nil)
		return err
	}
	_, err := c.node(root, what, nil, nil)
	return err
}

// loc is where a page is, formatted only for a message: a page id, or an inline bucket's name.
type loc struct {
	id     uint64
	inline string
}

func (c *fileCheck) at(l loc) string {
	if l.inline != "" {
		return l.inline
	}
	return c.pageAt(l.id)
}

// node checks the subtree at page id, whose keys must lie in [lo, hi) (nil: unbounded), and returns
// its first key.
func (c *fileCheck) node(id uint64, what string, lo, hi []byte) ([]byte, error) {
	p, err := c.page(id, flagBranch|flagLeaf, what)
	if err != nil {
		return nil, err
	}
	return c.nodeIn(p, loc{id: id}, lo, hi)
}

// nodeIn checks the elements of the page p (a mapped page, or an inline bucket's bytes) at where.
func (c *fileCheck) nodeIn(p []byte, l loc, lo, hi []byte) ([]byte, error) {
	inline := l.inline != ""
	branch := ne.Uint16(p[8:]) == flagBranch
	count := int(ne.Uint16(p[10:]))
	if pageHeaderSize+count*elementSize > len(p) {
		return nil, c.damaged(c.at(l), "%d elements do not fit in the page", count)
	}
	end := uint64(pageHeaderSize + count*elementSize) // where the next key must start
	elems, flags, children := c.scratch(count)
	defer c.release()
	for i := range count {
		off := pageHeaderSize + i*elementSize
		e := p[off : off+elementSize]
		var pos, ksize, vsize uint64
		if branch {
			pos, ksize, children[i] = uint64(ne.Uint32(e)), uint64(ne.Uint32(e[4:])), ne.Uint64(e[8:])
		} else {
			flags[i], pos, ksize, vsize = ne.Uint32(e), uint64(ne.Uint32(e[4:])), uint64(ne.Uint32(e[8:])), uint64(ne.Uint32(e[12:]))
		}
		start := uint64(off) + pos
		if start != end || start+ksize+vsize > uint64(len(p)) {
			// bbolt packs keys and values right after the elements, in order.
			return nil, c.damaged(c.at(l), "element %d points to byte %d of the page, want %d", i, start, end)
		}
		end = start + ksize + vsize
		elems[i] = kv{p[start : start+ksize], p[start+ksize : start+ksize+vsize]}
		if i > 0 && bytes.Compare(elems[i-1].k, elems[i].k) >= 0 {
			return nil, c.damaged(c.at(l), "key %d is not after key %d", i, i-1)
		}
	}
	// Keys ascend: the first must be the parent's key for the page (below), the last below the next.
	if count > 0 && hi != nil && bytes.Compare(elems[count-1].k, hi) >= 0 {
		return nil, c.damaged(c.at(l), "key %d lies outside the range its parent page gives it", count-1)
	}
	if inline {
		if end != uint64(len(p)) {
			return nil, c.damaged(c.at(l), "the inline bucket's page is %d bytes, its content %d", len(p), end)
		}
	} else if want := (end+c.psz-1)/c.psz - 1; want != uint64(len(p))/c.psz-1 {
		return nil, c.damaged(c.at(l), "the page claims %d overflow pages, its content needs %d", uint64(len(p))/c.psz-1, want)
	}
	if count > 0 && lo != nil && !bytes.Equal(elems[0].k, lo) {
		return nil, c.damaged(c.at(l), "the page's first key is not the key its parent page names it by")
	}
	for i := range count {
		if branch {
			next := hi
			if i+1 < count {
				next = elems[i+1].k
			}
			if _, err := c.node(children[i], "a branch page", elems[i].k, next); err != nil {
				return nil, err
			}
			continue
		}
		switch flags[i] {
		case 0:
			if err := c.leaf(l, elems[i].k, elems[i].v); err != nil {
				return nil, err
			}
		case leafBucket:
			v := elems[i].v
			if len(v) < inBucketSize {
				return nil, c.damaged(c.at(l), "bucket %q's header is %d bytes", elems[i].k, len(v))
			}
			if seq := ne.Uint64(v[8:]); seq != 0 {
				return nil, c.damaged(c.at(l), "bucket %q's sequence is %d, want 0", elems[i].k, seq)
			}
			root := ne.Uint64(v)
			if root != 0 && len(v) != inBucketSize {
				return nil, c.damaged(c.at(l), "bucket %q's header is %d bytes", elems[i].k, len(v))
			}
			outer := c.in
			c.in = string(elems[i].k)
			if err := c.bucket(root, v[inBucketSize:], fmt.Sprintf("bucket %q in %s", elems[i].k, c.at(l))); err != nil {
				return nil, err
			}
			c.in = outer
		default:
			return nil, c.damaged(c.at(l), "element %d has flags %#x", i, flags[i])
		}
	}
	if count == 0 {
		return nil, nil
	}
	return elems[0].k, nil
}

// leaf counts a key/value of the ids or revs bucket, checking that revs chunks run on.
func (c *fileCheck) leaf(l loc, k, v []byte) error {
	switch c.in {
	case string(bucketIDs):
		c.stats.ids++
	case string(bucketRevs):
		if len(k) < 10 || k[len(k)-9] != 0 || len(v) == 0 || len(v)%8 != 0 {
			return c.damaged(c.at(l), "the revs index holds a key of %d bytes with a value of %d bytes", len(k), len(v))
		}
		stream, first := k[:len(k)-9], binary.BigEndian.Uint64(k[len(k)-8:])
		if !bytes.Equal(stream, c.revs.stream) {
			c.revs = indexWalk{stream: stream}
		}
		if first != c.revs.next {
			return c.damaged(c.at(l), "the revs index of stream %q jumps from revision %d to %d", stream, c.revs.next, first)
		}
		c.revs.next += uint64(len(v) / 8)
		c.stats.revs += uint64(len(v) / 8)
	}
	return nil
}

// freelist checks a free list page: it lists pages in use range that nothing reaches.
func (c *fileCheck) freelist(id uint64) error {
	p, err := c.page(id, flagFreelist, "the meta page's free list")
	if err != nil {
		return err
	}
	at := c.pageAt(id)
	n, off := uint64(ne.Uint16(p[10:])), uint64(pageHeaderSize)
	if n == freelistOverCnt {
		n, off = ne.Uint64(p[pageHeaderSize:]), off+8
	}
	if n > (uint64(len(p))-off)/8 {
		return c.damaged(at, "the free list's %d entries do not fit in it", n)
	}
	for i := range n {
		free := ne.Uint64(p[off+8*i:])
		if free < 2 || free >= c.hwm {
			return c.damaged(at, "the free list names page %d, outside the used pages", free)
		}
		if c.seen[free/64]&(1<<(free%64)) != 0 {
			return c.damaged(at, "the free list names page %d, which is in use", free)
		}
	}
	return nil
}
