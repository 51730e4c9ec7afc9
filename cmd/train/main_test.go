package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gotensor/gotensor/nn"
)

// runTrain runs the program in-process and returns its exit code and output.
func runTrain(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, &out, &errb, nil)
	return code, out.String(), errb.String()
}

// readRows parses metrics.csv into its columns step, loss, accuracy, lr.
func readRows(t *testing.T, dir string) [][]string {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "metrics.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("metrics.csv does not parse: %v", err)
	}
	if len(recs) == 0 || strings.Join(recs[0], ",") != "step,loss,accuracy,lr,seconds" {
		t.Fatalf("metrics.csv header = %v", recs)
	}
	rows := make([][]string, 0, len(recs)-1)
	for _, r := range recs[1:] {
		rows = append(rows, r[:4]) // time differs between runs
	}
	return rows
}

func losses(t *testing.T, rows [][]string) []float64 {
	t.Helper()
	ls := make([]float64, len(rows))
	for i, r := range rows {
		v, err := strconv.ParseFloat(r[1], 64)
		if err != nil || math.IsNaN(v) {
			t.Fatalf("row %d: loss %q", i, r[1])
		}
		ls[i] = v
	}
	return ls
}

func mean(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

// small is the settings of a tiny transformer, for quick tests.
var small = []string{"-dmodel", "16", "-heads", "2", "-layers", "1", "-batch", "16", "-lr", "0.005"}

func writeCorpus(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "corpus.txt")
	text := strings.Repeat("the quick brown fox jumps over the lazy dog. ", 40)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestEveryDatasetAndModel(t *testing.T) {
	corpus := writeCorpus(t)
	tests := []struct {
		name  string
		args  []string
		steps int
		plot2 bool // writes boundary.png
	}{
		{"spiral", []string{"-data", "spiral"}, 60, true},
		{"moons", []string{"-data", "moons", "-batch", "50", "-opt", "momentum"}, 60, true},
		{"circles", []string{"-data", "circles", "-layers", "2", "-hidden", "16"}, 60, true},
		{"xor", []string{"-data", "xor", "-opt", "sgd", "-lr", "0.5"}, 60, true},
		{"blobs", []string{"-data", "blobs", "-model", "linear", "-opt", "adamw"}, 60, true},
		{"linear", []string{"-data", "linear", "-schedule", "step"}, 60, false},
		{"reverse", append([]string{"-data", "reverse", "-schedule", "cosine", "-warmup", "5", "-clip", "1"}, small...), 40, false},
		{"modadd", append([]string{"-data", "modadd"}, small...), 40, false},
		{"chars", append([]string{"-data", corpus, "-context", "16", "-sample", "20", "-dropout", "0.1"}, small...), 40, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			args := append(slices.Clone(tt.args), "-steps", strconv.Itoa(tt.steps), "-out", dir, "-eval-every", "20")
			code, stdout, stderr := runTrain(t, args...)
			if code != 0 {
				t.Fatalf("train %v: exit %d, stderr %q", args, code, stderr)
			}
			rows := readRows(t, dir)
			if len(rows) != tt.steps {
				t.Fatalf("metrics.csv has %d rows; want %d", len(rows), tt.steps)
			}
			ls := losses(t, rows)
			if first, last := mean(ls[:5]), mean(ls[len(ls)-5:]); !(last < first) {
				t.Errorf("loss did not go down: first steps %.4f, last steps %.4f", first, last)
			}
			pngs := []string{"loss.png"}
			if tt.plot2 {
				pngs = append(pngs, "boundary.png")
			}
			for _, name := range pngs {
				f, err := os.Open(filepath.Join(dir, name))
				if err != nil {
					t.Fatal(err)
				}
				if _, err := png.Decode(f); err != nil {
					t.Errorf("%s does not decode: %v", name, err)
				}
				f.Close()
			}
			if _, _, err := nn.ReadTensors(filepath.Join(dir, "model.safetensors")); err != nil {
				t.Errorf("model.safetensors: %v", err)
			}
			if c, err := readCheckpoint(filepath.Join(dir, checkpointName)); err != nil || c.step != tt.steps {
				t.Errorf("checkpoint: %v (step %v); want step %d", err, c, tt.steps)
			}
			if !strings.Contains(stdout, "wrote "+dir) {
				t.Errorf("stdout does not name the run folder:\n%s", stdout)
			}
		})
	}
}

