package gemm

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// threadSetting is SetThreads's argument; 0 follows GOMAXPROCS.
var threadSetting atomic.Int32

// SetThreads sets the number of goroutines one Gemm call may use; n < 1
// means runtime.GOMAXPROCS(0), the default.
func SetThreads(n int) { threadSetting.Store(int32(max(n, 0))) }

// Threads returns the number of goroutines one Gemm call may use.
func Threads() int {
	if t := threadSetting.Load(); t > 0 {
		return int(t)
	}
	return runtime.GOMAXPROCS(0)
}

// A job is one part of a call for a pool worker.
type job struct {
	g    *call
	part int
}

// The pool: worker goroutines started on demand and kept for the life of
// the program, all receiving from jobs.
var (
	jobs     = make(chan job, 64)
	poolMu   sync.Mutex
	poolSize atomic.Int32
)

// ensureWorkers starts workers until the pool has at least n.
func ensureWorkers(n int) {
	if int(poolSize.Load()) >= n {
		return
	}
	poolMu.Lock()
	defer poolMu.Unlock()
	for int(poolSize.Load()) < n {
		go worker()
		poolSize.Add(1)
	}
}

func worker() {
	buf := new(buffers) // each worker keeps its own packing space
	for j := range jobs {
		j.g.runPart(j.part, buf)
		j.g.wg.Done()
	}
}

// dispatch runs g's parts: parts 1… on pool workers, part 0 on the caller.
func dispatch(g *call) {
	ensureWorkers(g.parts - 1)
	g.wg.Add(g.parts - 1)
	for w := 1; w < g.parts; w++ {
		jobs <- job{g, w}
	}
	buf := bufPool.Get().(*buffers)
	g.runPart(0, buf)
	bufPool.Put(buf)
	g.wg.Wait()
}
