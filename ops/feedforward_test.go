package ops

import (
	"slices"
	"testing"

	"github.com/gotensor/gotensor/autograd"
	"github.com/gotensor/gotensor/tensor"
)

// TestFeedForwardBits: the fused op gives the output and every gradient of
// Linear, GELU and Linear bit for bit, with and without biases, at any
// thread count, on shapes whose hidden width is not a multiple of the
// kernels' tiles and on ones big enough to be split between threads. The
// graph around it varies: alone; after an earlier Backward that left
// gradients in x and w1; beside a Linear on the same x, w1 and b1, before
// or after it, so that the fused op's gradients are written into sums that
// already hold one within the same Backward; and with x, w1 and b1
// constants, so that only the second layer's gradients are computed.
func TestFeedForwardBits(t *testing.T) {
	defer tensor.SetThreads(0)
	rng := seeded(40)
	composed := func(x, w1, b1, w2, b2 *autograd.Value) *autograd.Value {
		return Linear(GELU(Linear(x, w1, b1)), w2, b2)
	}
	for _, s := range [][4]int{{1, 3, 5, 2}, {7, 16, 37, 9}, {256, 64, 256, 64}, {2, 33, 100, 17}} {
		n, in, hid, out := s[0], s[1], s[2], s[3]
		x, g := tensor.Randn(rng, 2, n, in), tensor.Randn(rng, 2, n, out)
		gh := tensor.Randn(rng, 2, n, hid) // the gradient of the Linear beside it
		w1, b1 := tensor.Randn(rng, hid, in), tensor.Randn(rng, hid)
		w2, b2 := tensor.Randn(rng, out, hid), tensor.Randn(rng, out)
		for _, bias := range []bool{true, false} {
			for _, graph := range []string{"alone", "after", "beside first", "beside second", "frozen"} {
				// run returns the output, then each gradient with its name.
				run := func(ff func(x, w1, b1, w2, b2 *autograd.Value) *autograd.Value) (names []string, vals [][]float32) {
					px, pw1, pw2 := autograd.Param(x.Clone()), autograd.Param(w1.Clone()), autograd.Param(w2.Clone())
					var pb1, pb2 *autograd.Value
					if bias {
						pb1, pb2 = autograd.Param(b1.Clone()), autograd.Param(b2.Clone())
					}
					if graph == "frozen" {
						px, pw1 = autograd.Const(px.Data), autograd.Const(pw1.Data)
						if bias {
							pb1 = autograd.Const(pb1.Data)
						}
					}
					var y *autograd.Value
					switch graph {
					case "after":
						z := Linear(px, pw1, nil) // x and w1 get a first gradient
						SumAll(Mul(z, z)).Backward()
						fallthrough
					case "alone", "frozen":
						y = ff(px, pw1, pb1, pw2, pb2)
						y.BackwardWith(g)
					case "beside first", "beside second":
						y = ff(px, pw1, pb1, pw2, pb2)
						l := []*autograd.Value{SumAll(Mul(y, autograd.Const(g))), SumAll(Mul(Linear(px, pw1, pb1), autograd.Const(gh)))}
						if graph == "beside second" {
							l[0], l[1] = l[1], l[0]
						}
						Add(l[0], l[1]).Backward()
					}
					names, vals = []string{"output"}, [][]float32{y.Data.Data()}
					for _, p := range []struct {
						name string
						v    *autograd.Value
					}{{"dx", px}, {"dw1", pw1}, {"db1", pb1}, {"dw2", pw2}, {"db2", pb2}} {
						if p.v != nil && p.v.RequiresGrad() {
							names, vals = append(names, p.name), append(vals, p.v.Grad.Data())
						}
					}
					return names, vals
				}
				for _, th := range []int{1, 2, 3} {
					tensor.SetThreads(th)
					names, want := run(composed)
					_, got := run(FeedForward)
					for k, name := range names {
						if i := firstBitDiff(got[k], want[k]); i >= 0 {
							t.Errorf("%v bias %v %s, %d threads: %s[%d] = %v; want %v (Linear, GELU, Linear)", s, bias, graph, th, name, i, got[k][i], want[k][i])
						}
					}
				}
			}
		}
	}
}

// TestFeedForwardNoGrad: only the gradients asked for are computed, and a
// forward on constants records nothing.
func TestFeedForwardNoGrad(t *testing.T) {
	rng := seeded(41)
	x, w1, b1 := autograd.Const(tensor.Randn(rng, 3, 4)), autograd.Param(tensor.Randn(rng, 5, 4)), autograd.Const(tensor.Randn(rng, 5))
	w2, b2 := autograd.Param(tensor.Randn(rng, 2, 5)), autograd.Param(tensor.Randn(rng, 2))
	SumAll(FeedForward(x, w1, b1, w2, b2)).Backward()
	if x.Grad != nil || b1.Grad != nil || w1.Grad == nil || w2.Grad == nil || b2.Grad == nil {
		t.Errorf("gradients of x, w1, b1, w2, b2 present: %v %v %v %v %v; want false true false true true", x.Grad != nil, w1.Grad != nil, b1.Grad != nil, w2.Grad != nil, b2.Grad != nil)
	}
	w1c := autograd.Const(w1.Data)
	w2c := autograd.Const(w2.Data)
	if y := FeedForward(x, w1c, nil, w2c, nil); !y.IsLeaf() {
		t.Errorf("FeedForward on constants recorded %s", y.Op())
	}
}

