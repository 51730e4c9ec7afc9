package autograd

import (
	"fmt"
	"math"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gotensor/gotensor/tensor"
)

// The engine is tested with small ops defined here, so that these tests
// depend on nothing but the engine and package tensor.

func mul(a, b *Value) *Value {
	return Record("mul", tensor.Mul(a.Data, b.Data), func(g *tensor.Tensor) []*tensor.Tensor {
		return []*tensor.Tensor{
			tensor.SumTo(tensor.Mul(g, b.Data), a.Data.Shape()...),
			tensor.SumTo(tensor.Mul(g, a.Data), b.Data.Shape()...),
		}
	}, a, b)
}

func add(a, b *Value) *Value {
	return Record("add", tensor.Add(a.Data, b.Data), func(g *tensor.Tensor) []*tensor.Tensor {
		return []*tensor.Tensor{tensor.SumTo(g, a.Data.Shape()...), tensor.SumTo(g, b.Data.Shape()...)}
	}, a, b)
}

func sum(a *Value) *Value {
	return Record("sum", tensor.Scalar(tensor.SumAll(a.Data)), func(g *tensor.Tensor) []*tensor.Tensor {
		return []*tensor.Tensor{tensor.Full(g.Item(), a.Data.Shape()...)}
	}, a)
}

func panics(f func()) (ok bool, msg string) {
	defer func() {
		if r := recover(); r != nil {
			ok, msg = true, fmt.Sprint(r)
		}
	}()
	f()
	return false, ""
}

func wantPanic(t *testing.T, name string, f func(), parts ...string) {
	t.Helper()
	ok, msg := panics(f)
	if !ok {
		t.Errorf("%s did not panic", name)
		return
	}
	for _, p := range parts {
		if !strings.Contains(msg, p) {
			t.Errorf("%s panicked with %q; want it to contain %q", name, msg, p)
		}
	}
}

func vals(t *tensor.Tensor) []float32 { return t.Data() }

func TestBackwardHand(t *testing.T) {
	// loss = sum(x*y + x) for x = [1 2 3], y = [4 5 6]:
	// dloss/dx = y + 1 = [5 6 7], dloss/dy = x = [1 2 3].
	x := Param(tensor.FromSlice([]float32{1, 2, 3}))
	y := Param(tensor.FromSlice([]float32{4, 5, 6}))
	loss := sum(add(mul(x, y), x))
	if got := loss.Item(); got != 38 {
		t.Fatalf("loss = %v; want 38", got)
	}
	loss.Backward()
	if got := fmt.Sprint(vals(x.Grad)); got != "[5 6 7]" {
		t.Errorf("x.Grad = %s; want [5 6 7]", got)
	}
	if got := fmt.Sprint(vals(y.Grad)); got != "[1 2 3]" {
		t.Errorf("y.Grad = %s; want [1 2 3]", got)
	}
	if loss.Op() != "sum" || x.Op() != "" || !x.IsLeaf() || loss.IsLeaf() {
		t.Errorf("Op/IsLeaf: loss %q %v, x %q %v", loss.Op(), loss.IsLeaf(), x.Op(), x.IsLeaf())
	}
}

func TestBackwardReuseAndBroadcast(t *testing.T) {
	// loss = sum(x*x*b) with b a broadcast (1, 3) row:
	// dloss/dx = 2·x·b, dloss/db = Σ_rows x².
	x := Param(tensor.FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 3))
	b := Param(tensor.FromSlice([]float32{1, -1, 2}, 1, 3))
	sum(mul(mul(x, x), b)).Backward()
	if got := fmt.Sprint(vals(x.Grad)); got != "[2 -4 12 8 -10 24]" {
		t.Errorf("x.Grad = %s; want [2 -4 12 8 -10 24]", got)
	}
	if got := fmt.Sprint(vals(b.Grad)); got != "[17 29 45]" || fmt.Sprint(b.Grad.Shape()) != "[1 3]" {
		t.Errorf("b.Grad = %s %v; want [17 29 45] of shape [1 3]", got, b.Grad.Shape())
	}
}

