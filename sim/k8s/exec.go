package k8s

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httputil"
	"net/url"
	"path"
	"sort"
	"strings"

	"github.com/gorilla/websocket"
)

// The channel bytes of kubectl's streaming protocol: every binary message
// starts with the stream it belongs to. v5 adds a close message (255).
const (
	chanStdout = 1
	chanStderr = 2
	chanError  = 3
)

var upgrader = websocket.Upgrader{
	Subprotocols:    []string{"v5.channel.k8s.io", "v4.channel.k8s.io"},
	CheckOrigin:     func(*http.Request) bool { return true },
	ReadBufferSize:  4096,
	WriteBufferSize: 4096,
}

// exec runs a command in a pod over the websocket protocol kubectl speaks
// (v5, or v4). A pod that a lab host plays (the world's kubelets) runs it
// for real: the request goes on to that host's kubelet with the pod's
// environment, as kube-apiserver hands exec to the node. Any other pod is
// a model, not a process: the commands a trainee uses to look around
// (env, printenv, hostname) answer from the pod's spec, and anything else
// fails as a missing binary does in a distroless container: the runtime
// cannot start it.
func (s *Server) exec(w http.ResponseWriter, r *http.Request, req request) {
	pod, ok := s.Object("pods", req.namespace, req.name)
	if !ok {
		writeStatus(w, http.StatusNotFound, "NotFound", fmt.Sprintf("pods %q not found", req.name), map[string]any{"name": req.name, "kind": "pods"})
		return
	}
	if !websocket.IsWebSocketUpgrade(r) {
		// kubectl falls back to SPDY only when the upgrade fails; the
		// emulator serves the websocket protocol alone.
		writeStatus(w, http.StatusBadRequest, "BadRequest", "Upgrade request required", nil)
		return
	}
	container := r.URL.Query().Get("container")
	if kubelet, ok := s.kubeletOf(pod); ok {
		s.toKubelet(w, r, kubelet, pod, container)
		return
	}
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer conn.Close()
	command := r.URL.Query()["command"]
	status := startFailure(command, modelled)
	if status == nil {
		out, code := s.run(pod, command, container)
		if out != "" {
			_ = conn.WriteMessage(websocket.BinaryMessage, append([]byte{chanStdout}, out...))
		}
		status = execStatus(code)
	}
	_ = conn.WriteMessage(websocket.BinaryMessage, append([]byte{chanError}, status...))
	_ = conn.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""))
}

// modelled are the binaries a modelled pod has, where its image keeps
// them: the tools that answer from the pod's spec.
var modelled = map[string]string{"env": "/usr/bin/env", "printenv": "/usr/bin/printenv", "hostname": "/bin/hostname"}

// startFailure is the error status of an exec whose binary the container
// lacks, nil if it has it. The runtime, not a shell, looks the binary up,
// so nothing reaches stdout or stderr: runc's error comes back through
// containerd and the kubelet as an internal error, which kubectl prints
// ("error: Internal error occurred: ...") before exiting 1. Only a shell
// that cannot find a command answers "not found" and 127.
func startFailure(command []string, has map[string]string) []byte {
	if len(command) == 0 {
		return runtimeError("exec: \"\": executable file not found in $PATH")
	}
	name := command[0]
	if !strings.Contains(name, "/") {
		if _, ok := has[name]; ok {
			return nil
		}
		return runtimeError(fmt.Sprintf("exec: %q: executable file not found in $PATH", name))
	}
	for _, p := range has {
		if path.Clean(name) == p {
			return nil
		}
	}
	return runtimeError(fmt.Sprintf("exec: %q: stat %s: no such file or directory", name, name))
}

// runtimeError is the Status of an exec the container runtime could not
// start, as the kubelet's streaming server sends it: containerd's words
// around runc's, a random exec id included, wrapped as an internal error.
func runtimeError(cause string) []byte {
	err := fmt.Sprintf("error executing command in container: failed to exec in container: failed to start exec %q: "+
		"OCI runtime exec failed: exec failed: unable to start container process: %s: unknown", randomHex(32), cause)
	b, _ := json.Marshal(map[string]any{"metadata": map[string]any{}, "status": "Failure", "message": "Internal error occurred: " + err,
		"reason": "InternalError", "details": map[string]any{"causes": []any{map[string]any{"message": err}}}, "code": 500})
	return b
}

// kubeletOf is the kubelet of the lab host that plays pod, if one does:
// the world names it for the pod, or for the deployment it belongs to.
func (s *Server) kubeletOf(pod map[string]any) (*url.URL, bool) {
	ns, name := namespaceOf(pod), pod["metadata"].(map[string]any)["name"].(string)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, key := range []string{ns + "/" + name, ns + "/" + deploymentOf(pod)} {
		if u, ok := s.kubelets[key]; ok {
			return u, true
		}
	}
	return nil, false
}

