package optim

import (
	"fmt"

	"github.com/gotensor/gotensor/autograd"
	"github.com/gotensor/gotensor/tensor"
)

// SGDConfig configures stochastic gradient descent. The zero value of each
// field but LR turns its feature off, as PyTorch's defaults do.
type SGDConfig struct {
	LR          float32 // learning rate, > 0
	Momentum    float32 // μ in [0, 1)
	Dampening   float32 // τ in [0, 1]
	Nesterov    bool    // Nesterov momentum; needs Momentum > 0 and Dampening 0
	WeightDecay float32 // λ, an L2 penalty added to the gradient
}

// SGD is stochastic gradient descent with optional momentum, dampening,
// Nesterov momentum and weight decay.
type SGD struct {
	base
	cfg  SGDConfig
	damp float32          // 1 − Dampening, computed as PyTorch does
	buf  []*tensor.Tensor // momentum buffers by parameter; nil until its first step
}

// NewSGD returns an SGD optimizer for params. Each Step computes, for every
// parameter p with gradient g, as torch.optim.SGD does:
//
//	g ← g + λ·p                     if λ ≠ 0
//	b ← g (first step), μ·b + (1−τ)·g (later)  if μ ≠ 0
//	g ← g + μ·b (Nesterov), b (otherwise)      if μ ≠ 0
//	p ← p − lr·g
//
// NewSGD panics if LR is not positive, Momentum is outside [0, 1),
// Dampening outside [0, 1], WeightDecay negative, or Nesterov is set
// without momentum or with dampening.
func NewSGD(params []*autograd.Value, cfg SGDConfig) *SGD {
	const fn = "NewSGD"
	switch {
	case !(cfg.LR > 0):
		panic(fmt.Sprintf("optim: %s: learning rate %v: want > 0", fn, cfg.LR))
	case !(cfg.Momentum >= 0 && cfg.Momentum < 1):
		panic(fmt.Sprintf("optim: %s: momentum %v: want [0, 1)", fn, cfg.Momentum))
	case !(cfg.Dampening >= 0 && cfg.Dampening <= 1):
		panic(fmt.Sprintf("optim: %s: dampening %v: want [0, 1]", fn, cfg.Dampening))
	case !(cfg.WeightDecay >= 0):
		panic(fmt.Sprintf("optim: %s: weight decay %v: want >= 0", fn, cfg.WeightDecay))
	case cfg.Nesterov && (cfg.Momentum == 0 || cfg.Dampening != 0):
		panic(fmt.Sprintf("optim: %s: Nesterov momentum needs momentum > 0 and dampening 0; have %v and %v", fn, cfg.Momentum, cfg.Dampening))
	}
	return &SGD{base: newBase(fn, params, cfg.LR), cfg: cfg, damp: float32(1 - widen(cfg.Dampening)),
		buf: make([]*tensor.Tensor, len(params))}
}

// Step updates every parameter that has a gradient.
func (o *SGD) Step() {
	o.steps++
	for i, p := range o.params {
		if p.Grad == nil {
			continue
		}
		c := sgdCoef{negLR: -o.lr, wd: o.cfg.WeightDecay, mu: o.cfg.Momentum, damp: o.damp}
		var b []float32
		if o.cfg.Momentum != 0 {
			c.flags |= sgdMomentum
			if o.buf[i] == nil {
				o.buf[i] = tensor.ZerosLike(p.Data)
				c.flags |= sgdFirst
			}
			b = o.buf[i].Data()
			if o.cfg.Nesterov {
				c.flags |= sgdNesterov
			}
		}
		if c.wd != 0 {
			c.flags |= sgdDecay
		}
		sgdUpdate(p.Data.Data(), p.Grad.Data(), b, &c)
	}
}

// State returns a copy of the momentum buffers ("<i>.momentum_buffer") and
// the step count.
func (o *SGD) State() State {
	s := State{Steps: o.steps, Tensors: map[string]*tensor.Tensor{}}
	for i, b := range o.buf {
		if b != nil {
			s.Tensors[stateKey(i, "momentum_buffer")] = b.Clone()
		}
	}
	return s
}

// LoadState installs a copy of s. It returns an error, and changes nothing,
// if a tensor's name or shape does not fit the parameters; momentum buffers
// are accepted only when Momentum is set.
func (o *SGD) LoadState(s State) error {
	allowed := map[string][]int{}
	if o.cfg.Momentum != 0 {
		allowed["momentum_buffer"] = nil
	}
	bufs, err := parseState("SGD.LoadState", o.params, s, allowed)
	if err != nil {
		return err
	}
	for i := range o.buf {
		o.buf[i] = nil
		if b := bufs[i]["momentum_buffer"]; b != nil {
			o.buf[i] = b.Clone()
		}
	}
	o.steps = s.Steps
	return nil
}
