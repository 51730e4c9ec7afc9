package optim

import (
	"math"

	"github.com/gotensor/gotensor/autograd"
)

// ClipGradNorm scales the gradients of params together so that their global
// L2 norm, √(Σ g²) over every element of every gradient, is at most maxNorm,
// as torch.nn.utils.clip_grad_norm_ does: if the norm exceeds maxNorm, each
// gradient is multiplied by maxNorm/(norm + 1e-6). It returns the norm before
// clipping, summed in float64. Parameters with a nil Grad are skipped.
//
// A NaN or infinite norm is returned as it is, and the gradients are then
// scaled by NaN or 0; callers that want to skip such a step should check the
// result with math.IsInf and math.IsNaN. ClipGradNorm panics if maxNorm is
// negative or NaN.
func ClipGradNorm(params []*autograd.Value, maxNorm float64) float64 {
	if !(maxNorm >= 0) {
		panic("optim: ClipGradNorm: maxNorm " + formatFloat(maxNorm) + ": want >= 0")
	}
	var sum float64
	for _, p := range params {
		if p.Grad == nil {
			continue
		}
		for _, g := range p.Grad.Data() {
			sum += float64(g) * float64(g)
		}
	}
	norm := math.Sqrt(sum)
	coef := maxNorm / (norm + 1e-6)
	if coef < 1 || math.IsNaN(coef) {
		s := float32(coef)
		for _, p := range params {
			if p.Grad != nil {
				p.Grad.ScaleInPlace(s)
			}
		}
	}
	return norm
}
