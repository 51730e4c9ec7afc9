package ops

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gotensor/gotensor/autograd"
	"github.com/gotensor/gotensor/tensor"
)

// panics reports whether f panics, and with what message.
func panics(f func()) (ok bool, msg string) {
	defer func() {
		if r := recover(); r != nil {
			ok, msg = true, fmt.Sprint(r)
		}
	}()
	f()
	return false, ""
}

// panicCase is a call that must panic with a message containing want.
type panicCase struct {
	name string
	f    func()
	want string
}

func runPanics(t *testing.T, cases []panicCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ok, msg := panics(c.f)
			if !ok {
				t.Fatalf("%s did not panic; want a panic containing %q", c.name, c.want)
			}
			if !strings.Contains(msg, c.want) {
				t.Errorf("%s panicked with %q; want it to contain %q", c.name, msg, c.want)
			}
		})
	}
}

// approx compares float32 slices with a relative and an absolute tolerance.
func approx(frac, margin float64) cmp.Option { return cmpopts.EquateApprox(frac, margin) }

// param returns a parameter holding a copy of data in the given shape.
func param(data []float32, shape ...int) *autograd.Value {
	return autograd.Param(tensor.FromSlice(append([]float32(nil), data...), shape...))
}

// seeded returns a deterministic generator for tests.
func seeded(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 1)) }
