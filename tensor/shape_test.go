package tensor

import (
	"fmt"
	"slices"
	"testing"
)

func TestReshape(t *testing.T) {
	x := Arange(0, 6, 1)
	checkTensor(t, "Reshape(2,3)", Reshape(x, 2, 3), []int{2, 3}, x.Data())
	checkTensor(t, "Reshape(-1,2)", Reshape(x, -1, 2), []int{3, 2}, x.Data())
	checkTensor(t, "Reshape(1,-1,1)", Reshape(x, 1, -1, 1), []int{1, 6, 1}, x.Data())
	checkTensor(t, "Reshape scalar", Reshape(Scalar(3), 1, 1), []int{1, 1}, []float32{3})
	checkTensor(t, "Reshape to scalar", Reshape(FromSlice([]float32{3}, 1), []int{}...), []int{}, []float32{3})
	checkTensor(t, "Reshape empty", Reshape(Zeros(0, 4), 2, 0), []int{2, 0}, nil)
	wantPanic(t, "Reshape count", func() { Reshape(x, 4, 2) }, "Reshape of [6] (6 elements) to [4 2] (8 elements)")
	wantPanic(t, "Reshape two -1", func() { Reshape(x, -1, -1) }, "Reshape", "bad dimension -1")
	wantPanic(t, "Reshape infer", func() { Reshape(x, -1, 4) }, "Reshape", "cannot infer -1")
	wantPanic(t, "Reshape infer 0", func() { Reshape(Zeros(0), 0, -1) }, "Reshape", "cannot infer -1")
}

func TestPermuteTranspose(t *testing.T) {
	x := Arange(0, 6, 1).reshaped(2, 3)
	checkTensor(t, "Transpose", Transpose(x), []int{3, 2}, []float32{0, 3, 1, 4, 2, 5})
	y := Arange(0, 24, 1).reshaped(2, 3, 4)
	p := Permute(y, 2, 0, 1)
	if got := p.Shape(); fmt.Sprint(got) != "[4 2 3]" {
		t.Fatalf("Permute(2,0,1) shape = %v; want [4 2 3]", got)
	}
	// Element (i, j, k) of p is element (j, k, i) of y.
	for i := range 4 {
		for j := range 2 {
			for k := range 3 {
				if got, want := p.At(i, j, k), y.At(j, k, i); got != want {
					t.Fatalf("Permute(y, 2, 0, 1)[%d %d %d] = %v; want %v", i, j, k, got, want)
				}
			}
		}
	}
	bt := Transpose(y)
	if got, want := bt.At(1, 3, 2), y.At(1, 2, 3); got != want || bt.Dim(1) != 4 {
		t.Errorf("batched Transpose[1 3 2] = %v; want %v", got, want)
	}
	checkTensor(t, "Permute identity", Permute(x, 0, 1), []int{2, 3}, x.Data())
	checkTensor(t, "Permute negative", Permute(x, -1, 0), []int{3, 2}, []float32{0, 3, 1, 4, 2, 5})
	checkTensor(t, "Transpose empty", Transpose(Zeros(0, 3)), []int{3, 0}, nil)
	wantPanic(t, "Permute repeat", func() { Permute(x, 0, 0) }, "Permute", "[2 3]", "repeat")
	wantPanic(t, "Permute count", func() { Permute(x, 0) }, "Permute of shape [2 3]: axes [0]")
	wantPanic(t, "Transpose 1-D", func() { Transpose(Zeros(3)) }, "Transpose of shape [3]")
}

func TestSqueezeUnsqueeze(t *testing.T) {
	x := Arange(0, 6, 1).reshaped(1, 2, 1, 3)
	checkTensor(t, "Squeeze()", Squeeze(x), []int{2, 3}, x.Data())
	checkTensor(t, "Squeeze(2)", Squeeze(x, 2), []int{1, 2, 3}, x.Data())
	checkTensor(t, "Squeeze(0,-2)", Squeeze(x, 0, -2), []int{2, 3}, x.Data())
	checkTensor(t, "Unsqueeze(0)", Unsqueeze(Zeros(2), 0), []int{1, 2}, []float32{0, 0})
	checkTensor(t, "Unsqueeze(-1)", Unsqueeze(Zeros(2), -1), []int{2, 1}, []float32{0, 0})
	checkTensor(t, "Unsqueeze scalar", Unsqueeze(Scalar(5), 0), []int{1}, []float32{5})
	wantPanic(t, "Squeeze(1)", func() { Squeeze(x, 1) }, "Squeeze of shape [1 2 1 3]: axis 1 has size 2")
	wantPanic(t, "Unsqueeze(3)", func() { Unsqueeze(Zeros(2), 3) }, "axis 3 out of range in Unsqueeze")
}

