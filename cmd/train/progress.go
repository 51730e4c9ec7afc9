package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// progress reports training as it goes: a bar redrawn in place on a
// terminal, or a plain line every so often when the output is a file or a
// pipe.
type progress struct {
	w      io.Writer
	live   bool // redraw one line with \r
	quiet  bool
	total  int
	start  time.Time
	last   time.Time
	every  time.Duration // how often a line is printed (or the bar redrawn)
	drawn  bool          // the live bar is on screen
	metric string        // "acc" or "" when there is no accuracy
}

func newProgress(w io.Writer, total int, quiet bool, metric string) *progress {
	p := &progress{w: w, quiet: quiet, total: total, start: time.Now(), metric: metric, every: 2 * time.Second}
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			p.live, p.every = true, 100*time.Millisecond
		}
	}
	return p
}

// update reports the state after step (counting from 1).
func (p *progress) update(step int, loss, acc float64, lr float32) {
	if p.quiet {
		return
	}
	now := time.Now()
	if step != p.total && now.Sub(p.last) < p.every && step != 1 {
		return
	}
	p.last = now
	stats := fmt.Sprintf("loss %.4f", loss)
	if p.metric != "" {
		stats += fmt.Sprintf("  %s %.1f%%", p.metric, 100*acc)
	}
	stats += fmt.Sprintf("  lr %.3g  %s", lr, now.Sub(p.start).Round(10*time.Millisecond))
	if !p.live {
		fmt.Fprintf(p.w, "step %*d/%d  %s\n", len(fmt.Sprint(p.total)), step, p.total, stats)
		return
	}
	const width = 30
	done := width * step / max(p.total, 1)
	bar := strings.Repeat("█", done) + strings.Repeat("░", width-done)
	fmt.Fprintf(p.w, "\r%s %3d%%  %s\x1b[K", bar, 100*step/max(p.total, 1), stats)
	p.drawn = true
}

// println prints a line of its own, moving past the live bar first.
func (p *progress) println(format string, args ...any) {
	if p.quiet {
		return
	}
	if p.drawn {
		fmt.Fprintln(p.w)
		p.drawn = false
	}
	fmt.Fprintf(p.w, format+"\n", args...)
}

// finish ends the live bar's line.
func (p *progress) finish() {
	if p.drawn {
		fmt.Fprintln(p.w)
		p.drawn = false
	}
}