func TestResumeIsBitwiseIdentical(t *testing.T) {
	cases := map[string][]string{
		"spiral minibatch cosine": {"-data", "spiral", "-batch", "64", "-eval-every", "7", "-schedule", "cosine", "-warmup", "3"},
		"reverse dropout":         append([]string{"-data", "reverse", "-dropout", "0.1", "-eval-every", "7"}, small...),
	}
	defer func() { interruptAt = -1 }()
	for name, args := range cases {
		t.Run(name, func(t *testing.T) {
			whole, part := t.TempDir(), t.TempDir()
			interruptAt = -1
			if code, _, stderr := runTrain(t, append(slices.Clone(args), "-steps", "20", "-out", whole, "-quiet")...); code != 0 {
				t.Fatalf("uninterrupted run: exit %d: %s", code, stderr)
			}
			interruptAt = 11 // as if Ctrl-C came during step 12
			if code, _, stderr := runTrain(t, append(slices.Clone(args), "-steps", "20", "-out", part, "-quiet")...); code != 130 {
				t.Fatalf("interrupted run: exit %d: %s; want 130", code, stderr)
			}
			interruptAt = -1
			// Until the resumed run writes its first checkpoint, the metrics
			// of the first part stay.
			if rows := readRows(t, part); len(rows) != 11 {
				t.Fatalf("after the interrupt, metrics.csv has %d rows; want 11", len(rows))
			}
			code, _, stderr := runTrain(t, "-resume", filepath.Join(part, checkpointName), "-quiet")
			if code != 0 {
				t.Fatalf("resumed run: exit %d: %s", code, stderr)
			}
			want, got := readRows(t, whole), readRows(t, part)
			if !slices.EqualFunc(want, got, slices.Equal) {
				t.Errorf("resumed metrics differ from the uninterrupted run:\nwant %v\ngot  %v", want, got)
			}
		})
	}
}

func TestInterruptWritesCheckpoint(t *testing.T) {
	dir := t.TempDir()
	interrupt := make(chan os.Signal, 1)
	interrupt <- os.Interrupt
	var out, errb bytes.Buffer
	code := run([]string{"-steps", "30", "-out", dir, "-quiet"}, &out, &errb, interrupt)
	if code != 130 || !strings.Contains(errb.String(), "interrupted at step 0") || !strings.Contains(errb.String(), "-resume") {
		t.Fatalf("interrupted run: exit %d, stderr %q; want 130 and a resume hint", code, errb.String())
	}
	if strings.Count(strings.TrimSpace(errb.String()), "\n") != 0 {
		t.Errorf("stderr has more than one line: %q", errb.String())
	}
	if code, _, stderr := runTrain(t, "-resume", filepath.Join(dir, checkpointName), "-quiet"); code != 0 {
		t.Fatalf("resume after interrupt: exit %d: %s", code, stderr)
	}
	whole := t.TempDir()
	runTrain(t, "-steps", "30", "-out", whole, "-quiet")
	if want, got := readRows(t, whole), readRows(t, dir); !slices.EqualFunc(want, got, slices.Equal) {
		t.Errorf("interrupted and resumed run differs from an uninterrupted one")
	}
}

func TestDivergenceStops(t *testing.T) {
	dir := t.TempDir()
	code, _, stderr := runTrain(t, "-data", "linear", "-lr", "50", "-steps", "200", "-eval-every", "1", "-out", dir, "-quiet")
	if code != 1 || !strings.Contains(stderr, "loss became") || !strings.Contains(stderr, "at step") {
		t.Fatalf("diverging run: exit %d, stderr %q; want 1 and the step", code, stderr)
	}
	c, err := readCheckpoint(filepath.Join(dir, checkpointName))
	if err != nil {
		t.Fatalf("the last good checkpoint: %v", err)
	}
	for name, v := range c.model {
		for _, x := range v.Data() {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				t.Fatalf("checkpoint tensor %s holds %v", name, x)
			}
		}
	}
	if !strings.Contains(stderr, "step "+strconv.Itoa(c.step)+")") {
		t.Errorf("stderr %q does not name the checkpoint's step %d", stderr, c.step)
	}
}

