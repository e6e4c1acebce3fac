#!/bin/sh
# check.sh regenerates the amd64 kernels into a temporary directory
# and fails if they differ from the checked-in files in internal/vecmath.
# Usage: sh internal/vecmath/asmgen/check.sh (from any directory).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
vecmath=$(dirname "$here")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The generator writes its command line into the files, so run it with the
# same relative paths as go generate does, from a copy one level down.
mkdir "$tmp/asmgen"
cp "$here/go.mod" "$here/go.sum" "$here"/*.go "$tmp/asmgen/"
(cd "$tmp/asmgen" && go run . -out ../kernel_asm_amd64.s -stubs ../kernel_asm_amd64.go -pkg vecmath -dispatch ../kernel_dispatch_amd64.go)

status=0
for f in kernel_asm_amd64.s kernel_asm_amd64.go kernel_dispatch_amd64.go; do
	if ! diff -u "$vecmath/$f" "$tmp/$f"; then
		echo "check.sh: internal/vecmath/$f is stale: run go generate ./internal/vecmath/" >&2
		status=1
	fi
done
exit $status
