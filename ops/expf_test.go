package ops

import (
	"math"
	"testing"
)

// ulps returns the distance in units in the last place between got and the
// float64 value want.
func ulps(got float32, want float64) float64 {
	w := float32(want)
	if got == w {
		return 0
	}
	ulp := math.Float32frombits(math.Float32bits(w)+1) - w
	return math.Abs(float64(got)-want) / float64(ulp)
}

func TestExpf(t *testing.T) {
	worst, at := 0.0, float32(0)
	for x := float32(-87.3); x < 88.7; x += 0.0037 {
		if u := ulps(expf(x), math.Exp(float64(x))); u > worst {
			worst, at = u, x
		}
	}
	if worst > 2 {
		t.Errorf("expf(%v) is %.2f ulp from e^x; want <= 2", at, worst)
	}
	xs := []float32{3, 1, -1e4, 2, -5, 2.5, -90, float32(math.NaN())}
	ys := make([]float32, len(xs))
	sum := expSub(ys, xs, 3)
	var want float64
	for i, x := range xs[:7] {
		w := math.Exp(float64(x - 3))
		want += float64(float32(w))
		if u := ulps(ys[i], w); u > 2 && w > 1e-37 || w <= 1e-37 && ys[i] != 0 {
			t.Errorf("expSub: e^(%v - 3) = %v; want %v", x, ys[i], w)
		}
	}
	if ys[7] == ys[7] || math.Abs(sum-want) > 1e-6 {
		t.Errorf("expSub: NaN gave %v, sum %v; want NaN and %v", ys[7], sum, want)
	}
	tests := []struct {
		x    float32
		want float32
	}{
		{0, 1}, {1, math.E}, {-1e4, 0}, {-88, 0}, {89, float32(math.Inf(1))}, {float32(math.Inf(-1)), 0},
		{float32(math.Inf(1)), float32(math.Inf(1))},
	}
	for _, tt := range tests {
		if got := expf(tt.x); got != tt.want {
			t.Errorf("expf(%v) = %v; want %v", tt.x, got, tt.want)
		}
	}
	if got := expf(float32(math.NaN())); got == got {
		t.Errorf("expf(NaN) = %v; want NaN", got)
	}
}

func BenchmarkExpf(b *testing.B) {
	xs := make([]float32, 1024)
	for i := range xs {
		xs[i] = -float32(i) * 0.01
	}
	ys := make([]float32, len(xs))
	b.Run("expf", func(b *testing.B) {
		for b.Loop() {
			for i, x := range xs {
				ys[i] = expf(x)
			}
		}
	})
	b.Run("expSub", func(b *testing.B) {
		for b.Loop() {
			expSub(ys, xs, 0)
		}
	})
	b.Run("math.Exp", func(b *testing.B) {
		for b.Loop() {
			for i, x := range xs {
				ys[i] = float32(math.Exp(float64(x)))
			}
		}
	})
}
