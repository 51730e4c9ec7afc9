package vecmath

import "math"

// ReLUMask sets d[i] = src[i] where x[i] > 0 (or is NaN) and +0
// elsewhere: the forward of ReLU with src = x, and its backward with src
// the incoming gradient.
func ReLUMask(d, src, x []float32) { binary(d, src, x, reluMaskAsm, reluMaskGo) }

// LeakyScale sets d[i] = src[i] where x[i] > 0 (or is NaN) and
// slope·src[i] elsewhere: LeakyReLU's forward and backward.
func LeakyScale(d, src, x []float32, slope float32) {
	binary(d, src, x,
		func(d, src, x []float32) { leakyScaleAsm(d, src, x, slope) },
		func(d, src, x []float32) { leakyScaleGo(d, src, x, slope) })
}

// reluMaskGo chooses with an integer mask rather than a branch, which the
// signs of random data would mispredict half the time.
func reluMaskGo(d, src, x []float32) {
	src, x = src[:len(d)], x[:len(d)]
	for i, v := range x {
		var m uint32
		if !(v <= 0) {
			m = ^uint32(0)
		}
		d[i] = math.Float32frombits(math.Float32bits(src[i]) & m)
	}
}

// leakyScaleGo chooses the factor's bits without a branch.
func leakyScaleGo(d, src, x []float32, slope float32) {
	src, x = src[:len(d)], x[:len(d)]
	one, s := math.Float32bits(1), math.Float32bits(slope)
	for i, v := range x {
		c := s
		if !(v <= 0) {
			c = one
		}
		d[i] = src[i] * math.Float32frombits(c)
	}
}
