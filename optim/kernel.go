package optim

import "math"

// adamCoef holds the coefficients of one Adam step, in the order the
// assembly kernel reads them.
type adamCoef struct {
	shrink float32 // AdamW's 1 − lr·λ; 1 for Adam
	l2     float32 // Adam's λ; 0 for AdamW
	b1, c1 float32 // β₁ and 1 − β₁
	b2, c2 float32 // β₂ and 1 − β₂
	sq     float32 // √(1 − β₂ᵗ)
	eps    float32
	step   float32 // −lr/(1 − β₁ᵗ)
}

// kernelChunk bounds the elements one assembly call handles, so that the
// goroutine can be preempted between calls.
const kernelChunk = 1 << 15

// vectorPart runs kernel(lo, hi) over the elements [0, n) that the vector
// kernels take, whole vectors of 8 in calls of at most kernelChunk, and
// returns where the scalar loop takes over: 0 without vector kernels.
func vectorPart(n int, kernel func(lo, hi int)) int {
	if !hasAVX {
		return 0
	}
	v := n &^ 7
	for lo := 0; lo < v; lo += kernelChunk {
		kernel(lo, min(lo+kernelChunk, v))
	}
	return v
}

// adamUpdate updates p, m and v in place from g, with the vector kernel
// where the machine has one and the scalar loop for the rest.
func adamUpdate(p, g, m, v []float32, c *adamCoef) {
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	i := vectorPart(len(p), func(lo, hi int) { adamAVX(&p[lo], &g[lo], &m[lo], &v[lo], hi-lo, c) })
	adamGo(p[i:], g[i:], m[i:], v[i:], c)
}

// sgdCoef holds the coefficients of one SGD step, in the order the
// assembly kernel reads them.
type sgdCoef struct {
	negLR, wd, mu, damp float32 // −lr, λ, μ and 1 − dampening
	flags               uint32  // sgdDecay | sgdMomentum | sgdFirst | sgdNesterov
}

// The parts of an SGD step that sgdCoef.flags turns on.
const (
	sgdDecay    = 1 << iota // λ ≠ 0
	sgdMomentum             // μ ≠ 0, with the buffer b
	sgdFirst                // the buffer's first step: b = d
	sgdNesterov             // Nesterov momentum
)

// sgdUpdate updates p (and the momentum buffer b, if the step has one) in
// place from g, with the vector kernel where the machine has one and the
// scalar loop for the rest.
func sgdUpdate(p, g, b []float32, c *sgdCoef) {
	g = g[:len(p)]
	if b != nil {
		b = b[:len(p)]
	}
	i := vectorPart(len(p), func(lo, hi int) {
		var bp *float32
		if b != nil {
			bp = &b[lo]
		}
		sgdAVX(&p[lo], &g[lo], bp, hi-lo, c)
	})
	if b != nil {
		b = b[i:]
	}
	sgdGo(p[i:], g[i:], b, c)
}

// sgdGo is the scalar SGD loop, in the operations of PyTorch 1.13's SGD
// on its AVX2 build, where add(other, alpha) is one FMA (fma(a, b, c) is
// a·b + c rounded once):
//
//	d = fma(p, λ, g)                 (d_p.add(p, alpha=λ); g if λ = 0)
//	b = d on the buffer's first step, else fma(d, 1 − τ, μ·b)
//	                                 (buf.mul_(μ).add_(d, alpha=1 − τ))
//	d = fma(b, μ, d) (Nesterov), else b        (with momentum)
//	p = fma(d, −lr, p)               (p.add_(d, alpha=−lr))
//
// which give PyTorch's bits (TestGoldenPyTorch); the vector kernel gives
// the same.
func sgdGo(p, g, b []float32, c *sgdCoef) {
	g = g[:len(p)]
	for i := range p {
		d := g[i]
		if c.flags&sgdDecay != 0 {
			d = fma32(p[i], c.wd, d)
		}
		if c.flags&sgdMomentum != 0 {
			bi := d
			if c.flags&sgdFirst == 0 {
				bi = fma32(d, c.damp, float32(c.mu*b[i]))
			}
			b[i] = bi
			if c.flags&sgdNesterov != 0 {
				d = fma32(bi, c.mu, d)
			} else {
				d = bi
			}
		}
		p[i] = fma32(d, c.negLR, p[i])
	}
}

