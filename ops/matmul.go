package ops

import (
	"fmt"
	"slices"

	"github.com/gotensor/gotensor/autograd"
	"github.com/gotensor/gotensor/ops/internal/vecmath"
	"github.com/gotensor/gotensor/tensor"
)

// MatMul returns the matrix product a·b: an (m, k) and a (k, n) matrix give an
// (m, n) one, and (..., m, k)·(..., k, n) → (..., m, n) multiplies batches of
// matrices with the batch dimensions broadcast. Both operands must have at
// least 2 dimensions. MatMul panics if they do not, if the inner dimensions
// differ, or if the batch dimensions cannot broadcast.
func MatMul(a, b *autograd.Value) *autograd.Value {
	as, bs := a.Data.Shape(), b.Data.Shape()
	if len(as) < 2 || len(bs) < 2 {
		panic(fmt.Sprintf("ops.MatMul: shapes %v and %v: need at least 2 dimensions", as, bs))
	}
	if k, k2 := as[len(as)-1], bs[len(bs)-2]; k != k2 {
		panic(fmt.Sprintf("ops.MatMul: shapes %v and %v: inner dimensions %d and %d differ", as, bs, k, k2))
	}
	out := tensor.MatMul(a.Data, b.Data)
	return autograd.RecordBorrowing("MatMul", out, func(g *tensor.Tensor) []*tensor.Tensor {
		// out = a·b: (..., m, k)(..., k, n) -> (..., m, n)
		var da, db *tensor.Tensor
		if a.RequiresGrad() {
			da = reduceTo(tensor.MatMulT(g, b.Data, false, true), as) // da = g·bᵀ: (m,n)(n,k) -> (m,k)
		}
		if b.RequiresGrad() {
			db = reduceTo(tensor.MatMulT(a.Data, g, true, false), bs) // db = aᵀ·g: (k,m)(m,n) -> (k,n)
		}
		return []*tensor.Tensor{da, db}
	}, a, b)
}

// Linear returns x·Wᵀ + b, the affine map of a fully connected layer, as one
// op. W is (out, in) as in PyTorch, b is (out) or nil, and x is (..., in):
// every leading dimension is a batch dimension and the result is (..., out).
// Linear panics if the shapes do not fit.
func Linear(x, w, b *autograd.Value) *autograd.Value { return linear("Linear", nil, x, w, b) }

// AddLinear returns r + Linear(x, w, b), a residual connection around a
// layer, as one op with the values, gradients and bits of Add and Linear:
// r, of the output's shape, is added to each block of the product as the
// kernel finishes it, so the sum costs no pass of its own and the layer's
// output is never stored apart from it. AddLinear panics if the shapes do
// not fit.
func AddLinear(r, x, w, b *autograd.Value) *autograd.Value { return linear("AddLinear", r, x, w, b) }

// linear is Linear, plus the residual r if it is not nil.
func linear(op string, r, x, w, b *autograd.Value) *autograd.Value {
	xs, ws := x.Data.Shape(), w.Data.Shape()
	if len(xs) < 1 || len(ws) != 2 || xs[len(xs)-1] != ws[1] {
		panic(fnMsg(op, "input %v and weight %v: want (..., in) and (out, in)", xs, ws))
	}
	in, nout := ws[1], ws[0]
	ys := append(xs[:len(xs)-1:len(xs)-1], nout)
	checkOptional(op, b, ws, r, ys)
	// Shapes: x2 (N, in), w (out, in), y (N, out) with N the product of the
	// leading dimensions of x.
	x2 := asMatrix(x.Data, in)
	y := autograd.Scratch(ys...)
	linearInto(y, x2, w, b, r) // y = x·Wᵀ + b (+ r)
	parents := []*autograd.Value{x, w}
	ib, ir := place(&parents, b), place(&parents, r)
	return autograd.RecordBorrowing(op, y, func(g *tensor.Tensor) []*tensor.Tensor {
		g2 := asMatrix(g, nout)
		grads := make([]*tensor.Tensor, len(parents))
		linearGrads(g, g2, x, x2, w, b, r, grads, ib, ir)
		return grads
	}, parents...).OwnsData()
}

