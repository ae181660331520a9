package k8s

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"

	"github.com/sakimori/sakimori/sim/labkit"
)

func init() {
	labkit.Register("k8s-probe", func(_ context.Context, args []string) error {
		if code := runProbe(args); code != 0 {
			return labkit.ExitCode(code)
		}
		return nil
	})
}

// runProbe is a lab's state check against its API server. It prints what
// it saw (the platform keeps it as evidence) and exits 0 when the cluster
// is as the objective asks, 1 when not, 2 when it could not ask. Its
// requests carry the lab's simulator key, so none is in the audit log.
//
//	sakimori-sim k8s-probe [-server URL] anonymous
//	    an anonymous request for the cluster's pods is refused (401 or 403)
//	sakimori-sim k8s-probe [-server URL] removed NAMESPACE/DEPLOYMENT
//	    the deployment was made (its creation is in the audit log) and is
//	    gone now, with every pod it had
//	sakimori-sim k8s-probe [-server URL] from-secret NAMESPACE/DEPLOYMENT VAR...
//	    every container of the deployment and of its pods that has VAR reads
//	    it from a secret that holds it, and none carries it as a plain value
func runProbe(args []string) int {
	fs := flag.NewFlagSet("k8s-probe", flag.ContinueOnError)
	server := fs.String("server", "http://127.0.0.1:8080", "the API server")
	if err := fs.Parse(args); err != nil || fs.NArg() < 1 {
		fmt.Fprintln(os.Stderr, "usage: sakimori-sim k8s-probe [-server URL] anonymous|removed|from-secret ...")
		return 2
	}
	p := &prober{server: strings.TrimSuffix(*server, "/"), key: os.Getenv("KUBESIM_KEY"), token: os.Getenv("KUBESIM_ADMIN_TOKEN"), hc: labClient()}
	args = fs.Args()
	switch {
	case args[0] == "anonymous" && len(args) == 1:
		return p.anonymous()
	case args[0] == "removed" && len(args) == 2:
		return p.removed(args[1])
	case args[0] == "from-secret" && len(args) >= 3:
		return p.fromSecret(args[1], args[2:])
	}
	fmt.Fprintln(os.Stderr, "sakimori-sim k8s-probe: unknown probe or wrong arguments:", strings.Join(args, " "))
	return 2
}

type prober struct {
	server, key, token string
	hc                 *http.Client
}

// get reads path, as the admin when admin is true and anonymously when not.
func (p *prober) get(path string, admin bool, into any) (int, error) {
	req, err := http.NewRequest(http.MethodGet, p.server+path, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set(labkit.SimKeyHeader, p.key)
	if admin {
		req.Header.Set("Authorization", "Bearer "+p.token)
	}
	resp, err := p.hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if into != nil && resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
			return resp.StatusCode, err
		}
	}
	return resp.StatusCode, nil
}

func (p *prober) anonymous() int {
	code, err := p.get("/api/v1/pods", false, nil)
	if err != nil {
		fmt.Println("no answer:", err)
		return 2
	}
	fmt.Printf("anonymous GET /api/v1/pods -> %d\n", code)
	if code == http.StatusUnauthorized || code == http.StatusForbidden {
		return 0
	}
	return 1
}

func splitRef(ref string) (string, string, bool) {
	ns, name, ok := strings.Cut(ref, "/")
	return ns, name, ok && ns != "" && name != ""
}

func (p *prober) removed(ref string) int {
	ns, name, ok := splitRef(ref)
	if !ok {
		fmt.Fprintln(os.Stderr, "k8s-probe removed: want NAMESPACE/DEPLOYMENT, not", ref)
		return 2
	}
	made, err := p.wasCreated(ns, name)
	if err != nil {
		fmt.Println("cannot read the audit log:", err)
		return 2
	}
	if !made {
		fmt.Printf("deployment %s has not been made yet\n", ref)
		return 1
	}
	code, err := p.get("/apis/apps/v1/namespaces/"+ns+"/deployments/"+name, true, nil)
	if err != nil {
		fmt.Println("no answer:", err)
		return 2
	}
	if code != http.StatusNotFound {
		fmt.Printf("deployment %s: %d, still there\n", ref, code)
		return 1
	}
	pods, err := p.podsOf(ns, name)
	if err != nil {
		fmt.Println("no answer:", err)
		return 2
	}
	if len(pods) > 0 {
		fmt.Printf("deployment %s is gone, but its pod %s runs\n", ref, pods[0]["metadata"].(map[string]any)["name"])
		return 1
	}
	fmt.Printf("deployment %s was made and is gone, with its pods\n", ref)
	return 0
}

