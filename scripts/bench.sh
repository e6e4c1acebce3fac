#!/usr/bin/env bash
# Runs the side-by-side benchmarks of package bench (graft against Gorgonia)
# and prints the markdown table kept in docs/performance.md: per benchmark,
# the median over the runs of ns/op, B/op and allocs/op for each framework,
# and how many times longer Gorgonia's step takes than graft's (the ratio of
# the medians); then the fastest and slowest run of each, to show the noise.
#
# Usage: scripts/bench.sh [count [pattern]]
#   count: runs of each benchmark, default 5
#   pattern: the -bench regular expression, default the benchmarks with a
#            graft and a gorgonia side (bench's graft-only benchmarks, for
#            docs/performance.md's PyTorch table, are left out);
#            scripts/bench.sh 5 CNN runs only BenchmarkCNNTrainStep
# The raw `go test` output goes to stderr, the table to stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-5}
pattern=${2:-'^Benchmark(XOR|MLP784)(Train)?Step$|^BenchmarkCNNTrainStep$'}

go test -run '^$' -bench "$pattern" -benchmem -count "$count" ./bench/ | tee /dev/stderr | awk -v count="$count" '
# sorted fills s[1..n] with the runs of key in increasing order and returns n.
function sorted(key, s,    n, i, j, v) {
	n = runs[key]
	for (i = 1; i <= n; i++) s[i] = val[key, i]
	for (i = 2; i <= n; i++) {          # insertion sort: a handful of values
		v = s[i]
		for (j = i - 1; j >= 1 && s[j] > v; j--) s[j + 1] = s[j]
		s[j + 1] = v
	}
	return n
}
function median(key,    n, s) {
	n = sorted(key, s)
	if (n % 2) return s[(n + 1) / 2]
	return (s[n / 2] + s[n / 2 + 1]) / 2
}
function spread(key,    n, s) {
	n = sorted(key, s)
	return sprintf("%.0f – %.0f", s[1], s[n])
}
/^goos:/ { goos = $2 }
/^goarch:/ { goarch = $2 }
/^cpu:/ { cpu = substr($0, 6) }
/^Benchmark/ {
	name = $1
	sub(/-[0-9]+$/, "", name)           # the GOMAXPROCS suffix
	split(name, part, "/")
	parent = part[1]; side = part[2]
	if (!(parent in seen)) { seen[parent] = 1; order[++parents] = parent }
	for (i = 3; i < NF; i += 2) {       # value unit pairs after the iteration count
		key = parent SUBSEP side SUBSEP $(i + 1)
		val[key, ++runs[key]] = $i
	}
}
END {
	printf "Median of %d runs; %s/%s, cpu: %s\n\n", count, goos, goarch, cpu
	print "| benchmark | graft ns/op | graft B/op | graft allocs/op | gorgonia ns/op | gorgonia B/op | gorgonia allocs/op | gorgonia / graft |"
	print "|---|--:|--:|--:|--:|--:|--:|--:|"
	for (p = 1; p <= parents; p++) {
		b = order[p]
		gNs = median(b SUBSEP "graft" SUBSEP "ns/op")
		oNs = median(b SUBSEP "gorgonia" SUBSEP "ns/op")
		ratio = gNs > 0 ? sprintf("%.1f×", oNs / gNs) : "n/a"
		printf "| %s | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %s |\n", b,
			gNs, median(b SUBSEP "graft" SUBSEP "B/op"), median(b SUBSEP "graft" SUBSEP "allocs/op"),
			oNs, median(b SUBSEP "gorgonia" SUBSEP "B/op"), median(b SUBSEP "gorgonia" SUBSEP "allocs/op"),
			ratio
	}
	print ""
	print "| benchmark | graft ns/op, fastest – slowest run | gorgonia ns/op, fastest – slowest run |"
	print "|---|--:|--:|"
	for (p = 1; p <= parents; p++) {
		b = order[p]
		printf "| %s | %s | %s |\n", b, spread(b SUBSEP "graft" SUBSEP "ns/op"), spread(b SUBSEP "gorgonia" SUBSEP "ns/op")
	}
}'