func TestGradAccumulatesUntilZeroGrad(t *testing.T) {
	x := Param(tensor.FromSlice([]float32{1, 2}))
	c := Const(tensor.FromSlice([]float32{3, 4}))
	for range 3 {
		sum(mul(x, c)).Backward()
	}
	if got := fmt.Sprint(vals(x.Grad)); got != "[9 12]" {
		t.Errorf("after 3 Backward calls, x.Grad = %s; want [9 12]", got)
	}
	if c.Grad != nil {
		t.Errorf("a constant got a gradient: %v", c.Grad)
	}
	x.ZeroGrad()
	sum(mul(x, c)).Backward()
	if got := fmt.Sprint(vals(x.Grad)); got != "[3 4]" {
		t.Errorf("after ZeroGrad and Backward, x.Grad = %s; want [3 4]", got)
	}
}

func TestLongChain(t *testing.T) {
	// 10^5 recorded nodes: a recursive walk would overflow the stack.
	x := Param(tensor.Scalar(1))
	one := Const(tensor.Scalar(1))
	v := x
	for range 100_000 {
		v = add(v, one)
	}
	v.Backward()
	if got := v.Item(); got != 100_001 {
		t.Errorf("value = %v; want 100001", got)
	}
	if got := x.Grad.Item(); got != 1 {
		t.Errorf("x.Grad = %v; want 1", got)
	}
}

func TestBackwardPanics(t *testing.T) {
	x := Param(tensor.FromSlice([]float32{1, 2}))
	wantPanic(t, "non-scalar", func() { mul(x, x).Backward() }, "Backward of a value of shape [2]", "BackwardWith")
	wantPanic(t, "seed shape", func() { mul(x, x).BackwardWith(tensor.Zeros(3)) }, "BackwardWith: seed of shape [3]", "[2]")
	loss := sum(mul(x, x))
	loss.Backward()
	wantPanic(t, "twice", func() { loss.Backward() }, "Backward through a released graph (op sum)")
	bad := Record("bad", tensor.Zeros(2), func(g *tensor.Tensor) []*tensor.Tensor {
		return []*tensor.Tensor{tensor.Zeros(3)}
	}, x)
	wantPanic(t, "grad shape", func() { sum(bad).Backward() }, "autograd: bad backward: gradient 0 has shape [3]; its input has shape [2]")
	count := Record("count", tensor.Zeros(2), func(g *tensor.Tensor) []*tensor.Tensor { return nil }, x)
	wantPanic(t, "grad count", func() { sum(count).Backward() }, "count backward returned 0 gradients for 1 inputs")
	c := Const(tensor.Ones(2))
	wantPanic(t, "no gradient", func() { sum(mul(c, c)).Backward() }, "Backward of a value (op \"\") that does not require a gradient")
}

func TestPanickingBackwardLeavesNoPartialGradient(t *testing.T) {
	// A backward that panics half-way must not leave pending gradients that a
	// later Backward would add in.
	x := Param(tensor.FromSlice([]float32{1, 2}))
	c := Const(tensor.FromSlice([]float32{10, 10}))
	bad := Record("bad", tensor.Zeros(2), func(g *tensor.Tensor) []*tensor.Tensor {
		return []*tensor.Tensor{tensor.Zeros(7)}
	}, x)
	if ok, _ := panics(func() { sum(add(bad, mul(x, c))).Backward() }); !ok {
		t.Fatal("a gradient of the wrong shape did not panic")
	}
	x.ZeroGrad()
	sum(mul(x, c)).Backward()
	if got := fmt.Sprint(vals(x.Grad)); got != "[10 10]" {
		t.Errorf("after a panicking Backward, x.Grad = %s; want [10 10]", got)
	}
}

func TestPanickingBackwardLeavesNoPartialLeafGradient(t *testing.T) {
	// head adds into x's gradient with AddToGrad before bad panics; x.Grad
	// must stay as it was, so that a Backward without ZeroGrad is right.
	x := Param(tensor.FromSlice([]float32{1, 2, 3}))
	bad := RecordBorrowing("bad", tensor.Zeros(3), func(g *tensor.Tensor) []*tensor.Tensor {
		panic("bad backward")
	}, x)
	if ok, _ := panics(func() { both(sum(bad), sum(head(x, 2))).Backward() }); !ok {
		t.Fatal("the backward did not panic")
	}
	if x.Grad != nil {
		t.Fatalf("after a panicking Backward, x.Grad = %v; want nil", vals(x.Grad))
	}
	sum(head(x, 2)).Backward()
	if got := fmt.Sprint(vals(x.Grad)); got != "[1 1 0]" {
		t.Errorf("after a panicking Backward and another, x.Grad = %s; want [1 1 0]", got)
	}
	// Outside Backward, AddToGrad adds into a leaf's gradient at once.
	x.AddToGrad(func(dst *tensor.Tensor, accumulate bool) {
		if !accumulate {
			t.Error("AddToGrad outside Backward did not accumulate into the gradient x has")
		}
		dst.AddInPlace(tensor.FromSlice([]float32{1, 2, 3}))
	})
	if got := fmt.Sprint(vals(x.Grad)); got != "[2 3 3]" {
		t.Errorf("after AddToGrad outside Backward, x.Grad = %s; want [2 3 3]", got)
	}
}

