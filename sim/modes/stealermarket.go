package modes

import (
	"bytes"
	"cmp"
	"context"
	"flag"
	"fmt"
	"html/template"
	"net/http"
	"regexp"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/sakimori/sakimori/sim/labkit"
	"github.com/sakimori/sakimori/sim/stealerlogs"
)

func init() {
	labkit.Register("stealer-market", runStealerMarket)
}

// marketPack is one pack on sale: STEALER_MARKET's packs.
type marketPack struct {
	Name string           `yaml:"name"` // the file's name without .tar.gz
	Ago  string           `yaml:"ago"`  // how long before the lab its newest log was taken
	Dump stealerlogs.Dump `yaml:",inline"`
}

var packName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,80}$`)

// runStealerMarket is a shop of infostealer logs, where the intruder of a
// story bought the password: packs listed on its page, each a gzipped tar
// at /download/NAME.tar.gz.
func runStealerMarket(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("stealer-market", flag.ContinueOnError)
	listen := fs.String("listen", ":80", "address to serve on")
	if err := fs.Parse(args); err != nil {
		return err
	}
	text, err := labkit.Setting("STEALER_MARKET")
	if err != nil {
		return err
	}
	market, err := newMarket(text, time.Now().UTC())
	if err != nil {
		return err
	}
	return labkit.Serve(ctx, *listen, market)
}

// newMarket makes the shop of STEALER_MARKET, its packs made now.
func newMarket(text string, now time.Time) (http.Handler, error) {
	var cfg struct {
		Packs []marketPack `yaml:"packs"`
	}
	if err := yaml.Unmarshal([]byte(text), &cfg); err != nil {
		return nil, fmt.Errorf("STEALER_MARKET: %v", err)
	}
	files := map[string][]byte{}
	type listed struct {
		Name     string
		Machines int
		Size     int
	}
	var list []listed
	for _, p := range cfg.Packs {
		if !packName.MatchString(p.Name) || files[p.Name] != nil {
			return nil, fmt.Errorf("STEALER_MARKET: pack %q needs a name of its own in lower case", p.Name)
		}
		back, err := labkit.Ago(cmp.Or(p.Ago, "1d"))
		if err != nil {
			return nil, fmt.Errorf("STEALER_MARKET: pack %s: %v", p.Name, err)
		}
		p.Dump.Taken = now.Add(-back)
		var buf bytes.Buffer
		if err := p.Dump.WriteTarGz(&buf, labkit.Ago); err != nil {
			return nil, fmt.Errorf("STEALER_MARKET: pack %s: %v", p.Name, err)
		}
		files[p.Name] = buf.Bytes()
		list = append(list, listed{p.Name, p.Dump.Noise + len(p.Dump.Planted), buf.Len()})
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = marketPage.Execute(w, list)
	})
	mux.HandleFunc("GET /download/{file}", func(w http.ResponseWriter, r *http.Request) {
		name, ok := strings.CutSuffix(r.PathValue("file"), ".tar.gz")
		data := files[name]
		if !ok || data == nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/gzip")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.tar.gz"`)
		_, _ = w.Write(data)
	})
	return mux, nil
}

var marketPage = template.Must(template.New("").Parse(`<!doctype html><html lang="en"><meta charset="utf-8"><title>Logs market</title>
<h1>Fresh logs</h1><p>Every pack checked. No refunds.</p>
<table><tr><th>pack</th><th>logs</th><th>size</th></tr>{{range .}}<tr><td><a href="download/{{.Name}}.tar.gz">{{.Name}}.tar.gz</a></td><td>{{.Machines}}</td><td>{{.Size}} bytes</td></tr>{{end}}</table>`))
