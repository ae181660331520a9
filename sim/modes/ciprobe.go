package modes

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/sakimori/sakimori/sim/labkit"
)

func init() {
	labkit.Register("ci-probe", func(_ context.Context, args []string) error { return exit(probeCI(args)) })
}

// probeCI checks a CI's state on the platform's channel, run in the CI's
// host.
//
//	sakimori-sim ci-probe pinned -project P -uploader HOST -collector HOST
//
// pinned holds when P's newest finished pipeline fetched the uploader
// from HOST, failed, and sent nothing to the collector: a pipeline that
// checks the uploader against its published checksum fails the build on
// the tampered script instead of running it. A pipeline that no longer
// fetches the uploader at all has not been pinned, only stopped.
func probeCI(args []string) int {
	if len(args) < 1 || args[0] != "pinned" {
		fmt.Fprintln(os.Stderr, "usage: sakimori-sim ci-probe pinned -project P -uploader HOST -collector HOST")
		return 2
	}
	fs := flag.NewFlagSet("ci-probe pinned", flag.ContinueOnError)
	endpoint := fs.String("endpoint", "http://127.0.0.1", "the CI's address")
	project := fs.String("project", "", "the project")
	uploader := fs.String("uploader", "", "the host the uploader is fetched from")
	collector := fs.String("collector", "", "the host the tampered uploader sends to")
	if err := fs.Parse(args[1:]); err != nil || *project == "" || *uploader == "" || *collector == "" {
		return 2
	}
	hc := &http.Client{Timeout: 15 * time.Second}
	key := os.Getenv("CLOUDSIM_KEY")
	var pipelines []pipelineState
	if err := getJSON(hc, *endpoint+"/_sim/pipelines?project="+*project, key, &pipelines); err != nil {
		fmt.Println("could not read the pipelines:", err)
		return 2
	}
	resp, err := labkit.PlatformGet(hc, *endpoint+"/_sim/events?log=runner", key)
	if err != nil {
		fmt.Println("could not read the runner's events:", err)
		return 2
	}
	defer resp.Body.Close()
	ok, why, err := pinned(pipelines, resp.Body, *uploader, *collector)
	if err != nil {
		fmt.Println("could not read the runner's events:", err)
		return 2
	}
	return verdict(ok, why)
}

// pipelineState is a pipeline as the CI's platform channel lists it,
// newest first.
type pipelineState struct {
	ID     int    `json:"id"`
	IID    int    `json:"iid"`
	Status string `json:"status"`
}

// pinned judges the newest finished pipeline by the runner's network
// events (the common format, one JSON object a line).
func pinned(pipelines []pipelineState, events io.Reader, uploader, collector string) (bool, string, error) {
	var last *pipelineState
	for i := range pipelines {
		if s := pipelines[i].Status; s == "success" || s == "failed" {
			last = &pipelines[i]
			break
		}
	}
	if last == nil {
		return false, "no pipeline has finished yet: run one and check again when it ends", nil
	}
	fetched, sent := false, false
	dec := json.NewDecoder(events)
	for dec.More() {
		var e struct {
			Category            string
			Pipeline            int
			DestinationHostname string
			CommandLine         string
		}
		if err := dec.Decode(&e); err != nil {
			return false, "", err
		}
		if e.Pipeline != last.ID {
			continue
		}
		// A download can be over before the runner's sampling sees its
		// connection, but not before it sees the process that made it.
		if e.Category == "process_creation" && strings.Contains(e.CommandLine, uploader) {
			fetched = true
		}
		if e.Category != "network_connection" {
			continue
		}
		switch e.DestinationHostname {
		case uploader:
			fetched = true
		case collector:
			sent = true
		}
	}
	head := fmt.Sprintf("pipeline #%d %s; fetched the uploader: %t; sent to %s: %t\n", last.IID, last.Status, fetched, collector, sent)
	switch {
	case sent:
		return false, head + "the tampered uploader still ran and sent the job's environment away", nil
	case !fetched:
		return false, head + "the pipeline did not fetch the uploader: keep the coverage upload, and check the script before it runs", nil
	case last.Status != "failed":
		return false, head + "the pipeline passed while the uploader served is not the released one: it should fail", nil
	}
	return true, head + "the tampered uploader failed the build before it ran", nil
}

func getJSON(hc *http.Client, url, key string, v any) error {
	resp, err := labkit.PlatformGet(hc, url, key)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(v)
}
