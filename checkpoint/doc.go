// Package checkpoint saves a model's parameters to a safetensors file and
// loads them back, imports PyTorch's safetensors state_dicts, and saves and
// restores whole training states.
//
// safetensors is the format of PyTorch and Hugging Face checkpoints: an
// 8-byte little-endian unsigned length N, then N bytes of a JSON header, then
// the tensors' raw little-endian bytes. The header maps each tensor's name to
// its dtype ("F32" or "F64" here), its shape and its data_offsets, the
// [begin, end) byte range within the data that follows the header; an
// optional "__metadata__" entry maps strings to strings. graft writes the
// header the way the reference implementation does (tensors ordered by
// dtype, widest first, then by name; the header padded with spaces to a
// multiple of 8 bytes), so a file it writes of tensors alone is byte for
// byte the file Python's safetensors writes for the same tensors. Metadata,
// which a training state has, comes first in the header, its keys sorted.
//
// Loading is strict. Every parameter must be in the file with the same
// dtype and shape, and the file must hold nothing else; otherwise Load names
// each parameter or tensor that differs (the first few), with both shapes
// or dtypes, and changes nothing. LoadWith and ReadWith take Options:
// non-strict loading, tensors renamed (PyTorch's "0.weight" to "dense1/W")
// and matrices transposed (nn.Linear's (out, in) weight into Dense's
// (in, out) W); they return a Report listing every parameter loaded, every
// one missing, every tensor unexpected, skipped or of another dtype or
// shape, and everything the file holds, so that no mismatch goes unsaid.
//
// SaveTraining and LoadTraining save and restore a whole training run, so
// that resuming gives the numbers of not stopping bit for bit: parameters,
// states (batch norm's running statistics, the graph's random-number
// counter), the optimizer's slots, step counts and learning rate, the epoch,
// the step and the shuffle's generator. Their file is a safetensors file
// with graft's entries in its __metadata__; TrainingState describes it.
//
// A file that is truncated, has trailing bytes, an invalid header, or
// offsets that overlap, leave gaps or point outside the data is an error
// that wraps ErrFormat; it never panics. Metadata in a file is checked
// (string values only); Load ignores it, LoadWith reports it. A header is
// at most 100 MB and a tensor has at most 64 axes; an error quotes at most
// a few axes and a few hundred bytes of what the file holds, however large
// it is. Every error starts with "graft: ".
//
// Save replaces a file atomically and durably (see Save), and Load reads a
// pipe or a device as a stream (see Load); the other functions that take a
// path do the same. A parameter whose tensor was replaced or reshaped behind
// the graph, so that it no longer has its node's dtype and shape, is refused
// by every function here.
package checkpoint
