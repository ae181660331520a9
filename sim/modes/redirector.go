package modes

import (
	"net"
	"net/http"
)

// redirector answers every request on a local address with a redirect to
// target, for checks that an app which fetches URLs applies its rules to
// where a redirect leads, not only to the URL it was given. It returns the
// local URL and how to stop it.
func redirector(target string) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: http.RedirectHandler(target, http.StatusFound)}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String() + "/", func() { _ = srv.Close() }, nil
}
