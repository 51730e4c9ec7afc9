package ops

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gotensor/gotensor/autograd"
	"github.com/gotensor/gotensor/tensor"
)

func TestCosineValues(t *testing.T) {
	vec := func(x ...float32) *autograd.Value { return param(x, len(x)) }
	tests := []struct {
		name string
		a, b *autograd.Value
		want float32
	}{
		{"same", vec(1, 2, 3), vec(2, 4, 6), 1},
		{"opposite", vec(1, 0), vec(-3, 0), -1},
		{"orthogonal", vec(1, 0), vec(0, 5), 0},
		{"45 degrees", vec(1, 0), vec(1, 1), float32(math.Sqrt2 / 2)},
		{"zero", vec(0, 0, 0), vec(1, 2, 3), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := CosineSimilarity(tt.a, tt.b)
			if got := s.Item(); math.Abs(float64(got-tt.want)) > 1e-6 || s.Data.Rank() != 0 {
				t.Errorf("CosineSimilarity(%v, %v) = %v (rank %d); want %v (rank 0)", tt.a.Data.Data(), tt.b.Data.Data(), got, s.Data.Rank(), tt.want)
			}
			s.Backward()
			for _, g := range append(tt.a.Grad.Data(), tt.b.Grad.Data()...) {
				if math.IsNaN(float64(g)) {
					t.Fatalf("gradient %v", g)
				}
			}
		})
	}
}

func TestPairwiseCosine(t *testing.T) {
	a := autograd.Const(tensor.FromSlice([]float32{1, 0, 0, 0, 3, 4}, 3, 2))
	b := autograd.Const(tensor.FromSlice([]float32{0, 2, 1, 1}, 2, 2))
	got := PairwiseCosine(a, b)
	want := []float32{0, 0.70710677, 0, 0, 0.8, 0.98994949}
	if !cmp.Equal(got.Data.Shape(), []int{3, 2}) || !cmp.Equal(got.Data.Data(), want, approx(1e-6, 1e-7)) {
		t.Errorf("PairwiseCosine = %v %v; want [3 2] %v", got.Data.Shape(), got.Data.Data(), want)
	}
}

func TestCosinePanics(t *testing.T) {
	runPanics(t, []panicCase{
		{"length", func() { CosineSimilarity(autograd.Const(tensor.Zeros(3)), autograd.Const(tensor.Zeros(4))) }, "ops.CosineSimilarity: shapes [3] and [4]"},
		{"rank", func() { CosineSimilarity(autograd.Const(tensor.Zeros(1, 3)), autograd.Const(tensor.Zeros(3))) }, "want two vectors"},
		{"pairwise", func() { PairwiseCosine(autograd.Const(tensor.Zeros(2, 3)), autograd.Const(tensor.Zeros(2, 4))) }, "ops.PairwiseCosine: shapes [2 3] and [2 4]: want (n, d) and (m, d)"},
	})
}
