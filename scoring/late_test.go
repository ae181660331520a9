package scoring_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sakimori/sakimori/scoring"
	"github.com/sakimori/sakimori/store"
	"github.com/sakimori/sakimori/store/storetest"
)

// deadlinesOf answers one late policy for every solve.
type deadlinesOf struct {
	late    bool
	percent int
	closed  bool
}

func (d deadlinesOf) LatePolicy(context.Context, string, string, time.Time) (bool, int, bool, error) {
	return d.late, d.percent, d.closed, nil
}

func TestLatePoliciesAreFixedIntoTheRecord(t *testing.T) {
	cases := []struct {
		name     string
		policy   deadlinesOf
		points   int
		note     bool
		refusal  error
		recorded int
	}{
		{"on time", deadlinesOf{}, 50, false, nil, 1},
		{"late, accepted", deadlinesOf{late: true}, 50, true, nil, 1},
		{"late, 30% penalty", deadlinesOf{late: true, percent: 30}, 35, true, nil, 1},
		{"late, 100% penalty", deadlinesOf{late: true, percent: 100}, 0, true, nil, 1},
		{"late, closed", deadlinesOf{late: true, closed: true}, 0, false, scoring.ErrAssignmentClosed, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				svc, _ := setup(t, db)
				svc.UseDeadlines(tc.policy)
				r, err := svc.Submit(ctx, "alice", "la", "static", "CTF{Static}", "")
				if !errors.Is(err, tc.refusal) {
					t.Fatalf("Submit: %v, want %v", err, tc.refusal)
				}
				if err == nil && r.Points != tc.points {
					t.Fatalf("earned %d points, want %d", r.Points, tc.points)
				}
				if err == nil && strings.Contains(r.Message, "after the due date") != tc.note {
					t.Fatalf("message %q does not say whether it was late", r.Message)
				}
				events, err := svc.History(ctx, "alice")
				if err != nil || len(events) != tc.recorded {
					t.Fatalf("%d records, %v; want %d", len(events), err, tc.recorded)
				}
				if tc.recorded == 0 {
					return
				}
				if e := events[0]; e.Points != tc.points || strings.Contains(e.Note, "late") != tc.note {
					t.Fatalf("record = %d points, note %q; want %d, late mark %v", e.Points, e.Note, tc.points, tc.note)
				}
				if points, _, _ := svc.Score(ctx, "alice"); points != tc.points {
					t.Fatalf("score %d, want %d", points, tc.points)
				}
			})
		})
	}
}
