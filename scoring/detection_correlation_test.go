package scoring_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sakimori/sakimori/scoring"
	"github.com/sakimori/sakimori/store"
	"github.com/sakimori/sakimori/store/storetest"
)

// burstLabs has a detection objective for a burst of downloads, graded on
// its own events (with no times) and on the lab's CloudTrail log.
type burstLabs struct{ *labsOf }

func get(ip string) map[string]any {
	return map[string]any{"eventName": "GetObject", "sourceIPAddress": ip}
}

func (b *burstLabs) Objectives(s string) ([]scoring.Objective, []scoring.Hint, error) {
	objs, hints, err := b.labsOf.Objectives(s)
	objs = append(objs, scoring.Objective{ID: "detect-burst", Kind: "detection", Points: 90,
		Malicious: []map[string]any{get("198.51.100.7"), get("198.51.100.7"), get("198.51.100.7")},
		Benign:    []map[string]any{get("10.213.0.11"), get("10.213.0.11")},
		Live:      &scoring.LiveEvents{Host: "cloud", Command: []string{"sakimori-sim", "trail"}, Truth: "detection:\n  sel:\n    eventName: GetObject\n  inside:\n    sourceIPAddress: 10.213.0.11\n  condition: sel and not inside\n"}})
	// The author's truth may itself be a correlation: the burst is the
	// attack, whatever address it comes from.
	objs = append(objs, scoring.Objective{ID: "detect-burst-truth", Kind: "detection", Points: 90,
		Malicious: []map[string]any{get("198.51.100.7")},
		Benign:    []map[string]any{get("10.213.0.11")},
		Live:      &scoring.LiveEvents{Host: "cloud", Command: []string{"sakimori-sim", "trail"}, Truth: "title: burst\ncorrelation: {type: event_count, rules: [get], group-by: [sourceIPAddress], timespan: 5m, condition: {gte: 3}}\n---\nname: get\ndetection: {sel: {eventName: GetObject}, condition: sel}\n"}})
	return objs, hints, err
}

// ReadEvents: five downloads from outside within 40 seconds, and the
// instance's own downloads a quarter of an hour apart.
func (b *burstLabs) ReadEvents(_ context.Context, l scoring.Lab, host string, cmd []string) ([]map[string]any, error) {
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	var out []map[string]any
	for i := range 5 {
		e := get("203.0.113.9")
		e["eventTime"] = t0.Add(time.Duration(i) * 10 * time.Second).Format(time.RFC3339)
		out = append(out, e)
	}
	for i := range 5 {
		e := get("10.213.0.11")
		e["eventTime"] = t0.Add(time.Duration(i) * 15 * time.Minute).Format(time.RFC3339)
		out = append(out, e)
	}
	return out, nil
}

// A correlation rule, submitted with the rule it counts, is graded on the
// objective's events and on the lab's log as two streams: the instance's
// two hand-written downloads are not counted with its logged ones.
func TestCorrelationOnTheLabsOwnLog(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		_, f := setup(t, db)
		svc := scoring.NewService(&burstLabs{f}, db.Scoring(), nil)
		burst := `title: Many downloads from one address
correlation:
  type: event_count
  rules: [download]
  group-by: [sourceIPAddress]
  timespan: 5m
  condition: {gte: 3}
---
name: download
detection:
  sel: {eventName: GetObject}
  condition: sel
`
		r, err := svc.Submit(ctx, "alice", "la", "detect-burst", burst, "")
		if err != nil || !r.Correct || r.Points != 90 || !strings.Contains(r.Evidence, "8 of 8 malicious events and 0 of 7 benign") {
			t.Fatalf("a burst rule: %+v, %v", r, err)
		}
	})
}

func TestCorrelationRefusalsReachTheTrainee(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		_, f := setup(t, db)
		svc := scoring.NewService(&burstLabs{f}, db.Scoring(), nil)
		alone := "title: x\ncorrelation: {type: event_count, rules: [download], group-by: [sourceIPAddress], timespan: 5m, condition: {gte: 3}}\n"
		if _, err := svc.Submit(ctx, "alice", "la", "detect-burst", alone, ""); err == nil || !strings.Contains(err.Error(), `refers to rule "download", which is not in the submission`) {
			t.Fatalf("a correlation without its rule: %v", err)
		}
	})
}

// A correlation truth rule splits the lab's log as one stream, not event
// by event (where no burst is ever seen).
func TestCorrelationTruthRule(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		_, f := setup(t, db)
		svc := scoring.NewService(&burstLabs{f}, db.Scoring(), nil)
		rule := "detection:\n  s: {sourceIPAddress: [203.0.113.9, 198.51.100.7]}\n  condition: s\n"
		r, err := svc.Submit(ctx, "alice", "la", "detect-burst-truth", rule, "")
		if err != nil || !r.Correct || !strings.Contains(r.Evidence, "5 malicious, 5 benign") {
			t.Fatalf("a rule for the burst the truth rule found: %+v, %v", r, err)
		}
	})
}
