package gemm

import (
	"fmt"
	"sync/atomic"
)

// A kernel computes one mr×nr register tile of C over a k-long pass:
//
//	T[r][c] = Σ_p a[r*rsa+p*csa] · b[p*ldb+c]   (p = 0 … k-1, in order, fused multiply-add)
//	C[r*ldc+c] = T[r][c]                   when acc == 0
//	C[r*ldc+c] += T[r][c]                  when acc != 0
//
// a is a packed micro-panel of mr rows (rsa == 1, csa == mr) or mr rows of
// the caller's A read in place; b is a packed micro-panel (ldb == nr) or nr
// columns of the caller's B read in place.
// k must be at least 1.
type kernel struct {
	name   string
	mr, nr int
	fn     kernelFunc
	// biased, where present, is fn adding bias[0:nr] to every row of the
	// tile as it stores it, after C: C = (C + T) + bias, as GemmBias's
	// separate pass (the bias field) would give it. It serves the full
	// tiles of a product's last pass; the others keep the separate pass.
	biased biasedFunc
	// rows[h], where present, computes only the first h rows of the tile,
	// for the last rows of C; with it a partial tile of full width needs
	// neither wasted rows nor the buffer.
	rows []kernelFunc
	// masked[v][h], where present, computes h rows and at most 16·(v+1)
	// columns, reading B and storing C in the last 16 under the lane mask:
	// the right edge of C without the buffer or packing.
	masked [2][]maskedFunc
	// dot, where present, computes two rows of A against four of B as dot
	// products: A·Bᵀ with at most four columns (see dots).
	dot dotFunc
	// bias adds bias[0:w] to h rows of C (w ≤ nr): the epilogue of
	// GemmBias on a tile still in cache. init sets it to addBiasGo for
	// kernels that have no faster one, so it is never nil.
	bias biasFunc
}

type biasFunc func(c *float32, ldc int, bias *float32, h, w int)

// addBiasGo is the portable biasFunc.
func addBiasGo(c *float32, ldc int, bias *float32, h, w int) {
	cs, bs := unsafeSlice(c, (h-1)*ldc+w), unsafeSlice(bias, w)
	for r := range h {
		row := cs[r*ldc : r*ldc+w]
		for j, v := range bs {
			row[j] += v
		}
	}
}

type kernelFunc func(k int, a *float32, rsa, csa int, b *float32, ldb int, c *float32, ldc int, acc int)

type biasedFunc func(k int, a *float32, rsa, csa int, b *float32, ldb int, c *float32, ldc int, acc int, bias *float32)

type maskedFunc func(k int, a *float32, rsa, csa int, b *float32, ldb int, c *float32, ldc int, acc int, mask int)

// kernels lists the kernels this CPU and build can run, best first.
var kernels []*kernel

// active is the kernel Gemm uses.
var active atomic.Pointer[kernel]

func init() {
	kernels = append(archKernels(), &kernel{name: "purego", mr: goMR, nr: goNR, fn: kernGo})
	for _, k := range kernels {
		if k.bias == nil {
			k.bias = addBiasGo
		}
	}
	active.Store(kernels[0])
}

// Kernel names the microkernel in use: "avx512", "avx2" or "purego".
func Kernel() string { return active.Load().name }

// Kernels names the microkernels this CPU and build can run, best first.
func Kernels() []string {
	names := make([]string, len(kernels))
	for i, k := range kernels {
		names[i] = k.name
	}
	return names
}

// SetKernel makes Gemm use the named microkernel, one of Kernels(). It is
// meant for tests and benchmarks; the default is the best one available.
// Calls already running keep the kernel they started with.
func SetKernel(name string) error {
	for _, k := range kernels {
		if k.name == name {
			active.Store(k)
			return nil
		}
	}
	return fmt.Errorf("gemm: kernel %q not available here (have %v)", name, Kernels())
}

// The pure-Go kernel's tile, 4×4: sixteen accumulators, which with the
// four A and four B values fit the registers of most 64-bit CPUs.
const goMR, goNR = 4, 4

// kernGo is the portable kernel; see kernel for the contract.
func kernGo(k int, a *float32, rsa, csa int, b *float32, ldb int, c *float32, ldc int, acc int) {
	as := unsafeSlice(a, (goMR-1)*rsa+(k-1)*csa+1)
	bs := unsafeSlice(b, (k-1)*ldb+goNR)
	var t00, t01, t02, t03, t10, t11, t12, t13 float32
	var t20, t21, t22, t23, t30, t31, t32, t33 float32
	for p := range k {
		bp := bs[p*ldb : p*ldb+4 : p*ldb+4]
		b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
		ap := as[p*csa:]
		a0, a1, a2, a3 := ap[0], ap[rsa], ap[2*rsa], ap[3*rsa]
		t00, t01, t02, t03 = t00+a0*b0, t01+a0*b1, t02+a0*b2, t03+a0*b3
		t10, t11, t12, t13 = t10+a1*b0, t11+a1*b1, t12+a1*b2, t13+a1*b3
		t20, t21, t22, t23 = t20+a2*b0, t21+a2*b1, t22+a2*b2, t23+a2*b3
		t30, t31, t32, t33 = t30+a3*b0, t31+a3*b1, t32+a3*b2, t33+a3*b3
	}
	t := [goMR][goNR]float32{
		{t00, t01, t02, t03}, {t10, t11, t12, t13},
		{t20, t21, t22, t23}, {t30, t31, t32, t33},
	}
	cs := unsafeSlice(c, (goMR-1)*ldc+goNR)
	for r := range goMR {
		cr := cs[r*ldc : r*ldc+goNR]
		if acc != 0 {
			for j := range cr {
				cr[j] += t[r][j]
			}
		} else {
			copy(cr, t[r][:])
		}
	}
}
