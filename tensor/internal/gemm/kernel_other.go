//go:build !amd64 || purego

package gemm

func archKernels() []*kernel { return nil }

func archTranspose16() func(dst *float32, ldd int, src *float32, lds int) { return nil }

func archTranspose12() func(dst *float32, src *float32, lds int) { return nil }
