package ops

import (
	"fmt"
	"math"
	"slices"

	"github.com/gotensor/gotensor/autograd"
	"github.com/gotensor/gotensor/ops/internal/vecmath"
	"github.com/gotensor/gotensor/tensor"
)

// fnMsg formats a panic message that names the op: "ops.Fn: ...".
func fnMsg(fn, format string, args ...any) string {
	return "ops." + fn + ": " + fmt.Sprintf(format, args...)
}

// DefaultIgnoreIndex is the target that CrossEntropy skips when
// CrossEntropyOpts.IgnoreIndex is left 0, as PyTorch's default ignore_index.
const DefaultIgnoreIndex = -100

// CrossEntropyOpts are CrossEntropy's options. The zero value is PyTorch's
// default: targets equal to -100 are ignored and labels are not smoothed.
type CrossEntropyOpts struct {
	// IgnoreIndex is a target value whose rows contribute neither loss nor
	// gradient, and are not counted in the mean (padding, say). 0 means
	// DefaultIgnoreIndex; to ignore no row at all, any other value that is
	// not a class will do.
	IgnoreIndex int
	// LabelSmoothing ε in [0, 1) mixes the one-hot target with the uniform
	// distribution: the target is (1-ε)·onehot + ε/C, as in PyTorch.
	LabelSmoothing float32
}

// CrossEntropy returns the mean cross-entropy between softmax(logits) and the
// target classes, fused with the log-softmax: for each row i that is not
// ignored, -Σ_j q_ij·log softmax(logits_i)_j with q_i the (smoothed) one-hot
// target, averaged over the rows that are not ignored. logits is (N, C), or
// (..., C) with every leading dimension a batch dimension, and targets holds
// one class per row. If every row is ignored, the loss and its gradient are 0.
// At most one CrossEntropyOpts may be given; without one the zero value
// applies. CrossEntropy panics if the lengths do not fit, a target is outside
// [0, C) and not ignored, or LabelSmoothing is outside [0, 1).
func CrossEntropy(logits *autograd.Value, targets []int, opts ...CrossEntropyOpts) *autograd.Value {
	var o CrossEntropyOpts
	switch len(opts) {
	case 0:
	case 1:
		o = opts[0]
	default:
		panic(fnMsg("CrossEntropy", "%d option structs; want at most 1", len(opts)))
	}
	if o.IgnoreIndex == 0 {
		o.IgnoreIndex = DefaultIgnoreIndex
	}
	eps := o.LabelSmoothing
	if !(eps >= 0 && eps < 1) {
		panic(fnMsg("CrossEntropy", "label smoothing %v outside [0, 1)", eps))
	}
	shape := logits.Data.Shape()
	if len(shape) == 0 {
		panic(fnMsg("CrossEntropy", "logits of shape []: want (N, C)"))
	}
	C := shape[len(shape)-1]
	N := logits.Data.Len() / max(C, 1)
	if len(targets) != N || C == 0 {
		panic(fnMsg("CrossEntropy", "logits %v and %d targets: want (N, C) with N = %d targets", shape, len(targets), len(targets)))
	}
	// Shapes: x and p (N, C). p holds softmax(x) for the backward, which
	// alone keeps it (Keep), so its storage goes back to the engine's free
	// list once the backward has run, for the next step's.
	xs := logits.Data.Data()
	pt := autograd.Scratch(shape...)
	p := pt.Data() // every row the forward does not set, the backward ignores
	// total is Σ_i lse_i - (1-ε)·x_it - ε/C·Σ_j x_ij over the rows that
	// count, with lse_i = log Σ_j e^x_ij: the loss_i below, summed.
	var total float64
	narrow := false
	if C < narrowC {
		total, narrow = softmaxNarrow(p, xs, C, targets, o.IgnoreIndex)
	}
	count := 0
	for i, t := range targets {
		if t == o.IgnoreIndex {
			continue
		}
		if t < 0 || t >= C {
			panic(fnMsg("CrossEntropy", "target %d of row %d outside [0, %d)", t, i, C))
		}
		count++
		x := xs[i*C : (i+1)*C]
		if !narrow {
			logSum, m := softmaxLane(p[i*C:(i+1)*C], x, C, 1)
			total += float64(m) + float64(logSum)
		}
		// loss_i = -(1-ε)·log p_t - ε/C·Σ_j log p_j, with log p_j = x_j - lse
		if eps > 0 {
			var sx float64
			for _, v := range x {
				sx += float64(v)
			}
			total -= (1-float64(eps))*float64(x[t]) + float64(eps)*sx/float64(C)
		} else {
			total -= float64(x[t])
		}
	}
	loss := float32(0)
	if count > 0 {
		loss = float32(total / float64(count))
	}
	return autograd.RecordBorrowing("CrossEntropy", tensor.Scalar(loss), func(g *tensor.Tensor) []*tensor.Tensor {
		// loss = Σ_i -Σ_j q_ij·log softmax(x_i)_j / count, so
		// dx_ij = g·(p_ij - q_ij) / count with q = (1-ε)·onehot + ε/C.
		// The gradient goes into the engine's storage rather than being
		// returned, so that p, the op's own, can be handed back. It is
		// scaled in one pass rather than row by row, since rows may be
		// narrow.
		scale := g.Item() / float32(max(count, 1))
		for i, t := range targets {
			if t != o.IgnoreIndex {
				p[i*C+t] -= 1 - eps
			}
		}
		logits.WriteGrad(func(dst *tensor.Tensor) {
			d := dst.Data()
			if u := eps / float32(C); u == 0 {
				copy(d, p)
				vecmath.Scale(d, scale) // v - 0 is v, bit for bit
			} else {
				for j, v := range p {
					d[j] = (v - u) * scale
				}
			}
			for i, t := range targets {
				if t == o.IgnoreIndex {
					clear(d[i*C : (i+1)*C]) // no gradient, whatever the forward left in p there
				}
			}
		})
		return []*tensor.Tensor{nil}
	}, logits).Keep(pt)
}

