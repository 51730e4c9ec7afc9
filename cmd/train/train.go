package main

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/gotensor/gotensor/autograd"
	"github.com/gotensor/gotensor/nn"
	"github.com/gotensor/gotensor/optim"
	"github.com/gotensor/gotensor/tensor"
)

// trainer holds a run: the task and its model, the optimizer, the run
// folder and the metrics so far.
type trainer struct {
	o      options
	w      io.Writer
	dir    string
	task   task
	params []*autograd.Value
	opt    optim.Optimizer
	sched  optim.Schedule
	pcg    *rand.PCG // the model's generator (initialisation, dropout)
	rng    *rand.Rand
	step   int      // steps completed
	rows   []metric // one per completed step
	logged int      // rows written to metrics.csv
	total  int      // the step to stop at
	spent  time.Duration
	saved  int // the step of the last checkpoint written, or -1
	// lastGood names the last checkpoint written or resumed from, and
	// its step, or is empty.
	lastGood string
}

// metric is one row of metrics.csv.
type metric struct {
	step    int
	loss    float32
	acc     float64 // NaN when the task has no accuracy
	lr      float32
	seconds float64 // training time since the run began
}

const (
	checkpointName = "checkpoint.safetensors"
	metricsName    = "metrics.csv"
	checkpointKind = "gotensor-train-checkpoint-1"
)

// newTrainer sets up a run; with a checkpoint c, it continues from it.
func newTrainer(o options, w io.Writer, c *checkpoint) (*trainer, error) {
	t := &trainer{o: o, w: w, saved: -1, pcg: rand.NewPCG(o.Seed, 0)}
	t.rng = rand.New(t.pcg)
	tensor.SetThreads(o.Threads)
	if c != nil {
		// The settings must describe the model the file holds, before a
		// model of that size is made.
		if err := c.fits(o); err != nil {
			return nil, err
		}
	}
	var err error
	switch kind(o.Data) {
	case "points":
		t.task, err = newPointsTask(o, t.rng)
	case "linear":
		t.task = newLinearTask(o, t.rng)
	default:
		t.task, err = newSeqTask(o, t.rng)
	}
	if err != nil {
		return nil, inputError{err}
	}
	t.params = t.task.module().Parameters()
	t.opt = newOptimizer(o, t.params)
	t.total = o.Steps
	if o.Epochs > 0 {
		t.total = o.Epochs * max(t.task.stepsPerEpoch(), 1)
	}
	if t.o.ScheduleSteps == 0 {
		t.o.ScheduleSteps = t.total
	}
	t.sched = newSchedule(t.o)
	if c != nil {
		if err := t.restore(c); err != nil {
			return nil, err
		}
	}
	t.dir = o.Out
	switch {
	case t.dir == "" && o.Resume != "":
		t.dir = filepath.Dir(o.Resume)
	case t.dir == "":
		t.dir, err = newRunFolder(o)
	default:
		err = os.MkdirAll(t.dir, 0o755)
	}
	if err != nil {
		return nil, inputError{fmt.Errorf("cannot create the run folder: %w", err)}
	}
	// Writing the rows so far (those before the checkpoint, when resuming)
	// finds out now, not after training, whether the folder can be written.
	if err := t.writeMetrics(); err != nil {
		return nil, inputError{err}
	}
	return t, nil
}

// inputError is a problem with the files or data a run was given: exit code 2.
type inputError struct{ error }

func (e inputError) Unwrap() error { return e.error }

func newOptimizer(o options, params []*autograd.Value) optim.Optimizer {
	lr, wd := float32(o.LR), float32(o.WD)
	switch o.Opt {
	case "sgd":
		return optim.NewSGD(params, optim.SGDConfig{LR: lr, WeightDecay: wd})
	case "momentum":
		return optim.NewSGD(params, optim.SGDConfig{LR: lr, Momentum: 0.9, WeightDecay: wd})
	case "adam":
		return optim.NewAdam(params, optim.AdamConfig{LR: lr, WeightDecay: wd})
	}
	return optim.NewAdamW(params, optim.AdamConfig{LR: lr, WeightDecay: wd})
}

