package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// panics runs f and reports whether it panicked, with the panic's message.
func panics(f func()) (ok bool, msg string) {
	defer func() {
		if r := recover(); r != nil {
			ok, msg = true, fmt.Sprint(r)
		}
	}()
	f()
	return false, ""
}

// wantPanic fails t unless f panics with a message containing every part.
func wantPanic(t *testing.T, name string, f func(), parts ...string) {
	t.Helper()
	ok, msg := panics(f)
	if !ok {
		t.Errorf("%s did not panic", name)
		return
	}
	for _, p := range parts {
		if !strings.Contains(msg, p) {
			t.Errorf("%s panicked with %q; want it to contain %q", name, msg, p)
		}
	}
}

// approx compares float32 slices to a relative tolerance.
var approx = cmpopts.EquateApprox(1e-6, 1e-6)

// checkTensor fails t unless got has the wanted shape and values (to approx).
func checkTensor(t *testing.T, name string, got *Tensor, shape []int, data []float32) {
	t.Helper()
	if !slices.Equal(got.Shape(), shape) {
		t.Errorf("%s shape = %v; want %v", name, got.Shape(), shape)
		return
	}
	if diff := cmp.Diff(data, got.Data(), approx, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("%s values (-want +got):\n%s", name, diff)
	}
}

func newRNG() *rand.Rand { return rand.New(rand.NewPCG(1, 2)) }

func TestConstructors(t *testing.T) {
	tests := []struct {
		name  string
		got   *Tensor
		shape []int
		data  []float32
	}{
		{"Zeros(2,3)", Zeros(2, 3), []int{2, 3}, []float32{0, 0, 0, 0, 0, 0}},
		{"Zeros()", Zeros(), []int{}, []float32{0}},
		{"Zeros(0,3)", Zeros(0, 3), []int{0, 3}, nil},
		{"Ones(3)", Ones(3), []int{3}, []float32{1, 1, 1}},
		{"Full(2.5,1,2)", Full(2.5, 1, 2), []int{1, 2}, []float32{2.5, 2.5}},
		{"Scalar(7)", Scalar(7), []int{}, []float32{7}},
		{"FromSlice", FromSlice([]float32{1, 2, 3, 4, 5, 6}, 3, 2), []int{3, 2}, []float32{1, 2, 3, 4, 5, 6}},
		{"FromSlice 1-D", FromSlice([]float32{1, 2}), []int{2}, []float32{1, 2}},
		{"Arange(0,5,1)", Arange(0, 5, 1), []int{5}, []float32{0, 1, 2, 3, 4}},
		{"Arange(1,2,0.25)", Arange(1, 2, 0.25), []int{4}, []float32{1, 1.25, 1.5, 1.75}},
		{"Arange(3,0,-1)", Arange(3, 0, -1), []int{3}, []float32{3, 2, 1}},
		{"Arange(3,0,1)", Arange(3, 0, 1), []int{0}, nil},
		{"Linspace(0,1,5)", Linspace(0, 1, 5), []int{5}, []float32{0, 0.25, 0.5, 0.75, 1}},
		{"Linspace(2,3,1)", Linspace(2, 3, 1), []int{1}, []float32{2}},
		{"Linspace(2,3,0)", Linspace(2, 3, 0), []int{0}, nil},
		{"Eye(3)", Eye(3), []int{3, 3}, []float32{1, 0, 0, 0, 1, 0, 0, 0, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkTensor(t, tt.name, tt.got, tt.shape, tt.data) })
	}
}

// Fill(-0) must write -0, not the +0 that clear writes: -0 == 0 compares true.
func TestFillNegativeZero(t *testing.T) {
	x := Ones(3, 5)
	x.Fill(float32(math.Copysign(0, -1)))
	for i, v := range x.Data() {
		if v != 0 || !math.Signbit(float64(v)) {
			t.Fatalf("after Fill(-0), element %d = %v (sign bit %v), want -0", i, v, math.Signbit(float64(v)))
		}
	}
	x.Fill(0)
	for i, v := range x.Data() {
		if v != 0 || math.Signbit(float64(v)) {
			t.Fatalf("after Fill(0), element %d = %v (sign bit %v), want +0", i, v, math.Signbit(float64(v)))
		}
	}
}