// checkOptional panics, naming op, unless the bias b is nil or (out) for
// the (out, in) weight shape ws, and the residual r is nil or of the
// output's shape ys.
func checkOptional(op string, b *autograd.Value, ws []int, r *autograd.Value, ys []int) {
	if b != nil && !slices.Equal(b.Data.Shape(), ws[:1]) {
		panic(fnMsg(op, "bias %v for weight %v: want [%d]", b.Data.Shape(), ws, ws[0]))
	}
	if r != nil && !slices.Equal(r.Data.Shape(), ys) {
		panic(fnMsg(op, "residual %v for an output of %v", r.Data.Shape(), ys))
	}
}

// linearGrads gives the gradients of y = x·Wᵀ + b (+ r) for y's gradient
// g: dW = gᵀ·x, (out,N)(N,in) -> (out,in), and dx = g·W, (N,out)(out,in) ->
// (N,in), written or added straight into the gradients of w and x (in the
// product's own pass when x already has one, a residual); db = Σ_rows g
// and dr = g into grads at ib and ir. g2 and x2 are g and x's data as (N,
// out) and (N, in) matrices; x nil leaves dx to the caller.
func linearGrads(g, g2 *tensor.Tensor, x *autograd.Value, x2 *tensor.Tensor, w, b, r *autograd.Value, grads []*tensor.Tensor, ib, ir int) {
	if x != nil {
		x.AddToGrad(func(dst *tensor.Tensor, accumulate bool) {
			tensor.MatMulTInto(asMatrix(dst, x2.Dim(1)), g2, w.Data, false, false, accumulate)
		})
	}
	w.AddToGrad(func(dst *tensor.Tensor, accumulate bool) {
		tensor.MatMulTInto(dst, g2, x2, true, false, accumulate)
	})
	if b != nil && b.RequiresGrad() {
		grads[ib] = tensor.Sum(g2, 0, false)
	}
	if r != nil && r.RequiresGrad() {
		grads[ir] = g
	}
}

// linearInto computes y = x·Wᵀ + b, and adds r to it if r is not nil, for x
// (N, in), w (out, in) and y (..., out) of r's shape. The bias and r go
// into each block of y as the product finishes it: y's elements are those
// of the separate product, bias and Add, bit for bit.
func linearInto(y, x *tensor.Tensor, w, b, r *autograd.Value) {
	N, in, nout := x.Dim(0), x.Dim(1), w.Data.Dim(0)
	var epi tensor.Epilogue
	if r != nil {
		yd, rd := y.Data(), r.Data.Data()
		epi = func(i0, i1, j0, j1 int) {
			blockRows(nout, i0, i1, j0, j1, func(lo, hi int) { vecmath.Add(yd[lo:hi], yd[lo:hi], rd[lo:hi]) })
		}
	}
	tensor.GemmEpilogue(false, true, N, nout, in, x.Data(), in, w.Data.Data(), in, y.Data(), nout, false, biasData(b), epi)
}

// blockRows calls f(lo, hi) on each row of the block [i0, i1)×[j0, j1) of a
// row-major matrix n wide, as indices into its data: once for the whole
// block when it spans whole rows.
func blockRows(n, i0, i1, j0, j1 int, f func(lo, hi int)) {
	if j0 == 0 && j1 == n {
		f(i0*n, i1*n)
		return
	}
	for i := i0; i < i1; i++ {
		f(i*n+j0, i*n+j1)
	}
}

// FeedForward returns Linear(GELU(Linear(x, w1, b1)), w2, b2), a
// transformer's position-wise MLP, as one op with the values, gradients
// and bits of the three. w1 is (hidden, in), w2 (out, hidden), b1 (hidden)
// or nil, b2 (out) or nil, and x (..., in): the result is (..., out).
//
// Fused, the activation costs no pass of its own over the (..., hidden)
// hidden layer, the widest tensor of a transformer block: GELU runs on
// each block of the first product as the kernel finishes it, in place,
// and the backward multiplies by its derivative each block of the product
// that makes the hidden layer's gradient. The pre-activation is never
// stored, and the hidden layer's gradient takes its storage once w2's
// gradient has read it. FeedForward panics if the shapes do not fit.
func FeedForward(x, w1, b1, w2, b2 *autograd.Value) *autograd.Value {
	return feedForward("FeedForward", nil, x, w1, b1, w2, b2)
}

// AddFeedForward returns r + FeedForward(x, w1, b1, w2, b2), a residual
// connection around the MLP, as one op with the values, gradients and bits
// of Add and FeedForward: r, of the output's shape, is added to each block
// of the second product as AddLinear adds it. AddFeedForward panics if the
// shapes do not fit.
func AddFeedForward(r, x, w1, b1, w2, b2 *autograd.Value) *autograd.Value {
	return feedForward("AddFeedForward", r, x, w1, b1, w2, b2)
}