func newSchedule(o options) optim.Schedule {
	lr, total := float32(o.LR), o.ScheduleSteps
	switch o.Schedule {
	case "step":
		// Thirds rounded up, so that the last never holds a fourth level.
		return optim.NewStepLR(lr, max((total+2)/3, 1), 0.1)
	case "cosine":
		return optim.NewWarmupCosine(lr, lr/100, min(o.Warmup, total), total)
	}
	return optim.Constant(lr)
}

// interruptAt makes a run behave as if interrupted before that step; tests
// set it to stop a run half-way, as Ctrl-C would.
var interruptAt = -1

// closedSignal is a channel that is always ready.
var closedSignal = func() <-chan os.Signal {
	c := make(chan os.Signal)
	close(c)
	return c
}()

// train runs the remaining steps, evaluating and checkpointing on the way,
// then writes the run's files and summary.
func (t *trainer) train(interrupt <-chan os.Signal) error {
	every := t.o.EvalEvery
	if every == 0 {
		every = max(t.total/10, 1)
	}
	batchMetric := "" // the accuracy on each batch: of tokens, for sequences
	if t.task.metric() != "" {
		batchMetric = "acc"
	}
	bar := newProgress(t.w, t.total, t.o.Quiet, batchMetric)
	bar.println("%s: %s model with %d parameters, %s lr %g, %d steps, %s kernel on %d threads, run folder %s",
		t.o.Data, t.o.Model, nn.NumParams(t.task.module()), t.o.Opt, t.o.LR, t.total, tensor.Kernel(), tensor.Threads(), t.dir)
	interrupted := func() bool {
		select {
		case <-interrupt:
			return true
		default:
			return false
		}
	}
	for t.step < t.total {
		if t.step == interruptAt {
			interrupt = closedSignal
		}
		if interrupted() {
			return t.stop(bar)
		}
		lr := t.sched.LR(t.step)
		start := time.Now()
		l, acc, ok := t.trainStep(lr)
		if !ok {
			bar.finish()
			return t.diverged(l)
		}
		t.spent += time.Since(start)
		t.step++
		t.rows = append(t.rows, metric{t.step, l, acc, lr, t.spent.Seconds()})
		bar.update(t.step, float64(l), acc, lr)
		if t.step%every == 0 || t.step == t.total {
			// Even when interrupted: a resumed run starts after this step
			// and would never evaluate it.
			if err := t.evaluate(bar); err != nil {
				return err
			}
		}
	}
	bar.finish()
	return t.finish()
}

// stop ends an interrupted run with a checkpoint.
func (t *trainer) stop(bar *progress) error {
	bar.finish()
	if err := t.checkpoint(); err != nil {
		return err
	}
	return fmt.Errorf("%w at step %d: checkpoint written; continue with -resume %s", errInterrupted, t.step, filepath.Join(t.dir, checkpointName))
}

// trainStep runs step t.step at learning rate lr and returns its loss and
// the accuracy on its batch. A loss that is NaN or infinite comes back
// with ok false before Backward, the model untouched.
func (t *trainer) trainStep(lr float32) (loss float32, acc float64, ok bool) {
	t.opt.SetLR(lr)
	l, acc := t.task.loss(t.step)
	loss = l.Item()
	if math.IsNaN(float64(loss)) || math.IsInf(float64(loss), 0) {
		return loss, acc, false
	}
	l.Backward()
	if t.o.Clip > 0 {
		optim.ClipGradNorm(t.params, t.o.Clip)
	}
	t.opt.Step()
	t.opt.ZeroGrad()
	l.Release() // the step is over: the next one reuses its activations' storage
	return loss, acc, true
}

// evaluate reports held-out figures and writes a checkpoint.
func (t *trainer) evaluate(bar *progress) error {
	loss, acc := t.task.eval()
	if st, ok := t.task.(*seqTask); ok && acc >= 0.99 && st.hit99 < 0 && st.text == nil {
		st.hit99 = t.step
		bar.println("held-out sequence accuracy %.1f%% at step %d, after %.2f s of training", 100*acc, t.step, t.spent.Seconds())
	}
	if m := t.task.metric(); m != "" {
		bar.println("  held-out at step %d: loss %.4f, %s %.2f%%", t.step, loss, m, 100*acc)
	} else {
		bar.println("  held-out at step %d: loss %.4g", t.step, loss)
	}
	return t.checkpoint()
}

