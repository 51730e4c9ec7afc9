package nn

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gotensor/gotensor/tensor"
)

// smallModel is a model with nested names and a scalar-free set of shapes.
func smallModel(seed uint64) *Sequential {
	return NewMLP(rand.New(rand.NewPCG(seed, 0)), 3, []int{4}, 2)
}

func TestWriteReadTensorsRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	ts := map[string]*tensor.Tensor{
		"a":      tensor.Randn(rng, 2, 3),
		"b.c":    tensor.Randn(rng, 5),
		"scalar": tensor.Scalar(7),
		"empty":  tensor.Zeros(0, 4),
	}
	meta := map[string]string{"step": "1200", "note": "héllo"}
	path := filepath.Join(t.TempDir(), "x.safetensors")
	if err := WriteTensors(path, ts, meta); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(path)
	if n := binary.LittleEndian.Uint64(raw); (8+n)%8 != 0 {
		t.Errorf("header length %d leaves the data unaligned", n)
	}
	got, gotMeta, err := ReadTensors(path)
	if err != nil {
		t.Fatalf("ReadTensors(WriteTensors(...)) = %v", err)
	}
	if len(got) != len(ts) {
		t.Errorf("ReadTensors returned %d tensors; want %d", len(got), len(ts))
	}
	for name, want := range ts {
		if !tensor.Equal(got[name], want) {
			t.Errorf("ReadTensors(...)[%q] = %v; want %v", name, got[name], want)
		}
	}
	if gotMeta["step"] != "1200" || gotMeta["note"] != "héllo" || len(gotMeta) != 2 {
		t.Errorf("metadata = %v; want %v", gotMeta, meta)
	}
	entries, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "*"))
	if len(entries) != 1 {
		t.Errorf("the folder holds %v; want only the checkpoint (no temporary files)", entries)
	}
}

func TestSaveLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.safetensors")
	a, b := smallModel(1), smallModel(2)
	if err := Save(path, a); err != nil {
		t.Fatal(err)
	}
	if err := Load(path, b); err != nil {
		t.Fatalf("Load = %v", err)
	}
	for i, p := range a.Parameters() {
		if q := b.Parameters()[i]; !tensor.Equal(p.Data, q.Data) {
			t.Errorf("after Load, parameter %d = %v; want %v", i, q.Data, p.Data)
		}
	}
}

func TestLoadMismatch(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.safetensors")
	ts := StateDict(smallModel(1))
	ts["0.weight"] = tensor.Zeros(4, 5) // mis-shaped
	delete(ts, "2.bias")                // missing
	ts["extra"] = tensor.Zeros(1)       // unexpected
	ts["0.bias"] = tensor.Full(9, 4)    // fine, but must not be copied
	if err := WriteTensors(path, ts, nil); err != nil {
		t.Fatal(err)
	}
	m := smallModel(3)
	before := cloneState(m)
	err := Load(path, m)
	var mm *MismatchError
	if !errors.As(err, &mm) {
		t.Fatalf("Load of a mismatched file = %v; want a *MismatchError", err)
	}
	for _, want := range []string{"1 missing (2.bias)", "1 unexpected (extra)", "1 mis-shaped (0.weight: [4 5], model wants [4 3])", path} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Load error %q; want it to contain %q", err, want)
		}
	}
	checkUnchanged(t, m, before)
}

func cloneState(m Module) map[string]*tensor.Tensor {
	out := map[string]*tensor.Tensor{}
	for name, t := range StateDict(m) {
		out[name] = t.Clone()
	}
	return out
}

func checkUnchanged(t *testing.T, m Module, before map[string]*tensor.Tensor) {
	t.Helper()
	for name, p := range StateDict(m) {
		if !tensor.Equal(p, before[name]) {
			t.Fatalf("a failed load changed %s", name)
		}
	}
}

