package k8s

import (
	"fmt"
	"time"
)

// The cluster's events (v1 Event): what the scheduler, the controllers
// and the kubelets report about the objects they act on, as `kubectl get
// events` and the Events section of `kubectl describe` show them. Nobody
// asks for them, so they are not in the audit log (audit policies leave
// events out), and they last an hour, kube-apiserver's default
// --event-ttl: a world's objects made months ago have none left, and the
// intruder's deployment has its full history while it is fresh.

const eventTTL = time.Hour

// reporter is who reports an event. The scheduler writes through
// events.k8s.io, so its events have an eventTime and a reporting
// instance but no legacy source or timestamps; the controllers and the
// kubelet use the core API's recorder, with a source and a count.
type reporter struct {
	component, host string
	newAPI          bool
	action          string // events.k8s.io only
}

var (
	deploymentReporter = reporter{component: "deployment-controller"}
	replicaSetReporter = reporter{component: "replicaset-controller"}
)

func kubeletReporter(node string) reporter { return reporter{component: "kubelet", host: node} }

func schedulerReporter() reporter {
	return reporter{component: "default-scheduler", host: "default-scheduler-" + controlPlaneNode, newAPI: true, action: "Binding"}
}

// event records a Normal event about obj at the time at; s.mu is held.
// fieldPath names a container ("spec.containers{app}") for the kubelet's.
func (s *Server) event(at time.Time, obj map[string]any, fieldPath, reason, message string, by reporter) {
	if s.now().Sub(at) > eventTTL {
		return // it would already have expired
	}
	meta := metaOf(obj)
	involved := map[string]any{"kind": obj["kind"], "apiVersion": obj["apiVersion"], "name": meta["name"], "uid": meta["uid"], "resourceVersion": meta["resourceVersion"]}
	ns := "default" // where a cluster-scoped object's events go
	if n, _ := meta["namespace"].(string); n != "" {
		involved["namespace"], ns = n, n
	}
	if fieldPath != "" {
		involved["fieldPath"] = fieldPath
	}
	s.eventSeq++
	ev := map[string]any{
		"metadata": map[string]any{"name": fmt.Sprintf("%v.%x", meta["name"], at.UnixNano()+int64(s.eventSeq)),
			"namespace": ns, "creationTimestamp": stamp(at)},
		"involvedObject": involved, "reason": reason, "message": message, "type": "Normal",
		"reportingComponent": by.component, "reportingInstance": by.host,
	}
	if by.newAPI {
		ev["eventTime"], ev["firstTimestamp"], ev["lastTimestamp"] = microStamp(at), nil, nil
		ev["source"], ev["action"] = map[string]any{}, by.action
	} else {
		source := map[string]any{"component": by.component}
		if by.host != "" {
			source["host"] = by.host
		}
		ev["eventTime"], ev["firstTimestamp"], ev["lastTimestamp"] = nil, stamp(at), stamp(at)
		ev["source"], ev["count"] = source, 1.0
	}
	s.store("events", ns, ev)
}

// eventTime is when an event was last seen, whichever API wrote it.
func eventTime(ev map[string]any) time.Time {
	for _, key := range []string{"lastTimestamp", "eventTime", "firstTimestamp"} {
		if v, ok := ev[key].(string); ok {
			if t, err := time.Parse(time.RFC3339, v); err == nil {
				return t
			}
		}
	}
	return createdAt(ev)
}

// expireEvents drops the events older than the TTL; s.mu is held.
func (s *Server) expireEvents() {
	for key, ev := range s.objects["events"] {
		if s.now().Sub(eventTime(ev)) > eventTTL {
			delete(s.objects["events"], key)
		}
	}
}
