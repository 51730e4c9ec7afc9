// Package autograd implements reverse-mode automatic differentiation over
// tensors.
//
// A Value holds a tensor (Data), the gradient of a loss with respect to it
// (Grad), and, if an op computed it, the node that records the op's name, its
// parents and a backward closure. Package ops defines the differentiable
// operations; each calls Record with its output, its parents and a closure
// that maps the output's gradient to one gradient per parent. This package
// knows no specific operation.
//
// Backward walks the recorded graph in reverse topological order (found with
// an explicit stack, so graphs of any depth are fine), calls each closure
// once, checks that every returned gradient has its parent's shape, and adds
// up the gradients of values used more than once; a backward function may
// instead add a gradient into the engine's sum directly (AddToGrad), which
// saves a pass where the gradient covers part of its input or comes out of a
// product that can accumulate. Leaves that require a gradient (parameters)
// accumulate theirs in Grad across Backward calls until ZeroGrad, which
// drops it (PyTorch's set_to_none) and lets the next Backward reuse its
// storage. After Backward the graph is released: closures and
// intermediate gradients are dropped, so memory does not grow over training
// steps, and a second Backward through the same graph panics.
//
// Storage is reused across steps as a caching allocator would. Gradients
// that the engine made and an op recorded with RecordBorrowing consumed go
// to a free list at once. An op may take its output and saved buffers from
// that list (Scratch) and declare them: Keep for buffers only its backward
// holds, handed back once it has run; OwnsData for an output made for the
// value alone, handed back when the training loop calls Release on the loss
// at the end of the step, the point where PyTorch's tensors would go out of
// scope.
//
// Recording happens only when some input requires a gradient. NoGrad turns
// that off for given values (a model's parameters) for evaluation; it is a
// property of values rather than a global mode, so goroutines running
// separate models never interfere. GradCheck compares Backward's gradients
// with finite differences, for users' own ops.
//
// Programmer mistakes panic with a message naming the op and the shapes:
// a gradient of the wrong shape, Backward of a non-scalar without a seed, or
// Backward through a released graph.
package autograd
