package main

import (
	"io"
	"testing"
	"time"
)

// benchSteps times whole training steps (forward, backward, optimizer,
// Release) of the run that args describe, the trainer's own trainStep,
// without evaluation, checkpoints or output, with the collector set as
// main sets it. Beside the mean (ns/op) it reports the median step
// (median-ns/step), the figure PyTorch's anchor scripts print, which a
// few steps slowed by the machine's other work do not move.
func benchSteps(b *testing.B, args ...string) {
	defer setGC()()
	o, set, err := parseFlags(append(args, "-out", b.TempDir(), "-quiet"), io.Discard)
	if err == nil {
		err = complete(&o, set)
	}
	if err != nil {
		b.Fatal(err)
	}
	t, err := newTrainer(o, io.Discard, nil)
	if err != nil {
		b.Fatal(err)
	}
	step := func() {
		if l, _, ok := t.trainStep(t.sched.LR(t.step)); !ok {
			b.Fatalf("loss %v at step %d", l, t.step)
		}
		t.step++
	}
	step() // fills the engine's free list, as a run's first step does
	b.ReportAllocs()
	var times []time.Duration
	for b.Loop() {
		start := time.Now()
		step()
		times = append(times, time.Since(start))
	}
	if len(times) > 0 {
		b.ReportMetric(float64(median(times).Nanoseconds()), "median-ns/step")
	}
}

// BenchmarkSpiralStep is a step of the default run: the MLP 2-100-3 on 300
// spiral points, full batch, Adam.
func BenchmarkSpiralStep(b *testing.B) { benchSteps(b) }

// BenchmarkReverseStep is a step of the transformer on sequence reversal at
// batch 64 (2 blocks, d_model 64, 4 heads, MLP 256, context 32), AdamW.
func BenchmarkReverseStep(b *testing.B) { benchSteps(b, "-data", "reverse") }
