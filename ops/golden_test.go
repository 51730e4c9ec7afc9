package ops

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"testing"

	"github.com/gotensor/gotensor/autograd"
	"github.com/gotensor/gotensor/tensor"
)

// Golden cases: forward values and input gradients computed by PyTorch 1.13
// in float64 by testdata/gen_golden.py. Each case's loss is
// Σ_i sum(output_i · upstream_i) with random upstream gradients.

type goldenArray struct {
	Shape []int     `json:"shape"`
	Data  []float64 `json:"data"`
}

func (a goldenArray) tensor() *tensor.Tensor {
	d := make([]float32, len(a.Data))
	for i, v := range a.Data {
		d[i] = float32(v)
	}
	if len(a.Shape) == 0 {
		return tensor.Scalar(d[0])
	}
	return tensor.FromSlice(d, a.Shape...)
}

type goldenArgs struct {
	S         float32      `json:"s"`
	Axis      int          `json:"axis"`
	Keepdim   bool         `json:"keepdim"`
	Shape     []int        `json:"shape"`
	Axes      []int        `json:"axes"`
	Sizes     []int        `json:"sizes"`
	Start     int          `json:"start"`
	End       int          `json:"end"`
	Idx       []int        `json:"idx"`
	Targets   []int        `json:"targets"`
	Ignore    int          `json:"ignore"`
	Smoothing float32      `json:"smoothing"`
	Eps       float32      `json:"eps"`
	Mask      *goldenArray `json:"mask"`
	Causal    bool         `json:"causal"`
	Heads     int          `json:"heads"`
}

type goldenCase struct {
	Name     string         `json:"name"`
	Op       string         `json:"op"`
	Args     goldenArgs     `json:"args"`
	Tol      float64        `json:"tol"`
	Inputs   []goldenArray  `json:"inputs"`
	Outputs  []goldenArray  `json:"outputs"`
	Upstream []goldenArray  `json:"upstream"`
	Grads    []*goldenArray `json:"grads"`
}

