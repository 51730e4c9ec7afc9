package optim_test

import (
	"fmt"

	"github.com/gotensor/gotensor/autograd"
	"github.com/gotensor/gotensor/optim"
	"github.com/gotensor/gotensor/tensor"
)

// Minimise f(x) = (x − 3)² with Adam and a cosine schedule, writing the
// gradient 2(x − 3) by hand where a model would call loss.Backward.
func Example() {
	x := autograd.Param(tensor.Scalar(0))
	x.Grad = tensor.Scalar(0)
	opt := optim.NewAdam([]*autograd.Value{x}, optim.AdamConfig{LR: 0.5})
	sched := optim.NewWarmupCosine(0.5, 0.001, 10, 300)
	for step := range 300 {
		opt.SetLR(sched.LR(step))
		x.Grad.Data()[0] = 2 * (x.Data.Item() - 3)
		opt.Step()
	}
	fmt.Printf("x = %.3f after %d steps\n", x.Data.Item(), opt.State().Steps)
	// Output: x = 3.000 after 300 steps
}

func ExampleClipGradNorm() {
	w := autograd.Param(tensor.Zeros(2))
	w.Grad = tensor.FromSlice([]float32{30, 40})
	norm := optim.ClipGradNorm([]*autograd.Value{w}, 5)
	fmt.Printf("norm %.0f, clipped gradient [%.3f %.3f]\n", norm, w.Grad.Data()[0], w.Grad.Data()[1])
	// Output: norm 50, clipped gradient [3.000 4.000]
}

func ExampleStepLR() {
	s := optim.NewStepLR(0.1, 30, 0.1)
	fmt.Println(s.LR(0), s.LR(29), s.LR(30), s.LR(65))
	// Output: 0.1 0.1 0.01 0.001
}
