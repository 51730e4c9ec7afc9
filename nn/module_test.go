package nn

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/gotensor/gotensor/autograd"
	"github.com/gotensor/gotensor/tensor"
)

func panics(f func()) (ok bool, msg string) {
	defer func() {
		if r := recover(); r != nil {
			ok, msg = true, fmt.Sprint(r)
		}
	}()
	f()
	return false, ""
}

func names(m Module) []string {
	var out []string
	for _, p := range m.NamedParameters() {
		out = append(out, p.Name)
	}
	return out
}

func TestNamedParametersOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	tests := []struct {
		name string
		m    Module
		want []string
	}{
		{"Linear", NewLinear(rng, 3, 2, true), []string{"weight", "bias"}},
		{"Linear no bias", NewLinear(rng, 3, 2, false), []string{"weight"}},
		{"MLP", NewMLP(rng, 2, []int{4, 4}, 3), []string{"0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"}},
		{"GPT", NewGPT(rng, GPTConfig{Vocab: 5, Context: 4, Dim: 4, Heads: 2, Layers: 1}), []string{
			"tok.weight", "pos.weight",
			"blocks.0.ln1.weight", "blocks.0.ln1.bias",
			"blocks.0.attn.qkv.weight", "blocks.0.attn.qkv.bias", "blocks.0.attn.proj.weight", "blocks.0.attn.proj.bias",
			"blocks.0.ln2.weight", "blocks.0.ln2.bias",
			"blocks.0.mlp.fc1.weight", "blocks.0.mlp.fc1.bias", "blocks.0.mlp.fc2.weight", "blocks.0.mlp.fc2.bias",
			"lnf.weight", "lnf.bias", "head.weight", "head.bias"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := names(tt.m); !slices.Equal(got, tt.want) {
				t.Errorf("%s.NamedParameters() names = %v; want %v", tt.name, got, tt.want)
			}
			ps := tt.m.Parameters()
			for i, p := range tt.m.NamedParameters() {
				if ps[i] != p.Value {
					t.Errorf("Parameters()[%d] is not NamedParameters()[%d].Value", i, i)
				}
			}
		})
	}
}

// tied shares one Linear's weight under two names.
type tied struct {
	Base
	a, b *Linear
}

func TestTiedParametersListedOnce(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	m := &tied{a: NewLinear(rng, 2, 2, false)}
	m.b = &Linear{Weight: m.a.Weight}
	m.b.AddParam("weight", m.b.Weight)
	m.AddModule("a", m.a)
	m.AddModule("b", m.b)
	if got := names(m); !slices.Equal(got, []string{"a.weight"}) {
		t.Errorf("tied model names = %v; want [a.weight]", got)
	}
	if NumParams(m) != 4 {
		t.Errorf("NumParams = %d; want 4", NumParams(m))
	}
}

// TestNameCollisionPanics checks that two different parameters with the same
// dotted name, from different levels of the module tree, make
// NamedParameters panic instead of Save dropping one of them.
func TestNameCollisionPanics(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	m := &Base{}
	m.AddParam("0.weight", autograd.Param(tensor.Zeros(2, 2)))
	m.AddModule("0", NewLinear(rng, 2, 2, false))
	ok, msg := panics(func() { m.NamedParameters() })
	want := `nn: NamedParameters: two different parameters are named "0.weight": parameter "0.weight" and parameter "weight" of submodule "0"`
	if !ok || msg != want {
		t.Errorf("NamedParameters() with a name collision: panic %v %q; want %q", ok, msg, want)
	}
	if ok, _ := panics(func() { Save(t.TempDir()+"/m.safetensors", m) }); !ok {
		t.Error("Save with a name collision did not panic")
	}
}

func TestTrainEvalReachesDropout(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	g := NewGPT(rng, GPTConfig{Vocab: 5, Context: 4, Dim: 4, Heads: 2, Layers: 2, Dropout: 0.5})
	if !g.Training() || !g.Blocks[1].Drop.Training() {
		t.Fatal("a new model is not in training mode")
	}
	g.Eval()
	for i, b := range g.Blocks {
		if b.Drop.Training() || b.Attn.Training() {
			t.Errorf("after Eval, block %d is still in training mode", i)
		}
	}
	x := autograd.Const(tensor.Ones(2, 4, 4))
	if got := g.Blocks[0].Drop.Forward(x); got != x {
		t.Error("Dropout in evaluation mode changed its input")
	}
	g.Train()
	if got := g.Blocks[0].Drop.Forward(x); tensor.Equal(got.Data, x.Data) {
		t.Error("Dropout(0.5) in training mode left all 32 values unchanged")
	}
}

func TestModulePanics(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	tests := []struct {
		name string
		f    func()
		want string
	}{
		{"duplicate", func() { l := NewLinear(rng, 2, 2, true); l.AddParam("bias", l.Bias) }, `nn: AddParam: name "bias" is empty or already taken`},
		{"empty", func() { var b Base; b.AddModule("", &ReLU{}) }, "nn: AddModule: name"},
		{"nil", func() { var b Base; b.AddParam("w", nil) }, "nil value"},
		{"linear size", func() { NewLinear(rng, 0, 2, true) }, "nn: NewLinear: sizes 0 -> 2"},
		{"heads", func() { NewMultiHeadAttention(rng, 6, 4, true) }, "4 heads do not divide dimension 6"},
		{"gpt ids", func() { NewGPT(rng, GPTConfig{Vocab: 3, Context: 2, Dim: 2, Heads: 1}).Forward([]int{1, 2}, 1, 3) }, "2 ids for B=1, T=3"},
		{"gpt context", func() { NewGPT(rng, GPTConfig{Vocab: 3, Context: 2, Dim: 2, Heads: 1}).Forward([]int{1, 2, 0}, 1, 3) }, "exceed the context 2"},
		{"fans", func() { Fans([]int{3}) }, "nn: Fans: shape [3]"},
		{"dropout", func() { NewDropout(rng, 2) }, "probability 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if ok, msg := panics(tt.f); !ok || !strings.Contains(msg, tt.want) {
				t.Errorf("%s: panic %v %q; want one containing %q", tt.name, ok, msg, tt.want)
			}
		})
	}
}
