package autograd

import (
	"fmt"
	"weak"

	"github.com/gotensor/gotensor/tensor"
)

// Backward computes the gradient of v, which must hold a single element (a
// scalar loss), with respect to every value it was computed from, and adds it
// into the Grad of each leaf that requires a gradient. The graph is released
// afterwards: its closures and intermediate gradients are freed, and a second
// Backward through it panics. Backward panics if v has more than one element
// (use BackwardWith then), or if v does not require a gradient (nothing
// trainable went into it), as PyTorch does. Backward calls may run at the
// same time in several goroutines on separate models, but not on graphs that
// share a parameter: their gradients would race.
func (v *Value) Backward() {
	if v.Data.Len() != 1 {
		panic(fmt.Sprintf("autograd: Backward of a value of shape %v; a non-scalar needs a seed gradient: use BackwardWith", v.Data.Shape()))
	}
	v.BackwardWith(tensor.Ones(v.Data.Shape()...))
}

// BackwardWith is Backward with an explicit seed: the gradient of the loss
// with respect to v, of v's shape. It panics if the seed's shape differs.
func (v *Value) BackwardWith(seed *tensor.Tensor) {
	if !tensor.SameShape(seed, v.Data) {
		panic(fmt.Sprintf("autograd: BackwardWith: seed of shape %v for a value of shape %v", seed.Shape(), v.Data.Shape()))
	}
	if v.node != nil && v.node.released {
		panic(fmt.Sprintf("autograd: Backward through a released graph (op %s): Backward already ran through it; record the forward pass again", v.node.op))
	}
	if !v.RequiresGrad() {
		panic(fmt.Sprintf("autograd: Backward of a value (op %q) that does not require a gradient: no parameter went into it, or its parameters were inside NoGrad", v.Op()))
	}
	order := topoOrder(v)
	for _, u := range order {
		u.inBackward = true
	}
	// If a backward closure panics, no partial gradient may stay behind to
	// be added into the next Backward; the loop below resets each value
	// itself when it completes.
	done := false
	defer func() {
		if done {
			return
		}
		for _, u := range order {
			u.pending, u.owned, u.inBackward = nil, false, false
		}
	}()
	v.pending = seed
	// Reverse topological order: every consumer of a value runs before the
	// value passes its gradient on.
	for i := len(order) - 1; i >= 0; i-- {
		u := order[i]
		g, owned := u.pending, u.owned
		u.pending, u.owned, u.inBackward = nil, false, false
		if u.node == nil {
			accumulate(u, g, owned)
			continue
		}
		n := u.node
		if g != nil {
			grads := n.backward(g)
			if len(grads) != len(n.parents) {
				panic(fmt.Sprintf("autograd: %s backward returned %d gradients for %d inputs", n.op, len(grads), len(n.parents)))
			}
			for j, p := range n.parents {
				if grads[j] == nil || !p.RequiresGrad() {
					continue
				}
				if !tensor.SameShape(grads[j], p.Data) {
					panic(shapeError(n.op, j, grads[j].Shape(), p.Data.Shape()))
				}
				p.addGrad(grads[j])
			}
			// The engine's own g, borrowed by the op, and now held by the
			// sums that start with it (a residual's passes it through):
			// held by one, it belongs to that sum, to be added to and freed
			// in turn; held by none, it is spent; held by two, it is shared
			// and left alone.
			if owned && n.borrows {
				var heir *Value
				heirs := 0
				for _, p := range n.parents {
					if p != heir && p.pending != nil && tensor.Overlaps(p.pending, g) {
						heirs, heir = heirs+1, p
					}
				}
				switch heirs {
				case 0:
					freeScratch(g)
				case 1:
					heir.owned = true
				}
			}
			for _, t := range n.kept {
				if !overlapsAny(t, grads...) {
					freeScratch(t)
				}
			}
		} else {
			freeAll(n.kept)
		}
		if n.ownsData {
			v.spent = append(v.spent, weak.Make(u))
		}
		// Release the node: its closure holds the forward tensors it needed.
		n.backward, n.parents, n.kept, n.released = nil, nil, nil, true
	}
	done = true
}

// overlapsAny reports whether t shares storage with any of ts (nil ones
// aside).
func overlapsAny(t *tensor.Tensor, ts ...*tensor.Tensor) bool {
	for _, u := range ts {
		if u != nil && tensor.Overlaps(t, u) {
			return true
		}
	}
	return false
}

// accumulate adds g into the gradient of leaf u. If u has none, g becomes it
// when the engine owns g; otherwise g is copied, into the storage ZeroGrad
// left if there is one, since g may be shared with other values' gradients.
func accumulate(u *Value, g *tensor.Tensor, owned bool) {
	if g == nil || !u.requiresGrad {
		return
	}
	switch {
	case u.Grad != nil:
		u.Grad.AddInPlace(g)
		if owned {
			freeScratch(g) // the engine's own, and now spent
		}
	case owned:
		if u.spare != nil {
			freeScratch(u.spare) // g takes its place
		}
		u.Grad, u.spare = g, nil
	default:
		u.Grad = u.takeSpare()
		u.Grad.CopyFrom(g)
	}
}

// topoOrder returns the values that root depends on through values requiring
// gradients, each after all of its parents. It walks the graph with an
// explicit stack, so long chains cannot overflow the goroutine stack.
func topoOrder(root *Value) []*Value {
	type frame struct {
		v    *Value
		next int // index of the next parent to visit
	}
	var order []*Value
	visited := map[*Value]bool{root: true}
	stack := []frame{{v: root}}
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		if top.v.node == nil || top.next == len(top.v.node.parents) {
			order = append(order, top.v)
			stack = stack[:len(stack)-1]
			continue
		}
		p := top.v.node.parents[top.next]
		top.next++
		if !visited[p] && p.RequiresGrad() {
			if p.node != nil && p.node.released {
				panic(fmt.Sprintf("autograd: Backward through a released graph (op %s): Backward already ran through it; record the forward pass again", p.node.op))
			}
			visited[p] = true
			stack = append(stack, frame{v: p})
		}
	}
	return order
}
