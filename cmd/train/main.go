// Command train trains small models on toy datasets made in code: an MLP on
// 2-D points (spiral, moons, circles, xor, blobs), linear regression beside
// its closed-form solution, and a transformer on sequence reversal, modular
// addition or the characters of a text file. It shows progress, writes
// metrics, plots and checkpoints into a run folder, and can resume.
//
// With no flags it fits an MLP to the spiral dataset in under a second:
//
//	go run ./cmd/train
//	go run ./cmd/train -data moons -hidden 32
//	go run ./cmd/train -data reverse
//	go run ./cmd/train -data linear -wd 0.1
//	go run ./cmd/train -data corpus.txt -steps 3000 -sample 200
//
// Run it with -help for every flag.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"slices"
	"syscall"
	"time"
)

func main() {
	setGC()
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, interrupts()))
}

// interrupts returns the channel on which run hears of Ctrl-C or SIGTERM:
// the first stops training after the current step, with a checkpoint. A
// second, for a step or a checkpoint that takes too long, exits at once;
// the checkpoint's file is then the previous one, as its writes are
// atomic (a temporary file being written may be left beside it).
func interrupts() <-chan os.Signal {
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	first := make(chan os.Signal, 1)
	go func() {
		first <- <-signals
		<-signals
		fmt.Fprintln(os.Stderr, "\ntrain: interrupted twice: stopped at once; the last checkpoint written, if any, stays")
		os.Exit(130)
	}()
	return first
}

// setGC sets the collector's target for training to 400, unless GOGC is in
// the environment, and returns a func that puts back the target it replaced
// (one that does nothing when GOGC is set). Steps Release their activations
// for the next step to reuse, so a step allocates little next to the live
// heap (KB for the spiral, a few MB for a transformer) and even the default
// GOGC collects only every several steps or more; the higher target makes
// that rarer still, for a little more memory. The benchmarks call it too,
// to time the steps as a run goes.
func setGC() (restore func()) {
	if os.Getenv("GOGC") != "" {
		return func() {}
	}
	old := debug.SetGCPercent(400)
	return func() { debug.SetGCPercent(old) }
}

// options are the settings of a run; they are saved in checkpoints.
type options struct {
	Data     string  `json:"data"`
	Model    string  `json:"model"`
	Hidden   int     `json:"hidden"`
	Layers   int     `json:"layers"`
	DModel   int     `json:"dmodel"`
	Heads    int     `json:"heads"`
	Context  int     `json:"context"`
	Dropout  float64 `json:"dropout"`
	Opt      string  `json:"opt"`
	LR       float64 `json:"lr"`
	WD       float64 `json:"wd"`
	Schedule string  `json:"schedule"`
	Warmup   int     `json:"warmup"`
	Clip     float64 `json:"clip"`
	Batch    int     `json:"batch"`
	Steps    int     `json:"steps"`
	Epochs   int     `json:"epochs"`
	Seed     uint64  `json:"seed"`
	// ScheduleSteps is the length of the learning-rate schedule: the first
	// run's step count, kept when a resumed run goes on for longer.
	ScheduleSteps int `json:"schedule_steps"`
	runFlags      `json:"-"`
}

// runFlags are the settings of one run that do not shape the model, the data
// or the training: checkpoints do not save them, and a resumed run takes
// them from its own command line.
type runFlags struct {
	Threads   int
	EvalEvery int
	Out       string
	Resume    string
	Sample    int
	Quiet     bool
}

// register defines the flags that set r.
func (r *runFlags) register(fs *flag.FlagSet) {
	fs.IntVar(&r.Threads, "threads", 0, "goroutines for matrix products (default GOMAXPROCS); results do not depend on it, e.g. -threads 1")
	fs.IntVar(&r.EvalEvery, "eval-every", 0, "evaluate on held-out data and write a checkpoint every this many steps (default: about 10 times a run), e.g. -eval-every 50")
	fs.StringVar(&r.Out, "out", "", "run `folder` (default runs/<dataset>-<time>, or runs/chars-<time> for a text file), e.g. -out runs/try1")
	fs.StringVar(&r.Resume, "resume", "", "continue from this checkpoint `file`, with its settings; -steps may extend the run, e.g. -resume runs/try1/checkpoint.safetensors -steps 4000")
	fs.IntVar(&r.Sample, "sample", 0, "after training a character model, generate this many characters, e.g. -data book.txt -sample 300")
	fs.BoolVar(&r.Quiet, "quiet", false, "print only the final summary, e.g. -quiet")
}