// validFile returns the bytes of a small valid checkpoint of smallModel.
func validFile(t testing.TB) []byte {
	path := filepath.Join(t.TempDir(), "v.safetensors")
	if err := WriteTensors(path, StateDict(smallModel(5)), map[string]string{"k": "v"}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// withHeader returns a file with the given JSON header and n data bytes.
func withHeader(header string, n int) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.LittleEndian, uint64(len(header)))
	b.WriteString(header)
	b.Write(make([]byte, n))
	return b.Bytes()
}

func TestReadTensorsRejects(t *testing.T) {
	huge := make([]byte, 16)
	binary.LittleEndian.PutUint64(huge, 1<<62)
	tests := []struct {
		name string
		file []byte
		want string
	}{
		{"empty", nil, "no header length"},
		{"short", []byte{1, 2, 3}, "no header length"},
		{"huge header", huge, "header length 4611686018427387904 exceeds"},
		{"header past end", withHeader("{}", 0)[:9], "exceeds the limit"},
		{"not json", withHeader("{nope", 0), "header"},
		{"not object", withHeader("[1,2]", 0), "header"},
		{"dtype", withHeader(`{"a":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}`, 4), `dtype "F16": only F32 is supported`},
		{"unknown field", withHeader(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":1}}`, 4), "unknown field"},
		{"no shape", withHeader(`{"a":{"dtype":"F32","data_offsets":[0,4]}}`, 4), "no shape"},
		{"negative dim", withHeader(`{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}`, 4), "negative dimension"},
		{"size", withHeader(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}`, 4), "shape [2] needs 8 bytes; data offsets [0 4] give 4"},
		{"overflow", withHeader(`{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}}`, 4), "needs more than 2^63 bytes"},
		{"extra offsets", withHeader(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8,99]}}`, 8), "data offsets: more than 2 numbers"},
		{"one offset", withHeader(`{"a":{"dtype":"F32","shape":[0],"data_offsets":[0]}}`, 0), "data offsets [0]: want 2 numbers"},
		{"no offsets", withHeader(`{"a":{"dtype":"F32","shape":[0]}}`, 0), "data offsets []: want 2 numbers"},
		{"reversed", withHeader(`{"a":{"dtype":"F32","shape":[0],"data_offsets":[4,0]}}`, 4), "data offsets [4 0]"},
		{"gap", withHeader(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, 8), "want it to begin at 0"},
		{"overlap", withHeader(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, 8), "want it to begin at 8"},
		{"short data", withHeader(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, 4), "cover 8 bytes of a data region of 4"},
		{"trailing data", withHeader(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, 8), "cover 4 bytes of a data region of 8"},
		{"metadata", withHeader(`{"__metadata__":{"a":1}}`, 0), "__metadata__"},
		// encoding/json would take these: fields matched without regard to
		// case, a repeated key replacing the first, leading space.
		{"field case", withHeader(`{"a":{"Dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, 4), `unknown field "Dtype"`},
		{"field fold", withHeader(`{"a":{"dtype":"F32","ſhape":[1],"data_offsets":[0,4]}}`, 4), `unknown field "ſhape"`},
		{"field repeated after a bad value", withHeader(`{"a":{"dtype":"F16","dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, 4), `dtype "F16"`},
		{"dtype twice", withHeader(`{"a":{"dtype":"F32","dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, 4), `field "dtype" twice`},
		{"tensor twice", withHeader(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, 8), `tensor "a" twice`},
		{"metadata twice", withHeader(`{"__metadata__":{},"__metadata__":{}}`, 0), "__metadata__ twice"},
		{"metadata key twice", withHeader(`{"__metadata__":{"k":"1","k":"2"}}`, 0), `key "k" twice`},
		{"leading space", withHeader(` {}`, 0), "does not begin with '{'"},
		{"trailing value", withHeader(`{}{}`, 0), "after top-level value"},
		{"trailing comma", withHeader(`{"__metadata__":{},}`, 0), "looking for beginning of object key string"},
		{"fraction", withHeader(`{"a":{"dtype":"F32","shape":[1.0],"data_offsets":[0,4]}}`, 4), "not a fraction or exponent"},
		{"exponent", withHeader(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4e0]}}`, 4), "not a fraction or exponent"},
		{"leading zero", withHeader(`{"a":{"dtype":"F32","shape":[01],"data_offsets":[0,4]}}`, 4), "invalid character '1' after array element"},
		{"out of range", withHeader(`{"a":{"dtype":"F32","shape":[9223372036854775808],"data_offsets":[0,4]}}`, 4), "integer out of range"},
		{"rank", withHeader(`{"a":{"dtype":"F32","shape":[`+strings.Repeat("1,", 64)+`1],"data_offsets":[0,4]}}`, 4), "shape: more than 64 numbers"},
		{"control character", withHeader("{\"a\x01\":{}}", 0), "in string literal"},
		{"bad escape", withHeader(`{"a\q":{}}`, 0), "invalid character"},
		{"not utf-8", withHeader("{\"\xff\":{}}", 0), "not UTF-8"},
		{"no dtype", withHeader(`{"a":{"shape":[0],"data_offsets":[0,0]}}`, 0), "no dtype"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := decodeTensors(bytes.NewReader(tt.file), int64(len(tt.file)))
			if err == nil || !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("decodeTensors(%s) = %v; want an ErrFormat error containing %q", tt.name, err, tt.want)
			}
		})
	}
}

// TestLoadTruncatedAndCorrupt truncates a valid file at every length and
// flips every byte of its header and some of its data: each load must fail
// with an error, or (for data bytes) succeed, and never panic; a failed load
// leaves the model unchanged.
func TestLoadTruncatedAndCorrupt(t *testing.T) {
	valid := validFile(t)
	path := filepath.Join(t.TempDir(), "c.safetensors")
	m := smallModel(9)
	before := cloneState(m)
	load := func(b []byte) error {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return Load(path, m)
	}
	for n := range len(valid) {
		if err := load(valid[:n]); err == nil {
			t.Fatalf("Load of the file truncated to %d of %d bytes succeeded", n, len(valid))
		}
		checkUnchanged(t, m, before)
	}
	hlen := int(binary.LittleEndian.Uint64(valid))
	for i := range 8 + hlen {
		for _, x := range []byte{0xff, '"', '9', '}'} {
			b := bytes.Clone(valid)
			if b[i] == x {
				continue
			}
			b[i] = x
			if err := load(b); err == nil {
				// A changed digit in a name or a space may still be a
				// valid file for some other model, but not for this one
				// with the same shapes: the only harmless edits keep the
				// JSON equivalent.
				checkNoChangeUnlessEquivalent(t, valid, b)
				m = smallModel(9)
				continue
			}
			checkUnchanged(t, m, before)
		}
	}
}

// checkNoChangeUnlessEquivalent fails unless corrupt's header decodes to the
// same entries as valid's.
func checkNoChangeUnlessEquivalent(t *testing.T, valid, corrupt []byte) {
	t.Helper()
	h := func(b []byte) any {
		n := binary.LittleEndian.Uint64(b)
		var v any
		json.Unmarshal(b[8:8+n], &v)
		delete(v.(map[string]any), metadataKey)
		return v
	}
	a, _ := json.Marshal(h(valid))
	c, _ := json.Marshal(h(corrupt))
	if !bytes.Equal(a, c) {
		t.Errorf("a corrupted header loaded: %s", corrupt[8:8+binary.LittleEndian.Uint64(corrupt)])
	}
}

func TestWriteTensorsAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.safetensors")
	if err := Save(path, smallModel(1)); err != nil {
		t.Fatal(err)
	}
	old, _ := os.ReadFile(path)
	// A write that fails half-way, as a full disk or a crash would leave
	// it: the old file must survive intact and no temporary file remain.
	boom := errors.New("disk full")
	err := writeAtomic(path, func(w io.Writer) error {
		w.Write(make([]byte, 100000))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("writeAtomic = %v; want the write's error", err)
	}
	if now, _ := os.ReadFile(path); !bytes.Equal(now, old) {
		t.Error("a failed write changed the existing checkpoint")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("after a failed write the folder holds %d entries; want 1", len(entries))
	}
}

// TestWriteTensorsMode checks that a new file is 0644, not the temporary
// file's 0600, and that a replaced file keeps its permissions.
func TestWriteTensorsMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permissions")
	}
	path := filepath.Join(t.TempDir(), "m.safetensors")
	ts := map[string]*tensor.Tensor{"a": tensor.Zeros(2)}
	for _, tt := range []struct {
		name   string
		before os.FileMode // 0: no file yet
		want   os.FileMode
	}{
		{"new", 0, 0o644},
		{"replace 0640", 0o640, 0o640},
		{"replace 0600", 0o600, 0o600},
	} {
		if tt.before != 0 {
			if err := os.Chmod(path, tt.before); err != nil {
				t.Fatal(err)
			}
		}
		if err := WriteTensors(path, ts, nil); err != nil {
			t.Fatal(err)
		}
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := info.Mode().Perm(); got != tt.want {
			t.Errorf("%s: WriteTensors made a file of mode %v; want %v", tt.name, got, tt.want)
		}
	}
}

