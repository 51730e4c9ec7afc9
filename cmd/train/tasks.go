package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/gotensor/gotensor/autograd"
	"github.com/gotensor/gotensor/nn"
	"github.com/gotensor/gotensor/ops"
	"github.com/gotensor/gotensor/tensor"
)

// A task is a dataset with its model: it computes the loss of a training
// step, evaluates on held-out data, and reports at the end.
type task interface {
	module() nn.Module
	// loss returns the loss of training step `step` (counting from 0) and the
	// accuracy on its batch (NaN where there is none).
	loss(step int) (*autograd.Value, float64)
	// eval returns the held-out loss and accuracy.
	eval() (float64, float64)
	// metric names the accuracy ("" when the task has none).
	metric() string
	// stepsPerEpoch is the number of steps in one pass over a fixed training
	// set, or 0 for endless data.
	stepsPerEpoch() int
	// report prints the task's summary and writes its plots into dir.
	report(w io.Writer, dir string) error
}

// Streams of random numbers derived from the seed.
const (
	batchStream uint64 = 0x9e3779b97f4a7c15 // the batch of each step
	epochStream uint64 = 0xbf58476d1ce4e5b9 // the order of each epoch
)

// derivedRNG returns the generator for item i of a stream. Deriving batches
// from the seed and the step, rather than drawing them from one generator,
// makes every batch independent of the past, so a resumed run sees the same
// batches as one that never stopped.
func derivedRNG(seed, stream uint64, i int) *rand.Rand {
	return rand.New(rand.NewPCG(seed^stream, uint64(i)))
}

// evalNoGrad runs f with m in evaluation mode, recording no graph.
func evalNoGrad(m nn.Module, f func()) {
	restore := autograd.NoGrad(m.Parameters()...)
	m.SetTraining(false)
	defer func() {
		m.SetTraining(true)
		restore()
	}()
	f()
}

// pointsTask trains a classifier on 2-D points.
type pointsTask struct {
	train, test points
	batch       int
	seed        uint64
	net         *nn.Sequential

	perm      []int // the order of the epoch permEpoch, made once per epoch
	permEpoch int
}

func newPointsTask(o options, rng *rand.Rand) (*pointsTask, error) {
	gen := func(rng *rand.Rand) points {
		switch o.Data {
		case "spiral":
			return spiral(rng, 100, spiralArms)
		case "moons":
			return moons(rng, 300, 0.1)
		case "circles":
			return circles(rng, 300, 0.08)
		case "xor":
			return xor(rng, 300)
		}
		return blobs(rng, 300, blobsCount)
	}
	// The held-out points come from the same distribution with another seed.
	t := &pointsTask{train: gen(rand.New(rand.NewPCG(o.Seed, 1))), test: gen(rand.New(rand.NewPCG(o.Seed, 2))), seed: o.Seed}
	n := len(t.train.Y)
	t.batch = o.Batch
	if t.batch == 0 || t.batch > n {
		t.batch = n
	}
	if err := checkSize(o, t.train.classes); err != nil {
		return nil, err
	}
	t.net = nn.NewMLP(rng, 2, mlpHidden(o), t.train.classes)
	return t, nil
}

func (t *pointsTask) module() nn.Module  { return t.net }
func (t *pointsTask) metric() string     { return "acc" }
func (t *pointsTask) stepsPerEpoch() int { return (len(t.train.Y) + t.batch - 1) / t.batch }
func (t *pointsTask) logits(x *tensor.Tensor) *autograd.Value {
	return t.net.Forward(autograd.Const(x))
}

func (t *pointsTask) loss(step int) (*autograd.Value, float64) {
	x, y := t.train.X, t.train.Y
	if t.batch < len(y) {
		// Each epoch visits the points in its own order, derived from the
		// seed and the epoch alone.
		per := t.stepsPerEpoch()
		if e := step / per; t.perm == nil || e != t.permEpoch {
			t.perm, t.permEpoch = derivedRNG(t.seed, epochStream, e).Perm(len(y)), e
		}
		from := (step % per) * t.batch
		idx := t.perm[from:min(from+t.batch, len(y))]
		x = tensor.Gather(x, idx)
		y = make([]int, len(idx))
		for i, j := range idx {
			y[i] = t.train.Y[j]
		}
	}
	logits := t.logits(x)
	return ops.CrossEntropy(logits, y), accuracy(logits.Data, y)
}

