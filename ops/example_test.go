package ops_test

import (
	"fmt"
	"math"

	"github.com/gotensor/gotensor/autograd"
	"github.com/gotensor/gotensor/ops"
	"github.com/gotensor/gotensor/tensor"
)

// The numbers printed by these examples were cross-checked with NumPy by
// testdata/check_examples.py.

// mat makes a constant (m, n) value from rows.
func mat(rows ...[]float32) *autograd.Value {
	var data []float32
	for _, r := range rows {
		data = append(data, r...)
	}
	return autograd.Const(tensor.FromSlice(data, len(rows), len(rows[0])))
}

func vec(x ...float32) *autograd.Value { return autograd.Const(tensor.FromSlice(x)) }

// show prints a value's elements with four decimals.
func show(name string, v *autograd.Value) {
	fmt.Printf("%s:", name)
	for _, x := range v.Data.Data() {
		fmt.Printf(" %.4f", x)
	}
	fmt.Println()
}

// A small 3-4-4-2 network with fixed weights, the same for the next example.
var (
	w1 = mat([]float32{0.2, -0.5, 0.1}, []float32{0.7, 0.3, -0.2}, []float32{-0.4, 0.6, 0.5}, []float32{0.1, 0.1, 0.1})
	b1 = vec(0.1, -0.1, 0, 0.2)
	w2 = mat([]float32{0.5, -0.3, 0.2, 0.1}, []float32{-0.6, 0.4, 0.3, 0.2}, []float32{0.1, 0.2, -0.5, 0.4}, []float32{0.3, 0.3, 0.3, -0.3})
	b2 = vec(0, 0.1, -0.1, 0)
	w3 = mat([]float32{1, -1, 0.5, 0.5}, []float32{-0.5, 0.5, 1, -1})
	b3 = vec(0.05, -0.05)
)

// One layer computes σ(W·x + b): each output is a weighted sum of the inputs
// plus a bias, squashed by the sigmoid. Three of them make a network, each
// layer's output the next one's input.
func Example_layers() {
	x := mat([]float32{1, 0.5, -1}) // one input of 3 features, as a (1, 3) row
	h1 := ops.Sigmoid(ops.Linear(x, w1, b1))
	h2 := ops.Sigmoid(ops.Linear(h1, w2, b2))
	y := ops.Sigmoid(ops.Linear(h2, w3, b3))
	show("h1", h1)
	show("h2", h2)
	show("y", y)
	// Output:
	// h1: 0.4875 0.7211 0.3543 0.5622
	// h2: 0.5385 0.5780 0.5351 0.5745
	// y: 0.6377 0.4826
}

// A batch of inputs is a matrix with one input per row: X·Wᵀ + b computes
// the layer for all of them in one matrix product.
func Example_batch() {
	data := make([]float32, 0, 300)
	for i := range 100 {
		t := float32(i) / 99
		data = append(data, t, 1-t, 0.5)
	}
	X := autograd.Const(tensor.FromSlice(data, 100, 3))
	H := ops.Sigmoid(ops.Linear(X, w1, b1))
	Y := ops.Sigmoid(ops.Linear(ops.Sigmoid(ops.Linear(H, w2, b2)), w3, b3))
	fmt.Println("X", X.Shape(), "-> H", H.Shape(), "-> Y", Y.Shape())
	for _, i := range []int{0, 50, 99} {
		fmt.Printf("Y[%d] = %.4f %.4f\n", i, Y.Data.At(i, 0), Y.Data.At(i, 1))
	}
	// Output:
	// X [100 3] -> H [100 4] -> Y [100 2]
	// Y[0] = 0.6332 0.4680
	// Y[50] = 0.6397 0.4701
	// Y[99] = 0.6462 0.4726
}

// Backpropagation by hand for a 2-layer network with a ReLU hidden layer, a
// sigmoid output and the mean squared error, next to autograd's answer.
func Example_backprop() {
	x := mat([]float32{1, 2}, []float32{-1, 0.5}, []float32{0.5, -1})
	target := mat([]float32{1}, []float32{0}, []float32{1})
	W1 := autograd.Param(tensor.FromSlice([]float32{0.5, -0.2, 0.3, 0.8, -0.6, 0.1}, 3, 2))
	c1 := autograd.Param(tensor.FromSlice([]float32{0.1, 0, -0.1}))
	W2 := autograd.Param(tensor.FromSlice([]float32{0.7, -0.4, 0.9}, 1, 3))
	c2 := autograd.Param(tensor.FromSlice([]float32{0.2}))

	// Forward: z1 = x·W1ᵀ + c1, h = relu(z1), y = σ(h·W2ᵀ + c2),
	// loss = mean((y - target)²).
	z1 := ops.Linear(x, W1, c1)
	h := ops.ReLU(z1)
	y := ops.Sigmoid(ops.Linear(h, W2, c2))
	loss := ops.MSE(y, target)
	loss.Backward()
	fmt.Printf("loss %.4f\n", loss.Item())

	// Backward by hand, from the loss back, each line under the forward
	// line it differentiates. Shapes: x (3, 2), h (3, 3), y (3, 1).
	n := float32(y.Data.Len())
	// loss = mean((y - target)²)
	dy := tensor.MulScalar(tensor.Sub(y.Data, target.Data), 2/n)
	// y = σ(z2), σ' = y·(1 - y)
	dz2 := tensor.Mul(dy, tensor.Mul(y.Data, tensor.AddScalar(tensor.Neg(y.Data), 1)))
	// z2 = h·W2ᵀ + c2
	dW2 := tensor.MatMulT(dz2, h.Data, true, false)
	dc2 := tensor.Sum(dz2, 0, false)
	dh := tensor.MatMul(dz2, W2.Data)
	// h = relu(z1)
	dz1 := tensor.Mul(dh, tensor.GtScalar(z1.Data, 0))
	// z1 = x·W1ᵀ + c1
	dW1 := tensor.MatMulT(dz1, x.Data, true, false)
	dc1 := tensor.Sum(dz1, 0, false)
	for _, p := range []struct {
		name       string
		hand, auto *tensor.Tensor
	}{{"dW1", dW1, W1.Grad}, {"dc1", dc1, c1.Grad}, {"dW2", dW2, W2.Grad}, {"dc2", dc2, c2.Grad}} {
		fmt.Printf("%s %v equal: %v\n", p.name, fmtVals(p.hand), tensor.AllClose(p.hand, p.auto, 1e-5, 1e-7))
	}
	// Output:
	// loss 0.3084
	// dW1 [-0.0866 -0.0964 0.0780 0.0573 -0.0888 0.0444] equal: true
	// dc1 [-0.1058 -0.0010 0.0888] equal: true
	// dW2 [-0.0494 -0.1730 0.0543] equal: true
	// dc2 [-0.0524] equal: true
}

