#!/usr/bin/env bash
# Prints the threading table of docs/performance.md: per benchmark, the
# median ns/op at GOMAXPROCS 1 and 2, the speed-up of the second core
# (cpu 1 / cpu 2) and the allocs/op, from `go test -bench -cpu 1,2`.
#
# Usage: scripts/threads_table.sh [count [pattern]]   run the benchmarks
#        scripts/threads_table.sh -f file...          read saved output
#   count: runs of each benchmark at each setting, default 5, alternating
#          GOMAXPROCS 1 and 2 (plus one more at 1, dropped as said below)
#   pattern: the -bench regular expression, default the training and
#            inference steps that issue 12's threading item is judged on
#
# With b.Loop, go test takes the first run of each benchmark from the
# probe it runs before it sets GOMAXPROCS, so that run is timed at the
# GOMAXPROCS the previous benchmark left (2), whatever -cpu says: the table
# drops it, and the command runs one more at GOMAXPROCS 1 to make up. The raw output goes to stderr, the table to stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = -f ]; then
	shift
	raw() { cat "$@"; }
else
	count=${1:-5}
	pattern=${2:-'MLP784TrainStepBatch|Deep50TrainStep|MLP784Inference|XORTrainStep/graft|CNNTrainStep/graft|Wide1024TrainStep'}
	# -cpu 1,2,1,2,... rather than -count: the settings alternate, so that
	# a change of load on a shared machine falls on both.
	cpus=1$(printf ',1,2%.0s' $(seq "$count"))
	raw() { go test -run '^$' -bench "$pattern" -benchmem -benchtime 0.5s -cpu "$cpus" ./bench/; }
	set --
fi
raw "$@" | tee /dev/stderr | awk '
function median(key,    n, i, j, v, s) {
	n = runs[key]
	for (i = 1; i <= n; i++) s[i] = val[key, i]
	for (i = 2; i <= n; i++) {
		v = s[i]
		for (j = i - 1; j >= 1 && s[j] > v; j--) s[j + 1] = s[j]
		s[j + 1] = v
	}
	if (n % 2) return s[(n + 1) / 2]
	return (s[n / 2] + s[n / 2 + 1]) / 2
}
function human(ns) {
	if (ns >= 1e6) return sprintf("%.2f ms", ns / 1e6)
	if (ns >= 1e3) return sprintf("%.1f µs", ns / 1e3)
	return sprintf("%.0f ns", ns)
}
/^Benchmark/ && $4 == "ns/op" {
	name = $1; cpu = 1
	if (match(name, /-[0-9]+$/)) { cpu = substr(name, RSTART + 1); name = substr(name, 1, RSTART - 1) }
	if (cpu == 1 && !((name) in probed)) { probed[name] = 1; next }
	key = name SUBSEP cpu
	if (!((name) in seen)) { seen[name] = 1; order[++names] = name }
	val[key, ++runs[key]] = $3
	for (i = 5; i < NF; i++) if ($(i + 1) == "allocs/op" && $i > allocs[name]) allocs[name] = $i
}
END {
	print "| benchmark | cpu 1 | cpu 2 | cpu 1 / cpu 2 | allocs/op |"
	print "|---|--:|--:|--:|--:|"
	for (i = 1; i <= names; i++) {
		name = order[i]; one = median(name SUBSEP 1); two = median(name SUBSEP 2)
		printf "| %s | %s | %s | %.2f× | %d |\n", substr(name, 10), human(one), human(two), one / two, allocs[name]
	}
}'
