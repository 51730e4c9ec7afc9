package tensor_test

import (
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/gotensor/gotensor/tensor"
)

func Example() {
	t := tensor.FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	fmt.Println(t)
	fmt.Println(t.Shape(), t.At(1, 2))

	// Broadcasting: a (2, 3) matrix plus a (3) row adds the row to each row.
	fmt.Println(tensor.Add(t, tensor.FromSlice([]float32{10, 20, 30})))

	// Reductions take an axis and keepdim.
	fmt.Println(tensor.Sum(t, 1, true))
	// Output:
	// [[1 2 3]
	//  [4 5 6]]
	// [2 3] 6
	// [[11 22 33]
	//  [14 25 36]]
	// [[ 6]
	//  [15]]
}

func ExampleMatMul() {
	a := tensor.FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	b := tensor.FromSlice([]float32{7, 8, 9, 10, 11, 12}, 3, 2)
	fmt.Println(tensor.MatMul(a, b))
	// aᵀ·a without forming aᵀ:
	fmt.Println(tensor.MatMulT(a, a, true, false))
	// Output:
	// [[ 58  64]
	//  [139 154]]
	// [[17 22 27]
	//  [22 29 36]
	//  [27 36 45]]
}

func ExampleReshape() {
	t := tensor.Arange(0, 6, 1)
	m := tensor.Reshape(t, 2, -1) // shares t's storage
	m.Set(100, 0, 0)
	fmt.Println(m.Shape(), t.At(0))
	// Output:
	// [2 3] 100
}

func ExampleSolve() {
	// 2x + y = 5, x + 3y = 10.
	a := tensor.FromSlice([]float32{2, 1, 1, 3}, 2, 2)
	b := tensor.FromSlice([]float32{5, 10})
	x, err := tensor.Solve(a, b)
	fmt.Println(x, err)

	_, err = tensor.Solve(tensor.FromSlice([]float32{1, 2, 2, 4}, 2, 2), b)
	fmt.Println(errors.Is(err, tensor.ErrSingular))
	// Output:
	// [1 3] <nil>
	// true
}

// This example fits a line the way a linear-algebra course does it: the
// normal equations (XᵀX)w = Xᵀy, and their L2-regularised form
// (XᵀX + λI)w = Xᵀy, solved in closed form.
func Example_linearRegression() {
	// Make 100 points on y = 3 + 2x with a little noise, from a fixed seed.
	rng := rand.New(rand.NewPCG(42, 0))
	x := tensor.Uniform(rng, -1, 1, 100, 1)
	noise := tensor.Normal(rng, 0, 0.1, 100, 1)
	y := tensor.Add(tensor.AddScalar(tensor.MulScalar(x, 2), 3), noise)

	// The design matrix has a column of ones for the intercept.
	X := tensor.Concat(1, tensor.Ones(100, 1), x)

	// XᵀX is (2, 2) and Xᵀy is (2, 1); MatMulT reads Xᵀ in place.
	xtx := tensor.MatMulT(X, X, true, false)
	xty := tensor.MatMulT(X, y, true, false)
	w, err := tensor.Solve(xtx, xty)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("least squares: intercept %.2f, slope %.2f\n", w.At(0, 0), w.At(1, 0))

	// Ridge regression adds λI to XᵀX, which shrinks the weights.
	ridge, _ := tensor.Solve(tensor.Add(xtx, tensor.MulScalar(tensor.Eye(2), 50)), xty)
	fmt.Printf("ridge (λ=50):  intercept %.2f, slope %.2f\n", ridge.At(0, 0), ridge.At(1, 0))
	fmt.Println("ridge norm is smaller:", tensor.Norm(ridge) < tensor.Norm(w))
	// (NumPy's float64 np.linalg.solve on the same data gives 3.0095, 1.9998
	// and 2.0513, 0.9181.)
	//
	// Output:
	// least squares: intercept 3.01, slope 2.00
	// ridge (λ=50):  intercept 2.05, slope 0.92
	// ridge norm is smaller: true
}

// ParallelFor splits a loop whose iterations are independent between the
// goroutines that matrix products use. Each index is computed the same way
// whatever range it falls in, so the result does not depend on the thread
// count.
func ExampleParallelFor() {
	x := make([]float32, 100000)
	tensor.ParallelFor(len(x), 4096, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			x[i] = float32(i) * 0.5
		}
	})
	fmt.Println(x[3], x[99999])
	// Output: 1.5 49999.5
}

// A layer's forward pass relu(x·Wᵀ + b) as one product: the bias goes into
// each tile of the output as the kernel leaves it, and the activation runs
// on each finished block while it is still in cache.
func ExampleGemmEpilogue() {
	x := []float32{1, 2, 3, 4}        // two inputs of two features, (2, 2)
	w := []float32{1, -1, 2, 1, 0, 1} // three outputs, (3, 2)
	b := []float32{0.5, 0, -4}
	y := make([]float32, 2*3)
	tensor.GemmEpilogue(false, true, 2, 3, 2, x, 2, w, 2, y, 3, false, b, func(i0, i1, j0, j1 int) {
		for i := i0; i < i1; i++ {
			for j := j0; j < j1; j++ {
				y[i*3+j] = max(y[i*3+j], 0)
			}
		}
	})
	fmt.Println(y)
	// Output: [0 4 0 0 10 0]
}
