package vendorsite

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"html/template"
	"net/http"
	"strings"
)

// page is what the docs and the releases page show.
type page struct {
	Site      string // public URL, no trailing slash
	Version   string
	Checksum  string // the released uploader's SHA-256
	Released  string
	Image     string
	ImageFile string
	ImageSize int
	ImageSum  string
}

func (s *Site) page() page {
	sum := sha256.Sum256(s.image)
	return page{Site: strings.TrimRight(s.cfg.Site, "/"), Version: Version, Checksum: s.checksum, Released: built.Format("2006-01-02"),
		Image: ImageName, ImageFile: ImageFile, ImageSize: len(s.image), ImageSum: hex.EncodeToString(sum[:])}
}

func (s *Site) serveDocs(w http.ResponseWriter, _ *http.Request) {
	render(w, docsPage, s.page())
}

func (s *Site) serveReleases(w http.ResponseWriter, _ *http.Request) {
	render(w, releasesPage, s.page())
}

func render(w http.ResponseWriter, t *template.Template, p page) {
	var buf bytes.Buffer
	if err := t.Execute(&buf, p); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(buf.Bytes())
}

func (s *Site) serveImage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/x-tar")
	w.Header().Set("Content-Disposition", `attachment; filename="`+ImageFile+`"`)
	http.ServeContent(w, r, ImageFile, built, bytes.NewReader(s.image))
}

const layout = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{template "title" .}}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1d2733;line-height:1.5}
header{border-bottom:1px solid #d5dbe1;margin-bottom:1.5rem}header a{color:#1d2733;text-decoration:none;margin-right:1rem}
pre,code{font-family:ui-monospace,monospace;background:#f3f5f7}pre{padding:.75rem;overflow-x:auto;border-radius:4px}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #d5dbe1;padding:.4rem;text-align:left;vertical-align:top}
.sum{word-break:break-all;font-size:.9em}
</style></head><body>
<header><p><strong>Coverlytics</strong> &middot; <a href="./">Bash uploader</a><a href="releases">Releases</a></p></header>
{{template "body" .}}
<footer><p><small>&copy; 2021 Coverlytics, Inc.</small></p></footer>
</body></html>`

var docsPage = template.Must(template.Must(template.New("docs").Parse(layout)).Parse(`
{{define "title"}}Coverlytics bash uploader{{end}}
{{define "body"}}
<h1>Coverlytics bash uploader</h1>
<p>The bash uploader finds the coverage reports your tests wrote, detects your CI, and sends the reports to Coverlytics.
It needs bash, curl and git, nothing else.</p>
<h2>Use it in CI</h2>
<p>Add your repository's upload token to your CI's secret variables as <code>COVERLYTICS_TOKEN</code>, then, after your tests:</p>
<pre>curl -s {{.Site}}/bash | bash -s -- -t $COVERLYTICS_TOKEN</pre>
<p>Options: <code>-t TOKEN</code> the upload token; <code>-f FILE</code> a report to send (found by default);
<code>-F FLAG</code> tag the upload; <code>-Z</code> fail the build if the upload fails.</p>
<h2>Verify the uploader</h2>
<p>The uploader runs inside your CI with your build's environment. Before you run it, you can check that what you
downloaded is exactly what we released. The SHA-256 of the current release, {{.Version}}, is:</p>
<pre class="sum">{{.Checksum}}</pre>
<pre>curl -s {{.Site}}/bash -o coverlytics
echo "{{.Checksum}}  coverlytics" | sha256sum -c
bash coverlytics -t $COVERLYTICS_TOKEN</pre>
<p><code>sha256sum -c</code> prints <code>coverlytics: OK</code> when the file matches, and fails otherwise.</p>
<p>Prefer a pinned image? See <a href="releases">releases</a>.</p>
{{end}}`))

var releasesPage = template.Must(template.Must(template.New("releases").Parse(layout)).Parse(`
{{define "title"}}Releases - Coverlytics bash uploader{{end}}
{{define "body"}}
<h1>Releases</h1>
<table>
<tr><th>Version</th><th>Released</th><th>Uploader SHA-256</th></tr>
<tr><td>{{.Version}}</td><td>{{.Released}}</td><td class="sum"><code>{{.Checksum}}</code></td></tr>
</table>
<h2>Docker image</h2>
<p>The uploader is also packaged as the image <code>{{.Image}}</code>, for runners without internet access:</p>
<p><a href="downloads/{{.ImageFile}}">{{.ImageFile}}</a> ({{.ImageSize}} bytes)<br>
SHA-256 <code class="sum">{{.ImageSum}}</code></p>
<pre>curl -sO {{.Site}}/downloads/{{.ImageFile}}
docker load -i {{.ImageFile}}</pre>
{{end}}`))
