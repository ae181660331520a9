package k8s

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// A pod's process is its container's command: /proc/PID/cmdline (and ps)
// in a real pod show the container's command line, and /proc/PID/comm its
// name. A lab host that plays a pod runs the kubelet in that process's
// place, so the kubelet takes on the pod's command line
// (KUBELET_POD_COMMAND, a JSON list, or -pod-command): it executes its own
// binary again with that command line as its arguments, and its real
// arguments in KUBELET_ARGS, which the new process reads back before main
// runs. The variables that configured it are left out of the new
// process's environment. Where the engine starts the container under an
// init (docker's --init), /proc/1 is that init's, and its arguments still
// name the host's command: only the engine can change that.

const (
	podCommandEnv  = "KUBELET_POD_COMMAND"
	kubeletArgsEnv = "KUBELET_ARGS"
)

func init() {
	v, ok := os.LookupEnv(kubeletArgsEnv)
	if !ok {
		return
	}
	var args []string
	if json.Unmarshal([]byte(v), &args) != nil {
		return
	}
	_ = os.Unsetenv(kubeletArgsEnv) // the pod's process, run in this one, need not see it
	setProcessName(filepath.Base(os.Args[0]))
	os.Args = append([]string{os.Args[0], "kubelet"}, args...)
}

// parseCommand reads a pod command line given as a JSON list.
func parseCommand(text string) ([]string, error) {
	var command []string
	if err := json.Unmarshal([]byte(text), &command); err != nil || len(command) == 0 || command[0] == "" {
		return nil, fmt.Errorf("kubelet: the pod's command %q is not a JSON list of its arguments", text)
	}
	return command, nil
}

// becomePod executes this binary again as command, to go on as the
// kubelet with args; it returns only if it cannot.
func becomePod(command, args []string) error {
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("kubelet: cannot find its own binary: %w", err)
	}
	carried, _ := json.Marshal(args)
	var env []string
	for _, e := range os.Environ() {
		name, _, _ := strings.Cut(e, "=")
		if name != podCommandEnv && name != kubeletArgsEnv && name != "KUBELET_API_SERVER" {
			env = append(env, e)
		}
	}
	env = append(env, kubeletArgsEnv+"="+string(carried))
	return errors.Join(errors.New("kubelet: cannot take on the pod's command"), syscall.Exec(self, command, env))
}
