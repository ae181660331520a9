package k8s

import (
	"syscall"
	"unsafe"
)

// setProcessName sets the process's name (/proc/PID/comm, what ps -o comm
// and top show), which execve took from the binary's file name. It runs
// from init, on the main thread, whose name is the process's.
func setProcessName(name string) {
	b := make([]byte, 16) // the kernel keeps 15 bytes and a NUL
	copy(b[:15], name)
	_, _, _ = syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_NAME, uintptr(unsafe.Pointer(&b[0])), 0)
}
