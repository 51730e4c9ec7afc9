package tensor

import (
	"fmt"
	"math"
	"testing"
)

func TestReduceAxis(t *testing.T) {
	// x is (2, 3):
	//   [[1 5 3]
	//    [4 2 6]]
	x := FromSlice([]float32{1, 5, 3, 4, 2, 6}, 2, 3)
	tests := []struct {
		name  string
		got   *Tensor
		shape []int
		want  []float32
	}{
		{"Sum(0)", Sum(x, 0, false), []int{3}, []float32{5, 7, 9}},
		{"Sum(1)", Sum(x, 1, false), []int{2}, []float32{9, 12}},
		{"Sum(-1,keep)", Sum(x, -1, true), []int{2, 1}, []float32{9, 12}},
		{"Sum(0,keep)", Sum(x, 0, true), []int{1, 3}, []float32{5, 7, 9}},
		{"Mean(0)", Mean(x, 0, false), []int{3}, []float32{2.5, 3.5, 4.5}},
		{"Mean(1)", Mean(x, 1, false), []int{2}, []float32{3, 4}},
		{"Max(0)", Max(x, 0, false), []int{3}, []float32{4, 5, 6}},
		{"Max(1)", Max(x, 1, true), []int{2, 1}, []float32{5, 6}},
		{"Min(0)", Min(x, 0, false), []int{3}, []float32{1, 2, 3}},
		{"Min(1)", Min(x, 1, false), []int{2}, []float32{1, 2}},
		{"ArgMax(0)", ArgMax(x, 0, false), []int{3}, []float32{1, 0, 1}},
		{"ArgMax(1)", ArgMax(x, 1, false), []int{2}, []float32{1, 2}},
		{"ArgMin(1)", ArgMin(x, 1, true), []int{2, 1}, []float32{0, 1}},
		{"Var(1)", Var(x, 1, false), []int{2}, []float32{8.0 / 3, 8.0 / 3}},
		{"Var(0)", Var(x, 0, false), []int{3}, []float32{2.25, 2.25, 2.25}},
		{"Sum(0) of (0,3)", Sum(Zeros(0, 3), 0, false), []int{3}, []float32{0, 0, 0}},
		{"Sum(1) of (0,3)", Sum(Zeros(0, 3), 1, false), []int{0}, nil},
		{"Max(0) of (1,3)", Max(Reshape(x.Clone(), 3, 1, 2), 1, false), []int{3, 2}, []float32{1, 5, 3, 4, 2, 6}},
		{"Sum of 1-D", Sum(FromSlice([]float32{1, 2, 3}), 0, false), []int{}, []float32{6}},
	}
	for _, tt := range tests {
		checkTensor(t, tt.name, tt.got, tt.shape, tt.want)
	}
	// A 3-D case computed by hand: the middle axis of (2, 2, 2).
	y := Arange(0, 8, 1).reshaped(2, 2, 2)
	checkTensor(t, "Sum(1) of (2,2,2)", Sum(y, 1, false), []int{2, 2}, []float32{2, 4, 10, 12})
	checkTensor(t, "ArgMax(0) ties", ArgMax(Zeros(3, 2), 0, false), []int{2}, []float32{0, 0})
	// The last axis, with a tie (the first wins) and NaN (it wins, first or not).
	nan := float32(math.NaN())
	z := FromSlice([]float32{1, 3, 3, 2, nan, 5, nan, 4, 4}, 3, 3)
	checkTensor(t, "ArgMax(-1) ties and NaN", ArgMax(z, -1, false), []int{3}, []float32{1, 1, 0})
	checkTensor(t, "ArgMin(-1) ties and NaN", ArgMin(z, -1, false), []int{3}, []float32{0, 1, 0})
	if m := Max(z, 1, false).Data(); m[0] != 3 || m[1] == m[1] || m[2] == m[2] {
		t.Errorf("Max(1) = %v; want [3 NaN NaN]", m)
	}
}

func TestReduceAll(t *testing.T) {
	x := FromSlice([]float32{1, 5, 3, 4, 2, 6}, 2, 3)
	tests := []struct {
		name      string
		got, want float32
	}{
		{"SumAll", SumAll(x), 21},
		{"MeanAll", MeanAll(x), 3.5},
		{"MaxAll", MaxAll(x), 6},
		{"MinAll", MinAll(x), 1},
		{"ArgMaxAll", float32(ArgMaxAll(x)), 5},
		{"ArgMinAll", float32(ArgMinAll(x)), 0},
		{"VarAll", VarAll(x), 35.0 / 12},
		{"SumAll empty", SumAll(Zeros(0)), 0},
		{"SumAll scalar", SumAll(Scalar(4)), 4},
	}
	for _, tt := range tests {
		if math.Abs(float64(tt.got-tt.want)) > 1e-6 {
			t.Errorf("%s = %v; want %v", tt.name, tt.got, tt.want)
		}
	}
	if m := MeanAll(Zeros(0)); !math.IsNaN(float64(m)) {
		t.Errorf("MeanAll of an empty tensor = %v; want NaN", m)
	}
	nan := float32(math.NaN())
	withNaN := FromSlice([]float32{1, nan, 3})
	if m := MaxAll(withNaN); !math.IsNaN(float64(m)) {
		t.Errorf("MaxAll([1 NaN 3]) = %v; want NaN", m)
	}
	if i := ArgMaxAll(withNaN); i != 1 {
		t.Errorf("ArgMaxAll([1 NaN 3]) = %d; want 1", i)
	}
}

