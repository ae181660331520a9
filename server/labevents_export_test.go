package server

import "time"

// LookEvery sets how often lab event streams look at the database
// between transitions, for the tests outside the package, and returns
// the way back.
func LookEvery(d time.Duration) (restore func()) {
	was := streamEvery
	streamEvery = d
	return func() { streamEvery = was }
}
