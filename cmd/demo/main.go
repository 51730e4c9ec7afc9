// Command demo shows package tensor at work: broadcasting, reductions, a
// closed-form linear regression and the fast matrix product against the
// textbook triple loop.
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"time"

	"github.com/gotensor/gotensor/tensor"
)

func main() {
	n := flag.Int("n", 256, "size of the square matrices to multiply")
	seed := flag.Uint64("seed", 42, "random seed")
	flag.Parse()
	if *n < 1 || *n > 4096 {
		fmt.Fprintf(os.Stderr, "demo: -n %d: want 1 to 4096\n", *n)
		os.Exit(2)
	}
	rng := rand.New(rand.NewPCG(*seed, 0))

	x := tensor.FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	fmt.Printf("x =\n%v\n", x)
	fmt.Printf("x + [10 20 30] =\n%v\n", tensor.Add(x, tensor.FromSlice([]float32{10, 20, 30})))
	fmt.Printf("column sums %v, row means %v\n\n", tensor.Sum(x, 0, false), tensor.Mean(x, 1, false))

	// Closed-form linear regression: y = 3 + 2a - b + noise.
	feats := tensor.Randn(rng, 200, 2)
	X := tensor.Concat(1, tensor.Ones(200, 1), feats)
	wTrue := tensor.FromSlice([]float32{3, 2, -1}, 3, 1)
	y := tensor.Add(tensor.MatMul(X, wTrue), tensor.Normal(rng, 0, 0.1, 200, 1))
	w, err := tensor.Solve(tensor.MatMulT(X, X, true, false), tensor.MatMulT(X, y, true, false))
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
	fmt.Printf("normal equations recover w = %v (true [3 2 -1])\n\n", tensor.Reshape(w, -1))

	a, b := tensor.Randn(rng, *n, *n), tensor.Randn(rng, *n, *n)
	flops := 2 * float64(*n) * float64(*n) * float64(*n)
	start := time.Now()
	ref := tensor.MatMulNaive(a, b)
	naive := time.Since(start)
	start = time.Now()
	fast := tensor.MatMul(a, b)
	blocked := time.Since(start)
	diff := tensor.MaxAll(tensor.Abs(tensor.Sub(fast, ref)))
	fmt.Printf("MatMul %dx%d: naive loops %v (%.1f GFLOP/s), %s kernel on %d threads %v (%.1f GFLOP/s), max abs difference %.2g\n",
		*n, *n, naive.Round(time.Microsecond), flops/naive.Seconds()/1e9,
		tensor.Kernel(), tensor.Threads(), blocked.Round(time.Microsecond), flops/blocked.Seconds()/1e9, diff)
}
