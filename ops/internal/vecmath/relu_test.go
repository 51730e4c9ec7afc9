package vecmath

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestReLUMask(t *testing.T) {
	for _, l := range levels() {
		t.Run(levelNames[l], func(t *testing.T) {
			withLevel(t, l)
			rng := rand.New(rand.NewPCG(11, uint64(l)))
			for _, n := range lengths() {
				x, src := inputs(rng, n, 1), inputs(rng, n, 1)
				d, want := make([]float32, n), make([]float32, n)
				ReLUMask(d, src, x)
				reluMaskGo(want, src, x)
				for i := range d {
					if math.Float32bits(d[i]) != math.Float32bits(want[i]) {
						t.Fatalf("ReLUMask(n=%d)[%d] (src %v, x %v) = %v; want %v", n, i, src[i], x[i], d[i], want[i])
					}
				}
				LeakyScale(d, src, x, 0.01)
				leakyScaleGo(want, src, x, 0.01)
				for i := range d {
					if math.Float32bits(d[i]) != math.Float32bits(want[i]) && !(d[i] != d[i] && want[i] != want[i]) {
						t.Fatalf("LeakyScale(n=%d)[%d] (src %v, x %v) = %v; want %v", n, i, src[i], x[i], d[i], want[i])
					}
				}
			}
		})
	}
}
