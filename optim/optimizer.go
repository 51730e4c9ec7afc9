package optim

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/gotensor/gotensor/autograd"
	"github.com/gotensor/gotensor/tensor"
)

// Optimizer updates parameters in place from their gradients.
type Optimizer interface {
	// Step updates every parameter that has a gradient, once.
	Step()
	// ZeroGrad drops every parameter's gradient (autograd.Value.ZeroGrad);
	// the next Backward reuses its storage.
	ZeroGrad()
	// LR returns the learning rate the next Step will use.
	LR() float32
	// SetLR sets the learning rate for the following steps.
	SetLR(lr float32)
	// State returns a copy of the optimizer's state, for a checkpoint.
	State() State
	// LoadState replaces the optimizer's state with a copy of s, after
	// checking that s fits the parameters. On error nothing is changed.
	LoadState(s State) error
}

// State is a snapshot of an optimizer: the number of Step calls so far and
// its per-parameter buffers, named "<i>.<buffer>" (see the package
// documentation). A buffer is absent for a parameter that has not had a
// gradient at any step yet.
type State struct {
	Steps   int
	Tensors map[string]*tensor.Tensor
}

// base holds what every optimizer has: parameters, learning rate and the
// number of steps taken.
type base struct {
	params []*autograd.Value
	lr     float32
	lr64   float64 // widen(lr)
	steps  int
}

func newBase(fn string, params []*autograd.Value, lr float32) base {
	for i, p := range params {
		if p == nil || p.Data == nil {
			panic(fmt.Sprintf("optim: %s: parameter %d is nil", fn, i))
		}
	}
	checkLR(fn, lr)
	return base{params: slices.Clone(params), lr: lr, lr64: widen(lr)}
}

func checkLR(fn string, lr float32) {
	if !(lr >= 0) || lr > 1e30 {
		panic(fmt.Sprintf("optim: %s: learning rate %v: want a finite value >= 0", fn, lr))
	}
}

// ZeroGrad drops the gradient of every parameter, as
// autograd.Value.ZeroGrad does.
func (b *base) ZeroGrad() {
	for _, p := range b.params {
		p.ZeroGrad()
	}
}

// LR returns the learning rate.
func (b *base) LR() float32 { return b.lr }

// SetLR sets the learning rate. It panics if lr is negative or not finite.
func (b *base) SetLR(lr float32) {
	checkLR("SetLR", lr)
	b.lr, b.lr64 = lr, widen(lr)
}

// Steps returns the number of Step calls so far.
func (b *base) Steps() int { return b.steps }

// stateKey names buffer buf of parameter i.
func stateKey(i int, buf string) string { return strconv.Itoa(i) + "." + buf }

// bufferSet is the state of one kind of per-parameter buffer while it is
// loaded: the tensors found for each parameter, by buffer name.
type bufferSet map[int]map[string]*tensor.Tensor

// parseState checks the names and shapes of s's tensors against params and
// the buffer names allowed (each mapped to its shape: nil means the
// parameter's shape, an empty slice a scalar). It returns the tensors by
// parameter, or one error listing every problem.
func parseState(fn string, params []*autograd.Value, s State, allowed map[string][]int) (bufferSet, error) {
	if s.Steps < 0 {
		return nil, fmt.Errorf("optim: %s: negative step count %d", fn, s.Steps)
	}
	var problems []string
	out := bufferSet{}
	misshaped := map[string]bool{} // reported already, so not missing too
	for _, name := range slices.Sorted(maps.Keys(s.Tensors)) {
		t := s.Tensors[name]
		idx, buf, ok := strings.Cut(name, ".")
		i, err := strconv.Atoi(idx)
		want, known := allowed[buf]
		switch {
		case !ok || err != nil || i < 0 || i >= len(params) || !known || t == nil:
			problems = append(problems, fmt.Sprintf("unexpected tensor %q", name))
			continue
		case want == nil:
			want = params[i].Data.Shape()
		}
		if !slices.Equal(t.Shape(), want) {
			problems = append(problems, fmt.Sprintf("tensor %q has shape %v, want %v", name, t.Shape(), want))
			misshaped[name] = true
			continue
		}
		if out[i] == nil {
			out[i] = map[string]*tensor.Tensor{}
		}
		out[i][buf] = t
	}
	// A parameter has all of its buffers or none.
	for _, i := range slices.Sorted(maps.Keys(out)) {
		for buf := range allowed {
			if out[i][buf] == nil && !misshaped[stateKey(i, buf)] {
				problems = append(problems, fmt.Sprintf("missing tensor %q", stateKey(i, buf)))
			}
		}
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		return nil, errors.New("optim: " + fn + ": state does not fit: " + strings.Join(problems, "; "))
	}
	return out, nil
}

// widen returns the float64 nearest to the shortest decimal that rounds to
// x: widen(0.9) is 0.9 rather than 0.89999997615814. Coefficients such as
// 1−β₁ and 1−β₂ᵗ are computed from widened values, so that they equal the
// ones PyTorch computes from the Python floats the user typed.
func widen(x float32) float64 {
	f, err := strconv.ParseFloat(strconv.FormatFloat(float64(x), 'g', -1, 32), 64)
	if err != nil {
		return float64(x)
	}
	return f
}
