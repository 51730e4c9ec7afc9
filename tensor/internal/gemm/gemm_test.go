package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
)

// operands is one test product: op(A) (m, k), op(B) (k, n) and C (m, n)
// stored with padded leading dimensions.
type operands struct {
	transA, transB, acc bool
	m, n, k             int
	lda, ldb, ldc       int
	a, b, c0            []float32 // c0: C before the call
}

func newOperands(rng *rand.Rand, transA, transB, acc bool, m, n, k, pad int) *operands {
	o := &operands{transA: transA, transB: transB, acc: acc, m: m, n: n, k: k}
	ra, ca := m, k
	if transA {
		ra, ca = k, m
	}
	rb, cb := k, n
	if transB {
		rb, cb = n, k
	}
	o.lda, o.ldb, o.ldc = ca+pad, cb+pad, n+pad
	o.a = randSlice(rng, max(ra*o.lda, 1))
	o.b = randSlice(rng, max(rb*o.ldb, 1))
	o.c0 = randSlice(rng, max(m*o.ldc, 1))
	return o
}

func randSlice(rng *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(rng.Float64()*2 - 1)
	}
	return x
}

func (o *operands) at(i, p, j int) (float64, float64) {
	ia, ib := i*o.lda+p, p*o.ldb+j
	if o.transA {
		ia = p*o.lda + i
	}
	if o.transB {
		ib = j*o.ldb + p
	}
	return float64(o.a[ia]), float64(o.b[ib])
}

// run calls Gemm on a copy of c0 and returns it.
func (o *operands) run() []float32 {
	c := append([]float32(nil), o.c0...)
	Gemm(o.transA, o.transB, o.m, o.n, o.k, o.a, o.lda, o.b, o.ldb, c, o.ldc, o.acc)
	return c
}

// check compares c with a float64 reference. Each element may be off by
// (k+1)·2⁻²⁴ times the sum of the magnitudes it adds up; padding between
// rows must be untouched.
func (o *operands) check(t testing.TB, c []float32) {
	t.Helper()
	o.checkRows(t, c, 0, 1)
}

// checkRows checks rows first, first+step, … of c, as check does.
func (o *operands) checkRows(t testing.TB, c []float32, first, step int) {
	t.Helper()
	bad := 0
	for i := first; i < o.m; i += step {
		for j := range o.ldc {
			got := c[i*o.ldc+j]
			if j >= o.n {
				if got != o.c0[i*o.ldc+j] {
					t.Fatalf("%v: padding C[%d][%d] changed to %v", o, i, j, got)
				}
				continue
			}
			var ref, mag float64
			if o.acc {
				ref = float64(o.c0[i*o.ldc+j])
				mag = math.Abs(ref)
			}
			for p := range o.k {
				av, bv := o.at(i, p, j)
				ref += av * bv
				mag += math.Abs(av * bv)
			}
			tol := float64(o.k+1) * 0x1p-24 * mag
			if d := math.Abs(float64(got) - ref); !(d <= tol) {
				if bad++; bad <= 3 {
					t.Errorf("%v[%d][%d] = %v; want %v (diff %.3g, tol %.3g)", o, i, j, got, ref, d, tol)
				}
			}
		}
	}
	if bad > 3 {
		t.Errorf("%v: %d elements wrong in all", o, bad)
	}
}

func (o *operands) String() string {
	return fmt.Sprintf("Gemm(tA=%v tB=%v m=%d n=%d k=%d lda=%d ldb=%d ldc=%d acc=%v)",
		o.transA, o.transB, o.m, o.n, o.k, o.lda, o.ldb, o.ldc, o.acc)
}

// withKernel runs f once per available kernel, forced with SetKernel.
func withKernel(t *testing.T, f func(t *testing.T)) {
	defer SetKernel(Kernels()[0])
	for _, name := range Kernels() {
		if err := SetKernel(name); err != nil {
			t.Fatal(err)
		}
		t.Run(name, f)
	}
}

