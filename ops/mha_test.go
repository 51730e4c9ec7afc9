package ops

import (
	"fmt"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gotensor/gotensor/autograd"
	"github.com/gotensor/gotensor/tensor"
)

// composedMHA is MultiHeadSelfAttention composed of the ops it fuses, as
// nn.MultiHeadAttention computed it before: split qkv (B, T, 3C) into q, k
// and v (B, H, T, D), attend, and merge the heads back to (B, T, C).
func composedMHA(qkv *autograd.Value, heads int, mask *tensor.Tensor, causal bool) *autograd.Value {
	s := qkv.Data.Shape()
	B, T, C := s[0], s[1], s[2]/3
	D := C / heads
	x := Permute(Reshape(qkv, B, T, 3, heads, D), 2, 0, 3, 1, 4) // (3, B, H, T, D)
	p := Split(x, 0, 1, 1, 1)
	q, k, v := Reshape(p[0], B, heads, T, D), Reshape(p[1], B, heads, T, D), Reshape(p[2], B, heads, T, D)
	o, _ := ScaledDotProductAttention(q, k, v, mask, causal)
	return Reshape(Permute(o, 0, 2, 1, 3), B, T, C)
}

// mhaCase is one shape and masking of MultiHeadSelfAttention.
type mhaCase struct {
	B, T, C, H int
	causal     bool
	mask       func() *tensor.Tensor // nil: no mask
}

func (c mhaCase) String() string {
	s := fmt.Sprintf("B%d_T%d_C%d_H%d", c.B, c.T, c.C, c.H)
	if c.causal {
		s += "_causal"
	}
	if c.mask != nil {
		s += "_mask"
	}
	return s
}

// mhaMask returns a keep-mask of the given shape with about a third of
// the keys dropped, and the first query of each (b, h) seeing none.
func mhaMask(seed uint64, shape ...int) func() *tensor.Tensor {
	return func() *tensor.Tensor {
		rng := seeded(seed)
		m := tensor.Zeros(shape...)
		d := m.Data()
		T := shape[len(shape)-1]
		for i := range d {
			if rng.IntN(3) != 0 {
				d[i] = 1
			}
			if len(shape) >= 2 && shape[len(shape)-2] > 1 && (i/T)%shape[len(shape)-2] == 0 {
				d[i] = 0
			}
		}
		return m
	}
}

var mhaCases = []mhaCase{
	{B: 1, T: 1, C: 4, H: 1},
	{B: 2, T: 1, C: 6, H: 2, causal: true},
	{B: 2, T: 3, C: 4, H: 1},
	{B: 1, T: 5, C: 6, H: 3, causal: true},
	{B: 2, T: 7, C: 8, H: 2},
	{B: 2, T: 7, C: 8, H: 2, causal: true},
	{B: 2, T: 5, C: 6, H: 2, mask: mhaMask(1, 2, 2, 5, 5)},
	{B: 2, T: 5, C: 6, H: 2, causal: true, mask: mhaMask(2, 2, 1, 1, 5)},
	{B: 1, T: 4, C: 8, H: 4, mask: mhaMask(3, 4, 4)},
}

func TestMultiHeadSelfAttentionGradCheck(t *testing.T) {
	for i, c := range mhaCases {
		t.Run(c.String(), func(t *testing.T) {
			var mask *tensor.Tensor
			if c.mask != nil {
				mask = c.mask()
			}
			rng := seeded(uint64(200 + i))
			in := []*tensor.Tensor{tensor.Randn(rng, c.B, c.T, 3*c.C)}
			f := func(x ...*autograd.Value) *autograd.Value {
				return MultiHeadSelfAttention(x[0], c.H, mask, c.causal)
			}
			if _, err := autograd.GradCheck(f, in, 1e-2, 1e-2, 1e-2); err != nil {
				t.Errorf("MultiHeadSelfAttention(%v): %v", c, err)
			}
		})
	}
}

// TestMultiHeadSelfAttentionComposed checks values and gradients against
// the composed ops, at the cases above and at the GPT's shape.
func TestMultiHeadSelfAttentionComposed(t *testing.T) {
	cases := append(mhaCases, mhaCase{B: 3, T: 32, C: 64, H: 4, causal: true}, mhaCase{B: 2, T: 17, C: 48, H: 3})
	for i, c := range cases {
		t.Run(c.String(), func(t *testing.T) {
			var mask *tensor.Tensor
			if c.mask != nil {
				mask = c.mask()
			}
			rng := seeded(uint64(300 + i))
			x := tensor.Randn(rng, c.B, c.T, 3*c.C)
			g := tensor.Randn(rng, c.B, c.T, c.C)
			fused, ref := autograd.Param(x.Clone()), autograd.Param(x.Clone())
			out := MultiHeadSelfAttention(fused, c.H, mask, c.causal)
			want := composedMHA(ref, c.H, mask, c.causal)
			if !cmp.Equal(out.Data.Shape(), want.Data.Shape()) {
				t.Fatalf("shape %v; want %v", out.Data.Shape(), want.Data.Shape())
			}
			if !cmp.Equal(out.Data.Data(), want.Data.Data(), approx(1e-5, 1e-6)) {
				t.Errorf("MultiHeadSelfAttention(%v) = %v; want %v", c, out.Data.Data(), want.Data.Data())
			}
			out.BackwardWith(g)
			want.BackwardWith(g)
			if !cmp.Equal(fused.Grad.Data(), ref.Grad.Data(), approx(1e-5, 1e-6)) {
				t.Errorf("MultiHeadSelfAttention(%v) gradient = %v; want %v", c, fused.Grad.Data(), ref.Grad.Data())
			}
		})
	}
}

