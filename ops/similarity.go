package ops

import (
	"math"

	"github.com/gotensor/gotensor/autograd"
	"github.com/gotensor/gotensor/tensor"
)

// cosineEps guards the norms of a cosine similarity, as PyTorch's default
// eps: x·y / (max(‖x‖, eps)·max(‖y‖, eps)) with eps = 1e-8. PyTorch 1.13
// clamps each norm (older versions clamped their product, which differs only
// when a norm is below eps); ops matches 1.13 and is tested against it.
const cosineEps = 1e-8

// CosineSimilarity returns the cosine of the angle between vectors a and b,
// a·b / (max(‖a‖, 1e-8)·max(‖b‖, 1e-8)), as a 0-d value; a zero vector gives
// 0, not NaN. It panics unless a and b are 1-D of the same length.
func CosineSimilarity(a, b *autograd.Value) *autograd.Value {
	as, bs := a.Data.Shape(), b.Data.Shape()
	if len(as) != 1 || len(bs) != 1 || as[0] != bs[0] {
		panic(fnMsg("CosineSimilarity", "shapes %v and %v: want two vectors of the same length", as, bs))
	}
	s := PairwiseCosine(Reshape(a, 1, as[0]), Reshape(b, 1, bs[0]))
	return Reshape(s)
}

// rowNorms returns the Euclidean norm of each row of the (n, d) matrix x.
func rowNorms(x []float32, n, d int) []float32 {
	out := make([]float32, n)
	for i := range n {
		var s float64
		for _, v := range x[i*d : (i+1)*d] {
			s += float64(v) * float64(v)
		}
		out[i] = float32(math.Sqrt(s))
	}
	return out
}

// PairwiseCosine returns the (n, m) matrix of cosine similarities between the
// rows of a (n, d) and the rows of b (m, d):
// out_ij = a_i·b_j / (max(‖a_i‖, 1e-8)·max(‖b_j‖, 1e-8)). It panics unless a
// and b are 2-D with the same number of columns.
func PairwiseCosine(a, b *autograd.Value) *autograd.Value {
	as, bs := a.Data.Shape(), b.Data.Shape()
	if len(as) != 2 || len(bs) != 2 || as[1] != bs[1] {
		panic(fnMsg("PairwiseCosine", "shapes %v and %v: want (n, d) and (m, d)", as, bs))
	}
	n, m, d := as[0], bs[0], as[1]
	na, nb := rowNorms(a.Data.Data(), n, d), rowNorms(b.Data.Data(), m, d)
	out := tensor.MatMulT(a.Data, b.Data, false, true) // a·bᵀ: (n,d)(d,m) -> (n,m)
	o := out.Data()
	for i := range n {
		for j := range m {
			o[i*m+j] /= max(na[i], cosineEps) * max(nb[j], cosineEps)
		}
	}
	return autograd.RecordBorrowing("PairwiseCosine", out, func(g *tensor.Tensor) []*tensor.Tensor {
		// out_ij = a_i·b_j / (A_i·B_j) with A_i = max(‖a_i‖, eps), so
		//   d out_ij / d a_i = b_j/(A_i·B_j) - out_ij·a_i/‖a_i‖²,
		// the second term only where ‖a_i‖ > eps (else A_i is constant).
		// With G = g/(A·B):
		//   da = G·b - ca·a, ca_i = Σ_j g_ij·out_ij / ‖a_i‖²,
		//   db = Gᵀ·a - cb·b, cb_j = Σ_i g_ij·out_ij / ‖b_j‖².
		G := tensor.ZerosLike(g)
		gd, gs := G.Data(), g.Data()
		ca, cb := make([]float32, n), make([]float32, m)
		for i := range n {
			for j := range m {
				k := i*m + j
				gd[k] = gs[k] / (max(na[i], cosineEps) * max(nb[j], cosineEps))
				t := gs[k] * o[k]
				if na[i] > cosineEps {
					ca[i] += t / (na[i] * na[i])
				}
				if nb[j] > cosineEps {
					cb[j] += t / (nb[j] * nb[j])
				}
			}
		}
		var da, db *tensor.Tensor
		if a.RequiresGrad() {
			da = tensor.MatMul(G, b.Data) // (n,m)(m,d) -> (n,d)
			subScaledRows(da.Data(), ca, a.Data.Data(), d)
		}
		if b.RequiresGrad() {
			db = tensor.MatMulT(G, a.Data, true, false) // (m,n)(n,d) -> (m,d)
			subScaledRows(db.Data(), cb, b.Data.Data(), d)
		}
		return []*tensor.Tensor{da, db}
	}, a, b)
}

// subScaledRows sets row i of dst to dst_i - c_i·x_i, for rows of length d.
func subScaledRows(dst, c, x []float32, d int) {
	for i, ci := range c {
		if ci == 0 {
			continue
		}
		dr, xr := dst[i*d:(i+1)*d], x[i*d:(i+1)*d]
		for j := range dr {
			dr[j] -= ci * xr[j]
		}
	}
}
