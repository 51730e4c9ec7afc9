package ops

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gotensor/gotensor/autograd"
	"github.com/gotensor/gotensor/ops/internal/vecmath"
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

// refCrossEntropy is CrossEntropy computed naively in float64: the loss and
// the gradient for g = 1.
func refCrossEntropy(x []float32, C int, targets []int, ignore int, eps float64) (float64, []float64) {
	grad := make([]float64, len(x))
	var total float64
	count := 0
	for i, t := range targets {
		if t == ignore {
			continue
		}
		count++
		row := x[i*C : (i+1)*C]
		m := math.Inf(-1)
		for _, v := range row {
			m = math.Max(m, float64(v))
		}
		var s, sx float64
		for _, v := range row {
			s += math.Exp(float64(v) - m)
			sx += float64(v)
		}
		lse := m + math.Log(s)
		total += lse - (1-eps)*float64(row[t]) - eps*sx/float64(C)
		for j, v := range row {
			q := eps / float64(C)
			if j == t {
				q += 1 - eps
			}
			grad[i*C+j] = math.Exp(float64(v)-lse) - q
		}
	}
	if count == 0 {
		return 0, grad
	}
	for j := range grad {
		grad[j] /= float64(count)
	}
	return total / float64(count), grad
}

// TestCrossEntropyWidths checks CrossEntropy against the float64 reference
// for rows narrower and wider than narrowC (two paths), with ignored rows
// and smoothing, and with enough rows that the narrow path folds its
// product of row sums into a log more than once.
func TestCrossEntropyWidths(t *testing.T) {
	rng := seeded(7)
	for _, C := range []int{1, 2, 3, 7, narrowC - 1, narrowC, narrowC + 1, 40} {
		for _, N := range []int{1, 5, 300, 1000} {
			for _, eps := range []float32{0, 0.1} {
				x := make([]float32, N*C)
				for i := range x {
					x[i] = float32(rng.NormFloat64() * 3)
				}
				if N == 1000 {
					clear(x) // every row sum is C: their product overflows without folding
				}
				targets := make([]int, N)
				for i := range targets {
					targets[i] = rng.IntN(C)
					if i%4 == 3 {
						targets[i] = DefaultIgnoreIndex
					}
				}
				wantLoss, wantGrad := refCrossEntropy(x, C, targets, DefaultIgnoreIndex, float64(eps))
				v := param(x, N, C)
				loss := CrossEntropy(v, targets, CrossEntropyOpts{LabelSmoothing: eps})
				if got := loss.Item(); math.Abs(float64(got)-wantLoss) > 1e-6*(1+math.Abs(wantLoss)) {
					t.Errorf("CrossEntropy(%dx%d, ε=%v) = %v; want %v", N, C, eps, got, wantLoss)
				}
				loss.Backward()
				got := v.Grad.Data()
				for j, w := range wantGrad {
					if math.Abs(float64(got[j])-w) > 1e-6*math.Abs(w)+1e-7 {
						t.Errorf("CrossEntropy(%dx%d, ε=%v) gradient[%d] = %v; want %v", N, C, eps, j, got[j], w)
						break
					}
				}
			}
		}
	}
}