func TestBackwardWithSeed(t *testing.T) {
	x := Param(tensor.FromSlice([]float32{1, 2, 3}))
	mul(x, x).BackwardWith(tensor.FromSlice([]float32{1, 0, -1}))
	if got := fmt.Sprint(vals(x.Grad)); got != "[2 0 -6]" {
		t.Errorf("x.Grad = %s; want [2 0 -6]", got)
	}
}

func TestConstantsRecordNothing(t *testing.T) {
	a, b := Const(tensor.Ones(2)), Const(tensor.Ones(2))
	if v := mul(a, b); !v.IsLeaf() || v.RequiresGrad() {
		t.Error("an op on constants recorded a node")
	}
	x := Param(tensor.Ones(2))
	if d := mul(x, x).Detach(); !d.IsLeaf() || d.RequiresGrad() {
		t.Error("Detach kept the graph")
	}
}

func TestNoGrad(t *testing.T) {
	w := Param(tensor.FromSlice([]float32{2}))
	restore := NoGrad(w)
	if v := mul(w, w); !v.IsLeaf() {
		t.Error("NoGrad(w): an op on w recorded a node")
	}
	inner := NoGrad(w) // nesting
	inner()
	inner() // calling restore twice is harmless
	if w.RequiresGrad() {
		t.Error("after an inner restore, w requires grad inside the outer NoGrad")
	}
	restore()
	if v := mul(w, w); v.IsLeaf() {
		t.Error("after restore, an op on w recorded nothing")
	}
}

func TestNoGradConcurrentModels(t *testing.T) {
	// One goroutine evaluates model A under NoGrad while another trains model
	// B: B's gradients must be exact every step.
	a := Param(tensor.FromSlice([]float32{1, 2, 3}))
	b := Param(tensor.FromSlice([]float32{1, 2, 3}))
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			restore := NoGrad(a)
			if v := sum(mul(a, a)); !v.IsLeaf() {
				t.Error("NoGrad(a) recorded a node")
			}
			restore()
		}
	}()
	for i := range 2000 {
		b.ZeroGrad()
		sum(mul(b, b)).Backward()
		if got := fmt.Sprint(vals(b.Grad)); got != "[2 4 6]" {
			t.Errorf("step %d: b.Grad = %s; want [2 4 6]", i, got)
			break
		}
	}
	close(stop)
	wg.Wait()
}

func TestMemoryFlatOverSteps(t *testing.T) {
	w := Param(tensor.Ones(64, 64))
	x := Const(tensor.Ones(64, 64))
	// The loop keeps every step's loss, as a training loop that logs them
	// might: Backward must release the graph behind each one.
	var losses []*Value
	step := func() {
		w.ZeroGrad()
		h := x
		for range 10 {
			h = mul(add(h, w), x)
		}
		loss := sum(h)
		loss.Backward()
		losses = append(losses, loss)
	}
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	for range 50 {
		step()
	}
	before := heap()
	for range 1000 {
		step()
	}
	after := heap()
	runtime.KeepAlive(losses)
	// Each step's graph holds 30 tensors of 16 KiB: 480 MiB if kept.
	if after > before+1<<20 {
		t.Errorf("heap grew from %d to %d bytes over 1000 steps", before, after)
	}
}

