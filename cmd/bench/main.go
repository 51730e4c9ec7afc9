// Command bench measures the throughput of gotensor's matrix product against
// the naive loops a course starts from: the textbook i-j-k triple loop
// (tensor.MatMulNaive) and the cache-friendlier i-k-j loop, then the blocked
// SIMD kernel on one thread and on all threads. Every row also reports the
// largest difference from a float64 reference, so each figure is a
// correctness check too.
//
//	go run ./cmd/bench
//	go run ./cmd/bench -sizes 512,1024,64x784x128 -threads 2 -json
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gotensor/gotensor/tensor"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// shape is a product (m, k)·(k, n).
type shape struct{ m, k, n int }

func (s shape) flops() float64 { return 2 * float64(s.m) * float64(s.k) * float64(s.n) }

// String names the shape as the table does, MxKxN.
func (s shape) String() string { return fmt.Sprintf("%dx%dx%d", s.m, s.k, s.n) }

var defaultSizes = "64,128,256,512,1024,2048,64x784x128,256x512x512,1024x4096x1024"

// parseSizes reads "512,1024,64x784x128": n for n×n×n, or m×k×n.
func parseSizes(s string) ([]shape, error) {
	var out []shape
	for _, f := range strings.Split(s, ",") {
		parts := strings.Split(strings.TrimSpace(f), "x")
		var d []int
		for _, p := range parts {
			v, err := strconv.Atoi(p)
			if err != nil || v < 1 || v > 16384 {
				return nil, fmt.Errorf("-sizes: %q: want n or MxKxN with sizes 1 to 16384", f)
			}
			d = append(d, v)
		}
		switch len(d) {
		case 1:
			out = append(out, shape{d[0], d[0], d[0]})
		case 3:
			out = append(out, shape{d[0], d[1], d[2]})
		default:
			return nil, fmt.Errorf("-sizes: %q: want n or MxKxN", f)
		}
	}
	return out, nil
}

// result is one measured cell; its JSON names are read by other programs.
type result struct {
	Impl      string  `json:"impl"`
	M         int     `json:"m"`
	K         int     `json:"k"`
	N         int     `json:"n"`
	Threads   int     `json:"threads"`
	Seconds   float64 `json:"seconds"`
	GFLOPS    float64 `json:"gflops"`
	MaxAbsErr float64 `json:"max_abs_err"`
	Kernel    string  `json:"kernel"`
}

type config struct {
	sizes   []shape
	threads int
	repeat  int
	minTime time.Duration
	impls   map[string]bool
	skipAt  time.Duration // naive loops estimated to take longer are skipped
	jsonOut bool
	profile string
}

const helpText = `bench measures matrix-product throughput: the naive i-j-k triple loop, the
naive i-k-j loop, and gotensor's blocked SIMD kernel on one and on all threads.
Times are medians of repeated runs after a warm-up; GFLOP/s = 2·m·n·k / time.

Flags:
`

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	sizes := fs.String("sizes", defaultSizes, "comma-separated shapes: n for n×n×n, or MxKxN")
	fs.IntVar(&c.threads, "threads", runtime.GOMAXPROCS(0), "threads of the parallel row")
	fs.IntVar(&c.repeat, "repeat", 5, "timed runs per cell (at least; see -time); the median is reported")
	fs.DurationVar(&c.minTime, "time", 300*time.Millisecond, "keep repeating a cell until this much time is spent")
	impl := fs.String("impl", "naive,naive-ikj,blocked", "rows to run: naive (i-j-k), naive-ikj, blocked")
	fs.DurationVar(&c.skipAt, "skip", 3*time.Second, "skip a naive loop estimated to take longer than this")
	fs.BoolVar(&c.jsonOut, "json", false, "print one JSON array of results instead of the table")
	fs.StringVar(&c.profile, "cpuprofile", "", "write a CPU profile to this `file`")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stderr, helpText)
			fs.SetOutput(stderr)
			fs.PrintDefaults()
		}
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	var err error
	if c.sizes, err = parseSizes(*sizes); err != nil {
		return c, err
	}
	c.impls = map[string]bool{}
	for _, name := range strings.Split(*impl, ",") {
		if name != "naive" && name != "naive-ikj" && name != "blocked" {
			return c, fmt.Errorf("-impl %q: want naive, naive-ikj or blocked", name)
		}
		c.impls[name] = true
	}
	switch {
	case c.threads < 1 || c.threads > 1024:
		return c, fmt.Errorf("-threads %d: want 1 to 1024", c.threads)
	case c.repeat < 1:
		return c, fmt.Errorf("-repeat %d: want at least 1", c.repeat)
	}
	return c, nil
}