func TestBadInput(t *testing.T) {
	empty := filepath.Join(t.TempDir(), "empty.txt")
	os.WriteFile(empty, nil, 0o644)
	notDir := filepath.Join(t.TempDir(), "file")
	os.WriteFile(notDir, []byte("x"), 0o644)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-nosuchflag"}, "flag provided but not defined"},
		{[]string{"-steps", "ten"}, "invalid value"},
		{[]string{"extra"}, "unexpected argument"},
		{[]string{"-data", filepath.Join(t.TempDir(), "missing.txt")}, "no such file"},
		{[]string{"-data", empty}, "has 0 characters"},
		{[]string{"-out", filepath.Join(notDir, "run")}, "run folder"},
		{[]string{"-data", "reverse", "-heads", "3"}, "-heads 3"},
		{[]string{"-heads", "3"}, "shape the transformer"},
		{[]string{"-data", "linear", "-hidden", "5"}, "not -model linear"},
		{[]string{"-dropout", "0.1"}, "-dropout applies to the transformer"},
		{[]string{"-data", "reverse", "-context", "16"}, "context of 32"},
		{[]string{"-opt", "dam"}, "-opt \"dam\""},
		{[]string{"-lr", "200"}, "-lr 200: want a learning rate in (0, 100]"},
		{[]string{"-hidden", "65536", "-layers", "64"}, "parameters; the limit is"},
		{[]string{"-data", "reverse", "-dmodel", "4096", "-layers", "64", "-hidden", "65536"}, "MiB of activations; the limit is"},
		{[]string{"-data", "reverse", "-batch", "100000"}, "MiB of activations"},
		{[]string{"-data", "reverse", "-batch", "2000000000000"}, "-batch 2000000000000: want a positive size up to"},
		{[]string{"-data", "reverse", "-dmodel", "0"}, "-dmodel 0"},
		// NaN fails every range check.
		{[]string{"-data", "reverse", "-dropout", "nan"}, "-dropout NaN"},
		{[]string{"-wd", "nan"}, "-wd NaN"},
		{[]string{"-lr", "nan"}, "-lr NaN"},
		{[]string{"-lr", "1e-50"}, "float32's smallest"},
		{[]string{"-clip", "nan"}, "-clip NaN"},
		{[]string{"-clip", "inf"}, "-clip +Inf"},
		{[]string{"-data", "linear", "-batch", "10"}, "full-batch"},
		{[]string{"-context", "8"}, "shape the transformer"},
		{[]string{"-steps", "100", "-epochs", "5"}, "give one or the other"},
		{[]string{"-resume", "some.safetensors", "-steps", "100", "-epochs", "5"}, "give one or the other"},
		{[]string{"-schedule", "cosine", "-warmup", "10", "-steps", "3"}, "-warmup 10: want fewer steps"},
		{[]string{"-threads", "100000"}, "-threads 100000"},
		{[]string{"-data", "/dev/zero"}, "not a regular file"},
		{[]string{"-data", "spiral", "-model", "transformer"}, "needs a sequence dataset"},
		{[]string{"-data", "reverse", "-epochs", "2"}, "-epochs needs a fixed dataset"},
		{[]string{"-lr", "-1"}, "-lr -1"},
		{[]string{"-opt", "rmsprop"}, "-opt \"rmsprop\""},
		{[]string{"-schedule", "linear"}, "-schedule"},
		{[]string{"-warmup", "10"}, "only with -schedule cosine"},
		{[]string{"-sample", "10"}, "-sample"},
		{[]string{"-resume", empty}, "resume"},
	}
	for _, tt := range tests {
		code, stdout, stderr := runTrain(t, tt.args...)
		if code != 2 {
			t.Errorf("train %v: exit %d; want 2 (stderr %q)", tt.args, code, stderr)
			continue
		}
		if !strings.Contains(stderr, tt.want) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || strings.Contains(stderr, "goroutine") {
			t.Errorf("train %v: stderr %q; want one line containing %q", tt.args, stderr, tt.want)
		}
		if stdout != "" {
			t.Errorf("train %v printed to stdout: %q", tt.args, stdout)
		}
	}
}

