package nn

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"sync"
	"testing"

	"github.com/gotensor/gotensor/autograd"
	"github.com/gotensor/gotensor/ops"
	"github.com/gotensor/gotensor/optim"
	"github.com/gotensor/gotensor/tensor"
)

// fixture is testdata/gpt_fixture.json, written with the weights in
// testdata/gpt_fixture.safetensors by testdata/gen_fixture.py.
type fixture struct {
	Config struct {
		Vocab, Context, Dim, Heads, Layers, Hidden int
	}
	IDs    []int
	Batch  int
	Logits []float64
}

func loadFixture(t *testing.T) (*GPT, *fixture) {
	t.Helper()
	b, err := os.ReadFile("testdata/gpt_fixture.json")
	if err != nil {
		t.Fatal(err)
	}
	var f fixture
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	c := f.Config
	g := NewGPT(rand.New(rand.NewPCG(0, 0)), GPTConfig{Vocab: c.Vocab, Context: c.Context, Dim: c.Dim,
		Heads: c.Heads, Layers: c.Layers, Hidden: c.Hidden})
	if err := Load("testdata/gpt_fixture.safetensors", g); err != nil {
		t.Fatalf("Load of the Python-written fixture: %v", err)
	}
	return g, &f
}

// TestGPTMatchesPyTorch loads weights written in Python with json and numpy
// and compares the logits with PyTorch's, computed in float64.
func TestGPTMatchesPyTorch(t *testing.T) {
	g, f := loadFixture(t)
	_, meta, err := ReadTensors("testdata/gpt_fixture.safetensors")
	if err != nil || meta["generator"] != "gen_fixture.py" {
		t.Errorf("fixture metadata %v, %v; want generator gen_fixture.py", meta, err)
	}
	T := len(f.IDs) / f.Batch
	logits := g.Forward(f.IDs, f.Batch, T).Data.Data()
	if len(logits) != len(f.Logits) {
		t.Fatalf("GPT.Forward gave %d logits; want %d", len(logits), len(f.Logits))
	}
	for i, got := range logits {
		if want := f.Logits[i]; math.Abs(float64(got)-want) > 2e-5*(1+math.Abs(want)) {
			t.Fatalf("GPT.Forward(fixture ids) logit %d = %v; PyTorch %v", i, got, want)
		}
	}
}

// TestCachedForwardMatchesFull feeds a sequence to the model in pieces, with
// the key/value cache, and compares each position's logits with those of
// one full forward pass.
func TestCachedForwardMatchesFull(t *testing.T) {
	g, f := loadFixture(t)
	T, V := g.Config.Context, g.Config.Vocab
	ids := f.IDs[:T]
	full := g.Forward(ids, 1, T).Data.Data()
	for _, pieces := range [][]int{{1, 1, 1, 1, 1, 1, 1, 1}, {3, 1, 4}, {8}, {2, 6}} {
		cache := g.NewCache()
		var got []float32
		start := 0
		for _, n := range pieces {
			got = append(got, g.ForwardCached(ids[start:start+n], 1, n, cache).Data.Data()...)
			start += n
		}
		if cache.Len() != T {
			t.Errorf("pieces %v: cache holds %d positions; want %d", pieces, cache.Len(), T)
		}
		for i := range full {
			if math.Abs(float64(got[i]-full[i])) > 1e-5 {
				t.Errorf("pieces %v: cached logit at position %d, token %d = %v; full forward %v", pieces, i/V, i%V, got[i], full[i])
				break
			}
		}
	}
}