// usageError is a bad flag or flag combination: exit code 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

const helpText = `train trains a model on a toy dataset and writes metrics.csv, loss.png,
boundary.png (2-D datasets), model.safetensors and checkpoint.safetensors
into the run folder.

Examples:
  train                                  MLP 2-100-3 on the spiral, Adam
  train -data moons -hidden 32 -steps 500
  train -data xor -opt sgd -lr 0.5
  train -data linear -wd 0.1             gradient descent vs. normal equations
  train -data reverse                    transformer reverses 16-token sequences
  train -data modadd -schedule cosine -warmup 200 -clip 1
                                         transformer learns a+b mod 97 (99% by step 1500)
  train -data corpus.txt -sample 300     character model of your text file, then sample
  train -resume runs/spiral-.../checkpoint.safetensors -steps 4000

Flags:
`

// parseFlags parses the command line; -help writes the help to help and
// returns flag.ErrHelp.
func parseFlags(args []string, help io.Writer) (options, map[string]bool, error) {
	var o options
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.Data, "data", "spiral", "dataset: spiral, moons, circles, xor, blobs, linear, reverse, modadd, or a text `file` for a character model, e.g. -data moons")
	fs.StringVar(&o.Model, "model", "", "model: mlp, linear or transformer (default: mlp for points, linear for linear, transformer for sequences), e.g. -data blobs -model linear")
	fs.IntVar(&o.Hidden, "hidden", 0, "width of each MLP hidden layer (default 100), or of the transformer's feed-forward layer (default 4×dmodel), e.g. -hidden 32")
	fs.IntVar(&o.Layers, "layers", 0, "MLP hidden layers (default 1) or transformer blocks (default 2), e.g. -layers 3")
	fs.IntVar(&o.DModel, "dmodel", 64, "transformer width d_model, e.g. -data reverse -dmodel 128")
	fs.IntVar(&o.Heads, "heads", 4, "transformer attention heads (must divide -dmodel), e.g. -data reverse -heads 8")
	fs.IntVar(&o.Context, "context", 32, "transformer context length for a text file (reverse and modadd have 32), e.g. -data book.txt -context 64")
	fs.Float64Var(&o.Dropout, "dropout", 0, "dropout probability in the transformer, e.g. -data reverse -dropout 0.1")
	fs.StringVar(&o.Opt, "opt", "", "optimizer: sgd, momentum, adam or adamw (default: adam for points, sgd for linear, adamw for sequences), e.g. -opt momentum")
	fs.Float64Var(&o.LR, "lr", 0, "learning rate (default: 0.01 adam, 1e-3 adamw, 0.1 sgd and momentum), e.g. -lr 0.003")
	fs.Float64Var(&o.WD, "wd", 0, "weight decay: L2 for sgd, momentum and adam, decoupled for adamw (default 0.01 for adamw, else 0), e.g. -wd 1e-4")
	fs.StringVar(&o.Schedule, "schedule", "constant", "learning-rate schedule: constant, step (×0.1 at each third of the run) or cosine (with -warmup), e.g. -schedule step")
	fs.IntVar(&o.Warmup, "warmup", 0, "warmup steps of the cosine schedule, e.g. -schedule cosine -warmup 100")
	fs.Float64Var(&o.Clip, "clip", 0, "clip the global gradient norm to this value (0: off), e.g. -clip 1")
	fs.IntVar(&o.Batch, "batch", 0, "batch size (default: the whole training set for points, 64 for sequences), e.g. -batch 32")
	fs.IntVar(&o.Steps, "steps", 0, "training steps (default depends on the dataset), e.g. -steps 500")
	fs.IntVar(&o.Epochs, "epochs", 0, "train for this many passes over a fixed dataset instead of -steps, e.g. -data moons -batch 50 -epochs 20")
	fs.Uint64Var(&o.Seed, "seed", 1, "random seed: data, initialisation and batches, e.g. -seed 7")
	o.runFlags.register(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(help, helpText)
			fs.SetOutput(help)
			fs.PrintDefaults()
			return o, nil, err
		}
		return o, nil, usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return o, nil, usagef("unexpected argument %q (flags start with -)", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if set["steps"] && set["epochs"] { // checked here, as resuming takes either
		return o, nil, usagef("-steps %d -epochs %d: give one or the other", o.Steps, o.Epochs)
	}
	return o, set, nil
}