func TestResumeChecksTheCheckpointsSettings(t *testing.T) {
	dir := t.TempDir()
	runTrain(t, "-steps", "5", "-out", dir, "-quiet")
	path := filepath.Join(dir, checkpointName)
	tensors, meta, err := nn.ReadTensors(path)
	if err != nil {
		t.Fatal(err)
	}
	// An edited config that describes a huge model must be refused before
	// the model is made.
	meta["config"] = strings.Replace(meta["config"], `"hidden":100,"layers":1`, `"hidden":65536,"layers":64`, 1)
	edited := filepath.Join(dir, "edited.safetensors")
	if err := nn.WriteTensors(edited, tensors, meta); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runTrain(t, "-resume", edited)
	if code != 2 || !strings.Contains(stderr, "settings") {
		t.Errorf("resume from an edited checkpoint: exit %d, %q; want 2 and a message about its settings", code, stderr)
	}
}

func TestEpochsOfText(t *testing.T) {
	dir := t.TempDir()
	corpus := writeCorpus(t) // 1800 characters, 1620 for training
	args := append([]string{"-data", corpus, "-context", "16", "-epochs", "2", "-out", dir, "-quiet"}, small...)
	if code, _, stderr := runTrain(t, args...); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	// An epoch is ceil(1620 / (16 rows · 16 tokens)) = 7 steps.
	if rows := readRows(t, dir); len(rows) != 14 {
		t.Errorf("-epochs 2 ran %d steps; want 14", len(rows))
	}
}

func TestResumeRefusesModelChanges(t *testing.T) {
	dir := t.TempDir()
	runTrain(t, "-steps", "5", "-out", dir, "-quiet")
	code, _, stderr := runTrain(t, "-resume", filepath.Join(dir, checkpointName), "-hidden", "10")
	if code != 2 || !strings.Contains(stderr, "-hidden cannot change when resuming") {
		t.Errorf("resume with -hidden: exit %d, %q", code, stderr)
	}
}

func TestSameResultsForAnyThreadCount(t *testing.T) {
	var want [][]string
	for _, threads := range []string{"1", "2", "3"} {
		dir := t.TempDir()
		args := append([]string{"-data", "reverse", "-steps", "8", "-threads", threads, "-out", dir, "-quiet"}, small...)
		if code, _, stderr := runTrain(t, args...); code != 0 {
			t.Fatalf("-threads %s: exit %d: %s", threads, code, stderr)
		}
		got := readRows(t, dir)
		if want == nil {
			want = got
		} else if !slices.EqualFunc(want, got, slices.Equal) {
			t.Errorf("-threads %s gives other losses than -threads 1:\n%v\n%v", threads, want, got)
		}
	}
}

// TestHelp: -help writes to stdout an explanation of every flag, each with
// an example that names it.
func TestHelp(t *testing.T) {
	code, help, stderr := runTrain(t, "-help")
	if code != 0 || stderr != "" {
		t.Fatalf("-help: exit %d, stderr %q", code, stderr)
	}
	if !strings.Contains(help, "Examples:") {
		t.Errorf("-help has no examples")
	}
	for _, flag := range []string{"-data", "-model", "-hidden", "-layers", "-dmodel", "-heads", "-context", "-dropout", "-opt", "-lr", "-wd",
		"-schedule", "-warmup", "-clip", "-batch", "-steps", "-epochs", "-seed", "-threads", "-eval-every", "-out", "-resume", "-sample", "-quiet"} {
		// PrintDefaults gives "  -flag ..." and then its indented usage.
		_, after, ok := strings.Cut(help, "\n  "+flag+" ")
		if !ok {
			_, after, ok = strings.Cut(help, "\n  "+flag+"\n")
		}
		usage, _, _ := strings.Cut(after, "\n  -")
		_, example, _ := strings.Cut(usage, "e.g. ")
		example, _, _ = strings.Cut(strings.TrimSpace(example), " (default")
		args := strings.Fields(example)
		if !ok || !slices.Contains(args, flag) {
			t.Errorf("-help explains %s as %q; want an example that uses it", flag, usage)
			continue
		}
		// The example's settings are valid (files aside).
		if i := slices.Index(args, "-resume"); i >= 0 {
			args = slices.Delete(args, i, i+2)
		}
		o, set, err := parseFlags(args, io.Discard)
		if err == nil {
			err = complete(&o, set)
		}
		if err != nil {
			t.Errorf("-help's example for %s, %q: %v", flag, example, err)
		}
	}
}