// TestGenerate checks greedy decoding against argmax of full forward passes,
// past the end of the context.
func TestGenerate(t *testing.T) {
	g, _ := loadFixture(t)
	prompt := []int{1, 2, 3}
	n := 10 // 13 tokens in all, beyond the context of 8
	got := g.Generate(nil, prompt, n, 0)
	seq := slices.Clone(prompt)
	for range n {
		window := seq[max(0, len(seq)-g.Config.Context):]
		logits := g.Forward(window, 1, len(window)).Data.Data()
		seq = append(seq, Sample(nil, logits[len(logits)-g.Config.Vocab:], 0))
	}
	if want := seq[len(prompt):]; !slices.Equal(got, want) {
		t.Errorf("Generate(greedy) = %v; want %v", got, want)
	}
	if !g.Training() {
		t.Error("Generate left the model in evaluation mode")
	}
	if g.Parameters()[0].RequiresGrad() == false {
		t.Error("Generate left the parameters inside NoGrad")
	}
	a := g.Generate(rand.New(rand.NewPCG(1, 1)), prompt, 20, 1)
	b := g.Generate(rand.New(rand.NewPCG(1, 1)), prompt, 20, 1)
	if !slices.Equal(a, b) || len(a) != 20 {
		t.Errorf("sampling with the same seed gave %v and %v", a, b)
	}
}

// TestGenerateConcurrent runs Generate from several goroutines on one model
// in training mode, with dropout: each must decode as a lone call does
// (dropout off), and the model must stay in training mode. Under -race it
// also checks that Generate writes no shared state.
func TestGenerateConcurrent(t *testing.T) {
	g := NewGPT(rand.New(rand.NewPCG(6, 6)), GPTConfig{Vocab: 7, Context: 6, Dim: 8, Heads: 2, Layers: 1, Dropout: 0.5})
	prompt := []int{1, 2}
	want := g.Generate(nil, prompt, 8, 0)
	got := make([][]int, 4)
	var wg sync.WaitGroup
	for i := range got {
		wg.Go(func() {
			for range 5 {
				got[i] = g.Generate(nil, prompt, 8, 0)
			}
		})
	}
	wg.Wait()
	for i, out := range got {
		if !slices.Equal(out, want) {
			t.Errorf("goroutine %d: Generate = %v; want %v", i, out, want)
		}
	}
	if !g.Training() {
		t.Error("concurrent Generate calls left the model in evaluation mode")
	}
}

func TestSample(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	logits := []float32{0, float32(math.Log(3)), -50}
	counts := make([]int, 3)
	for range 20000 {
		counts[Sample(rng, logits, 1)]++
	}
	// Probabilities 1/4, 3/4, ~0.
	if f := float64(counts[1]) / 20000; math.Abs(f-0.75) > 0.015 || counts[2] != 0 {
		t.Errorf("Sample frequencies %v; want about [5000 15000 0]", counts)
	}
	if got := Sample(nil, []float32{1, 3, 3}, 0); got != 1 {
		t.Errorf("Sample(greedy, [1 3 3]) = %d; want 1", got)
	}
}

func TestAttentionGradCheck(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	a := NewMultiHeadAttention(rng, 4, 2, true)
	f := func(xs ...*autograd.Value) *autograd.Value { return a.Forward(xs[0]) }
	if _, err := autograd.GradCheck(f, []*tensor.Tensor{tensor.Randn(rng, 2, 3, 4)}, 1e-2, 1e-2, 1e-2); err != nil {
		t.Error(err)
	}
	blk := NewTransformerBlock(rng, 4, 2, 8, true, 0)
	g := func(xs ...*autograd.Value) *autograd.Value { return blk.Forward(xs[0]) }
	if _, err := autograd.GradCheck(g, []*tensor.Tensor{tensor.Randn(rng, 2, 3, 4)}, 1e-2, 1e-2, 1e-2); err != nil {
		t.Error(err)
	}
}

