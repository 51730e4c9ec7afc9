package tensor

import (
	"fmt"
	"math"
	"testing"
)

func TestBroadcastAdd(t *testing.T) {
	// Results computed by hand.
	tests := []struct {
		name  string
		a, b  *Tensor
		shape []int
		want  []float32
	}{
		{"same shape", FromSlice([]float32{1, 2, 3, 4}, 2, 2), FromSlice([]float32{10, 20, 30, 40}, 2, 2),
			[]int{2, 2}, []float32{11, 22, 33, 44}},
		{"scalar right", FromSlice([]float32{1, 2, 3}, 3), Scalar(10), []int{3}, []float32{11, 12, 13}},
		{"scalar left", Scalar(10), FromSlice([]float32{1, 2}, 2, 1), []int{2, 1}, []float32{11, 12}},
		{"scalars", Scalar(1), Scalar(2), []int{}, []float32{3}},
		{"row", FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 3), FromSlice([]float32{10, 20, 30}, 3),
			[]int{2, 3}, []float32{11, 22, 33, 14, 25, 36}},
		{"column", FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 3), FromSlice([]float32{10, 20}, 2, 1),
			[]int{2, 3}, []float32{11, 12, 13, 24, 25, 26}},
		{"outer", FromSlice([]float32{1, 2}, 2, 1), FromSlice([]float32{10, 20, 30}, 1, 3),
			[]int{2, 3}, []float32{11, 21, 31, 12, 22, 32}},
		{"(4,1,3)+(2,3)", Arange(0, 12, 1).reshaped(4, 1, 3), FromSlice([]float32{100, 200, 300, 400, 500, 600}, 2, 3),
			[]int{4, 2, 3}, []float32{
				100, 201, 302, 400, 501, 602,
				103, 204, 305, 403, 504, 605,
				106, 207, 308, 406, 507, 608,
				109, 210, 311, 409, 510, 611}},
		{"(2,1,2)+(1,3,1)", FromSlice([]float32{1, 2, 3, 4}, 2, 1, 2), FromSlice([]float32{10, 20, 30}, 1, 3, 1),
			[]int{2, 3, 2}, []float32{11, 12, 21, 22, 31, 32, 13, 14, 23, 24, 33, 34}},
		{"size-0", Zeros(0, 3), FromSlice([]float32{1, 2, 3}), []int{0, 3}, nil},
		{"size-0 with 1", Zeros(2, 0), Zeros(2, 1), []int{2, 0}, nil},
		{"size-1 both", FromSlice([]float32{5}, 1, 1), FromSlice([]float32{1, 2}, 2), []int{1, 2}, []float32{6, 7}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkTensor(t, "Add", Add(tt.a, tt.b), tt.shape, tt.want)
			// Addition commutes, so the swapped call checks the other operand order.
			checkTensor(t, "Add swapped", Add(tt.b, tt.a), tt.shape, tt.want)
		})
	}
}

// reshaped is Reshape as a method, for compact tables.
func (t *Tensor) reshaped(shape ...int) *Tensor { return Reshape(t, shape...) }

