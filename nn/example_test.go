package nn_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/gotensor/gotensor/autograd"
	"github.com/gotensor/gotensor/nn"
	"github.com/gotensor/gotensor/ops"
	"github.com/gotensor/gotensor/optim"
	"github.com/gotensor/gotensor/tensor"
)

// This example fits a small MLP to XOR, the function no linear model can
// represent, and saves it.
func Example() {
	// A seeded generator makes the initial weights, and so the whole run,
	// the same every time.
	rng := rand.New(rand.NewPCG(1, 2))
	model := nn.NewMLP(rng, 2, []int{8}, 2) // 2 -> 8 -> ReLU -> 2 logits

	// The four inputs and their classes.
	x := autograd.Const(tensor.FromSlice([]float32{0, 0, 0, 1, 1, 0, 1, 1}, 4, 2))
	y := []int{0, 1, 1, 0}

	// Each step: forward, loss, backward, update, clear the gradients, and
	// hand the step's activations back for the next step to reuse.
	opt := optim.NewAdam(model.Parameters(), optim.AdamConfig{LR: 0.05})
	var last float32
	for range 300 {
		loss := ops.CrossEntropy(model.Forward(x), y)
		loss.Backward()
		opt.Step()
		opt.ZeroGrad()
		last = loss.Item()
		loss.Release()
	}
	fmt.Printf("loss below 0.01: %v\n", last < 0.01)

	// Predict without recording a graph: the class with the larger logit.
	restore := autograd.NoGrad(model.Parameters()...)
	logits := model.Forward(x).Data
	restore()
	fmt.Println("predictions:", tensor.ArgMax(logits, 1, false))

	// Save the trained weights and load them into a fresh model.
	path := filepath.Join(os.TempDir(), "xor.safetensors")
	defer os.Remove(path)
	if err := nn.Save(path, model); err != nil {
		fmt.Println(err)
		return
	}
	fresh := nn.NewMLP(rand.New(rand.NewPCG(9, 9)), 2, []int{8}, 2)
	if err := nn.Load(path, fresh); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("loaded model predicts:", tensor.ArgMax(fresh.Forward(x).Data, 1, false))
	// Output:
	// loss below 0.01: true
	// predictions: [0 1 1 0]
	// loaded model predicts: [0 1 1 0]
}

func ExampleModule_NamedParameters() {
	m := nn.NewMLP(rand.New(rand.NewPCG(1, 1)), 3, []int{4}, 2)
	for _, p := range m.NamedParameters() {
		fmt.Println(p.Name, p.Value.Shape())
	}
	fmt.Println(nn.NumParams(m), "parameters")
	// Output:
	// 0.weight [4 3]
	// 0.bias [4]
	// 2.weight [2 4]
	// 2.bias [2]
	// 26 parameters
}

// A tiny GPT learns to continue a repeating sequence, then generates with
// its key/value cache.
func ExampleGPT_Generate() {
	rng := rand.New(rand.NewPCG(3, 4))
	g := nn.NewGPT(rng, nn.GPTConfig{Vocab: 4, Context: 8, Dim: 16, Heads: 2, Layers: 1})
	opt := optim.NewAdamW(g.Parameters(), optim.AdamConfig{LR: 1e-2})
	// Rows of 0 1 2 3 0 1 2 3 ... starting at each offset; targets are the
	// next tokens.
	const B, T = 4, 8
	ids, targets := make([]int, B*T), make([]int, B*T)
	for b := range B {
		for t := range T {
			ids[b*T+t], targets[b*T+t] = (b+t)%4, (b+t+1)%4
		}
	}
	for range 100 {
		loss := ops.CrossEntropy(ops.Reshape(g.Forward(ids, B, T), B*T, 4), targets)
		loss.Backward()
		opt.Step()
		opt.ZeroGrad()
	}
	fmt.Println(g.Generate(nil, []int{2, 3}, 12, 0)) // greedy
	// Output: [0 1 2 3 0 1 2 3 0 1 2 3]
}
