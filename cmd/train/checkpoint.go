package main

import (
	"bufio"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gotensor/gotensor/nn"
	"github.com/gotensor/gotensor/optim"
	"github.com/gotensor/gotensor/tensor"
)

// A checkpoint holds everything a run needs to go on exactly where it
// stopped: the model's parameters, the optimizer's state, the step, the
// generators, and the settings, in one safetensors file.

// checkpoint writes the model, the optimizer's state, the step and the
// model's generator into the run folder, atomically, and the metrics.
func (t *trainer) checkpoint() error {
	if err := t.appendMetrics(); err != nil {
		return err
	}
	if t.saved == t.step {
		return nil
	}
	tensors := map[string]*tensor.Tensor{}
	for name, v := range nn.StateDict(t.task.module()) {
		tensors["model."+name] = v
	}
	st := t.opt.State()
	for name, v := range st.Tensors {
		tensors["optim."+name] = v
	}
	rngState, err := t.pcg.MarshalBinary()
	if err != nil {
		return err
	}
	config, err := json.Marshal(t.o)
	if err != nil {
		return err
	}
	meta := map[string]string{
		"kind":        checkpointKind,
		"config":      string(config),
		"step":        strconv.Itoa(t.step),
		"optim_steps": strconv.Itoa(st.Steps),
		"rng":         base64.StdEncoding.EncodeToString(rngState),
		"module_rng":  base64.StdEncoding.EncodeToString(nn.RandomState(t.task.module())),
		"seconds":     strconv.FormatFloat(t.spent.Seconds(), 'g', -1, 64),
	}
	path := filepath.Join(t.dir, checkpointName)
	if err := nn.WriteTensors(path, tensors, meta); err != nil {
		return fmt.Errorf("write checkpoint: %w", err)
	}
	t.saved = t.step
	t.lastGood = fmt.Sprintf("%s (step %d)", path, t.step)
	return nil
}

// checkpoint is what a checkpoint file holds.
type checkpoint struct {
	o       options
	model   map[string]*tensor.Tensor
	state   optim.State
	step    int
	rng     []byte // the trainer's generator
	modRNG  []byte // the generators inside the model (dropout)
	seconds float64
}

// fits returns an error unless the settings o describe a model with as many
// parameters as the checkpoint holds.
func (c *checkpoint) fits(o options) error {
	var have int64
	for _, t := range c.model {
		have += int64(t.Len())
	}
	out := outputs(o.Data)
	if kind(o.Data) == "text" {
		tok, ok := c.model["tok.weight"]
		if !ok || tok.Rank() != 2 {
			return inputError{fmt.Errorf("resume: %s has no token embedding for its text model", o.Resume)}
		}
		out = tok.Dim(0)
	}
	if want := modelSize(o, out); want != have {
		return inputError{fmt.Errorf("resume: %s holds %d parameters, but its settings describe a model of %d", o.Resume, have, want)}
	}
	return nil
}

// readCheckpoint reads and checks a checkpoint written by train.
func readCheckpoint(path string) (*checkpoint, error) {
	tensors, meta, err := nn.ReadTensors(path)
	if err != nil {
		return nil, inputError{fmt.Errorf("resume: %w", err)}
	}
	bad := func(what string) error {
		return inputError{fmt.Errorf("resume: %s is not a train checkpoint: %s", path, what)}
	}
	if meta["kind"] != checkpointKind {
		return nil, bad("its kind is " + strconv.Quote(meta["kind"]))
	}
	c := &checkpoint{model: map[string]*tensor.Tensor{}, state: optim.State{Tensors: map[string]*tensor.Tensor{}}}
	if err := json.Unmarshal([]byte(meta["config"]), &c.o); err != nil {
		return nil, bad("config: " + err.Error())
	}
	if c.step, err = strconv.Atoi(meta["step"]); err != nil || c.step < 0 {
		return nil, bad("step " + strconv.Quote(meta["step"]))
	}
	if c.state.Steps, err = strconv.Atoi(meta["optim_steps"]); err != nil || c.state.Steps < 0 {
		return nil, bad("optim_steps " + strconv.Quote(meta["optim_steps"]))
	}
	if c.rng, err = base64.StdEncoding.DecodeString(meta["rng"]); err != nil {
		return nil, bad("rng: " + err.Error())
	}
	if c.modRNG, err = base64.StdEncoding.DecodeString(meta["module_rng"]); err != nil {
		return nil, bad("module_rng: " + err.Error())
	}
	c.seconds, _ = strconv.ParseFloat(meta["seconds"], 64)
	for name, v := range tensors {
		switch {
		case strings.HasPrefix(name, "model."):
			c.model[strings.TrimPrefix(name, "model.")] = v
		case strings.HasPrefix(name, "optim."):
			c.state.Tensors[strings.TrimPrefix(name, "optim.")] = v
		default:
			return nil, bad("unexpected tensor " + strconv.Quote(name))
		}
	}
	return c, nil
}

