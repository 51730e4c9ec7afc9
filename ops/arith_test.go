package ops

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gotensor/gotensor/autograd"
	"github.com/gotensor/gotensor/tensor"
)

// TestMulSumExact checks Mul and Sum, on which the gradient check rests,
// against values computed by hand.
func TestMulSumExact(t *testing.T) {
	// a (2, 3) times a broadcast (1, 3) row b, summed over axis 1:
	// out = [1·2 + 2·0 + 3·(-1), 4·2 + 5·0 + 6·(-1)] = [-1, 2].
	// With upstream g = [1, 10]: da = g_i·b_j, db_j = Σ_i g_i·a_ij.
	a := param([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	b := param([]float32{2, 0, -1}, 1, 3)
	out := Sum(Mul(a, b), 1, false)
	if got, want := out.Data.Data(), []float32{-1, 2}; !cmp.Equal(got, want) {
		t.Errorf("Sum(Mul(a, b), 1) = %v; want %v", got, want)
	}
	out.BackwardWith(tensor.FromSlice([]float32{1, 10}))
	if got, want := a.Grad.Data(), []float32{2, 0, -1, 20, 0, -10}; !cmp.Equal(got, want) {
		t.Errorf("da = %v; want %v", got, want)
	}
	if got, want := b.Grad.Data(), []float32{41, 52, 63}; !cmp.Equal(got, want) {
		t.Errorf("db = %v; want %v", got, want)
	}
	if got := b.Grad.Shape(); !cmp.Equal(got, []int{1, 3}) {
		t.Errorf("db has shape %v; want [1 3]", got)
	}

	// keepdim and the 0-d total: Σ(x·x) over all elements = 1+4+9+16 = 30,
	// d/dx = 2x.
	x := param([]float32{1, 2, 3, 4}, 2, 2)
	s := Sum(Mul(x, x), 0, true)
	if got := s.Data.Shape(); !cmp.Equal(got, []int{1, 2}) {
		t.Errorf("Sum(keepdim) shape = %v; want [1 2]", got)
	}
	total := SumAll(Mul(x, x))
	if got := total.Item(); got != 30 || total.Data.Rank() != 0 {
		t.Errorf("SumAll(x·x) = %v of rank %d; want 30 of rank 0", got, total.Data.Rank())
	}
	total.Backward()
	if got, want := x.Grad.Data(), []float32{2, 4, 6, 8}; !cmp.Equal(got, want) {
		t.Errorf("d SumAll(x·x)/dx = %v; want %v", got, want)
	}
}

func TestArithValues(t *testing.T) {
	a := autograd.Const(tensor.FromSlice([]float32{1, 2, 4}))
	b := autograd.Const(tensor.FromSlice([]float32{2}))
	tests := []struct {
		name string
		got  *autograd.Value
		want []float32
	}{
		{"Add", Add(a, b), []float32{3, 4, 6}},
		{"Sub", Sub(a, b), []float32{-1, 0, 2}},
		{"Div", Div(a, b), []float32{0.5, 1, 2}},
		{"Neg", Neg(a), []float32{-1, -2, -4}},
		{"Pow", Pow(a, b), []float32{1, 4, 16}},
		{"AddScalar", AddScalar(a, 1), []float32{2, 3, 5}},
		{"SubScalar", SubScalar(a, 1), []float32{0, 1, 3}},
		{"MulScalar", MulScalar(a, 3), []float32{3, 6, 12}},
		{"DivScalar", DivScalar(a, 2), []float32{0.5, 1, 2}},
		{"PowScalar", PowScalar(a, 0.5), []float32{1, 1.4142135, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.got.Data.Data(); !cmp.Equal(got, tt.want, approx(1e-6, 0)) {
				t.Errorf("%s([1 2 4], [2]) = %v; want %v", tt.name, got, tt.want)
			}
		})
	}
}

func TestGradientOfConstantsIsNil(t *testing.T) {
	// Only the inputs that need a gradient get one.
	x := param([]float32{1, 2}, 2)
	c := autograd.Const(tensor.FromSlice([]float32{3, 4}))
	SumAll(Mul(Div(x, c), c)).Backward()
	if got, want := x.Grad.Data(), []float32{1, 1}; !cmp.Equal(got, want, approx(1e-6, 0)) {
		t.Errorf("x.Grad = %v; want %v", got, want)
	}
	if c.Grad != nil {
		t.Errorf("a constant got a gradient %v", c.Grad)
	}
}

func TestArithPanics(t *testing.T) {
	a := autograd.Const(tensor.Zeros(2, 3))
	b := autograd.Const(tensor.Zeros(4))
	runPanics(t, []panicCase{
		{"Add", func() { Add(a, b) }, "Add: [2 3] and [4] cannot broadcast"},
		{"Mul", func() { Mul(a, b) }, "Mul: [2 3] and [4] cannot broadcast"},
		{"MatMul", func() { MatMul(a, autograd.Const(tensor.Zeros(4, 5))) }, "ops.MatMul: shapes [2 3] and [4 5]: inner dimensions 3 and 4 differ"},
		{"MatMul1D", func() { MatMul(a, b) }, "ops.MatMul: shapes [2 3] and [4]: need at least 2 dimensions"},
		{"Linear", func() { Linear(a, autograd.Const(tensor.Zeros(4, 2)), nil) }, "ops.Linear: input [2 3] and weight [4 2]"},
		{"LinearBiasShape", func() { Linear(a, autograd.Const(tensor.Zeros(5, 3)), b) }, "ops.Linear: bias [4] for weight [5 3]: want [5]"},
		{"FeedForward", func() {
			FeedForward(a, autograd.Const(tensor.Zeros(4, 3)), nil, autograd.Const(tensor.Zeros(2, 5)), nil)
		}, "ops.FeedForward: input [2 3], weights [4 3] and [2 5]: want (..., in), (hidden, in) and (out, hidden)"},
		{"FeedForwardBias", func() { FeedForward(a, autograd.Const(tensor.Zeros(4, 3)), b, autograd.Const(tensor.Zeros(2, 4)), b) }, "ops.FeedForward: bias [4] for weight [2 4]: want [2]"},
		{"AddLinearResidual", func() { AddLinear(b, a, autograd.Const(tensor.Zeros(5, 3)), nil) }, "ops.AddLinear: residual [4] for an output of [2 5]"},
		{"AddFeedForwardResidual", func() {
			AddFeedForward(a, a, autograd.Const(tensor.Zeros(4, 3)), nil, autograd.Const(tensor.Zeros(2, 4)), nil)
		}, "ops.AddFeedForward: residual [2 3] for an output of [2 2]"},
		{"Sum", func() { Sum(a, 2, false) }, "axis 2 out of range in Sum for shape [2 3]"},
		{"Max", func() { Max(autograd.Const(tensor.Zeros(2, 0)), 1, false) }, "Max over axis 1 of zero size"},
	})
}

// TestAddPaths checks Add's blockwise path (equal shapes, or one operand
// repeated over leading dimensions) and its tensor.Add path against
// tensor.Add, bit for bit and shape for shape, with both operand orders,
// and the gradients against tensor.SumTo.
func TestAddPaths(t *testing.T) {
	rng := seeded(21)
	for _, s := range [][2][]int{
		{{2, 3}, {2, 3}}, {{4, 2, 3}, {2, 3}}, {{4, 2, 3}, {1, 2, 3}}, {{4, 2, 3}, {3}},
		{{3}, {1, 3}}, {{2, 1}, {1, 2}}, {{4, 2, 3}, {2, 1}}, {{2, 3}, {}}, {{0, 3}, {3}},
		{{2, 0}, {0}}, {{5, 1}, {1}}, {{1, 1}, {1}},
	} {
		for _, swap := range []bool{false, true} {
			sa, sb := s[0], s[1]
			if swap {
				sa, sb = sb, sa
			}
			a := autograd.Param(tensor.Randn(rng, sa...))
			b := autograd.Param(tensor.Randn(rng, sb...))
			got := Add(a, b)
			want := tensor.Add(a.Data, b.Data)
			if !cmp.Equal(got.Data.Shape(), want.Shape()) || !cmp.Equal(got.Data.Data(), want.Data()) {
				t.Fatalf("Add(%v, %v) = %v %v; want %v %v", sa, sb, got.Data.Shape(), got.Data.Data(), want.Shape(), want.Data())
			}
			g := tensor.Randn(rng, want.Shape()...)
			got.BackwardWith(g)
			if ga, gb := tensor.SumTo(g, sa...), tensor.SumTo(g, sb...); !cmp.Equal(a.Grad.Data(), ga.Data()) || !cmp.Equal(b.Grad.Data(), gb.Data()) {
				t.Errorf("Add(%v, %v) gradients %v, %v; want %v, %v", sa, sb, a.Grad.Data(), b.Grad.Data(), ga.Data(), gb.Data())
			}
		}
	}
}
