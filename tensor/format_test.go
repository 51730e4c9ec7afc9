package tensor

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

// fmtRange returns the tensor of the given shape holding 0, 1, 2, ...
func fmtRange(shape ...int) *Tensor {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return FromSlice(Arange(0, float32(n), 1).Data(), shape...)
}

func TestString(t *testing.T) {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	hidden := fmtRange(2000)
	hidden.Data()[1000] = 1e6 + 0.5 // elided: changes neither width nor format

	tests := []struct {
		name string
		t    *Tensor
		want string
	}{
		{"scalar", Scalar(3), "3"},
		{"negative scalar", Scalar(-1.5), "-1.5"},
		{"NaN scalar", Scalar(nan), "NaN"},
		{"1-D", FromSlice([]float32{1, 2, 3}), "[1 2 3]"},
		{"length 1", FromSlice([]float32{7}), "[7]"},
		{"2-D", fmtRange(2, 3), "[[0 1 2]\n [3 4 5]]"},
		{"column", fmtRange(3, 1), "[[0]\n [1]\n [2]]"},
		{"3-D", fmtRange(2, 2, 3), "" +
			"[[[ 0  1  2]\n" +
			"  [ 3  4  5]]\n" +
			"\n" +
			" [[ 6  7  8]\n" +
			"  [ 9 10 11]]]"},
		{"4-D", fmtRange(2, 1, 2, 2), "" +
			"[[[[0 1]\n" +
			"   [2 3]]]\n" +
			"\n" +
			"\n" +
			" [[[4 5]\n" +
			"   [6 7]]]]"},
		{"empty", Zeros(0), "[]"},
		{"empty (2, 0)", Zeros(2, 0), "[]"},
		{"empty (0, 3)", Zeros(0, 3), "[]"},
		{"negative", FromSlice([]float32{-1, 2, -30}), "[ -1   2 -30]"},
		{"negative zero", FromSlice([]float32{float32(math.Copysign(0, -1)), 1}), "[-0  1]"},
		{"NaN and Inf", FromSlice([]float32{1, nan, inf, -inf}), "[   1  NaN +Inf -Inf]"},
		{"all NaN", FromSlice([]float32{nan, nan}), "[NaN NaN]"},
		{"fractions", FromSlice([]float32{0.5, 1, 1.0 / 3}), "[     0.5        1 0.333333]"},
		{"fraction matrix", FromSlice([]float32{0.25, -2, 10, 1.5}, 2, 2), "[[0.25   -2]\n [  10  1.5]]"},
		{"exponents", FromSlice([]float32{1e-5, 1.5e10}), "[  1e-05 1.5e+10]"},
		{"large integers", FromSlice([]float32{12345678, -1}), "[12345678       -1]"},
		{"beyond 1e8", FromSlice([]float32{123456792, 1}), "[1.23457e+08           1]"},
		{"1-D summarised", fmtRange(2000), "[   0    1    2 ... 1997 1998 1999]"},
		{"elided values", hidden, "[   0    1    2 ... 1997 1998 1999]"},
		{"1000 not summarised", fmtRange(1000, 1), func() string {
			s := "["
			for i := range 1000 {
				if i > 0 {
					s += "\n "
				}
				s += fmt.Sprintf("[%3d]", i)
			}
			return s + "]"
		}()},
		{"2-D summarised", fmtRange(100, 100), "" +
			"[[   0    1    2 ...   97   98   99]\n" +
			" [ 100  101  102 ...  197  198  199]\n" +
			" [ 200  201  202 ...  297  298  299]\n" +
			" ...\n" +
			" [9700 9701 9702 ... 9797 9798 9799]\n" +
			" [9800 9801 9802 ... 9897 9898 9899]\n" +
			" [9900 9901 9902 ... 9997 9998 9999]]"},
		{"3-D summarised", fmtRange(7, 1, 150), "" +
			"[[[   0    1    2 ...  147  148  149]]\n" +
			"\n" +
			" [[ 150  151  152 ...  297  298  299]]\n" +
			"\n" +
			" [[ 300  301  302 ...  447  448  449]]\n" +
			"\n" +
			" ...\n" +
			"\n" +
			" [[ 600  601  602 ...  747  748  749]]\n" +
			"\n" +
			" [[ 750  751  752 ...  897  898  899]]\n" +
			"\n" +
			" [[ 900  901  902 ... 1047 1048 1049]]]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.t.String(); got != tc.want {
				t.Errorf("%v.String() =\n%s\nwant\n%s", tc.t.Shape(), got, tc.want)
			}
		})
	}

	// Over the threshold, but no dimension is longer than 6: nothing is elided.
	if s := fmtRange(6, 6, 6, 6).String(); strings.Contains(s, "...") || !strings.HasSuffix(s, "1294 1295]]]]") {
		t.Errorf("(6, 6, 6, 6).String() elides items:\n%s", s)
	}
	if got, want := fmt.Sprintf("%v", fmtRange(2, 2)), "[[0 1]\n [2 3]]"; got != want {
		t.Errorf("fmt.Sprintf(%%v, (2, 2)) = %q; want %q", got, want)
	}
}
