package nn

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
)

// Modules that draw random numbers while training (Dropout) keep generators
// of their own. RandomState and SetRandomState save and restore them, so
// that training resumed from a checkpoint draws the same masks as training
// that never stopped.

// hasBase is implemented by every module that embeds Base.
type hasBase interface{ base() *Base }

func (b *Base) base() *Base { return b }

// sources returns the generators of m and its submodules, in registration
// order.
func sources(m Module) []*rand.PCG {
	var out []*rand.PCG
	if d, ok := m.(*Dropout); ok {
		out = append(out, d.src)
	}
	if hb, ok := m.(hasBase); ok {
		for _, c := range hb.base().children {
			out = append(out, sources(c.m)...)
		}
	}
	return out
}

// RandomState returns the state of every random generator inside m, for a
// checkpoint. A model without dropout has an empty state.
func RandomState(m Module) []byte {
	var out []byte
	for _, src := range sources(m) {
		b, _ := src.MarshalBinary() // a PCG always marshals
		out = binary.AppendUvarint(out, uint64(len(b)))
		out = append(out, b...)
	}
	return out
}

// SetRandomState restores the generators of m from a RandomState of the same
// model. It returns an error, and changes nothing, if the state does not fit.
func SetRandomState(m Module, state []byte) error {
	srcs := sources(m)
	parsed := make([]*rand.PCG, len(srcs))
	rest := state
	for i := range srcs {
		n, k := binary.Uvarint(rest)
		if k <= 0 || n > uint64(len(rest)-k) {
			return fmt.Errorf("nn: SetRandomState: state of %d bytes is truncated at generator %d of %d", len(state), i, len(srcs))
		}
		parsed[i] = new(rand.PCG)
		if err := parsed[i].UnmarshalBinary(rest[k : k+int(n)]); err != nil {
			return fmt.Errorf("nn: SetRandomState: generator %d: %w", i, err)
		}
		rest = rest[k+int(n):]
	}
	if len(rest) != 0 {
		return fmt.Errorf("nn: SetRandomState: state holds more generators than the model's %d", len(srcs))
	}
	for i, src := range srcs {
		*src = *parsed[i]
	}
	return nil
}
