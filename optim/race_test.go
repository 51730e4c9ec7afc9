//go:build race

package optim

// raceEnabled: the race detector is on, and its runtime allocates, so the
// allocation counts that tests check do not hold.
const raceEnabled = true