var testDims = []int{0, 1, 2, 3, 7, 12, 13, 17, 31, 32, 33, 100, 127, 129}

func TestGemmShapes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	dims := testDims
	if raceEnabled {
		dims = []int{0, 1, 3, 13, 17, 33, 100}
	}
	withKernel(t, func(t *testing.T) {
		for _, m := range dims {
			for _, n := range dims {
				for _, k := range []int{0, 1, 5, 17, 33, 129} {
					for ta := range 2 {
						for tb := range 2 {
							// Every combination once, skipping some big ones.
							if m*n*k > 100*100*33 && (ta+tb)%2 == 1 {
								continue
							}
							acc := (m+n+k+ta)%2 == 0
							o := newOperands(rng, ta == 1, tb == 1, acc, m, n, k, (m+k)%3)
							o.check(t, o.run())
						}
					}
				}
			}
		}
	})
}

// TestGemmNarrowBitwise checks that a product with few columns, computed
// transposed, is bitwise the product computed directly, for every kernel,
// transpose and accumulate, with one and with several passes over k.
func TestGemmNarrowBitwise(t *testing.T) {
	defer func() { transposeNarrow, useDot = true, true }()
	useDot = false // A·Bᵀ with n <= 4 would take dots on both sides
	rng := rand.New(rand.NewPCG(5, 6))
	withKernel(t, func(t *testing.T) {
		for _, s := range [][3]int{{300, 3, 100}, {100, 2, 300}, {129, 1, 17}, {37, 8, 900}} {
			for ta := range 2 {
				for tb := range 2 {
					for _, acc := range []bool{false, true} {
						o := newOperands(rng, ta == 1, tb == 1, acc, s[0], s[1], s[2], 1)
						transposeNarrow = true
						got := o.run()
						transposeNarrow = false
						want := o.run()
						for i := range got {
							if got[i] != want[i] {
								t.Fatalf("%v: C[%d] = %v transposed, %v direct", o, i, got[i], want[i])
							}
						}
						o.check(t, got)
					}
				}
			}
		}
	})
}

// TestGemmDots checks A·Bᵀ with at most four columns, computed as dot
// products, against the float64 reference, with k below, at and past the
// 16-float vectors, odd and even m, padded rows and accumulate; and that
// those products do take the dot path where the CPU has it.
func TestGemmDots(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	withKernel(t, func(t *testing.T) {
		calls := 0
		if ker := active.Load(); ker.dot != nil {
			orig := ker.dot
			defer func() { ker.dot = orig }()
			ker.dot = func(k int, a0, a1, b0, b1, b2, b3, out *float32) {
				calls++
				orig(k, a0, a1, b0, b1, b2, b3, out)
			}
		}
		for _, m := range []int{2, 3, 17, 300} {
			for n := 1; n <= 4 && n < m; n++ {
				for _, k := range []int{1, 5, 15, 16, 17, 33, 100, 1000} {
					for _, acc := range []bool{false, true} {
						o := newOperands(rng, false, true, acc, m, n, k, 3*(k%2))
						calls = 0
						o.check(t, o.run())
						if want := (m + 1) / 2; Kernel() == "avx512" && m*n*k > tinyMNK && calls != want {
							t.Fatalf("%v: %d dot kernel calls; want %d", o, calls, want)
						}
					}
				}
			}
		}
	})
}

// TestGemmLarge covers several k passes, row and column blocks, and the
// training shapes.
func TestGemmLarge(t *testing.T) {
	shapes := [][3]int{{257, 257, 257}, {64, 128, 784}, {784, 128, 64}, {64, 784, 128}, {13, 1100, 800}, {1, 600, 1000}, {600, 1, 200}}
	if testing.Short() || raceEnabled {
		shapes = shapes[1:4]
	}
	rng := rand.New(rand.NewPCG(3, 4))
	withKernel(t, func(t *testing.T) {
		for i, s := range shapes {
			for tt := range 4 {
				o := newOperands(rng, tt&1 == 1, tt&2 == 2, (i+tt)%2 == 0, s[0], s[1], s[2], 5)
				o.check(t, o.run())
			}
		}
	})
}

