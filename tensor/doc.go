// Package tensor provides dense float32 tensors and the kernels that compute
// with them: elementwise arithmetic with broadcasting, reductions, shape
// operations, matrix products and small dense linear algebra. It knows
// nothing of gradients; package autograd builds on it.
//
// # Layout
//
// A Tensor is contiguous and row-major. For a tensor of shape (d0, ..., dr-1),
// the element at (i0, ..., ir-1) is stored at index
// ((i0*d1 + i1)*d2 + i2)... of Data(); for an (m, n) matrix, element (i, j) is
// Data()[i*n+j]. A 0-d tensor (shape []) is a scalar holding one value;
// dimensions of size 0 are legal and give empty tensors. Shapes are written
// (m, n) in comments and [m n] in messages.
//
// # Conventions
//
//   - Functions return new tensors and never modify their arguments. Methods
//     whose names end in InPlace (AddInPlace, ScaleInPlace, ...) modify the
//     receiver, which is the destination.
//   - Storage is shared only where stated: FromSlice wraps the caller's slice,
//     Reshape, Slice and Index return tensors that share their argument's
//     storage, and Data returns the storage itself. Everything else, Transpose
//     and Permute included, copies.
//   - Binary elementwise functions broadcast as NumPy does: shapes are aligned
//     at their last dimension and each pair of sizes must be equal or 1; the
//     size-1 operand is repeated. Broadcasting is index arithmetic inside the
//     kernels, never a materialised copy. SumTo is its adjoint.
//   - Axes may be negative, counting from the end: -1 is the last axis.
//   - Sums accumulate in float64, so long reductions stay accurate.
//   - Random constructors take a *rand.Rand (math/rand/v2), so seeded code is
//     reproducible.
//
// # Errors
//
// A mistake of the caller panics at once, with a message that names the
// function and the offending shapes or values: shapes that cannot broadcast,
// an axis or index out of range, a length that does not match a shape, inner
// dimensions of a matrix product that differ. For example:
//
//	tensor: shape mismatch in Add: [2 3] and [4] cannot broadcast
//
// A condition of the data is an error instead: Solve and Inverse return an
// error wrapping ErrSingular for a singular system, never NaNs.
//
// # Speed
//
// Matrix products run on a packed, cache-blocked kernel that uses the
// machine's SIMD units and several goroutines (see SetThreads); results are
// bitwise identical for any thread count. Add, Sub, Mul and Div of operands
// of one shape, or of broadcast operands along rows of 12 or more in which
// both are contiguous (a row added to each row of a matrix, say), run in
// AVX-512 assembly where the processor has it, with the scalar loop's results
// bit for bit; Sum and Mean over an axis with more than one element after it
// (a bias gradient's sum over the batch) run a column-sum kernel, in AVX-512
// assembly there too. The other elementwise functions are plain loops over
// slices with no per-element call. Elementwise functions allocate only their
// result.
package tensor