func TestBinaryOps(t *testing.T) {
	a := FromSlice([]float32{1, -2, 3, 4, 0, 6}, 2, 3)
	b := FromSlice([]float32{2, 4, -1}, 3)
	nan := float32(math.NaN())
	tests := []struct {
		name string
		got  *Tensor
		want []float32
	}{
		{"Sub", Sub(a, b), []float32{-1, -6, 4, 2, -4, 7}},
		{"Mul", Mul(a, b), []float32{2, -8, -3, 8, 0, -6}},
		{"Div", Div(a, b), []float32{0.5, -0.5, -3, 2, 0, -6}},
		{"Pow", Pow(a, FromSlice([]float32{2}, 1)), []float32{1, 4, 9, 16, 0, 36}},
		{"Maximum", Maximum(a, b), []float32{2, 4, 3, 4, 4, 6}},
		{"Minimum", Minimum(a, b), []float32{1, -2, -1, 2, 0, -1}},
		{"Gt", Gt(a, b), []float32{0, 0, 1, 1, 0, 1}},
		{"Ge", Ge(a, FromSlice([]float32{1, -2, 4}, 3)), []float32{1, 1, 0, 1, 1, 1}},
		{"Lt", Lt(a, b), []float32{1, 1, 0, 0, 1, 0}},
		{"Le", Le(a, FromSlice([]float32{1, -2, 4}, 3)), []float32{1, 1, 1, 0, 0, 0}},
		{"Eq", Eq(a, FromSlice([]float32{1, 0, 6}, 3)), []float32{1, 0, 0, 0, 1, 1}},
		{"Ne", Ne(a, FromSlice([]float32{1, 0, 6}, 3)), []float32{0, 1, 1, 1, 0, 0}},
		{"AddScalar", AddScalar(a, 1), []float32{2, -1, 4, 5, 1, 7}},
		{"SubScalar", SubScalar(a, 1), []float32{0, -3, 2, 3, -1, 5}},
		{"MulScalar", MulScalar(a, -2), []float32{-2, 4, -6, -8, 0, -12}},
		{"DivScalar", DivScalar(a, 2), []float32{0.5, -1, 1.5, 2, 0, 3}},
		{"PowScalar 2", PowScalar(a, 2), []float32{1, 4, 9, 16, 0, 36}},
		{"PowScalar 3", PowScalar(a, 3), []float32{1, -8, 27, 64, 0, 216}},
		{"GtScalar", GtScalar(a, 2), []float32{0, 0, 1, 1, 0, 1}},
		{"LtScalar", LtScalar(a, 2), []float32{1, 1, 0, 0, 1, 0}},
		{"Where", Where(Gt(a, b), a, Scalar(-9)), []float32{-9, -9, 3, 4, -9, 6}},
		{"Where broadcast cond", Where(FromSlice([]float32{1, 0}, 2, 1), a, b), []float32{1, -2, 3, 2, 4, -1}},
	}
	for _, tt := range tests {
		checkTensor(t, tt.name, tt.got, []int{2, 3}, tt.want)
	}
	nanTests := []struct {
		name string
		got  float32
	}{
		{"Maximum(NaN, 1)", Maximum(Scalar(nan), Scalar(1)).Item()},
		{"Minimum(1, NaN)", Minimum(Scalar(1), Scalar(nan)).Item()},
		{"ReLU(NaN)", ReLU(Scalar(nan)).Item()},
		{"Clip(NaN)", Clip(Scalar(nan), 0, 1).Item()},
	}
	for _, tt := range nanTests {
		if !math.IsNaN(float64(tt.got)) {
			t.Errorf("%s = %v; want NaN", tt.name, tt.got)
		}
	}
	if got := Ne(Scalar(nan), Scalar(nan)).Item(); got != 1 {
		t.Errorf("Ne(NaN, NaN) = %v; want 1", got)
	}
}

func TestUnaryOps(t *testing.T) {
	x := FromSlice([]float32{-2, -0.5, 0, 0.5, 3})
	f64 := func(f func(float64) float64) []float32 {
		out := make([]float32, x.Len())
		for i, v := range x.Data() {
			out[i] = float32(f(float64(v)))
		}
		return out
	}
	tests := []struct {
		name string
		got  *Tensor
		want []float32
	}{
		{"Neg", Neg(x), []float32{2, 0.5, 0, -0.5, -3}},
		{"Abs", Abs(x), []float32{2, 0.5, 0, 0.5, 3}},
		{"Exp", Exp(x), f64(math.Exp)},
		{"Tanh", Tanh(x), f64(math.Tanh)},
		{"Sigmoid", Sigmoid(x), f64(func(v float64) float64 { return 1 / (1 + math.Exp(-v)) })},
		{"ReLU", ReLU(x), []float32{0, 0, 0, 0.5, 3}},
		{"Clip", Clip(x, -1, 1), []float32{-1, -0.5, 0, 0.5, 1}},
		{"Apply", Apply(x, func(v float32) float32 { return 2 * v }), []float32{-4, -1, 0, 1, 6}},
		{"Log", Log(Abs(x)), f64(func(v float64) float64 { return math.Log(math.Abs(v)) })},
		{"Sqrt", Sqrt(Abs(x)), f64(func(v float64) float64 { return math.Sqrt(math.Abs(v)) })},
		{"PowScalar 0.5", PowScalar(Abs(x), 0.5), f64(func(v float64) float64 { return math.Sqrt(math.Abs(v)) })},
	}
	for _, tt := range tests {
		checkTensor(t, tt.name, tt.got, []int{5}, tt.want)
	}
	if got := Sigmoid(FromSlice([]float32{-1000, 1000})).Data(); got[0] != 0 || got[1] != 1 {
		t.Errorf("Sigmoid([-1000 1000]) = %v; want [0 1]", got)
	}
	if got := Abs(Scalar(float32(math.Copysign(0, -1)))).Item(); math.Signbit(float64(got)) {
		t.Errorf("Abs(-0) = %v; want +0", got)
	}
}

