package k8s

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"html/template"
	"net/http"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/sakimori/sakimori/sim/labkit"
)

func init() {
	labkit.Register("k8s-console", runConsole)
}

// The cluster console is a lab's Kubernetes dashboard: workloads, pods and
// what their containers run with, environment included, for anyone who
// opens it. Like the dashboards left open in the incidents it re-enacts,
// it asks the API server as the anonymous user, so it shows what anonymous
// access allows and stops showing it when that access is closed. Its links
// are relative: the range serves a lab's web target below a path of its own.

const consoleAgent = "dashboard/v2.7.0"

func runConsole(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("k8s-console", flag.ContinueOnError)
	listen := fs.String("listen", ":80", "address to serve the console on")
	api := fs.String("api", os.Getenv("KUBE_API"), "the API server, plain HTTP (default $KUBE_API)")
	title := fs.String("cluster", "cluster", "the cluster's name, shown in the header")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *api == "" {
		return fmt.Errorf("k8s-console: give -api or KUBE_API")
	}
	return labkit.Serve(ctx, *listen, NewConsole(*api, *title))
}

// NewConsole serves the console for the API server at api.
func NewConsole(api, cluster string) http.Handler {
	c := &console{api: strings.TrimSuffix(api, "/"), cluster: cluster, hc: &http.Client{Timeout: 10 * time.Second}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", c.overview)
	mux.HandleFunc("GET /pod/{ns}/{name}", c.pod)
	mux.HandleFunc("GET /deployment/{ns}/{name}", c.deployment)
	return mux
}

type console struct {
	api, cluster string
	hc           *http.Client
}

// apiError is the API server's refusal, shown as the dashboard shows it.
type apiError struct {
	Code    int
	Message string
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s", e.Code, e.Message) }

func (c *console) get(path string, into any) error {
	req, err := http.NewRequest(http.MethodGet, c.api+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("User-Agent", consoleAgent)
	req.Header.Set("Accept", "application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		return &apiError{Code: http.StatusBadGateway, Message: "the API server did not answer"}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var st struct{ Message string }
		_ = json.NewDecoder(resp.Body).Decode(&st)
		if st.Message == "" {
			st.Message = http.StatusText(resp.StatusCode)
		}
		return &apiError{Code: resp.StatusCode, Message: st.Message}
	}
	return json.NewDecoder(resp.Body).Decode(into)
}

type objectList struct {
	Items []map[string]any `json:"items"`
}

// row is one workload or pod in a table.
type row struct {
	Namespace, Name, Images, Status, Age, Link string
}

func (c *console) overview(w http.ResponseWriter, r *http.Request) {
	var deps, pods objectList
	err := c.get("/apis/apps/v1/deployments", &deps)
	if err == nil {
		err = c.get("/api/v1/pods", &pods)
	}
	page := map[string]any{"Cluster": c.cluster, "Error": err, "Root": "./"}
	if err == nil {
		var dr, pr []row
		for _, d := range deps.Items {
			meta, _ := d["metadata"].(map[string]any)
			st, _ := d["status"].(map[string]any)
			spec, _ := d["spec"].(map[string]any)
			tmpl, _ := spec["template"].(map[string]any)
			dr = append(dr, row{Namespace: fmt.Sprint(meta["namespace"]), Name: fmt.Sprint(meta["name"]), Images: images(tmpl),
				Status: fmt.Sprintf("%d / %d", intOf(st["readyReplicas"], 0), intOf(spec["replicas"], 1)), Age: age(meta),
				Link: fmt.Sprintf("deployment/%v/%v", meta["namespace"], meta["name"])})
		}
		for _, p := range pods.Items {
			meta, _ := p["metadata"].(map[string]any)
			st, _ := p["status"].(map[string]any)
			pr = append(pr, row{Namespace: fmt.Sprint(meta["namespace"]), Name: fmt.Sprint(meta["name"]), Images: images(p),
				Status: fmt.Sprint(st["phase"]), Age: age(meta), Link: fmt.Sprintf("pod/%v/%v", meta["namespace"], meta["name"])})
		}
		page["Deployments"], page["Pods"] = dr, pr
	}
	render(w, overviewPage, page)
}

// envVar is one variable as the dashboard shows it: a value, or where it
// comes from.
type envVar struct{ Name, Value, From string }

type containerView struct {
	Name, Image, Command, Args, Limits string
	Env                                []envVar
}

func (c *console) pod(w http.ResponseWriter, r *http.Request) {
	var pod map[string]any
	err := c.get("/api/v1/namespaces/"+r.PathValue("ns")+"/pods/"+r.PathValue("name"), &pod)
	c.detail(w, "Pod", r, pod, err)
}

func (c *console) deployment(w http.ResponseWriter, r *http.Request) {
	var dep map[string]any
	err := c.get("/apis/apps/v1/namespaces/"+r.PathValue("ns")+"/deployments/"+r.PathValue("name"), &dep)
	var tmpl map[string]any
	if err == nil {
		spec, _ := dep["spec"].(map[string]any)
		tmpl, _ = spec["template"].(map[string]any)
	}
	c.detail(w, "Deployment", r, tmpl, err)
}

func (c *console) detail(w http.ResponseWriter, kind string, r *http.Request, obj map[string]any, err error) {
	page := map[string]any{"Cluster": c.cluster, "Kind": kind, "Namespace": r.PathValue("ns"), "Name": r.PathValue("name"), "Error": err, "Root": "../../"}
	if err == nil {
		spec, _ := obj["spec"].(map[string]any)
		var cs []containerView
		for _, ci := range list(spec["containers"]) {
			cm, _ := ci.(map[string]any)
			cv := containerView{Name: fmt.Sprint(cm["name"]), Image: fmt.Sprint(cm["image"]), Command: words(cm["command"]), Args: words(cm["args"])}
			if res, ok := cm["resources"].(map[string]any); ok {
				if lim, ok := res["limits"].(map[string]any); ok {
					cv.Limits = fmt.Sprintf("cpu %v, memory %v", orDash(lim["cpu"]), orDash(lim["memory"]))
				}
			}
			for _, e := range list(cm["env"]) {
				em, _ := e.(map[string]any)
				ev := envVar{Name: fmt.Sprint(em["name"])}
				if v, ok := em["value"].(string); ok {
					ev.Value = v
				} else if ref := secretRef(em); ref != nil {
					ev.From = "secret " + ref["name"] + " / " + ref["key"]
				}
				cv.Env = append(cv.Env, ev)
			}
			cs = append(cs, cv)
		}
		page["Containers"] = cs
	}
	render(w, detailPage, page)
}

func images(podOrTemplate map[string]any) string {
	spec, _ := podOrTemplate["spec"].(map[string]any)
	var out []string
	for _, ci := range list(spec["containers"]) {
		cm, _ := ci.(map[string]any)
		out = append(out, fmt.Sprint(cm["image"]))
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

func words(v any) string {
	var out []string
	for _, w := range list(v) {
		out = append(out, fmt.Sprint(w))
	}
	return strings.Join(out, " ")
}

func orDash(v any) string {
	if v == nil {
		return "-"
	}
	return fmt.Sprint(v)
}

func age(meta map[string]any) string {
	created, err := time.Parse(time.RFC3339, fmt.Sprint(meta["creationTimestamp"]))
	if err != nil {
		return "-"
	}
	d := time.Since(created)
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}

func render(w http.ResponseWriter, t *template.Template, page map[string]any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if e, ok := page["Error"].(*apiError); ok && e != nil {
		w.WriteHeader(e.Code)
	}
	_ = t.Execute(w, page)
}

const consoleHead = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{{.Cluster}} · Kubernetes Dashboard</title><style>
body{font-family:system-ui,sans-serif;margin:0;color:#202124}header{background:#326ce5;color:#fff;padding:.8rem 1.2rem}
header a{color:#fff;text-decoration:none;font-weight:600}main{padding:1rem 1.2rem}table{border-collapse:collapse;width:100%;margin-bottom:1.5rem}
th,td{text-align:left;padding:.4rem .6rem;border-bottom:1px solid #ddd;font-size:.9rem;overflow-wrap:anywhere}th{background:#f1f3f4}
.error{background:#fce8e6;border:1px solid #d93025;padding:.8rem;border-radius:4px}code{font-family:monospace}
</style></head><body><header><a href="{{.Root}}">Kubernetes Dashboard</a> · {{.Cluster}}</header><main>
{{with .Error}}<p class="error" role="alert">The API server refused the dashboard: {{.Error}}</p>{{end}}`

var overviewPage = template.Must(template.New("overview").Parse(consoleHead + `
{{if not .Error}}<h1>Workloads</h1>
<h2>Deployments</h2><table><thead><tr><th>Namespace</th><th>Name</th><th>Images</th><th>Pods</th><th>Age</th></tr></thead><tbody>
{{range .Deployments}}<tr><td>{{.Namespace}}</td><td><a href="{{.Link}}">{{.Name}}</a></td><td>{{.Images}}</td><td>{{.Status}}</td><td>{{.Age}}</td></tr>{{end}}
</tbody></table>
<h2>Pods</h2><table><thead><tr><th>Namespace</th><th>Name</th><th>Images</th><th>Status</th><th>Age</th></tr></thead><tbody>
{{range .Pods}}<tr><td>{{.Namespace}}</td><td><a href="{{.Link}}">{{.Name}}</a></td><td>{{.Images}}</td><td>{{.Status}}</td><td>{{.Age}}</td></tr>{{end}}
</tbody></table>{{end}}</main></body></html>`))

var detailPage = template.Must(template.New("detail").Parse(consoleHead + `
<h1>{{.Kind}} {{.Namespace}}/{{.Name}}</h1>
{{range .Containers}}<h2>Container {{.Name}}</h2>
<table><tbody><tr><th>Image</th><td><code>{{.Image}}</code></td></tr>
{{if .Command}}<tr><th>Command</th><td><code>{{.Command}}</code></td></tr>{{end}}
{{if .Args}}<tr><th>Arguments</th><td><code>{{.Args}}</code></td></tr>{{end}}
{{if .Limits}}<tr><th>Limits</th><td>{{.Limits}}</td></tr>{{end}}</tbody></table>
<h3>Environment variables</h3><table><thead><tr><th>Name</th><th>Value</th></tr></thead><tbody>
{{range .Env}}<tr><td><code>{{.Name}}</code></td><td>{{if .From}}{{.From}}{{else}}<code>{{.Value}}</code>{{end}}</td></tr>{{end}}
</tbody></table>{{end}}
<p><a href="{{$.Root}}">Back to workloads</a></p></main></body></html>`))
