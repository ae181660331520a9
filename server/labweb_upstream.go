package server

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"sync"

	"github.com/valyala/fasthttp"

	"github.com/sakimori/sakimori/labs/driver"
)

// upstream is one proxied request's way into the lab: an exec of nc in the
// target host. It ends (Close) when the answer has been sent, when the
// browser has gone (the next write to it fails), or at the deadline,
// whichever comes first; a lab that answers slowly or trickles forever
// holds nothing past that.
type upstream struct {
	conn    driver.ExecSession
	budget  *headerBudget
	once    sync.Once
	release func()
}

func newUpstream(ctx context.Context, conn driver.ExecSession, release func()) *upstream {
	u := &upstream{conn: conn, budget: &headerBudget{r: conn, left: maxWebHeader}, release: release}
	context.AfterFunc(ctx, func() { u.Close() }) // the deadline
	return u
}

// Close ends the exec and gives back the request's place in the limits.
// It may be called more than once, from the deadline and from the writer.
func (u *upstream) Close() error {
	u.once.Do(func() {
		u.conn.Close()
		u.release()
	})
	return nil
}

// answer is the lab's response: its status and headers, read; its body
// still in the lab, read as it is sent on.
type answer struct {
	res *http.Response
}

// exchange sends the request into the lab and reads the response's head.
func (u *upstream) exchange(req *fasthttp.Request) (answer, error) {
	w := bufio.NewWriter(u.conn)
	if err := req.Write(w); err != nil {
		return answer{}, err
	}
	if err := w.Flush(); err != nil {
		return answer{}, err
	}
	r := bufio.NewReader(u.budget)
	probe := &http.Request{Method: string(req.Header.Method())}
	for {
		res, err := http.ReadResponse(r, probe)
		if err != nil {
			return answer{}, err
		}
		switch {
		case res.StatusCode == http.StatusSwitchingProtocols:
			return answer{}, errors.New("the lab switched protocols")
		case res.StatusCode < 200:
			continue // informational: the answer is still to come
		}
		u.budget.lift()
		return answer{res: res}, nil
	}
}

// writeTo makes the lab's answer the range's response: its status, the
// headers the allow list keeps, the sandbox, and its body streamed from
// the lab up to maxWebBody. The body's end, or its failure, closes u.
func (a answer) writeTo(res *fasthttp.Response, u *upstream) {
	res.Reset()
	res.SetStatusCode(a.res.StatusCode)
	copyLabHeaders(&res.Header, a.res.Header)
	sandbox(&res.Header)
	res.SetConnectionClose()
	size := a.res.ContentLength
	if size < 0 || size > maxWebBody {
		size = -1 // chunked; cut at the cap
	}
	res.SetBodyStream(&labBody{body: a.res.Body, left: maxWebBody, up: u}, int(size))
}

// sandbox marks the response as the lab's: an opaque origin that can
// reach nothing of the range's, and is never kept.
func sandbox(h *fasthttp.ResponseHeader) {
	h.Set("Content-Security-Policy", "sandbox allow-scripts allow-forms allow-popups allow-modals allow-downloads; frame-ancestors 'none'")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
}

// maxWebHeader bounds a lab response's status line and headers.
const maxWebHeader = 64 << 10

var (
	errWebHeaderTooLarge = errors.New("the lab's response headers are too large")
	errWebBodyTooLarge   = errors.New("the lab's response body is too large")
)

// headerBudget reads from the lab, at most maxWebHeader bytes until lift:
// the head of a response is held in memory, its body never is.
type headerBudget struct {
	r      io.Reader
	left   int
	lifted bool
}

func (b *headerBudget) Read(p []byte) (int, error) {
	if b.lifted {
		return b.r.Read(p)
	}
	if b.left <= 0 {
		return 0, errWebHeaderTooLarge
	}
	if len(p) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= n
	return n, err
}

func (b *headerBudget) lift() { b.lifted = true }

// labBody is the lab's response body as the range sends it on: read as
// the browser takes it, cut after maxWebBody bytes (the browser sees a
// broken response, not a short one), and closing its upstream when done.
type labBody struct {
	body io.Reader
	left int64
	up   *upstream
}

func (b *labBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// At the cap: fine if the body ends here, cut if it goes on.
		var one [1]byte
		if n, err := b.body.Read(one[:]); n == 0 && err == io.EOF {
			return 0, io.EOF
		}
		return 0, errWebBodyTooLarge
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.body.Read(p)
	b.left -= int64(n)
	return n, err
}

// Close is called by the server once the body is sent or sending failed.
func (b *labBody) Close() error { return b.up.Close() }
