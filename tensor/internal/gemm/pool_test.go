package gemm

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
)

// forRanges runs For(n, grain) with th threads and returns the ranges fn
// saw, sorted, after checking that they cover [0, n) once.
func forRanges(t *testing.T, th, n, grain int) [][2]int {
	t.Helper()
	SetThreads(th)
	var mu sync.Mutex
	var got [][2]int
	seen := make([]int32, n)
	For(n, grain, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			atomic.AddInt32(&seen[i], 1)
		}
		mu.Lock()
		got = append(got, [2]int{lo, hi})
		mu.Unlock()
	})
	for i, c := range seen {
		if c != 1 {
			t.Fatalf("For(%d, %d) with %d threads: index %d ran %d times; want once", n, grain, th, i, c)
		}
	}
	slices.SortFunc(got, func(a, b [2]int) int { return a[0] - b[0] })
	return got
}

// TestFor checks how For splits a loop: every index once, ranges at least
// grain long, at most Threads of them, one call for a short loop or one
// thread, none for an empty loop.
func TestFor(t *testing.T) {
	defer SetThreads(0)
	for _, c := range []struct {
		th, n, grain int
		want         [][2]int
	}{
		{1, 1000, 1, [][2]int{{0, 1000}}},
		{2, 0, 1, nil},
		{2, 1, 1, [][2]int{{0, 1}}},
		{2, 7, 4, [][2]int{{0, 7}}}, // shorter than two grains
		{2, 8, 4, [][2]int{{0, 4}, {4, 8}}},
		{3, 10, 4, [][2]int{{0, 5}, {5, 10}}}, // two grains fit, not three
		{3, 13, 1, [][2]int{{0, 4}, {4, 8}, {8, 13}}},
		{2, 5, 0, [][2]int{{0, 2}, {2, 5}}}, // grain < 1 is 1
	} {
		got := forRanges(t, c.th, c.n, c.grain)
		if !slices.Equal(got, c.want) {
			t.Errorf("For(%d, %d) with %d threads ran %v; want %v", c.n, c.grain, c.th, got, c.want)
		}
	}
}

// TestForConcurrent runs For loops from several goroutines at once, and a
// Gemm inside a loop's body, as ops do, with more threads than parts.
func TestForConcurrent(t *testing.T) {
	defer SetThreads(0)
	SetThreads(3)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for r := range 50 {
				n := 100 + 37*g + r
				out := make([]int, n)
				For(n, 10, func(lo, hi int) {
					c := make([]float32, 4)
					Gemm(false, false, 2, 2, 1, []float32{1, 2}, 1, []float32{3, 4}, 2, c, 2, false)
					for i := lo; i < hi; i++ {
						out[i] = i + int(c[3])
					}
				})
				for i, v := range out {
					if v != i+8 {
						t.Errorf("goroutine %d, loop %d: out[%d] = %d; want %d", g, r, i, v, i+8)
						return
					}
				}
			}
		})
	}
	wg.Wait()
}

// TestForPanic checks that a panic in a range, whichever goroutine runs
// it, reaches For's caller after the other ranges have finished, and that
// the pool works afterwards.
func TestForPanic(t *testing.T) {
	defer SetThreads(0)
	SetThreads(2)
	for _, bad := range []int{0, 99} { // in the caller's first range or the last
		var done atomic.Int32
		got := func() (r any) {
			defer func() { r = recover() }()
			For(100, 10, func(lo, hi int) {
				if lo <= bad && bad < hi {
					panic(fmt.Sprintf("index %d", bad))
				}
				done.Add(int32(hi - lo))
			})
			return nil
		}()
		if want := fmt.Sprintf("index %d", bad); got != want {
			t.Errorf("For with a panic at %d: recovered %v; want %q", bad, got, want)
		}
		if n := done.Load(); n != 50 {
			t.Errorf("For with a panic at %d: %d indices done; want the other range's 50", bad, n)
		}
	}
	if r := forRanges(t, 2, 100, 10); len(r) != 2 {
		t.Errorf("For after a panic ran %v; want two ranges", r)
	}
}

func TestForAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops puts at random under the race detector")
	}
	defer SetThreads(0)
	SetThreads(2)
	x := make([]float32, 1<<12)
	fn := func(lo, hi int) {
		for i := lo; i < hi; i++ {
			x[i]++
		}
	}
	For(len(x), 64, fn)
	if n := testing.AllocsPerRun(50, func() { For(len(x), 64, fn) }); n != 0 {
		t.Errorf("For: %v allocations per call; want 0", n)
	}
	if x[5] != 51+1 {
		t.Errorf("x[5] = %v after 52 loops; want 52", x[5])
	}
}

func BenchmarkFor(b *testing.B) {
	x := make([]float32, 1<<14)
	for _, th := range []int{1, 2} {
		b.Run(fmt.Sprintf("threads=%d", th), func(b *testing.B) {
			defer SetThreads(0)
			SetThreads(th)
			for b.Loop() {
				For(len(x), 1024, func(lo, hi int) {
					for i := lo; i < hi; i++ {
						x[i] += 1
					}
				})
			}
		})
	}
}
