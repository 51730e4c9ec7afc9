package ops

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gotensor/gotensor/autograd"
	"github.com/gotensor/gotensor/tensor"
)

func TestLayerNormHand(t *testing.T) {
	// Row [1 2 3 4]: mean 2.5, variance 1.25, so xhat = (x - 2.5)/√1.25
	// = [-1.3416408 -0.4472136 0.4472136 1.3416408]; with weight 2 and bias 1
	// out = 2·xhat + 1 (eps 1e-5 changes the fifth digit). A constant row
	// gives xhat = 0, out = bias.
	x := param([]float32{1, 2, 3, 4, 7, 7, 7, 7}, 2, 4)
	w := param([]float32{2, 2, 2, 2}, 4)
	b := param([]float32{1, 1, 1, 1}, 4)
	y := LayerNorm(x, w, b, 1e-5)
	want := []float32{-1.6832708, 0.10557639, 1.8944236, 3.6832708, 1, 1, 1, 1}
	if got := y.Data.Data(); !cmp.Equal(got, want, approx(1e-5, 1e-6)) {
		t.Errorf("LayerNorm = %v; want %v", got, want)
	}
	// Gradients of Σ out: dx = 0 (a shift of x does not change xhat), db = 2
	// (two rows), dw = Σ_rows xhat.
	SumAll(y).Backward()
	if got := x.Grad.Data(); !cmp.Equal(got, make([]float32, 8), approx(0, 1e-5)) {
		t.Errorf("dx = %v; want zeros", got)
	}
	if got, want := b.Grad.Data(), []float32{2, 2, 2, 2}; !cmp.Equal(got, want) {
		t.Errorf("db = %v; want %v", got, want)
	}
	if got, want := w.Grad.Data(), []float32{-1.3416354, -0.4472118, 0.4472118, 1.3416354}; !cmp.Equal(got, want, approx(1e-5, 1e-6)) {
		t.Errorf("dw = %v; want %v", got, want)
	}
}

func TestLayerNormNoAffine(t *testing.T) {
	x := autograd.Const(tensor.FromSlice([]float32{1, 3, -2, 2}, 2, 2))
	got := LayerNorm(x, nil, nil, 0).Data.Data()
	if want := []float32{-1, 1, -1, 1}; !cmp.Equal(got, want, approx(1e-6, 0)) {
		t.Errorf("LayerNorm = %v; want %v", got, want)
	}
	for _, v := range LayerNorm(autograd.Const(tensor.Full(3, 1, 4)), nil, nil, 1e-5).Data.Data() {
		if v != 0 || math.IsNaN(float64(v)) {
			t.Errorf("LayerNorm of a constant row = %v; want 0", v)
		}
	}
}

func TestLayerNormPanics(t *testing.T) {
	x := autograd.Const(tensor.Zeros(2, 3))
	runPanics(t, []panicCase{
		{"weight", func() { LayerNorm(x, autograd.Const(tensor.Zeros(2)), nil, 1e-5) }, "ops.LayerNorm: input [2 3] with weight or bias [2]: want [3]"},
		{"bias", func() { LayerNorm(x, nil, autograd.Const(tensor.Zeros(3, 1)), 1e-5) }, "ops.LayerNorm: input [2 3] with weight or bias [3 1]"},
		{"scalar", func() { LayerNorm(autograd.Scalar(1), nil, nil, 1e-5) }, "ops.LayerNorm: input of shape []"},
	})
}

// With a constant input, LayerNorm's weight and bias still get their
// gradients, which its backward computes in the same pass as the input's.
func TestLayerNormConstantInput(t *testing.T) {
	rng := seeded(3)
	x := tensor.Randn(rng, 4, 6)
	wt, bt := tensor.Uniform(rng, 0.5, 1.5, 6), tensor.Randn(rng, 6)
	upstream := tensor.Randn(rng, 4, 6)
	grads := func(in *autograd.Value) (dw, db []float32) {
		w, b := autograd.Param(wt.Clone()), autograd.Param(bt.Clone())
		LayerNorm(in, w, b, 1e-5).BackwardWith(upstream)
		return w.Grad.Data(), b.Grad.Data()
	}
	wantW, wantB := grads(autograd.Param(x))
	gotW, gotB := grads(autograd.Const(x))
	if diff := cmp.Diff(wantW, gotW); diff != "" {
		t.Errorf("weight gradient with a constant input differs (-param +const):\n%s", diff)
	}
	if diff := cmp.Diff(wantB, gotB); diff != "" {
		t.Errorf("bias gradient with a constant input differs (-param +const):\n%s", diff)
	}
	// And by hand: db is the column sums of the upstream gradient.
	for j := range 6 {
		var s float64
		for i := range 4 {
			s += float64(upstream.At(i, j))
		}
		if math.Abs(s-float64(gotB[j])) > 1e-5 {
			t.Errorf("db[%d] = %v; want %v", j, gotB[j], s)
		}
	}
}