// narrowC is the width below which CrossEntropy's softmax goes through
// softmaxNarrow: a row narrower than a vector costs one SIMD call of
// overhead for a few elements of work, and one log per row.
const narrowC = 16

// softmaxNarrow sets each C-wide row of p to the softmax of that row of xs
// and returns Σ_i lse_i, lse_i = log Σ_j e^x_ij, over the rows whose target
// is not ignore. The exponentials go through one vectorised call for all
// rows, and the logs of the rows' sums are taken of their products (each
// sum is in [1, C], so a float64 product of a few hundred of them is
// exact to about 1e-14 and cannot underflow). ok is false if a row's
// maximum is not finite; p is then unspecified and the caller should take
// the row-by-row path, which gives such rows their NaNs.
func softmaxNarrow(p, xs []float32, C int, targets []int, ignore int) (lseSum float64, ok bool) {
	var sumM float64
	for i := range targets {
		x, y := xs[i*C:(i+1)*C], p[i*C:(i+1)*C]
		m := x[0]
		for _, v := range x[1:] {
			if v > m || v != v {
				m = v
			}
		}
		if m-m != 0 { // ±Inf or NaN
			return 0, false
		}
		for j, v := range x {
			y[j] = v - m
		}
		if targets[i] != ignore {
			sumM += float64(m)
		}
	}
	expSub(p, p, 0) // e^(x - m); subtracting 0 changes nothing
	var logs float64
	prod := 1.0
	for i, t := range targets {
		y := p[i*C : (i+1)*C]
		var s float64
		for _, e := range y {
			s += float64(e)
		}
		inv := float32(1 / s)
		for j := range y {
			y[j] *= inv
		}
		if t == ignore {
			continue
		}
		if prod *= s; prod > 0x1p900 {
			logs += math.Log(prod)
			prod = 1
		}
	}
	return sumM + logs + math.Log(prod), true
}

// BCEWithLogits returns the mean binary cross-entropy between sigmoid(logits)
// and targets in [0, 1], computed stably from the logits as
// max(x, 0) - x·y + log(1 + e^-|x|). Both have the same shape; BCEWithLogits
// panics otherwise.
func BCEWithLogits(logits, targets *autograd.Value) *autograd.Value {
	if !tensor.SameShape(logits.Data, targets.Data) {
		panic(fnMsg("BCEWithLogits", "logits %v and targets %v differ in shape", logits.Data.Shape(), targets.Data.Shape()))
	}
	xs, ys := logits.Data.Data(), targets.Data.Data()[:logits.Data.Len()]
	var total float64
	for i, x := range xs {
		u, y := float64(x), float64(ys[i])
		total += max(u, 0) - u*y + math.Log1p(math.Exp(-math.Abs(u)))
	}
	n := float32(len(xs))
	return autograd.RecordBorrowing("BCEWithLogits", tensor.Scalar(float32(total/float64(len(xs)))), func(g *tensor.Tensor) []*tensor.Tensor {
		// loss = mean(max(x, 0) - x·y + log(1 + e^-|x|)), so
		// dx = g·(σ(x) - y)/n and dy = -g·x/n.
		s := g.Item() / n
		var dx, dy *tensor.Tensor
		if logits.RequiresGrad() {
			dx = tensor.Sigmoid(logits.Data)
			d := dx.Data()
			for i, y := range ys {
				d[i] = (d[i] - y) * s
			}
		}
		if targets.RequiresGrad() {
			dy = tensor.MulScalar(logits.Data, -s)
		}
		return []*tensor.Tensor{dx, dy}
	}, logits, targets)
}

// MSE returns the mean squared error mean((pred - target)²). It panics if the
// shapes differ.
func MSE(pred, target *autograd.Value) *autograd.Value {
	if !slices.Equal(pred.Data.Shape(), target.Data.Shape()) {
		panic(fnMsg("MSE", "pred %v and target %v differ in shape", pred.Data.Shape(), target.Data.Shape()))
	}
	diff := tensor.Sub(pred.Data, target.Data)
	var total float64
	for _, d := range diff.Data() {
		total += float64(d) * float64(d)
	}
	n := float32(diff.Len())
	return autograd.RecordBorrowing("MSE", tensor.Scalar(float32(total/float64(diff.Len()))), func(g *tensor.Tensor) []*tensor.Tensor {
		// loss = mean((pred - target)²), so dpred = 2g·(pred - target)/n = -dtarget
		dp := tensor.MulScalar(diff, 2*g.Item()/n)
		var dt *tensor.Tensor
		if target.RequiresGrad() {
			dt = tensor.Neg(dp)
		}
		return []*tensor.Tensor{dp, dt}
	}, pred, target)
}