func TestGradCheck(t *testing.T) {
	f := func(xs ...*Value) *Value { return mul(mul(xs[0], xs[1]), xs[0]) }
	in := []*tensor.Tensor{tensor.FromSlice([]float32{0.5, -1, 2}, 3), tensor.FromSlice([]float32{1.5, 2, -0.5, 1, 3, 2}, 2, 3)}
	res, err := GradCheck(f, in, 1e-2, 1e-2, 1e-2)
	if err != nil {
		t.Errorf("GradCheck of a correct op: %v", err)
	}
	if res.AbsErr > 1e-2 {
		t.Errorf("worst element %v", res)
	}
	// A backward that is wrong by a factor 2 for its second input must fail.
	wrong := func(xs ...*Value) *Value {
		a, b := xs[0], xs[1]
		return Record("wrong", tensor.Mul(a.Data, b.Data), func(g *tensor.Tensor) []*tensor.Tensor {
			return []*tensor.Tensor{tensor.Mul(g, b.Data), tensor.MulScalar(tensor.Mul(g, a.Data), 2)}
		}, a, b)
	}
	res, err = GradCheck(wrong, []*tensor.Tensor{in[0], in[0]}, 1e-2, 1e-2, 1e-2)
	if err == nil || res.Input != 1 || !strings.Contains(err.Error(), "GradCheck failed at input 1") {
		t.Errorf("GradCheck of a wrong op: %v, %v; want a failure at input 1", res, err)
	}
	if got := math.Abs(res.Analytic - 2*res.Numeric); got > 0.05 {
		t.Errorf("worst element %v: analytic should be twice the numeric", res)
	}
}

// both adds two values and passes its gradient on to both parents as the
// same tensor, as ops.Add does when no broadcasting is involved.
func both(a, b *Value) *Value {
	return Record("both", tensor.Add(a.Data, b.Data), func(g *tensor.Tensor) []*tensor.Tensor {
		return []*tensor.Tensor{g, g}
	}, a, b)
}

// head returns the first n elements of a 1-D value; its backward adds its
// gradient into a's with AddToGrad.
func head(a *Value, n int) *Value {
	return Record("head", tensor.FromSlice(append([]float32(nil), a.Data.Data()[:n]...)), func(g *tensor.Tensor) []*tensor.Tensor {
		a.AddToGrad(func(dst *tensor.Tensor, accumulate bool) {
			d := dst.Data()
			if !accumulate {
				clear(d)
			}
			for i, v := range g.Data() {
				d[i] += v
			}
		})
		return []*tensor.Tensor{nil}
	}, a)
}

func TestSharedGradientNotAddedInPlace(t *testing.T) {
	// loss = sum((x1 + x2)·c) + sum(x1·d): x1's gradient is c + d, x2's is c.
	// both hands the same tensor to x1 and x2; adding d into it in place
	// would corrupt x2's, which Backward reaches last.
	x1, x2 := Param(tensor.FromSlice([]float32{1, 2})), Param(tensor.FromSlice([]float32{3, 4}))
	c, d := Const(tensor.FromSlice([]float32{5, 6})), Const(tensor.FromSlice([]float32{7, 8}))
	both(sum(mul(x1, d)), sum(mul(both(x1, x2), c))).Backward()
	if got := fmt.Sprint(vals(x1.Grad), vals(x2.Grad)); got != "[12 14] [5 6]" {
		t.Errorf("x1.Grad, x2.Grad = %s; want [12 14] [5 6]", got)
	}
}

func TestZeroGradReusesStorage(t *testing.T) {
	x := Param(tensor.FromSlice([]float32{1, 2}))
	c := Const(tensor.FromSlice([]float32{3, 4}))
	sum(mul(x, c)).Backward()
	first := &x.Grad.Data()[0]
	x.ZeroGrad()
	if x.Grad != nil {
		t.Fatalf("after ZeroGrad, x.Grad = %v; want nil", x.Grad)
	}
	sum(mul(x, mul(c, c))).Backward()
	if got := fmt.Sprint(vals(x.Grad)); got != "[9 16]" {
		t.Errorf("after ZeroGrad and Backward, x.Grad = %s; want [9 16]", got)
	}
	if &x.Grad.Data()[0] != first {
		t.Error("the gradient after ZeroGrad did not reuse the storage of the one dropped")
	}
}

func TestAddToGradAfterReturnedReusesStorage(t *testing.T) {
	// After ZeroGrad, x's first gradient is one that sum returns, which the
	// engine may not change; head then adds into the sum with AddToGrad,
	// so the engine starts a sum of its own, x's Grad to be: it must go
	// into the storage ZeroGrad kept, as when AddToGrad comes first.
	x := Param(tensor.FromSlice([]float32{1, 2, 3}))
	sum(x).Backward()
	first := &x.Grad.Data()[0]
	x.ZeroGrad()
	both(sum(head(x, 2)), sum(x)).Backward()
	if got := fmt.Sprint(vals(x.Grad)); got != "[2 2 1]" {
		t.Errorf("x.Grad = %s; want [2 2 1]", got)
	}
	if &x.Grad.Data()[0] != first {
		t.Error("the gradient after ZeroGrad did not reuse the storage of the one dropped")
	}
}

