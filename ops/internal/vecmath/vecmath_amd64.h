// Macros shared by the assembly files of this package, which include this
// header: a Go assembler macro reaches another file only so.

// TAILMASK1 sets K1 to the low CX bits (CX < 16), the mask of a last
// partial vector of CX float32 lanes; it leaves the mask in AX too.
#define TAILMASK1 \
	MOVL $1, AX; \
	SHLL CX, AX; \
	DECL AX; \
	KMOVW AX, K1

// HSUMPDR sets the low lane of x to the sum of the 8 float64 lanes of z
// (whose ymm and xmm names are y and x), with ty and tx scratch. It adds
// the 256-bit halves, then the 128-bit quarters, then the pair; its
// VEXTRACTF64X2, unlike the VEX-only VEXTRACTF128, reaches Z16 and above.
#define HSUMPDR(z, y, x, ty, tx) \
	VEXTRACTF64X4 $1, z, ty; \
	VADDPD ty, y, y; \
	VEXTRACTF64X2 $1, y, tx; \
	VADDPD tx, x, x; \
	VPERMILPD $1, x, tx; \
	VADDSD tx, x, x

// HREDUCE512 reduces the 16 lanes of s with OP (VMAXPS, VADDPS) into
// every lane of d (s is overwritten, t is scratch): a butterfly over the
// 256-bit halves, the 128-bit quarters, the pairs and the lanes. The lanes
// of d differ only where OP does not commute to the bit (the sign of a
// zero maximum, the NaN that a sum keeps): lane 0 takes the operands in
// the order of folding the high half onto the low one at each step, so a
// caller that wants those bits in every lane broadcasts lane 0.
#define HREDUCE512(OP, s, t, d) \
	VSHUFF32X4 $0x4e, s, s, t; \
	OP t, s, s; \
	VSHUFF32X4 $0xb1, s, s, t; \
	OP t, s, s; \
	VPERMILPS $0x4e, s, t; \
	OP t, s, s; \
	VPERMILPS $0xb1, s, t; \
	OP t, s, d