func TestConstructorPanics(t *testing.T) {
	wantPanic(t, "FromSlice", func() { FromSlice([]float32{1, 2, 3}, 2, 2) }, "FromSlice", "[2 2]", "needs 4", "got 3")
	wantPanic(t, "Zeros(-1)", func() { Zeros(2, -1) }, "negative dimension", "Zeros", "[2 -1]")
	wantPanic(t, "Arange step 0", func() { Arange(0, 1, 0) }, "Arange", "step 0")
	wantPanic(t, "Arange huge", func() { Arange(0, 1e20, 1) }, "Arange(0, 1e+20, 1): not a finite range")
	wantPanic(t, "Arange Inf", func() { Arange(0, float32(math.Inf(1)), 1) }, "not a finite range")
	wantPanic(t, "Uniform", func() { Uniform(newRNG(), 1, 0, 2) }, "Uniform: range [1, 0)")
}

func TestRandom(t *testing.T) {
	a, b := Randn(newRNG(), 1000), Randn(newRNG(), 1000)
	if !Equal(a, b) {
		t.Fatal("Randn with equal seeds differs")
	}
	if m, v := MeanAll(a), VarAll(a); math.Abs(float64(m)) > 0.1 || math.Abs(float64(v)-1) > 0.15 {
		t.Errorf("Randn(1000): mean %v, variance %v; want about 0 and 1", m, v)
	}
	u := Uniform(newRNG(), -2, 3, 10, 100)
	if lo, hi := MinAll(u), MaxAll(u); lo < -2 || hi >= 3 || lo > -1.8 || hi < 2.8 {
		t.Errorf("Uniform(-2, 3) spans [%v, %v]; want inside [-2, 3) and near its ends", lo, hi)
	}
	r := Rand(newRNG(), 500)
	if lo, hi := MinAll(r), MaxAll(r); lo < 0 || hi >= 1 {
		t.Errorf("Rand spans [%v, %v]; want inside [0, 1)", lo, hi)
	}
	n := Normal(newRNG(), 5, 0.5, 2000)
	if m := MeanAll(n); math.Abs(float64(m)-5) > 0.05 {
		t.Errorf("Normal(5, 0.5) mean = %v; want about 5", m)
	}
}

func TestAccessors(t *testing.T) {
	x := FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	if got := x.At(1, 2); got != 6 {
		t.Errorf("At(1, 2) = %v; want 6", got)
	}
	x.Set(9, 0, 1)
	if got := x.Data()[1]; got != 9 {
		t.Errorf("after Set(9, 0, 1), Data()[1] = %v; want 9", got)
	}
	if x.Dim(0) != 2 || x.Dim(-1) != 3 || x.Len() != 6 || x.Rank() != 2 {
		t.Errorf("Dim(0), Dim(-1), Len, Rank = %d, %d, %d, %d; want 2, 3, 6, 2", x.Dim(0), x.Dim(-1), x.Len(), x.Rank())
	}
	s := x.Shape()
	s[0] = 100
	if x.Dim(0) != 2 {
		t.Error("changing the slice Shape returned changed the tensor")
	}
	if got := Scalar(3).Item(); got != 3 {
		t.Errorf("Scalar(3).Item() = %v; want 3", got)
	}
	wantPanic(t, "At", func() { x.At(2, 0) }, "At", "[2 0]", "out of range", "[2 3]")
	wantPanic(t, "At rank", func() { x.At(1) }, "At", "[1]", "[2 3]")
	wantPanic(t, "Set", func() { x.Set(1, 0, -1) }, "Set", "out of range")
	wantPanic(t, "Dim", func() { x.Dim(2) }, "axis 2 out of range in Dim")
	wantPanic(t, "Item", func() { x.Item() }, "Item", "[2 3]")
}