// kind is what a dataset name stands for.
func kind(data string) string {
	switch data {
	case "spiral", "moons", "circles", "xor", "blobs":
		return "points"
	case "linear":
		return "linear"
	case "reverse", "modadd":
		return "sequence"
	}
	return "text"
}

// complete fills in the defaults that depend on the dataset and checks the
// settings. set holds the flags given on the command line; it is nil for
// settings read back from a checkpoint, which are complete already.
func complete(o *options, set map[string]bool) error {
	k := kind(o.Data)
	if o.Model == "" {
		o.Model = map[string]string{"points": "mlp", "linear": "linear", "sequence": "transformer", "text": "transformer"}[k]
	}
	if o.Opt == "" {
		o.Opt = map[string]string{"points": "adam", "linear": "sgd", "sequence": "adamw", "text": "adamw"}[k]
	}
	if o.LR == 0 {
		o.LR = map[string]float64{"adam": 0.01, "adamw": 1e-3, "sgd": 0.1, "momentum": 0.1}[o.Opt]
	}
	if set != nil && !set["wd"] && o.Opt == "adamw" {
		o.WD = 0.01
	}
	if o.Hidden == 0 {
		o.Hidden = 100
		if o.Model == "transformer" {
			o.Hidden = 4 * o.DModel
		}
	}
	if o.Layers == 0 {
		o.Layers = map[bool]int{true: 2, false: 1}[o.Model == "transformer"]
	}
	if o.Steps == 0 && o.Epochs == 0 {
		o.Steps = map[string]int{"spiral": 2000, "linear": 500, "reverse": 150, "modadd": 3000}[o.Data]
		if o.Steps == 0 {
			o.Steps = map[string]int{"points": 1000, "text": 2000}[k]
		}
	}
	if o.Batch == 0 && k != "points" && k != "linear" {
		o.Batch = 64
	}
	if k == "text" && set != nil {
		// Checkpoints name the file absolutely, so that -resume finds it
		// from any folder.
		if abs, err := filepath.Abs(o.Data); err == nil {
			o.Data = abs
		}
	}
	switch {
	case o.Model != "mlp" && o.Model != "linear" && o.Model != "transformer":
		return usagef("-model %q: want mlp, linear or transformer", o.Model)
	case (k == "points" || k == "linear") && o.Model == "transformer":
		return usagef("-model transformer needs a sequence dataset (reverse, modadd or a text file), not %s", o.Data)
	case (k == "sequence" || k == "text") && o.Model != "transformer":
		return usagef("-data %s needs -model transformer", o.Data)
	case k == "linear" && o.Model != "linear":
		return usagef("-data linear needs -model linear")
	case !slices.Contains([]string{"sgd", "momentum", "adam", "adamw"}, o.Opt):
		return usagef("-opt %q: want sgd, momentum, adam or adamw", o.Opt)
	// The float checks are written so that NaN fails them too.
	case !(o.LR > 0 && o.LR <= 100) || float32(o.LR) == 0:
		return usagef("-lr %v: want a learning rate in (0, 100], at least float32's smallest, 1.4e-45", o.LR)
	case !(o.WD >= 0 && o.WD <= 10):
		return usagef("-wd %v: want a value in [0, 10]", o.WD)
	case o.Schedule != "constant" && o.Schedule != "step" && o.Schedule != "cosine":
		return usagef("-schedule %q: want constant, step or cosine", o.Schedule)
	case o.Model != "transformer" && (set["dmodel"] || set["heads"] || set["context"]):
		return usagef("-dmodel, -heads and -context shape the transformer")
	case o.DModel < 1 || o.Heads < 1 || o.DModel%o.Heads != 0 || o.DModel > 4096:
		return usagef("-dmodel %d -heads %d: want heads dividing dmodel, dmodel up to 4096", o.DModel, o.Heads)
	case o.Hidden < 1 || o.Hidden > 1<<16:
		return usagef("-hidden %d: want 1 to 65536", o.Hidden)
	case o.Model == "linear" && (set["hidden"] || set["layers"]):
		return usagef("-hidden and -layers shape the MLP and the transformer, not -model linear")
	case o.Model != "transformer" && set["dropout"]:
		return usagef("-dropout applies to the transformer")
	case set["context"] && k == "sequence" && o.Context != contextLen(*o):
		return usagef("-context: %s has a context of %d", o.Data, contextLen(*o))
	case o.Layers < 0 || o.Layers > 64:
		return usagef("-layers %d: want 1 to 64", o.Layers)
	case o.Context < 2 || o.Context > 4096:
		return usagef("-context %d: want 2 to 4096", o.Context)
	case !(o.Dropout >= 0 && o.Dropout < 1):
		return usagef("-dropout %v: want a probability in [0, 1)", o.Dropout)
	case !(o.Clip >= 0) || math.IsInf(o.Clip, 1):
		return usagef("-clip %v: want 0 (off) or a positive, finite norm", o.Clip)
	case o.Batch < 0 || o.Batch > maxBatch:
		return usagef("-batch %d: want a positive size up to %d", o.Batch, maxBatch)
	case k == "linear" && set["batch"]:
		return usagef("-batch: -data linear fits by full-batch gradient descent, to compare with the normal equations")
	case o.Steps < 0 || o.Epochs < 0:
		return usagef("-steps and -epochs must not be negative")
	case o.Epochs > 0 && k == "sequence":
		return usagef("-epochs needs a fixed dataset; %s draws fresh sequences every step: use -steps", o.Data)
	case o.Warmup < 0 || (o.Warmup > 0 && o.Schedule != "cosine"):
		return usagef("-warmup %d: only with -schedule cosine", o.Warmup)
	case set["warmup"] && o.Steps > 0 && o.Warmup >= o.Steps:
		return usagef("-warmup %d: want fewer steps than the run's %d", o.Warmup, o.Steps)
	case o.ScheduleSteps < 0:
		return usagef("schedule_steps %d: want a positive length", o.ScheduleSteps)
	case o.Threads < 0 || o.Threads > maxThreads:
		return usagef("-threads %d: want 0 (one per core) to %d", o.Threads, maxThreads)
	case o.EvalEvery < 0 || o.Sample < 0:
		return usagef("-eval-every and -sample must not be negative")
	case o.Sample > 0 && k != "text":
		return usagef("-sample generates text from a character model: use it with -data file.txt")
	}
	if o.Model == "transformer" {
		if need := stepBytes(*o, o.Batch); need > maxStepBytes {
			return usagef("-batch %d -context %d -dmodel %d -layers %d: a step would hold about %d MiB of activations; the limit is %d MiB",
				o.Batch, o.Context, o.DModel, o.Layers, need>>20, maxStepBytes>>20)
		}
	}
	return nil
}