func TestMultiHeadSelfAttentionFullyMasked(t *testing.T) {
	// Batch 1 keeps no key: its output and gradient are zeros, not NaN.
	rng := seeded(5)
	x := autograd.Param(tensor.Randn(rng, 2, 3, 12))
	mask := tensor.FromSlice([]float32{1, 1, 0, 0, 0, 0}, 2, 1, 1, 3)
	out := MultiHeadSelfAttention(x, 2, mask, true)
	out.BackwardWith(tensor.Randn(rng, 2, 3, 4))
	for name, y := range map[string]*tensor.Tensor{"out": out.Data, "dqkv": x.Grad} {
		for i, e := range y.Data() {
			if math.IsNaN(float64(e)) {
				t.Fatalf("%s[%d] is NaN", name, i)
			}
		}
		half := y.Data()[y.Len()/2:]
		if !cmp.Equal(half, make([]float32, len(half))) {
			t.Errorf("%s of the padding batch = %v; want zeros", name, half)
		}
	}
}

// TestMultiHeadSelfAttentionThreads checks that the result bits do not
// depend on the thread count, which splits the 64 heads between goroutines
// (headGrain makes that 16 at a time here).
func TestMultiHeadSelfAttentionThreads(t *testing.T) {
	defer tensor.SetThreads(0)
	rng := seeded(6)
	x := tensor.Randn(rng, 16, 32, 3*64)
	g := tensor.Randn(rng, 16, 32, 64)
	var outs, grads [][]float32
	for _, n := range []int{1, 2, 4} {
		tensor.SetThreads(n)
		p := autograd.Param(x.Clone())
		out := MultiHeadSelfAttention(p, 4, nil, true)
		out.BackwardWith(g)
		outs, grads = append(outs, out.Data.Data()), append(grads, p.Grad.Data())
	}
	for i := 1; i < len(outs); i++ {
		if !cmp.Equal(outs[i], outs[0]) || !cmp.Equal(grads[i], grads[0]) {
			t.Errorf("results with %d threads differ from 1 thread", []int{1, 2, 4}[i])
		}
	}
}

func TestMultiHeadSelfAttentionPanics(t *testing.T) {
	x := autograd.Const(tensor.Zeros(2, 3, 12))
	runPanics(t, []panicCase{
		{"rank", func() { MultiHeadSelfAttention(autograd.Const(tensor.Zeros(3, 12)), 2, nil, false) }, "ops.MultiHeadSelfAttention: qkv [3 12] with 2 heads: want (B, T, 3C)"},
		{"heads", func() { MultiHeadSelfAttention(x, 3, nil, false) }, "qkv [2 3 12] with 3 heads"},
		{"zero heads", func() { MultiHeadSelfAttention(x, 0, nil, false) }, "with 0 heads"},
		{"mask", func() { MultiHeadSelfAttention(x, 2, tensor.Ones(3, 3, 3), false) }, "ops.MultiHeadSelfAttention: mask [3 3 3] does not broadcast to the scores [2 2 3 3]"},
		{"from before", func() { MultiHeadSelfAttentionFrom(x, 2, -1, true) }, "ops.MultiHeadSelfAttentionFrom: from -1 outside [0, 3] for qkv [2 3 12]"},
		{"from after", func() { MultiHeadSelfAttentionFrom(x, 2, 4, true) }, "from 4 outside [0, 3]"},
		{"from heads", func() { MultiHeadSelfAttentionFrom(x, 5, 1, true) }, "ops.MultiHeadSelfAttentionFrom: qkv [2 3 12] with 5 heads"},
	})
}

