package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"unicode/utf8"

	"github.com/gotensor/gotensor/tensor"
)

// The datasets are made in code from a seed; nothing is downloaded.

// points is a labelled set of 2-D points for classification.
type points struct {
	X       *tensor.Tensor // (n, 2)
	Y       []int          // n class labels in [0, classes)
	classes int
}

// makePoints builds a point set from per-point generator f(i) -> (x, y, class).
func makePoints(n, classes int, f func(i int) (x, y float64, class int)) points {
	X := tensor.Zeros(n, 2)
	Y := make([]int, n)
	d := X.Data()
	for i := range n {
		x, y, c := f(i)
		d[2*i], d[2*i+1], Y[i] = float32(x), float32(y), c
	}
	return points{X, Y, classes}
}

// spiral is the cs231n spiral: k arms of n points, radius from 0 to 1, angle
// from 4j to 4j+4 with N(0, 0.2²) noise.
func spiral(rng *rand.Rand, n, k int) points {
	return makePoints(n*k, k, func(i int) (float64, float64, int) {
		j, m := i/n, i%n
		r := float64(m) / float64(max(n-1, 1))
		t := 4*float64(j) + 4*r + 0.2*rng.NormFloat64()
		return r * math.Sin(t), r * math.Cos(t), j
	})
}

// moons is two interleaved half circles with N(0, noise²) jitter.
func moons(rng *rand.Rand, n int, noise float64) points {
	half := n / 2
	return makePoints(n, 2, func(i int) (float64, float64, int) {
		c := 0
		if i >= half {
			c = 1
		}
		t := math.Pi * float64(i%max(half, 1)) / float64(max(half-1, 1))
		x, y := math.Cos(t), math.Sin(t)
		if c == 1 {
			x, y = 1-x, 0.5-y
		}
		return x + noise*rng.NormFloat64(), y + noise*rng.NormFloat64(), c
	})
}

// circles is a small circle (radius 0.5, class 1) inside a large one (class 0).
func circles(rng *rand.Rand, n int, noise float64) points {
	return makePoints(n, 2, func(i int) (float64, float64, int) {
		c := i % 2
		r := 1.0 - 0.5*float64(c)
		t := 2 * math.Pi * rng.Float64()
		return r*math.Cos(t) + noise*rng.NormFloat64(), r*math.Sin(t) + noise*rng.NormFloat64(), c
	})
}

// xor is uniform points in the square [-1, 1]²; the class is 1 where x·y > 0.
func xor(rng *rand.Rand, n int) points {
	return makePoints(n, 2, func(int) (float64, float64, int) {
		x, y := 2*rng.Float64()-1, 2*rng.Float64()-1
		c := 0
		if x*y > 0 {
			c = 1
		}
		return x, y, c
	})
}

// blobs is k Gaussian clusters (standard deviation 0.3) centred on a circle
// of radius 1.
func blobs(rng *rand.Rand, n, k int) points {
	return makePoints(n, k, func(i int) (float64, float64, int) {
		c := i % k
		a := 2 * math.Pi * float64(c) / float64(k)
		return math.Cos(a) + 0.3*rng.NormFloat64(), math.Sin(a) + 0.3*rng.NormFloat64(), c
	})
}

// The sizes of the synthetic datasets, which the task constructors and
// outputs share.
const (
	spiralArms = 3  // the classes of spiral
	blobsCount = 3  // the classes of blobs
	reverseLen = 16 // the symbols reversed; with SEP, the vocabulary of reverse
	modP       = 97 // the modulus of modadd; with '=', its vocabulary
)

// outputs returns the classes or tokens of the model for a 2-D or synthetic
// sequence dataset, as its task makes them; 0 for a text file, whose
// vocabulary is the file's, and for linear, whose model has a fixed size.
func outputs(data string) int {
	switch data {
	case "spiral":
		return spiralArms
	case "blobs":
		return blobsCount
	case "moons", "circles", "xor":
		return 2 // by construction
	case "reverse", "modadd":
		return synthetic(data).vocab()
	}
	return 0
}

// regression is a linear-regression set: y = X·w + b + noise.
type regression struct {
	X, Y  *tensor.Tensor // (n, d) and (n, 1)
	W     []float32      // the true weights
	B     float32        // the true bias
	Noise float32
}

// linearData draws the true weights of a regression on d inputs, then n
// rows of it.
func linearData(rng *rand.Rand, n, d int) regression {
	w := make([]float32, d)
	for i := range w {
		w[i] = float32(math.Round(rng.NormFloat64()*20) / 10)
	}
	return regression{W: w, B: 0.5, Noise: 0.1}.sample(rng, n)
}

// sample returns the regression r with n new rows drawn from rng.
func (r regression) sample(rng *rand.Rand, n int) regression {
	d := len(r.W)
	r.X = tensor.Randn(rng, n, d)
	r.Y = tensor.AddScalar(tensor.MatMul(r.X, tensor.FromSlice(slices.Clone(r.W), d, 1)), r.B)
	r.Y.AddInPlace(tensor.Normal(rng, 0, r.Noise, n, 1))
	return r
}

// sequences is a next-token task: batches of token rows of the context
// length with per-position targets, ignoreIndex where nothing is trained.
type sequences interface {
	// batch draws n rows: inputs (n·T tokens) and targets (n·T).
	batch(rng *rand.Rand, n int) (x, y []int)
	vocab() int
	context() int
}

