package optim

import "math"

// adamCoef holds the coefficients of one Adam step, in the order the
// assembly kernel reads them.
type adamCoef struct {
	shrink float32 // AdamW's 1 − lr·λ; 1 for Adam
	l2     float32 // Adam's λ; 0 for AdamW
	b1, c1 float32 // β₁ and 1 − β₁
	b2, c2 float32 // β₂ and 1 − β₂
	inv    float32 // 1/√(1 − β₂ᵗ)
	eps    float32
	step   float32 // −lr/(1 − β₁ᵗ)
}

// kernelChunk bounds the elements one assembly call handles, so that the
// goroutine can be preempted between calls.
const kernelChunk = 1 << 15

// adamUpdate updates p, m and v in place from g, with the vector kernel
// where the machine has one and the scalar loop for the rest.
func adamUpdate(p, g, m, v []float32, c *adamCoef) {
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	if hasAVX {
		for len(p) >= 8 {
			n := min(len(p), kernelChunk) &^ 7
			adamAVX(&p[0], &g[0], &m[0], &v[0], n, c)
			p, g, m, v = p[n:], g[n:], m[n:], v[n:]
		}
	}
	adamGo(p, g, m, v, c)
}

// adamGo is the scalar Adam loop, one fused pass over the parameter:
//
//	p' = p·shrink
//	g' = g + l2·p'
//	m  = b1·m + c1·g'
//	v  = b2·v + (c2·g')·g'       (PyTorch's addcmul order: g'² overflows past 1.8e19)
//	p  = p' + step·m/(√v·inv + eps)
//
// The vector kernel computes the same expressions in the same order, with
// a separate rounding after each multiplication, so both give the same bits.
// The explicit float32 conversions round each product before it is added
// (see the Go spec on floating-point operators): without them the compiler
// may fuse x*y + z into one FMA, rounded once, as it does for GOAMD64=v3.
func adamGo(p, g, m, v []float32, c *adamCoef) {
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	shrink, l2, b1, c1, b2, c2, inv, eps, step := c.shrink, c.l2, c.b1, c.c1, c.b2, c.c2, c.inv, c.eps, c.step
	for i := range p {
		pi := float32(p[i] * shrink)
		gi := g[i] + float32(l2*pi)
		mi := float32(b1*m[i]) + float32(c1*gi)
		vi := float32(b2*v[i]) + float32(float32(c2*gi)*gi)
		m[i], v[i] = mi, vi
		denom := float32(float32(math.Sqrt(float64(vi)))*inv) + eps
		p[i] = pi + float32(step*(mi/denom))
	}
}
