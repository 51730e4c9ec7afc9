package main

import (
	"io"
	"testing"
)

// BenchmarkSpiralStep times one full-batch training step (forward, backward,
// Adam) of the default run: the MLP 2-100-3 on 300 spiral points.
func BenchmarkSpiralStep(b *testing.B) {
	o, _, err := parseFlags([]string{"-out", b.TempDir(), "-quiet"}, io.Discard)
	if err == nil {
		err = complete(&o)
	}
	if err != nil {
		b.Fatal(err)
	}
	t, err := newTrainer(o, io.Discard, nil)
	if err != nil {
		b.Fatal(err)
	}
	step := 0
	b.ReportAllocs()
	for b.Loop() {
		loss, _ := t.task.loss(step)
		loss.Backward()
		t.opt.Step()
		t.opt.ZeroGrad()
		step++
	}
}

// BenchmarkReverseStep times one training step (forward, backward, AdamW) of
// the transformer on sequence reversal at batch 64.
func BenchmarkReverseStep(b *testing.B) {
	o, _, err := parseFlags([]string{"-data", "reverse", "-out", b.TempDir(), "-quiet"}, io.Discard)
	if err == nil {
		err = complete(&o)
	}
	if err != nil {
		b.Fatal(err)
	}
	t, err := newTrainer(o, io.Discard, nil)
	if err != nil {
		b.Fatal(err)
	}
	step := 0
	b.ReportAllocs()
	for b.Loop() {
		loss, _ := t.task.loss(step)
		loss.Backward()
		t.opt.Step()
		t.opt.ZeroGrad()
		step++
	}
}
