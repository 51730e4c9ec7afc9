package optim

import (
	"fmt"
	"math"

	"github.com/gotensor/gotensor/autograd"
	"github.com/gotensor/gotensor/tensor"
)

// AdamConfig configures Adam and AdamW. A zero LR, Beta1, Beta2 or Eps
// stands for PyTorch's default (1e-3, 0.9, 0.999, 1e-8); WeightDecay has no
// default: zero means none, for AdamW as well (PyTorch's AdamW defaults to
// 0.01, so set it explicitly).
type AdamConfig struct {
	LR          float32 // learning rate
	Beta1       float32 // β₁, decay of the first moment, in (0, 1); 0 for 0.9
	Beta2       float32 // β₂, decay of the second moment, in (0, 1); 0 for 0.999
	Eps         float32 // ε, added to the square root of the second moment, > 0; 0 for 1e-8
	WeightDecay float32 // λ: an L2 penalty in Adam, decoupled decay in AdamW
}

// withDefaults fills zero fields with PyTorch's defaults and checks ranges.
func (c AdamConfig) withDefaults(fn string) AdamConfig {
	if c.LR == 0 {
		c.LR = 1e-3
	}
	if c.Beta1 == 0 {
		c.Beta1 = 0.9
	}
	if c.Beta2 == 0 {
		c.Beta2 = 0.999
	}
	if c.Eps == 0 {
		c.Eps = 1e-8
	}
	switch {
	case !(c.Beta1 > 0 && c.Beta1 < 1) || !(c.Beta2 > 0 && c.Beta2 < 1):
		panic(fmt.Sprintf("optim: %s: betas (%v, %v): want each in (0, 1), or 0 for the default", fn, c.Beta1, c.Beta2))
	case !(c.Eps > 0):
		panic(fmt.Sprintf("optim: %s: eps %v: want > 0, or 0 for the default", fn, c.Eps))
	case !(c.WeightDecay >= 0):
		panic(fmt.Sprintf("optim: %s: weight decay %v: want >= 0", fn, c.WeightDecay))
	}
	return c
}

// Adam is the Adam optimizer (Kingma and Ba, 2014) or, made by NewAdamW, its
// variant with decoupled weight decay (Loshchilov and Hutter, 2017).
type Adam struct {
	base
	cfg       AdamConfig
	decoupled bool        // AdamW
	b1w, b2w  float64     // the betas widened (see widen)
	wdw       float64     // the weight decay widened
	m, v      [][]float32 // first and second moments by parameter; nil until its first step
	t         []int       // steps taken by each parameter
}

// NewAdam returns an Adam optimizer for params. Each Step computes, for
// every parameter p with gradient g, as torch.optim.Adam does (t counts the
// steps at which p had a gradient):
//
//	g ← g + λ·p                    if λ ≠ 0
//	m ← β₁·m + (1−β₁)·g
//	v ← β₂·v + (1−β₂)·g²
//	p ← p − (lr/(1−β₁ᵗ)) · m / (√v/√(1−β₂ᵗ) + ε)
//
// m and v start at zero. A zero Beta1, Beta2 or Eps stands for its default
// (see AdamConfig). NewAdam panics if a beta is neither 0 nor in (0, 1), or
// LR, Eps or WeightDecay is negative or NaN.
func NewAdam(params []*autograd.Value, cfg AdamConfig) *Adam {
	return newAdam("NewAdam", params, cfg, false)
}

// NewAdamW returns an AdamW optimizer: Adam whose weight decay shrinks the
// parameter directly instead of adding to the gradient. Each Step first sets
// p ← p·(1 − lr·λ), then makes Adam's update without the λ·p term, as
// torch.optim.AdamW does.
func NewAdamW(params []*autograd.Value, cfg AdamConfig) *Adam {
	return newAdam("NewAdamW", params, cfg, true)
}

func newAdam(fn string, params []*autograd.Value, cfg AdamConfig, decoupled bool) *Adam {
	cfg = cfg.withDefaults(fn)
	n := len(params)
	return &Adam{base: newBase(fn, params, cfg.LR), cfg: cfg, decoupled: decoupled,
		b1w: widen(cfg.Beta1), b2w: widen(cfg.Beta2), wdw: widen(cfg.WeightDecay),
		m: make([][]float32, n), v: make([][]float32, n), t: make([]int, n)}
}

