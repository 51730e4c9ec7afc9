package vecmath

import "math"

// ReLUMask sets d[i] = src[i] where x[i] > 0 (or is NaN) and +0
// elsewhere: the forward of ReLU with src = x, and its backward with src
// the incoming gradient.
func ReLUMask(d, src, x []float32) {
	src, x = src[:len(d)], x[:len(d)]
	for i := 0; i < len(d); i += chunk {
		j := min(i+chunk, len(d))
		if level == levelAVX512 {
			reluMaskAsm(d[i:j], src[i:j], x[i:j])
		} else {
			reluMaskGo(d[i:j], src[i:j], x[i:j])
		}
	}
}

// LeakyScale sets d[i] = src[i] where x[i] > 0 (or is NaN) and
// slope·src[i] elsewhere: LeakyReLU's forward and backward.
func LeakyScale(d, src, x []float32, slope float32) {
	src, x = src[:len(d)], x[:len(d)]
	for i := 0; i < len(d); i += chunk {
		j := min(i+chunk, len(d))
		if level == levelAVX512 {
			leakyScaleAsm(d[i:j], src[i:j], x[i:j], slope)
		} else {
			leakyScaleGo(d[i:j], src[i:j], x[i:j], slope)
		}
	}
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