// goldenOps builds each op of the golden file from its inputs and arguments.
var goldenOps = map[string]func(x []*autograd.Value, a goldenArgs) []*autograd.Value{
	"Add":       func(x []*autograd.Value, a goldenArgs) []*autograd.Value { return one(Add(x[0], x[1])) },
	"Sub":       func(x []*autograd.Value, a goldenArgs) []*autograd.Value { return one(Sub(x[0], x[1])) },
	"Mul":       func(x []*autograd.Value, a goldenArgs) []*autograd.Value { return one(Mul(x[0], x[1])) },
	"Div":       func(x []*autograd.Value, a goldenArgs) []*autograd.Value { return one(Div(x[0], x[1])) },
	"Neg":       func(x []*autograd.Value, a goldenArgs) []*autograd.Value { return one(Neg(x[0])) },
	"Pow":       func(x []*autograd.Value, a goldenArgs) []*autograd.Value { return one(Pow(x[0], x[1])) },
	"AddScalar": func(x []*autograd.Value, a goldenArgs) []*autograd.Value { return one(AddScalar(x[0], a.S)) },
	"SubScalar": func(x []*autograd.Value, a goldenArgs) []*autograd.Value { return one(SubScalar(x[0], a.S)) },
	"MulScalar": func(x []*autograd.Value, a goldenArgs) []*autograd.Value { return one(MulScalar(x[0], a.S)) },
	"DivScalar": func(x []*autograd.Value, a goldenArgs) []*autograd.Value { return one(DivScalar(x[0], a.S)) },
	"PowScalar": func(x []*autograd.Value, a goldenArgs) []*autograd.Value { return one(PowScalar(x[0], a.S)) },
	"MatMul":    func(x []*autograd.Value, a goldenArgs) []*autograd.Value { return one(MatMul(x[0], x[1])) },
	"Linear":    func(x []*autograd.Value, a goldenArgs) []*autograd.Value { return one(Linear(x[0], x[1], opt(x, 2))) },
	"Exp":       func(x []*autograd.Value, a goldenArgs) []*autograd.Value { return one(Exp(x[0])) },
	"Log":       func(x []*autograd.Value, a goldenArgs) []*autograd.Value { return one(Log(x[0])) },
	"Sqrt":      func(x []*autograd.Value, a goldenArgs) []*autograd.Value { return one(Sqrt(x[0])) },
	"Tanh":      func(x []*autograd.Value, a goldenArgs) []*autograd.Value { return one(Tanh(x[0])) },
	"Sigmoid":   func(x []*autograd.Value, a goldenArgs) []*autograd.Value { return one(Sigmoid(x[0])) },
	"ReLU":      func(x []*autograd.Value, a goldenArgs) []*autograd.Value { return one(ReLU(x[0])) },
	"LeakyReLU": func(x []*autograd.Value, a goldenArgs) []*autograd.Value { return one(LeakyReLU(x[0], a.S)) },
	"GELU":      func(x []*autograd.Value, a goldenArgs) []*autograd.Value { return one(GELU(x[0])) },
	"GELUTanh":  func(x []*autograd.Value, a goldenArgs) []*autograd.Value { return one(GELUTanh(x[0])) },
	"Sum":       func(x []*autograd.Value, a goldenArgs) []*autograd.Value { return one(Sum(x[0], a.Axis, a.Keepdim)) },
	"Mean":      func(x []*autograd.Value, a goldenArgs) []*autograd.Value { return one(Mean(x[0], a.Axis, a.Keepdim)) },
	"SumAll":    func(x []*autograd.Value, a goldenArgs) []*autograd.Value { return one(SumAll(x[0])) },
	"MeanAll":   func(x []*autograd.Value, a goldenArgs) []*autograd.Value { return one(MeanAll(x[0])) },
	"Max":       func(x []*autograd.Value, a goldenArgs) []*autograd.Value { return one(Max(x[0], a.Axis, a.Keepdim)) },
	"Reshape":   func(x []*autograd.Value, a goldenArgs) []*autograd.Value { return one(Reshape(x[0], a.Shape...)) },
	"Transpose": func(x []*autograd.Value, a goldenArgs) []*autograd.Value { return one(Transpose(x[0])) },
	"Permute":   func(x []*autograd.Value, a goldenArgs) []*autograd.Value { return one(Permute(x[0], a.Axes...)) },
	"Concat":    func(x []*autograd.Value, a goldenArgs) []*autograd.Value { return one(Concat(a.Axis, x...)) },
	"Split":     func(x []*autograd.Value, a goldenArgs) []*autograd.Value { return Split(x[0], a.Axis, a.Sizes...) },
	"Slice": func(x []*autograd.Value, a goldenArgs) []*autograd.Value {
		return one(Slice(x[0], a.Axis, a.Start, a.End))
	},
	"Gather":        func(x []*autograd.Value, a goldenArgs) []*autograd.Value { return one(Gather(x[0], a.Idx)) },
	"Embedding":     func(x []*autograd.Value, a goldenArgs) []*autograd.Value { return one(Embedding(x[0], a.Idx)) },
	"Softmax":       func(x []*autograd.Value, a goldenArgs) []*autograd.Value { return one(Softmax(x[0], a.Axis)) },
	"LogSoftmax":    func(x []*autograd.Value, a goldenArgs) []*autograd.Value { return one(LogSoftmax(x[0], a.Axis)) },
	"BCEWithLogits": func(x []*autograd.Value, a goldenArgs) []*autograd.Value { return one(BCEWithLogits(x[0], x[1])) },
	"MSE":           func(x []*autograd.Value, a goldenArgs) []*autograd.Value { return one(MSE(x[0], x[1])) },
	"CrossEntropy": func(x []*autograd.Value, a goldenArgs) []*autograd.Value {
		return one(CrossEntropy(x[0], a.Targets, CrossEntropyOpts{IgnoreIndex: a.Ignore, LabelSmoothing: a.Smoothing}))
	},
	"CosineSimilarity": func(x []*autograd.Value, a goldenArgs) []*autograd.Value { return one(CosineSimilarity(x[0], x[1])) },
	"PairwiseCosine":   func(x []*autograd.Value, a goldenArgs) []*autograd.Value { return one(PairwiseCosine(x[0], x[1])) },
	"LayerNorm": func(x []*autograd.Value, a goldenArgs) []*autograd.Value {
		return one(LayerNorm(x[0], opt(x, 1), opt(x, 2), a.Eps))
	},
	"Dropout": func(x []*autograd.Value, a goldenArgs) []*autograd.Value { return one(Dropout(x[0], a.S, false, nil)) },
	"Attention": func(x []*autograd.Value, a goldenArgs) []*autograd.Value {
		var mask *tensor.Tensor
		if a.Mask != nil {
			mask = a.Mask.tensor()
		}
		out, w := ScaledDotProductAttention(x[0], x[1], x[2], mask, a.Causal)
		return []*autograd.Value{out, w}
	},
	"MultiHeadSelfAttention": func(x []*autograd.Value, a goldenArgs) []*autograd.Value {
		var mask *tensor.Tensor
		if a.Mask != nil {
			mask = a.Mask.tensor()
		}
		return one(MultiHeadSelfAttention(x[0], a.Heads, mask, a.Causal))
	},
}