func TestConcatStackSplit(t *testing.T) {
	a := Arange(0, 6, 1).reshaped(2, 3)
	b := Arange(10, 14, 1).reshaped(2, 2)
	c := Arange(20, 23, 1).reshaped(1, 3)
	checkTensor(t, "Concat(1)", Concat(1, a, b), []int{2, 5}, []float32{0, 1, 2, 10, 11, 3, 4, 5, 12, 13})
	checkTensor(t, "Concat(0)", Concat(0, a, c), []int{3, 3}, []float32{0, 1, 2, 3, 4, 5, 20, 21, 22})
	checkTensor(t, "Concat one", Concat(-1, a), []int{2, 3}, a.Data())
	checkTensor(t, "Concat empty part", Concat(0, a, Zeros(0, 3)), []int{2, 3}, a.Data())
	checkTensor(t, "Stack(0)", Stack(0, c, c), []int{2, 1, 3}, []float32{20, 21, 22, 20, 21, 22})
	checkTensor(t, "Stack(-1)", Stack(-1, FromSlice([]float32{1, 2}), FromSlice([]float32{3, 4})),
		[]int{2, 2}, []float32{1, 3, 2, 4})
	parts := Split(Concat(1, a, b), 1, 3, 2)
	checkTensor(t, "Split[0]", parts[0], []int{2, 3}, a.Data())
	checkTensor(t, "Split[1]", parts[1], []int{2, 2}, b.Data())
	parts = Split(a, 0, 1, 0, 1)
	checkTensor(t, "Split rows[0]", parts[0], []int{1, 3}, []float32{0, 1, 2})
	checkTensor(t, "Split rows[1]", parts[1], []int{0, 3}, nil)
	checkTensor(t, "Split rows[2]", parts[2], []int{1, 3}, []float32{3, 4, 5})
	wantPanic(t, "Concat", func() { Concat(0, a, b) }, "shape mismatch in Concat along axis 0: [2 3] and [2 2]")
	wantPanic(t, "Concat rank", func() { Concat(0, a, Zeros(3)) }, "Concat", "[2 3] and [3]")
	wantPanic(t, "Concat none", func() { Concat(0) }, "Concat of no tensors")
	wantPanic(t, "Stack", func() { Stack(0, a, b) }, "shape mismatch in Stack: [2 3] and [2 2]")
	wantPanic(t, "Split", func() { Split(a, 1, 2, 2) }, "Split of shape [2 3] along axis 1: sizes [2 2] add up to 4")
}

func TestGatherScatterOneHot(t *testing.T) {
	table := Arange(0, 8, 1).reshaped(4, 2)
	idx := []int{3, 0, 3}
	checkTensor(t, "Gather", Gather(table, idx), []int{3, 2}, []float32{6, 7, 0, 1, 6, 7})
	checkTensor(t, "Gather none", Gather(table, nil), []int{0, 2}, nil)
	src := FromSlice([]float32{1, 2, 10, 20, 100, 200}, 3, 2)
	// Row 3 is hit twice and accumulates both rows.
	checkTensor(t, "ScatterAdd", ScatterAdd(src, idx, 4), []int{4, 2}, []float32{10, 20, 0, 0, 0, 0, 101, 202})
	acc := Ones(4, 2)
	acc.ScatterAddInPlace(idx, src)
	checkTensor(t, "ScatterAddInPlace", acc, []int{4, 2}, []float32{11, 21, 1, 1, 1, 1, 102, 203})
	checkTensor(t, "OneHot", OneHot([]int{2, 0}, 3), []int{2, 3}, []float32{0, 0, 1, 1, 0, 0})
	wantPanic(t, "Gather", func() { Gather(table, []int{4}) }, "Gather: index 4 out of range [0, 4) for shape [4 2]")
	wantPanic(t, "Gather negative", func() { Gather(table, []int{-1}) }, "Gather: index -1 out of range")
	wantPanic(t, "ScatterAdd shape", func() { ScatterAdd(src, []int{0, 1}, 4) }, "ScatterAdd", "2 indices", "[3 2]")
	wantPanic(t, "ScatterAdd index", func() { ScatterAdd(src, []int{0, 1, 4}, 4) }, "ScatterAdd: index 4 out of range")
	before := acc.Clone()
	wantPanic(t, "ScatterAddInPlace index", func() { acc.ScatterAddInPlace([]int{0, 9, 1}, src) }, "index 9 out of range")
	if !Equal(acc, before) {
		t.Errorf("a ScatterAddInPlace that panicked changed its receiver: %v", acc)
	}
	wantPanic(t, "OneHot", func() { OneHot([]int{3}, 3) }, "OneHot: index 3 out of range [0, 3)")

	dst := Full(-1, 3, 2)
	checkTensor(t, "GatherInto", GatherInto(dst, table, idx), []int{3, 2}, []float32{6, 7, 0, 1, 6, 7})
	wantPanic(t, "GatherInto shape", func() { GatherInto(Zeros(2, 2), table, idx) }, "GatherInto: destination [2 2] for 3 rows of [4 2]")
	wantPanic(t, "GatherInto row shape", func() { GatherInto(Zeros(3, 3), table, idx) }, "destination [3 3]")
	wantPanic(t, "GatherInto index", func() { GatherInto(dst, table, []int{0, 4, 1}) }, "GatherInto: index 4 out of range")
	if want := []float32{6, 7, 0, 1, 6, 7}; !slices.Equal(dst.Data(), want) {
		t.Errorf("a GatherInto that panicked changed dst: %v", dst.Data())
	}
	// A destination inside the table would have rows overwritten before
	// they are read.
	tableBefore := table.Clone()
	wantPanic(t, "GatherInto overlap", func() { GatherInto(table.Slice(1, 4), table, idx) },
		"GatherInto: destination [3 2] shares storage with the table [4 2]")
	if !Equal(table, tableBefore) {
		t.Errorf("a GatherInto that panicked changed its overlapping table: %v", table.Data())
	}
}

func TestBroadcastTo(t *testing.T) {
	checkTensor(t, "BroadcastTo", BroadcastTo(FromSlice([]float32{1, 2}, 2, 1), 2, 2, 3),
		[]int{2, 2, 3}, []float32{1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2})
	wantPanic(t, "BroadcastTo", func() { BroadcastTo(Zeros(2, 3), 3) }, "BroadcastTo", "[2 3]", "[3]")
	if got := BroadcastShape([]int{4, 1, 3}, []int{2, 3}); fmt.Sprint(got) != "[4 2 3]" {
		t.Errorf("BroadcastShape([4 1 3], [2 3]) = %v; want [4 2 3]", got)
	}
}
