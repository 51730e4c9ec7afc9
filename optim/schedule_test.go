package optim

import (
	"math"
	"strings"
	"testing"
)

func TestSchedules(t *testing.T) {
	cos := NewWarmupCosine(1, 0.1, 4, 14)
	tests := []struct {
		name string
		s    Schedule
		step int
		want float64
	}{
		{"constant", Constant(0.5), 1000, 0.5},
		{"step 0", NewStepLR(1, 10, 0.5), 0, 1},
		{"step 9", NewStepLR(1, 10, 0.5), 9, 1},
		{"step 10", NewStepLR(1, 10, 0.5), 10, 0.5},
		{"step 35", NewStepLR(0.1, 10, 0.1), 35, 1e-4},
		{"warmup 0", cos, 0, 0.25},
		{"warmup 2", cos, 2, 0.75},
		{"peak", cos, 4, 1},
		{"half", cos, 9, 0.55},
		{"end", cos, 14, 0.1},
		{"after", cos, 100, 0.1},
		{"no warmup", NewWarmupCosine(2, 0, 0, 10), 0, 2},
		{"quarter", NewWarmupCosine(2, 0, 0, 4), 1, 1 + math.Sqrt2/2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.s.LR(tt.step); math.Abs(float64(got)-tt.want) > 1e-6*tt.want {
				t.Errorf("%#v.LR(%d) = %v; want %v", tt.s, tt.step, got, tt.want)
			}
		})
	}
	for _, f := range []func(){
		func() { NewStepLR(1, 0, 0.5) },
		func() { NewWarmupCosine(1, 2, 0, 10) },
		func() { NewWarmupCosine(1, 0, 11, 10) },
	} {
		if ok, msg := panics(f); !ok || !strings.Contains(msg, "optim: New") {
			t.Errorf("bad schedule: panic %v %q; want an optim: New... panic", ok, msg)
		}
	}
}
