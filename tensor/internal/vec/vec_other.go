//go:build !amd64 || purego

package vec

const useAsm = false

func binaryAVX512(op int, d, a, b *float32, n int) { panic("vec: no assembly in this build") }