// TestCrossEntropyNonFinite checks rows whose maximum is not finite, which
// the narrow path hands back to the row-by-row one, and -Inf logits beside
// finite ones, which it keeps.
func TestCrossEntropyNonFinite(t *testing.T) {
	inf, nan := float32(math.Inf(1)), float32(math.NaN())
	for _, C := range []int{3, narrowC + 1} {
		x := make([]float32, 2*C)
		x[C] = -inf // row 1: a -Inf logit beside zeros
		want := (math.Log(float64(C)) + math.Log(float64(C-1))) / 2
		if got := CrossEntropy(param(x, 2, C), []int{0, 1}).Item(); math.Abs(float64(got)-want) > 1e-6 {
			t.Errorf("CrossEntropy with a -Inf logit (C=%d) = %v; want %v", C, got, want)
		}
		for _, bad := range []float32{nan, inf, -inf} {
			y := make([]float32, 2*C)
			for j := range y[C:] {
				y[C+j] = bad
			}
			y[C] = bad
			if got := CrossEntropy(param(y, 2, C), []int{0, 1}).Item(); got == got && !math.IsInf(float64(got), 0) {
				t.Errorf("CrossEntropy with a row of %v (C=%d) = %v; want NaN or Inf", bad, C, got)
			}
		}
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

// crossEntropyGradWant is CrossEntropy's gradient for the seed g, computed
// as its backward did when it returned its softmax buffer as the gradient:
// the same kernels and the same float32 operations in the same order, so
// CrossEntropy must match it bit for bit.
func crossEntropyGradWant(xs []float32, C int, targets []int, ignore int, eps, g float32) []float32 {
	p := make([]float32, len(xs))
	narrow := false
	if C < narrowC {
		_, narrow = softmaxNarrow(p, xs, C, targets, ignore)
	}
	count := 0
	for i, t := range targets {
		if t == ignore {
			continue
		}
		count++
		if !narrow {
			softmaxLane(p[i*C:(i+1)*C], xs[i*C:(i+1)*C], C, 1)
		}
	}
	scale := g / float32(max(count, 1))
	for i, t := range targets {
		if t != ignore {
			p[i*C+t] -= 1 - eps
		}
	}
	if u := eps / float32(C); u == 0 {
		vecmath.Scale(p, scale)
	} else {
		for j, v := range p {
			p[j] = (v - u) * scale
		}
	}
	for i, t := range targets {
		if t == ignore {
			clear(p[i*C : (i+1)*C])
		}
	}
	return p
}

// TestCrossEntropyGradBits checks that CrossEntropy's gradient, which its
// backward writes into the engine's storage (fresh, recycled with stale
// contents, or added to a gradient already there), is bit for bit the one
// it computed when it returned its softmax buffer instead.
func TestCrossEntropyGradBits(t *testing.T) {
	rng := seeded(13)
	inf := float32(math.Inf(1))
	for _, C := range []int{1, 3, narrowC - 1, narrowC, narrowC + 1, 40} {
		for _, N := range []int{1, 5, 64} {
			for _, eps := range []float32{0, 0.1} {
				x := make([]float32, N*C)
				for i := range x {
					x[i] = float32(rng.NormFloat64() * 3)
				}
				if N == 64 {
					x[rng.IntN(len(x))] = inf // the narrow path hands the rows back to softmaxLane
				}
				targets := make([]int, N)
				for i := range targets {
					targets[i] = rng.IntN(C)
					if i%4 == 3 {
						targets[i] = DefaultIgnoreIndex
					}
				}
				const g = 0.37
				want := crossEntropyGradWant(x, C, targets, DefaultIgnoreIndex, eps, g)
				v := param(x, N, C)
				for step := range 3 { // fresh storage, then storage handed back by the last step
					v.ZeroGrad()
					loss := CrossEntropy(v, targets, CrossEntropyOpts{LabelSmoothing: eps})
					loss.BackwardWith(tensor.Scalar(g))
					loss.Release()
					if i := firstBitDiff(v.Grad.Data(), want); i >= 0 {
						t.Fatalf("CrossEntropy(%dx%d, ε=%v) step %d: gradient[%d] = %v; want %v", N, C, eps, step, i, v.Grad.Data()[i], want[i])
					}
				}
				// A second Backward adds into the gradient already there.
				loss := CrossEntropy(v, targets, CrossEntropyOpts{LabelSmoothing: eps})
				loss.BackwardWith(tensor.Scalar(g))
				loss.Release()
				for j := range want {
					want[j] += want[j]
				}
				if i := firstBitDiff(v.Grad.Data(), want); i >= 0 {
					t.Fatalf("CrossEntropy(%dx%d, ε=%v) accumulated: gradient[%d] = %v; want %v", N, C, eps, i, v.Grad.Data()[i], want[i])
				}
				// Within one Backward, the second CrossEntropy adds into the
				// sum the first started.
				v.ZeroGrad()
				opts := CrossEntropyOpts{LabelSmoothing: eps}
				loss = Add(CrossEntropy(v, targets, opts), CrossEntropy(v, targets, opts))
				loss.BackwardWith(tensor.Scalar(g))
				loss.Release()
				if i := firstBitDiff(v.Grad.Data(), want); i >= 0 {
					t.Fatalf("CrossEntropy(%dx%d, ε=%v) used twice: gradient[%d] = %v; want %v", N, C, eps, i, v.Grad.Data()[i], want[i])
				}
			}
		}
	}
}
