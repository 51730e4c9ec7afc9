package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gotensor/gotensor/autograd"
	"github.com/gotensor/gotensor/ops"
	"github.com/gotensor/gotensor/tensor"
)

func TestLinearInit(t *testing.T) {
	l := NewLinear(rand.New(rand.NewPCG(1, 0)), 100, 50, true)
	bound := float32(1 / math.Sqrt(100))
	for name, p := range StateDict(l) {
		lo, hi := tensor.MinAll(p), tensor.MaxAll(p)
		if lo < -bound || hi > bound || hi-lo < bound {
			t.Errorf("Linear(100, 50) %s in [%v, %v]; want spread over [-%v, %v]", name, lo, hi, bound, bound)
		}
	}
	again := NewLinear(rand.New(rand.NewPCG(1, 0)), 100, 50, true)
	if !tensor.Equal(l.Weight.Data, again.Weight.Data) || !tensor.Equal(l.Bias.Data, again.Bias.Data) {
		t.Error("two Linear layers from the same seed differ")
	}
}

func TestInitHelpers(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 0))
	w := tensor.New(400, 600)
	std := func() float64 { return math.Sqrt(float64(tensor.VarAll(w))) }
	tests := []struct {
		name string
		init func()
		want float64 // standard deviation
	}{
		{"XavierUniform", func() { XavierUniform(rng, w, 1) }, math.Sqrt(6.0/1000) / math.Sqrt(3)},
		{"XavierNormal", func() { XavierNormal(rng, w, 2) }, 2 * math.Sqrt(2.0/1000)},
		{"KaimingUniform", func() { KaimingUniform(rng, w, 0) }, math.Sqrt(2.0 / 600)},
		{"KaimingNormal", func() { KaimingNormal(rng, w, 0) }, math.Sqrt(2.0 / 600)},
		{"KaimingUniform a=√5", func() { KaimingUniform(rng, w, math.Sqrt(5)) }, 1 / math.Sqrt(600) / math.Sqrt(3)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.init()
			if got := std(); math.Abs(got-tt.want) > 0.02*tt.want {
				t.Errorf("%s: std = %.5f; want %.5f", tt.name, got, tt.want)
			}
		})
	}
	if in, out := Fans([]int{8, 3, 5, 5}); in != 75 || out != 200 {
		t.Errorf("Fans([8 3 5 5]) = %d, %d; want 75, 200", in, out)
	}
}

func TestLayerValues(t *testing.T) {
	x := autograd.Const(tensor.FromSlice([]float32{1, -2, 3, 0.5, 0, -1}, 2, 3))
	l := &Linear{Weight: autograd.Param(tensor.FromSlice([]float32{1, 0, -1, 2, 1, 0}, 2, 3)),
		Bias: autograd.Param(tensor.FromSlice([]float32{0.5, -0.5}))}
	ln := NewLayerNorm(3)
	tests := []struct {
		name string
		got  *autograd.Value
		want []float32
	}{
		{"Linear", l.Forward(x), []float32{-1.5, -0.5, 2, 0.5}},
		{"ReLU", (&ReLU{}).Forward(x), []float32{1, 0, 3, 0.5, 0, 0}},
		{"Tanh", (&Tanh{}).Forward(x), []float32{0.7615942, -0.9640276, 0.9950548, 0.46211717, 0, -0.7615942}},
		{"Sigmoid", (&Sigmoid{}).Forward(x), []float32{0.7310586, 0.11920292, 0.95257413, 0.62245935, 0.5, 0.26894143}},
		{"GELU", (&GELU{}).Forward(x), []float32{0.8413447, -0.04550028, 2.9959502, 0.34573123, 0, -0.15865526}},
		{"LayerNorm", ln.Forward(x), []float32{0.16222125, -1.2977698, 1.1355486, 1.069031, 0.26725775, -1.3362889}}, // PyTorch
		{"Sequential", NewSequential(l, &ReLU{}).Forward(x), []float32{0, 0, 2, 0.5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i, got := range tt.got.Data.Data() {
				if math.Abs(float64(got-tt.want[i])) > 1e-5 {
					t.Errorf("%s(x)[%d] = %v; want %v", tt.name, i, got, tt.want[i])
				}
			}
		})
	}
}

func TestEmbeddingAndPositions(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 0))
	e := NewEmbedding(rng, 5, 3)
	out := e.Forward([]int{4, 0, 4})
	if got := out.Data.Shape(); got[0] != 3 || got[1] != 3 {
		t.Fatalf("Embedding.Forward(3 ids) shape %v; want [3 3]", got)
	}
	for j := range 3 {
		if out.Data.At(0, j) != e.Weight.Data.At(4, j) || out.Data.At(1, j) != e.Weight.Data.At(0, j) {
			t.Errorf("Embedding row %d differs from the table", j)
		}
	}
	p := NewPositionalEmbedding(rng, 6, 3)
	x := autograd.Const(tensor.Zeros(2, 2, 3))
	y := p.Forward(x, 3) // positions 3 and 4
	if y.Data.At(1, 0, 2) != p.Weight.Data.At(3, 2) || y.Data.At(1, 1, 0) != p.Weight.Data.At(4, 0) {
		t.Error("PositionalEmbedding.Forward(x, 3) did not add positions 3 and 4")
	}
}

// TestMLPGradients checks that gradients reach every parameter of an MLP.
func TestMLPGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 0))
	m := NewMLP(rng, 3, []int{5}, 2)
	x := autograd.Const(tensor.Randn(rng, 4, 3))
	loss := ops.CrossEntropy(m.Forward(x), []int{0, 1, 1, 0})
	loss.Backward()
	for _, p := range m.NamedParameters() {
		if p.Value.Grad == nil || tensor.Norm(p.Value.Grad) == 0 {
			t.Errorf("%s got no gradient", p.Name)
		}
	}
}

func TestDropoutReproducible(t *testing.T) {
	x := autograd.Const(tensor.Ones(4, 8))
	a := NewDropout(rand.New(rand.NewPCG(7, 7)), 0.25).Forward(x)
	b := NewDropout(rand.New(rand.NewPCG(7, 7)), 0.25).Forward(x)
	if !tensor.Equal(a.Data, b.Data) {
		t.Error("two Dropout layers from the same seed drew different masks")
	}
	zeros := 0
	for _, v := range a.Data.Data() {
		switch v {
		case 0:
			zeros++
		case 1 / 0.75:
		default:
			t.Fatalf("Dropout(0.25) output %v; want 0 or 1/0.75", v)
		}
	}
	if zeros == 0 || zeros == 32 {
		t.Errorf("Dropout(0.25) zeroed %d of 32 values", zeros)
	}
}
