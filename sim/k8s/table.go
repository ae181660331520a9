package k8s

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// wantsTable reports whether kubectl asked for server-side printing, as
// `kubectl get` does; a real server answers with a meta.k8s.io Table.
func wantsTable(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "as=Table")
}

// table prints objects the way the API server's own printers do for the
// columns kubectl shows by default.
func (s *Server) table(k kind, objs []any) map[string]any {
	col := func(name, typ string) map[string]any {
		return map[string]any{"name": name, "type": typ, "format": "", "description": "", "priority": 0}
	}
	cols := []any{col("Name", "string")}
	switch k.resource {
	case "pods":
		cols = append(cols, col("Ready", "string"), col("Status", "string"), col("Restarts", "string"))
	case "deployments":
		cols = append(cols, col("Ready", "string"), col("Up-to-date", "integer"), col("Available", "integer"))
	case "namespaces":
		cols = append(cols, col("Status", "string"))
	}
	cols = append(cols, col("Age", "string"))
	rows := []any{}
	for _, o := range objs {
		obj := o.(map[string]any)
		meta := obj["metadata"].(map[string]any)
		status, _ := obj["status"].(map[string]any)
		cells := []any{meta["name"]}
		switch k.resource {
		case "pods":
			n := len(list(obj["spec"].(map[string]any)["containers"]))
			cells = append(cells, fmt.Sprintf("%d/%d", n, n), status["phase"], "0")
		case "deployments":
			cells = append(cells, fmt.Sprintf("%v/%v", status["readyReplicas"], status["replicas"]), status["updatedReplicas"], status["availableReplicas"])
		case "namespaces":
			cells = append(cells, status["phase"])
		}
		cells = append(cells, s.age(meta))
		rows = append(rows, map[string]any{"cells": cells, "object": map[string]any{"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": meta}})
	}
	return map[string]any{"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": map[string]any{"resourceVersion": fmt.Sprint(s.rev)}, "columnDefinitions": cols, "rows": rows}
}

func (s *Server) age(meta map[string]any) string {
	created, err := time.Parse(time.RFC3339, fmt.Sprint(meta["creationTimestamp"]))
	if err != nil {
		return "<unknown>"
	}
	d := s.now().Sub(created)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}
