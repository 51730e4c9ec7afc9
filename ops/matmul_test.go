package ops

import (
	"slices"
	"testing"

	"github.com/gotensor/gotensor/autograd"
	"github.com/gotensor/gotensor/tensor"
)

// TestLinearEmpty: a layer with no input features gives its bias and
// gradients of the right (empty) shapes; one with no outputs, or a batch
// of no rows, gives an empty output.
func TestLinearEmpty(t *testing.T) {
	for _, s := range [][3]int{{3, 0, 2}, {3, 4, 0}, {0, 4, 2}} {
		n, in, out := s[0], s[1], s[2]
		rng := seeded(44)
		x, w, b := autograd.Param(tensor.Randn(rng, 2, n, in)), autograd.Param(tensor.Randn(rng, out, in)), autograd.Param(tensor.Randn(rng, out))
		y := Linear(x, w, b)
		if want := []int{2, n, out}; !slices.Equal(y.Data.Shape(), want) {
			t.Fatalf("%v: output shape %v; want %v", s, y.Data.Shape(), want)
		}
		for i, v := range y.Data.Data() {
			if v != b.Data.Data()[i%out] {
				t.Errorf("%v: y[%d] = %v; want the bias %v", s, i, v, b.Data.Data()[i%out])
			}
		}
		y.BackwardWith(tensor.Ones(2, n, out))
		if !slices.Equal(x.Grad.Shape(), x.Data.Shape()) || !slices.Equal(w.Grad.Shape(), w.Data.Shape()) {
			t.Errorf("%v: gradient shapes %v, %v; want %v, %v", s, x.Grad.Shape(), w.Grad.Shape(), x.Data.Shape(), w.Data.Shape())
		}
		for j, v := range b.Grad.Data() {
			if v != float32(2*n) {
				t.Errorf("%v: db[%d] = %v; want %d", s, j, v, 2*n)
			}
		}
	}
}
