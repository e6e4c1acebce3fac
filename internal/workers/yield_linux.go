package workers

import "syscall"

// yieldThread offers the thread's CPU to other processes' runnable
// threads (sched_yield) and returns at once if there are none. On a
// machine shared with other programs a polling or waiting thread must not
// keep a CPU from the thread it waits for, or from them.
func yieldThread() { syscall.Syscall(syscall.SYS_SCHED_YIELD, 0, 0, 0) }
