package nn

import (
	"bufio"
	"bytes"
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

	"github.com/gotensor/gotensor/tensor"
)

// ErrFormat is wrapped by the errors that ReadTensors and Load return for a
// file that is not a valid safetensors file of float32 tensors.
var ErrFormat = errors.New("invalid safetensors file")

// MaxHeaderSize bounds the JSON header of a file that ReadTensors accepts.
const MaxHeaderSize = 100 << 20

// metadataKey is the header entry that holds the string-to-string metadata.
const metadataKey = "__metadata__"

// headerEntry describes one tensor in a safetensors header.
type headerEntry struct {
	Dtype       string  `json:"dtype"`
	Shape       []int64 `json:"shape"`
	DataOffsets []int64 `json:"data_offsets"` // begin and end; a slice, so that extra elements are seen
}

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
		header[name] = headerEntry{Dtype: "F32", Shape: shape, DataOffsets: []int64{off, off + size}}
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
// MaxHeaderSize and fit in the file; the header must be a JSON object whose
// entries have only the fields dtype, shape and data_offsets; every dtype
// must be F32; data_offsets must be two numbers; every tensor's byte range
// must lie in the data region and hold exactly 4 bytes per element of its
// shape; and the ranges must be contiguous, without gaps or overlaps, and
// cover the data region exactly.
// The whole header is checked before any tensor is allocated, so a corrupt
// or hostile file makes ReadTensors allocate at most about the file's size.
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
	entries, names, meta, err := parseHeader(header, size-start)
	if err != nil {
		return nil, nil, err
	}
	// The header is valid: every range is inside the file, so the tensors
	// together take exactly the data region's size.
	out := make(map[string]*tensor.Tensor, len(names))
	sr := bufio.NewReaderSize(io.NewSectionReader(r, start, size-start), 1<<16)
	for _, name := range names { // in file order
		e := entries[name]
		shape := make([]int, len(e.Shape))
		for i, d := range e.Shape {
			shape[i] = int(d)
		}
		t := tensor.New(shape...)
		if err := readFloats(sr, t.Data()); err != nil {
			if isShort(err) {
				return nil, nil, fmt.Errorf("%w: tensor %q: %w", ErrFormat, name, err)
			}
			return nil, nil, fmt.Errorf("reading tensor %q: %w", name, err)
		}
		out[name] = t
	}
	return out, meta, nil
}

// readFloats fills xs from little-endian float32 values read from r.
func readFloats(r io.Reader, xs []float32) error {
	var buf [4096]byte
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

// parseHeader decodes and checks a header for a data region of dataLen
// bytes. It returns the entries, their names in file order, and the
// metadata.
func parseHeader(header []byte, dataLen int64) (map[string]headerEntry, []string, map[string]string, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(header, &raw); err != nil {
		return nil, nil, nil, fmt.Errorf("%w: header: %w", ErrFormat, err)
	}
	var meta map[string]string
	entries := make(map[string]headerEntry, len(raw))
	for name, msg := range raw {
		if name == metadataKey {
			if err := json.Unmarshal(msg, &meta); err != nil {
				return nil, nil, nil, fmt.Errorf("%w: %s: %w", ErrFormat, metadataKey, err)
			}
			continue
		}
		e, err := parseEntry(msg)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("%w: tensor %q: %w", ErrFormat, name, err)
		}
		entries[name] = e
	}
	names := slices.Collect(maps.Keys(entries))
	slices.SortFunc(names, func(a, b string) int {
		ea, eb := entries[a].DataOffsets, entries[b].DataOffsets
		if ea[0] != eb[0] {
			return int(min(max(ea[0]-eb[0], -1), 1))
		}
		return int(min(max(ea[1]-eb[1], -1), 1))
	})
	var pos int64
	for _, name := range names {
		off := entries[name].DataOffsets
		if off[0] != pos {
			return nil, nil, nil, formatErr("tensor %q has data offsets %v: want it to begin at %d, where the previous tensor ends (no gaps or overlaps)", name, off, pos)
		}
		pos = off[1]
	}
	if pos != dataLen {
		return nil, nil, nil, formatErr("tensors cover %d bytes of a data region of %d", pos, dataLen)
	}
	return entries, names, meta, nil
}

// parseEntry decodes and checks one tensor's entry: dtype F32, a shape of
// non-negative dimensions whose product times 4 is the byte length
// data_offsets give.
func parseEntry(msg json.RawMessage) (headerEntry, error) {
	var e headerEntry
	dec := json.NewDecoder(bytes.NewReader(msg))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		return e, err
	}
	if e.Dtype != "F32" {
		return e, fmt.Errorf("dtype %q: only F32 is supported", e.Dtype)
	}
	if e.Shape == nil {
		return e, errors.New("no shape")
	}
	if len(e.DataOffsets) != 2 {
		return e, fmt.Errorf("data offsets %v: want 2 numbers, begin and end", e.DataOffsets)
	}
	begin, end := e.DataOffsets[0], e.DataOffsets[1]
	if begin < 0 || end < begin {
		return e, fmt.Errorf("data offsets %v", e.DataOffsets)
	}
	for _, d := range e.Shape {
		if d < 0 {
			return e, fmt.Errorf("shape %v has a negative dimension", e.Shape)
		}
	}
	if n := shapeBytes(e.Shape); n != end-begin {
		need := "more than 2^63"
		if n >= 0 {
			need = strconv.FormatInt(n, 10)
		}
		return e, fmt.Errorf("shape %v needs %s bytes; data offsets %v give %d", e.Shape, need, e.DataOffsets, end-begin)
	}
	return e, nil
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
