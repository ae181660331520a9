package k8s

import "syscall"

// hostKernel is the kernel release the lab's hosts share: what a shell in
// a played pod sees in uname -r, so the nodes report it too.
func hostKernel() string {
	var u syscall.Utsname
	if syscall.Uname(&u) != nil {
		return ""
	}
	b := make([]byte, 0, len(u.Release))
	for _, c := range u.Release {
		if c == 0 {
			break
		}
		b = append(b, byte(c))
	}
	return string(b)
}
