package labkit

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Ago reads how long before the lab's start something in a lab's world
// happened: a Go duration that may start with whole days (21d, 20d23h48m),
// so a story's "three weeks ago" holds whenever the lab is launched.
func Ago(s string) (time.Duration, error) {
	d, err := daysAndDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("ago %q is not a duration like 21d or 20d23h48m", s)
	}
	return d, nil
}

func daysAndDuration(s string) (time.Duration, error) {
	days, rest, found := strings.Cut(s, "d")
	if !found {
		return time.ParseDuration(s)
	}
	n, err := strconv.Atoi(days)
	if err != nil {
		return 0, err
	}
	d := time.Duration(n) * 24 * time.Hour
	if rest == "" {
		return d, nil
	}
	more, err := time.ParseDuration(rest)
	return d + more, err
}
