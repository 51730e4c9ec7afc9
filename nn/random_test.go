package nn

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gotensor/gotensor/autograd"
	"github.com/gotensor/gotensor/tensor"
)

func TestRandomStateResumesDropout(t *testing.T) {
	cfg := GPTConfig{Vocab: 5, Context: 4, Dim: 8, Heads: 2, Layers: 2, Dropout: 0.3}
	a := NewGPT(rand.New(rand.NewPCG(1, 2)), cfg)
	ids := []int{1, 2, 3, 4, 0, 1, 2, 3}
	a.Forward(ids, 2, 4) // advance the generators
	state := RandomState(a)
	want := a.Forward(ids, 2, 4).Data

	// A model made from the same seed but with fresh generators draws other
	// masks until its state is restored.
	b := NewGPT(rand.New(rand.NewPCG(1, 2)), cfg)
	if tensor.Equal(b.Forward(ids, 2, 4).Data, want) {
		t.Fatal("the test cannot tell masks apart: fresh generators gave the same output")
	}
	if err := SetRandomState(b, state); err != nil {
		t.Fatal(err)
	}
	if got := b.Forward(ids, 2, 4).Data; !tensor.Equal(got, want) {
		t.Error("after SetRandomState, the model's dropout masks differ from the original's")
	}
}

func TestSetRandomStateErrors(t *testing.T) {
	m := NewSequential(NewDropout(rand.New(rand.NewPCG(1, 1)), 0.5), &ReLU{}, NewDropout(rand.New(rand.NewPCG(2, 2)), 0.5))
	state := RandomState(m)
	x := autograd.Const(tensor.Ones(4))
	m.Forward(x)
	after := RandomState(m)
	for _, tc := range []struct {
		name  string
		state []byte
		want  string
	}{
		{"truncated", state[:len(state)-3], "truncated"},
		{"extra", append(append([]byte{}, state...), state[:21]...), "more generators"},
		{"empty", nil, "truncated"},
	} {
		err := SetRandomState(m, tc.state)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v; want one containing %q", tc.name, err, tc.want)
		}
		if got := RandomState(m); string(got) != string(after) {
			t.Errorf("%s: a failed SetRandomState changed the generators", tc.name)
		}
	}
	if s := RandomState(NewLinear(rand.New(rand.NewPCG(1, 1)), 2, 2, true)); len(s) != 0 {
		t.Errorf("a model without dropout has a state of %d bytes", len(s))
	}
}
