package vendorsite

import (
	"archive/tar"
	"bytes"
	"fmt"
	"strings"

	"github.com/sakimori/sakimori/sim/aws/client"
)

// layer is one step of the release image's build and the files it left.
type layer struct {
	createdBy string
	entries   []entry
}

// entry is one file or folder of a layer; a folder's name ends in "/".
type entry struct {
	name string
	mode int64
	body string
}

// releaseLayers are the steps of the vendor's image build. The build
// copies the release key in to fetch the uploader from the store and
// deletes it in a later step; the deletion is a whiteout in the last
// layer, so the key stays in the first one for anyone who unpacks it.
func releaseLayers(script string, key client.Credentials, store string) []layer {
	credentials := fmt.Sprintf("[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n", key.AccessKeyID, key.SecretAccessKey)
	config := fmt.Sprintf("[default]\nregion = us-east-1\noutput = json\nendpoint_url = %s\n", store)
	return []layer{
		{createdBy: "COPY .aws/ /root/.aws/ # buildkit", entries: []entry{
			{"root/", 0o700, ""},
			{"root/.aws/", 0o755, ""},
			{"root/.aws/config", 0o644, config},
			{"root/.aws/credentials", 0o644, credentials},
		}},
		{createdBy: "RUN /bin/sh -c aws s3 cp s3://" + Bucket + "/" + Object + " /usr/local/bin/coverlytics" +
			" && chmod 0755 /usr/local/bin/coverlytics && mkdir -p /etc/coverlytics && echo " + Version + " > /etc/coverlytics/VERSION # buildkit", entries: []entry{
			{"etc/", 0o755, ""},
			{"etc/coverlytics/", 0o755, ""},
			{"etc/coverlytics/VERSION", 0o644, Version + "\n"},
			{"usr/", 0o755, ""},
			{"usr/local/", 0o755, ""},
			{"usr/local/bin/", 0o755, ""},
			{"usr/local/bin/coverlytics", 0o755, script},
		}},
		{createdBy: "RUN /bin/sh -c rm /root/.aws/credentials # buildkit", entries: []entry{
			{"root/", 0o700, ""},
			{"root/.aws/", 0o755, ""},
			{"root/.aws/.wh.credentials", 0o644, ""},
		}},
	}
}

// tarball is a layer's files as the layer's uncompressed tar.
func (l layer) tarball() ([]byte, error) { return tarOf(l.entries) }

// tarOf writes entries as root's, all dated when the image was built.
func tarOf(entries []entry) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: e.mode, ModTime: built, Typeflag: tar.TypeReg, Size: int64(len(e.body)), Format: tar.FormatUSTAR}
		if strings.HasSuffix(e.name, "/") {
			h.Typeflag, h.Size = tar.TypeDir, 0
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, fmt.Errorf("%s: %w", e.name, err)
		}
		if _, err := tw.Write([]byte(e.body)); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