const ignoreIndex = -100

// reversal: s = L symbols from {0..L-1}, the row is s, SEP, reverse(s); the
// targets are the reversed half only.
type reversal struct{ L int }

func (r reversal) vocab() int   { return r.L + 1 }
func (r reversal) context() int { return 2 * r.L }

func (r reversal) batch(rng *rand.Rand, n int) (x, y []int) {
	T := r.context()
	x, y = make([]int, n*T), make([]int, n*T)
	seq := make([]int, T+1)
	for i := range n {
		for j := range r.L {
			seq[j] = rng.IntN(r.L)
			seq[2*r.L-j] = seq[j]
		}
		seq[r.L] = r.L // SEP
		copy(x[i*T:], seq[:T])
		for t := range T {
			y[i*T+t] = ignoreIndex
			if t >= r.L {
				y[i*T+t] = seq[t+1]
			}
		}
	}
	return x, y
}

// synthetic returns the shape of a synthetic sequence task, reverse or
// modadd, for its vocabulary and context; it draws no batches.
func synthetic(data string) sequences {
	if data == "reverse" {
		return reversal{reverseLen}
	}
	return modAdd{P: modP}
}

// modAdd packs problems "a b = c" (c = a+b mod p) four tokens each into the
// context; only the '=' positions are trained, to predict c. The pairs are
// split once into training and held-out pairs.
type modAdd struct {
	P     int
	Pairs []int // the pairs a·P+b this set draws from
}

func (m modAdd) vocab() int   { return m.P + 1 }
func (m modAdd) context() int { return 32 }

// modAddSplit returns the training and held-out sets of an 80/20 split.
func modAddSplit(rng *rand.Rand, p int) (train, test modAdd) {
	perm := rng.Perm(p * p)
	n := 8 * p * p / 10
	return modAdd{p, perm[:n]}, modAdd{p, perm[n:]}
}

func (m modAdd) batch(rng *rand.Rand, n int) (x, y []int) {
	T := m.context()
	x, y = make([]int, n*T), make([]int, n*T)
	for i := range y {
		y[i] = ignoreIndex
	}
	for i := range n * T / 4 {
		pair := m.Pairs[rng.IntN(len(m.Pairs))]
		a, b := pair/m.P, pair%m.P
		c := (a + b) % m.P
		copy(x[4*i:], []int{a, b, m.P, c})
		y[4*i+2] = c
	}
	return x, y
}

// chars is a character-level corpus: every distinct rune is a token.
type chars struct {
	Text  []int // the corpus as tokens
	Runes []rune
	T     int
}

func (c chars) vocab() int   { return len(c.Runes) }
func (c chars) context() int { return c.T }

func (c chars) batch(rng *rand.Rand, n int) (x, y []int) {
	T := c.T
	x, y = make([]int, n*T), make([]int, n*T)
	for i := range n {
		s := rng.IntN(len(c.Text) - T)
		copy(x[i*T:(i+1)*T], c.Text[s:s+T])
		copy(y[i*T:(i+1)*T], c.Text[s+1:s+T+1])
	}
	return x, y
}

// decode turns tokens back into text.
func (c chars) decode(toks []int) string {
	rs := make([]rune, len(toks))
	for i, t := range toks {
		rs[i] = c.Runes[t]
	}
	return string(rs)
}

// maxTextBytes bounds a text file's size: each character takes some 13
// bytes while the corpus is built.
const maxTextBytes = 64 << 20

// minChars is the fewest characters a text file needs for context T: nine
// tenths to train on and a tenth held out, each longer than a row of T + 1.
func minChars(T int) int { return 10 * (T + 2) }

// loadChars reads a UTF-8 text file as a character corpus for context T.
func loadChars(path string, T int) (chars, error) {
	info, err := os.Stat(path)
	if err != nil {
		return chars{}, fmt.Errorf("read data: %w", err)
	}
	switch {
	case !info.Mode().IsRegular():
		return chars{}, fmt.Errorf("data file %s is not a regular file (mode %v)", path, info.Mode())
	case info.Size() > maxTextBytes:
		return chars{}, fmt.Errorf("data file %s has %d bytes; the limit is %d MiB", path, info.Size(), maxTextBytes>>20)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return chars{}, fmt.Errorf("read data: %w", err)
	}
	if len(b) > maxTextBytes { // it grew since
		return chars{}, fmt.Errorf("data file %s has more than %d MiB", path, maxTextBytes>>20)
	}
	if !utf8.Valid(b) {
		return chars{}, fmt.Errorf("data file %s is not UTF-8 text", path)
	}
	text := []rune(string(b))
	if need := minChars(T); len(text) < need {
		return chars{}, fmt.Errorf("data file %s has %d characters; context %d needs at least %d (a tenth is held out)", path, len(text), T, need)
	}
	index := map[rune]int{}
	var runes []rune
	for _, r := range text {
		if _, ok := index[r]; !ok {
			index[r] = -1
			runes = append(runes, r)
		}
	}
	slices.Sort(runes)
	for i, r := range runes {
		index[r] = i
	}
	toks := make([]int, len(text))
	for i, r := range text {
		toks[i] = index[r]
	}
	return chars{toks, runes, T}, nil
}