// TestGemmBlocks shrinks the block sizes so that small products cross
// every blocking loop, including the in-place B reads.
func TestGemmBlocks(t *testing.T) {
	defer func(k, n, m, d, da int) { kcMax, nb, mb, directBMax, directAMaxN = k, n, m, d, da }(kcMax, nb, mb, directBMax, directAMaxN)
	kcMax, nb, mb = 40, 96, 48
	rng := rand.New(rand.NewPCG(5, 6))
	for _, d := range []int{0, 1 << 30} {
		directBMax, directAMaxN = d, d
		withKernel(t, func(t *testing.T) {
			for tt := range 4 {
				o := newOperands(rng, tt&1 == 1, tt&2 == 2, tt == 1, 101, 230, 133, 3)
				o.check(t, o.run())
			}
		})
	}
}

// TestGemmThreadsBitwise checks that the thread count does not change a
// single bit of the result.
func TestGemmThreadsBitwise(t *testing.T) {
	defer SetThreads(0)
	rng := rand.New(rand.NewPCG(7, 8))
	withKernel(t, func(t *testing.T) {
		shapes := [][3]int{{64, 128, 784}, {200, 70, 300}, {30, 500, 100}, {257, 129, 400}}
		if raceEnabled {
			shapes = [][3]int{{64, 128, 400}, {100, 70, 100}, {30, 200, 50}}
		}
		for _, s := range shapes {
			for tt := range 4 {
				o := newOperands(rng, tt&1 == 1, tt&2 == 2, tt == 2, s[0], s[1], s[2], 1)
				SetThreads(1)
				want := o.run()
				o.check(t, want)
				for _, th := range []int{2, 3, 8} {
					SetThreads(th)
					got := o.run()
					for i := range got {
						if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
							t.Fatalf("%v with %d threads: c[%d] = %v; want %v as with 1 thread", o, th, i, got[i], want[i])
						}
					}
				}
			}
		}
	})
}

func TestGemmConcurrent(t *testing.T) {
	defer SetThreads(0)
	SetThreads(2)
	rng := rand.New(rand.NewPCG(9, 10))
	var ops []*operands
	var wants [][]float32
	for i := range 6 {
		o := newOperands(rng, i%2 == 0, i%3 == 0, false, 60+i*17, 150-i*9, 120+i*5, i%2)
		ops = append(ops, o)
		wants = append(wants, o.run())
	}
	var wg sync.WaitGroup
	for g := range 6 {
		wg.Go(func() {
			for r := range 8 {
				o := ops[(g+r)%len(ops)]
				got := o.run()
				for i := range got {
					if got[i] != wants[(g+r)%len(ops)][i] {
						t.Errorf("%v concurrently: c[%d] = %v; want %v", o, i, got[i], wants[(g+r)%len(ops)][i])
						return
					}
				}
			}
		})
	}
	wg.Wait()
}

func TestGemmZeroK(t *testing.T) {
	c := []float32{1, 2, 3, 4, 5, 6}
	Gemm(false, false, 2, 2, 0, nil, 1, nil, 2, c, 3, true)
	if c[0] != 1 || c[4] != 5 {
		t.Errorf("Gemm k=0 accumulate changed C: %v", c)
	}
	Gemm(false, false, 2, 2, 0, nil, 1, nil, 2, c, 3, false)
	if want := []float32{0, 0, 3, 0, 0, 6}; fmt.Sprint(c) != fmt.Sprint(want) {
		t.Errorf("Gemm k=0 = %v; want %v", c, want)
	}
	Gemm(false, false, 0, 5, 3, nil, 3, nil, 5, nil, 5, false) // m = 0: nothing
	Gemm(true, true, 4, 0, 3, nil, 4, nil, 3, nil, 1, false)   // n = 0: nothing
}

