//go:build amd64 && !purego

#include "textflag.h"

// func addBiasAVX512(c *float32, ldc int, bias *float32, h, w int)
//
// Adds bias[0:w] to each of the h >= 1 rows of c, ldc floats apart, for
// w <= 32: the bias in two registers, each row's two vectors loaded,
// added and stored under the masks of w (K1 the first 16 lanes, K2 the
// rest), so no lane past the tile is touched.
TEXT ·addBiasAVX512(SB), NOSPLIT, $0-40
	MOVQ c+0(FP), DI
	MOVQ ldc+8(FP), R8
	SHLQ $2, R8
	MOVQ bias+16(FP), SI
	MOVQ w+32(FP), CX
	MOVQ $1, AX
	SHLQ CX, AX
	DECQ AX // the low w bits, w <= 32
	KMOVD AX, K1
	KSHIFTRD $16, K1, K2 // K1's low 16 bits mask the first vector

	MOVQ h+24(FP), CX
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS.Z 64(SI), K2, Z1

row:
	VMOVUPS.Z (DI), K1, Z2
	VMOVUPS.Z 64(DI), K2, Z3
	VADDPS Z0, Z2, Z2
	VADDPS Z1, Z3, Z3
	VMOVUPS Z2, K1, (DI)
	VMOVUPS Z3, K2, 64(DI)
	ADDQ R8, DI
	DECQ CX
	JNZ  row
	VZEROUPPER
	RET
