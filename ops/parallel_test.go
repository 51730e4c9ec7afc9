package ops

import (
	"fmt"
	"math"
	"testing"

	"github.com/gotensor/gotensor/autograd"
	"github.com/gotensor/gotensor/tensor"
)

// TestThreadsBitwise checks that the ops that share their loops between
// goroutines give the same bits, forward and backward, for any thread
// count, at sizes that split (a prime number of elements, so that the last
// range is ragged).
func TestThreadsBitwise(t *testing.T) {
	defer tensor.SetThreads(0)
	rng := seeded(12)
	x := tensor.Randn(rng, 1009, 131) // 132179 elements, over 4 grains
	lnw, lnb := tensor.Randn(rng, 131), tensor.Randn(rng, 131)
	for _, c := range []struct {
		name string
		f    func(x *autograd.Value) *autograd.Value
	}{
		{"GELU", GELU},
		{"LayerNorm", func(x *autograd.Value) *autograd.Value {
			return LayerNorm(x, autograd.Param(lnw.Clone()), autograd.Param(lnb.Clone()), 1e-5)
		}},
	} {
		var want [2][]float32
		for _, th := range []int{1, 2, 3, 4} {
			tensor.SetThreads(th)
			p := autograd.Param(x.Clone())
			y := c.f(p)
			y.BackwardWith(x) // any gradient will do
			got := [2][]float32{y.Data.Data(), p.Grad.Data()}
			if th == 1 {
				want = got
				continue
			}
			for k, name := range []string{"output", "gradient"} {
				if i := firstBitDiff(got[k], want[k]); i >= 0 {
					t.Errorf("%s with %d threads: %s[%d] = %v; want %v as with 1 thread", c.name, th, name, i, got[k][i], want[k][i])
				}
			}
		}
	}
}

// firstBitDiff returns the first index at which a and b differ in their
// bits, or -1.
func firstBitDiff(a, b []float32) int {
	if len(a) != len(b) {
		panic(fmt.Sprintf("firstBitDiff: lengths %d and %d", len(a), len(b)))
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return i
		}
	}
	return -1
}
