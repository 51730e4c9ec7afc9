package ops

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gotensor/gotensor/autograd"
	"github.com/gotensor/gotensor/tensor"
)

func TestShapeValues(t *testing.T) {
	x := autograd.Const(tensor.Arange(0, 6, 1))
	m := Reshape(x, 2, 3) // [[0 1 2] [3 4 5]]
	tests := []struct {
		name  string
		got   *autograd.Value
		shape []int
		want  []float32
	}{
		{"Reshape", m, []int{2, 3}, []float32{0, 1, 2, 3, 4, 5}},
		{"Transpose", Transpose(m), []int{3, 2}, []float32{0, 3, 1, 4, 2, 5}},
		{"Permute", Permute(Reshape(x, 1, 2, 3), 2, 0, 1), []int{3, 1, 2}, []float32{0, 3, 1, 4, 2, 5}},
		{"Concat", Concat(0, m, m), []int{4, 3}, []float32{0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5}},
		{"Concat/axis1", Concat(1, m, Slice(m, 1, 0, 1)), []int{2, 4}, []float32{0, 1, 2, 0, 3, 4, 5, 3}},
		{"Split", Split(m, 1, 2, 1)[1], []int{2, 1}, []float32{2, 5}},
		{"Slice", Slice(m, -1, 1, 3), []int{2, 2}, []float32{1, 2, 4, 5}},
		{"Slice/empty", Slice(m, 0, 1, 1), []int{0, 3}, []float32{}},
		{"Gather", Gather(m, []int{1, 1, 0}), []int{3, 3}, []float32{3, 4, 5, 3, 4, 5, 0, 1, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.got.Data.Shape(); !cmp.Equal(got, tt.shape) {
				t.Errorf("%s shape = %v; want %v", tt.name, got, tt.shape)
			}
			if got := tt.got.Data.Data(); !cmp.Equal(got, tt.want) {
				t.Errorf("%s = %v; want %v", tt.name, got, tt.want)
			}
		})
	}
}

func TestEmbeddingRepeatedIDs(t *testing.T) {
	// ids [2 0 2 2]: row 2 of the gradient is the sum of gradient rows 0, 2, 3.
	table := param([]float32{0, 1, 10, 11, 20, 21}, 3, 2)
	e := Embedding(table, []int{2, 0, 2, 2})
	if got, want := e.Data.Data(), []float32{20, 21, 0, 1, 20, 21, 20, 21}; !cmp.Equal(got, want) {
		t.Errorf("Embedding = %v; want %v", got, want)
	}
	e.BackwardWith(tensor.FromSlice([]float32{1, 2, 3, 4, 5, 6, 7, 8}, 4, 2))
	if got, want := table.Grad.Data(), []float32{3, 4, 0, 0, 13, 16}; !cmp.Equal(got, want) {
		t.Errorf("table gradient = %v; want %v", got, want)
	}
}

// TestGatherAddsRepeatedRowsFirst checks how Gather's gradient meets one
// the table already has (a table tied to an output layer): a repeated
// index's rows are summed first and then added, p + (a + b), as when
// the backward returned a scatter-added table. Adding them into the sum
// one by one, (p + a) + b, rounds 1 + 2⁻²⁴ + 2⁻²⁴ down to 1 twice.
func TestGatherAddsRepeatedRowsFirst(t *testing.T) {
	tiny := float32(0x1p-24)
	for _, gatherFirst := range []bool{false, true} {
		table := param([]float32{5, 7}, 2, 1)
		// An output layer tied to the table gives every row the gradient
		// 1, added into the engine's sum (AddToGrad) rather than returned.
		whole := SumAll(Linear(autograd.Const(tensor.Ones(1, 1)), table, nil))
		rows := SumAll(Mul(Gather(table, []int{0, 0}), autograd.Const(tensor.Full(tiny, 2, 1))))
		loss := Add(whole, rows)
		if gatherFirst {
			loss = Add(rows, whole)
		}
		loss.Backward()
		if got, want := table.Grad.Data(), []float32{1 + 2*tiny, 1}; !cmp.Equal(got, want) {
			t.Errorf("gather first %v: table gradient = %v; want %v", gatherFirst, got, want)
		}
	}
}

func TestShapePanics(t *testing.T) {
	m := autograd.Const(tensor.Zeros(2, 3))
	runPanics(t, []panicCase{
		{"Reshape", func() { Reshape(m, 4, 2) }, "Reshape of [2 3] (6 elements) to [4 2] (8 elements)"},
		{"Transpose", func() { Transpose(autograd.Const(tensor.Zeros(3))) }, "Transpose of shape [3]"},
		{"Permute", func() { Permute(m, 0, 0) }, "Permute of shape [2 3]: axes [0 0] repeat 0"},
		{"Concat", func() { Concat(0, m, autograd.Const(tensor.Zeros(2, 2))) }, "Concat"},
		{"Split", func() { Split(m, 1, 1, 1) }, "sizes [1 1] add up to 2"},
		{"Slice", func() { Slice(m, 1, 2, 4) }, "ops.Slice: range [2, 4) of axis 1 of shape [2 3]"},
		{"SliceAxis", func() { Slice(m, 2, 0, 1) }, "ops.Slice: axis 2 out of range for shape [2 3]"},
		{"Gather", func() { Gather(m, []int{2}) }, "ops.Gather: index 2 out of range [0, 2) for shape [2 3]"},
		{"GatherScalar", func() { Gather(autograd.Scalar(1), []int{0}) }, "ops.Gather: of a 0-d value"},
		{"Embedding", func() { Embedding(m, []int{0, -1}) }, "ops.Embedding: id -1 at position 1 outside [0, 2) for table [2 3]"},
		{"EmbeddingRank", func() { Embedding(autograd.Const(tensor.Zeros(4)), nil) }, "ops.Embedding: table of shape [4]: want (V, D)"},
	})
}