// contextLen returns the transformer's context: the synthetic task's own,
// or -context for a text file.
func contextLen(o options) int {
	if kind(o.Data) == "sequence" {
		return synthetic(o.Data).context()
	}
	return o.Context
}

// evalChunk returns how many held-out sequences an evaluation runs at a
// time: 256, or as many as a step may hold when 256 would hold more.
func evalChunk(o options) int {
	return int(min(256, max(1, maxStepBytes/stepBytes(o, 1))))
}

// maxBatch and maxThreads bound -batch and -threads.
const (
	maxBatch   = 1 << 20
	maxThreads = 1024
)

// maxStepBytes bounds the activations a transformer step may hold, so that
// a mistyped flag gives a message rather than running out of memory. For
// the default reversal run stepBytes estimates 44 MiB, where the step
// holds 24 MiB at most: the estimate errs high.
const maxStepBytes = 4 << 30

// stepBytes estimates the activations and their gradients that a
// transformer step on batch sequences holds at once, in bytes: per
// position and block, LayerNorm's two copies, the projections, the
// attention weights (heads × context) and the feed-forward layer's two,
// all twice for the gradients.
func stepBytes(o options, batch int) int64 {
	T := int64(contextLen(o))
	B, C, H, F := int64(batch), int64(o.DModel), int64(o.Heads), int64(o.Hidden)
	perBlock := 10*C + H*T + 2*F
	return 2 * 4 * B * T * (int64(o.Layers)*perBlock + 4*C)
}