// failingReader fails every read past its first ok bytes with err.
type failingReader struct {
	data []byte
	ok   int64
	err  error
}

func (r failingReader) ReadAt(p []byte, off int64) (int, error) {
	if off+int64(len(p)) > r.ok {
		return 0, r.err
	}
	return copy(p, r.data[off:]), nil
}

// TestReadTensorsReadErrors checks that a folder is rejected as such, and
// that a read error is returned wrapped, not reported as a bad format.
func TestReadTensorsReadErrors(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := ReadTensors(dir); err == nil || errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("ReadTensors(folder) = %v; want a not-a-regular-file error", err)
	}
	file := withHeader(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, 8)
	boom := errors.New("i/o error")
	for _, ok := range []int64{0, 8, int64(len(file)) - 1} {
		_, _, err := decodeTensors(failingReader{file, ok, boom}, int64(len(file)))
		if !errors.Is(err, boom) || errors.Is(err, ErrFormat) {
			t.Errorf("decodeTensors failing after %d bytes = %v; want the read error, not ErrFormat", ok, err)
		}
	}
}

func TestWriteTensorsErrors(t *testing.T) {
	err := WriteTensors(filepath.Join(t.TempDir(), "no", "such", "dir", "x"), map[string]*tensor.Tensor{"a": tensor.Zeros(1)}, nil)
	if err == nil || !strings.Contains(err.Error(), "nn: write") {
		t.Errorf("WriteTensors into a missing folder = %v; want an nn: write error", err)
	}
	if _, _, err := ReadTensors(filepath.Join(t.TempDir(), "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ReadTensors(missing) = %v; want an error wrapping os.ErrNotExist", err)
	}
}

