package k8s

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// The scale subresource of deployments and replica sets
// (autoscaling/v1 Scale), which `kubectl scale` reads and patches: a
// trainee may stop a workload by scaling it to nothing.

// scaleOf is the Scale of a workload.
func scaleOf(obj map[string]any) map[string]any {
	meta := metaOf(obj)
	spec, _ := obj["spec"].(map[string]any)
	status, _ := obj["status"].(map[string]any)
	return map[string]any{
		"kind": "Scale", "apiVersion": "autoscaling/v1",
		"metadata": map[string]any{"name": meta["name"], "namespace": meta["namespace"], "uid": meta["uid"],
			"resourceVersion": meta["resourceVersion"], "creationTimestamp": meta["creationTimestamp"]},
		"spec":   map[string]any{"replicas": float64(intOf(spec["replicas"], 1))},
		"status": map[string]any{"replicas": float64(intOf(status["replicas"], 0)), "selector": formatSelector(spec["selector"])},
	}
}

func (s *Server) scaleResource(w http.ResponseWriter, r *http.Request, k kind, req request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	obj, ok := s.objects[k.resource][req.namespace+"/"+req.name]
	if !ok {
		writeStatus(w, http.StatusNotFound, "NotFound", fmt.Sprintf("%s %q not found", k.resource+k.groupSuffix(), req.name),
			map[string]any{"name": req.name, "group": k.group, "kind": k.resource})
		return
	}
	var scale map[string]any
	switch r.Method {
	case http.MethodGet:
		writeJSON(w, http.StatusOK, scaleOf(obj))
		return
	case http.MethodPut:
		b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil || json.Unmarshal(b, &scale) != nil {
			writeStatus(w, http.StatusBadRequest, "BadRequest", "the body is not a JSON Scale", nil)
			return
		}
	case http.MethodPatch:
		var code int
		var err error
		if scale, code, err = patched(r, scaleOf(obj)); err != nil {
			refusePatch(w, code, err)
			return
		}
	default:
		writeStatus(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "the server does not allow this method on the requested resource", nil)
		return
	}
	spec, _ := scale["spec"].(map[string]any)
	replicas := intOf(spec["replicas"], -1)
	if replicas < 0 {
		writeStatus(w, http.StatusUnprocessableEntity, "Invalid",
			fmt.Sprintf("Scale.autoscaling %q is invalid: spec.replicas: Invalid value: %v: must be greater than or equal to 0", req.name, spec["replicas"]), nil)
		return
	}
	ospec := obj["spec"].(map[string]any)
	if intOf(ospec["replicas"], 1) != replicas {
		ospec["replicas"] = float64(replicas)
		metaOf(obj)["generation"] = float64(intOf(metaOf(obj)["generation"], 1) + 1)
		s.touch(obj)
	}
	writeJSON(w, http.StatusOK, scaleOf(obj))
	s.later(func() { s.changed(k, req.namespace, obj, true) })
}
