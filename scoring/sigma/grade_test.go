package sigma

import (
	"fmt"
	"testing"
)

// Two streams graded apart add up as one grade, indexes running on.
func TestGradePlus(t *testing.T) {
	a := Grade{Malicious: 2, MaliciousMatched: 1, Missed: []int{1}, Benign: 3, BenignMatched: 1, FalsePositives: []int{0}}
	b := Grade{Malicious: 3, MaliciousMatched: 2, Missed: []int{0}, Benign: 1, BenignMatched: 1, FalsePositives: []int{0}}
	got := a.Plus(b)
	want := Grade{Malicious: 5, MaliciousMatched: 3, Missed: []int{1, 2}, Benign: 4, BenignMatched: 2, FalsePositives: []int{0, 3}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("%+v, want %+v", got, want)
	}
	if fmt.Sprint(a.Missed) != "[1]" {
		t.Fatal("Plus changed its receiver")
	}
}