func TestStorageSharing(t *testing.T) {
	data := []float32{1, 2, 3, 4, 5, 6}
	x := FromSlice(data, 2, 3)
	data[0] = 10
	if x.At(0, 0) != 10 {
		t.Error("FromSlice copied its slice; want it shared")
	}
	shared := map[string]*Tensor{
		"Reshape":  Reshape(x, 3, 2),
		"Reshape1": Reshape(x, -1),
		"Slice":    x.Slice(1, 2),
		"Index":    x.Index(1),
	}
	copied := map[string]*Tensor{
		"Clone":       x.Clone(),
		"Transpose":   Transpose(x),
		"Permute":     Permute(x, 1, 0),
		"Squeeze":     Squeeze(Reshape(x, 1, 6)),
		"Unsqueeze":   Unsqueeze(x, 0),
		"Add":         Add(x, Scalar(0)),
		"BroadcastTo": BroadcastTo(x, 2, 3),
	}
	x.Data()[5] = -1
	for name, v := range shared {
		if v.Data()[v.Len()-1] != -1 {
			t.Errorf("%s does not share storage; want shared", name)
		}
	}
	for name, v := range copied {
		if slices.Contains(v.Data(), -1) {
			t.Errorf("%s shares storage; want a copy", name)
		}
	}
	checkTensor(t, "Index(1)", x.Index(1), []int{3}, []float32{4, 5, -1})
	checkTensor(t, "Slice(0,0)", x.Slice(0, 0), []int{0, 3}, nil)
	wantPanic(t, "Slice", func() { x.Slice(1, 3) }, "Slice(1, 3)", "[2 3]")
	wantPanic(t, "Index", func() { Scalar(1).Index(0) }, "Index(0)", "[]")
}

func TestEqualAllClose(t *testing.T) {
	a := FromSlice([]float32{1, 2, 3})
	nan := float32(math.NaN())
	inf := float32(math.Inf(1))
	tests := []struct {
		name       string
		a, b       *Tensor
		equal, all bool
	}{
		{"same", a, FromSlice([]float32{1, 2, 3}), true, true},
		{"shape", a, FromSlice([]float32{1, 2, 3}, 1, 3), false, false},
		{"close", a, FromSlice([]float32{1, 2, 3.00001}), false, true},
		{"far", a, FromSlice([]float32{1, 2, 3.1}), false, false},
		{"nan", FromSlice([]float32{nan}), FromSlice([]float32{nan}), false, false},
		{"inf", FromSlice([]float32{inf}), FromSlice([]float32{inf}), true, true},
		{"inf vs big", FromSlice([]float32{inf}), FromSlice([]float32{3e38}), false, false},
	}
	for _, tt := range tests {
		if got := Equal(tt.a, tt.b); got != tt.equal {
			t.Errorf("%s: Equal = %v; want %v", tt.name, got, tt.equal)
		}
		if got := AllClose(tt.a, tt.b, 1e-5, 1e-8); got != tt.all {
			t.Errorf("%s: AllClose = %v; want %v", tt.name, got, tt.all)
		}
	}
}

func TestOverlaps(t *testing.T) {
	a := Arange(0, 12, 1)
	b := Reshape(a, 3, 4)
	for _, c := range []struct {
		name string
		x, y *Tensor
		want bool
	}{
		{"a view and its source", a, b, true},
		{"a slice and its source", a.Slice(2, 4), a, true},
		{"two disjoint slices", a.Slice(0, 2), a.Slice(2, 4), false},
		{"a clone", a, a.Clone(), false},
		{"an empty tensor", New(0), a, false},
	} {
		if got := Overlaps(c.x, c.y); got != c.want {
			t.Errorf("Overlaps(%s) = %v; want %v", c.name, got, c.want)
		}
	}
}
