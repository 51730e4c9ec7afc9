//go:build race

package gemm

// raceEnabled: the race detector is on; sync.Pool then drops some puts on
// purpose and everything runs slower, so tests use fewer, smaller shapes.
const raceEnabled = true
