//go:build !linux

package workers

// yieldThread would offer the thread's CPU to other processes; outside
// Linux the polling loops only yield to other goroutines.
func yieldThread() {}