func TestGemmPanics(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"short a", func() {
			Gemm(false, false, 2, 2, 2, make([]float32, 3), 2, make([]float32, 4), 2, make([]float32, 4), 2, false)
		}},
		{"short c", func() {
			Gemm(false, false, 2, 2, 2, make([]float32, 4), 2, make([]float32, 4), 2, make([]float32, 3), 2, false)
		}},
		{"small ldb", func() {
			Gemm(false, true, 2, 2, 3, make([]float32, 6), 3, make([]float32, 6), 2, make([]float32, 4), 2, false)
		}},
		{"negative", func() { Gemm(false, false, -1, 2, 2, nil, 2, nil, 2, nil, 2, false) }},
		{"short bias", func() {
			GemmBias(false, false, 2, 3, 1, make([]float32, 2), 1, make([]float32, 3), 3, make([]float32, 6), 3, make([]float32, 2))
		}},
	} {
		func() {
			defer func() {
				if r := recover(); r == nil {
					t.Errorf("%s: Gemm did not panic", tc.name)
				}
			}()
			tc.f()
		}()
	}
}

func TestGemmAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops puts at random under the race detector")
	}
	defer SetThreads(0)
	rng := rand.New(rand.NewPCG(11, 12))
	for _, th := range []int{1, 2} {
		SetThreads(th)
		o := newOperands(rng, false, true, false, 150, 170, 190, 0)
		c := make([]float32, len(o.c0))
		f := func() { Gemm(o.transA, o.transB, o.m, o.n, o.k, o.a, o.lda, o.b, o.ldb, c, o.ldc, false) }
		f()
		if n := testing.AllocsPerRun(20, f); n != 0 {
			t.Errorf("Gemm with %d threads: %v allocations per call; want 0", th, n)
		}
	}
}

func TestThreads(t *testing.T) {
	defer SetThreads(0)
	SetThreads(3)
	if got := Threads(); got != 3 {
		t.Errorf("after SetThreads(3), Threads() = %d; want 3", got)
	}
	SetThreads(-1)
	if got := Threads(); got < 1 {
		t.Errorf("after SetThreads(-1), Threads() = %d; want GOMAXPROCS", got)
	}
	if err := SetKernel("nope"); err == nil {
		t.Errorf("SetKernel(%q) = nil; want an error", "nope")
	}
	t.Logf("kernels %v, default %s", Kernels(), Kernel())
}

func FuzzGemm(f *testing.F) {
	f.Add(uint8(13), uint8(17), uint8(31), uint8(0), uint8(0), uint64(1))
	f.Add(uint8(33), uint8(100), uint8(1), uint8(3), uint8(2), uint64(2))
	f.Add(uint8(127), uint8(129), uint8(64), uint8(5), uint8(1), uint64(3))
	f.Fuzz(func(t *testing.T, m, n, k, flags, pad uint8, seed uint64) {
		rng := rand.New(rand.NewPCG(seed, 99))
		kers := Kernels()
		defer SetKernel(kers[0])
		SetKernel(kers[int(flags>>3)%len(kers)])
		defer SetThreads(0)
		SetThreads(1 + int(flags>>5)%3)
		o := newOperands(rng, flags&1 != 0, flags&2 != 0, flags&4 != 0, int(m), int(n), int(k)%200, int(pad%4))
		o.check(t, o.run())
	})
}

// TestGemmEdges covers every row count of the last row panel and every
// column count of the last column panel, which the AVX-512 kernels compute
// with one generated kernel per row count and a lane mask.
func TestGemmEdges(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	withKernel(t, func(t *testing.T) {
		for m := 1; m <= 25; m++ {
			for _, n := range []int{64, 1, 15, 16, 17, 31, 33, 47, 48, 63} {
				tt := (m + n) % 4
				o := newOperands(rng, tt&1 == 1, tt&2 == 2, m%2 == 0, m, n, 9+m, 1)
				o.check(t, o.run())
			}
		}
	})
}

