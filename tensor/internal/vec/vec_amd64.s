//go:build amd64 && !purego

#include "textflag.h"

// LOOP is the kernel for one operation: four vectors a pass, then single
// vectors, then the last partial vector under the mask K1.
#define LOOP(OP, l4, l1, ltail) \
l4: \
	CMPQ CX, $64; \
	JL   l1; \
	VMOVUPS (SI), Z0; \
	VMOVUPS 64(SI), Z1; \
	VMOVUPS 128(SI), Z2; \
	VMOVUPS 192(SI), Z3; \
	OP (DX), Z0, Z0; \
	OP 64(DX), Z1, Z1; \
	OP 128(DX), Z2, Z2; \
	OP 192(DX), Z3, Z3; \
	VMOVUPS Z0, (DI); \
	VMOVUPS Z1, 64(DI); \
	VMOVUPS Z2, 128(DI); \
	VMOVUPS Z3, 192(DI); \
	ADDQ $256, SI; \
	ADDQ $256, DX; \
	ADDQ $256, DI; \
	SUBQ $64, CX; \
	JMP  l4; \
l1: \
	CMPQ CX, $16; \
	JL   ltail; \
	VMOVUPS (SI), Z0; \
	OP (DX), Z0, Z0; \
	VMOVUPS Z0, (DI); \
	ADDQ $64, SI; \
	ADDQ $64, DX; \
	ADDQ $64, DI; \
	SUBQ $16, CX; \
	JMP  l1; \
ltail: \
	TESTQ CX, CX; \
	JZ    done; \
	MOVL  $1, AX; \
	SHLL  CX, AX; \
	DECL  AX; \
	KMOVW AX, K1; \
	VMOVUPS.Z (SI), K1, Z0; \
	VMOVUPS.Z (DX), K1, Z1; \
	OP Z1, Z0, Z0; \
	VMOVUPS Z0, K1, (DI); \
	JMP done

// func binaryAVX512(op int, d, a, b *float32, n int)
TEXT ·binaryAVX512(SB), NOSPLIT, $0-40
	MOVQ op+0(FP), AX
	MOVQ d+8(FP), DI
	MOVQ a+16(FP), SI
	MOVQ b+24(FP), DX
	MOVQ n+32(FP), CX
	CMPQ AX, $1
	JEQ  sub
	CMPQ AX, $2
	JEQ  mul
	CMPQ AX, $3
	JEQ  div
	LOOP(VADDPS, add4, add1, addtail)
sub:
	LOOP(VSUBPS, sub4, sub1, subtail)
mul:
	LOOP(VMULPS, mul4, mul1, multail)
div:
	LOOP(VDIVPS, div4, div1, divtail)
done:
	VZEROUPPER
	RET
