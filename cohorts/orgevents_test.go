package cohorts_test

import (
	"errors"
	"testing"
	"time"

	"github.com/sakimori/sakimori/cohorts"
)

// An organisation's event is run by its org admins (and range admins),
// seen by its members and the trainees of its cohorts, and not found by
// anyone else; a trainee's solve falls in it unless their cohort has an
// event of its own.
func TestOrganisationEventsFollowTheOrganisation(t *testing.T) {
	w, svc := eventing(t)
	p := w.people
	orgA := w.org["A"].ID
	e, err := svc.CreateOrgEvent(ctx, p["adminA"], orgA, eventFields("web-101"))
	if err != nil {
		t.Fatal(err)
	}
	if e.OrganisationID != orgA || e.CohortID != "" || e.RangeWide() {
		t.Fatalf("the event: %+v", e)
	}
	for who, want := range map[string]error{
		"admin": nil, "teachA": cohorts.ErrNotAllowed, "hanako": cohorts.ErrOrganisationNotFound,
		"adminB": cohorts.ErrOrganisationNotFound, "partner": cohorts.ErrOrganisationNotFound,
	} {
		if _, err := svc.CreateOrgEvent(ctx, p[who], orgA, eventFields("web-101")); !errors.Is(err, want) {
			t.Errorf("%s creates one: %v; want %v", who, err, want)
		}
	}
	if _, err := svc.CreateOrgEvent(ctx, p["adminA"], orgA, eventFields("no-such")); err == nil {
		t.Fatal("an event of an unknown scenario")
	}
	for who, want := range map[string]struct {
		see    error
		manage bool
		change error
	}{
		"admin":   {nil, true, nil},
		"adminA":  {nil, true, nil},
		"teachA":  {nil, false, cohorts.ErrNotAllowed},
		"hanako":  {nil, false, cohorts.ErrNotAllowed},
		"adminB":  {cohorts.ErrEventNotFound, false, cohorts.ErrEventNotFound},
		"teachB":  {cohorts.ErrEventNotFound, false, cohorts.ErrEventNotFound},
		"partner": {cohorts.ErrEventNotFound, false, cohorts.ErrEventNotFound},
	} {
		_, manage, err := svc.Event(ctx, p[who], e.ID)
		if !errors.Is(err, want.see) || manage != want.manage {
			t.Errorf("%s: Event = manage %v, %v; want %v, %v", who, manage, err, want.manage, want.see)
		}
		if _, err := svc.UpdateEvent(ctx, p[who], e.ID, eventFields("web-101", "cloud-ir")); !errors.Is(err, want.change) {
			t.Errorf("%s: UpdateEvent = %v; want %v", who, err, want.change)
		}
		list, err := svc.Events(ctx, p[who])
		listed := false
		for _, l := range list {
			if l.ID == e.ID {
				listed = true
				if l.Manage != want.manage {
					t.Errorf("%s: listed with manage %v", who, l.Manage)
				}
			}
		}
		if err != nil || listed != (want.see == nil) {
			t.Errorf("%s: listed %v, %v", who, listed, err)
		}
	}

	f := eventFields("web-101")
	f.FreezeAt = nil
	during := opens.Add(time.Hour)
	org, err := svc.CreateOrgEvent(ctx, p["adminA"], orgA, f)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateEvent(ctx, p["admin"], "", f); err != nil {
		t.Fatal(err)
	}
	if got, ok, err := svc.EventAt(ctx, p["hanako"].UserID, "web-101", during); err != nil || !ok || got.OrganisationID != orgA {
		t.Fatalf("hanako's solve fell in %+v %v %v; want the organisation's event before the range's", got, ok, err)
	}
	class, err := svc.CreateEvent(ctx, p["teachA"], w.cohort["A"].ID, f)
	if err != nil {
		t.Fatal(err)
	}
	if got, _, _ := svc.EventAt(ctx, p["hanako"].UserID, "web-101", during); got.ID != class.ID {
		t.Fatalf("hanako's solve fell in %+v; want her cohort's event before the organisation's (%s)", got, org.ID)
	}
	if got, _, _ := svc.EventAt(ctx, p["partner"].UserID, "web-101", during); got.OrganisationID != "" {
		t.Fatalf("a trainee outside the organisation fell in its event: %+v", got)
	}
}