// TestReleaseKeepsTraining trains the small GPT and an MLP for a few steps
// with Release after each (the next step's ops then run in the previous
// step's storage) and without, and wants the same losses and weights, bit
// for bit. Under the gotensorpoison tag released storage holds NaN until an
// op overwrites it, so an op that reads storage it did not set, or a value
// released too early, shows as NaN here.
func TestReleaseKeepsTraining(t *testing.T) {
	const B, T = 4, 32
	for _, model := range []string{"gpt", "mlp"} {
		run := func(release bool) ([]float32, []float32) {
			rng := rand.New(rand.NewPCG(7, 8))
			var step func() *autograd.Value
			var params []*autograd.Value
			switch model {
			case "gpt":
				g := NewGPT(rng, GPTConfig{Vocab: 17, Context: T, Dim: 64, Heads: 4, Layers: 2, Hidden: 256})
				ids, targets := make([]int, B*T), make([]int, B*T)
				for i := range ids {
					ids[i], targets[i] = rng.IntN(17), rng.IntN(17)
				}
				step = func() *autograd.Value {
					return ops.CrossEntropy(ops.Reshape(g.Forward(ids, B, T), B*T, 17), targets)
				}
				params = g.Parameters()
			case "mlp":
				m := NewMLP(rng, 64, []int{128, 128}, 10)
				x := autograd.Const(tensor.Randn(rng, 64, 64))
				labels := make([]int, 64)
				for i := range labels {
					labels[i] = rng.IntN(10)
				}
				step = func() *autograd.Value { return ops.CrossEntropy(m.Forward(x), labels) }
				params = m.Parameters()
			}
			opt := optim.NewAdamW(params, optim.AdamConfig{LR: 1e-3, WeightDecay: 0.01})
			var losses []float32
			for range 4 {
				losses = append(losses, trainStep(opt, step, release))
			}
			return losses, params[0].Data.Data()
		}
		l0, w0 := run(false)
		l1, w1 := run(true)
		if !slices.Equal(l0, l1) || !slices.Equal(w0, w1) {
			t.Errorf("%s: with Release, losses %v; without, %v (weights equal: %v)", model, l1, l0, slices.Equal(w0, w1))
		}
		if l1[3] >= l1[0] {
			t.Errorf("%s: loss went from %v to %v", model, l1[0], l1[3])
		}
	}
}

// TestReleaseWithDetach trains the two patterns where a value outlives its
// graph's Release through Detach, with and without Release, and wants the
// same numbers: a probe on a detached feature whose Backward comes after
// the main loss's Release (as a GAN's discriminator on a generator's
// output), and a recurrent state detached after Backward, before Release,
// and carried to the next step (truncated backpropagation through time).
func TestReleaseWithDetach(t *testing.T) {
	probe := func(release bool) []float32 {
		rng := rand.New(rand.NewPCG(1, 2))
		trunk, head, probe := NewLinear(rng, 64, 64, true), NewLinear(rng, 64, 10, true), NewLinear(rng, 64, 10, true)
		labels := make([]int, 32)
		for i := range labels {
			labels[i] = rng.IntN(10)
		}
		for range 2 {
			feat := ops.ReLU(trunk.Forward(autograd.Const(tensor.Randn(rng, 32, 64))))
			mainLoss := ops.CrossEntropy(head.Forward(feat), labels)
			probeLoss := ops.CrossEntropy(probe.Forward(feat.Detach()), labels)
			mainLoss.Backward()
			if release {
				mainLoss.Release()
			}
			_ = ops.ReLU(trunk.Forward(autograd.Const(tensor.Randn(rng, 32, 64)))) // reuses what Release handed back
			probeLoss.Backward()
			if release {
				probeLoss.Release()
			}
		}
		return slices.Clone(probe.Weight.Grad.Data())
	}
	recurrent := func(release bool) []float32 {
		rng := rand.New(rand.NewPCG(3, 4))
		cell, out := NewLinear(rng, 64, 64, true), NewLinear(rng, 64, 10, true)
		labels := make([]int, 32)
		for i := range labels {
			labels[i] = rng.IntN(10)
		}
		h := autograd.Const(tensor.Randn(rng, 32, 64))
		var losses []float32
		for range 4 {
			h = ops.ReLU(cell.Forward(ops.Tanh(cell.Forward(h))))
			loss := ops.CrossEntropy(out.Forward(h), labels)
			loss.Backward()
			losses = append(losses, loss.Item())
			h = h.Detach() // before Release: the state outlives the step
			if release {
				loss.Release()
			}
		}
		return append(losses, cell.Weight.Grad.Data()[:4]...)
	}
	for name, f := range map[string]func(bool) []float32{"probe": probe, "recurrent": recurrent} {
		if want, got := f(false), f(true); !slices.Equal(got, want) {
			t.Errorf("%s: with Release %v; without %v", name, got[:4], want[:4])
		}
	}
}

