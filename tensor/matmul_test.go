package tensor

import (
	"fmt"
	"math"
	"slices"
	"testing"
)

func TestMatMulHand(t *testing.T) {
	a := FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	b := FromSlice([]float32{7, 8, 9, 10, 11, 12}, 3, 2)
	// [1 2 3]·[7 9 11]ᵀ = 58, [1 2 3]·[8 10 12]ᵀ = 64, and so on.
	want := []float32{58, 64, 139, 154}
	checkTensor(t, "MatMul", MatMul(a, b), []int{2, 2}, want)
	checkTensor(t, "MatMulNaive", MatMulNaive(a, b), []int{2, 2}, want)
	checkTensor(t, "MatMulT(aᵀ stored, b)", MatMulT(Transpose(a), b, true, false), []int{2, 2}, want)
	checkTensor(t, "MatMulT(a, bᵀ stored)", MatMulT(a, Transpose(b), false, true), []int{2, 2}, want)
	checkTensor(t, "MatMulT(both)", MatMulT(Transpose(a), Transpose(b), true, true), []int{2, 2}, want)
	checkTensor(t, "vector·matrix", MatMul(FromSlice([]float32{1, 2, 3}), b), []int{2}, []float32{58, 64})
	checkTensor(t, "matrix·vector", MatMul(a, FromSlice([]float32{1, 0, -1})), []int{2}, []float32{-2, -2})
	checkTensor(t, "vector·vector", MatMul(FromSlice([]float32{1, 2}), FromSlice([]float32{3, 4})), []int{}, []float32{11})
	checkTensor(t, "k=0", MatMul(Zeros(2, 0), Zeros(0, 3)), []int{2, 3}, []float32{0, 0, 0, 0, 0, 0})
	checkTensor(t, "m=0", MatMul(Zeros(0, 4), Zeros(4, 3)), []int{0, 3}, nil)
}

// refMatMul is a float64 reference for one (m, k)·(k, n) product.
func refMatMul(a, b []float32, m, k, n int) []float32 {
	c := make([]float32, m*n)
	for i := range m {
		for j := range n {
			var s float64
			for p := range k {
				s += float64(a[i*k+p]) * float64(b[p*n+j])
			}
			c[i*n+j] = float32(s)
		}
	}
	return c
}

// closeProducts fails t unless got is within a k-scaled rounding bound of want.
func closeProducts(t testing.TB, name string, got, want []float32, k int) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values; want %d", name, len(got), len(want))
	}
	tol := float64(k+1) * 1e-6 * 8
	for i := range got {
		if d := math.Abs(float64(got[i] - want[i])); d > tol*math.Max(1, math.Abs(float64(want[i]))) {
			t.Fatalf("%s[%d] = %v; want %v", name, i, got[i], want[i])
		}
	}
}

func TestMatMulRandom(t *testing.T) {
	rng := newRNG()
	for _, s := range [][3]int{{1, 1, 1}, {1, 7, 1}, {3, 5, 7}, {13, 17, 31}, {64, 64, 64}, {33, 100, 65}, {2, 129, 3}} {
		m, k, n := s[0], s[1], s[2]
		a, b := Randn(rng, m, k), Randn(rng, k, n)
		want := refMatMul(a.Data(), b.Data(), m, k, n)
		name := fmt.Sprintf("(%d,%d)·(%d,%d)", m, k, k, n)
		closeProducts(t, name, MatMul(a, b).Data(), want, k)
		closeProducts(t, name+" naive", MatMulNaive(a, b).Data(), want, k)
		closeProducts(t, name+" Aᵀ", MatMulT(Transpose(a), b, true, false).Data(), want, k)
		closeProducts(t, name+" Bᵀ", MatMulT(a, Transpose(b), false, true).Data(), want, k)
		closeProducts(t, name+" AᵀBᵀ", MatMulT(Transpose(a), Transpose(b), true, true).Data(), want, k)
	}
}

func TestMatMulBatched(t *testing.T) {
	rng := newRNG()
	tests := []struct {
		a, b, out []int
	}{
		{[]int{3, 2, 4}, []int{3, 4, 5}, []int{3, 2, 5}},
		{[]int{3, 2, 4}, []int{4, 5}, []int{3, 2, 5}},
		{[]int{2, 4}, []int{3, 4, 5}, []int{3, 2, 5}},
		{[]int{2, 1, 2, 4}, []int{1, 3, 4, 5}, []int{2, 3, 2, 5}},
		{[]int{0, 2, 4}, []int{4, 5}, []int{0, 2, 5}},
	}
	for _, tt := range tests {
		a, b := Randn(rng, tt.a...), Randn(rng, tt.b...)
		got := MatMul(a, b)
		if !slices.Equal(got.Shape(), tt.out) {
			t.Errorf("MatMul(%v, %v) shape = %v; want %v", tt.a, tt.b, got.Shape(), tt.out)
			continue
		}
		// Each output matrix equals the 2-D product of the broadcast operands.
		ab, bb := BroadcastTo(a, append(slices.Clone(tt.out[:len(tt.out)-2]), tt.a[len(tt.a)-2:]...)...),
			BroadcastTo(b, append(slices.Clone(tt.out[:len(tt.out)-2]), tt.b[len(tt.b)-2:]...)...)
		m, k, n := tt.a[len(tt.a)-2], tt.a[len(tt.a)-1], tt.b[len(tt.b)-1]
		for i := range got.Len() / (m * n) {
			want := refMatMul(ab.Data()[i*m*k:(i+1)*m*k], bb.Data()[i*k*n:(i+1)*k*n], m, k, n)
			closeProducts(t, fmt.Sprintf("MatMul(%v, %v) batch %d", tt.a, tt.b, i), got.Data()[i*m*n:(i+1)*m*n], want, k)
		}
		tb := MatMulT(a, Transpose(b), false, true)
		closeProducts(t, fmt.Sprintf("MatMulT(%v, %vᵀ)", tt.a, tt.b), tb.Data(), got.Data(), k)
		closeProducts(t, fmt.Sprintf("MatMulNaive(%v, %v)", tt.a, tt.b), MatMulNaive(a, b).Data(), got.Data(), k)
	}
}