// feedForward is FeedForward, plus the residual r if it is not nil.
func feedForward(op string, r, x, w1, b1, w2, b2 *autograd.Value) *autograd.Value {
	xs, w1s, w2s := x.Data.Shape(), w1.Data.Shape(), w2.Data.Shape()
	if len(xs) < 1 || len(w1s) != 2 || len(w2s) != 2 || xs[len(xs)-1] != w1s[1] || w2s[1] != w1s[0] {
		panic(fnMsg(op, "input %v, weights %v and %v: want (..., in), (hidden, in) and (out, hidden)", xs, w1s, w2s))
	}
	in, hid, nout := w1s[1], w1s[0], w2s[0]
	ys := append(xs[:len(xs)-1:len(xs)-1], nout)
	checkOptional(op, b1, w1s, nil, nil)
	checkOptional(op, b2, w2s, r, ys)
	// Shapes: x2 (N, in), h and d (N, hid), y (N, out), with N the product
	// of the leading dimensions of x.
	x2 := asMatrix(x.Data, in)
	N := x2.Dim(0)
	h := autograd.Scratch(N, hid) // the hidden layer, GELU's output
	d := autograd.Scratch(N, hid) // GELU's derivative at the pre-activation
	hd, dd := h.Data(), d.Data()
	// h = GELU(x·W1ᵀ + b1), d = GELU'(x·W1ᵀ + b1): the pre-activation,
	// block by block, replaced by its activation.
	tensor.GemmEpilogue(false, true, N, hid, in, x2.Data(), in, w1.Data.Data(), in, hd, hid, false, biasData(b1), func(i0, i1, j0, j1 int) {
		blockRows(hid, i0, i1, j0, j1, func(lo, hi int) { vecmath.GELUDeriv(hd[lo:hi], dd[lo:hi], hd[lo:hi]) })
	})
	y := autograd.Scratch(ys...)
	linearInto(y, h, w2, b2, r) // y = h·W2ᵀ + b2 (+ r)
	parents := []*autograd.Value{x, w1, w2}
	ib1, ib2, ir := place(&parents, b1), place(&parents, b2), place(&parents, r)
	return autograd.RecordBorrowing(op, y, func(g *tensor.Tensor) []*tensor.Tensor {
		g2 := asMatrix(g, nout)
		grads := make([]*tensor.Tensor, len(parents))
		linearGrads(g, g2, nil, h, w2, b2, r, grads, ib2, ir) // y = h·W2ᵀ + b2 (+ r); dh below
		if !x.RequiresGrad() && !w1.RequiresGrad() && (b1 == nil || !b1.RequiresGrad()) {
			return grads
		}
		// dh = g·W2: (N,out)(out,hid) -> (N,hid), and h = GELU(pre), so
		// dpre = dh·GELU'(pre) = dh·d, block by block as the product
		// leaves it, into h's storage (dW2 has read h; nothing else holds
		// it).
		dpre := h
		tensor.GemmEpilogue(false, false, N, hid, nout, g.Data(), nout, w2.Data.Data(), hid, hd, hid, false, nil, func(i0, i1, j0, j1 int) {
			blockRows(hid, i0, i1, j0, j1, func(lo, hi int) { vecmath.Mul(hd[lo:hi], hd[lo:hi], dd[lo:hi]) })
		})
		// pre = x·W1ᵀ + b1: dx, dW1 and db1 from dpre as a Linear's.
		linearGrads(dpre, dpre, x, x2, w1, b1, nil, grads, ib1, -1)
		return grads
	}, parents...).Keep(h, d).OwnsData()
}

// place appends v, an optional input, to parents and returns its index
// there, or -1 for a nil v.
func place(parents *[]*autograd.Value, v *autograd.Value) int {
	if v == nil {
		return -1
	}
	*parents = append(*parents, v)
	return len(*parents) - 1
}

// asMatrix views t, of shape (..., n), as the matrix (N, n), N the product
// of its leading dimensions: Reshape with -1, which cannot infer N when n
// is 0.
func asMatrix(t *tensor.Tensor, n int) *tensor.Tensor {
	N := 1
	for i := range t.Rank() - 1 {
		N *= t.Dim(i)
	}
	return tensor.Reshape(t, N, n)
}

// biasData returns b's data, or nil for no bias.
func biasData(b *autograd.Value) []float32 {
	if b == nil {
		return nil
	}
	return b.Data.Data()
}