// TestOutputsMatchTasks checks that outputs and synthetic give the classes,
// vocabularies and contexts the tasks make, and that the help says so.
func TestOutputsMatchTasks(t *testing.T) {
	for _, data := range []string{"spiral", "moons", "circles", "xor", "blobs", "reverse", "modadd"} {
		args := []string{"-data", data}
		if kind(data) == "sequence" {
			args = append(args, small...)
		}
		o, set, err := parseFlags(args, io.Discard)
		if err == nil {
			err = complete(&o, set)
		}
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(1, 0))
		if kind(data) == "points" {
			task, err := newPointsTask(o, rng)
			if err != nil {
				t.Fatal(err)
			}
			if got := task.train.classes; outputs(data) != got {
				t.Errorf("outputs(%q) = %d; the task has %d classes", data, outputs(data), got)
			}
			continue
		}
		task, err := newSeqTask(o, rng)
		if err != nil {
			t.Fatal(err)
		}
		if got := task.train.vocab(); outputs(data) != got {
			t.Errorf("outputs(%q) = %d; the task has %d tokens", data, outputs(data), got)
		}
		if got, want := synthetic(data).context(), task.T; got != want {
			t.Errorf("synthetic(%q).context() = %d; the task has %d", data, got, want)
		}
	}
	_, help, _ := runTrain(t, "-help")
	for _, want := range []string{
		fmt.Sprintf("reverse and modadd have %d)", synthetic("reverse").context()),
		fmt.Sprintf("reverse and modadd have %d)", synthetic("modadd").context()),
		fmt.Sprintf("reverses %d-token sequences", reverseLen),
		fmt.Sprintf("a+b mod %d", modP),
	} {
		if !strings.Contains(help, want) {
			t.Errorf("-help does not say %q", want)
		}
	}
}

