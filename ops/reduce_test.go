package ops

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gotensor/gotensor/tensor"
)

func TestReduceValues(t *testing.T) {
	// x = [[1 5 5] [7 2 7]]: ties in both rows.
	data := []float32{1, 5, 5, 7, 2, 7}
	g := []float32{10, 20}
	tests := []struct {
		name      string
		keepdim   bool
		f         string
		want      []float32
		wantShape []int
		wantGrad  []float32
	}{
		{"Sum", false, "Sum", []float32{11, 16}, []int{2}, []float32{10, 10, 10, 20, 20, 20}},
		{"Sum/keepdim", true, "Sum", []float32{11, 16}, []int{2, 1}, []float32{10, 10, 10, 20, 20, 20}},
		{"Mean", false, "Mean", []float32{11.0 / 3, 16.0 / 3}, []int{2}, []float32{10.0 / 3, 10.0 / 3, 10.0 / 3, 20.0 / 3, 20.0 / 3, 20.0 / 3}},
		// The gradient of a maximum goes to its first position on ties.
		{"Max/ties", false, "Max", []float32{5, 7}, []int{2}, []float32{0, 10, 0, 20, 0, 0}},
		{"Max/keepdim", true, "Max", []float32{5, 7}, []int{2, 1}, []float32{0, 10, 0, 20, 0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := param(data, 2, 3)
			y := Sum(x, 1, tt.keepdim)
			switch tt.f {
			case "Mean":
				y = Mean(x, -1, tt.keepdim)
			case "Max":
				y = Max(x, 1, tt.keepdim)
			}
			if got := y.Data.Data(); !cmp.Equal(got, tt.want, approx(1e-6, 0)) || !cmp.Equal(y.Data.Shape(), tt.wantShape) {
				t.Errorf("%s([[1 5 5] [7 2 7]], 1) = %v %v; want %v %v", tt.f, y.Data.Shape(), got, tt.wantShape, tt.want)
			}
			y.BackwardWith(tensor.FromSlice(append([]float32(nil), g...), tt.wantShape...))
			if got := x.Grad.Data(); !cmp.Equal(got, tt.wantGrad, approx(1e-6, 0)) {
				t.Errorf("%s gradient = %v; want %v", tt.f, got, tt.wantGrad)
			}
		})
	}
}