func TestInPlace(t *testing.T) {
	x := FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	x.AddInPlace(FromSlice([]float32{10, 20, 30}, 3))
	checkTensor(t, "AddInPlace row", x, []int{2, 3}, []float32{11, 22, 33, 14, 25, 36})
	x.SubInPlace(FromSlice([]float32{1, 2}, 2, 1))
	checkTensor(t, "SubInPlace column", x, []int{2, 3}, []float32{10, 21, 32, 12, 23, 34})
	x.MulInPlace(Scalar(2))
	checkTensor(t, "MulInPlace scalar", x, []int{2, 3}, []float32{20, 42, 64, 24, 46, 68})
	x.DivInPlace(Full(2, 2, 3))
	checkTensor(t, "DivInPlace", x, []int{2, 3}, []float32{10, 21, 32, 12, 23, 34})
	x.ScaleInPlace(0.5)
	checkTensor(t, "ScaleInPlace", x, []int{2, 3}, []float32{5, 10.5, 16, 6, 11.5, 17})
	x.AddScaledInPlace(-1, Ones(2, 3))
	checkTensor(t, "AddScaledInPlace", x, []int{2, 3}, []float32{4, 9.5, 15, 5, 10.5, 16})
	x.Fill(3)
	checkTensor(t, "Fill", x, []int{2, 3}, []float32{3, 3, 3, 3, 3, 3})
	wantPanic(t, "AddInPlace grows", func() { FromSlice([]float32{1, 2, 3}).AddInPlace(Zeros(2, 3)) },
		"shape mismatch in AddInPlace", "[2 3] cannot broadcast to [3]")
	wantPanic(t, "AddScaledInPlace", func() { x.AddScaledInPlace(1, Zeros(3)) }, "AddScaledInPlace", "[2 3]", "[3]")
}

func TestInPlaceFromOwnStorage(t *testing.T) {
	// Row 0 of x is a view of x; adding it to every row must use its values
	// from before the call, as NumPy does.
	x := FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	x.AddInPlace(x.Index(0))
	checkTensor(t, "x += x[0]", x, []int{2, 3}, []float32{2, 4, 6, 5, 7, 9})
	y := FromSlice([]float32{1, 2, 3, 4}, 4)
	y.MulInPlace(y.Slice(1, 2))
	checkTensor(t, "y *= y[1:2]", y, []int{4}, []float32{2, 4, 6, 8})
	z := FromSlice([]float32{1, 2}, 2)
	z.SubInPlace(z)
	checkTensor(t, "z -= z", z, []int{2}, []float32{0, 0})
	table := FromSlice([]float32{1, 2, 3, 4}, 2, 2)
	table.ScatterAddInPlace([]int{1}, table.Slice(0, 1))
	checkTensor(t, "ScatterAdd from own row", table, []int{2, 2}, []float32{1, 2, 4, 6})
}

func TestBroadcastPanics(t *testing.T) {
	wantPanic(t, "Add", func() { Add(Zeros(2, 3), Zeros(4)) }, "tensor: shape mismatch in Add: [2 3] and [4] cannot broadcast")
	wantPanic(t, "Mul", func() { Mul(Zeros(2, 3, 4), Zeros(3, 1, 4)) }, "Mul", "[2 3 4] and [3 1 4]")
	wantPanic(t, "Where", func() { Where(Zeros(2), Zeros(3), Zeros(1)) }, "Where", "[2] and [3]")
	wantPanic(t, "Clip", func() { Clip(Zeros(2), 1, 0) }, "Clip", "lo 1 > hi 0")
	wantPanic(t, "Clip NaN", func() { Clip(Zeros(2), float32(math.NaN()), 0) }, "Clip", "lo NaN")
}