// TestCheckpointConfig pins the settings a checkpoint saves, byte for byte:
// the per-run flags are not among them.
func TestCheckpointConfig(t *testing.T) {
	dir := t.TempDir()
	if code, _, stderr := runTrain(t, "-steps", "3", "-out", dir, "-quiet", "-threads", "1", "-eval-every", "2", "-seed", "7"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	_, meta, err := nn.ReadTensors(filepath.Join(dir, checkpointName))
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"data":"spiral","model":"mlp","hidden":100,"layers":1,"dmodel":64,"heads":4,"context":32,"dropout":0,"opt":"adam","lr":0.01,"wd":0,"schedule":"constant","warmup":0,"clip":0,"batch":0,"steps":3,"epochs":0,"seed":7,"schedule_steps":3}`
	if meta["config"] != want {
		t.Errorf("config = %s\nwant       %s", meta["config"], want)
	}
}

// TestTextCheckpointNamesFileAbsolutely: a run on a text file named
// relative to the working folder resumes from another folder.
func TestTextCheckpointNamesFileAbsolutely(t *testing.T) {
	corpus := writeCorpus(t)
	out := t.TempDir()
	t.Chdir(filepath.Dir(corpus))
	if code, _, stderr := runTrain(t, "-data", filepath.Base(corpus), "-context", "16", "-steps", "4", "-out", out, "-quiet"); code != 0 {
		t.Fatalf("train: exit %d, %s", code, stderr)
	}
	t.Chdir(t.TempDir())
	if code, _, stderr := runTrain(t, "-resume", filepath.Join(out, checkpointName), "-steps", "6", "-quiet"); code != 0 {
		t.Fatalf("resume from another folder: exit %d, %s", code, stderr)
	}
}

// TestStepScheduleThirds: the step schedule has three levels (for runs of
// 3 steps or more, but 4, whose thirds round up to 2): the last step is at
// a hundredth of the rate, never a thousandth.
func TestStepScheduleThirds(t *testing.T) {
	for _, total := range []int{3, 5, 100, 101, 2000} {
		s := newSchedule(options{LR: 1, Schedule: "step", ScheduleSteps: total})
		levels := map[float32]bool{}
		for step := range total {
			levels[s.LR(step)] = true
		}
		if last := s.LR(total - 1); len(levels) != 3 || math.Abs(float64(last)-0.01) > 1e-7 {
			t.Errorf("%d steps: %d levels, the last %v; want 3, the last 0.01", total, len(levels), last)
		}
	}
}

// TestRunFoldersDoNotCollide: two runs started in the same second get
// folders of their own.
func TestRunFoldersDoNotCollide(t *testing.T) {
	t.Chdir(t.TempDir())
	o := options{Data: "spiral"}
	a, errA := newRunFolder(o)
	b, errB := newRunFolder(o)
	c, errC := newRunFolder(o)
	if errA != nil || errB != nil || errC != nil || a == b || b == c || a == c || !strings.HasPrefix(b, a) {
		t.Errorf("run folders %q, %q, %q (%v, %v, %v); want three of the same stem", a, b, c, errA, errB, errC)
	}
}

// TestLinearHeldOut: the linear task's held-out rows are rows of the same
// regression that training never sees.
func TestLinearHeldOut(t *testing.T) {
	task := newLinearTask(options{Seed: 3}, rand.New(rand.NewPCG(3, 0)))
	if task.test.X.Dim(0) != 100 || !slices.Equal(task.test.W, task.data.W) || task.test.B != task.data.B {
		t.Fatalf("held-out set: %d rows of w %v b %v; want 100 rows of w %v b %v", task.test.X.Dim(0), task.test.W, task.test.B, task.data.W, task.data.B)
	}
	train := task.data.X.Data()
	for i, x := range task.test.X.Data()[:3] {
		if slices.Contains(train, x) {
			t.Errorf("held-out value %d, %v, is also a training value", i, x)
		}
	}
}

// TestDivergedBeforeCheckpoint: a loss that overflows before the first
// evaluation stops the run with a message that says no checkpoint exists
// yet; after a resume, the message names the file resumed from.
func TestDivergedBeforeCheckpoint(t *testing.T) {
	dir := t.TempDir()
	code, _, stderr := runTrain(t, "-data", "linear", "-lr", "5", "-out", dir, "-quiet")
	if code != 1 || !strings.Contains(stderr, "loss became") || !strings.Contains(stderr, "before its first checkpoint") {
		t.Errorf("diverging run: exit %d, stderr %q; want 1 and a message that no checkpoint exists", code, stderr)
	}
	good := t.TempDir()
	runTrain(t, "-data", "linear", "-steps", "20", "-out", good, "-quiet")
	path := filepath.Join(good, checkpointName)
	c, err := readCheckpoint(path)
	if err != nil {
		t.Fatal(err)
	}
	// The same settings with the rate raised make the resumed run diverge
	// at once: edit the file's config, as a user cannot on the command line.
	tensors, meta, err := nn.ReadTensors(path)
	if err != nil {
		t.Fatal(err)
	}
	c.o.LR = 5
	config, _ := json.Marshal(c.o)
	meta["config"] = string(config)
	if err := nn.WriteTensors(path, tensors, meta); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = runTrain(t, "-resume", path, "-steps", "200", "-eval-every", "1000", "-out", t.TempDir(), "-quiet")
	if code != 1 || !strings.Contains(stderr, path+" (step 20)") {
		t.Errorf("diverging resumed run: exit %d, stderr %q; want 1 and the checkpoint resumed from", code, stderr)
	}
}

// TestMedianStep: the summary's median step comes from the differences of
// the cumulative times in the metrics rows.
func TestMedianStep(t *testing.T) {
	rows := []metric{{seconds: 0.5}, {seconds: 0.6}, {seconds: 0.65}, {seconds: 0.75}, {seconds: 2}}
	// Steps of 0.5, 0.1, 0.05, 0.1 and 1.25 s: the median is 0.1.
	if got := medianStep(rows); math.Abs(got-0.1) > 1e-12 {
		t.Errorf("medianStep = %v; want 0.1", got)
	}
	if got := medianStep(rows[:1]); got != 0.5 {
		t.Errorf("medianStep of one step = %v; want 0.5", got)
	}
}