func TestMatMulTInto(t *testing.T) {
	rng := newRNG()
	for _, s := range [][3]int{{1, 1, 1}, {2, 0, 3}, {3, 5, 7}, {13, 17, 31}, {33, 100, 65}} {
		m, k, n := s[0], s[1], s[2]
		a, b := Randn(rng, k, m), Randn(rng, n, k) // stored transposed
		want := refMatMul(Transpose(a).Data(), Transpose(b).Data(), m, k, n)
		name := fmt.Sprintf("MatMulTInto(%dx%dx%d)", m, k, n)
		dst := Full(float32(math.NaN()), m, n) // overwritten, never read
		if got := MatMulTInto(dst, a, b, true, true, false); got != dst {
			t.Fatalf("%s returned a new tensor; want dst", name)
		}
		closeProducts(t, name, dst.Data(), want, k)
		// Accumulating adds the product to what dst holds.
		start := Randn(rng, m, n)
		dst.CopyFrom(start)
		MatMulTInto(dst, a, b, true, true, true)
		for i := range want {
			want[i] += start.Data()[i]
		}
		closeProducts(t, name+" accumulate", dst.Data(), want, k+1)
	}
	// A batch of products, accumulated, as MatMul + Add would give.
	a, b := Randn(rng, 2, 3, 4), Randn(rng, 4, 5)
	dst := Ones(2, 3, 5)
	MatMulTInto(dst, a, b, false, false, true)
	closeProducts(t, "batched accumulate", dst.Data(), AddScalar(MatMul(a, b), 1).Data(), 5)
	// Two matrices, as in a weight's gradient, allocate nothing.
	x, y, z := Randn(rng, 64, 32), Randn(rng, 64, 16), New(32, 16)
	if n := testing.AllocsPerRun(10, func() { MatMulTInto(z, x, y, true, false, true) }); n != 0 && !raceEnabled {
		t.Errorf("MatMulTInto of matrices allocates %v times; want 0", n)
	}

	wantPanic(t, "shape", func() { MatMulTInto(Zeros(2, 3), Zeros(2, 4), Zeros(4, 2), false, false, false) },
		"tensor: MatMulTInto: destination [2 3] for the product of [2 4] and [4 2]: want [2 2]")
	sq := Zeros(2, 2)
	wantPanic(t, "alias", func() { MatMulTInto(sq, sq, Zeros(2, 2), false, false, true) }, "MatMulTInto", "shares storage")
}

func TestMatMulPanics(t *testing.T) {
	wantPanic(t, "inner", func() { MatMul(Zeros(2, 3), Zeros(4, 5)) },
		"tensor: MatMul: shapes [2 3] and [4 5]: inner dimensions 3 and 4 differ")
	wantPanic(t, "batch", func() { MatMul(Zeros(2, 2, 3), Zeros(3, 3, 4)) }, "MatMul", "[2] and [3] cannot broadcast")
	wantPanic(t, "scalar", func() { MatMul(Scalar(1), Zeros(2, 2)) }, "MatMul: shapes [] and [2 2]: need matrices")
	wantPanic(t, "transposed vector", func() { MatMulT(Zeros(2), Zeros(2, 2), true, false) }, "MatMul", "need matrices")
	wantPanic(t, "naive", func() { MatMulNaive(Zeros(2, 3), Zeros(2, 3)) }, "MatMulNaive", "inner dimensions 3 and 2 differ")
}

// BenchmarkMatMul times the blocked kernel behind MatMul and MatMulT on
// squares and on a layer's three training products, after checking one
// result against the float64 reference.
func BenchmarkMatMul(b *testing.B) {
	for _, s := range []struct {
		name           string
		m, k, n        int
		transA, transB bool
	}{
		{"256", 256, 256, 256, false, false},
		{"1024", 1024, 1024, 1024, false, false},
		{"64x784x128", 64, 784, 128, false, false},
		{"784x64x128/AT", 784, 64, 128, true, false},
		{"64x128x784/BT", 64, 128, 784, false, true},
	} {
		rng := newRNG()
		a, bb := Randn(rng, s.m, s.k), Randn(rng, s.k, s.n)
		want := refMatMul(a.Data(), bb.Data(), s.m, s.k, s.n)
		if s.transA {
			a = Transpose(a)
		}
		if s.transB {
			bb = Transpose(bb)
		}
		b.Run(s.name, func(b *testing.B) {
			closeProducts(b, s.name, MatMulT(a, bb, s.transA, s.transB).Data(), want, s.k)
			for b.Loop() {
				MatMulT(a, bb, s.transA, s.transB)
			}
			b.ReportMetric(2*float64(s.m*s.k*s.n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

func BenchmarkMatMulNaive(b *testing.B) {
	for _, n := range []int{64, 128, 256} {
		rng := newRNG()
		x, y := Randn(rng, n, n), Randn(rng, n, n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			closeProducts(b, "MatMulNaive", MatMulNaive(x, y).Data(), refMatMul(x.Data(), y.Data(), n, n, n), n)
			for b.Loop() {
				MatMulNaive(x, y)
			}
			b.ReportMetric(2*float64(n*n*n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
