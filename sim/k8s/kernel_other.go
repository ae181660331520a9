//go:build !linux

package k8s

// hostKernel is unknown off Linux; the nodes keep their own.
func hostKernel() string { return "" }
