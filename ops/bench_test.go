package ops

import (
	"fmt"
	"math"
	"testing"

	"github.com/gotensor/gotensor/autograd"
	"github.com/gotensor/gotensor/tensor"
)

// mlp is a 784-512-512-10 ReLU network with a batch of inputs and labels.
type mlp struct {
	params []*autograd.Value // w1, b1, w2, b2, w3, b3
	x      *autograd.Value
	labels []int
}

func newMLP(batch int) *mlp {
	rng := seeded(42)
	sizes := []int{784, 512, 512, 10}
	m := &mlp{x: autograd.Const(tensor.Rand(rng, batch, 784))}
	for i := range 3 {
		in, out := sizes[i], sizes[i+1]
		bound := float32(1 / math.Sqrt(float64(in)))
		m.params = append(m.params,
			autograd.Param(tensor.Uniform(rng, -bound, bound, out, in)),
			autograd.Param(tensor.Uniform(rng, -bound, bound, out)))
	}
	for range batch {
		m.labels = append(m.labels, rng.IntN(10))
	}
	return m
}

// step runs forward and backward and returns the loss.
func (m *mlp) step() float32 {
	for _, p := range m.params {
		p.ZeroGrad()
	}
	p := m.params
	h := ReLU(Linear(m.x, p[0], p[1]))
	h = ReLU(Linear(h, p[2], p[3]))
	loss := CrossEntropy(Linear(h, p[4], p[5]), m.labels)
	loss.Backward()
	return loss.Item()
}

// BenchmarkMLP measures one training step's forward and backward (no
// optimizer) of a 784-512-512-10 MLP at batch 256.
func BenchmarkMLP(b *testing.B) {
	m := newMLP(256)
	if loss := m.step(); math.IsNaN(float64(loss)) || loss < 2 || loss > 2.6 {
		b.Fatalf("initial loss %v; want about ln 10 = 2.30", loss)
	}
	// Forward, and two products per Linear backward, less the first
	// layer's input gradient: the input is a constant.
	flops := 2 * 256 * (3*(784*512+512*512+512*10) - 784*512)
	b.ReportAllocs()
	for b.Loop() {
		m.step()
	}
	b.ReportMetric(float64(flops)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

func BenchmarkCrossEntropy(b *testing.B) {
	for _, s := range [][2]int{{300, 3}, {256, 10}, {2048, 1024}} {
		b.Run(fmt.Sprintf("%dx%d", s[0], s[1]), func(b *testing.B) {
			rng := seeded(1)
			x := autograd.Param(tensor.Randn(rng, s[0], s[1]))
			labels := make([]int, s[0])
			for i := range labels {
				labels[i] = rng.IntN(s[1])
			}
			b.ReportAllocs()
			for b.Loop() {
				CrossEntropy(x, labels).Backward()
			}
		})
	}
}

func BenchmarkLayerNorm(b *testing.B) {
	rng := seeded(2)
	x := autograd.Param(tensor.Randn(rng, 64*32, 256))
	w, bias := autograd.Param(tensor.Ones(256)), autograd.Param(tensor.Zeros(256))
	b.ReportAllocs()
	for b.Loop() {
		SumAll(LayerNorm(x, w, bias, 1e-5)).Backward()
	}
}

func BenchmarkAttention(b *testing.B) {
	rng := seeded(3)
	q := autograd.Param(tensor.Randn(rng, 8, 4, 64, 32))
	k := autograd.Param(tensor.Randn(rng, 8, 4, 64, 32))
	v := autograd.Param(tensor.Randn(rng, 8, 4, 64, 32))
	b.ReportAllocs()
	for b.Loop() {
		out, _ := ScaledDotProductAttention(q, k, v, nil, true)
		SumAll(out).Backward()
	}
}

func BenchmarkReLU(b *testing.B) {
	x := autograd.Param(tensor.Randn(seeded(4), 256, 512))
	g := tensor.Randn(seeded(5), 256, 512)
	b.ReportAllocs()
	for b.Loop() {
		ReLU(x).BackwardWith(g)
	}
}

func BenchmarkGELU(b *testing.B) {
	x := autograd.Param(tensor.Randn(seeded(6), 64*32, 256))
	g := tensor.Randn(seeded(7), 64*32, 256)
	for _, f := range []struct {
		name string
		op   func(*autograd.Value) *autograd.Value
	}{{"erf", GELU}, {"tanh", GELUTanh}} {
		b.Run(f.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				f.op(x).BackwardWith(g)
			}
		})
	}
}

// BenchmarkFeedForward measures the forward and backward of the small
// GPT's MLP (64 sequences of 32 tokens, 64 -> 256 -> 64), as the fused
// FeedForward and as Linear, GELU and Linear.
func BenchmarkFeedForward(b *testing.B) {
	rng := seeded(9)
	const N, C, H = 64 * 32, 64, 256
	x := autograd.Param(tensor.Randn(rng, N, C))
	w1, b1 := autograd.Param(tensor.Randn(rng, H, C)), autograd.Param(tensor.Randn(rng, H))
	w2, b2 := autograd.Param(tensor.Randn(rng, C, H)), autograd.Param(tensor.Randn(rng, C))
	g := tensor.Randn(rng, N, C)
	for _, f := range []struct {
		name string
		op   func(x, w1, b1, w2, b2 *autograd.Value) *autograd.Value
	}{{"fused", FeedForward}, {"composed", func(x, w1, b1, w2, b2 *autograd.Value) *autograd.Value {
		return Linear(GELU(Linear(x, w1, b1)), w2, b2)
	}}} {
		b.Run(f.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				y := f.op(x, w1, b1, w2, b2)
				y.BackwardWith(g)
				y.Release()
				for _, p := range []*autograd.Value{x, w1, b1, w2, b2} {
					p.ZeroGrad()
				}
			}
		})
	}
}