func fmtVals(t *tensor.Tensor) string {
	s := "["
	for i, v := range t.Data() {
		if i > 0 {
			s += " "
		}
		s += fmt.Sprintf("%.4f", v)
	}
	return s + "]"
}

// Word vectors: similar words point in similar directions. With made-up
// 4-d vectors (royalty, male, female, fruit), king is closer to queen than to
// apple, and king - man + woman lands next to queen.
func ExampleCosineSimilarity() {
	words := []string{"king", "queen", "man", "woman", "apple"}
	v := map[string]*autograd.Value{
		"king":  vec(0.9, 0.8, 0.1, 0.0),
		"queen": vec(0.9, 0.1, 0.8, 0.0),
		"man":   vec(0.1, 0.9, 0.1, 0.1),
		"woman": vec(0.1, 0.1, 0.9, 0.1),
		"apple": vec(0.0, 0.1, 0.1, 0.9),
	}
	cos := func(a, b *autograd.Value) float32 { return ops.CosineSimilarity(a, b).Item() }
	fmt.Printf("king-queen %.4f\n", cos(v["king"], v["queen"]))
	fmt.Printf("king-apple %.4f\n", cos(v["king"], v["apple"]))
	analogy := ops.Add(ops.Sub(v["king"], v["man"]), v["woman"])
	best, bestCos := "", float32(math.Inf(-1))
	for _, w := range words {
		if c := cos(analogy, v[w]); c > bestCos {
			best, bestCos = w, c
		}
	}
	fmt.Printf("king - man + woman ≈ %s (%.4f)\n", best, bestCos)
	// Output:
	// king-queen 0.6644
	// king-apple 0.0818
	// king - man + woman ≈ queen (0.9948)
}

// Softmax turns scores into probabilities; cross-entropy is minus the log of
// the probability of the right class.
func ExampleCrossEntropy() {
	logits := mat([]float32{2, 1, 0.5})
	show("softmax", ops.Softmax(logits, -1))
	loss := ops.CrossEntropy(logits, []int{0})
	fmt.Printf("cross-entropy for class 0: %.4f = -log %.4f\n", loss.Item(), math.Exp(-float64(loss.Item())))
	// Output:
	// softmax: 0.6285 0.2312 0.1402
	// cross-entropy for class 0: 0.4644 = -log 0.6285
}

// Each query attends to the keys with weights that sum to 1; with causal
// masking, query i sees only keys 0..i.
func ExampleScaledDotProductAttention() {
	q := autograd.Const(tensor.FromSlice([]float32{1, 0, 0, 1, 1, 1}, 1, 3, 2))
	k := autograd.Const(tensor.FromSlice([]float32{1, 0, 0, 1, -1, 0}, 1, 3, 2))
	v := autograd.Const(tensor.FromSlice([]float32{1, 2, 3, 4, 5, 6}, 1, 3, 2))
	for _, causal := range []bool{false, true} {
		out, w := ops.ScaledDotProductAttention(q, k, v, nil, causal)
		fmt.Println("causal:", causal)
		for i := range 3 {
			row := w.Data.Data()[i*3 : i*3+3]
			fmt.Printf("  weights %.4f %.4f %.4f (sum %.4f) -> out %.4f %.4f\n", row[0], row[1], row[2], row[0]+row[1]+row[2], out.Data.At(0, i, 0), out.Data.At(0, i, 1))
		}
	}
	// Output:
	// causal: false
	//   weights 0.5760 0.2840 0.1400 (sum 1.0000) -> out 2.1281 3.1281
	//   weights 0.2483 0.5035 0.2483 (sum 1.0000) -> out 3.0000 4.0000
	//   weights 0.4458 0.4458 0.1084 (sum 1.0000) -> out 2.3252 3.3252
	// causal: true
	//   weights 1.0000 0.0000 0.0000 (sum 1.0000) -> out 1.0000 2.0000
	//   weights 0.3302 0.6698 0.0000 (sum 1.0000) -> out 2.3395 3.3395
	//   weights 0.4458 0.4458 0.1084 (sum 1.0000) -> out 2.3252 3.3252
}
