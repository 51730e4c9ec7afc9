//go:build race

package ops

// raceEnabled: the race detector is on; sync.Pool then drops some puts on
// purpose, so allocation counts are not the program's own.
const raceEnabled = true
