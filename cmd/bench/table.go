package main

import (
	"fmt"
	"io"
	"time"
)

// table prints results as aligned rows, one per shape.
type table struct {
	w         io.Writer
	c         config
	started   bool
	best      string  // the speed-up sentence of the largest shape the naive loop ran
	bestFlops float64 // that shape's size
}

func newTable(w io.Writer, c config) *table { return &table{w: w, c: c} }

// cell formats a time and rate, or why there is none.
func cell(r *result, c config, impl string) string {
	switch {
	case r != nil:
		return fmt.Sprintf("%9s %7.1f", fmtSeconds(r.Seconds), r.GFLOPS)
	case !c.impls[impl]:
		return fmt.Sprintf("%17s", "-")
	}
	return fmt.Sprintf("%17s", "skipped (> "+c.skipAt.String()+")")
}

func fmtSeconds(s float64) string {
	d := time.Duration(s * float64(time.Second))
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%.1fµs", s*1e6)
	case d < time.Second:
		return fmt.Sprintf("%.2fms", s*1e3)
	}
	return fmt.Sprintf("%.2fs", s)
}

func find(rows []result, impl string, threads int) *result {
	for i := range rows {
		if rows[i].Impl == impl && (threads == 0 || rows[i].Threads == threads) {
			return &rows[i]
		}
	}
	return nil
}

func (t *table) row(s shape, rows []result) {
	if !t.started {
		t.started = true
		fmt.Fprintf(t.w, "%-16s %17s %17s %17s %17s %10s %9s\n", "m x k x n", "naive i-j-k", "naive i-k-j",
			"blocked 1 thread", fmt.Sprintf("blocked %d thr.", t.c.threads), "max|err|", "speed-up")
		fmt.Fprintf(t.w, "%-16s %17s %17s %17s %17s %10s %9s\n", "", "time  GFLOP/s", "time  GFLOP/s", "time  GFLOP/s", "time  GFLOP/s", "", "vs naive")
	}
	naive, ikj := find(rows, "naive", 0), find(rows, "naive-ikj", 0)
	one := find(rows, "blocked", 1)
	var par *result
	parCell := fmt.Sprintf("%17s", "-") // with one thread, the 1-thread column has it
	if t.c.threads != 1 {
		par = find(rows, "blocked", t.c.threads)
		parCell = cell(par, t.c, "blocked")
	}
	worst := 0.0
	for _, r := range rows {
		worst = max(worst, r.MaxAbsErr)
	}
	speed := "-"
	fastest, who := par, fmt.Sprintf("blocked on %d threads", t.c.threads)
	if fastest == nil || (one != nil && one.Seconds < fastest.Seconds) {
		fastest, who = one, "blocked on 1 thread"
	}
	if naive != nil && fastest != nil {
		x := naive.Seconds / fastest.Seconds
		speed = fmt.Sprintf("%.3g×", x)
		phrase := fmt.Sprintf("%.3g× faster than", x)
		if x < 1 {
			speed, phrase = fmt.Sprintf("1/%.3g×", 1/x), fmt.Sprintf("%.3g× slower than", 1/x)
		}
		if s.flops() >= t.bestFlops {
			t.best, t.bestFlops = fmt.Sprintf("At %v, %s is %s the naive loop.", s, who, phrase), s.flops()
		}
	}
	fmt.Fprintf(t.w, "%-16v %s %s %s %s %10.2g %9s\n", s,
		cell(naive, t.c, "naive"), cell(ikj, t.c, "naive-ikj"), cell(one, t.c, "blocked"), parCell, worst, speed)
}

// finish prints the summary sentence.
func (t *table) finish() {
	if t.best != "" {
		fmt.Fprintf(t.w, "\n%s\nmax|err| is the largest difference from a float64 reference over the checked entries.\n", t.best)
	}
}
