//go:build !purego

package optim

import "github.com/gotensor/gotensor/tensor"

// hasAVX reports whether the CPU and the operating system support AVX
// (256-bit ymm registers) and FMA, which the vector kernels use. Package
// tensor has checked the CPU already: its matrix kernels need AVX2 with
// FMA, or AVX-512, whose processors all have both.
var hasAVX = tensor.Kernel() != "purego"

// adamAVX runs the Adam update of adamGo on n elements, n a multiple of 8.
//
//go:noescape
func adamAVX(p, grad, m, v *float32, n int, c *adamCoef)

// sgdAVX runs the SGD update of sgdGo on n elements, n a multiple of 8; b
// is nil without momentum.
//
//go:noescape
func sgdAVX(p, grad, b *float32, n int, c *sgdCoef)