// TestMultiHeadSelfAttentionFrom compares the outputs of the last
// positions' queries with those rows of the full op, and the gradient
// with the full op's under an output gradient that is zero on the other
// rows: at the GPT's shape bit for bit (the same sums in the same order),
// at small shapes within rounding (a product can then fall to gemm's plain
// loop on one side only). A second use of qkv makes the op add into a
// gradient already there.
func TestMultiHeadSelfAttentionFrom(t *testing.T) {
	cases := []mhaCase{
		{B: 1, T: 1, C: 4, H: 1, causal: true},
		{B: 2, T: 5, C: 6, H: 3, causal: true},
		{B: 2, T: 7, C: 8, H: 2},
		{B: 3, T: 32, C: 64, H: 4, causal: true},
	}
	for i, c := range cases {
		for _, from := range []int{0, 1, c.T / 2, c.T - 1, c.T} {
			t.Run(fmt.Sprintf("%v_from%d", c, from), func(t *testing.T) {
				exact := c.T == 32 && from == 16
				opt := approx(1e-5, 1e-6)
				if exact {
					opt = cmp.Comparer(func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) })
				}
				rng := seeded(uint64(400 + i))
				x := tensor.Randn(rng, c.B, c.T, 3*c.C)
				g := tensor.Randn(rng, c.B, c.T-from, c.C)
				r := tensor.Randn(rng, c.B, c.T, 3*c.C)
				part, full := autograd.Param(x.Clone()), autograd.Param(x.Clone())
				out := MultiHeadSelfAttentionFrom(part, c.H, from, c.causal)
				ref := MultiHeadSelfAttention(full, c.H, nil, c.causal)
				want := Slice(ref, 1, from, c.T)
				if !cmp.Equal(out.Data.Shape(), want.Data.Shape()) {
					t.Fatalf("shape %v; want %v", out.Data.Shape(), want.Data.Shape())
				}
				if i, ok := firstDiff(out.Data.Data(), want.Data.Data(), opt); !ok {
					t.Errorf("MultiHeadSelfAttentionFrom(%v, %d) element %d = %v; want %v", c, from, i, out.Data.Data()[i], want.Data.Data()[i])
				}
				loss := func(y, x *autograd.Value) *autograd.Value {
					return Add(SumAll(Mul(y, autograd.Const(g))), SumAll(Mul(x, autograd.Const(r))))
				}
				loss(out, part).Backward()
				loss(want, full).Backward()
				if i, ok := firstDiff(part.Grad.Data(), full.Grad.Data(), opt); !ok {
					t.Errorf("MultiHeadSelfAttentionFrom(%v, %d) gradient element %d = %v; want %v", c, from, i, part.Grad.Data()[i], full.Grad.Data()[i])
				}
			})
		}
	}
	rng := seeded(410)
	f := func(x ...*autograd.Value) *autograd.Value { return MultiHeadSelfAttentionFrom(x[0], 2, 2, true) }
	if _, err := autograd.GradCheck(f, []*tensor.Tensor{tensor.Randn(rng, 2, 5, 12)}, 1e-2, 1e-2, 1e-2); err != nil {
		t.Errorf("MultiHeadSelfAttentionFrom(from 2): %v", err)
	}
}

// firstDiff returns the first index at which got and want differ under
// opt, and false; or true if they are equal.
func firstDiff(got, want []float32, opt cmp.Option) (int, bool) {
	for i := range want {
		if !cmp.Equal(got[i], want[i], opt) {
			return i, false
		}
	}
	return 0, true
}

// BenchmarkMultiHeadSelfAttention times forward and backward at the small
// GPT's shape (B 64, T 32, C 64, 4 heads, causal), fused and composed.
func BenchmarkMultiHeadSelfAttention(b *testing.B) {
	const B, T, C, H = 64, 32, 64, 4
	rng := seeded(8)
	x := autograd.Param(tensor.Randn(rng, B, T, 3*C))
	g := tensor.Randn(rng, B, T, C)
	for _, f := range []struct {
		name string
		op   func(*autograd.Value, int, *tensor.Tensor, bool) *autograd.Value
	}{{"fused", MultiHeadSelfAttention}, {"composed", composedMHA}} {
		b.Run(f.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				f.op(x, H, nil, true).BackwardWith(g)
				x.ZeroGrad()
			}
		})
	}
}

// TestMultiHeadSelfAttentionEmpty: no positions, or no channels, give empty
// outputs and gradients rather than a slice out of range.
func TestMultiHeadSelfAttentionEmpty(t *testing.T) {
	for _, s := range [][]int{{2, 0, 12}, {0, 3, 12}, {2, 3, 0}} {
		x := autograd.Param(tensor.Zeros(s...))
		y := MultiHeadSelfAttention(x, 2, nil, true)
		SumAll(y).Backward()
		if want := []int{s[0], s[1], s[2] / 3}; !cmp.Equal(y.Data.Shape(), want) || !cmp.Equal(x.Grad.Shape(), s) {
			t.Errorf("shape %v: output %v, gradient %v; want %v, %v", s, y.Data.Shape(), x.Grad.Shape(), want, s)
		}
	}
}