func (t *trainer) diverged(l float32) error {
	msg := fmt.Sprintf("loss became %v at step %d; stopped training", l, t.step+1)
	if t.lastGood != "" {
		msg += ". The last good checkpoint is " + t.lastGood
	} else {
		msg += ", before its first checkpoint (the first evaluation writes one)"
	}
	if err := t.appendMetrics(); err != nil {
		return err
	}
	return errors.New(msg + "; try a smaller -lr or -clip")
}

// finish writes the model, the metrics and the plots, and prints the summary.
func (t *trainer) finish() error {
	if err := t.checkpoint(); err != nil {
		return err
	}
	if err := nn.Save(filepath.Join(t.dir, "model.safetensors"), t.task.module()); err != nil {
		return err
	}
	xs, ys := make([]int, len(t.rows)), make([]float64, len(t.rows))
	for i, r := range t.rows {
		xs[i], ys[i] = r.step, float64(r.loss)
	}
	img, err := lossPlot(xs, ys, "training loss")
	if err != nil {
		return err
	}
	if err := writeFile(filepath.Join(t.dir, "loss.png"), img); err != nil {
		return err
	}
	steps := len(t.rows)
	if steps > 0 {
		last := t.rows[steps-1]
		fmt.Fprintf(t.w, "trained %d steps in %.2f s (%.3f ms/step, median %.3f); final loss %.4f\n",
			last.step, last.seconds, 1e3*last.seconds/float64(last.step), 1e3*medianStep(t.rows), last.loss)
	}
	if err := t.task.report(t.w, t.dir); err != nil {
		return err
	}
	if st, ok := t.task.(*seqTask); ok {
		if st.hit99 >= 0 {
			fmt.Fprintf(t.w, "reached 99%% held-out sequence accuracy at step %d\n", st.hit99)
		}
		if t.o.Sample > 0 {
			st.sample(t.w, t.rng, t.o.Sample)
		}
	}
	fmt.Fprintf(t.w, "wrote %s\n", t.dir)
	return nil
}

// medianStep returns the median time of the steps in rows, in seconds: the
// mean above counts the first step, which allocates the engine's storage,
// and the steps that follow an evaluation, which find the caches cold.
func medianStep(rows []metric) float64 {
	d := make([]float64, len(rows))
	prev := 0.0
	for i, r := range rows {
		d[i], prev = r.seconds-prev, r.seconds
	}
	return median(d)
}

// median returns the middle element of x (the upper one of an even
// count), sorting x. x must not be empty.
func median[T cmp.Ordered](x []T) T {
	slices.Sort(x)
	return x[len(x)/2]
}

// csvRows formats metrics as CSV lines.
func csvRows(rows []metric) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	for _, r := range rows {
		acc := ""
		if !math.IsNaN(r.acc) {
			acc = strconv.FormatFloat(r.acc, 'g', -1, 64)
		}
		w.Write([]string{strconv.Itoa(r.step), strconv.FormatFloat(float64(r.loss), 'g', -1, 32), acc,
			strconv.FormatFloat(float64(r.lr), 'g', -1, 32), strconv.FormatFloat(r.seconds, 'f', 6, 64)})
	}
	w.Flush()
	return b.Bytes()
}

// writeMetrics replaces metrics.csv, atomically, with every row so far.
func (t *trainer) writeMetrics() error {
	data := append([]byte("step,loss,accuracy,lr,seconds\n"), csvRows(t.rows)...)
	if err := writeFile(filepath.Join(t.dir, metricsName), data); err != nil {
		return err
	}
	t.logged = len(t.rows)
	return nil
}

// appendMetrics appends the rows not yet written to metrics.csv.
func (t *trainer) appendMetrics() error {
	path := filepath.Join(t.dir, metricsName)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return fmt.Errorf("append to %s: %w", path, err)
	}
	_, err = f.Write(csvRows(t.rows[t.logged:]))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("append to %s: %w", path, err)
	}
	t.logged = len(t.rows)
	return nil
}
