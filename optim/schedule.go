package optim

import (
	"fmt"
	"math"
	"strconv"
)

// Schedule gives the learning rate for each step, counted from 0. Set it on
// an optimizer before each step: opt.SetLR(s.LR(step)).
type Schedule interface {
	LR(step int) float32
}

// Constant is a schedule whose learning rate never changes.
type Constant float32

// LR returns c.
func (c Constant) LR(step int) float32 { return float32(c) }

// StepLR multiplies the learning rate by Gamma every StepSize steps, as
// torch.optim.lr_scheduler.StepLR: LR(step) = Base·Gamma^⌊step/StepSize⌋.
type StepLR struct {
	Base     float32
	StepSize int
	Gamma    float32
}

// NewStepLR returns a StepLR schedule. It panics if stepSize is not
// positive or gamma is negative.
func NewStepLR(base float32, stepSize int, gamma float32) StepLR {
	if stepSize <= 0 || !(gamma >= 0) {
		panic(fmt.Sprintf("optim: NewStepLR: step size %d and gamma %v: want > 0 and >= 0", stepSize, gamma))
	}
	return StepLR{Base: base, StepSize: stepSize, Gamma: gamma}
}

// LR returns Base·Gamma^⌊step/StepSize⌋.
func (s StepLR) LR(step int) float32 {
	k := max(step, 0) / max(s.StepSize, 1)
	return float32(widen(s.Base) * math.Pow(widen(s.Gamma), float64(k)))
}

// WarmupCosine rises linearly to Peak over the first Warmup steps, then
// decays to Min along half a cosine, reaching it at step Total, and stays
// at Min afterwards:
//
//	LR(step) = Peak·(step+1)/Warmup                              step < Warmup
//	LR(step) = Min + (Peak−Min)·(1 + cos(π·(step−Warmup)/(Total−Warmup)))/2   Warmup ≤ step ≤ Total
//	LR(step) = Min                                               step > Total
//
// The warmup starts at Peak/Warmup rather than 0, so that the first step
// moves the parameters.
type WarmupCosine struct {
	Peak, Min     float32
	Warmup, Total int
}

// NewWarmupCosine returns a WarmupCosine schedule. It panics unless
// 0 ≤ warmup ≤ total and 0 ≤ min ≤ peak.
func NewWarmupCosine(peak, min float32, warmup, total int) WarmupCosine {
	if warmup < 0 || total < warmup || !(min >= 0) || !(peak >= min) {
		panic(fmt.Sprintf("optim: NewWarmupCosine: peak %v, min %v, warmup %d, total %d: want 0 <= warmup <= total and 0 <= min <= peak",
			peak, min, warmup, total))
	}
	return WarmupCosine{Peak: peak, Min: min, Warmup: warmup, Total: total}
}

// LR returns the learning rate at step.
func (s WarmupCosine) LR(step int) float32 {
	peak, lo := float64(s.Peak), float64(s.Min)
	switch {
	case step < s.Warmup:
		return float32(peak * float64(max(step, 0)+1) / float64(s.Warmup))
	case step >= s.Total:
		return s.Min
	}
	frac := float64(step-s.Warmup) / float64(s.Total-s.Warmup)
	return float32(lo + (peak-lo)*(1+math.Cos(math.Pi*frac))/2)
}

func formatFloat(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
