#!/usr/bin/env bash
# compare.sh - gotensor's Gemm beside OpenBLAS (AVX-512 kernel) in the same
# window on a shared machine: for each round and shape, cleanbench then the
# anchors' bench_openblas, both discarding batches during which other
# processes used the CPUs. Prints per-round results and a median table.
#
#   THREADS=1 ROUNDS=5 ./compare.sh 1024 64x784x128 784x64x128:tn 64x128x784:nt
#
# A shape is n or MxKxN (M×K times K×N); :tn, :nt, :tt transpose A, B or
# both on the gotensor side (OpenBLAS runs the plain product of the same
# size, as in shared/anchors/matmul). Needs gcc and libopenblas-dev.
set -euo pipefail
ANCHORS=${ANCHORS:-/work/shared/anchors/matmul}
THREADS=${THREADS:-1}
ROUNDS=${ROUNDS:-3}
MAXT=${MAXT:-8}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
here=$(cd "$(dirname "$0")" && pwd)
(cd "$here" && go build -o "$work/cleanbench" .)
cp "$ANCHORS/gemm_bench.c" "$work/"
gcc -O2 -march=native -DIMPL_OPENBLAS -I/usr/include/x86_64-linux-gnu/openblas-pthread \
	"$work/gemm_bench.c" -o "$work/bench_openblas" -L/usr/lib/x86_64-linux-gnu/openblas-pthread \
	-lopenblas -lm -Wl,-rpath,/usr/lib/x86_64-linux-gnu/openblas-pthread
for r in $(seq "$ROUNDS"); do
	for s in "$@"; do
		"$work/cleanbench" -threads "$THREADS" -max "${MAXT}s" "$s" | sed "s/^/R$r /"
		env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE SHAPE_MAX="$MAXT" \
			"$work/bench_openblas" "$THREADS" "${s%%:*}" | grep RESULT | sed "s/^/R$r /"
	done
done | tee "$work/raw.txt"
# Median GFLOP/s per shape and implementation, and the median per-round ratio.
awk '
/RESULT/ {
	r = $1; impl = ($3 ~ /gotensor/) ? "gotensor" : "openblas"
	for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
	shape = f["shape"]; if (impl == "openblas") shape = last
	else last = shape
	g[shape, impl, r] = f["gflops_med"]; shapes[shape] = 1; rounds[r] = 1
}
function median(a, n,   i, j, t) {
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
END {
	printf "%-18s %10s %10s %7s\n", "shape", "gotensor", "openblas", "ratio"
	for (s in shapes) {
		n = 0
		for (r in rounds) if ((s, "gotensor", r) in g && (s, "openblas", r) in g) {
			n++; x[n] = g[s, "gotensor", r]; y[n] = g[s, "openblas", r]; z[n] = x[n] / y[n]
		}
		if (n) printf "%-18s %10.1f %10.1f %7.2f\n", s, median(x, n), median(y, n), median(z, n)
	}
}' "$work/raw.txt"