// resumeOptions returns the settings saved in checkpoint c, with the flags
// that may change between runs taken from the command line: the run flags,
// and -steps or -epochs.
func resumeOptions(o options, set map[string]bool, c *checkpoint) (options, error) {
	runFlagSet := flag.NewFlagSet("", flag.ContinueOnError)
	new(runFlags).register(runFlagSet)
	for name := range set {
		if runFlagSet.Lookup(name) == nil && name != "steps" && name != "epochs" {
			return o, usagef("-%s cannot change when resuming: the checkpoint fixes the model, data and optimizer", name)
		}
	}
	r := c.o
	r.runFlags = o.runFlags
	if set["steps"] || set["epochs"] {
		r.Steps, r.Epochs = o.Steps, o.Epochs
	}
	return r, nil
}

// restore loads checkpoint c into the new trainer.
func (t *trainer) restore(c *checkpoint) error {
	if c.step > t.total {
		return usagef("the checkpoint is at step %d, past the %d steps this run would end at", c.step, t.total)
	}
	if err := nn.LoadStateDict(t.task.module(), c.model); err != nil {
		return inputError{fmt.Errorf("resume: %w", err)}
	}
	if err := t.opt.LoadState(c.state); err != nil {
		return inputError{fmt.Errorf("resume: %w", err)}
	}
	if err := t.pcg.UnmarshalBinary(c.rng); err != nil {
		return inputError{fmt.Errorf("resume: rng: %w", err)}
	}
	if err := nn.SetRandomState(t.task.module(), c.modRNG); err != nil {
		return inputError{fmt.Errorf("resume: %w", err)}
	}
	t.step, t.saved = c.step, -1
	t.lastGood = fmt.Sprintf("%s (step %d)", t.o.Resume, c.step)
	t.spent = time.Duration(c.seconds * float64(time.Second))
	t.rows = readMetrics(filepath.Join(filepath.Dir(t.o.Resume), metricsName), c.step)
	return nil
}

// readMetrics returns the rows of an earlier run's metrics.csv up to step,
// or none if the file is missing or unreadable.
func readMetrics(path string, upTo int) []metric {
	f, err := os.Open(path)
	if err != nil { // missing or unreadable: no earlier rows
		return nil
	}
	defer f.Close()
	records, err := csv.NewReader(bufio.NewReader(f)).ReadAll()
	if err != nil {
		return nil
	}
	var rows []metric
	for _, r := range records[min(1, len(records)):] {
		if len(r) != 5 {
			return nil
		}
		step, err1 := strconv.Atoi(r[0])
		loss, err2 := strconv.ParseFloat(r[1], 32)
		lr, err3 := strconv.ParseFloat(r[3], 32)
		secs, err4 := strconv.ParseFloat(r[4], 64)
		acc, err5 := strconv.ParseFloat(r[2], 64)
		if r[2] == "" {
			acc, err5 = math.NaN(), nil
		}
		if err := errors.Join(err1, err2, err3, err4, err5); err != nil {
			return nil
		}
		if step <= upTo {
			rows = append(rows, metric{step, float32(loss), acc, float32(lr), secs})
		}
	}
	return rows
}
