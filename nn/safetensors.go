package nn

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/gotensor/gotensor/tensor"
)

// ErrFormat is wrapped by the errors that ReadTensors and Load return for a
// file that is not a valid safetensors file of float32 tensors.
var ErrFormat = errors.New("invalid safetensors file")

// MaxHeaderSize bounds the JSON header of a file that ReadTensors accepts.
const MaxHeaderSize = 100 << 20

// metadataKey is the header entry that holds the string-to-string metadata.
const metadataKey = "__metadata__"

// WriteTensors writes tensors and metadata to path in the safetensors
// format: an 8-byte little-endian header length N, N bytes of JSON header
// (padded with spaces to a multiple of 8), and the tensors' float32 values
// in little-endian order, one tensor after another in the order of their
// sorted names. Metadata may be nil.
//
// The write is atomic: the file is written to a temporary file in the same
// folder, synced, and renamed to path, and the folder is synced, so that a
// crash leaves either the old file or the complete new one under path.
// The file gets the permissions of the file it replaces, or 0644 if there
// is none (not the 0600 of a temporary file). WriteTensors panics if a tensor is nil or named "__metadata__".
func WriteTensors(path string, tensors map[string]*tensor.Tensor, metadata map[string]string) error {
	header, err := encodeHeader(tensors, metadata)
	if err != nil {
		return fmt.Errorf("nn: write %s: %w", path, err)
	}
	err = writeAtomic(path, func(w io.Writer) error {
		var n [8]byte
		binary.LittleEndian.PutUint64(n[:], uint64(len(header)))
		if _, err := w.Write(n[:]); err != nil {
			return err
		}
		if _, err := w.Write(header); err != nil {
			return err
		}
		for _, name := range slices.Sorted(maps.Keys(tensors)) {
			if err := writeFloats(w, tensors[name].Data()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("nn: write %s: %w", path, err)
	}
	return nil
}

// fileEntry is a tensor's header entry as WriteTensors writes it.
type fileEntry struct {
	Dtype       string   `json:"dtype"`
	Shape       []int64  `json:"shape"`
	DataOffsets [2]int64 `json:"data_offsets"`
}

// encodeHeader returns the padded JSON header for tensors laid out in the
// order of their sorted names.
func encodeHeader(tensors map[string]*tensor.Tensor, metadata map[string]string) ([]byte, error) {
	header := map[string]any{}
	if metadata != nil {
		header[metadataKey] = metadata
	}
	var off int64
	for _, name := range slices.Sorted(maps.Keys(tensors)) {
		t := tensors[name]
		if t == nil || name == metadataKey {
			panic(fmt.Sprintf("nn: WriteTensors: tensor %q is nil or has a reserved name", name))
		}
		shape := make([]int64, 0, t.Rank())
		for _, d := range t.Shape() {
			shape = append(shape, int64(d))
		}
		size := 4 * int64(t.Len())
		header[name] = fileEntry{Dtype: "F32", Shape: shape, DataOffsets: [2]int64{off, off + size}}
		off += size
	}
	b, err := json.Marshal(header)
	if err != nil {
		return nil, err
	}
	for len(b)%8 != 0 {
		b = append(b, ' ')
	}
	return b, nil
}

// writeFloats writes xs in little-endian order.
func writeFloats(w io.Writer, xs []float32) error {
	var buf [4096]byte
	for len(xs) > 0 {
		n := min(len(xs), len(buf)/4)
		for i, x := range xs[:n] {
			binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(x))
		}
		if _, err := w.Write(buf[:4*n]); err != nil {
			return err
		}
		xs = xs[n:]
	}
	return nil
}

// writeAtomic writes a file at path through write, by way of a synced
// temporary file in the same folder that is renamed to path. The file gets
// the permissions of the one it replaces, or 0644.
func writeAtomic(path string, write func(w io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<16)
	if err = write(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return err
	}
	// os.CreateTemp makes the file 0600, readable only by its owner.
	mode := os.FileMode(0o644)
	if info, err := os.Stat(path); err == nil && info.Mode().IsRegular() {
		mode = info.Mode().Perm()
	}
	if err = f.Chmod(mode); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return err
	}
	// The rename is durable once the folder's entry is on disk.
	d, err := os.Open(dir)
	if err != nil {
		return nil // the file is complete; only durability is uncertain
	}
	defer d.Close()
	_ = d.Sync() // some file systems cannot sync a folder
	return nil
}

// ReadTensors reads a safetensors file of float32 tensors and returns them
// by name, with the file's metadata (nil if it has none).
//
// It trusts nothing in the file: the header length must be at most
// MaxHeaderSize and fit in the file; the header must be UTF-8 JSON, an
// object from its first byte (white space, the spaces writers pad with,
// may follow it), with each name once; every entry must have exactly the
// fields dtype, shape and data_offsets, spelt so, each once; every dtype
// must be F32; a shape must have at most 64 dimensions; data_offsets must
// be two integers; every tensor's byte range must lie in the data region
// and hold exactly 4 bytes per element of its shape; and the ranges must
// be contiguous, without gaps or overlaps, and cover the data region
// exactly. Metadata must map strings to strings, each key once and at most
// 65536 keys, or be null.
// The whole header is checked before any tensor is allocated, so a corrupt
// or hostile file makes ReadTensors allocate a small multiple of the
// file's size (TestReadTensorsAllocs): a header that is not JSON fails
// once read; one of nothing but tiny entries takes up to 5 times its size
// as empty tensors, and up to 16 as metadata, whose keys are bounded.
// Every such problem is an error wrapping ErrFormat. A path that is not a
// regular file (a folder, a pipe) is an error, and so is a failed read,
// wrapped with its cause.
func ReadTensors(path string) (map[string]*tensor.Tensor, map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("nn: read %s: %w", path, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, nil, fmt.Errorf("nn: read %s: %w", path, err)
	}
	if !info.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("nn: read %s: not a regular file (mode %v)", path, info.Mode())
	}
	ts, meta, err := decodeTensors(f, info.Size())
	if err != nil {
		return nil, nil, fmt.Errorf("nn: read %s: %w", path, err)
	}
	return ts, meta, nil
}

