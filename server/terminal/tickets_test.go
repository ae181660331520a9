package terminal

import (
	"testing"
	"time"
)

func TestTicketsWorkOnceForTheirLabBeforeExpiry(t *testing.T) {
	now := time.Now()
	tk := NewTickets(30*time.Second, func() time.Time { return now })
	code := tk.Issue("alice", false, "lab1")
	if _, ok := tk.Redeem(code, "lab2"); ok {
		t.Fatal("a ticket opened another lab")
	}
	code = tk.Issue("alice", false, "lab1")
	if got, ok := tk.Redeem(code, "lab1"); !ok || got.UserID != "alice" {
		t.Fatal("a fresh ticket was refused")
	}
	if _, ok := tk.Redeem(code, "lab1"); ok {
		t.Fatal("a ticket worked twice")
	}
	late := tk.Issue("alice", false, "lab1")
	now = now.Add(31 * time.Second)
	if _, ok := tk.Redeem(late, "lab1"); ok {
		t.Fatal("an expired ticket worked")
	}
	if _, ok := tk.Redeem("", "lab1"); ok {
		t.Fatal("no ticket worked")
	}
}

func TestSessionCap(t *testing.T) {
	s := NewSessions(2)
	first, second, third := s.Begin("a"), s.Begin("a"), s.Begin("a")
	if !first || !second || third {
		t.Fatalf("opens: %v %v %v; want the third refused at a cap of 2", first, second, third)
	}
	if !s.Begin("b") {
		t.Fatal("one person's cap blocked another")
	}
	s.End("a")
	if !s.Begin("a") {
		t.Fatal("closing a terminal did not free a place")
	}
}