func BenchmarkAdd(b *testing.B) {
	const n = 1 << 20
	rng := newRNG()
	x, y := Randn(rng, 1024, 1024), Randn(rng, 1024, 1024)
	row := Randn(rng, 1024)
	b.Run("contiguous/1M", func(b *testing.B) {
		b.SetBytes(3 * 4 * n)
		for b.Loop() {
			Add(x, y)
		}
	})
	b.Run("loop/1M", func(b *testing.B) {
		// The plain loop that Add is held against: allocate, then add.
		xs, ys := x.Data()[:n], y.Data()[:n]
		b.SetBytes(3 * 4 * n)
		for b.Loop() {
			out := make([]float32, n)
			for i := range out {
				out[i] = xs[i] + ys[i]
			}
		}
	})
	b.Run("broadcast-row/1M", func(b *testing.B) {
		b.SetBytes(2 * 4 * n)
		for b.Loop() {
			Add(x, row)
		}
	})
	b.Run("broadcast-column/1M", func(b *testing.B) {
		col := Reshape(row, 1024, 1)
		b.SetBytes(2 * 4 * n)
		for b.Loop() {
			Add(x, col)
		}
	})
}

func TestAddAllocs(t *testing.T) {
	x, y := Ones(256, 256), Ones(256, 256)
	if n := testing.AllocsPerRun(10, func() { Add(x, y) }); n > 3 {
		t.Errorf("Add of two (256, 256) tensors made %v allocations; want at most 3 (tensor, shape, data)", n)
	}
}

// TestBroadcastRowBits checks that the four arithmetic operations give the
// scalar loop's results bit for bit when a row broadcast runs vec's kernels
// (both operands advance by one along a row of vecRowMin or more), for row
// lengths that are not a multiple of the vector and around vecRowMin, in
// place too, with NaN, infinities, zeros
// and subnormals among the operands.
func TestBroadcastRowBits(t *testing.T) {
	rng := newRNG()
	special := []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 1e-40, -3e38}
	sprinkle := func(x *Tensor) *Tensor {
		for i := range x.Data() {
			if rng.IntN(6) == 0 {
				x.Data()[i] = special[rng.IntN(len(special))]
			}
		}
		return x
	}
	ops := []struct {
		name    string
		f       func(a, b *Tensor) *Tensor
		inPlace func(t, src *Tensor)
		scalar  func(x, y float32) float32
	}{
		{"Add", Add, (*Tensor).AddInPlace, add},
		{"Sub", Sub, (*Tensor).SubInPlace, sub},
		{"Mul", Mul, (*Tensor).MulInPlace, mul},
		{"Div", Div, (*Tensor).DivInPlace, div},
	}
	same := func(name string, got, want []float32) {
		t.Helper()
		for i := range want {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) && !(got[i] != got[i] && want[i] != want[i]) {
				t.Errorf("%s: [%d] = %v; want %v", name, i, got[i], want[i])
				return
			}
		}
	}
	// (rows, n) op (n): each of the rows meets the whole of b.
	for _, shape := range [][2]int{{7, 37}, {3, 74}, {5, 1}, {6, 8}, {3, vecRowMin - 1}, {3, vecRowMin}, {2, 16}, {4, 15}} {
		rows, n := shape[0], shape[1]
		a, b := sprinkle(Randn(rng, rows, n)), sprinkle(Randn(rng, n))
		for _, op := range ops {
			// The scalar path: one zipRow per row of the result.
			want := make([]float32, rows*n)
			wantSwapped := make([]float32, rows*n)
			for r := range rows {
				zipRow(want[r*n:(r+1)*n], a.Data()[r*n:], b.Data(), 1, 1, op.scalar)
				zipRow(wantSwapped[r*n:(r+1)*n], b.Data(), a.Data()[r*n:], 1, 1, op.scalar)
			}
			name := fmt.Sprintf("%s(%v, %v)", op.name, a.Shape(), b.Shape())
			same(name, op.f(a, b).Data(), want)
			same(name+" swapped", op.f(b, a).Data(), wantSwapped)
			x := a.Clone()
			op.inPlace(x, b)
			same(name+" in place", x.Data(), want)
		}
	}
	// (3, 1, 37) op (2, 37): rows of 37 with b's rows taken in turn.
	a, b := sprinkle(Randn(rng, 3, 1, 37)), sprinkle(Randn(rng, 2, 37))
	got := Sub(a, b)
	want := make([]float32, 3*2*37)
	for i := range 3 {
		for j := range 2 {
			zipRow(want[(i*2+j)*37:(i*2+j+1)*37], a.Data()[i*37:], b.Data()[j*37:], 1, 1, sub)
		}
	}
	same("Sub((3, 1, 37), (2, 37))", got.Data(), want)
}