func TestAddToGrad(t *testing.T) {
	// y = x·x; loss = sum(y[:2]) + sum(y[:1]·10) + sum(y), so dloss/dy =
	// [12 2 1] and dloss/dx = 2x·dloss/dy = [24 8 6] for x = [1 2 3]. The
	// head ops add into y's sum: first, after sum's returned gradient (not
	// the engine's to change), or after each other.
	x := Param(tensor.FromSlice([]float32{1, 2, 3}))
	y := mul(x, x)
	both(both(sum(head(y, 2)), sum(mul(head(y, 1), Scalar(10)))), sum(y)).Backward()
	if got := fmt.Sprint(vals(x.Grad)); got != "[24 8 6]" {
		t.Errorf("x.Grad = %s; want [24 8 6]", got)
	}

	// Into a leaf: a first gradient overwrites the storage ZeroGrad left,
	// whatever it holds; a second adds to it.
	x.ZeroGrad()
	sum(head(x, 2)).Backward()
	if got := fmt.Sprint(vals(x.Grad)); got != "[1 1 0]" {
		t.Errorf("x.Grad = %s; want [1 1 0]", got)
	}
	both(sum(head(x, 1)), sum(mul(x, x))).Backward()
	if got := fmt.Sprint(vals(x.Grad)); got != "[4 5 6]" {
		t.Errorf("after a second Backward, x.Grad = %s; want [4 5 6]", got)
	}

	// A constant needs no gradient: write is never called.
	k := Const(tensor.FromSlice([]float32{1}))
	k.AddToGrad(func(*tensor.Tensor, bool) { t.Error("AddToGrad called write for a constant") })
	wantPanic(t, "AddToGrad outside Backward", func() { y.AddToGrad(func(*tensor.Tensor, bool) {}) },
		"autograd: AddToGrad of a value made by mul outside Backward")
}

// double returns 2a; its backward, recorded as borrowing, adds 2g into a's
// gradient with AddToGrad, so the gradients it makes are the engine's own.
// It notes in seen the storage of each gradient it starts.
func double(a *Value, seen map[*float32]bool) *Value {
	return RecordBorrowing("double", tensor.MulScalar(a.Data, 2), func(g *tensor.Tensor) []*tensor.Tensor {
		a.AddToGrad(func(dst *tensor.Tensor, accumulate bool) {
			if !accumulate {
				clear(dst.Data())
				if seen != nil {
					seen[&dst.Data()[0]] = true
				}
			}
			dst.AddScaledInPlace(2, g)
		})
		return []*tensor.Tensor{nil}
	}, a)
}

// pass returns a and passes its gradient on unchanged, as the same tensor.
func pass(a *Value) *Value {
	return RecordBorrowing("pass", a.Data.Clone(), func(g *tensor.Tensor) []*tensor.Tensor {
		return []*tensor.Tensor{g}
	}, a)
}

// keep returns a and keeps the gradient it receives in *kept: it does not
// borrow its gradient, so it is recorded with Record.
func keep(a *Value, kept **tensor.Tensor) *Value {
	return Record("keep", a.Data.Clone(), func(g *tensor.Tensor) []*tensor.Tensor {
		*kept = g
		return []*tensor.Tensor{g.Clone()}
	}, a)
}

func TestGradientStorageReused(t *testing.T) {
	x := Param(tensor.Ones(minScratch))
	seen := map[*float32]bool{}
	// The gradients between the doubles are the engine's and borrowed:
	// after two steps have filled the free list, a step takes all of its
	// gradients' storage from there.
	for step := range 5 {
		x.ZeroGrad()
		before := len(seen)
		sum(double(double(double(x, seen), seen), seen)).Backward()
		if got := x.Grad.Data(); got[0] != 8 || got[len(got)-1] != 8 {
			t.Fatalf("step %d: x.Grad = [%v ... %v]; want 8 everywhere", step, got[0], got[len(got)-1])
		}
		if step >= 2 && len(seen) != before {
			t.Errorf("step %d used %d new gradient buffers; want all from the free list", step, len(seen)-before)
		}
	}
}