// TestGemmTri checks GemmTri against Gemm on the same triangular A, bit
// for bit: with every kernel, both layouts of A and B, accumulating or
// not, k in one pass and in several, edge tiles, and several threads.
func TestGemmTri(t *testing.T) {
	defer SetThreads(0)
	rng := rand.New(rand.NewPCG(31, 32))
	withKernel(t, func(t *testing.T) {
		for _, s := range [][3]int{{32, 16, 32}, {32, 32, 32}, {13, 7, 13}, {100, 33, 100}, {1, 5, 1}, {64, 20, 900}, {900, 40, 900}, {40, 64, 20}} {
			m, n, k := s[0], s[1], s[2]
			for _, tri := range []Triangle{Lower, Upper} {
				for tt := range 8 {
					o := newOperands(rng, tt&1 == 1, tt&2 == 2, tt&4 == 4, m, n, k, 1)
					for i := range m {
						for p := range k {
							if (tri == Lower && p > i) || (tri == Upper && p < i) {
								ia := i*o.lda + p
								if o.transA {
									ia = p*o.lda + i
								}
								o.a[ia] = 0
							}
						}
					}
					for _, th := range []int{1, 2} {
						SetThreads(th)
						want := append([]float32(nil), o.c0...)
						Gemm(o.transA, o.transB, m, n, k, o.a, o.lda, o.b, o.ldb, want, o.ldc, o.acc)
						got := append([]float32(nil), o.c0...)
						GemmTri(tri, o.transA, o.transB, m, n, k, o.a, o.lda, o.b, o.ldb, got, o.ldc, o.acc)
						for i := range got {
							if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
								t.Fatalf("%v, triangle %d, %d threads: c[%d] = %v; want %v", o, tri, th, i, got[i], want[i])
							}
						}
					}
				}
			}
		}
	})
}

// TestGemmBias checks GemmBias against Gemm followed by adding the bias to
// each row, bit for bit, on every kernel and path (tiny products, dots,
// narrow transposed products, edge tiles, several k passes, k = 0, two
// threads), and that the padding between C's rows stays untouched.
func TestGemmBias(t *testing.T) {
	defer SetThreads(0)
	rng := rand.New(rand.NewPCG(33, 34))
	withKernel(t, func(t *testing.T) {
		for _, s := range [][3]int{{5, 3, 4}, {300, 2, 100}, {300, 100, 3}, {64, 64, 4}, {2048, 64, 17}, {100, 33, 100}, {40, 900, 70}, {13, 0, 9}, {200, 64, 256}} {
			m, k, n := s[0], s[1], s[2]
			for tt := range 4 {
				o := newOperands(rng, tt&1 == 1, tt&2 == 2, false, m, n, k, 3)
				// NaN after the bias: a lane read past n would spread it.
				bias := append(randSlice(rng, n), float32(math.NaN()), float32(math.NaN()))[:n]
				for _, th := range []int{1, 2} {
					SetThreads(th)
					want := append([]float32(nil), o.c0...)
					Gemm(o.transA, o.transB, m, n, k, o.a, o.lda, o.b, o.ldb, want, o.ldc, false)
					for i := range m {
						for j := range n {
							want[i*o.ldc+j] += bias[j]
						}
					}
					got := append([]float32(nil), o.c0...)
					GemmBias(o.transA, o.transB, m, n, k, o.a, o.lda, o.b, o.ldb, got, o.ldc, bias)
					for i := range got {
						if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
							t.Fatalf("%v + bias, %d threads: c[%d] = %v; want %v", o, th, i, got[i], want[i])
						}
					}
				}
			}
		}
	})
}

