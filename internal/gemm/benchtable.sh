#!/bin/sh
# benchtable.sh runs the graft-vs-gonum benchmarks and prints the markdown
# GEMM table of docs/performance.md: the median GFLOP/s of COUNT runs for each side,
# their ratio, and graft's share of PEAK (float32 GFLOP/s of the machine,
# halved for float64; see docs/performance.md).
# Usage: sh internal/gemm/benchtable.sh   (COUNT=5 PEAK=525 by default)
set -eu
cd "$(dirname "$0")"
count=${COUNT:-5}
peak=${PEAK:-525}
go test -run '^$' -bench 'Gemm' -benchmem -count "$count" . |
	awk -v peak="$peak" '
	/^Benchmark/ && /GFLOP\/s/ {
		split($1, part, "/")           # BenchmarkGemmFloat32, shape, graft-2
		type = part[1]; sub("BenchmarkGemm", "", type)
		impl = part[3]; sub("-[0-9]+$", "", impl)
		for (i = 2; i < NF; i++) if ($(i+1) == "GFLOP/s") v = $i
		for (i = 2; i < NF; i++) if ($(i+1) == "allocs/op") allocs[type" "part[2]" "impl] = $i
		key = type " " part[2]
		if (!(key in seen)) { seen[key] = 1; order[++n] = key }
		vals[key " " impl] = vals[key " " impl] " " v
	}
	function median(list,   a, m, i, j, t) {
		m = split(list, a, " ")
		for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
		return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
	}
	END {
		print "| type | shape (m×k×n) | graft GFLOP/s | gonum GFLOP/s | graft/gonum | graft share of peak | graft allocs/op |"
		print "|---|---|---:|---:|---:|---:|---:|"
		for (i = 1; i <= n; i++) {
			split(order[i], kp, " ")
			g = median(vals[order[i] " graft"]); o = median(vals[order[i] " gonum"])
			p = kp[1] == "Float64" ? peak / 2 : peak # half the lanes
			printf "| %s | %s | %.1f | %.1f | %.1f× | %.0f%% | %s |\n", kp[1], kp[2], g, o, g / o, 100 * g / p, allocs[order[i] " graft"]
		}
	}'
