// Package ops defines the differentiable operations of gotensor: arithmetic
// with broadcasting, matrix products, Linear and FeedForward, elementwise
// functions, reductions, shape operations and embeddings, softmax, losses,
// LayerNorm, dropout, attention and cosine similarity.
//
// Each op computes its output with package tensor's kernels and records one
// node with autograd.RecordBorrowing: its parents and a backward closure
// written right under the forward line, which maps the gradient of the
// output (g) to one gradient per input (dx, dw, db, ...). Softmax with
// cross-entropy, LayerNorm, attention, Linear and FeedForward (Linear,
// GELU, Linear) have fused, hand-written backward passes; comments above
// each derived line quote the forward line it differentiates. AddLinear
// and AddFeedForward add a residual inside the layer's last product, and
// FeedForward applies GELU inside its first: elementwise work on a
// product's output runs on each block as the kernel finishes it
// (tensor.GemmEpilogue), not in a pass of its own. Where it saves a pass
// or a tensor, a closure writes an input's gradient straight into the
// engine's sum with Value.AddToGrad (Linear's products, slices, the
// elementwise activations) instead of returning it. The ops of a training
// step's hot path (Linear, FeedForward, the activations, residual Add,
// Embedding, LayerNorm, attention) take their outputs and saved buffers
// from autograd.Scratch and declare them (OwnsData, Keep), so that a
// training loop that calls Release on its loss runs each step in the
// previous step's memory.
//
// # Conventions
//
//   - Ops never modify their inputs' Data, and backward closures never modify
//     the incoming gradient g, nor keep it once they return (the promise
//     RecordBorrowing makes, which lets Backward reuse its storage). An op on values that need no gradient (constants,
//     or parameters inside autograd.NoGrad) records nothing and costs only its
//     forward computation; a backward computes only the gradients its inputs
//     need, returning nil for the others.
//   - Binary ops broadcast as NumPy does. Every gradient is reduced back to its
//     input's shape (tensor.SumTo over broadcast dimensions), so the gradient of
//     a (1, n) bias added to an (m, n) matrix is (1, n).
//   - Shapes are written (m, n) in comments and [m n] in messages. Sequence
//     ops use the legend B batch, H heads, T time, D head size, C channels or
//     classes; leading "..." dimensions are batch dimensions. Axes may be
//     negative, counting from the end.
//   - Reductions over all elements (SumAll, MeanAll, the losses) return 0-d
//     values, ready for Backward.
//   - The exponentials of Softmax, LogSoftmax, CrossEntropy and attention use
//     a float32 exp accurate to 2 ulp; sums of exponentials and of losses
//     accumulate in float64.
//   - Random ops (Dropout) draw from the caller's *rand.Rand, so seeded code
//     is reproducible.
//
// # Panics
//
// A caller's mistake panics at once with a message naming the function and
// the shapes or values at fault: operands that cannot broadcast, inner
// dimensions of a product that differ, an axis or index out of range, a
// target class outside [0, C), a probability outside [0, 1). For example:
//
//	ops.MatMul: shapes [2 3] and [4 5]: inner dimensions 3 and 4 differ
//
// Shape errors that package tensor detects first carry its prefix
// ("tensor: shape mismatch in Add: ..."). Numerical conditions do not panic:
// softmax and the losses are computed stably for logits of any size, and a
// fully masked attention row gives zeros rather than NaN.
package ops
