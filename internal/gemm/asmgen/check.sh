#!/bin/sh
# check.sh regenerates the amd64 micro-kernels into a temporary directory
# and fails if they differ from the checked-in files in internal/gemm.
# Usage: sh internal/gemm/asmgen/check.sh (from any directory).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
gemm=$(dirname "$here")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The generator writes its command line into the files, so run it with the
# same relative paths as go generate does, from a copy one level down.
mkdir "$tmp/asmgen"
cp "$here/go.mod" "$here/go.sum" "$here/main.go" "$tmp/asmgen/"
(cd "$tmp/asmgen" && go run . -out ../kernel_asm_amd64.s -stubs ../kernel_asm_amd64.go -pkg gemm)

status=0
for f in kernel_asm_amd64.s kernel_asm_amd64.go; do
	if ! diff -u "$gemm/$f" "$tmp/$f"; then
		echo "check.sh: internal/gemm/$f is stale: run go generate ./internal/gemm/" >&2
		status=1
	fi
done
exit $status
