package ops

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gotensor/gotensor/autograd"
	"github.com/gotensor/gotensor/tensor"
)

func TestDropoutIdentity(t *testing.T) {
	x := param([]float32{1, 2, 3}, 3)
	if got := Dropout(x, 0.5, false, nil); got != x {
		t.Error("Dropout in eval mode did not return its input")
	}
	if got := Dropout(x, 0, true, seeded(1)); got != x {
		t.Error("Dropout with p = 0 did not return its input")
	}
	if got := Dropout(x, 1, true, seeded(1)).Data.Data(); !cmp.Equal(got, []float32{0, 0, 0}) {
		t.Errorf("Dropout with p = 1 = %v; want zeros", got)
	}
}

func TestDropoutMask(t *testing.T) {
	const n, p = 100_000, float32(0.25)
	x := autograd.Param(tensor.Ones(n))
	y := Dropout(x, p, true, seeded(3))
	zeros, sum := 0, 0.0
	for _, v := range y.Data.Data() {
		switch v {
		case 0:
			zeros++
		case 1 / (1 - p):
		default:
			t.Fatalf("Dropout output %v; want 0 or %v", v, 1/(1-p))
		}
		sum += float64(v)
	}
	if frac := float64(zeros) / n; math.Abs(frac-float64(p)) > 0.01 {
		t.Errorf("dropped fraction %v; want about %v", frac, p)
	}
	if mean := sum / n; math.Abs(mean-1) > 0.02 {
		t.Errorf("mean %v; want about 1", mean)
	}
	// Same seed, same mask; the gradient is the mask itself.
	if again := Dropout(x, p, true, seeded(3)); !tensor.Equal(again.Data, y.Data) {
		t.Error("the same seed gave a different mask")
	}
	SumAll(y).Backward()
	if !tensor.Equal(x.Grad, y.Data) {
		t.Error("the gradient of Σ Dropout(ones) is not the mask")
	}
}

func TestDropoutPanics(t *testing.T) {
	x := autograd.Const(tensor.Zeros(2))
	runPanics(t, []panicCase{
		{"p", func() { Dropout(x, 1.5, true, seeded(1)) }, "ops.Dropout: probability 1.5 outside [0, 1]"},
		{"negative", func() { Dropout(x, -0.1, false, nil) }, "ops.Dropout: probability -0.1 outside [0, 1]"},
		{"rng", func() { Dropout(x, 0.5, true, nil) }, "ops.Dropout: nil rng in training mode"},
	})
}
