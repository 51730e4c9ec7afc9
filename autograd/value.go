package autograd

import (
	"fmt"
	"sync/atomic"
	"weak"

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
	// across Backward calls until ZeroGrad sets it back to nil. Only values
	// that require a gradient and have no node (leaves, such as parameters)
	// keep theirs.
	Grad *tensor.Tensor

	requiresGrad bool
	paused       atomic.Int32 // > 0 while the value is inside NoGrad
	node         *node        // nil for leaves and for values made without recording

	// During Backward: the gradient summed so far, and whether the engine
	// owns it, so that no one else holds it and it may be added to in
	// place. A gradient returned by a backward function may be shared (Add
	// passes its input's gradient to both parents), so it is not owned,
	// unless it is the engine's own gradient that an op recorded with
	// RecordBorrowing handed on to this one input alone (a residual's).
	pending    *tensor.Tensor
	owned      bool
	inBackward bool // set while a Backward that reaches v runs

	spare *tensor.Tensor // the storage of the gradient ZeroGrad dropped, for the next one

	// spent holds the values a Backward from v went through whose ops
	// made their data for them alone (OwnsData), until Release. The
	// pointers are weak: a loss kept for its value after the step (in a
	// list of losses) must not keep the step's activations alive.
	spent []weak.Pointer[Value]
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
	borrows  bool // backward keeps no reference to its gradient: RecordBorrowing

	kept     []*tensor.Tensor // storage that backward alone holds (Keep)
	ownsData bool             // the op made the value's data for it alone (OwnsData)
	// base is the recorded value whose data this value's data views (a
	// reshape's input, or that input's own base), or nil: detaching a view
	// must keep the storage under it too.
	base *Value
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
// Release never hands back storage that was detached before it ran, so
// detaching is how a value of one step outlives it (a recurrent state
// carried to the next step, a generator's output fed to a discriminator
// whose Backward comes later).
func (v *Value) Detach() *Value {
	for u := v; u != nil && u.node != nil; u = u.node.base {
		u.node.ownsData = false // shared now: not the op's alone
	}
	return Const(v.Data)
}

// ZeroGrad drops v's gradient: Grad becomes nil, as after PyTorch's
// zero_grad(set_to_none=True), and optimizers skip v until a Backward gives
// it a gradient again. The next Backward writes that gradient into the
// storage of the one dropped, rather than clearing it and adding to it, so a
// training step neither allocates nor clears gradients. Clone Grad before
// ZeroGrad to keep it.
func (v *Value) ZeroGrad() {
	if v.Grad != nil {
		v.spare, v.Grad = v.Grad, nil
	}
}

// AddToGrad lets the backward function of an op that has v as an input add
// its gradient for v straight into the sum the engine keeps, rather than
// return it: cheaper when the gradient covers only part of v (a slice) or
// comes out of a product that can accumulate into its destination
// (tensor.MatMulTInto). write receives the destination, with v's shape, and
// whether it holds a gradient to add to; when it does not, its contents are
// undefined and write must set every element. write must not keep dst. The
// backward function then returns nil for v. AddToGrad does nothing if v
// needs no gradient. During Backward the sum reaches a leaf's Grad when the
// leaf's turn comes, as returned gradients do, so a Backward that panics
// half-way leaves no partial gradient behind. Outside Backward, AddToGrad
// adds into a leaf's Grad at once, and panics for a value an op computed.
func (v *Value) AddToGrad(write func(dst *tensor.Tensor, accumulate bool)) {
	if !v.RequiresGrad() {
		return
	}
	if !v.inBackward {
		if v.node != nil {
			panic(fmt.Sprintf("autograd: AddToGrad of a value made by %s outside Backward: call it from a backward function", v.node.op))
		}
		if v.Grad != nil {
			write(v.Grad, true)
			return
		}
		dst := v.takeSpare()
		write(dst, false)
		v.Grad = dst
		return
	}
	switch {
	case v.pending == nil:
		dst := v.sumStorage()
		write(dst, false)
		v.pending, v.owned = dst, true
	case !v.owned:
		// The sum so far is a gradient some op returned, which must not
		// change: write into new storage, then add the sum to it. An op
		// then takes its overwriting path, often cheaper than adding
		// (setGrad's kernels have no accumulating form).
		dst := v.sumStorage()
		write(dst, false)
		dst.AddInPlace(v.pending)
		v.pending, v.owned = dst, true
	default:
		write(v.pending, true)
	}
}

// addGrad adds grad, a gradient an op returned for v, into v's sum: as
// the sum's first term, grad itself (it may be shared, so the sum is not
// owned); into a sum the engine owns, in place; into a shared sum, by
// starting one of the engine's own.
func (v *Value) addGrad(grad *tensor.Tensor) {
	switch {
	case v.pending == nil:
		v.pending = grad
	case v.owned:
		v.pending.AddInPlace(grad)
	default:
		sum := v.sumStorage()
		sum.CopyFrom(v.pending)
		sum.AddInPlace(grad)
		v.pending, v.owned = sum, true
	}
}

// sumStorage returns storage, with undefined contents, for the gradient
// sum that the engine starts for v during Backward. A leaf without a Grad
// adopts that sum as its Grad when its turn comes, so it takes the storage
// ZeroGrad kept (takeSpare); anything else, storage from the free list.
func (v *Value) sumStorage() *tensor.Tensor {
	if v.node == nil && v.Grad == nil {
		return v.takeSpare()
	}
	return newScratch(v.Data.Shape())
}

// WriteGrad is AddToGrad for a write that can only overwrite its
// destination (an elementwise kernel with no accumulating form): when v
// already holds a gradient, the engine has write fill storage from its free
// list, adds it to the sum, and takes the storage back.
func (v *Value) WriteGrad(write func(dst *tensor.Tensor)) {
	v.AddToGrad(func(dst *tensor.Tensor, accumulate bool) {
		if !accumulate {
			write(dst)
			return
		}
		t := newScratch(dst.Shape())
		write(t)
		dst.AddInPlace(t)
		freeScratch(t)
	})
}

// takeSpare returns the storage ZeroGrad kept for a leaf's next gradient,
// or new storage of the data's shape; its contents are undefined.
func (v *Value) takeSpare() *tensor.Tensor {
	dst := v.spare
	v.spare = nil
	if dst == nil || !tensor.SameShape(dst, v.Data) {
		return newScratch(v.Data.Shape())
	}
	return poisoned(dst)
}

// Record makes the value that an op computed: out is its data, parents the
// values it was computed from, and backward maps the output's gradient to the
// parents' gradients. If no parent requires a gradient, nothing is recorded
// and the result is a constant; so inside NoGrad, or on constants, ops cost
// only their forward computation.
func Record(op string, out *tensor.Tensor, backward BackwardFunc, parents ...*Value) *Value {
	return record(op, out, backward, false, parents)
}

// RecordBorrowing is Record for an op whose backward function only borrows
// its gradient argument: once it returns, it keeps no reference to it or to
// its storage, other than in the gradients it returns (a view of it, or the
// tensor itself). Backward may then reuse that storage for later gradients;
// it keeps up to 256 MiB of such storage between calls, as a caching
// allocator does (EmptyCache drops it). Every op in package ops is recorded
// this way; an op of your own that cannot promise it should use Record.
func RecordBorrowing(op string, out *tensor.Tensor, backward BackwardFunc, parents ...*Value) *Value {
	return record(op, out, backward, true, parents)
}

func record(op string, out *tensor.Tensor, backward BackwardFunc, borrows bool, parents []*Value) *Value {
	for _, p := range parents {
		if p.RequiresGrad() {
			n := &node{op: op, parents: parents, backward: backward, borrows: borrows}
			for _, q := range parents {
				if q.node != nil && tensor.Overlaps(out, q.Data) {
					n.base = q
					if q.node.base != nil {
						n.base = q.node.base
					}
					break
				}
			}
			return &Value{Data: out, requiresGrad: true, node: n}
		}
	}
	return Const(out)
}

// Scratch returns a tensor of the given shape with undefined contents, for
// an op that sets every element: storage that Backward or Release handed
// back, if the engine holds some of that size, or new storage. An op that
// also declares who holds its storage (Keep, OwnsData) lets the next
// training step reuse it instead of allocating and clearing new memory.
func Scratch(shape ...int) *tensor.Tensor { return newScratch(shape) }

// Keep tells the engine that bufs, storage the op made (its saved
// intermediates, such as LayerNorm's normalised input, never an input's
// data), are held by v's backward function and by nothing else: once that
// function has run, or when Backward passes v by without a gradient for
// it, their storage is handed back for reuse. It returns v, does nothing if
// v was not recorded, and panics if a buffer shares v's own data (that is
// OwnsData's).
func (v *Value) Keep(bufs ...*tensor.Tensor) *Value {
	if v.node == nil {
		return v
	}
	for _, b := range bufs {
		if tensor.Overlaps(b, v.Data) {
			panic(fmt.Sprintf("autograd: %s: Keep of storage shared with the value's own data; declare that with OwnsData", v.node.op))
		}
		for _, p := range v.node.parents {
			if tensor.Overlaps(b, p.Data) {
				panic(fmt.Sprintf("autograd: %s: Keep of storage shared with an input's data; only storage the op made may be kept", v.node.op))
			}
		}
	}
	v.node.kept = append(v.node.kept, bufs...)
	return v
}

// OwnsData tells the engine that the op made v's data for v alone, rather
// than as a view of an input's: Release may hand its storage back. It
// returns v, and does nothing if v was not recorded. Declare storage taken
// from Scratch, with Keep too: storage that no op draws again would
// accumulate on the free list, step after step, up to its cap.
func (v *Value) OwnsData() *Value {
	if v.node != nil {
		v.node.ownsData = true
	}
	return v
}

// Release hands back to the engine, for the next training step's ops to
// reuse, the data of the values v was computed from whose ops made it for
// them alone (OwnsData), v's own included: the storage of a finished step's
// activations, which a caching allocator such as PyTorch's takes back when
// the step's tensors go out of scope. Go has no such scope, so Release is
// how a training loop says the step is over; call it on the loss after
// Backward and after reading anything else the step computed (logits for
// an accuracy). Afterwards the Data of those values, and of views of them
// that ops made (Reshape, Slice), holds other numbers: Clone what must
// outlive the step, or Detach it before Release, since detached storage is
// never handed back (a Detach after Release comes too late).
// Parameters, constants and other leaves are never handed back, and
// nothing is without Release; storage whose value the collector took back
// since Backward is simply not reused.
// If Backward has not run from v, Release also releases the graph, as
// Backward would. A second Release does nothing.
func (v *Value) Release() {
	if v.node != nil && !v.node.released {
		for _, u := range recorded(v) {
			n := u.node
			freeAll(n.kept)
			if n.ownsData {
				freeScratch(u.Data)
			}
			n.backward, n.parents, n.kept, n.released = nil, nil, nil, true
		}
	}
	for _, w := range v.spent {
		if u := w.Value(); u != nil && u.node.ownsData { // not detached since
			freeScratch(u.Data)
		}
	}
	v.spent = nil
}

// recorded returns root and the values it was computed from whose nodes
// Backward has not released.
func recorded(root *Value) []*Value {
	var vs []*Value
	seen := map[*Value]bool{root: true}
	stack := []*Value{root}
	for len(stack) > 0 {
		u := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		vs = append(vs, u)
		for _, p := range u.node.parents {
			if !seen[p] && p.node != nil && !p.node.released {
				seen[p] = true
				stack = append(stack, p)
			}
		}
	}
	return vs
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