func TestPassedOnGradientReused(t *testing.T) {
	// pass hands the engine's gradient on to its one input unchanged, as
	// an op with a residual connection does; the engine's ownership goes
	// with it, so the storage returns to the free list once the next op
	// has used it, and after two steps a step needs no new storage.
	x := Param(tensor.Ones(minScratch))
	seen := map[*float32]bool{}
	for step := range 5 {
		x.ZeroGrad()
		before := len(seen)
		sum(double(pass(double(pass(double(x, seen)), seen)), seen)).Backward()
		if got := x.Grad.Data(); got[0] != 8 || got[len(got)-1] != 8 {
			t.Fatalf("step %d: x.Grad = [%v ... %v]; want 8 everywhere", step, got[0], got[len(got)-1])
		}
		if step >= 2 && len(seen) != before {
			t.Errorf("step %d used %d new gradient buffers; want all from the free list", step, len(seen)-before)
		}
	}
	// Handed on to a leaf, it becomes the leaf's gradient, and the storage
	// of the one ZeroGrad dropped goes back to the free list instead.
	y := Param(tensor.Ones(minScratch))
	clear(seen)
	for step := range 5 {
		y.ZeroGrad()
		before := len(seen)
		sum(double(pass(y), seen)).Backward()
		if got := y.Grad.Data(); got[0] != 2 || got[len(got)-1] != 2 {
			t.Fatalf("step %d: y.Grad = [%v ... %v]; want 2 everywhere", step, got[0], got[len(got)-1])
		}
		if step >= 2 && len(seen) != before {
			t.Errorf("step %d with a leaf under pass used %d new gradient buffers; want all from the free list", step, len(seen)-before)
		}
	}
	// Handed on to two inputs, the gradient is shared: when u's sum then
	// takes a second term in place, w's must not change with it. With
	// loss = sum(3w) + sum(2u) + sum(2(u + w)), u = 2a and w = 2b, Backward
	// reaches fork first, then u's other term, then w's, and the
	// gradients of a and b are 2·(2 + 2) = 8 and 2·(3 + 2) = 10.
	for _, uLast := range []bool{false, true} {
		a, b := Param(tensor.Ones(minScratch)), Param(tensor.Ones(minScratch))
		u, w := double(a, nil), double(b, nil)
		f := fork(u, w)
		if uLast {
			f = fork(w, u)
		}
		three := Const(tensor.Full(3, minScratch))
		both(both(sum(mul(w, three)), sum(double(u, nil))), sum(double(f, nil))).Backward()
		if ga, gb := a.Grad.Data(), b.Grad.Data(); ga[0] != 8 || gb[0] != 10 || ga[minScratch-1] != 8 || gb[minScratch-1] != 10 {
			t.Errorf("u last %v: a.Grad, b.Grad = [%v ... %v], [%v ... %v]; want 8 and 10 everywhere", uLast, ga[0], ga[minScratch-1], gb[0], gb[minScratch-1])
		}
	}
}

// fork returns a + b and hands its gradient on to both, as the same
// tensor, borrowing it.
func fork(a, b *Value) *Value {
	return RecordBorrowing("fork", tensor.Add(a.Data, b.Data), func(g *tensor.Tensor) []*tensor.Tensor {
		return []*tensor.Tensor{g, g}
	}, a, b)
}

func TestGradientStorageNotReusedWhenHeld(t *testing.T) {
	// A gradient passed on unchanged, or received by an op recorded with
	// Record, may still be in use: Backward must not reuse its storage.
	var kept *tensor.Tensor
	x := Param(tensor.Ones(minScratch))
	sum(double(keep(double(double(x, nil), nil), &kept), nil)).Backward()
	if kept == nil || kept.Data()[0] != 2 {
		t.Fatalf("keep received %v; want twos", kept)
	}
	y := Param(tensor.Ones(minScratch))
	sum(double(pass(double(y, nil)), nil)).Backward()
	// Later gradients of the same size must not land in kept's storage,
	// nor in y's gradient, which pass handed on.
	for range 3 {
		x.ZeroGrad()
		sum(double(double(double(x, nil), nil), nil)).Backward()
	}
	if kept.Data()[0] != 2 || kept.Data()[minScratch-1] != 2 {
		t.Errorf("a gradient held by an op recorded with Record was overwritten: [%v ... %v]", kept.Data()[0], kept.Data()[minScratch-1])
	}
	if g := y.Grad.Data(); g[0] != 4 || g[minScratch-1] != 4 {
		t.Errorf("y.Grad = [%v ... %v]; want 4 everywhere", g[0], g[minScratch-1])
	}
}

