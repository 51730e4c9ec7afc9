//go:build !purego

package optim

import "github.com/gotensor/gotensor/tensor"

// hasAVX reports whether the CPU and the operating system support AVX
// (256-bit ymm registers), which the vector kernels use. Package tensor has
// checked the CPU already: its matrix kernels need AVX2 or AVX-512, both of
// which imply AVX.
var hasAVX = tensor.Kernel() != "purego"

// adamAVX runs the Adam update of adamGo on n elements, n a multiple of 8.
//
//go:noescape
func adamAVX(p, grad, m, v *float32, n int, c *adamCoef)
