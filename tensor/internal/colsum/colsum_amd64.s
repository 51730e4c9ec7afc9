//go:build amd64 && !purego

#include "textflag.h"

// func sumStripAVX512(acc *float64, src *float32, n, ld int, mask uint32)
//
// acc[j] += Σ_i src[i*ld+j] for the columns j whose bit is set in mask (the
// low w <= 32 bits), n >= 1. Z0-Z3 hold acc and the even rows, Z4-Z7 the
// odd rows; K1-K4 are the bytes of mask, one per vector of eight columns.
// Masked-off lanes are neither loaded nor stored, so nothing past the w
// columns is touched.
TEXT ·sumStripAVX512(SB), NOSPLIT, $0-36
	MOVQ acc+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ ld+24(FP), DX
	MOVL mask+32(FP), AX
	SHLQ $2, DX // row stride in bytes
	KMOVD AX, K1
	KSHIFTRD $8, K1, K2
	KSHIFTRD $16, K1, K3
	KSHIFTRD $24, K1, K4
	VMOVUPD.Z 0(DI), K1, Z0
	VMOVUPD.Z 64(DI), K2, Z1
	VMOVUPD.Z 128(DI), K3, Z2
	VMOVUPD.Z 192(DI), K4, Z3
	VPXORQ Z4, Z4, Z4
	VPXORQ Z5, Z5, Z5
	VPXORQ Z6, Z6, Z6
	VPXORQ Z7, Z7, Z7

pairs:
	CMPQ CX, $2
	JLT last
	VCVTPS2PD.Z 0(SI), K1, Z8
	VCVTPS2PD.Z 32(SI), K2, Z9
	VCVTPS2PD.Z 64(SI), K3, Z10
	VCVTPS2PD.Z 96(SI), K4, Z11
	VCVTPS2PD.Z 0(SI)(DX*1), K1, Z12
	VCVTPS2PD.Z 32(SI)(DX*1), K2, Z13
	VCVTPS2PD.Z 64(SI)(DX*1), K3, Z14
	VCVTPS2PD.Z 96(SI)(DX*1), K4, Z15
	VADDPD Z8, Z0, Z0
	VADDPD Z9, Z1, Z1
	VADDPD Z10, Z2, Z2
	VADDPD Z11, Z3, Z3
	VADDPD Z12, Z4, Z4
	VADDPD Z13, Z5, Z5
	VADDPD Z14, Z6, Z6
	VADDPD Z15, Z7, Z7
	LEAQ (SI)(DX*2), SI
	SUBQ $2, CX
	JMP pairs

last:
	TESTQ CX, CX
	JZ done
	VCVTPS2PD.Z 0(SI), K1, Z8
	VCVTPS2PD.Z 32(SI), K2, Z9
	VCVTPS2PD.Z 64(SI), K3, Z10
	VCVTPS2PD.Z 96(SI), K4, Z11
	VADDPD Z8, Z0, Z0
	VADDPD Z9, Z1, Z1
	VADDPD Z10, Z2, Z2
	VADDPD Z11, Z3, Z3

done:
	VADDPD Z4, Z0, Z0
	VADDPD Z5, Z1, Z1
	VADDPD Z6, Z2, Z2
	VADDPD Z7, Z3, Z3
	VMOVUPD Z0, K1, 0(DI)
	VMOVUPD Z1, K2, 64(DI)
	VMOVUPD Z2, K3, 128(DI)
	VMOVUPD Z3, K4, 192(DI)
	VZEROUPPER
	RET
