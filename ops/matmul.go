package ops

import (
	"fmt"
	"slices"

	"github.com/gotensor/gotensor/autograd"
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
	x2 := tensor.Reshape(x.Data, -1, in)
	y := autograd.Scratch(append(xs[:len(xs)-1:len(xs)-1], nout)...)
	if b != nil { // y = x·Wᵀ + b, the bias added to each tile of y as the kernel leaves it
		tensor.GemmBias(false, true, x2.Dim(0), nout, in, x2.Data(), in, w.Data.Data(), in, y.Data(), nout, b.Data.Data())
	} else {
		tensor.MatMulTInto(tensor.Reshape(y, -1, nout), x2, w.Data, false, true, false) // y = x·Wᵀ
	}
	backward := func(g *tensor.Tensor) []*tensor.Tensor {
		g2 := tensor.Reshape(g, -1, nout)
		var db *tensor.Tensor
		// dx = g·W: (N,out)(out,in) -> (N,in), added into x's gradient sum
		// in the product's own pass when x already has one (a residual).
		x.AddToGrad(func(dst *tensor.Tensor, accumulate bool) {
			tensor.MatMulTInto(tensor.Reshape(dst, -1, in), g2, w.Data, false, false, accumulate)
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
