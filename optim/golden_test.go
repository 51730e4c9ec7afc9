package optim

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/gotensor/gotensor/autograd"
	"github.com/gotensor/gotensor/tensor"
)

// golden is testdata/golden.json, written by testdata/gen_golden.py with
// PyTorch.
type golden struct {
	Shapes [][]int       `json:"shapes"`
	Init   [][]float32   `json:"init"`
	Grads  [][][]float32 `json:"grads"` // by step, then parameter; nil: no gradient
	Cases  []struct {
		Name      string               `json:"name"`
		Optimizer string               `json:"optimizer"`
		Config    map[string]any       `json:"config"`
		LRs       []float32            `json:"lrs"`
		Params    [][][]float32        `json:"params"` // after each step
		State     map[string][]float32 `json:"state"`
	} `json:"cases"`
	Clip struct {
		Grads [][]float32 `json:"grads"`
		Cases []struct {
			Name    string      `json:"name"`
			MaxNorm float64     `json:"max_norm"`
			Norm    float64     `json:"norm"`
			Grads   [][]float32 `json:"grads"`
		} `json:"cases"`
	} `json:"clip"`
}

func loadGolden(t *testing.T) *golden {
	t.Helper()
	b, err := os.ReadFile("testdata/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatalf("testdata/golden.json: %v", err)
	}
	return &g
}

// params returns fresh parameters holding the golden initial values.
func (g *golden) params() []*autograd.Value {
	ps := make([]*autograd.Value, len(g.Shapes))
	for i, s := range g.Shapes {
		ps[i] = autograd.Param(tensor.Reshape(tensor.FromSlice(append([]float32(nil), g.Init[i]...)), s...))
	}
	return ps
}

// setGrads gives each parameter its golden gradient, or none.
func setGrads(ps []*autograd.Value, grads [][]float32, shapes [][]int) {
	for i, p := range ps {
		p.Grad = nil
		if grads[i] != nil {
			p.Grad = tensor.Reshape(tensor.FromSlice(append([]float32(nil), grads[i]...)), shapes[i]...)
		}
	}
}

// closeTo reports whether got is within a few float32 rounding errors of
// want: ClipGradNorm sums the norm in float64, PyTorch in float32.
func closeTo(got, want float32) bool {
	return math.Abs(float64(got)-float64(want)) <= 1e-6*math.Abs(float64(want))+1e-7
}

func num(cfg map[string]any, key string) float32 {
	if v, ok := cfg[key].(float64); ok {
		return float32(v)
	}
	return 0
}

func newFromConfig(t *testing.T, kind string, cfg map[string]any, ps []*autograd.Value) Optimizer {
	t.Helper()
	switch kind {
	case "SGD":
		nesterov, _ := cfg["nesterov"].(bool)
		return NewSGD(ps, SGDConfig{LR: num(cfg, "lr"), Momentum: num(cfg, "momentum"), Dampening: num(cfg, "dampening"),
			Nesterov: nesterov, WeightDecay: num(cfg, "weight_decay")})
	case "Adam", "AdamW":
		c := AdamConfig{LR: num(cfg, "lr"), Eps: num(cfg, "eps"), WeightDecay: num(cfg, "weight_decay")}
		if b, ok := cfg["betas"].([]any); ok {
			c.Beta1, c.Beta2 = float32(b[0].(float64)), float32(b[1].(float64))
		}
		if kind == "Adam" {
			return NewAdam(ps, c)
		}
		return NewAdamW(ps, c)
	}
	t.Fatalf("unknown optimizer %q", kind)
	return nil
}

// TestGoldenPyTorch replays PyTorch's trajectories and compares every
// parameter after every step, and the state after the last, bit for bit:
// the optimizers compute PyTorch's operations, fused where its AVX2 build
// fuses them (see testdata/gen_golden.py).
func TestGoldenPyTorch(t *testing.T) {
	g := loadGolden(t)
	for _, c := range g.Cases {
		t.Run(c.Name, func(t *testing.T) {
			ps := g.params()
			opt := newFromConfig(t, c.Optimizer, c.Config, ps)
			for k, lr := range c.LRs {
				opt.SetLR(lr)
				setGrads(ps, g.Grads[k], g.Shapes)
				opt.Step()
				for i, p := range ps {
					for j, got := range p.Data.Data() {
						if want := c.Params[k][i][j]; math.Float32bits(got) != math.Float32bits(want) {
							t.Fatalf("%s: after step %d, param %d [%d] = %v; want %v", c.Name, k+1, i, j, got, want)
						}
					}
				}
			}
			st := opt.State()
			if st.Steps != len(c.LRs) {
				t.Errorf("State().Steps = %d; want %d", st.Steps, len(c.LRs))
			}
			if len(st.Tensors) != len(c.State) {
				t.Errorf("State() has %d tensors; PyTorch has %d", len(st.Tensors), len(c.State))
			}
			for name, want := range c.State {
				got := st.Tensors[name]
				if got == nil {
					t.Errorf("State() lacks %q", name)
					continue
				}
				for j, x := range got.Data() {
					if math.Float32bits(x) != math.Float32bits(want[j]) {
						t.Errorf("State()[%q][%d] = %v; want %v", name, j, x, want[j])
						break
					}
				}
			}
		})
	}
}

func TestGoldenClipGradNorm(t *testing.T) {
	g := loadGolden(t)
	for _, c := range g.Clip.Cases {
		t.Run(c.Name, func(t *testing.T) {
			ps := g.params()
			setGrads(ps, g.Clip.Grads, g.Shapes)
			norm := ClipGradNorm(ps, c.MaxNorm)
			if math.Abs(norm-c.Norm) > 1e-6*c.Norm {
				t.Errorf("ClipGradNorm(grads, %v) = %v; want %v", c.MaxNorm, norm, c.Norm)
			}
			for i, p := range ps {
				if c.Grads[i] == nil {
					if p.Grad != nil {
						t.Errorf("param %d gained a gradient", i)
					}
					continue
				}
				for j, got := range p.Grad.Data() {
					if want := c.Grads[i][j]; !closeTo(got, want) {
						t.Errorf("after ClipGradNorm(grads, %v), grad %d [%d] = %v; want %v", c.MaxNorm, i, j, got, want)
					}
				}
			}
		})
	}
}
