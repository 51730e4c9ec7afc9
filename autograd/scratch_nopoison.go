//go:build !gotensorpoison

package autograd

const (
	minScratch = 1024 // below this many elements, allocating is as cheap as the list
	poison     = false
)
