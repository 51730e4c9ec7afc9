// Macros shared by the assembly files of this package, which include this
// header: a Go assembler macro reaches another file only so.

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
