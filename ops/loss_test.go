package ops

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gotensor/gotensor/autograd"
	"github.com/gotensor/gotensor/tensor"
)

func TestCrossEntropyHand(t *testing.T) {
	// logits [2 1 0.5], class 0: loss = log(e² + e + e^0.5) - 2 = 0.46436878,
	// and the gradient is softmax - onehot.
	x := param([]float32{2, 1, 0.5}, 1, 3)
	loss := CrossEntropy(x, []int{0})
	if got, want := loss.Item(), float32(0.46436878); math.Abs(float64(got-want)) > 1e-6 {
		t.Errorf("CrossEntropy([2 1 0.5], 0) = %v; want %v", got, want)
	}
	loss.Backward()
	if got, want := x.Grad.Data(), []float32{0.62853172 - 1, 0.2312239, 0.14024438}; !cmp.Equal(got, want, approx(1e-6, 1e-7)) {
		t.Errorf("gradient = %v; want %v", got, want)
	}
}

func TestCrossEntropyOptions(t *testing.T) {
	logits := []float32{2, 1, 0.5, 0, 3, -1, 1, 1, 1}
	tests := []struct {
		name    string
		targets []int
		opts    []CrossEntropyOpts
		want    float32 // torch.nn.functional.cross_entropy in float64 (all ignored: NaN there, 0 here)
	}{
		{"plain", []int{0, 1, 2}, nil, 0.5429550},
		{"ignore default", []int{0, -100, 2}, nil, 0.7814905},
		{"ignore 2", []int{0, 1, 2}, []CrossEntropyOpts{{IgnoreIndex: 2}}, 0.2651263},
		{"smoothing", []int{0, 1, 2}, []CrossEntropyOpts{{LabelSmoothing: 0.1}}, 0.6485105},
		{"both", []int{0, -100, 2}, []CrossEntropyOpts{{LabelSmoothing: 0.1}}, 0.8231572},
		{"all ignored", []int{-100, -100, -100}, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := param(logits, 3, 3)
			loss := CrossEntropy(x, tt.targets, tt.opts...)
			if got := loss.Item(); math.Abs(float64(got-tt.want)) > 1e-6 {
				t.Errorf("CrossEntropy(%v, %+v) = %v; want %v", tt.targets, tt.opts, got, tt.want)
			}
			loss.Backward()
			// Every row of the gradient sums to 0, and ignored rows are 0.
			for i, c := range tt.targets {
				row := x.Grad.Data()[i*3 : i*3+3]
				var s float32
				for _, v := range row {
					s += v
				}
				if math.Abs(float64(s)) > 1e-6 || (c == -100 && !cmp.Equal(row, []float32{0, 0, 0})) {
					t.Errorf("gradient row %d = %v", i, row)
				}
			}
		})
	}
}

func TestBCEAndMSE(t *testing.T) {
	// BCE: x = [0, 2, -1e4], y = [1, 0, 0]: losses log 2, 2 + log(1+e^-2), 0.
	x := param([]float32{0, 2, -1e4}, 3)
	y := autograd.Const(tensor.FromSlice([]float32{1, 0, 0}))
	bce := BCEWithLogits(x, y)
	want := float32((math.Ln2 + 2 + math.Log1p(math.Exp(-2))) / 3)
	if got := bce.Item(); math.Abs(float64(got-want)) > 1e-6 {
		t.Errorf("BCEWithLogits = %v; want %v", got, want)
	}
	bce.Backward()
	// dx = (σ(x) - y)/3
	if got, w := x.Grad.Data(), []float32{-0.5 / 3, 0.8807971 / 3, 0}; !cmp.Equal(got, w, approx(1e-6, 1e-7)) {
		t.Errorf("dBCE/dx = %v; want %v", got, w)
	}

	p := param([]float32{1, 2, 3, 4}, 2, 2)
	q := param([]float32{1, 0, 3, 0}, 2, 2)
	mse := MSE(p, q)
	if got := mse.Item(); got != 5 { // (0 + 4 + 0 + 16)/4
		t.Errorf("MSE = %v; want 5", got)
	}
	mse.Backward()
	if got, w := p.Grad.Data(), []float32{0, 1, 0, 2}; !cmp.Equal(got, w) {
		t.Errorf("dMSE/dpred = %v; want %v", got, w)
	}
	if got, w := q.Grad.Data(), []float32{0, -1, 0, -2}; !cmp.Equal(got, w) {
		t.Errorf("dMSE/dtarget = %v; want %v", got, w)
	}
}

func TestLossPanics(t *testing.T) {
	x := autograd.Const(tensor.Zeros(2, 3))
	runPanics(t, []panicCase{
		{"CE count", func() { CrossEntropy(x, []int{0}) }, "ops.CrossEntropy: logits [2 3] and 1 targets"},
		{"CE class", func() { CrossEntropy(x, []int{0, 3}) }, "ops.CrossEntropy: target 3 of row 1 outside [0, 3)"},
		{"CE negative", func() { CrossEntropy(x, []int{-1, 0}) }, "ops.CrossEntropy: target -1 of row 0 outside [0, 3)"},
		{"CE smoothing", func() { CrossEntropy(x, []int{0, 0}, CrossEntropyOpts{LabelSmoothing: 1}) }, "label smoothing 1 outside [0, 1)"},
		{"CE opts", func() { CrossEntropy(x, []int{0, 0}, CrossEntropyOpts{}, CrossEntropyOpts{}) }, "2 option structs"},
		{"CE scalar", func() { CrossEntropy(autograd.Scalar(1), nil) }, "logits of shape []"},
		{"BCE", func() { BCEWithLogits(x, autograd.Const(tensor.Zeros(3))) }, "ops.BCEWithLogits: logits [2 3] and targets [3] differ in shape"},
		{"MSE", func() { MSE(x, autograd.Const(tensor.Zeros(3, 2))) }, "ops.MSE: pred [2 3] and target [3 2] differ in shape"},
	})
}