// TestGemmEpilogue: the blocks handed to the epilogue cover C once, each
// holding its final product and bias when handed over, and what the
// epilogue writes stays, on every path (tiny, dot products, the transposed
// product, k = 0, several passes and blocks of k, m and n) and thread count.
func TestGemmEpilogue(t *testing.T) {
	defer SetThreads(0)
	rng := rand.New(rand.NewPCG(35, 36))
	withKernel(t, func(t *testing.T) {
		for _, s := range [][3]int{{5, 3, 4}, {300, 2, 100}, {300, 100, 3}, {64, 64, 4}, {2048, 64, 17}, {100, 33, 100}, {40, 900, 70}, {13, 0, 9}, {1600, 7, 600}, {200, 64, 256}} {
			m, k, n := s[0], s[1], s[2]
			for tt := range 16 {
				transA, transB, acc, withBias := tt&1 == 1, tt&2 == 2, tt&4 == 4, tt&8 == 8
				o := newOperands(rng, transA, transB, acc, m, n, k, 3)
				var bias []float32
				if withBias {
					bias = randSlice(rng, n)
				}
				want := append([]float32(nil), o.c0...)
				Gemm(transA, transB, m, n, k, o.a, o.lda, o.b, o.ldb, want, o.ldc, acc)
				for i := range m {
					for j := range bias {
						want[i*o.ldc+j] += bias[j]
					}
				}
				for _, th := range []int{1, 2} {
					SetThreads(th)
					got := append([]float32(nil), o.c0...)
					seen := make([]int32, m*n)
					GemmEpilogue(transA, transB, m, n, k, o.a, o.lda, o.b, o.ldb, got, o.ldc, acc, bias, func(i0, i1, j0, j1 int) {
						for i := i0; i < i1; i++ {
							for j := j0; j < j1; j++ {
								at := i*o.ldc + j
								if math.Float32bits(got[at]) != math.Float32bits(want[at]) {
									t.Errorf("%v bias %v, %d threads: c[%d][%d] = %v in the epilogue; want %v", o, withBias, th, i, j, got[at], want[at])
									return
								}
								seen[i*n+j]++
								got[at] = -got[at]
							}
						}
					})
					for i := range m {
						for j := range n {
							at := i*o.ldc + j
							if seen[i*n+j] != 1 || math.Float32bits(got[at]) != math.Float32bits(-want[at]) {
								t.Fatalf("%v bias %v, %d threads: c[%d][%d] handed to the epilogue %d times, %v after; want once, %v", o, withBias, th, i, j, seen[i*n+j], got[at], -want[at])
							}
						}
					}
					for i, v := range got { // the padding between rows is untouched
						if i%o.ldc >= n && math.Float32bits(v) != math.Float32bits(o.c0[i]) {
							t.Fatalf("%v: padding c[%d] = %v; want %v", o, i, v, o.c0[i])
						}
					}
				}
			}
		}
	})
}

// TestGemmEpiloguePanic: an epilogue that panics on a worker's block comes
// back as a panic of the caller, at any thread count, and the pool works
// afterwards.
func TestGemmEpiloguePanic(t *testing.T) {
	defer SetThreads(0)
	rng := rand.New(rand.NewPCG(37, 38))
	const m, n, k = 600, 64, 64
	a, b := randSlice(rng, m*k), randSlice(rng, k*n)
	for _, th := range []int{1, 2, 4} {
		SetThreads(th)
		c := make([]float32, m*n)
		func() {
			defer func() {
				if r := recover(); r != "epilogue's last block" {
					t.Errorf("%d threads: recovered %v; want the epilogue's panic", th, r)
				}
			}()
			GemmEpilogue(false, false, m, n, k, a, k, b, n, c, n, false, nil, func(i0, i1, j0, j1 int) {
				if i1 == m {
					panic("epilogue's last block")
				}
			})
		}()
		o := newOperands(rng, false, false, false, m, n, k, 0)
		o.checkRows(t, o.run(), 0, 1)
	}
}