// toKubelet passes an exec on to the kubelet that runs it, with the pod's
// environment; the websocket then runs between kubectl and the kubelet,
// through this server, as it does through kube-apiserver.
func (s *Server) toKubelet(w http.ResponseWriter, r *http.Request, kubelet *url.URL, pod map[string]any, container string) {
	c := containerOf(pod, container)
	name, _ := c["name"].(string)
	env, _ := json.Marshal(s.podEnv(pod, c))
	proxy := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(kubelet)
			pr.Out.URL.Path = "/exec/" + namespaceOf(pod) + "/" + pod["metadata"].(map[string]any)["name"].(string) + "/" + name
			pr.Out.URL.RawPath = ""
			pr.Out.Header.Del("Authorization") // the caller's token is for the API server alone
			pr.Out.Header.Set(podEnvHeader, string(env))
		},
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
			writeStatus(w, http.StatusInternalServerError, "InternalError",
				"error dialing backend: "+err.Error(), nil)
		},
	}
	proxy.ServeHTTP(w, r)
}

// podEnv is a container's environment as its process sees it: the
// kubelet's own variables, plain values, and secrets' values (resolved
// when the container starts).
func (s *Server) podEnv(pod, c map[string]any) map[string]string {
	name := pod["metadata"].(map[string]any)["name"].(string)
	env := map[string]string{"HOSTNAME": name, "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root"}
	ns := namespaceOf(pod)
	for _, e := range list(c["env"]) {
		em, _ := e.(map[string]any)
		n, _ := em["name"].(string)
		if v, ok := em["value"].(string); ok {
			env[n] = v
		} else if ref := secretRef(em); ref != nil {
			env[n] = s.secretValue(ns, ref["name"], ref["key"])
		}
	}
	return env
}

// run answers a command from the pod model: its output and exit code.
// startFailure has checked the pod has its binary.
func (s *Server) run(pod map[string]any, command []string, container string) (string, int) {
	name := pod["metadata"].(map[string]any)["name"].(string)
	switch path.Base(command[0]) {
	case "env", "printenv":
		env := s.podEnv(pod, containerOf(pod, container))
		if len(command) == 2 && path.Base(command[0]) == "printenv" {
			v, ok := env[command[1]]
			if !ok {
				return "", 1
			}
			return v + "\n", 0
		}
		keys := make([]string, 0, len(env))
		for k := range env {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var b strings.Builder
		for _, k := range keys {
			b.WriteString(k + "=" + env[k] + "\n")
		}
		return b.String(), 0
	case "hostname":
		return name + "\n", 0
	}
	return "", 0
}

func list(v any) []any { l, _ := v.([]any); return l }

func containerOf(pod map[string]any, name string) map[string]any {
	spec, _ := pod["spec"].(map[string]any)
	for _, c := range list(spec["containers"]) {
		cm, _ := c.(map[string]any)
		if name == "" || cm["name"] == name {
			return cm
		}
	}
	return map[string]any{}
}

func secretRef(env map[string]any) map[string]string {
	from, _ := env["valueFrom"].(map[string]any)
	ref, _ := from["secretKeyRef"].(map[string]any)
	if ref == nil {
		return nil
	}
	n, _ := ref["name"].(string)
	k, _ := ref["key"].(string)
	return map[string]string{"name": n, "key": k}
}

// secretValue reads a secret's key the way the kubelet does: base64 from
// data (the server folds stringData into it on write).
func (s *Server) secretValue(ns, name, key string) string {
	sec, ok := s.Object("secrets", ns, name)
	if !ok {
		return ""
	}
	data, _ := sec["data"].(map[string]any)
	v, _ := data[key].(string)
	dec, err := decodeBase64(v)
	if err != nil {
		return ""
	}
	return dec
}

// logs serves a pod's log: the lines its container wrote, which a lab
// scripts with SetLog (for a pod, or for every pod of a deployment) so the evidence is written with the pod rather than
// invented here, and kept out of the pod object a trainee reads.
func (s *Server) logs(w http.ResponseWriter, req request) {
	pod, ok := s.Object("pods", req.namespace, req.name)
	if !ok {
		writeStatus(w, http.StatusNotFound, "NotFound", fmt.Sprintf("pods %q not found", req.name), map[string]any{"name": req.name, "kind": "pods"})
		return
	}
	s.mu.Lock()
	text, ok := s.podLogs[req.namespace+"/"+req.name]
	if !ok { // a deployment's pods, named when they are made, log as the world says the deployment's do
		text = s.podLogs[req.namespace+"/"+deploymentOf(pod)]
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain")
	_, _ = w.Write([]byte(text))
}

// SetLog sets the log text of a pod.
func (s *Server) SetLog(namespace, pod, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.podLogs[namespace+"/"+pod] = text
}
