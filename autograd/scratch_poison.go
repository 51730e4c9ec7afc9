//go:build gotensorpoison

package autograd

const (
	minScratch = 1
	poison     = true
)