// wasCreated reads the audit log for a successful creation of the
// deployment, so that a check of its removal cannot pass before it exists.
func (p *prober) wasCreated(ns, name string) (bool, error) {
	resp, err := labkit.PlatformGet(p.hc, p.server+"/_sim/audit", p.key)
	if err != nil {
		return false, fmt.Errorf("audit log: %w", err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	for sc.Scan() {
		var e Event
		if json.Unmarshal(sc.Bytes(), &e) != nil {
			continue
		}
		code, _ := e.ResponseStatus["code"].(float64)
		sent, _ := e.RequestObject.(map[string]any)
		objName, _ := sent["metadata"].(map[string]any)
		if e.Verb == "create" && e.ObjectRef["resource"] == "deployments" && e.ObjectRef["namespace"] == ns && code == http.StatusCreated &&
			(e.ObjectRef["name"] == name || objName["name"] == name) {
			return true, nil
		}
	}
	return false, sc.Err()
}

func (p *prober) fromSecret(ref string, vars []string) int {
	ns, name, ok := splitRef(ref)
	if !ok {
		fmt.Fprintln(os.Stderr, "k8s-probe from-secret: want NAMESPACE/DEPLOYMENT, not", ref)
		return 2
	}
	var dep map[string]any
	code, err := p.get("/apis/apps/v1/namespaces/"+ns+"/deployments/"+name, true, &dep)
	if err != nil || code != http.StatusOK {
		fmt.Printf("deployment %s: %d %v\n", ref, code, err)
		return 2
	}
	spec, _ := dep["spec"].(map[string]any)
	template, _ := spec["template"].(map[string]any)
	specs := map[string]map[string]any{"deployment " + name: template}
	pods, err := p.podsOf(ns, name)
	if err != nil {
		fmt.Println("no answer:", err)
		return 2
	}
	for _, pod := range pods {
		specs["pod "+pod["metadata"].(map[string]any)["name"].(string)] = pod
	}
	fromSecret := map[string]bool{}
	for what, obj := range specs {
		podSpec, _ := obj["spec"].(map[string]any)
		for _, c := range list(podSpec["containers"]) {
			cm, _ := c.(map[string]any)
			for _, e := range list(cm["env"]) {
				em, _ := e.(map[string]any)
				if !contains(vars, fmt.Sprint(em["name"])) {
					continue
				}
				if _, plain := em["value"]; plain {
					fmt.Printf("%s, container %v: %v is a plain value\n", what, cm["name"], em["name"])
					return 1
				}
				if ref := secretRef(em); ref != nil && p.secretHolds(ns, ref["name"], ref["key"]) {
					fromSecret[fmt.Sprint(em["name"])] = true
				}
			}
			for _, from := range list(cm["envFrom"]) {
				fm, _ := from.(map[string]any)
				sref, _ := fm["secretRef"].(map[string]any)
				if sref == nil {
					continue
				}
				for _, v := range vars {
					if p.secretHolds(ns, fmt.Sprint(sref["name"]), v) {
						fromSecret[v] = true
					}
				}
			}
		}
	}
	for _, v := range vars {
		if !fromSecret[v] {
			fmt.Printf("deployment %s: %s is not read from a secret that holds it\n", ref, v)
			return 1
		}
	}
	fmt.Printf("deployment %s reads %s from secrets\n", ref, strings.Join(vars, ", "))
	return 0
}

// podsOf lists the pods a deployment made.
func (p *prober) podsOf(ns, deployment string) ([]map[string]any, error) {
	var pods struct{ Items []map[string]any }
	code, err := p.get("/api/v1/namespaces/"+ns+"/pods", true, &pods)
	if err != nil {
		return nil, err
	}
	if code != http.StatusOK {
		return nil, fmt.Errorf("listing pods: %d", code)
	}
	var out []map[string]any
	for _, pod := range pods.Items {
		if deploymentOf(pod) == deployment {
			out = append(out, pod)
		}
	}
	return out, nil
}

func (p *prober) secretHolds(ns, name, key string) bool {
	var sec map[string]any
	code, err := p.get("/api/v1/namespaces/"+ns+"/secrets/"+name, true, &sec)
	if err != nil || code != http.StatusOK {
		return false
	}
	data, _ := sec["data"].(map[string]any)
	v, _ := data[key].(string)
	return v != ""
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}
