package autograd

import (
	"math"
	"sync"

	"github.com/gotensor/gotensor/tensor"
)

// Gradients that flow between ops during Backward live only until the op
// that receives them has run. When the engine made such a gradient itself
// (through AddToGrad or a sum) and the op that received it was recorded with
// RecordBorrowing, nothing can hold it afterwards, so its storage goes to a
// free list, and AddToGrad hands it out again for a later gradient of the
// same size, in this Backward or the next training step's. A step then
// reuses the memory of its gradients, still warm in cache, instead of
// allocating and clearing new memory. Ops' outputs and saved buffers
// join the list the same way when they are declared (Keep, OwnsData) and
// handed back (Backward, Release). The list keeps at most maxScratch
// bytes, like a caching allocator: a training loop's storage stays there
// between steps, until EmptyCache.

// maxScratch bounds the bytes the free list holds: a step's activations
// and gradients, for models well beyond the small GPT's 30 MB.
const maxScratch = 256 << 20

// EmptyCache drops the storage the engine keeps for reuse (up to 256 MiB:
// the gradients, activations and saved buffers of finished training
// steps), leaving it to the garbage collector, as PyTorch's
// torch.cuda.empty_cache does for its allocator's cache. Call it after
// training, before work that needs the memory; later steps simply
// allocate again.
func EmptyCache() {
	scratch.Lock()
	defer scratch.Unlock()
	scratch.free, scratch.bytes = nil, 0
}

// minScratch, the smallest gradient worth keeping, and poison are set by
// build tag: the gotensorpoison tag (CI runs the tests with it) keeps every
// size and fills all storage handed out with NaN, so that a write that
// misses an element, or storage reused while still in use, shows.

var scratch struct {
	sync.Mutex
	free  map[int][]*tensor.Tensor // by number of elements, the last freed last
	bytes int
}

// newScratch returns a tensor of the given shape whose contents are
// undefined: storage from the free list if it has some of the right size, a
// new tensor otherwise.
func newScratch(shape []int) *tensor.Tensor {
	n := 1
	for _, d := range shape {
		n *= d
	}
	if n >= minScratch {
		scratch.Lock()
		list := scratch.free[n]
		if k := len(list); k > 0 {
			t := list[k-1]
			list[k-1] = nil
			scratch.free[n] = list[:k-1]
			scratch.bytes -= 4 * n
			scratch.Unlock()
			if !hasShape(t, shape) {
				t = tensor.Reshape(t, shape...)
			}
			return poisoned(t)
		}
		scratch.Unlock()
	}
	return poisoned(tensor.New(shape...))
}

// poisoned fills t with NaN under the gotensorpoison tag, and returns it.
func poisoned(t *tensor.Tensor) *tensor.Tensor {
	if poison {
		t.Fill(float32(math.NaN()))
	}
	return t
}

// freeScratch puts t's storage on the free list. Nothing may use t
// afterwards; under the gotensorpoison tag it holds NaN from then on.
func freeScratch(t *tensor.Tensor) {
	n := t.Len()
	if n < minScratch {
		return
	}
	poisoned(t)
	scratch.Lock()
	defer scratch.Unlock()
	if poison {
		for _, f := range scratch.free[n] {
			if tensor.Overlaps(f, t) {
				panic("autograd: storage handed back twice: an op's Keep or OwnsData names storage that another value also hands back")
			}
		}
	}
	if scratch.bytes+4*n > maxScratch {
		return // the collector takes it
	}
	if scratch.free == nil {
		scratch.free = make(map[int][]*tensor.Tensor)
	}
	scratch.free[n] = append(scratch.free[n], t)
	scratch.bytes += 4 * n
}

// freeAll frees each of ts.
func freeAll(ts []*tensor.Tensor) {
	for _, t := range ts {
		freeScratch(t)
	}
}

// hasShape reports whether t has the given shape, without Shape's copy.
func hasShape(t *tensor.Tensor, shape []int) bool {
	if t.Rank() != len(shape) {
		return false
	}
	for i, d := range shape {
		if t.Dim(i) != d {
			return false
		}
	}
	return true
}
