package autograd

import (
	"fmt"
	"sync/atomic"

	"github.com/gotensor/gotensor/tensor"
)

// Value is a tensor in a computation that autograd can differentiate: its
// data, the gradient of a loss with respect to it, and the node that made it.
type Value struct {
	// Data is the value itself. Ops never modify it; optimizers update the
	// Data of parameters in place.
	Data *tensor.Tensor
	// Grad is the gradient of the loss with respect to Data, with Data's
	// shape. It is nil until Backward reaches the value, and it accumulates
	// across Backward calls until ZeroGrad. Only values that require a
	// gradient and have no node (leaves, such as parameters) keep theirs.
	Grad *tensor.Tensor

	requiresGrad bool
	paused       atomic.Int32 // > 0 while the value is inside NoGrad
	node         *node        // nil for leaves and for values made without recording

	pending *tensor.Tensor // the gradient summed so far during Backward
}

// BackwardFunc receives the gradient of the loss with respect to an op's
// output and returns one gradient per parent, in the order the parents were
// recorded, each with its parent's shape; nil stands for a zero gradient or a
// parent that needs none.
type BackwardFunc func(g *tensor.Tensor) []*tensor.Tensor

// node records how a value was made: its op, its parents and the closure that
// maps the output's gradient to theirs.
type node struct {
	op       string
	parents  []*Value
	backward BackwardFunc
	released bool // set once Backward has run through the node
}

// Param returns a leaf value that requires a gradient: a trainable parameter.
func Param(t *tensor.Tensor) *Value { return &Value{Data: t, requiresGrad: true} }

// Const returns a leaf value that needs no gradient: an input or a target.
func Const(t *tensor.Tensor) *Value { return &Value{Data: t} }

// Scalar returns a constant 0-d value.
func Scalar(x float32) *Value { return Const(tensor.Scalar(x)) }

// RequiresGrad reports whether gradients flow to v: it is a parameter, or was
// computed from one while recording.
func (v *Value) RequiresGrad() bool { return v.requiresGrad && v.paused.Load() == 0 }

// IsLeaf reports whether v was made directly rather than recorded by an op.
func (v *Value) IsLeaf() bool { return v.node == nil }

// Op returns the name of the op that made v, or "" for a leaf.
func (v *Value) Op() string {
	if v.node == nil {
		return ""
	}
	return v.node.op
}

// Shape returns the shape of v's data.
func (v *Value) Shape() []int { return v.Data.Shape() }

// Item returns the single value of a one-element value.
func (v *Value) Item() float32 { return v.Data.Item() }

// String prints v's data.
func (v *Value) String() string { return v.Data.String() }

// Detach returns a constant value sharing v's data, cut off from the graph.
func (v *Value) Detach() *Value { return Const(v.Data) }

// ZeroGrad sets v's gradient to zero, keeping its storage for reuse.
func (v *Value) ZeroGrad() {
	if v.Grad != nil {
		v.Grad.Fill(0)
	}
}

// Record makes the value that an op computed: out is its data, parents the
// values it was computed from, and backward maps the output's gradient to the
// parents' gradients. If no parent requires a gradient, nothing is recorded
// and the result is a constant; so inside NoGrad, or on constants, ops cost
// only their forward computation.
func Record(op string, out *tensor.Tensor, backward BackwardFunc, parents ...*Value) *Value {
	for _, p := range parents {
		if p.RequiresGrad() {
			return &Value{Data: out, requiresGrad: true, node: &node{op: op, parents: parents, backward: backward}}
		}
	}
	return Const(out)
}

// NoGrad marks the given values (usually a model's parameters) as not
// requiring gradients until the returned function is called, so that forward
// passes through them record no graph: for evaluation and inference. Calls
// nest, and values may be inside several NoGrad scopes at once.
//
// NoGrad acts on values, not on a global or per-goroutine mode. Go has no
// goroutine-local state, and a global switch would let one goroutine's
// evaluation silently stop another goroutine's training from recording. With
// NoGrad on values, two goroutines that run separate models never affect each
// other, and one model may be evaluated by several goroutines at once.
func NoGrad(vs ...*Value) (restore func()) {
	for _, v := range vs {
		v.paused.Add(1)
	}
	var done atomic.Bool
	return func() {
		if done.Swap(true) {
			return
		}
		for _, v := range vs {
			v.paused.Add(-1)
		}
	}
}

// shapeError formats a mismatch between a gradient and its value.
func shapeError(op string, i int, got, want []int) string {
	return fmt.Sprintf("autograd: %s backward: gradient %d has shape %v; its input has shape %v", op, i, got, want)
}