// adamGo is the scalar Adam loop, one fused pass over the parameter, in
// the operations of PyTorch 1.13's Adam on its AVX2 build (fma(a, b, c) is
// a·b + c rounded once, PyTorch's vectorised add(other, alpha) and
// addcmul; the other operations round each result):
//
//	p' = p·shrink                       (AdamW's param.mul_(1 − lr·λ))
//	g' = fma(p', l2, g)                 (Adam's grad.add(param, alpha=λ); g if λ = 0)
//	m  = fma(g', c1, b1·m)              (exp_avg.mul_(β₁).add_(g', alpha=1 − β₁))
//	v  = fma(c2·g', g', b2·v)           (exp_avg_sq.mul_(β₂).addcmul_(g', g', value=1 − β₂))
//	p  = p' + (step·m)/(√v/sq + eps)    (param.addcdiv_(m, denom, value=−lr/(1 − β₁ᵗ)))
//
// which give PyTorch's bits (TestGoldenPyTorch). The vector kernel
// computes the same, so both give the same bits. (c2·g' before g': g'²
// would overflow for |g| past 1.8e19 and freeze the parameter.) The
// explicit float32 conversions round each product that is not to be
// fused: without them the compiler may fuse x*y + z, as it does for
// GOAMD64=v3.
func adamGo(p, g, m, v []float32, c *adamCoef) {
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	shrink, l2, b1, c1, b2, c2, sq, eps, step := c.shrink, c.l2, c.b1, c.c1, c.b2, c.c2, c.sq, c.eps, c.step
	for i := range p {
		pi := float32(p[i] * shrink)
		gi := g[i]
		if l2 != 0 {
			gi = fma32(pi, l2, gi)
		}
		mi := fma32(gi, c1, float32(b1*m[i]))
		vi := fma32(float32(c2*gi), gi, float32(b2*v[i]))
		m[i], v[i] = mi, vi
		denom := float32(float32(math.Sqrt(float64(vi)))/sq) + eps
		p[i] = pi + float32(float32(step*mi)/denom)
	}
}

// fma32 returns a·b + c rounded once to float32, as an FMA instruction
// gives it. In float64, a·b is exact and a·b + c is rounded once; rounding
// that to float32 again gives the same unless it lies exactly halfway
// between two float32 values and was not exact, where the error of the
// first rounding, found by Knuth's TwoSum, decides the side. Halfway, the
// 29 bits that float32 drops from a normal float64 are 1 and 28 zeros;
// results below float32's normal range, where it drops more, take the
// careful path too.
func fma32(a, b, c float32) float32 {
	x, z := float64(a)*float64(b), float64(c) // x exact
	s := x + z                                // a·b + c rounded once
	if math.Float64bits(s)&(1<<29-1) != 1<<28 && math.Abs(s) >= 0x1p-126 {
		return float32(s)
	}
	bv := s - x
	e := (x - (s - bv)) + (z - bv) // a·b + c = s + e exactly
	r := float32(s)
	if e == 0 || float64(r) == s || math.IsInf(float64(r), 0) || s != s {
		return r
	}
	lo := r // the float32 below s
	if float64(r) > s {
		lo = math.Nextafter32(r, float32(math.Inf(-1)))
	}
	hi := math.Nextafter32(lo, float32(math.Inf(1)))
	switch {
	case s != (float64(lo)+float64(hi))/2:
		return r // not halfway: rounding once or twice agrees
	case e > 0:
		return hi
	}
	return lo
}
