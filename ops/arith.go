package ops

import (
	"math"
	"slices"

	"github.com/gotensor/gotensor/autograd"
	"github.com/gotensor/gotensor/ops/internal/vecmath"
	"github.com/gotensor/gotensor/tensor"
)

// Binary ops broadcast as NumPy does (see package tensor). Each gradient is
// computed at the broadcast shape and then summed back to its input's shape
// with tensor.SumTo, the adjoint of broadcasting.

// reduceTo returns g summed down to shape. When g already has that shape it is
// returned itself, not a copy: backward closures never write to g.
func reduceTo(g *tensor.Tensor, shape []int) *tensor.Tensor {
	if slices.Equal(g.Shape(), shape) {
		return g
	}
	return tensor.SumTo(g, shape...)
}

// setGrad gives x the gradient that set writes, whole, into a slice of x's
// size (autograd's WriteGrad). If x needs no gradient, set runs into a
// temporary when always is true, for a backward that computes other
// gradients in the same pass, and not at all otherwise.
func setGrad(x *autograd.Value, always bool, set func(dx []float32)) {
	if !x.RequiresGrad() {
		if always {
			set(make([]float32, x.Data.Len()))
		}
		return
	}
	x.WriteGrad(func(dst *tensor.Tensor) { set(dst.Data()) })
}

// Add returns a + b, broadcast. It panics if the shapes cannot broadcast.
func Add(a, b *autograd.Value) *autograd.Value {
	var out *tensor.Tensor
	// A residual (equal shapes) or a block repeated over leading
	// dimensions (a position embedding) is a vecmath pass per block into
	// Scratch; other broadcasts go through tensor.Add.
	big, small := a.Data, b.Data
	if small.Len() > big.Len() {
		big, small = small, big
	}
	tiled := tiles(big.Shape(), small.Shape())
	if tiled {
		out = autograd.Scratch(big.Shape()...)
		o, x, y := out.Data(), big.Data(), small.Data()
		for i := 0; i < len(o); i += len(y) {
			vecmath.Add(o[i:i+len(y)], x[i:i+len(y)], y) // x + y = y + x, bit for bit
		}
	} else {
		out = tensor.Add(a.Data, b.Data)
	}
	v := autograd.RecordBorrowing("Add", out, func(g *tensor.Tensor) []*tensor.Tensor {
		// out = a + b
		var da, db *tensor.Tensor
		if a.RequiresGrad() {
			da = reduceTo(g, a.Data.Shape())
		}
		if b.RequiresGrad() {
			db = reduceTo(g, b.Data.Shape())
		}
		return []*tensor.Tensor{da, db}
	}, a, b)
	if tiled {
		v.OwnsData() // only Scratch's storage goes back, so each step draws what the last handed back
	}
	return v
}

// tiles reports whether a tensor of shape small, repeated over leading
// dimensions, makes one of shape big, which is then their broadcast: small
// has no more dimensions than big, and without its leading 1s it is the
// end of big and holds at least one element (a scalar goes through
// tensor.Add).
func tiles(big, small []int) bool {
	if len(small) > len(big) {
		return false
	}
	for len(small) > 0 && small[0] == 1 {
		small = small[1:]
	}
	n := 1
	for _, d := range small {
		n *= d
	}
	return len(small) > 0 && n > 0 && slices.Equal(big[len(big)-len(small):], small)
}

// Sub returns a - b, broadcast. It panics if the shapes cannot broadcast.
func Sub(a, b *autograd.Value) *autograd.Value {
	out := tensor.Sub(a.Data, b.Data)
	return autograd.RecordBorrowing("Sub", out, func(g *tensor.Tensor) []*tensor.Tensor {
		// out = a - b
		var da, db *tensor.Tensor
		if a.RequiresGrad() {
			da = reduceTo(g, a.Data.Shape())
		}
		if b.RequiresGrad() {
			db = reduceTo(tensor.Neg(g), b.Data.Shape())
		}
		return []*tensor.Tensor{da, db}
	}, a, b)
}

// Mul returns the elementwise product a * b, broadcast. It panics if the
// shapes cannot broadcast.
func Mul(a, b *autograd.Value) *autograd.Value {
	out := tensor.Mul(a.Data, b.Data)
	return autograd.RecordBorrowing("Mul", out, func(g *tensor.Tensor) []*tensor.Tensor {
		// out = a * b
		var da, db *tensor.Tensor
		if a.RequiresGrad() {
			da = reduceTo(tensor.Mul(g, b.Data), a.Data.Shape()) // da = g * b
		}
		if b.RequiresGrad() {
			db = reduceTo(tensor.Mul(g, a.Data), b.Data.Shape()) // db = g * a
		}
		return []*tensor.Tensor{da, db}
	}, a, b)
}

