//go:build race

package tensor

// raceEnabled: the race detector is on; sync.Pool (behind gemm's buffers)
// then drops some puts on purpose, so allocation counts vary.
const raceEnabled = true
