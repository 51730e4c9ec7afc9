// Package nn provides neural-network modules built from package ops, from
// Linear layers to a small GPT, their initialisation, and checkpoints in the
// safetensors format.
//
// # Modules
//
// A Module owns parameters (*autograd.Value) and submodules, and lists them
// with dotted names in a stable order ("blocks.0.attn.qkv.weight"): its own
// parameters in registration order, then each submodule's. Every module
// embeds Base, which implements Module; constructors register parts with
// AddParam and AddModule. SetTraining (or Train and Eval) switches a module
// and all its submodules between training and evaluation mode; Dropout
// obeys it. Modules start in training mode.
//
// Layers take and return *autograd.Value, so a forward pass records the
// graph that loss.Backward differentiates. Shapes are written (B, T, C) for
// batch, positions and features; leading dimensions of Linear and LayerNorm
// inputs are batch dimensions. Modules hold no buffers between calls:
// Forward allocates only what its ops allocate.
//
// # Initialisation
//
// Constructors take a *rand.Rand (math/rand/v2) and draw every initial value
// from it in a fixed order, so a seeded generator builds the same model
// every run. Linear follows PyTorch (weight and bias from U(−1/√in, 1/√in));
// GPT follows GPT-2 (N(0, 0.02²) weights, zero biases). XavierUniform,
// XavierNormal, KaimingUniform and KaimingNormal re-initialise a weight in
// place.
//
// # Checkpoints
//
// Save and Load write and read a model's parameters as a safetensors file
// (https://github.com/huggingface/safetensors): an 8-byte little-endian
// header length N, a JSON header of N bytes mapping each name to its dtype,
// shape and byte range, then the raw little-endian data. Such files load in
// Python with json and numpy alone, and files written there load here.
// WriteTensors and ReadTensors work with any named tensors plus string
// metadata, for checkpoints that also hold an optimizer's state and the
// step. Writes are atomic (a synced temporary file renamed over the target);
// reads check every size and offset before allocating, so a truncated,
// corrupt or hostile file is an error wrapping ErrFormat, never a panic or a
// huge allocation. Only F32 tensors are supported.
//
// # Errors
//
// Programmer mistakes panic with a message naming the function and the
// shapes or values: sizes that do not fit, a name registered twice, ids out
// of range. Files that are missing, corrupt or do not match the model are
// errors; Load and LoadStateDict leave the model unchanged when they fail,
// and report every missing, unexpected and mis-shaped tensor at once in a
// *MismatchError.
package nn
