// Package vec holds package tensor's elementwise kernels for operands of
// one shape: d[i] = a[i] op b[i] for op +, -, ·, /. Each operation is one
// IEEE rounding, so the assembly (AVX-512, 16 lanes, the tail under a
// mask) gives the scalar loop's results bit for bit; it runs in chunks
// short enough for the scheduler to preempt between them.
package vec

// chunk is the most elements one assembly call handles.
const chunk = 1 << 16

// The operations, as the assembly numbers them.
const (
	opAdd = iota
	opSub
	opMul
	opDiv
)

// Add sets d = a + b elementwise; a and b have len(d) elements or more.
func Add(d, a, b []float32) { run(opAdd, d, a, b) }

// Sub sets d = a - b elementwise.
func Sub(d, a, b []float32) { run(opSub, d, a, b) }

// Mul sets d = a·b elementwise.
func Mul(d, a, b []float32) { run(opMul, d, a, b) }

// Div sets d = a / b elementwise.
func Div(d, a, b []float32) { run(opDiv, d, a, b) }

func run(op int, d, a, b []float32) {
	a, b = a[:len(d)], b[:len(d)]
	for i := 0; i < len(d); i += chunk {
		j := min(i+chunk, len(d))
		if useAsm {
			binaryAVX512(op, &d[i], &a[i], &b[i], j-i)
		} else {
			binaryGo(op, d[i:j], a[i:j], b[i:j])
		}
	}
}

// binaryGo is the scalar form of the kernels.
func binaryGo(op int, d, a, b []float32) {
	a, b = a[:len(d)], b[:len(d)]
	switch op {
	case opAdd:
		for i := range d {
			d[i] = a[i] + b[i]
		}
	case opSub:
		for i := range d {
			d[i] = a[i] - b[i]
		}
	case opMul:
		for i := range d {
			d[i] = a[i] * b[i]
		}
	case opDiv:
		for i := range d {
			d[i] = a[i] / b[i]
		}
	}
}
