package autograd_test

import (
	"fmt"

	"github.com/gotensor/gotensor/autograd"
	"github.com/gotensor/gotensor/tensor"
)

// square is a user-defined op: its forward line, then its backward closure.
func square(x *autograd.Value) *autograd.Value {
	out := tensor.Mul(x.Data, x.Data)
	return autograd.Record("square", out, func(g *tensor.Tensor) []*tensor.Tensor {
		return []*tensor.Tensor{tensor.Mul(g, tensor.MulScalar(x.Data, 2))} // d(x²) = 2x·g
	}, x)
}

// sum reduces to a scalar loss.
func sum(x *autograd.Value) *autograd.Value {
	return autograd.Record("sum", tensor.Scalar(tensor.SumAll(x.Data)), func(g *tensor.Tensor) []*tensor.Tensor {
		return []*tensor.Tensor{tensor.Full(g.Item(), x.Data.Shape()...)}
	}, x)
}

func ExampleRecord() {
	x := autograd.Param(tensor.FromSlice([]float32{1, 2, 3}))
	loss := sum(square(x)) // 1 + 4 + 9
	loss.Backward()
	fmt.Println(loss.Item(), x.Grad)
	// Output:
	// 14 [2 4 6]
}

func ExampleGradCheck() {
	f := func(xs ...*autograd.Value) *autograd.Value { return square(xs[0]) }
	_, err := autograd.GradCheck(f, []*tensor.Tensor{tensor.FromSlice([]float32{0.5, -1, 2})}, 1e-2, 1e-2, 1e-2)
	fmt.Println("gradient check:", err)
	// Output:
	// gradient check: <nil>
}

func ExampleNoGrad() {
	w := autograd.Param(tensor.FromSlice([]float32{2}))
	restore := autograd.NoGrad(w) // evaluation: nothing is recorded
	y := square(w)
	restore()
	fmt.Println(y.Item(), y.IsLeaf())
	// Output:
	// 4 true
}
