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
func Linear(x, w, b *autograd.Value) *autograd.Value {
	xs, ws := x.Data.Shape(), w.Data.Shape()
	if len(xs) < 1 || len(ws) != 2 || xs[len(xs)-1] != ws[1] {
		panic(fmt.Sprintf("ops.Linear: input %v and weight %v: want (..., in) and (out, in)", xs, ws))
	}
	in, nout := ws[1], ws[0]
	if b != nil && !slices.Equal(b.Data.Shape(), []int{nout}) {
		panic(fmt.Sprintf("ops.Linear: bias %v for weight %v: want [%d]", b.Data.Shape(), ws, nout))
	}
	// Shapes: x2 (N, in), w (out, in), y (N, out) with N the product of the
	// leading dimensions of x.
	x2 := asMatrix(x.Data, in)
	y := autograd.Scratch(append(xs[:len(xs)-1:len(xs)-1], nout)...)
	if b != nil { // y = x·Wᵀ + b, the bias added to each tile of y as the kernel leaves it
		tensor.GemmBias(false, true, x2.Dim(0), nout, in, x2.Data(), in, w.Data.Data(), in, y.Data(), nout, b.Data.Data())
	} else {
		tensor.MatMulTInto(asMatrix(y, nout), x2, w.Data, false, true, false) // y = x·Wᵀ
	}
	backward := func(g *tensor.Tensor) []*tensor.Tensor {
		g2 := asMatrix(g, nout)
		var db *tensor.Tensor
		// dx = g·W: (N,out)(out,in) -> (N,in), added into x's gradient sum
		// in the product's own pass when x already has one (a residual).
		x.AddToGrad(func(dst *tensor.Tensor, accumulate bool) {
			tensor.MatMulTInto(asMatrix(dst, in), g2, w.Data, false, false, accumulate)
		})
		// dW = gᵀ·x: (out,N)(N,in) -> (out,in), written or added straight
		// into the weight's gradient.
		w.AddToGrad(func(dst *tensor.Tensor, accumulate bool) {
			tensor.MatMulTInto(dst, g2, x2, true, false, accumulate)
		})
		if b != nil && b.RequiresGrad() {
			db = tensor.Sum(g2, 0, false) // y = x·Wᵀ + b, so db = Σ_rows g
		}
		return []*tensor.Tensor{nil, nil, db}
	}
	if b == nil {
		return autograd.RecordBorrowing("Linear", y, func(g *tensor.Tensor) []*tensor.Tensor {
			return backward(g)[:2]
		}, x, w).OwnsData()
	}
	return autograd.RecordBorrowing("Linear", y, backward, x, w, b).OwnsData()
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
	xs, w1s, w2s := x.Data.Shape(), w1.Data.Shape(), w2.Data.Shape()
	if len(xs) < 1 || len(w1s) != 2 || len(w2s) != 2 || xs[len(xs)-1] != w1s[1] || w2s[1] != w1s[0] {
		panic(fmt.Sprintf("ops.FeedForward: input %v, weights %v and %v: want (..., in), (hidden, in) and (out, hidden)", xs, w1s, w2s))
	}
	in, hid, nout := w1s[1], w1s[0], w2s[0]
	for _, b := range []struct {
		v *autograd.Value
		n int
	}{{b1, hid}, {b2, nout}} {
		if b.v != nil && !slices.Equal(b.v.Data.Shape(), []int{b.n}) {
			panic(fmt.Sprintf("ops.FeedForward: biases %v and %v for weights %v and %v: want [%d] and [%d] or nil", shapeOf(b1), shapeOf(b2), w1s, w2s, hid, nout))
		}
	}
	// Shapes: x2 (N, in), h and d (N, hid), y (N, out), with N the product
	// of the leading dimensions of x.
	x2 := asMatrix(x.Data, in)
	N := x2.Dim(0)
	h := autograd.Scratch(N, hid) // the hidden layer, GELU's output
	d := autograd.Scratch(N, hid) // GELU's derivative at the pre-activation
	hd, dd := h.Data(), d.Data()
	// rows calls f on the rows [i0, i1) of a block of the (N, hid) hidden
	// layer, as one slice when the block spans whole rows.
	rows := func(i0, i1, j0, j1 int, f func(lo, hi int)) {
		if j0 == 0 && j1 == hid {
			f(i0*hid, i1*hid)
			return
		}
		for i := i0; i < i1; i++ {
			f(i*hid+j0, i*hid+j1)
		}
	}
	// h = GELU(x·W1ᵀ + b1), d = GELU'(x·W1ᵀ + b1): the pre-activation,
	// block by block, replaced by its activation.
	tensor.GemmEpilogue(false, true, N, hid, in, x2.Data(), in, w1.Data.Data(), in, hd, hid, false, biasData(b1), func(i0, i1, j0, j1 int) {
		rows(i0, i1, j0, j1, func(lo, hi int) { vecmath.GELUDeriv(hd[lo:hi], dd[lo:hi], hd[lo:hi]) })
	})
	y := autograd.Scratch(append(xs[:len(xs)-1:len(xs)-1], nout)...)
	if b2 != nil { // y = h·W2ᵀ + b2
		tensor.GemmBias(false, true, N, nout, hid, hd, hid, w2.Data.Data(), hid, y.Data(), nout, b2.Data.Data())
	} else {
		tensor.MatMulTInto(asMatrix(y, nout), h, w2.Data, false, true, false)
	}
	parents := []*autograd.Value{x, w1, w2}
	for _, b := range []*autograd.Value{b1, b2} {
		if b != nil {
			parents = append(parents, b)
		}
	}
	return autograd.RecordBorrowing("FeedForward", y, func(g *tensor.Tensor) []*tensor.Tensor {
		g2 := asMatrix(g, nout)
		grads := make([]*tensor.Tensor, len(parents))
		// y = h·W2ᵀ + b2, so dW2 = gᵀ·h: (out,N)(N,hid) -> (out,hid), and
		// db2 = Σ_rows g.
		w2.AddToGrad(func(dst *tensor.Tensor, accumulate bool) {
			tensor.MatMulTInto(dst, g2, h, true, false, accumulate)
		})
		if b2 != nil && b2.RequiresGrad() {
			grads[len(grads)-1] = tensor.Sum(g2, 0, false)
		}
		if !x.RequiresGrad() && !w1.RequiresGrad() && (b1 == nil || !b1.RequiresGrad()) {
			return grads
		}
		// dh = g·W2: (N,out)(out,hid) -> (N,hid), and h = GELU(pre), so
		// dpre = dh·GELU'(pre) = dh·d, block by block as the product
		// leaves it, into h's storage (dW2 has read h; nothing else holds
		// it).
		dpre := h
		tensor.GemmEpilogue(false, false, N, hid, nout, g2.Data(), nout, w2.Data.Data(), hid, hd, hid, false, nil, func(i0, i1, j0, j1 int) {
			rows(i0, i1, j0, j1, func(lo, hi int) { vecmath.Mul(hd[lo:hi], hd[lo:hi], dd[lo:hi]) })
		})
		// pre = x·W1ᵀ + b1, so dx = dpre·W1: (N,hid)(hid,in) -> (N,in),
		// dW1 = dpreᵀ·x: (hid,N)(N,in) -> (hid,in), db1 = Σ_rows dpre.
		x.AddToGrad(func(dst *tensor.Tensor, accumulate bool) {
			tensor.MatMulTInto(asMatrix(dst, in), dpre, w1.Data, false, false, accumulate)
		})
		w1.AddToGrad(func(dst *tensor.Tensor, accumulate bool) {
			tensor.MatMulTInto(dst, dpre, x2, true, false, accumulate)
		})
		if b1 != nil && b1.RequiresGrad() {
			grads[3] = tensor.Sum(dpre, 0, false)
		}
		return grads
	}, parents...).Keep(h, d).OwnsData()
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

// shapeOf returns v's shape, or nil for a nil value.
func shapeOf(v *autograd.Value) []int {
	if v == nil {
		return nil
	}
	return v.Data.Shape()
}
