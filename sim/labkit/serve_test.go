package labkit

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// ServeTLS answers over TLS with a certificate for the names it is given,
// made at start, and stops when its context ends.
func TestServeTLSMakesItsOwnCertificate(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- ServeTLS(ctx, addr, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "hello") }), "kubernetes", "127.0.0.1")
	}()
	var resp *http.Response
	for range 50 {
		var conn *tls.Conn
		conn, err = tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true})
		if err == nil {
			cert := conn.ConnectionState().PeerCertificates[0]
			conn.Close()
			if cert.VerifyHostname("kubernetes") != nil || cert.VerifyHostname("127.0.0.1") != nil {
				t.Fatalf("the certificate names %v %v", cert.DNSNames, cert.IPAddresses)
			}
			hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
			resp, err = hc.Get("https://" + addr + "/")
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "hello" {
		t.Fatalf("answered %q", body)
	}
	// Plain HTTP to the TLS port gets Go's 400, never the handler.
	if r, err := http.Get("http://" + addr + "/"); err == nil {
		r.Body.Close()
		if r.StatusCode == http.StatusOK {
			t.Fatal("the TLS port answered plain HTTP")
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("after its context ended: %v", err)
	}
}
