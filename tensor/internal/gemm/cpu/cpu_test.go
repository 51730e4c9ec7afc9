package cpu

import "testing"

func TestFeatures(t *testing.T) {
	if X86.HasAVX512 && !X86.HasAVX2FMA {
		t.Errorf("X86 = %+v: AVX-512 without AVX2+FMA", X86)
	}
	t.Logf("X86 = %+v", X86)
}
