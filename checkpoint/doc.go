// Package checkpoint saves a model's parameters to a safetensors file and
// loads them back.
//
// safetensors is the format of PyTorch and Hugging Face checkpoints: an
// 8-byte little-endian unsigned length N, then N bytes of a JSON header, then
// the tensors' raw little-endian bytes. The header maps each tensor's name to
// its dtype ("F32" or "F64" here), its shape and its data_offsets, the
// [begin, end) byte range within the data that follows the header; an
// optional "__metadata__" entry maps strings to strings. graft writes the
// header the way the reference implementation does (tensors ordered by
// dtype, widest first, then by name; the header padded with spaces to a
// multiple of 8 bytes), so a file it writes is byte for byte the file
// Python's safetensors writes for the same tensors.
//
// Loading is strict. Every parameter must be in the file with the same
// dtype and shape, and the file must hold nothing else; otherwise Load names
// the parameter and both shapes or dtypes and changes nothing. A file that is
// truncated, has trailing bytes, an invalid header, or offsets that overlap,
// leave gaps or point outside the data is an error that wraps ErrFormat; it
// never panics. Metadata in a file is checked (string values only) and
// otherwise ignored. A header is at most 100 MB and a tensor has at most 64
// axes; an error quotes at most a few axes and a few hundred bytes of what
// the file holds, however large it is. Every error starts with "graft: ".
//
// Save replaces a file atomically and durably (see Save), and Load reads a
// pipe or a device as a stream (see Load). A parameter whose tensor was
// replaced or reshaped behind the graph, so that it no longer has its node's
// dtype and shape, is refused by all four functions.
package checkpoint
