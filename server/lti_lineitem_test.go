package server_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

// An LMS that makes no line item from a deep link's lineItem still gets
// grades: at the link's first launch the range makes the line item in the
// course by AGS, once, and sends the grades there.
func TestLTILineItemMadeByTheRange(t *testing.T) {
	m := ltiRange(t, "PEER_DEEP_LINK_LINE_ITEMS=off")
	orgID := m.organisation("lms-l")
	m.register(orgID, m.issuer)

	carol := newBrowser(t, m.base)
	action, fields := m.launchForm(carol, m.issuer, "user=carol&kind=deeplink", "")
	m.post(carol, action, fields).Body.Close()
	picker := landed(carol)
	if picker == nil {
		t.Fatal("the instructor did not reach the picker")
	}
	made := m.rg.call("POST", "/api/v1/cohorts/"+picker.Query().Get("cohort")+"/assignments", map[string]any{"title": "Orientation",
		"scenarios": []string{"orientation"}, "tracks": "attack", "opens_at": "2026-01-05T09:00:00Z", "due_at": "2099-01-12T09:00:00Z",
		"late_policy": "accept"}, bearer(m.admin)...)
	expect(t, made, 201, "")
	carolToken := carol.session().body["access_token"].(string)
	reply := m.rg.call("POST", "/api/v1/lti/deep-link", map[string]string{"ticket": picker.Fragment[len("ticket="):], "assignment_id": made.body["id"].(string)},
		bearer(carolToken)...)
	expect(t, reply, 200, "")
	back, err := http.PostForm(reply.body["return_url"].(string), url.Values{"JWT": {reply.body["jwt"].(string)}})
	if err != nil {
		t.Fatal(err)
	}
	expect(t, decode(back), 200, "")
	state := m.inspect(m.issuer)
	if len(state["line_items"].([]any)) != 0 {
		t.Fatalf("the LMS made a line item itself: %v", state)
	}
	link := state["links"].([]any)[0].(map[string]any)

	for range 2 {
		alice := newBrowser(t, m.base)
		action, fields = m.launchForm(alice, m.issuer, "user=alice&link="+link["id"].(string), "")
		m.post(alice, action, fields).Body.Close()
		if landed(alice) == nil {
			t.Fatal("alice's launch landed nowhere")
		}
	}
	items := m.inspect(m.issuer)["line_items"].([]any)
	if len(items) != 1 {
		t.Fatalf("line items after two launches: %v", items)
	}
	item := items[0].(map[string]any)
	if item["label"] != "Orientation" || item["scoreMaximum"] != float64(100) || item["resourceLinkId"] != link["id"] ||
		item["resourceId"] != link["custom"].(map[string]any)["resource"] {
		t.Fatalf("the line item the range made: %v", item)
	}

	alice := newBrowser(t, m.base)
	action, fields = m.launchForm(alice, m.issuer, "user=alice&link="+link["id"].(string), "")
	m.post(alice, action, fields).Body.Close()
	aliceToken := alice.session().body["access_token"].(string)
	lab := runningLab(t, m.rg, aliceToken)
	r := m.rg.call("POST", "/api/v1/labs/"+lab+"/objectives/first-flag", map[string]string{"answer": flagIn(t, m.labs, lab)}, bearer(aliceToken)...)
	if r.body["correct"] != true {
		t.Fatalf("solve: %s", r.raw)
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		scores := m.inspect(m.issuer)["line_items"].([]any)[0].(map[string]any)["scores"].(map[string]any)
		if s, ok := scores["lms-user-alice"].(map[string]any); ok && s["scoreGiven"] == float64(100) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the grade in the line item the range made: %v", scores)
		}
	}
}
