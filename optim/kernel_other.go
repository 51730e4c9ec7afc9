//go:build !amd64 || purego

package optim

// hasAVX is false: this build has no vector kernels.
const hasAVX = false

func adamAVX(p, grad, m, v *float32, n int, c *adamCoef) {
	panic("optim: no vector kernel in this build")
}

func sgdAVX(p, grad, b *float32, n int, c *sgdCoef) {
	panic("optim: no vector kernel in this build")
}
