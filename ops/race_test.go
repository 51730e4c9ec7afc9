//go:build race

package ops

// raceEnabled: the race detector is on; sync.Pool then drops some puts on
// purpose (the matrix product's buffers among them), so the allocation
// counts that tests check do not hold.
const raceEnabled = true
