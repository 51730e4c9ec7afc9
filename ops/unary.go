package ops

import (
	"github.com/gotensor/gotensor/autograd"
	"github.com/gotensor/gotensor/ops/internal/vecmath"
	"github.com/gotensor/gotensor/tensor"
)

// Elementwise functions of one value. Each backward is a single pass over the
// data: dx[i] = g[i]·f'(x[i]), with f' written from x or from the output.

// Exp returns e^x elementwise.
func Exp(x *autograd.Value) *autograd.Value {
	out := tensor.Exp(x.Data)
	return autograd.RecordBorrowing("Exp", out, func(g *tensor.Tensor) []*tensor.Tensor {
		return []*tensor.Tensor{tensor.Mul(g, out)} // out = e^x, so dx = g·out
	}, x)
}

// Log returns the natural logarithm elementwise.
func Log(x *autograd.Value) *autograd.Value {
	return autograd.RecordBorrowing("Log", tensor.Log(x.Data), func(g *tensor.Tensor) []*tensor.Tensor {
		return []*tensor.Tensor{tensor.Div(g, x.Data)} // out = ln x, so dx = g / x
	}, x)
}

// Sqrt returns the square root elementwise.
func Sqrt(x *autograd.Value) *autograd.Value {
	out := tensor.Sqrt(x.Data)
	return autograd.RecordBorrowing("Sqrt", out, func(g *tensor.Tensor) []*tensor.Tensor {
		// out = √x, so dx = g / (2·out)
		dx := tensor.Div(g, out)
		dx.ScaleInPlace(0.5)
		return []*tensor.Tensor{dx}
	}, x)
}

// Tanh returns the hyperbolic tangent elementwise.
func Tanh(x *autograd.Value) *autograd.Value {
	out := tensor.Tanh(x.Data)
	return autograd.RecordBorrowing("Tanh", out, func(g *tensor.Tensor) []*tensor.Tensor {
		// out = tanh x, so dx = g·(1 - out²)
		dx := tensor.ZerosLike(g)
		d, gs, o := dx.Data(), g.Data(), out.Data()[:len(dx.Data())]
		for i := range d {
			d[i] = gs[i] * (1 - o[i]*o[i])
		}
		return []*tensor.Tensor{dx}
	}, x)
}

// Sigmoid returns 1/(1+e^-x) elementwise.
func Sigmoid(x *autograd.Value) *autograd.Value {
	out := tensor.Sigmoid(x.Data)
	return autograd.RecordBorrowing("Sigmoid", out, func(g *tensor.Tensor) []*tensor.Tensor {
		// out = σ(x), so dx = g·out·(1 - out)
		dx := tensor.ZerosLike(g)
		d, gs, o := dx.Data(), g.Data(), out.Data()[:len(dx.Data())]
		for i := range d {
			d[i] = gs[i] * o[i] * (1 - o[i])
		}
		return []*tensor.Tensor{dx}
	}, x)
}

// ReLU returns max(x, 0) elementwise; NaN stays NaN. Its gradient at
// exactly 0 is 0, as in PyTorch.
func ReLU(x *autograd.Value) *autograd.Value {
	out := autograd.Scratch(x.Data.Shape()...)
	vecmath.ReLUMask(out.Data(), x.Data.Data(), x.Data.Data())
	return autograd.RecordBorrowing("ReLU", out, func(g *tensor.Tensor) []*tensor.Tensor {
		// out = x if x > 0 else 0, so dx = g where x > 0 and 0 elsewhere
		setGrad(x, false, func(dx []float32) { vecmath.ReLUMask(dx, g.Data(), x.Data.Data()) })
		return []*tensor.Tensor{nil}
	}, x).OwnsData()
}

// LeakyReLU returns x where x > 0 and slope·x elsewhere.
func LeakyReLU(x *autograd.Value, slope float32) *autograd.Value {
	out := autograd.Scratch(x.Data.Shape()...)
	vecmath.LeakyScale(out.Data(), x.Data.Data(), x.Data.Data(), slope)
	return autograd.RecordBorrowing("LeakyReLU", out, func(g *tensor.Tensor) []*tensor.Tensor {
		// out = x if x > 0 else slope·x, so dx = g where x > 0 and slope·g elsewhere
		setGrad(x, false, func(dx []float32) { vecmath.LeakyScale(dx, g.Data(), x.Data.Data(), slope) })
		return []*tensor.Tensor{nil}
	}, x).OwnsData()
}

// GELU returns the Gaussian error linear unit x·Φ(x) = 0.5·x·(1 + erf(x/√2))
// elementwise, in its exact form (PyTorch's approximate='none'). Φ is
// computed to a relative error below 1e-6 (see vecmath.GELUDeriv). The
// forward also computes the derivative Φ(x) + x·φ(x) from the same
// exponential and keeps it for the backward.
func GELU(x *autograd.Value) *autograd.Value {
	out := autograd.Scratch(x.Data.Shape()...)
	dt := autograd.Scratch(out.Len())
	o, d, xs := out.Data(), dt.Data(), x.Data.Data()
	chunks(len(o), func(lo, hi int) {
		vecmath.GELUDeriv(o[lo:hi], d[lo:hi], xs[lo:hi]) // out = x·Φ(x), d = Φ(x) + x·φ(x)
	})
	return autograd.RecordBorrowing("GELU", out, func(g *tensor.Tensor) []*tensor.Tensor {
		// out = x·Φ(x), so dx = g·(Φ(x) + x·φ(x)) with φ(x) = e^(-x²/2)/√(2π)
		setGrad(x, false, func(dx []float32) {
			gs := g.Data()
			chunks(len(dx), func(lo, hi int) { vecmath.Mul(dx[lo:hi], gs[lo:hi], d[lo:hi]) })
		})
		return []*tensor.Tensor{nil}
	}, x).Keep(dt).OwnsData()
}

// GELUTanh returns the tanh approximation of GELU,
// 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), elementwise (PyTorch's
// approximate='tanh', used by GPT-2).
func GELUTanh(x *autograd.Value) *autograd.Value {
	out := autograd.Scratch(x.Data.Shape()...)
	tht := autograd.Scratch(out.Len())
	th := tht.Data() // tanh(√(2/π)·(x + a·x³))
	xs := x.Data.Data()
	vecmath.GELUTanh(out.Data(), th, xs) // out = 0.5·x·(1 + th)
	return autograd.RecordBorrowing("GELUTanh", out, func(g *tensor.Tensor) []*tensor.Tensor {
		// out = 0.5·x·(1 + t) with t = tanh(c·(x + a·x³)), so
		// dx = g·(0.5·(1 + t) + 0.5·x·(1 - t²)·c·(1 + 3a·x²))
		setGrad(x, false, func(dx []float32) { vecmath.GELUTanhGrad(dx, g.Data(), th, xs) })
		return []*tensor.Tensor{nil}
	}, x).Keep(tht).OwnsData()
}
