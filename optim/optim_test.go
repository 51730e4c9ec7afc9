package optim

import (
	"fmt"
	"math"
	"math/rand/v2"
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

// randomParams returns parameters of the given shapes with random data and
// gradients.
func randomParams(rng *rand.Rand, shapes ...[]int) []*autograd.Value {
	ps := make([]*autograd.Value, len(shapes))
	for i, s := range shapes {
		ps[i] = autograd.Param(tensor.Randn(rng, s...))
		ps[i].Grad = tensor.Randn(rng, s...)
	}
	return ps
}

func cloneParams(ps []*autograd.Value) []*autograd.Value {
	out := make([]*autograd.Value, len(ps))
	for i, p := range ps {
		out[i] = autograd.Param(p.Data.Clone())
		if p.Grad != nil {
			out[i].Grad = p.Grad.Clone()
		}
	}
	return out
}

var optimizers = []struct {
	name string
	make func([]*autograd.Value) Optimizer
}{
	{"SGD", func(ps []*autograd.Value) Optimizer { return NewSGD(ps, SGDConfig{LR: 0.1}) }},
	{"SGDMomentum", func(ps []*autograd.Value) Optimizer {
		return NewSGD(ps, SGDConfig{LR: 0.1, Momentum: 0.9, Nesterov: true, WeightDecay: 1e-4})
	}},
	{"Adam", func(ps []*autograd.Value) Optimizer { return NewAdam(ps, AdamConfig{LR: 1e-2, WeightDecay: 1e-3}) }},
	{"AdamW", func(ps []*autograd.Value) Optimizer { return NewAdamW(ps, AdamConfig{LR: 1e-2, WeightDecay: 0.01}) }},
}

func TestStepAllocatesOnlyOnce(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector's runtime allocates")
	}
	for _, o := range optimizers {
		t.Run(o.name, func(t *testing.T) {
			ps := randomParams(rand.New(rand.NewPCG(1, 2)), []int{64, 32}, []int{32}, []int{7})
			opt := o.make(ps)
			opt.Step() // creates the buffers
			// ZeroGrad drops the gradients; each step hands them back, as a
			// Backward writing into the kept storage would.
			grads := make([]*tensor.Tensor, len(ps))
			for i, p := range ps {
				grads[i] = p.Grad
			}
			before := ps[0].Data.Clone()
			step := func() {
				for i, p := range ps {
					p.Grad = grads[i]
				}
				opt.SetLR(1e-3)
				opt.Step()
				opt.ZeroGrad()
			}
			if n := testing.AllocsPerRun(100, step); n != 0 {
				t.Errorf("%s: SetLR, Step and ZeroGrad allocate %v times per step after the first; want 0", o.name, n)
			}
			if tensor.Equal(before, ps[0].Data) || ps[0].Grad != nil {
				t.Errorf("%s: the steps did not update the parameters, or ZeroGrad left a gradient", o.name)
			}
		})
	}
}

func TestNilGradSkipped(t *testing.T) {
	for _, o := range optimizers {
		t.Run(o.name, func(t *testing.T) {
			ps := randomParams(rand.New(rand.NewPCG(3, 4)), []int{3, 2}, []int{5})
			ps[1].Grad = nil
			before := ps[1].Data.Clone()
			opt := o.make(ps)
			opt.Step()
			opt.Step()
			if !tensor.Equal(ps[1].Data, before) {
				t.Errorf("%s changed a parameter with no gradient: %v; want %v", o.name, ps[1].Data, before)
			}
			for name := range opt.State().Tensors {
				if strings.HasPrefix(name, "1.") {
					t.Errorf("%s keeps state %q for a parameter that never had a gradient", o.name, name)
				}
			}
		})
	}
}

// TestResume checks that saving the state after 3 steps and loading it into
// a fresh optimizer continues exactly as the uninterrupted run, for a scalar
// (0-d) parameter too.
func TestResume(t *testing.T) {
	for _, o := range optimizers {
		t.Run(o.name, func(t *testing.T) {
			ps := randomParams(rand.New(rand.NewPCG(5, 6)), []int{4, 3}, []int{3}, []int{})
			a := o.make(ps)
			for range 3 {
				a.Step()
			}
			saved, params := a.State(), cloneParams(ps)
			for range 3 {
				a.Step()
			}
			b := o.make(params)
			if err := b.LoadState(saved); err != nil {
				t.Fatalf("LoadState(State()) = %v", err)
			}
			for range 3 {
				b.Step()
			}
			for i := range ps {
				if !tensor.Equal(ps[i].Data, params[i].Data) {
					t.Errorf("%s: resumed param %d = %v; want %v", o.name, i, params[i].Data, ps[i].Data)
				}
			}
			if got := b.State().Steps; got != 6 {
				t.Errorf("%s: State().Steps after resume and 3 steps = %d; want 6", o.name, got)
			}
		})
	}
}

