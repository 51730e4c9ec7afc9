package nn

import (
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gotensor/gotensor/ops"
	"github.com/gotensor/gotensor/optim"
	"github.com/gotensor/gotensor/tensor"
)

// saveCheckpoint writes a model, its optimizer's state (under "optim.") and
// the step in one file, as cmd/train does.
func saveCheckpoint(path string, m Module, opt optim.Optimizer) error {
	ts := StateDict(m)
	st := opt.State()
	for name, t := range st.Tensors {
		ts["optim."+name] = t
	}
	return WriteTensors(path, ts, map[string]string{"step": strconv.Itoa(st.Steps)})
}

func loadCheckpoint(path string, m Module, opt optim.Optimizer) error {
	ts, meta, err := ReadTensors(path)
	if err != nil {
		return err
	}
	model, state := map[string]*tensor.Tensor{}, optim.State{Tensors: map[string]*tensor.Tensor{}}
	for name, t := range ts {
		if rest, ok := strings.CutPrefix(name, "optim."); ok {
			state.Tensors[rest] = t
		} else {
			model[name] = t
		}
	}
	if state.Steps, err = strconv.Atoi(meta["step"]); err != nil {
		return err
	}
	if err := LoadStateDict(m, model); err != nil {
		return err
	}
	return opt.LoadState(state)
}

// TestResumeFromCheckpoint trains a GPT for 3 steps, checkpoints model and
// AdamW state, trains 3 more; a fresh model and optimizer loaded from the
// checkpoint must reach the same parameters, bit for bit.
func TestResumeFromCheckpoint(t *testing.T) {
	cfg := GPTConfig{Vocab: 5, Context: 6, Dim: 8, Heads: 2, Layers: 1}
	rng := rand.New(rand.NewPCG(1, 2))
	ids, targets := make([]int, 12), make([]int, 12)
	for i := range ids {
		ids[i], targets[i] = rng.IntN(5), rng.IntN(5)
	}
	step := func(g *GPT, opt optim.Optimizer) {
		loss := ops.CrossEntropy(ops.Reshape(g.Forward(ids, 2, 6), 12, 5), targets)
		loss.Backward()
		optim.ClipGradNorm(g.Parameters(), 1)
		opt.Step()
		opt.ZeroGrad()
	}
	newRun := func(seed uint64) (*GPT, optim.Optimizer) {
		g := NewGPT(rand.New(rand.NewPCG(seed, 0)), cfg)
		return g, optim.NewAdamW(g.Parameters(), optim.AdamConfig{LR: 1e-2, WeightDecay: 0.1})
	}
	a, optA := newRun(1)
	for range 3 {
		step(a, optA)
	}
	path := filepath.Join(t.TempDir(), "ckpt.safetensors")
	if err := saveCheckpoint(path, a, optA); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		step(a, optA)
	}
	b, optB := newRun(2)
	if err := loadCheckpoint(path, b, optB); err != nil {
		t.Fatalf("loading the checkpoint: %v", err)
	}
	for range 3 {
		step(b, optB)
	}
	pa, pb := a.NamedParameters(), b.Parameters()
	for i, p := range pa {
		if !tensor.Equal(p.Value.Data, pb[i].Data) {
			t.Errorf("resumed %s differs from the uninterrupted run", p.Name)
		}
	}
	if optB.State().Steps != 6 {
		t.Errorf("resumed optimizer counts %d steps; want 6", optB.State().Steps)
	}
}