// Step updates every parameter that has a gradient.
func (o *Adam) Step() {
	o.steps++
	for i, p := range o.params {
		if p.Grad == nil {
			continue
		}
		if o.m[i] == nil {
			o.m[i] = make([]float32, p.Data.Len())
			o.v[i] = make([]float32, p.Data.Len())
		}
		o.t[i]++
		o.update(p.Data.Data(), p.Grad.Data(), o.m[i], o.v[i], o.t[i])
	}
}

// update makes one step of parameter data p with gradient g and moments m,
// v at its step t (from 1), in a single pass.
func (o *Adam) update(p, g, m, v []float32, t int) {
	// The scalar coefficients in float64, as PyTorch computes them in Python.
	lr, b1w, b2w := o.lr64, o.b1w, o.b2w
	bc1 := 1 - math.Pow(b1w, float64(t))
	bc2 := 1 - math.Pow(b2w, float64(t))
	c := adamCoef{
		shrink: 1,
		b1:     o.cfg.Beta1, c1: float32(1 - b1w),
		b2: o.cfg.Beta2, c2: float32(1 - b2w),
		sq:   float32(math.Sqrt(bc2)),
		eps:  o.cfg.Eps,
		step: float32(-lr / bc1),
	}
	if o.decoupled {
		c.shrink = float32(1 - lr*o.wdw)
	} else {
		c.l2 = o.cfg.WeightDecay
	}
	adamUpdate(p, g, m, v, &c)
}

// State returns a copy of the moments ("<i>.exp_avg", "<i>.exp_avg_sq"),
// each parameter's step count as a scalar ("<i>.step"), and the number of
// Step calls. Step counts are exact up to 2²⁴ in float32.
func (o *Adam) State() State {
	s := State{Steps: o.steps, Tensors: map[string]*tensor.Tensor{}}
	for i, p := range o.params {
		if o.m[i] == nil {
			continue
		}
		s.Tensors[stateKey(i, "exp_avg")] = likeParam(p, o.m[i])
		s.Tensors[stateKey(i, "exp_avg_sq")] = likeParam(p, o.v[i])
		s.Tensors[stateKey(i, "step")] = tensor.Scalar(float32(o.t[i]))
	}
	return s
}

// likeParam returns a copy of buf as a tensor of p's shape. (FromSlice with
// p's shape would not do: with no dimensions it makes a 1-D tensor, not the
// 0-d one a scalar parameter needs.)
func likeParam(p *autograd.Value, buf []float32) *tensor.Tensor {
	t := tensor.ZerosLike(p.Data)
	copy(t.Data(), buf)
	return t
}

// LoadState installs a copy of s. It returns an error, and changes nothing,
// if a tensor's name or shape does not fit the parameters, a parameter has
// some of its buffers but not all, or a step count is not a whole number
// from 1 to 2²⁴.
func (o *Adam) LoadState(s State) error {
	const fn = "Adam.LoadState"
	allowed := map[string][]int{"exp_avg": nil, "exp_avg_sq": nil, "step": {}}
	bufs, err := parseState(fn, o.params, s, allowed)
	if err != nil {
		return err
	}
	for i, b := range bufs {
		if t := b["step"].Item(); !(t >= 1 && t <= 1<<24) || t != float32(int(t)) {
			return fmt.Errorf("optim: %s: tensor %q is %v: want a whole number of steps from 1 to 2^24", fn, stateKey(i, "step"), t)
		}
	}
	for i := range o.params {
		o.m[i], o.v[i], o.t[i] = nil, nil, 0
		if b := bufs[i]; b != nil {
			o.m[i] = append([]float32(nil), b["exp_avg"].Data()...)
			o.v[i] = append([]float32(nil), b["exp_avg_sq"].Data()...)
			o.t[i] = int(b["step"].Item())
		}
	}
	o.steps = s.Steps
	return nil
}