func TestStateIsACopy(t *testing.T) {
	ps := randomParams(rand.New(rand.NewPCG(7, 8)), []int{2})
	opt := NewAdam(ps, AdamConfig{})
	opt.Step()
	s := opt.State()
	s.Tensors["0.exp_avg"].Fill(42)
	if got := opt.State().Tensors["0.exp_avg"].Data()[0]; got == 42 {
		t.Error("writing to State()'s tensors changed the optimizer")
	}
}

func TestLoadStateErrors(t *testing.T) {
	ps := randomParams(rand.New(rand.NewPCG(9, 10)), []int{2, 3}, []int{3})
	good := func() State {
		o := NewAdam(cloneParams(ps), AdamConfig{})
		o.Step()
		return o.State()
	}
	tests := []struct {
		name  string
		edit  func(s *State)
		parts []string
		not   []string // must not appear
	}{
		{"unexpected", func(s *State) { s.Tensors["7.exp_avg"] = tensor.Zeros(3) }, []string{`unexpected tensor "7.exp_avg"`}, nil},
		{"unknown buffer", func(s *State) { s.Tensors["0.momentum_buffer"] = tensor.Zeros(2, 3) }, []string{`unexpected tensor "0.momentum_buffer"`}, nil},
		{"bad name", func(s *State) { s.Tensors["weight"] = tensor.Zeros(3) }, []string{`unexpected tensor "weight"`}, nil},
		{"shape", func(s *State) { s.Tensors["1.exp_avg"] = tensor.Zeros(4) },
			[]string{`tensor "1.exp_avg" has shape [4], want [3]`}, []string{`missing tensor "1.exp_avg"`}},
		{"missing", func(s *State) { delete(s.Tensors, "0.exp_avg_sq") }, []string{`missing tensor "0.exp_avg_sq"`}, nil},
		{"several", func(s *State) { delete(s.Tensors, "0.step"); s.Tensors["x"] = tensor.Zeros(1) },
			[]string{`missing tensor "0.step"`, `unexpected tensor "x"`}, nil},
		{"step value", func(s *State) { s.Tensors["1.step"] = tensor.Scalar(0.5) }, []string{`"1.step" is 0.5`}, nil},
		{"negative steps", func(s *State) { s.Steps = -1 }, []string{"negative step count -1"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opt := NewAdam(cloneParams(ps), AdamConfig{})
			opt.Step()
			before := opt.State()
			s := good()
			tt.edit(&s)
			err := opt.LoadState(s)
			if err == nil {
				t.Fatalf("LoadState(%s) = nil; want an error", tt.name)
			}
			for _, p := range tt.parts {
				if !strings.Contains(err.Error(), p) {
					t.Errorf("LoadState(%s) = %q; want it to contain %q", tt.name, err, p)
				}
			}
			for _, p := range tt.not {
				if strings.Contains(err.Error(), p) {
					t.Errorf("LoadState(%s) = %q; want it not to contain %q", tt.name, err, p)
				}
			}
			after := opt.State()
			for k, v := range before.Tensors {
				if !tensor.Equal(v, after.Tensors[k]) {
					t.Errorf("a failed LoadState changed %q", k)
				}
			}
		})
	}
	sgd := NewSGD(cloneParams(ps), SGDConfig{LR: 1})
	err := sgd.LoadState(State{Tensors: map[string]*tensor.Tensor{"0.momentum_buffer": tensor.Zeros(2, 3)}})
	if err == nil || !strings.Contains(err.Error(), "unexpected") {
		t.Errorf("SGD without momentum: LoadState(momentum buffers) = %v; want an unexpected-tensor error", err)
	}
}