// TestBlockResidualsFused: a block without dropout, which adds its
// residuals inside its branches' last products, gives the output and every
// gradient (input and parameters) of the block written as separate ops, bit
// for bit, with and without a KV cache.
func TestBlockResidualsFused(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	b := NewTransformerBlock(rng, 16, 2, 0, true, 0)
	x0, g := tensor.Randn(rng, 3, 7, 16), tensor.Randn(rng, 3, 7, 16)
	composed := func(x *autograd.Value, cache *KVCache) *autograd.Value {
		x = ops.Add(x, b.Attn.ForwardCached(b.LN1.Forward(x), cache))
		return ops.Add(x, b.MLP.Forward(b.LN2.Forward(x)))
	}
	fused := func(x *autograd.Value, cache *KVCache) *autograd.Value { return b.ForwardCached(x, cache) }
	run := func(f func(*autograd.Value, *KVCache) *autograd.Value) [][]float32 {
		for _, p := range b.Parameters() {
			p.ZeroGrad()
		}
		x := autograd.Param(x0.Clone())
		y := f(x, nil)
		y.BackwardWith(g)
		out := [][]float32{y.Data.Data(), x.Grad.Data()}
		for _, p := range b.Parameters() {
			out = append(out, p.Grad.Clone().Data())
		}
		cache, parts := &KVCache{}, tensor.Split(x0, 1, 2, 5) // two positions, then the rest
		first := f(autograd.Const(parts[0]), cache)
		rest := f(autograd.Const(parts[1]), cache)
		return append(out, first.Data.Data(), rest.Data.Data())
	}
	if op := b.Forward(autograd.Param(x0)).Op(); op != "AddFeedForward" {
		t.Fatalf("the block's output comes from %s; want AddFeedForward", op)
	}
	want, got := run(composed), run(fused)
	for k := range want {
		if !slices.EqualFunc(got[k], want[k], func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) }) {
			t.Errorf("result %d (output, dx, the parameters' gradients, two cached outputs) differs from the separate ops: %v; want %v", k, got[k][:min(4, len(got[k]))], want[k][:min(4, len(want[k]))])
		}
	}
}

