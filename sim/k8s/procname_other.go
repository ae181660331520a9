//go:build !linux

package k8s

// setProcessName has nothing to set where there is no /proc.
func setProcessName(string) {}