func run(args []string, stdout, stderr io.Writer) int {
	c, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "bench: %v\n", err)
		return 2
	}
	if c.profile != "" {
		f, err := os.Create(c.profile)
		if err != nil {
			fmt.Fprintf(stderr, "bench: %v\n", err)
			return 2
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(stderr, "bench: %v\n", err)
			return 1
		}
		defer pprof.StopCPUProfile()
	}
	defer tensor.SetThreads(0)
	if !c.jsonOut {
		fmt.Fprintf(stdout, "matmul C = A·B, float32; %s kernel; parallel rows use %d threads (GOMAXPROCS %d); medians of repeats\n\n",
			tensor.Kernel(), c.threads, runtime.GOMAXPROCS(0))
	}
	var all []result
	tw := newTable(stdout, c)
	rates := map[string]float64{"naive": 2e9, "naive-ikj": 5e9} // typical here
	for _, s := range c.sizes {
		rows := measure(c, s, rates)
		all = append(all, rows...)
		if !c.jsonOut {
			tw.row(s, rows)
		}
	}
	if !c.jsonOut {
		tw.finish()
	}
	if c.jsonOut {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if all == nil {
			all = []result{}
		}
		if err := enc.Encode(all); err != nil {
			fmt.Fprintf(stderr, "bench: %v\n", err)
			return 1
		}
	}
	return 0
}

// measure times every requested implementation on one shape. rates holds
// the last measured speed of each naive loop, in FLOP/s, from which it
// estimates this shape's time to decide what to skip; measure updates it.
func measure(c config, s shape, rates map[string]float64) []result {
	rng := rand.New(rand.NewPCG(uint64(s.m), uint64(s.n)))
	a, b := tensor.Randn(rng, s.m, s.k), tensor.Randn(rng, s.k, s.n)
	check := newChecker(a, b, rng)
	var out []result
	add := func(impl string, threads int, f func() *tensor.Tensor) {
		secs, c := timeMedian(f, c.repeat, c.minTime)
		out = append(out, result{impl, s.m, s.k, s.n, threads, secs, s.flops() / secs / 1e9, check.maxAbsErr(c), tensor.Kernel()})
		if _, ok := rates[impl]; ok {
			rates[impl] = s.flops() / secs
		}
	}
	if c.impls["naive"] && estimate(s, rates["naive"]) <= c.skipAt {
		add("naive", 1, func() *tensor.Tensor { return tensor.MatMulNaive(a, b) })
	}
	if c.impls["naive-ikj"] && estimate(s, rates["naive-ikj"]) <= c.skipAt {
		add("naive-ikj", 1, func() *tensor.Tensor { return naiveIKJ(a, b) })
	}
	if c.impls["blocked"] {
		for _, th := range slices.Compact([]int{1, c.threads}) {
			tensor.SetThreads(th)
			add("blocked", th, func() *tensor.Tensor { return tensor.MatMul(a, b) })
		}
		tensor.SetThreads(0)
	}
	return out
}

func estimate(s shape, flopsPerSecond float64) time.Duration {
	return time.Duration(s.flops() / flopsPerSecond * float64(time.Second))
}

// timeMedian runs f once to warm up, then at least repeat times and for at
// least minTime, and returns the median time and the last result. A function
// whose warm-up run alone takes minTime is not repeated.
func timeMedian(f func() *tensor.Tensor, repeat int, minTime time.Duration) (float64, *tensor.Tensor) {
	start := time.Now()
	c := f() // warm-up: caches, packing buffers, the thread pool
	if first := time.Since(start); first >= minTime {
		return first.Seconds(), c
	}
	var times []float64
	begin := time.Now()
	for len(times) < repeat || (time.Since(begin) < minTime && len(times) < 1000) {
		t0 := time.Now()
		c = f()
		times = append(times, time.Since(t0).Seconds())
	}
	sort.Float64s(times)
	return times[len(times)/2], c
}

// naiveIKJ is the triple loop in i-k-j order: the inner loop runs along rows
// of B and C, which the cache likes, so it is several times faster than i-j-k.
func naiveIKJ(a, b *tensor.Tensor) *tensor.Tensor {
	m, k, n := a.Dim(0), a.Dim(1), b.Dim(1)
	c := tensor.Zeros(m, n)
	ad, bd, cd := a.Data(), b.Data(), c.Data()
	for i := range m {
		ci := cd[i*n : (i+1)*n]
		for p := range k {
			aip := ad[i*k+p]
			bp := bd[p*n : (p+1)*n]
			for j, v := range bp {
				ci[j] += aip * v
			}
		}
	}
	return c
}

// checker compares results with float64 dot products at a sample of entries
// (all of them for small products).
type checker struct {
	a, b *tensor.Tensor
	idx  [][2]int
	want []float64
}

func newChecker(a, b *tensor.Tensor, rng *rand.Rand) *checker {
	m, n := a.Dim(0), b.Dim(1)
	ch := &checker{a: a, b: b}
	if m*n <= 4096 {
		for i := range m {
			for j := range n {
				ch.idx = append(ch.idx, [2]int{i, j})
			}
		}
	} else {
		for range 2048 {
			ch.idx = append(ch.idx, [2]int{rng.IntN(m), rng.IntN(n)})
		}
	}
	k := a.Dim(1)
	for _, ij := range ch.idx {
		var s float64
		for p := range k {
			s += float64(a.At(ij[0], p)) * float64(b.At(p, ij[1]))
		}
		ch.want = append(ch.want, s)
	}
	return ch
}

func (ch *checker) maxAbsErr(c *tensor.Tensor) float64 {
	worst := 0.0
	for i, ij := range ch.idx {
		d := math.Abs(float64(c.At(ij[0], ij[1])) - ch.want[i])
		if math.IsNaN(d) || math.IsInf(d, 0) {
			return math.MaxFloat64 // JSON has no NaN or Inf
		}
		worst = max(worst, d)
	}
	return worst
}