// TestForwardRows compares ForwardRows with Forward, for the last positions
// of each sequence, for all of them, and for rows in no such pattern: the
// logits at the chosen rows bit for bit (each is the same sum in the same
// order, and the products stay above gemm's plain loop), and the loss and
// every parameter's gradient within float32 rounding of a loss that
// ignores the other positions (the products that make weight gradients
// now sum fewer rows, in other passes).
func TestForwardRows(t *testing.T) {
	const B, T = 3, 16 // products large enough to skip gemm's plain loop
	for _, c := range []struct {
		layers int
		from   int // the first of the last positions of each sequence
		extra  int // a row before them, or -1
	}{{0, 8, 17}, {1, 8, 17}, {2, 8, 17}, {1, 8, -1}, {2, 8, -1}, {2, 0, -1}} {
		layers := c.layers
		rng := rand.New(rand.NewPCG(9, uint64(layers)))
		g := NewGPT(rng, GPTConfig{Vocab: 5, Context: T, Dim: 16, Heads: 2, Layers: layers, Hidden: 24})
		ids, y := make([]int, B*T), make([]int, B*T)
		var rows, targets []int
		for i := range ids {
			ids[i], y[i] = rng.IntN(5), -100
			// The last half of each sequence (queries from position 8
			// on) or all of it, and maybe one earlier position (rows
			// gathered after attention).
			if i%T >= c.from || i == c.extra {
				y[i] = rng.IntN(5)
				rows, targets = append(rows, i), append(targets, y[i])
			}
		}
		grads := func(loss *autograd.Value) [][]float32 {
			for _, p := range g.Parameters() {
				p.ZeroGrad()
			}
			loss.Backward()
			out := [][]float32{{loss.Item()}}
			for _, p := range g.Parameters() {
				var d []float32 // nil for a parameter the loss does not reach
				if p.Grad != nil {
					d = slices.Clone(p.Grad.Data())
				}
				out = append(out, d)
			}
			return out
		}
		full := g.Forward(ids, B, T)
		want := grads(ops.CrossEntropy(full, y))
		part := g.ForwardRows(ids, B, T, rows)
		if s := part.Data.Shape(); !slices.Equal(s, []int{len(rows), 5}) {
			t.Fatalf("layers %d: ForwardRows shape %v; want [%d 5]", layers, s, len(rows))
		}
		fd, pd := full.Data.Data(), part.Data.Data()
		for i, r := range rows {
			if !slices.Equal(pd[i*5:(i+1)*5], fd[r*5:(r+1)*5]) {
				t.Errorf("layers %d: ForwardRows row %d (position %d) = %v; Forward gave %v", layers, i, r, pd[i*5:(i+1)*5], fd[r*5:(r+1)*5])
			}
		}
		got := grads(ops.CrossEntropy(part, targets))
		names := []string{"loss"}
		for _, p := range g.NamedParameters() {
			names = append(names, p.Name)
		}
		for k := range want {
			if len(got[k]) != len(want[k]) {
				t.Errorf("layers %d: %s has %d gradient elements through ForwardRows; %d through Forward", layers, names[k], len(got[k]), len(want[k]))
				continue
			}
			for j := range want[k] {
				if d := math.Abs(float64(got[k][j] - want[k][j])); d > 1e-6+1e-5*math.Abs(float64(want[k][j])) {
					t.Errorf("layers %d: %s[%d] = %v through ForwardRows; %v through Forward", layers, names[k], j, got[k][j], want[k][j])
					break
				}
			}
		}
	}
	g := NewGPT(rand.New(rand.NewPCG(1, 1)), GPTConfig{Vocab: 5, Context: 4, Dim: 8, Heads: 2, Layers: 1})
	defer func() {
		if r := recover(); r != "nn: GPT.ForwardRows: row 8 outside [0, 8) for B=2, T=4" {
			t.Errorf("ForwardRows with row 8 of 2×4 panicked with %v", r)
		}
	}()
	g.ForwardRows(make([]int, 8), 2, 4, []int{0, 8})
}

func TestLastPositions(t *testing.T) {
	for _, c := range []struct {
		rows     []int
		B, T     int
		from     int
		suffixes bool
	}{
		{[]int{2, 3, 6, 7}, 2, 4, 2, true},
		{[]int{0, 1, 2, 3, 4, 5, 6, 7}, 2, 4, 0, true},
		{[]int{3, 7, 11}, 3, 4, 3, true},
		{[]int{3, 7}, 3, 4, 0, false},          // a sequence short
		{[]int{2, 3, 7, 6}, 2, 4, 0, false},    // out of order
		{[]int{1, 3, 5, 7}, 2, 4, 0, false},    // not the last positions
		{[]int{2, 3, 5, 6}, 2, 4, 0, false},    // the second sequence shifted
		{[]int{0, 1, 2, 3, 4}, 1, 4, 0, false}, // more than a sequence
		{nil, 2, 4, 0, false},
	} {
		from, ok := lastPositions(c.rows, c.B, c.T)
		if from != c.from || ok != c.suffixes {
			t.Errorf("lastPositions(%v, B=%d, T=%d) = %d, %v; want %d, %v", c.rows, c.B, c.T, from, ok, c.from, c.suffixes)
		}
	}
}