// decodeTensors reads a safetensors file of the given size from r. A read
// that ends early is a format error; any other read error is returned
// wrapped, as it is.
func decodeTensors(r io.ReaderAt, size int64) (map[string]*tensor.Tensor, map[string]string, error) {
	var n [8]byte
	if _, err := r.ReadAt(n[:], 0); err != nil {
		if isShort(err) {
			return nil, nil, formatErr("file of %d bytes has no header length", size)
		}
		return nil, nil, fmt.Errorf("reading the header length: %w", err)
	}
	hlen := binary.LittleEndian.Uint64(n[:])
	if hlen > MaxHeaderSize || hlen > uint64(size-8) {
		return nil, nil, formatErr("header length %d exceeds the limit %d or the file size %d", hlen, MaxHeaderSize, size)
	}
	header := make([]byte, hlen)
	if _, err := r.ReadAt(header, 8); err != nil {
		if isShort(err) {
			return nil, nil, fmt.Errorf("%w: reading the header: %w", ErrFormat, err)
		}
		return nil, nil, fmt.Errorf("reading the header: %w", err)
	}
	start := 8 + int64(hlen)
	entries, meta, err := parseHeader(header, size-start)
	if err != nil {
		return nil, nil, err
	}
	// The header is valid: every range is inside the file, so the tensors
	// together take exactly the data region's size.
	out := make(map[string]*tensor.Tensor, len(entries))
	sr := bufio.NewReaderSize(io.NewSectionReader(r, start, size-start), 1<<16)
	buf := make([]byte, 4096)
	for _, e := range entries { // in file order
		shape := make([]int, len(e.shape))
		for i, d := range e.shape {
			shape[i] = int(d)
		}
		t := tensor.New(shape...)
		if err := readFloats(sr, t.Data(), buf); err != nil {
			if isShort(err) {
				return nil, nil, fmt.Errorf("%w: tensor %q: %w", ErrFormat, e.name, err)
			}
			return nil, nil, fmt.Errorf("reading tensor %q: %w", e.name, err)
		}
		out[e.name] = t
	}
	return out, meta, nil
}

// readFloats fills xs from little-endian float32 values read from r, by
// way of buf (a multiple of 4 bytes long).
func readFloats(r io.Reader, xs []float32, buf []byte) error {
	for len(xs) > 0 {
		n := min(len(xs), len(buf)/4)
		if _, err := io.ReadFull(r, buf[:4*n]); err != nil {
			return err
		}
		for i := range xs[:n] {
			xs[i] = math.Float32frombits(binary.LittleEndian.Uint32(buf[4*i:]))
		}
		xs = xs[n:]
	}
	return nil
}