// TestFeedForwardEmpty: no rows, no input features or no hidden units give
// the shapes of Linear, GELU and Linear, with no slice out of range: with no
// input features the hidden layer is GELU(b1), and with no hidden units the
// output is b2.
func TestFeedForwardEmpty(t *testing.T) {
	rng := seeded(42)
	for _, s := range [][3]int{{0, 4, 5}, {3, 0, 5}, {3, 4, 0}} {
		n, in, hid := s[0], s[1], s[2]
		args := func() []*autograd.Value {
			r := seeded(43)
			return []*autograd.Value{autograd.Param(tensor.Randn(r, n, in)), autograd.Param(tensor.Randn(r, hid, in)), autograd.Param(tensor.Randn(r, hid)), autograd.Param(tensor.Randn(r, 2, hid)), autograd.Param(tensor.Randn(r, 2))}
		}
		a, b := args(), args()
		got := FeedForward(a[0], a[1], a[2], a[3], a[4])
		want := Linear(GELU(Linear(b[0], b[1], b[2])), b[3], b[4])
		g := tensor.Randn(rng, n, 2)
		got.BackwardWith(g)
		want.BackwardWith(g)
		if i := firstBitDiff(got.Data.Data(), want.Data.Data()); i >= 0 || !slices.Equal(got.Data.Shape(), want.Data.Shape()) {
			t.Errorf("%v: output %v; want %v", s, got.Data, want.Data)
		}
		for k := range a {
			if i := firstBitDiff(a[k].Grad.Data(), b[k].Grad.Data()); i >= 0 {
				t.Errorf("%v: gradient %d = %v; want %v", s, k, a[k].Grad, b[k].Grad)
			}
		}
	}
}

// TestResidualBits: AddLinear and AddFeedForward give the output and every
// gradient of Add around Linear and FeedForward bit for bit, at any thread
// count, when the residual also feeds another op (so its gradient is a
// sum, as in a transformer block) and when the residual is the layer's
// own input.
func TestResidualBits(t *testing.T) {
	defer tensor.SetThreads(0)
	rng := seeded(45)
	for _, s := range [][3]int{{1, 5, 15}, {7, 16, 48}, {256, 64, 256}, {3, 33, 99}} {
		n, c, hid := s[0], s[1], s[2]
		x, g := tensor.Randn(rng, 2, n, c), tensor.Randn(rng, 2, n, c)
		w1, b1 := tensor.Randn(rng, hid, c), tensor.Randn(rng, hid)
		w2, b2 := tensor.Randn(rng, c, hid), tensor.Randn(rng, c)
		wl, bl := tensor.Randn(rng, c, c), tensor.Randn(rng, c)
		for _, op := range []struct {
			name     string
			fused    func(r, x *autograd.Value, p []*autograd.Value) *autograd.Value
			composed func(r, x *autograd.Value, p []*autograd.Value) *autograd.Value
		}{
			{"AddLinear",
				func(r, x *autograd.Value, p []*autograd.Value) *autograd.Value { return AddLinear(r, x, p[4], p[5]) },
				func(r, x *autograd.Value, p []*autograd.Value) *autograd.Value { return Add(r, Linear(x, p[4], p[5])) }},
			{"AddFeedForward",
				func(r, x *autograd.Value, p []*autograd.Value) *autograd.Value {
					return AddFeedForward(r, x, p[0], p[1], p[2], p[3])
				},
				func(r, x *autograd.Value, p []*autograd.Value) *autograd.Value {
					return Add(r, FeedForward(x, p[0], p[1], p[2], p[3]))
				}},
		} {
			for _, self := range []bool{false, true} {
				run := func(f func(r, x *autograd.Value, p []*autograd.Value) *autograd.Value) [][]float32 {
					r := autograd.Param(x.Clone())
					p := []*autograd.Value{autograd.Param(w1.Clone()), autograd.Param(b1.Clone()), autograd.Param(w2.Clone()), autograd.Param(b2.Clone()), autograd.Param(wl.Clone()), autograd.Param(bl.Clone())}
					in := Tanh(r) // the residual also feeds the layer's input
					if self {
						in = r
					}
					y := f(r, in, p)
					y.BackwardWith(g)
					out := [][]float32{y.Data.Data(), r.Grad.Data()}
					for _, v := range p {
						if v.Grad != nil {
							out = append(out, v.Grad.Data())
						}
					}
					return out
				}
				for _, th := range []int{1, 2} {
					tensor.SetThreads(th)
					want, got := run(op.composed), run(op.fused)
					if len(got) != len(want) {
						t.Fatalf("%s %v: %d gradients; want %d", op.name, s, len(got)-1, len(want)-1)
					}
					for k := range want {
						if i := firstBitDiff(got[k], want[k]); i >= 0 {
							t.Errorf("%s %v self %v, %d threads: result %d [%d] = %v; want %v", op.name, s, self, th, k, i, got[k][i], want[k][i])
						}
					}
				}
			}
		}
	}
}