func (t *pointsTask) eval() (loss, acc float64) {
	evalNoGrad(t.net, func() {
		logits := t.logits(t.test.X)
		loss, acc = float64(ops.CrossEntropy(logits, t.test.Y).Item()), accuracy(logits.Data, t.test.Y)
	})
	return loss, acc
}

// accuracy returns the fraction of rows of logits whose arg-max is the label;
// rows labelled ignoreIndex do not count.
func accuracy(logits *tensor.Tensor, y []int) float64 {
	pred := tensor.ArgMax(logits, -1, false).Data()
	right, n := 0, 0
	for i, c := range y {
		if c == ignoreIndex {
			continue
		}
		n++
		if int(pred[i]) == c {
			right++
		}
	}
	return float64(right) / float64(max(n, 1))
}

func (t *pointsTask) report(w io.Writer, dir string) error {
	var trainAcc, testAcc float64
	var img []byte
	var err error
	evalNoGrad(t.net, func() {
		trainAcc = accuracy(t.logits(t.train.X).Data, t.train.Y)
		testAcc = accuracy(t.logits(t.test.X).Data, t.test.Y)
		img, err = boundaryPlot(t.train, func(grid *tensor.Tensor) []int {
			pred := tensor.ArgMax(t.logits(grid).Data, -1, false).Data()
			cls := make([]int, len(pred))
			for i, p := range pred {
				cls[i] = int(p)
			}
			return cls
		})
	})
	fmt.Fprintf(w, "train accuracy %.2f%%, held-out accuracy %.2f%%\n", 100*trainAcc, 100*testAcc)
	if err != nil {
		return err
	}
	return writeFile(filepath.Join(dir, "boundary.png"), img)
}

// linearTask fits y = Xw + b by gradient descent on the mean squared error.
type linearTask struct {
	data regression
	test regression // held-out rows of the same regression
	wd   float64
	opt  string
	lin  *nn.Linear
}

func newLinearTask(o options, rng *rand.Rand) *linearTask {
	data := linearData(rand.New(rand.NewPCG(o.Seed, 1)), 200, 3)
	test := data.sample(rand.New(rand.NewPCG(o.Seed, 2)), 100)
	return &linearTask{data: data, test: test, wd: o.WD, opt: o.Opt, lin: nn.NewLinear(rng, 3, 1, true)}
}

func (t *linearTask) module() nn.Module  { return t.lin }
func (t *linearTask) metric() string     { return "" }
func (t *linearTask) stepsPerEpoch() int { return 1 }
func (t *linearTask) eval() (float64, float64) {
	var loss float64
	evalNoGrad(t.lin, func() {
		loss = float64(ops.MSE(t.lin.Forward(autograd.Const(t.test.X)), autograd.Const(t.test.Y)).Item())
	})
	return loss, math.NaN()
}

func (t *linearTask) loss(int) (*autograd.Value, float64) {
	return ops.MSE(t.lin.Forward(autograd.Const(t.data.X)), autograd.Const(t.data.Y)), math.NaN()
}

// closedForm solves the normal equations of the mean squared error with an
// L2 penalty (λ/2)·‖θ‖² on all of θ = (w, b), which is what SGD's weight
// decay λ minimises: (XᵀX + (n·λ/2)·I)θ = Xᵀy, with X holding a column of ones.
func (t *linearTask) closedForm(lambda float64) (*tensor.Tensor, error) {
	n := t.data.X.Dim(0)
	X := tensor.Concat(1, t.data.X, tensor.Ones(n, 1))
	xtx := tensor.MatMulT(X, X, true, false)
	if lambda > 0 {
		xtx = tensor.Add(xtx, tensor.MulScalar(tensor.Eye(X.Dim(1)), float32(float64(n)*lambda/2)))
	}
	theta, err := tensor.Solve(xtx, tensor.MatMulT(X, t.data.Y, true, false))
	if err != nil {
		return nil, fmt.Errorf("normal equations: %w", err)
	}
	return tensor.Reshape(theta, -1), nil
}