// twice returns 2a in storage from Scratch, declared with OwnsData, and
// keeps a buffer of twos from Scratch for its backward, declared with Keep;
// *saved receives the buffer.
func twice(a *Value, saved **tensor.Tensor) *Value {
	out, buf := Scratch(a.Data.Shape()...), Scratch(a.Data.Shape()...)
	for i, x := range a.Data.Data() {
		out.Data()[i], buf.Data()[i] = 2*x, 2
	}
	if saved != nil {
		*saved = buf
	}
	return RecordBorrowing("twice", out, func(g *tensor.Tensor) []*tensor.Tensor {
		return []*tensor.Tensor{tensor.Mul(g, buf)}
	}, a).Keep(buf).OwnsData()
}

// takeScratch returns k tensors of n elements from Scratch.
func takeScratch(k, n int) []*tensor.Tensor {
	ts := make([]*tensor.Tensor, k)
	for i := range ts {
		ts[i] = Scratch(n)
	}
	return ts
}

func TestKeepAndRelease(t *testing.T) {
	const n = 1031 // a size no other test uses, so the free list holds only this test's storage
	var b1, b2 *tensor.Tensor
	x := Param(tensor.Ones(n))
	h := twice(x, &b1)
	y := twice(h, &b2)
	loss := sum(y)
	loss.Backward()
	if g := x.Grad.Data(); g[0] != 4 || g[n-1] != 4 {
		t.Fatalf("x.Grad = [%v ... %v]; want 4 everywhere", g[0], g[n-1])
	}
	// Backward handed back the kept buffers, and only them: the activations
	// stay readable until Release. One of the buffers already became x's
	// gradient.
	got := takeScratch(3, n)
	if held := append(got, x.Grad); !overlapsAny(b1, held...) || !overlapsAny(b2, held...) {
		t.Errorf("after Backward, neither Scratch nor x.Grad reused the kept buffers")
	}
	for _, s := range got {
		if overlapsAny(s, h.Data, y.Data) {
			t.Fatalf("after Backward, Scratch handed out an activation before Release")
		}
	}
	if h.Data.Data()[0] != 2 || y.Data.Data()[n-1] != 4 {
		t.Errorf("activations changed before Release: h[0] = %v, y[n-1] = %v", h.Data.Data()[0], y.Data.Data()[n-1])
	}
	loss.Release()
	got = takeScratch(2, n)
	if !overlapsAny(h.Data, got...) || !overlapsAny(y.Data, got...) {
		t.Errorf("after Release, Scratch did not hand out the activations")
	}
	loss.Release() // nothing left: no double hand-back
	if s := Scratch(n); overlapsAny(s, got...) {
		t.Errorf("a second Release handed back storage again")
	}
	// Leaves are never handed back.
	if s := Scratch(n); overlapsAny(s, x.Data, x.Grad) {
		t.Errorf("Scratch handed out a parameter's storage")
	}
}

func TestReleaseWithoutBackward(t *testing.T) {
	const n = 1033
	var b *tensor.Tensor
	x := Param(tensor.Ones(n))
	h := twice(x, &b)
	loss := sum(h)
	loss.Release()
	got := takeScratch(2, n)
	if !overlapsAny(h.Data, got...) || !overlapsAny(b, got...) {
		t.Errorf("Release without Backward did not hand back the activation and the kept buffer")
	}
	wantPanic(t, "Backward after Release", func() { loss.Backward() }, "released graph")
}

func TestKeptBufferPassedOnIsNotReused(t *testing.T) {
	const n = 1039
	x := Param(tensor.Ones(n))
	buf := Scratch(n)
	buf.Fill(3)
	// The op returns its kept buffer as x's gradient; x copies it, and the
	// buffer must not go back to the free list, since the engine cannot
	// tell who holds it.
	y := RecordBorrowing("give", x.Data.Clone(), func(g *tensor.Tensor) []*tensor.Tensor {
		return []*tensor.Tensor{buf}
	}, x).Keep(buf)
	sum(y).Backward()
	if s := Scratch(n); tensor.Overlaps(s, buf) {
		t.Errorf("a kept buffer returned as a gradient was handed out again")
	}
	if x.Grad.Data()[0] != 3 {
		t.Errorf("x.Grad[0] = %v; want 3", x.Grad.Data()[0])
	}
}

