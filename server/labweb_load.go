package server

import (
	"github.com/sakimori/sakimori/fault"
	"github.com/sakimori/sakimori/server/terminal"
)

// How many proxied requests may be in flight at once. Each holds an exec
// in the lab until its answer is sent; a browser opens about six
// connections to a site, so a person gets room for a page and its assets,
// and a lab for its trainee and staff watching. The counts are per person
// and per lab, not per link: asking for more links gains nothing.
const (
	webRequestsPerPerson = 8
	webRequestsPerLab    = 12
)

var errWebBusy = fault.New(fault.RateLimited, "too_many_web_requests",
	"Too many requests to lab web targets are open at once; wait for them to finish and try again.")

// webLoad counts the proxied requests in flight.
type webLoad struct {
	people, labs *terminal.Sessions
}

func newWebLoad() webLoad {
	return webLoad{people: terminal.NewSessions(webRequestsPerPerson), labs: terminal.NewSessions(webRequestsPerLab)}
}

// begin counts a request through g, or refuses it if its person or its
// lab is at the limit; done gives its place back.
func (l webLoad) begin(g webGrant) (done func(), err error) {
	if !l.people.Begin(g.actor.UserID) {
		return nil, errWebBusy
	}
	if !l.labs.Begin(g.lab) {
		l.people.End(g.actor.UserID)
		return nil, errWebBusy
	}
	return func() {
		l.labs.End(g.lab)
		l.people.End(g.actor.UserID)
	}, nil
}