func (t *linearTask) report(w io.Writer, _ string) error {
	gd := append(append([]float32{}, t.lin.Weight.Data.Data()...), t.lin.Bias.Data.Data()...)
	exact, err := t.closedForm(0)
	if err != nil {
		return err
	}
	lambda := t.wd
	if lambda == 0 {
		lambda = 0.1 // to show what an L2 penalty does
	}
	ridge, err := t.closedForm(lambda)
	if err != nil {
		return err
	}
	row := func(name string, v []float32) {
		fmt.Fprintf(w, "  %-28s", name)
		for _, x := range v {
			fmt.Fprintf(w, " %9.5f", x)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "linear regression on %d rows, y = x·w + b + N(0, %.2g²):\n", t.data.X.Dim(0), t.data.Noise)
	fmt.Fprintf(w, "  %-28s %9s %9s %9s %9s\n", "", "w1", "w2", "w3", "b")
	row("true", append(append([]float32{}, t.data.W...), t.data.B))
	row("gradient descent", gd)
	row("normal equations", exact.Data())
	row(fmt.Sprintf("normal equations, L2 λ=%g", lambda), ridge.Data())
	ref := exact
	if t.wd > 0 {
		ref = ridge
	}
	diff := tensor.MaxAll(tensor.Abs(tensor.Sub(tensor.FromSlice(gd), ref)))
	fmt.Fprintf(w, "max |gradient descent − closed form (λ=%g)| = %.3g\n", t.wd, diff)
	if t.opt == "adamw" && t.wd > 0 {
		fmt.Fprintln(w, "(AdamW decays the weights apart from the gradient, so it does not minimise the L2 objective: expect a difference)")
	}
	return nil
}

// seqTask trains a GPT on next-token prediction.
type seqTask struct {
	train, test sequences
	testX       []int
	testY       []int
	batch, T    int
	evalChunk   int // held-out sequences a forward pass at a time
	seed        uint64
	gpt         *nn.GPT
	hit99       int // the first step with held-out sequence accuracy ≥ 99%, or -1
	text        *chars

	rows, targets []int // the training step's trained positions, reused (forwardTrained)
}

func newSeqTask(o options, rng *rand.Rand) (*seqTask, error) {
	t := &seqTask{batch: o.Batch, evalChunk: evalChunk(o), seed: o.Seed, hit99: -1}
	switch o.Data {
	case "reverse":
		t.train, t.test = reversal{reverseLen}, reversal{reverseLen}
	case "modadd":
		t.train, t.test = modAddSplit(rand.New(rand.NewPCG(o.Seed, 3)), modP)
	default:
		c, err := loadChars(o.Data, o.Context)
		if err != nil {
			return nil, err
		}
		// The last tenth of the text is held out: loadChars made sure that
		// both parts are longer than a row.
		cut := len(c.Text) * 9 / 10
		tr, te := c, c
		tr.Text, te.Text = c.Text[:cut], c.Text[cut:]
		t.train, t.test, t.text = tr, te, &c
	}
	t.T = t.train.context()
	t.testX, t.testY = t.test.batch(rand.New(rand.NewPCG(o.Seed, 999_999)), 1024)
	if err := checkSize(o, t.train.vocab()); err != nil {
		return nil, err
	}
	t.gpt = nn.NewGPT(rng, nn.GPTConfig{Vocab: t.train.vocab(), Context: t.T, Dim: o.DModel, Heads: o.Heads, Layers: o.Layers, Hidden: o.Hidden, Dropout: float32(o.Dropout)})
	return t, nil
}

func (t *seqTask) module() nn.Module { return t.gpt }

// stepsPerEpoch is, for a text, the steps whose batches hold as many tokens
// as the training text; the synthetic tasks are endless.
func (t *seqTask) stepsPerEpoch() int {
	if t.text == nil {
		return 0
	}
	n := len(t.train.(chars).Text)
	return (n + t.batch*t.T - 1) / (t.batch * t.T)
}
func (t *seqTask) metric() string {
	if t.text != nil {
		return "acc"
	}
	return "seq acc"
}

func (t *seqTask) loss(step int) (*autograd.Value, float64) {
	x, y := t.train.batch(derivedRNG(t.seed, batchStream, step), t.batch)
	// The rows and targets live until the step's backward pass, which ends
	// before the next step asks for them again.
	var logits *autograd.Value
	logits, t.rows, t.targets = t.forwardTrained(x, y, t.batch, t.rows, t.targets)
	return ops.CrossEntropy(logits, t.targets), accuracy(logits.Data, t.targets)
}

// forwardTrained returns the logits (rows, vocab) of the n sequences x at
// the positions that have a target in y, with their places in the flattened
// batch and their targets, appended to rows[:0] and targets[:0]. The
// synthetic tasks' targets skip the prompt, so the model computes its last
// layers only where a loss needs them (nn.GPT.ForwardRows); a text file
// has a target at every position.
func (t *seqTask) forwardTrained(x, y []int, n int, rows, targets []int) (*autograd.Value, []int, []int) {
	rows, targets = rows[:0], targets[:0]
	for i, c := range y {
		if c != ignoreIndex {
			rows, targets = append(rows, i), append(targets, c)
		}
	}
	return t.gpt.ForwardRows(x, n, t.T, rows), rows, targets
}

// eval returns the held-out loss and, for the synthetic tasks, the fraction
// of rows whose every trained position is right (teacher-forced); for text,
// the token accuracy.
func (t *seqTask) eval() (loss, acc float64) {
	chunk := t.evalChunk
	rows := len(t.testY) / t.T
	var right, tokRight, tokens int
	evalNoGrad(t.gpt, func() {
		wrong := make([]bool, chunk)
		var at, targets []int
		for r := 0; r < rows; r += chunk {
			n := min(chunk, rows-r)
			x, y := t.testX[r*t.T:(r+n)*t.T], t.testY[r*t.T:(r+n)*t.T]
			var logits *autograd.Value
			logits, at, targets = t.forwardTrained(x, y, n, at, targets)
			loss += float64(ops.CrossEntropy(logits, targets).Item()) * float64(n)
			pred := tensor.ArgMax(logits.Data, -1, false).Data()
			clear(wrong)
			for j, c := range targets {
				tokens++
				if int(pred[j]) == c {
					tokRight++
				} else {
					wrong[at[j]/t.T] = true
				}
			}
			for i := range n {
				if !wrong[i] {
					right++
				}
			}
		}
	})
	if t.text != nil {
		return loss / float64(rows), float64(tokRight) / float64(max(tokens, 1))
	}
	return loss / float64(rows), float64(right) / float64(rows)
}

func (t *seqTask) report(w io.Writer, _ string) error {
	if r, ok := t.test.(reversal); ok {
		// Reverse one held-out sequence by greedy generation.
		prompt := t.testX[:r.L+1]
		out := t.gpt.Generate(nil, prompt, r.L, 0)
		fmt.Fprintf(w, "example: %v reversed by the model: %v\n", prompt[:r.L], out)
	}
	return nil
}

// sample generates n characters after a prompt from the held-out text.
func (t *seqTask) sample(w io.Writer, rng *rand.Rand, n int) {
	test := t.test.(chars)
	prompt := test.Text[:min(len(test.Text), t.T/2)]
	out := t.gpt.Generate(rng, prompt, n, 0.8)
	fmt.Fprintf(w, "sample (temperature 0.8) after %q:\n%s\n", t.text.decode(prompt), t.text.decode(out))
}

// writeFile writes data to path atomically: into a temporary file in the
// same folder, synced, then renamed, so that a crash never leaves half a
// file. Unlike nn's checkpoints it does not sync the folder or keep an
// existing file's mode: a lost plot or CSV is made again by the next run.
func writeFile(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	_, err = f.Write(data)
	err = errors.Join(err, f.Chmod(0o644), f.Sync(), f.Close())
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