func TestKeepPanicsOnOwnData(t *testing.T) {
	x := Param(tensor.Ones(3))
	y := RecordBorrowing("id", x.Data.Clone(), func(g *tensor.Tensor) []*tensor.Tensor { return []*tensor.Tensor{g} }, x)
	wantPanic(t, "Keep(v.Data)", func() { y.Keep(y.Data) }, "autograd: id: Keep of storage shared with the value's own data")
	if c := Const(tensor.Ones(3)); c.Keep(c.Data).OwnsData() != c {
		t.Errorf("Keep and OwnsData of a constant do not return it")
	}
}

// TestReleaseHoldsNoActivations checks that a loss kept after its step (in
// a list of losses, say) does not keep the step's activations alive.
func TestReleaseHoldsNoActivations(t *testing.T) {
	const n = 1049
	x := Param(tensor.Ones(n))
	collected := make(chan struct{})
	loss := func() *Value {
		h := twice(x, nil)
		runtime.AddCleanup(h.Data, func(c chan struct{}) { close(c) }, collected)
		l := sum(h)
		l.Backward()
		return l
	}()
	for range 100 {
		runtime.GC()
		select {
		case <-collected:
			loss.Release() // nothing left to hand back
			return
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatal("the activation was not collected while the loss was alive")
}

func TestEmptyCache(t *testing.T) {
	const n = 1051
	x := Param(tensor.Ones(n))
	var b *tensor.Tensor
	loss := sum(twice(x, &b))
	loss.Backward()
	loss.Release()
	EmptyCache()
	if s := Scratch(n); overlapsAny(s, b) {
		t.Errorf("Scratch handed out storage after EmptyCache")
	}
	if scratch.bytes != 0 {
		t.Errorf("the free list holds %d bytes after EmptyCache", scratch.bytes)
	}
	// The list fills again afterwards.
	loss = sum(twice(x, &b))
	loss.Backward()
	loss.Release()
	if got := takeScratch(3, n); !overlapsAny(b, got...) && !overlapsAny(b, x.Grad) {
		t.Errorf("after EmptyCache, a later step's storage was not reused")
	}
}

// TestReleaseKeepsDetached: storage detached before Release is not handed
// back, whether the detached value feeds a graph whose Backward comes
// after the Release (a probe, a GAN's discriminator) or the next step (a
// recurrent state), and whether it was detached before or after Backward.
func TestReleaseKeepsDetached(t *testing.T) {
	const n = 1061
	for k := range 4 {
		after, viewed := k&1 == 1, k&2 == 2
		x := Param(tensor.Ones(n))
		h := twice(x, nil)
		loss := sum(twice(h, nil))
		// A view of h shares its storage; detaching the view must keep it.
		detach := func() *Value {
			if viewed {
				return view(view(h)).Detach()
			}
			return h.Detach()
		}
		var d *Value
		if !after {
			d = detach()
		}
		loss.Backward()
		if after {
			d = detach()
		}
		loss.Release()
		got := takeScratch(4, n)
		if overlapsAny(d.Data, got...) {
			t.Fatalf("detached %s Backward (a view: %v): Release handed back the detached storage", map[bool]string{false: "before", true: "after"}[after], viewed)
		}
		if v := d.Data.Data(); v[0] != 2 || v[n-1] != 2 {
			t.Errorf("detached value (a view: %v) changed: [%v ... %v]; want 2s", viewed, v[0], v[n-1])
		}
	}
}

// view returns a's data as a (1, n) view, sharing its storage, as a
// reshape does; its gradient is g viewed back.
func view(a *Value) *Value {
	return RecordBorrowing("view", tensor.Reshape(a.Data, 1, -1), func(g *tensor.Tensor) []*tensor.Tensor {
		return []*tensor.Tensor{tensor.Reshape(g, a.Data.Shape()...)}
	}, a)
}

func TestKeepPanicsOnInputData(t *testing.T) {
	x := Param(tensor.Ones(3))
	y := RecordBorrowing("id", x.Data.Clone(), func(g *tensor.Tensor) []*tensor.Tensor { return []*tensor.Tensor{g} }, x)
	wantPanic(t, "Keep(input)", func() { y.Keep(x.Data) }, "autograd: id: Keep of storage shared with an input's data")
}
