//go:build gotensorpoison

package autograd

import (
	"testing"

	"github.com/gotensor/gotensor/tensor"
)

// TestStorageHandedBackTwicePanics: under the poison tag the free list
// checks that no storage is on it twice, which two ops keeping one buffer
// would cause (two later ops would then share it).
func TestStorageHandedBackTwicePanics(t *testing.T) {
	id := func(g *tensor.Tensor) []*tensor.Tensor { return []*tensor.Tensor{g} }
	x := Param(tensor.Ones(5))
	buf := Scratch(5)
	a := RecordBorrowing("a", x.Data.Clone(), id, x).Keep(buf)
	b := RecordBorrowing("b", a.Data.Clone(), id, a).Keep(buf)
	wantPanic(t, "two Keeps of one buffer", func() { sum(b).Backward() }, "autograd: storage handed back twice")
}