// Div returns a / b, broadcast. It panics if the shapes cannot broadcast.
func Div(a, b *autograd.Value) *autograd.Value {
	out := tensor.Div(a.Data, b.Data)
	return autograd.RecordBorrowing("Div", out, func(g *tensor.Tensor) []*tensor.Tensor {
		// out = a / b
		var da, db *tensor.Tensor
		gb := tensor.Div(g, b.Data) // g / b
		if a.RequiresGrad() {
			da = reduceTo(gb, a.Data.Shape()) // da = g / b
		}
		if b.RequiresGrad() {
			db = reduceTo(tensor.Neg(tensor.Mul(gb, out)), b.Data.Shape()) // db = -g·a/b² = -(g/b)·out
		}
		return []*tensor.Tensor{da, db}
	}, a, b)
}

// Neg returns -x.
func Neg(x *autograd.Value) *autograd.Value {
	return autograd.RecordBorrowing("Neg", tensor.Neg(x.Data), func(g *tensor.Tensor) []*tensor.Tensor {
		return []*tensor.Tensor{tensor.Neg(g)} // out = -x
	}, x)
}

// Pow returns a raised to the power b elementwise, broadcast. The gradient
// with respect to b uses ln(a): it is NaN where a < 0 and, as in PyTorch,
// 0 where a == 0. It panics if the shapes cannot broadcast.
func Pow(a, b *autograd.Value) *autograd.Value {
	out := tensor.Pow(a.Data, b.Data)
	return autograd.RecordBorrowing("Pow", out, func(g *tensor.Tensor) []*tensor.Tensor {
		// out = a^b
		var da, db *tensor.Tensor
		if a.RequiresGrad() {
			// da = g · b · a^(b-1)
			pm1 := tensor.Pow(a.Data, tensor.AddScalar(b.Data, -1))
			da = reduceTo(tensor.Mul(g, tensor.Mul(b.Data, pm1)), a.Data.Shape())
		}
		if b.RequiresGrad() {
			// db = g · a^b · ln a
			lna := tensor.ZerosLike(a.Data)
			for i, x := range a.Data.Data() {
				if x != 0 {
					lna.Data()[i] = float32(math.Log(float64(x)))
				}
			}
			db = reduceTo(tensor.Mul(g, tensor.Mul(out, lna)), b.Data.Shape())
		}
		return []*tensor.Tensor{da, db}
	}, a, b)
}

// AddScalar returns x + s.
func AddScalar(x *autograd.Value, s float32) *autograd.Value {
	return autograd.RecordBorrowing("AddScalar", tensor.AddScalar(x.Data, s), func(g *tensor.Tensor) []*tensor.Tensor {
		return []*tensor.Tensor{g} // out = x + s
	}, x)
}

// SubScalar returns x - s.
func SubScalar(x *autograd.Value, s float32) *autograd.Value { return AddScalar(x, -s) }

// MulScalar returns s·x.
func MulScalar(x *autograd.Value, s float32) *autograd.Value {
	return autograd.RecordBorrowing("MulScalar", tensor.MulScalar(x.Data, s), func(g *tensor.Tensor) []*tensor.Tensor {
		return []*tensor.Tensor{tensor.MulScalar(g, s)} // out = s·x
	}, x)
}

// DivScalar returns x / s.
func DivScalar(x *autograd.Value, s float32) *autograd.Value {
	return autograd.RecordBorrowing("DivScalar", tensor.DivScalar(x.Data, s), func(g *tensor.Tensor) []*tensor.Tensor {
		return []*tensor.Tensor{tensor.DivScalar(g, s)} // out = x / s
	}, x)
}

// PowScalar returns x raised to the constant power p elementwise.
func PowScalar(x *autograd.Value, p float32) *autograd.Value {
	return autograd.RecordBorrowing("PowScalar", tensor.PowScalar(x.Data, p), func(g *tensor.Tensor) []*tensor.Tensor {
		// out = x^p, so dx = g · p · x^(p-1)
		var d *tensor.Tensor
		switch p {
		case 0:
			return []*tensor.Tensor{nil}
		case 1:
			return []*tensor.Tensor{g}
		case 2:
			d = tensor.MulScalar(x.Data, 2)
		default:
			d = tensor.MulScalar(tensor.PowScalar(x.Data, p-1), p)
		}
		d.MulInPlace(g)
		return []*tensor.Tensor{d}
	}, x)
}
