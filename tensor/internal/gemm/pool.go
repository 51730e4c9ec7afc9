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

// A team shares one operation's parts between its caller and the pool's
// workers: a Gemm call (call) or a For loop (loop). Teams are reused; see
// dispatch for how late workers are kept off a team that has moved on.
type team struct {
	// state is gen<<32 | parts<<16 | next: the operation's generation, and
	// the next part to claim. Workers read it only atomically.
	state atomic.Uint64
	gen   uint32
	// pending counts unfinished parts for a caller that polls; wg the same
	// for one that blocks.
	pending atomic.Int32
	wg      sync.WaitGroup
	// do computes part w with buf as packing space; it is set once, when
	// the team's owner is made.
	do func(w int, buf *buffers)
	// panicked is the first value a part panicked with, or nil.
	mu       sync.Mutex
	panicked any
}

// maxParts bounds the parts of one team's operation, a Gemm call or a For
// loop: team.state counts them in 16 bits.
const maxParts = 1024

// A job asks a pool worker to help with generation gen of team t.
type job struct {
	t   *team
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
		j.t.work(j.gen, buf)
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

// dispatch runs t's parts on the caller and on pool workers. Parts are
// claimed from t.state, so the caller goes on to the next part whenever no
// worker has come for it: a slow worker costs nothing but its share. A
// worker that arrives after the operation has finished sees another
// generation in t.state and leaves without touching anything else. Once
// every part has returned, dispatch returns the first value a part
// panicked with, or nil.
func dispatch(t *team, parts int) (panicked any) {
	ensureWorkers(parts - 1)
	t.gen++
	t.wg.Add(parts)
	t.pending.Store(int32(parts))
	t.state.Store(uint64(t.gen)<<32 | uint64(parts)<<16)
	for range parts - 1 {
		select {
		case jobs <- job{t, t.gen}:
		default: // every worker is busy; the caller does more itself
		}
	}
	buf := bufPool.Get().(*buffers)
	t.work(t.gen, buf)
	bufPool.Put(buf)
	start := time.Now()
	for i := 0; t.pending.Load() > 0; i++ {
		if i%64 == 63 && time.Since(start) > spinTime {
			break
		}
	}
	t.wg.Wait()
	t.state.Store(uint64(t.gen) << 32) // nothing left to claim
	r := t.panicked
	t.panicked = nil
	return r
}

// work computes parts of generation gen of t until none are left.
func (t *team) work(gen uint32, buf *buffers) {
	for {
		v := t.state.Load()
		parts, next := int(v>>16&0xffff), int(v&0xffff)
		if uint32(v>>32) != gen || next >= parts {
			return
		}
		if t.state.CompareAndSwap(v, v+1) {
			t.part(next, buf)
			t.pending.Add(-1)
			t.wg.Done()
		}
	}
}

// part computes part w, and keeps the value it panics with, if any, for
// dispatch to return: a panic on a worker would end the program, and one
// on the caller would leave the other parts running on a team about to be
// reused. Parts panic when a For loop's function or a Gemm call's
// epilogue does.
func (t *team) part(w int, buf *buffers) {
	defer func() {
		if r := recover(); r != nil {
			t.mu.Lock()
			if t.panicked == nil {
				t.panicked = r
			}
			t.mu.Unlock()
		}
	}()
	t.do(w, buf)
}

// A loop is one For call.
type loop struct {
	team
	n, parts int
	fn       func(lo, hi int)
}

var loopPool = sync.Pool{New: func() any {
	l := new(loop)
	l.do = func(w int, _ *buffers) { l.fn(w*l.n/l.parts, (w+1)*l.n/l.parts) }
	return l
}}

// For calls fn(lo, hi) on consecutive ranges that together cover [0, n),
// in parallel on the caller and the pool's workers, and returns when every
// call has returned. Each range is at least grain long: a loop shorter than
// two grains is one call fn(0, n) on the caller, and so is every loop when
// Threads is 1. The ranges depend on n, grain and Threads alone. fn must
// be safe to run concurrently on disjoint ranges; if what it computes for
// an index does not depend on the range, results are the same for any
// thread count. If fn panics, For panics with the first such value on the
// caller's goroutine, after every range has returned.
func For(n, grain int, fn func(lo, hi int)) {
	grain = max(grain, 1)
	if n < 2*grain {
		if n > 0 {
			fn(0, n)
		}
		return
	}
	parts := min(Threads(), n/grain, maxParts)
	if parts < 2 {
		fn(0, n)
		return
	}
	l := loopPool.Get().(*loop)
	l.n, l.parts, l.fn = n, parts, fn
	r := dispatch(&l.team, parts)
	l.fn = nil
	loopPool.Put(l)
	if r != nil {
		panic(r)
	}
}