func one(v *autograd.Value) []*autograd.Value { return []*autograd.Value{v} }

// opt returns x[i], or nil if there are not that many inputs.
func opt(x []*autograd.Value, i int) *autograd.Value {
	if i < len(x) {
		return x[i]
	}
	return nil
}

func loadGolden(t *testing.T) []goldenCase {
	t.Helper()
	raw, err := os.ReadFile("testdata/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Cases []goldenCase `json:"cases"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatalf("testdata/golden.json: %v", err)
	}
	return file.Cases
}

// closeTo reports the first element of got that differs from want by more
// than tol·(|want| + 0.1·max|want|): a relative tolerance (1e-5 for every
// case) with an absolute floor of a tenth of the tensor's scale. The floor is
// needed for elements near 0 that float32 cannot resolve relative to their
// neighbours: sums of products that cancel (a MatMul element 1e-4 of the
// others), or saturation (σ'(30) is 9e-14 in float64 and exactly 0 in
// float32). The largest error measured is 9e-7·(|want| + 0.1·max|want|), a
// tenth of the tolerance; without the floor only such elements would fail.
func closeTo(got *tensor.Tensor, want goldenArray, tol float64) error {
	if fmt.Sprint(got.Shape()) != fmt.Sprint(want.Shape) {
		return fmt.Errorf("shape %v; want %v", got.Shape(), want.Shape)
	}
	var scale float64
	for _, w := range want.Data {
		scale = max(scale, math.Abs(w))
	}
	for i, g := range got.Data() {
		w := float64(want.Data[i])
		if d := math.Abs(float64(g) - w); !(d <= tol*(math.Abs(w)+0.1*scale+1e-30)) {
			return fmt.Errorf("element %d = %v; want %v (diff %.3g)", i, g, w, d)
		}
	}
	return nil
}

func TestGolden(t *testing.T) {
	cases := loadGolden(t)
	seen := map[string]bool{}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			build, ok := goldenOps[c.Op]
			if !ok {
				t.Fatalf("no op %q", c.Op)
			}
			seen[c.Op] = true
			xs := make([]*autograd.Value, len(c.Inputs))
			for i, in := range c.Inputs {
				if c.Grads[i] != nil {
					xs[i] = autograd.Param(in.tensor())
				} else {
					xs[i] = autograd.Const(in.tensor())
				}
			}
			outs := build(xs, c.Args)
			if len(outs) != len(c.Outputs) {
				t.Fatalf("%d outputs; want %d", len(outs), len(c.Outputs))
			}
			var loss *autograd.Value
			for i, o := range outs {
				if err := closeTo(o.Data, c.Outputs[i], c.Tol); err != nil {
					t.Errorf("%s output %d: %v", c.Name, i, err)
				}
				l := SumAll(Mul(o, autograd.Const(c.Upstream[i].tensor())))
				if loss == nil {
					loss = l
				} else {
					loss = Add(loss, l)
				}
			}
			loss.Backward()
			for i, want := range c.Grads {
				if want == nil {
					continue
				}
				got := xs[i].Grad
				if got == nil {
					got = tensor.ZerosLike(xs[i].Data)
				}
				if err := closeTo(got, *want, c.Tol); err != nil {
					t.Errorf("%s gradient of input %d: %v", c.Name, i, err)
				}
			}
		})
	}
	for op := range goldenOps {
		if !seen[op] {
			t.Errorf("op %s has no golden case", op)
		}
	}
}
