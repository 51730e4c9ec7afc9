package ops

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gotensor/gotensor/autograd"
	"github.com/gotensor/gotensor/tensor"
)

func TestSoftmaxValues(t *testing.T) {
	tests := []struct {
		name    string
		x       []float32
		shape   []int
		ax      int
		want    []float32 // softmax
		wantLog []float32 // log-softmax
	}{
		// NumPy: e = exp(x - 2); e / e.sum() and log of it.
		{"row", []float32{2, 1, 0.5}, []int{3}, 0,
			[]float32{0.62853172, 0.2312239, 0.14024438}, []float32{-0.46436878, -1.4643688, -1.9643688}},
		{"huge", []float32{1e4, -1e4, 1e4 - 1}, []int{1, 3}, 1,
			[]float32{0.7310586, 0, 0.26894143}, []float32{-0.31326169, -20000.313, -1.3132617}},
		{"axis0", []float32{0, 0, 1, 2}, []int{2, 2}, 0,
			[]float32{0.26894143, 0.11920292, 0.7310586, 0.8807971}, []float32{-1.3132617, -2.126928, -0.31326169, -0.126928}},
		{"size1", []float32{-5, 7}, []int{2, 1}, 1, []float32{1, 1}, []float32{0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := autograd.Const(tensor.FromSlice(tt.x, tt.shape...))
			if got := Softmax(x, tt.ax).Data.Data(); !cmp.Equal(got, tt.want, approx(1e-6, 1e-7)) {
				t.Errorf("Softmax(%v, %d) = %v; want %v", tt.x, tt.ax, got, tt.want)
			}
			if got := LogSoftmax(x, tt.ax).Data.Data(); !cmp.Equal(got, tt.wantLog, approx(1e-6, 1e-7)) {
				t.Errorf("LogSoftmax(%v, %d) = %v; want %v", tt.x, tt.ax, got, tt.wantLog)
			}
		})
	}
}

func TestSoftmaxHugeLogitsGradient(t *testing.T) {
	// Logits of ±1e4 must give finite values and gradients.
	x := param([]float32{1e4, -1e4, 0, -1e4, 1e4, 1e4}, 2, 3)
	loss := Add(SumAll(Mul(Softmax(x, -1), autograd.Const(tensor.FromSlice([]float32{1, 2, 3}, 3)))),
		CrossEntropy(x, []int{0, 2}))
	loss.Backward()
	for i, v := range append(x.Grad.Data(), loss.Item()) {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			t.Fatalf("element %d of the gradient or loss is %v", i, v)
		}
	}
	// Row 1: CE of target 2 with logits [-1e4, 1e4, 1e4] is log 2.
	if got, want := loss.Item(), float32((0+math.Ln2)/2+1+2.5); math.Abs(float64(got-want)) > 1e-5 {
		t.Errorf("loss = %v; want %v", got, want)
	}
}

func TestSoftmaxPanics(t *testing.T) {
	x := autograd.Const(tensor.Zeros(2, 3))
	runPanics(t, []panicCase{
		{"Softmax", func() { Softmax(x, 2) }, "ops.Softmax: axis 2 out of range for shape [2 3]"},
		{"LogSoftmax", func() { LogSoftmax(x, -3) }, "ops.LogSoftmax: axis -3 out of range for shape [2 3]"},
	})
}
