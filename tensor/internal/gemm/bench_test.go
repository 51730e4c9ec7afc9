package gemm

import (
	"math/rand/v2"
	"testing"
)

// benchShapes are (m, k, n) products: squares; the forward, weight
// gradient (AᵀB) and input gradient (ABᵀ) products of a 784→128 layer on a
// batch of 64; and the five products of a training step of the MLP
// 2→100→3 on 300 points (cmd/train's default run), where one of m, n, k is
// tiny; the forward products of the small GPT's QKV projection and first
// MLP layer on 64 sequences of 32 tokens; and the products of one attention
// head of that GPT (T = 32, head size 16), where the per-call cost shows.
var benchShapes = []struct {
	name           string
	m, k, n        int
	transA, transB bool
}{
	{"64", 64, 64, 64, false, false},
	{"128", 128, 128, 128, false, false},
	{"256", 256, 256, 256, false, false},
	{"512", 512, 512, 512, false, false},
	{"1024", 1024, 1024, 1024, false, false},
	{"64x784x128", 64, 784, 128, false, false},
	{"784x64x128", 784, 64, 128, false, false},
	{"64x128x784", 64, 128, 784, false, false},
	{"784x64x128_AtB", 784, 64, 128, true, false},
	{"64x128x784_ABt", 64, 128, 784, false, true},
	{"256x512x512", 256, 512, 512, false, false},
	{"300x2x100_ABt", 300, 2, 100, false, true},
	{"300x100x3_ABt", 300, 100, 3, false, true},
	{"300x3x100", 300, 3, 100, false, false},
	{"3x300x100_AtB", 3, 300, 100, true, false},
	{"100x300x2_AtB", 100, 300, 2, true, false},
	{"2048x64x192_ABt", 2048, 64, 192, false, true},
	{"2048x64x256_ABt", 2048, 64, 256, false, true},
	{"32x16x32_ABt", 32, 16, 32, false, true},
	{"32x32x16", 32, 32, 16, false, false},
	{"32x32x16_AtB", 32, 32, 16, true, false},
}

// BenchmarkGemm measures C = op(A)·op(B) with the default kernel and
// threads (set GOMAXPROCS with -cpu). Shapes are MxKxN.
func BenchmarkGemm(b *testing.B) {
	for _, s := range benchShapes {
		b.Run(s.name, func(b *testing.B) { benchGemm(b, s.transA, s.transB, s.m, s.n, s.k) })
	}
}

// BenchmarkKernel compares the kernels on one thread at n = 512.
func BenchmarkKernel(b *testing.B) {
	defer SetKernel(Kernels()[0])
	defer SetThreads(0)
	SetThreads(1)
	for _, name := range Kernels() {
		SetKernel(name)
		b.Run(name, func(b *testing.B) { benchGemm(b, false, false, 512, 512, 512) })
	}
}

func benchGemm(b *testing.B, transA, transB bool, m, n, k int) {
	rng := rand.New(rand.NewPCG(1, 1))
	o := newOperands(rng, transA, transB, false, m, n, k, 0)
	step := max(1, m*n*k/(256*256*256)) // every row of small products, some of big ones
	o.checkRows(b, o.run(), step/2, step)
	c := make([]float32, len(o.c0))
	for b.Loop() {
		Gemm(transA, transB, m, n, k, o.a, o.lda, o.b, o.ldb, c, o.ldc, false)
	}
	b.ReportMetric(2*float64(m)*float64(n)*float64(k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// BenchmarkGemmTri compares an attention head's product with its causal
// weights (32×32 lower triangular times 32×16) as Gemm and as GemmTri.
func BenchmarkGemmTri(b *testing.B) {
	const T, D = 32, 16
	rng := rand.New(rand.NewPCG(1, 1))
	w, v, c := randSlice(rng, T*T), randSlice(rng, T*D), make([]float32, T*D)
	for i := range T {
		clear(w[i*T+i+1 : (i+1)*T])
	}
	for _, tri := range []Triangle{Full, Lower} {
		b.Run(map[Triangle]string{Full: "full", Lower: "lower"}[tri], func(b *testing.B) {
			for b.Loop() {
				GemmTri(tri, false, false, T, D, T, w, T, v, D, c, D, false)
			}
		})
	}
}

// BenchmarkGemmBias measures a layer's forward product with its bias,
// x·Wᵀ + b, at the small GPT's shapes (MxKxN): the QKV projection, the
// output projection and the two MLP layers on 64 sequences of 32 tokens.
func BenchmarkGemmBias(b *testing.B) {
	for _, s := range []struct {
		name    string
		m, k, n int
	}{
		{"2048x64x192", 2048, 64, 192},
		{"2048x64x64", 2048, 64, 64},
		{"2048x64x256", 2048, 64, 256},
		{"2048x256x64", 2048, 256, 64},
	} {
		b.Run(s.name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 1))
			o := newOperands(rng, false, true, false, s.m, s.n, s.k, 0)
			c := make([]float32, s.m*s.n)
			GemmBias(false, true, s.m, s.n, s.k, o.a, o.lda, o.b, o.ldb, c, o.ldc, make([]float32, s.n))
			o.checkRows(b, c, 0, 97) // with a zero bias, the product
			bias := randSlice(rng, s.n)
			for b.Loop() {
				GemmBias(false, true, s.m, s.n, s.k, o.a, o.lda, o.b, o.ldb, c, o.ldc, bias)
			}
			b.ReportMetric(2*float64(s.m*s.n*s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