// run is the program: it returns the exit code. Tests call it in-process.
// A value on interrupt stops training after the current step, with a
// checkpoint.
func run(args []string, stdout, stderr io.Writer, interrupt <-chan os.Signal) int {
	o, set, err := parseFlags(args, stdout) // -help is output asked for, as in go help
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	var c *checkpoint
	if err == nil && o.Resume != "" {
		c, err = readCheckpoint(o.Resume)
		if err == nil {
			o, err = resumeOptions(o, set, c)
		}
	}
	if err == nil {
		if c != nil {
			set = nil
		}
		err = complete(&o, set)
		var ue usageError
		if c != nil && errors.As(err, &ue) { // the settings came from the file
			err = inputError{fmt.Errorf("resume: %s holds settings that do not work: %v", o.Resume, ue.msg)}
		}
	}
	if err == nil {
		var t *trainer
		t, err = newTrainer(o, stdout, c)
		if err == nil {
			err = t.train(interrupt)
		}
	}
	var ue usageError
	var ie inputError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "train: %v (see train -help)\n", err)
		return 2
	case errors.As(err, &ie):
		fmt.Fprintf(stderr, "train: %v\n", err)
		return 2
	case errors.Is(err, errInterrupted):
		fmt.Fprintf(stderr, "train: %v\n", err)
		return 130
	default:
		fmt.Fprintf(stderr, "train: %v\n", err)
		return 1
	}
}

var errInterrupted = errors.New("interrupted")

// newRunFolder creates the default run folder for a dataset,
// runs/<dataset>-<time>, with -2, -3 and so on after it when a run
// started in the same second has that name.
func newRunFolder(o options) (string, error) {
	name := o.Data
	if kind(o.Data) == "text" {
		name = "chars"
	}
	base := fmt.Sprintf("runs/%s-%s", name, time.Now().Format("20060102-150405"))
	if err := os.MkdirAll("runs", 0o755); err != nil {
		return "", err
	}
	dir := base
	for i := 2; ; i++ {
		err := os.Mkdir(dir, 0o755)
		if !errors.Is(err, fs.ErrExist) {
			return dir, err
		}
		dir = fmt.Sprintf("%s-%d", base, i)
	}
}

// maxParams bounds the size of a model (1 GiB of float32 parameters), so that
// a mistyped flag or an edited checkpoint cannot exhaust memory.
const maxParams = 1 << 28

// mlpHidden returns the hidden layer widths of the MLP the options describe.
func mlpHidden(o options) []int {
	hidden := make([]int, 0, o.Layers)
	if o.Model == "mlp" {
		for range o.Layers {
			hidden = append(hidden, o.Hidden)
		}
	}
	return hidden
}

// modelSize returns the number of parameters of the model the options
// describe, with out classes or tokens.
func modelSize(o options, out int) int64 {
	switch o.Model {
	case "transformer":
		C, H, V, T := int64(o.DModel), int64(o.Hidden), int64(out), int64(contextLen(o))
		block := 2*C + (3*C*C + 3*C) + (C*C + C) + 2*C + (C*H + H) + (H*C + C)
		return V*C + T*C + int64(o.Layers)*block + 2*C + C*V + V
	case "linear":
		if kind(o.Data) == "linear" {
			return 3 + 1
		}
	}
	n, in := int64(0), int64(2)
	for _, h := range append(mlpHidden(o), out) {
		n += in*int64(h) + int64(h)
		in = int64(h)
	}
	return n
}

// checkSize returns an error if the model would be larger than maxParams.
func checkSize(o options, out int) error {
	if n := modelSize(o, out); n > maxParams {
		return usagef("the model would have %d parameters; the limit is %d", n, maxParams)
	}
	return nil
}
