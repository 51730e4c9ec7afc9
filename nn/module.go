package nn

import (
	"fmt"
	"slices"

	"github.com/gotensor/gotensor/autograd"
)

// Module is a part of a model that owns parameters and submodules. Every
// module in this package embeds Base, which implements Module; a user's own
// module does the same and registers its parts in its constructor:
//
//	type Net struct {
//		nn.Base
//		fc1, fc2 *nn.Linear
//	}
//
//	func NewNet(rng *rand.Rand) *Net {
//		n := &Net{fc1: nn.NewLinear(rng, 2, 16, true), fc2: nn.NewLinear(rng, 16, 1, true)}
//		n.AddModule("fc1", n.fc1)
//		n.AddModule("fc2", n.fc2)
//		return n
//	}
type Module interface {
	// NamedParameters returns every parameter of the module and its
	// submodules with its dotted name ("blocks.0.attn.qkv.weight"), in
	// registration order: a module's own parameters first, then each
	// submodule's. A parameter registered twice (tied weights) appears once,
	// under its first name. Two different parameters with the same dotted
	// name make it panic.
	NamedParameters() []NamedParam
	// Parameters returns the values of NamedParameters, in the same order.
	Parameters() []*autograd.Value
	// SetTraining switches the module and all its submodules to training
	// (true) or evaluation (false) mode. Modules start in training mode.
	SetTraining(training bool)
	// Training reports whether the module is in training mode.
	Training() bool
}

// Layer is a module that maps one value to another: what Sequential chains.
type Layer interface {
	Module
	Forward(x *autograd.Value) *autograd.Value
}

// NamedParam is a parameter with its dotted name in a model.
type NamedParam struct {
	Name  string
	Value *autograd.Value
}

// Base holds a module's registered parameters and submodules and its mode,
// and implements Module for the struct that embeds it. Its zero value is an
// empty module in training mode.
type Base struct {
	params   []NamedParam
	children []namedModule
	eval     bool // the zero value is in training mode
}

type namedModule struct {
	name string
	m    Module
}

// AddParam registers v as a parameter named name and returns it. It panics
// if the name is empty or already taken, or v is nil.
func (b *Base) AddParam(name string, v *autograd.Value) *autograd.Value {
	b.checkName("AddParam", name)
	if v == nil {
		panic(fmt.Sprintf("nn: AddParam(%q): nil value", name))
	}
	b.params = append(b.params, NamedParam{name, v})
	return v
}

// AddModule registers m as a submodule named name; its parameters are named
// name + "." + theirs. The name may contain dots ("blocks.0"). AddModule
// panics if the name is empty or already taken, or m is nil.
func (b *Base) AddModule(name string, m Module) {
	b.checkName("AddModule", name)
	if m == nil {
		panic(fmt.Sprintf("nn: AddModule(%q): nil module", name))
	}
	b.children = append(b.children, namedModule{name, m})
}

func (b *Base) checkName(fn, name string) {
	taken := slices.ContainsFunc(b.params, func(p NamedParam) bool { return p.Name == name }) ||
		slices.ContainsFunc(b.children, func(c namedModule) bool { return c.name == name })
	if name == "" || taken {
		panic(fmt.Sprintf("nn: %s: name %q is empty or already taken", fn, name))
	}
}

// NamedParameters returns the parameters of the module and its submodules
// with their dotted names. It panics if two different parameters end up
// with the same dotted name, as a parameter "0.weight" and a submodule "0"
// with a parameter "weight" do: a file could hold only one of them.
func (b *Base) NamedParameters() []NamedParam {
	var out []NamedParam
	seen := map[*autograd.Value]bool{}
	from := map[string]string{} // where each name came from, for the panic
	add := func(name string, v *autograd.Value, origin string) {
		if seen[v] {
			return // tied weights: listed once, under the first name
		}
		if o, taken := from[name]; taken {
			panic(fmt.Sprintf("nn: NamedParameters: two different parameters are named %q: %s and %s", name, o, origin))
		}
		seen[v], from[name] = true, origin
		out = append(out, NamedParam{name, v})
	}
	for _, p := range b.params {
		add(p.Name, p.Value, fmt.Sprintf("parameter %q", p.Name))
	}
	// Each submodule lists its own parameters, so that a module that
	// defines its own NamedParameters is respected.
	for _, c := range b.children {
		for _, p := range c.m.NamedParameters() {
			add(c.name+"."+p.Name, p.Value, fmt.Sprintf("parameter %q of submodule %q", p.Name, c.name))
		}
	}
	return out
}

// Parameters returns the values of NamedParameters.
func (b *Base) Parameters() []*autograd.Value {
	named := b.NamedParameters()
	out := make([]*autograd.Value, len(named))
	for i, p := range named {
		out[i] = p.Value
	}
	return out
}

// SetTraining sets the mode of the module and of every submodule.
func (b *Base) SetTraining(training bool) {
	b.eval = !training
	for _, c := range b.children {
		c.m.SetTraining(training)
	}
}

// Training reports whether the module is in training mode.
func (b *Base) Training() bool { return !b.eval }

// Train switches the module and its submodules to training mode.
func (b *Base) Train() { b.SetTraining(true) }

// Eval switches the module and its submodules to evaluation mode: Dropout
// passes its input through unchanged.
func (b *Base) Eval() { b.SetTraining(false) }

// NumParams returns the number of scalar parameters of m.
func NumParams(m Module) int {
	n := 0
	for _, p := range m.Parameters() {
		n += p.Data.Len()
	}
	return n
}
