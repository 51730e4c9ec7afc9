package nn

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gotensor/gotensor/tensor"
)

// Save writes the parameters of m to path as a safetensors file, one tensor
// per parameter under its dotted name, atomically (see WriteTensors).
func Save(path string, m Module) error {
	return WriteTensors(path, StateDict(m), nil)
}

// Load reads a safetensors file written by Save (or by any program, with the
// same names and shapes) into the parameters of m. The file must hold
// exactly m's parameters: if it does not, Load returns an error that wraps
// one *MismatchError listing every missing, unexpected and mis-shaped
// tensor; errors.As retrieves it. On any error m is
// left unchanged, since the whole file is read and checked before any
// parameter is written.
func Load(path string, m Module) error {
	ts, _, err := ReadTensors(path)
	if err != nil {
		return err
	}
	if err := LoadStateDict(m, ts); err != nil {
		return fmt.Errorf("nn: load %s: %w", path, err)
	}
	return nil
}

// StateDict returns the parameter tensors of m by dotted name. The tensors
// are m's own, not copies: write them out before changing the model. Add
// other tensors (an optimizer's state) to the map to save them together
// with WriteTensors.
func StateDict(m Module) map[string]*tensor.Tensor {
	out := map[string]*tensor.Tensor{}
	for _, p := range m.NamedParameters() {
		out[p.Name] = p.Value.Data
	}
	return out
}

// LoadStateDict copies tensors into the parameters of m with the same names.
// The names and shapes must match m's parameters exactly; if they do not,
// LoadStateDict returns a *MismatchError and changes nothing.
func LoadStateDict(m Module, tensors map[string]*tensor.Tensor) error {
	params := m.NamedParameters()
	known := make(map[string]bool, len(params))
	var e MismatchError
	for _, p := range params {
		known[p.Name] = true
		t, ok := tensors[p.Name]
		switch {
		case !ok:
			e.Missing = append(e.Missing, p.Name)
		case t == nil || !tensor.SameShape(t, p.Value.Data):
			var got []int
			if t != nil {
				got = t.Shape()
			}
			e.Misshaped = append(e.Misshaped, fmt.Sprintf("%s: %v, model wants %v", p.Name, got, p.Value.Data.Shape()))
		}
	}
	for name := range tensors {
		if !known[name] {
			e.Unexpected = append(e.Unexpected, name)
		}
	}
	if len(e.Missing)+len(e.Unexpected)+len(e.Misshaped) > 0 {
		slices.Sort(e.Missing)
		slices.Sort(e.Unexpected)
		slices.Sort(e.Misshaped)
		return &e
	}
	for _, p := range params {
		p.Value.Data.CopyFrom(tensors[p.Name])
	}
	return nil
}

// MismatchError lists how a set of named tensors differs from a model's
// parameters.
type MismatchError struct {
	Missing    []string // parameters with no tensor
	Unexpected []string // tensors with no parameter
	Misshaped  []string // "name: [got], model wants [want]"
}

func (e *MismatchError) Error() string {
	var parts []string
	add := func(what string, names []string) {
		if len(names) > 0 {
			parts = append(parts, fmt.Sprintf("%d %s (%s)", len(names), what, strings.Join(names, "; ")))
		}
	}
	add("missing", e.Missing)
	add("unexpected", e.Unexpected)
	add("mis-shaped", e.Misshaped)
	return "tensors do not match the model: " + strings.Join(parts, ", ")
}