func TestLongSumAccuracy(t *testing.T) {
	const n = 10_000_000
	x := Full(0.1, n)
	// float32(0.1) is 0.100000001490116..., so the exact sum is n times that.
	want := float64(float32(0.1)) * n
	if got := float64(SumAll(x)); math.Abs(got-1e6)/1e6 > 1e-4 || math.Abs(got-want)/want > 1e-7 {
		t.Errorf("SumAll of 10^7 values of 0.1 = %v; want %v", got, want)
	}
	if got := float64(Sum(x, 0, false).Item()); math.Abs(got-want)/want > 1e-7 {
		t.Errorf("Sum(axis 0) of 10^7 values of 0.1 = %v; want %v", got, want)
	}
	col := Reshape(x, n/2, 2)
	if got := float64(Sum(col, 0, false).Data()[1]); math.Abs(got-want/2)/want > 1e-7 {
		t.Errorf("Sum over the long axis of (%d, 2) = %v; want %v", n/2, got, want/2)
	}
}

func TestSumTo(t *testing.T) {
	x := Arange(0, 24, 1).reshaped(4, 2, 3)
	tests := []struct {
		shape []int
		want  []float32
	}{
		{[]int{4, 2, 3}, x.Data()},
		{[]int{2, 3}, []float32{36, 40, 44, 48, 52, 56}},
		{[]int{3}, []float32{84, 92, 100}},
		{[]int{4, 1, 3}, []float32{3, 5, 7, 15, 17, 19, 27, 29, 31, 39, 41, 43}},
		{[]int{4, 2, 1}, []float32{3, 12, 21, 30, 39, 48, 57, 66}},
		{[]int{1, 2, 1}, []float32{120, 156}},
		{[]int{}, []float32{276}},
		{[]int{1}, []float32{276}},
	}
	for _, tt := range tests {
		checkTensor(t, fmt.Sprintf("SumTo(%v)", tt.shape), SumTo(x, tt.shape...), tt.shape, tt.want)
	}
	// SumTo is the adjoint of broadcasting: <BroadcastTo(b), g> = <b, SumTo(g)>.
	rng := newRNG()
	for _, shape := range [][]int{{2, 3}, {1, 3}, {4, 1, 1}, {}, {2, 1}} {
		b, g := Randn(rng, shape...), Randn(rng, 4, 2, 3)
		lhs := SumAll(Mul(BroadcastTo(b, 4, 2, 3), g))
		rhs := SumAll(Mul(b, SumTo(g, shape...)))
		if math.Abs(float64(lhs-rhs)) > 1e-4*math.Max(1, math.Abs(float64(lhs))) {
			t.Errorf("<BroadcastTo(b), g> = %v but <b, SumTo(g, %v)> = %v", lhs, shape, rhs)
		}
	}
	// Sums over leading dimensions only take the column-sum kernel: rows
	// in odd number, strips of 32 columns and a partial one.
	g := Randn(rng, 5, 7, 33)
	for _, shape := range [][]int{{7, 33}, {1, 7, 33}, {1, 1, 33}, {33}} {
		got := SumTo(g, shape...).Data()
		for j := range got {
			var want float64
			for i := range 5 * 7 * 33 / len(got) {
				want += float64(g.Data()[i*len(got)+j])
			}
			if math.Abs(float64(got[j])-want) > 1e-6*math.Abs(want)+1e-6 {
				t.Fatalf("SumTo(g, %v)[%d] = %v; want %v", shape, j, got[j], want)
			}
		}
	}
	checkTensor(t, "SumTo of empty", SumTo(Zeros(0, 3), 3), []int{3}, []float32{0, 0, 0})
	wantPanic(t, "SumTo", func() { SumTo(x, 2, 2) }, "SumTo", "[2 2]", "[4 2 3]")
}

func TestReducePanics(t *testing.T) {
	x := Zeros(2, 3)
	wantPanic(t, "Sum axis", func() { Sum(x, 2, false) }, "axis 2 out of range in Sum for shape [2 3]")
	wantPanic(t, "Mean axis", func() { Mean(x, -3, false) }, "axis -3 out of range in Mean")
	wantPanic(t, "Max empty", func() { Max(Zeros(0, 3), 0, false) }, "Max", "zero size", "[0 3]")
	wantPanic(t, "MaxAll empty", func() { MaxAll(Zeros(0, 2)) }, "tensor: MaxAll of an empty tensor of shape [0 2]")
	wantPanic(t, "ArgMinAll empty", func() { ArgMinAll(Zeros(0)) }, "tensor: ArgMinAll of an empty tensor of shape [0]")
	if v := VarAll(Zeros(0)); !math.IsNaN(float64(v)) {
		t.Errorf("VarAll of an empty tensor = %v; want NaN", v)
	}
	wantPanic(t, "Sum of scalar", func() { Sum(Scalar(1), 0, false) }, "axis 0 out of range in Sum for shape []")
}

func BenchmarkSum(b *testing.B) {
	x := Randn(newRNG(), 1024, 1024)
	for _, ax := range []int{0, 1} {
		b.Run(fmt.Sprintf("axis%d/1024x1024", ax), func(b *testing.B) {
			b.SetBytes(4 * 1024 * 1024)
			for b.Loop() {
				Sum(x, ax, false)
			}
		})
	}
	// A bias gradient: cmd/train's spiral MLP sums a (300, 100) gradient
	// over its rows.
	g := Randn(newRNG(), 300, 100)
	b.Run("axis0/300x100", func(b *testing.B) {
		b.SetBytes(4 * 300 * 100)
		for b.Loop() {
			Sum(g, 0, false)
		}
	})
	b.Run("all/1024x1024", func(b *testing.B) {
		b.SetBytes(4 * 1024 * 1024)
		for b.Loop() {
			SumAll(x)
		}
	})
}