// isShort reports whether err says that the data ended early.
func isShort(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

func formatErr(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrFormat}, args...)...)
}

// maxRank bounds the dimensions of a tensor in a file that ReadTensors
// accepts: NumPy's own limit.
const maxRank = 64

// A headerEntry is one tensor of a safetensors header: its name, shape and
// byte range in the data region.
type headerEntry struct {
	name       string
	shape      []int64
	begin, end int64
}

// parseHeader decodes and checks a header for a data region of dataLen
// bytes. It returns the entries in file order and the metadata.
//
// The header is read by a scanner of its own rather than encoding/json,
// which matches field names without regard to case, lets a repeated key
// replace the first, and allocates per token: here a field must be spelt
// exactly, no name or field may come twice, numbers must be integers, and
// reading allocates little beyond the names and shapes it keeps, so that
// a hostile header cannot make ReadTensors allocate much more than the
// file's size.
func parseHeader(header []byte, dataLen int64) ([]headerEntry, map[string]string, error) {
	if !utf8.Valid(header) {
		return nil, nil, formatErr("header is not UTF-8")
	}
	if len(header) == 0 || header[0] != '{' {
		return nil, nil, formatErr("header does not begin with '{'")
	}
	if !json.Valid(header) {
		// Syntax first, at almost no cost: a corrupt header fails
		// before anything is built from it. Unmarshal into a struct
		// without fields finds the error, and its offset, without
		// keeping anything either.
		return nil, nil, fmt.Errorf("%w: header: %w", ErrFormat, json.Unmarshal(header, &struct{}{}))
	}
	s := &headerScanner{b: header}
	// An entry takes at least minEntryLen bytes: room for all of them
	// at once costs about the header's size, where growing the slice
	// would cost twice that.
	entries := make([]headerEntry, 0, len(header)/minEntryLen+1)
	var meta map[string]string
	sawMeta := false
	err := s.object(func(key []byte) error {
		if name := string(key); name != metadataKey {
			e, err := s.entry()
			if err != nil {
				return fmt.Errorf("tensor %q: %w", name, err)
			}
			e.name = name
			entries = append(entries, e)
			return nil
		}
		if sawMeta {
			return fmt.Errorf("%s twice", metadataKey)
		}
		sawMeta = true
		var err error
		if meta, err = s.metadata(); err != nil {
			return fmt.Errorf("%s: %w", metadataKey, err)
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("%w: header: %w", ErrFormat, err)
	}
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.name
	}
	slices.Sort(names)
	for i := 1; i < len(names); i++ {
		if names[i] == names[i-1] {
			return nil, nil, formatErr("header: tensor %q twice", names[i])
		}
	}
	slices.SortFunc(entries, func(a, b headerEntry) int {
		if a.begin != b.begin {
			return cmp.Compare(a.begin, b.begin)
		}
		return cmp.Compare(a.end, b.end)
	})
	var pos int64
	for _, e := range entries {
		if e.begin != pos {
			return nil, nil, formatErr("tensor %q has data offsets [%d %d]: want it to begin at %d, where the previous tensor ends (no gaps or overlaps)", e.name, e.begin, e.end, pos)
		}
		pos = e.end
	}
	if pos != dataLen {
		return nil, nil, formatErr("tensors cover %d bytes of a data region of %d", pos, dataLen)
	}
	return entries, meta, nil
}

// A headerScanner reads the JSON of a safetensors header at b[pos:]. Its
// syntax has been checked (json.Valid): the scanner checks what the format
// asks of it, the kinds of values and what they hold.
type headerScanner struct {
	b    []byte
	pos  int
	ints [maxRank]int64 // an array being read
	str  []byte         // a string with escapes, decoded
}

func (s *headerScanner) errorf(format string, args ...any) error {
	return fmt.Errorf("byte %d: "+format, append([]any{s.pos}, args...)...)
}

// ws skips white space.
func (s *headerScanner) ws() {
	for s.pos < len(s.b) {
		switch s.b[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// peek returns the next byte after white space, or 0 at the end.
func (s *headerScanner) peek() byte {
	if s.ws(); s.pos < len(s.b) {
		return s.b[s.pos]
	}
	return 0
}

// expect consumes the byte c, after white space.
func (s *headerScanner) expect(c byte) error {
	if s.peek() != c {
		return s.errorf("want %q", c)
	}
	s.pos++
	return nil
}

// object reads a JSON object, calling member for each key, decoded, with
// the scanner at the key's value, which member must consume. The key's
// bytes may be the header's own: member must copy what it keeps.
func (s *headerScanner) object(member func(key []byte) error) error {
	if err := s.expect('{'); err != nil {
		return err
	}
	if s.peek() == '}' {
		s.pos++
		return nil
	}
	for {
		key, err := s.bytes()
		if err != nil {
			return err
		}
		if err := s.expect(':'); err != nil {
			return err
		}
		if err := member(key); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.pos++
		case '}':
			s.pos++
			return nil
		default:
			return s.errorf("want ',' or '}'")
		}
	}
}

// quoted reads a JSON string and returns it as written, quotes included,
// and whether it holds an escape.
func (s *headerScanner) quoted() (q []byte, escaped bool, err error) {
	if s.peek() != '"' {
		return nil, false, s.errorf("want a string")
	}
	for i := s.pos + 1; i < len(s.b); i++ {
		switch c := s.b[i]; {
		case c == '"':
			q, s.pos = s.b[s.pos:i+1], i+1
			return q, escaped, nil
		case c == '\\':
			escaped = true
			i++ // the escaped byte, which unescape decodes
		}
	}
	return nil, false, s.errorf("unterminated string")
}

// bytes reads a JSON string and returns it decoded: the header's own bytes
// unless it holds an escape, else the scanner's buffer, which the next
// string reuses.
func (s *headerScanner) bytes() ([]byte, error) {
	q, escaped, err := s.quoted()
	if err != nil {
		return nil, err
	}
	if !escaped {
		return q[1 : len(q)-1], nil
	}
	if s.str, err = unescape(s.str[:0], q[1:len(q)-1]); err != nil {
		return nil, s.errorf("%v", err)
	}
	return s.str, nil
}

// unescape appends to dst the JSON string body q with its escapes decoded,
// as encoding/json decodes them: a lone or mismatched surrogate becomes
// U+FFFD.
func unescape(dst, q []byte) ([]byte, error) {
	hex4 := func(i int) (rune, bool) {
		if i+4 > len(q) {
			return 0, false
		}
		v, err := strconv.ParseUint(string(q[i:i+4]), 16, 16)
		return rune(v), err == nil
	}
	for i := 0; i < len(q); i++ {
		if q[i] != '\\' {
			dst = append(dst, q[i])
			continue
		}
		if i++; i == len(q) {
			return nil, errors.New("string ends in an escape")
		}
		switch q[i] {
		case '"', '\\', '/':
			dst = append(dst, q[i])
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r, ok := hex4(i + 1)
			if !ok {
				return nil, fmt.Errorf("bad escape %q", q[i-1:min(i+5, len(q))])
			}
			i += 4
			if utf16.IsSurrogate(r) {
				r2, ok := hex4(i + 3)
				if pair := utf16.DecodeRune(r, r2); ok && q[i+1] == '\\' && q[i+2] == 'u' && pair != unicode.ReplacementChar {
					r, i = pair, i+6
				} else {
					r = unicode.ReplacementChar
				}
			}
			dst = utf8.AppendRune(dst, r)
		default:
			return nil, fmt.Errorf("bad escape %q", q[i-1:i+1])
		}
	}
	return dst, nil
}

// string reads a JSON string.
func (s *headerScanner) string() (string, error) {
	b, err := s.bytes()
	return string(b), err
}

// int reads a JSON number that must be an integer within an int64.
func (s *headerScanner) int() (int64, error) {
	s.ws()
	i := s.pos
	neg := i < len(s.b) && s.b[i] == '-'
	if neg {
		i++
	}
	digits := i
	var v int64
	for ; i < len(s.b) && '0' <= s.b[i] && s.b[i] <= '9'; i++ {
		d := int64(s.b[i] - '0')
		if v > (math.MaxInt64-d)/10 {
			return 0, s.errorf("integer out of range")
		}
		v = 10*v + d
	}
	switch {
	case i == digits, i-digits > 1 && s.b[digits] == '0':
		return 0, s.errorf("want an integer")
	case i < len(s.b) && (s.b[i] == '.' || s.b[i] == 'e' || s.b[i] == 'E'):
		return 0, s.errorf("want an integer, not a fraction or exponent")
	}
	s.pos = i
	if neg {
		v = -v
	}
	return v, nil
}

// array reads a JSON array of at most len(xs) integers into xs and returns
// how many it read; what names the array in errors.
func (s *headerScanner) array(xs []int64, what string) (int, error) {
	if err := s.expect('['); err != nil {
		return 0, err
	}
	if s.peek() == ']' {
		s.pos++
		return 0, nil
	}
	for n := 0; ; {
		if n == len(xs) {
			return 0, s.errorf("%s: more than %d numbers", what, len(xs))
		}
		v, err := s.int()
		if err != nil {
			return 0, err
		}
		xs[n] = v
		n++
		switch s.peek() {
		case ',':
			s.pos++
		case ']':
			s.pos++
			return n, nil
		default:
			return 0, s.errorf("want ',' or ']'")
		}
	}
}

// entry reads and checks one tensor's entry: exactly the fields dtype
// (F32), shape (non-negative dimensions) and data_offsets (begin and end,
// 4 bytes per element of the shape apart).
func (s *headerScanner) entry() (headerEntry, error) {
	var e headerEntry
	var offsets []int64
	var have [3]bool // dtype, shape, data_offsets
	err := s.object(func(field []byte) error {
		i := slices.Index(entryFields[:], string(field))
		switch {
		case i < 0:
			return fmt.Errorf("unknown field %q", field)
		case have[i]:
			return fmt.Errorf("field %q twice", field)
		}
		have[i] = true
		switch i {
		case 0:
			dtype, err := s.bytes()
			if err == nil && string(dtype) != "F32" {
				err = fmt.Errorf("dtype %q: only F32 is supported", dtype)
			}
			return err
		case 1:
			n, err := s.array(s.ints[:], "shape")
			e.shape = slices.Clone(s.ints[:n])
			return err
		}
		n, err := s.array(s.ints[:2], "data offsets")
		offsets = slices.Clone(s.ints[:n])
		return err
	})
	switch {
	case err != nil:
		return e, err
	case !have[0]:
		return e, errors.New("no dtype")
	case !have[1]:
		return e, errors.New("no shape")
	case len(offsets) != 2:
		return e, fmt.Errorf("data offsets %v: want 2 numbers, begin and end", offsets)
	}
	e.begin, e.end = offsets[0], offsets[1]
	if e.begin < 0 || e.end < e.begin {
		return e, fmt.Errorf("data offsets %v", offsets)
	}
	for _, d := range e.shape {
		if d < 0 {
			return e, fmt.Errorf("shape %v has a negative dimension", e.shape)
		}
	}
	if n := shapeBytes(e.shape); n != e.end-e.begin {
		need := "more than 2^63"
		if n >= 0 {
			need = strconv.FormatInt(n, 10)
		}
		return e, fmt.Errorf("shape %v needs %s bytes; data offsets %v give %d", e.shape, need, offsets, e.end-e.begin)
	}
	return e, nil
}

// minEntryLen is the length of the shortest tensor entry in a header,
// `"":{"dtype":"F32","shape":[],"data_offsets":[0,0]}`.
const minEntryLen = 50

// maxMetadata bounds the keys of a file's metadata, whose map costs some
// 13 times the bytes of its tiniest entries.
const maxMetadata = 1 << 16

// entryFields are the fields of a tensor's entry.
var entryFields = [...]string{"dtype", "shape", "data_offsets"}

// metadata reads the metadata: null, or an object of strings, each key
// once.
func (s *headerScanner) metadata() (map[string]string, error) {
	if s.peek() == 'n' && bytes.HasPrefix(s.b[s.pos:], []byte("null")) {
		s.pos += 4
		return nil, nil
	}
	meta := map[string]string{}
	err := s.object(func(key []byte) error {
		k := string(key) // before the value reuses the scanner's buffer
		if _, ok := meta[k]; ok {
			return fmt.Errorf("key %q twice", k)
		}
		if len(meta) == maxMetadata {
			return fmt.Errorf("more than %d keys", maxMetadata)
		}
		v, err := s.string()
		meta[k] = v
		return err
	})
	return meta, err
}

// shapeBytes returns the byte size 4·Πshape of a float32 tensor of a shape
// of non-negative dimensions, or -1 if it overflows an int64.
func shapeBytes(shape []int64) int64 {
	n := int64(4)
	for _, d := range shape {
		if d == 0 {
			return 0
		}
		if n > math.MaxInt64/d {
			return -1
		}
		n *= d
	}
	return n
}
