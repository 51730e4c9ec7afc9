package gemm

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
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

// A job asks a pool worker to help with generation gen of call g.
type job struct {
	g   *call
	gen uint32
}

// The pool: worker goroutines started on demand and kept for the life of
// the program, all receiving from jobs.
var (
	jobs     = make(chan job, 256)
	poolMu   sync.Mutex
	poolSize atomic.Int32
)

// spinTime is how long an idle worker keeps polling for jobs before it
// parks, and how long a caller polls for its parts to finish. Waking a
// parked goroutine takes tens of microseconds (it first queues on its
// waker's P), as long as a whole training-size product; a polling
// goroutine starts at once. Polling never yields the P, since a yield puts
// the poller behind the very goroutine it waits for. Only the first
// GOMAXPROCS-1 workers poll, so polling never crowds out the caller.
const spinTime = 100 * time.Microsecond

// ensureWorkers starts workers until the pool has at least n.
func ensureWorkers(n int) {
	if int(poolSize.Load()) >= n {
		return
	}
	poolMu.Lock()
	defer poolMu.Unlock()
	for int(poolSize.Load()) < n {
		go worker(int(poolSize.Load()))
		poolSize.Add(1)
	}
}

// worker id runs jobs for the life of the program.
func worker(id int) {
	buf := new(buffers) // each worker keeps its own packing space
	for {
		j := nextJob(id < runtime.GOMAXPROCS(0)-1)
		j.g.work(j.gen, buf)
	}
}

// nextJob receives a job, polling for spinTime first if poll is set.
func nextJob(poll bool) job {
	if poll {
		start := time.Now()
		for i := 0; i < 1<<30; i++ {
			select {
			case j := <-jobs:
				return j
			default:
			}
			if i%64 == 63 && time.Since(start) > spinTime {
				break
			}
		}
	}
	return <-jobs
}

// dispatch runs g's parts on the caller and on pool workers. Parts are
// claimed from g.state, so the caller goes on to the next part whenever no
// worker has come for it: a slow worker costs nothing but its share. A
// worker that arrives after the call has finished sees another generation
// in g.state and leaves without touching anything else.
func dispatch(g *call) {
	ensureWorkers(g.parts - 1)
	g.gen++
	g.wg.Add(g.parts)
	g.pending.Store(int32(g.parts))
	g.state.Store(uint64(g.gen)<<32 | uint64(g.parts)<<16)
	for range g.parts - 1 {
		select {
		case jobs <- job{g, g.gen}:
		default: // every worker is busy; the caller does more itself
		}
	}
	buf := bufPool.Get().(*buffers)
	g.work(g.gen, buf)
	bufPool.Put(buf)
	start := time.Now()
	for i := 0; g.pending.Load() > 0; i++ {
		if i%64 == 63 && time.Since(start) > spinTime {
			break
		}
	}
	g.wg.Wait()
	g.state.Store(uint64(g.gen) << 32) // nothing left to claim
}

// work computes parts of generation gen of g until none are left.
func (g *call) work(gen uint32, buf *buffers) {
	for {
		v := g.state.Load()
		parts, next := int(v>>16&0xffff), int(v&0xffff)
		if uint32(v>>32) != gen || next >= parts {
			return
		}
		if g.state.CompareAndSwap(v, v+1) {
			g.runPart(next, buf)
			g.pending.Add(-1)
			g.wg.Done()
		}
	}
}
