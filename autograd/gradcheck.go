package autograd

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gotensor/gotensor/tensor"
)

// GradCheckResult describes the element whose analytic gradient is furthest
// from its central-difference estimate, relative to the tolerance.
type GradCheckResult struct {
	Input    int     // which input
	Index    []int   // the element's index within that input
	Analytic float64 // the gradient Backward computed
	Numeric  float64 // the central-difference estimate
	AbsErr   float64 // |Analytic - Numeric|
}

func (r GradCheckResult) String() string {
	return fmt.Sprintf("input %d element %v: analytic %.6g, numeric %.6g (abs err %.3g)", r.Input, r.Index, r.Analytic, r.Numeric, r.AbsErr)
}

// GradCheck compares the gradients that Backward computes for f with central
// differences (f(x+eps) - f(x-eps)) / 2eps, element by element, for each of
// the input tensors. A non-scalar output is contracted with fixed random
// weights first, sum(f(x)·w), so that a backward that is wrong for some
// outputs cannot hide behind all-ones weights. An element passes when
// |analytic - numeric| <= atol + rtol·|numeric|.
//
// GradCheck returns the worst element (the one with the largest error
// relative to its tolerance), and an error describing it if it fails. In
// float32, eps around 1e-2 with atol and rtol around 1e-2 suit smooth
// functions; kinks such as ReLU's at 0 must be avoided by the inputs.
// The inputs are not modified.
func GradCheck(f func(xs ...*Value) *Value, inputs []*tensor.Tensor, eps, atol, rtol float64) (GradCheckResult, error) {
	xs := make([]*tensor.Tensor, len(inputs))
	for i, t := range inputs {
		xs[i] = t.Clone()
	}
	var w *tensor.Tensor // the contraction weights, made on the first call
	loss := func(params []*Value) (*Value, float64) {
		out := f(params...)
		if out.Data.Len() == 1 {
			return out, float64(out.Data.Item())
		}
		if w == nil {
			w = tensor.Uniform(rand.New(rand.NewPCG(7, 11)), 0.5, 1.5, out.Data.Shape()...)
		}
		var s float64
		for i, y := range out.Data.Data() {
			s += float64(y) * float64(w.Data()[i])
		}
		return out, s
	}

	params := make([]*Value, len(xs))
	for i, t := range xs {
		params[i] = Param(t)
	}
	out, _ := loss(params)
	switch {
	case !out.RequiresGrad(): // f does not depend on its inputs: the gradients are 0
	case out.Data.Len() == 1:
		out.Backward()
	default:
		out.BackwardWith(w)
	}

	var worst GradCheckResult
	worstRatio := -1.0
	for i, x := range xs {
		analytic := params[i].Grad
		data := x.Data()
		for e := range data {
			orig := data[e]
			data[e] = orig + float32(eps)
			_, up := loss(constants(xs))
			data[e] = orig - float32(eps)
			_, down := loss(constants(xs))
			data[e] = orig
			// The step actually taken, after rounding to float32.
			h := float64(orig+float32(eps)) - float64(orig-float32(eps))
			numeric := (up - down) / h
			var a float64
			if analytic != nil {
				a = float64(analytic.Data()[e])
			}
			errAbs := math.Abs(a - numeric)
			ratio := errAbs / (atol + rtol*math.Abs(numeric))
			if ratio > worstRatio || math.IsNaN(ratio) {
				worstRatio = ratio
				worst = GradCheckResult{Input: i, Index: unravel(e, x.Shape()), Analytic: a, Numeric: numeric, AbsErr: errAbs}
			}
		}
	}
	if worstRatio > 1 || math.IsNaN(worstRatio) {
		return worst, fmt.Errorf("autograd: GradCheck failed at %v", worst)
	}
	return worst, nil
}

// constants wraps tensors as values that record nothing.
func constants(ts []*tensor.Tensor) []*Value {
	vs := make([]*Value, len(ts))
	for i, t := range ts {
		vs[i] = Const(t)
	}
	return vs
}

// unravel turns a flat row-major position into an index.
func unravel(flat int, shape []int) []int {
	idx := make([]int, len(shape))
	for d := len(shape) - 1; d >= 0; d-- {
		if shape[d] > 0 {
			idx[d] = flat % shape[d]
			flat /= shape[d]
		}
	}
	return idx
}
