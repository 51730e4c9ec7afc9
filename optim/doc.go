// Package optim updates the parameters of a model from their gradients:
// optimizers (SGD, Adam, AdamW), gradient clipping and learning-rate
// schedules.
//
// # Conventions
//
// An optimizer holds a list of parameters (*autograd.Value) and updates
// their Data in place from their Grad. Each Step makes one fused pass over
// each parameter: a single loop over the Data and Grad slices updates the
// optimizer's buffers (momentum, moments) and the parameter together. Step
// allocates only on the first call, when it creates its buffers; later calls
// allocate nothing. A parameter whose Grad is nil is skipped and its state
// left untouched, as in PyTorch. On amd64 machines with AVX and FMA, the
// loops run eight elements at a time in assembly, computing the same
// operations in the same order as the scalar loops, so both give the same
// bits; the build tag purego selects the scalar loops everywhere.
//
// The update equations are PyTorch's (torch.optim in version 1.13, with
// foreach and fused off), written out in each constructor's documentation,
// and so are their roundings: each tensor operation PyTorch makes rounds
// once, and the multiply-adds that its AVX2 build fuses (add with alpha,
// addcmul) are fused here too. Scalar coefficients such as Adam's bias
// corrections are computed in float64 and rounded to float32 once per
// step, as PyTorch does. A golden test replays trajectories that PyTorch
// computed, with gradients of order 1 and 1e4, and finds every parameter
// and buffer equal to the bit.
//
// The learning rate is read at every Step, so it may be changed between
// steps with SetLR, usually from a Schedule:
//
//	for step := range steps {
//		opt.SetLR(sched.LR(step))
//		... forward, loss.Backward() ...
//		opt.Step()
//		opt.ZeroGrad()
//	}
//
// # State
//
// State returns a copy of an optimizer's buffers as named tensors, plus the
// number of steps taken, so that training can be saved in a checkpoint and
// resumed exactly; LoadState installs such a state after checking it. Names
// are "<i>.<buffer>", where i is the parameter's position in the list the
// optimizer was made with, and buffer is PyTorch's name: "momentum_buffer"
// for SGD, and "exp_avg", "exp_avg_sq" and "step" for Adam and AdamW.
//
// # Errors
//
// A configuration that makes no sense (a negative learning rate, an Adam
// beta outside (0, 1) other than 0 for the default, Nesterov momentum
// without momentum) panics in the
// constructor, naming the function and the value. LoadState returns an
// error, and changes nothing, when the state does not fit the optimizer.
package optim