func TestConfigPanics(t *testing.T) {
	ps := randomParams(rand.New(rand.NewPCG(1, 1)), []int{2})
	tests := []struct {
		name string
		f    func()
		want string
	}{
		{"sgd lr", func() { NewSGD(ps, SGDConfig{}) }, "optim: NewSGD: learning rate 0"},
		{"sgd momentum", func() { NewSGD(ps, SGDConfig{LR: 1, Momentum: 1}) }, "momentum 1"},
		{"nesterov", func() { NewSGD(ps, SGDConfig{LR: 1, Nesterov: true}) }, "Nesterov momentum needs momentum > 0"},
		{"nesterov dampening", func() { NewSGD(ps, SGDConfig{LR: 1, Momentum: 0.9, Dampening: 0.1, Nesterov: true}) }, "dampening 0"},
		{"adam beta", func() { NewAdam(ps, AdamConfig{Beta2: 1}) }, "optim: NewAdam: betas (0.9, 1)"},
		{"adam beta range", func() { NewAdam(ps, AdamConfig{Beta1: -0.1}) }, "want each in (0, 1), or 0 for the default"},
		{"adam eps", func() { NewAdam(ps, AdamConfig{Eps: -1}) }, "optim: NewAdam: eps -1: want > 0, or 0 for the default"},
		{"adamw wd", func() { NewAdamW(ps, AdamConfig{WeightDecay: -1}) }, "optim: NewAdamW: weight decay -1"},
		{"adam lr", func() { NewAdam(ps, AdamConfig{LR: -1}) }, "learning rate -1"},
		{"setlr", func() { NewAdam(ps, AdamConfig{}).SetLR(-2) }, "optim: SetLR: learning rate -2"},
		{"nil param", func() { NewAdam([]*autograd.Value{nil}, AdamConfig{}) }, "parameter 0 is nil"},
		{"clip", func() { ClipGradNorm(ps, -1) }, "optim: ClipGradNorm: maxNorm -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, msg := panics(tt.f)
			if !ok || !strings.Contains(msg, tt.want) {
				t.Errorf("%s: panic %v %q; want one containing %q", tt.name, ok, msg, tt.want)
			}
		})
	}
}

func TestAdamDefaults(t *testing.T) {
	o := NewAdamW(nil, AdamConfig{})
	want := AdamConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
	if o.cfg != want || o.LR() != 1e-3 {
		t.Errorf("NewAdamW(nil, AdamConfig{}) config = %+v; want %+v", o.cfg, want)
	}
}

func TestClipGradNormHand(t *testing.T) {
	// Gradients [3 4] and [12]: norm 13; clipped to 6.5, each halves.
	a := autograd.Param(tensor.Zeros(2))
	a.Grad = tensor.FromSlice([]float32{3, 4})
	b := autograd.Param(tensor.Zeros(1))
	b.Grad = tensor.FromSlice([]float32{12})
	c := autograd.Param(tensor.Zeros(1)) // no gradient
	if got := ClipGradNorm([]*autograd.Value{a, b, c}, 6.5); got != 13 {
		t.Errorf("ClipGradNorm = %v; want 13", got)
	}
	// The scale is 6.5/(13 + 1e-6), a little under 1/2.
	for i, want := range []float32{1.5, 2, 6} {
		got := append(a.Grad.Data(), b.Grad.Data()...)[i]
		if !closeTo(got, want) {
			t.Errorf("clipped gradient %d = %v; want %v", i, got, want)
		}
	}
	if got := ClipGradNorm(nil, 1); got != 0 {
		t.Errorf("ClipGradNorm(nil, 1) = %v; want 0", got)
	}
}

func BenchmarkStep(b *testing.B) {
	// The parameters of the 784-512-512-10 MLP: 669,706 values.
	shapes := [][]int{{512, 784}, {512}, {512, 512}, {512}, {10, 512}, {10}}
	for _, o := range optimizers {
		b.Run(o.name, func(b *testing.B) {
			opt := o.make(randomParams(rand.New(rand.NewPCG(1, 2)), shapes...))
			opt.SetLR(1e-6)
			opt.Step()
			for b.Loop() {
				opt.Step()
			}
		})
	}
}

// TestAdamHugeGradient: a gradient past 1.8e19, whose square overflows
// float32, still moves the parameter by about lr a step, as in PyTorch,
// whose addcmul forms (1−β₂)·g before multiplying by g again. Squaring g
// first made v infinite and froze the parameter for good. Eleven elements
// take the vector kernel and the scalar loop both.
func TestAdamHugeGradient(t *testing.T) {
	for _, decoupled := range []bool{false, true} {
		p := autograd.Param(tensor.Ones(11))
		o := newAdam("test", []*autograd.Value{p}, AdamConfig{LR: 0.1}, decoupled)
		for step := 1; step <= 3; step++ {
			p.Grad = tensor.Full(3e19, 11)
			o.Step()
			want := 1 - 0.1*float64(step)
			for i, x := range p.Data.Data() {
				if math.Abs(float64(x)-want) > 1e-6 {
					t.Fatalf("decoupled %v, step %d: p[%d] = %v; want %v", decoupled, step, i, x, want)
				}
			}
		}
	}
}