// TestPythonReadsOurFile reads a file written here with json and numpy, if
// the Python that has numpy is installed.
func TestPythonReadsOurFile(t *testing.T) {
	py := "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		t.Skip("no /usr/bin/python3")
	}
	path := filepath.Join(t.TempDir(), "m.safetensors")
	m := smallModel(4)
	if err := WriteTensors(path, StateDict(m), map[string]string{"step": "3"}); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(py, "testdata/gen_fixture.py", "check", path).Output()
	if err != nil {
		t.Skipf("python check failed to run (numpy missing?): %v", err)
	}
	var got struct {
		Metadata map[string]string
		Tensors  map[string]struct {
			Shape []int
			Sum   float64
		}
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("python output %q: %v", out, err)
	}
	if got.Metadata["step"] != "3" {
		t.Errorf("python read metadata %v; want step 3", got.Metadata)
	}
	for name, p := range StateDict(m) {
		e, ok := got.Tensors[name]
		var sum float64
		for _, x := range p.Data() {
			sum += float64(x)
		}
		if !ok || !equalInts(e.Shape, p.Shape()) || e.Sum-sum > 1e-6 || sum-e.Sum > 1e-6 {
			t.Errorf("python read %s as %+v; want shape %v sum %v", name, e, p.Shape(), sum)
		}
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func FuzzReadTensors(f *testing.F) {
	valid := validFile(f)
	f.Add(valid)
	f.Add(valid[:len(valid)/2])
	f.Add(valid[:20])
	fixture, err := os.ReadFile("testdata/gpt_fixture.safetensors")
	if err == nil {
		f.Add(fixture)
	}
	f.Add(withHeader(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, 8))
	f.Add(withHeader(`{"a":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"b":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}`, 4))
	f.Add(withHeader(`{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}}`, 4))
	f.Add(withHeader(`{"__metadata__":{"a":"b"}}`, 0))
	f.Add(withHeader(`{"a":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]}}`, 4))
	f.Fuzz(func(t *testing.T, b []byte) {
		ts, _, err := decodeTensors(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			if ts != nil {
				t.Errorf("decodeTensors returned tensors with error %v", err)
			}
			return
		}
		// A file that reads must account for every byte after the header.
		n := 0
		for _, x := range ts {
			n += 4 * x.Len()
		}
		if hlen := binary.LittleEndian.Uint64(b); uint64(n) != uint64(len(b))-8-hlen {
			t.Errorf("tensors hold %d bytes of a %d-byte file with a %d-byte header", n, len(b), hlen)
		}
	})
}

func TestWriteTensorsPanics(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x")
	for _, ts := range []map[string]*tensor.Tensor{{"a": nil}, {metadataKey: tensor.Zeros(1)}} {
		if ok, msg := panics(func() { WriteTensors(path, ts, nil) }); !ok || !strings.Contains(msg, "nn: WriteTensors") {
			t.Errorf("WriteTensors(%v): panic %v %q; want an nn: WriteTensors panic", ts, ok, msg)
		}
	}
}

// TestReadTensorsAccepts reads headers laid out as other writers may lay
// them out: fields in any order, white space around every token, null or
// empty metadata, and names with escapes, which json.Marshal writes for
// <, > and &.
func TestReadTensorsAccepts(t *testing.T) {
	tests := []struct {
		name, header string
		n            int
		want         map[string][]int
		meta         map[string]string
	}{
		{"spaced", " {\n \"a\" : { \"shape\" : [ 1 , 2 ] , \"data_offsets\" : [ 0 , 8 ] , \"dtype\" : \"F32\" } ,\t\"__metadata__\" : null }   "[1:], 8, map[string][]int{"a": {1, 2}}, nil},
		{"empty metadata", `{"__metadata__":{},"s":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}`, 4, map[string][]int{"s": {}}, map[string]string{}},
		{"escapes", `{"a\u003cb\"\\\/\u00e9\ud83d\ude00":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"__metadata__":{"k\n":"v\t"}}`, 0, map[string][]int{"a<b\"\\/é😀": {0}}, map[string]string{"k\n": "v\t"}},
	}
	for _, tt := range tests {
		file := withHeader(tt.header, tt.n)
		got, meta, err := decodeTensors(bytes.NewReader(file), int64(len(file)))
		if err != nil {
			t.Errorf("%s: decodeTensors = %v", tt.name, err)
			continue
		}
		shapes := map[string][]int{}
		for name, x := range got {
			shapes[name] = x.Shape()
		}
		if !cmp.Equal(shapes, tt.want, cmpopts.EquateEmpty()) || !cmp.Equal(meta, tt.meta) {
			t.Errorf("%s: got %v and metadata %q; want %v and %q", tt.name, shapes, meta, tt.want, tt.meta)
		}
	}
	// A round trip through WriteTensors keeps names that need escapes.
	path := filepath.Join(t.TempDir(), "n.safetensors")
	ts := map[string]*tensor.Tensor{"<&>\"\\\u2028é": tensor.FromSlice([]float32{1, 2}, 2)}
	if err := WriteTensors(path, ts, map[string]string{"<": ">"}); err != nil {
		t.Fatal(err)
	}
	got, meta, err := ReadTensors(path)
	if err != nil || len(got) != 1 || got["<&>\"\\\u2028é"] == nil || meta["<"] != ">" {
		t.Errorf("round trip of escaped names: %v, %v, %v", got, meta, err)
	}
}

// TestReadTensorsAllocs: headers of many tiny entries, the costliest per
// byte to read, make ReadTensors allocate a small multiple of the file's
// size, whether they are valid or fail at their end (the header itself is
// one file's size): empty tensors, metadata keys (a Go map costs most,
// and their number is bounded), strings with escapes. A header that is
// not JSON fails before anything is built from it.
func TestReadTensorsAllocs(t *testing.T) {
	var tensors, meta, escaped strings.Builder
	for i := range 20000 {
		fmt.Fprintf(&tensors, `"%d":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},`, i)
		fmt.Fprintf(&meta, `"%d":"",`, i)
		fmt.Fprintf(&escaped, `"\u00%02x%d":"\n\t\u00e9",`, 0x41+i%26, i)
	}
	body := func(b *strings.Builder) string { return strings.TrimSuffix(b.String(), ",") }
	badShape := `"x":{"dtype":"F32","shape":[` + strings.Repeat("1,", 100000) + `1]}`
	for _, tt := range []struct {
		name   string
		header string
		valid  bool
		limit  float64 // bytes allocated per byte of file
	}{
		{"tensors", "{" + body(&tensors) + "}", true, 6},
		{"tensors, then a bad shape", "{" + tensors.String() + badShape + "}", false, 3},
		{"metadata", `{"__metadata__":{` + body(&meta) + "}}", true, 18},
		{"metadata, then a bad value", `{"__metadata__":{` + meta.String() + `"z":1}}`, false, 18},
		{"escaped metadata", `{"__metadata__":{` + body(&escaped) + "}}", true, 10},
		{"not JSON at the end", "{" + tensors.String() + `"x":}`, false, 1.5},
	} {
		file := withHeader(tt.header, 0)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, _, err := decodeTensors(bytes.NewReader(file), int64(len(file)))
		runtime.ReadMemStats(&after)
		if (err == nil) != tt.valid {
			t.Fatalf("%s: decodeTensors = %v", tt.name, err)
		}
		if per := float64(after.TotalAlloc-before.TotalAlloc) / float64(len(file)); per > tt.limit {
			t.Errorf("%s: decodeTensors allocated %.1f bytes per byte of a %d-byte file; want at most %v", tt.name, per, len(file), tt.limit)
		}
	}
	// The metadata's keys are bounded.
	var many strings.Builder
	for i := range maxMetadata + 1 {
		fmt.Fprintf(&many, `"%d":"",`, i)
	}
	file := withHeader(`{"__metadata__":{`+strings.TrimSuffix(many.String(), ",")+"}}", 0)
	if _, _, err := decodeTensors(bytes.NewReader(file), int64(len(file))); err == nil || !strings.Contains(err.Error(), "more than 65536 keys") {
		t.Errorf("metadata of %d keys: %v; want an error", maxMetadata+1, err)
	}
}

// TestUnescape decodes strings as encoding/json does, lone and mismatched
// surrogates included.
func TestUnescape(t *testing.T) {
	for _, q := range []string{
		`plain`, `\"\\\/\b\f\n\r\t`, `\u00e9\u4e16`, `\ud83d\ude00`, `x\ud83dy`, `\ud83d\u0041`,
		`\udc00\ud83d`, `\ud83d\ud83d\ude00`, `\u0000`, `é😀`, `\ud83d`,
	} {
		var want string
		if err := json.Unmarshal([]byte(`"`+q+`"`), &want); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		got, err := unescape(nil, []byte(q))
		if err != nil || string(got) != want {
			t.Errorf("unescape(%s) = %q, %v; want %q", q, got, err, want)
		}
	}
}
