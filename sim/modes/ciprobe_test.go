package modes

import (
	"strconv"
	"strings"
	"testing"
)

// The pin check judges the newest finished pipeline alone: it passes only
// when that one fetched the uploader, failed and sent nothing away.
func TestPinnedJudgesTheNewestFinishedPipeline(t *testing.T) {
	const up, exfil = "uploader.vendor.example", "uploads.evil.example"
	conn := func(pipeline int, host string) string {
		return `{"Category": "network_connection", "Pipeline": ` + strconv.Itoa(pipeline) + `, "DestinationHostname": "` + host + `"}` + "\n"
	}
	cases := []struct {
		name      string
		pipelines []pipelineState
		events    string
		ok        bool
		why       string
	}{
		{"none finished", []pipelineState{{ID: 3, IID: 9, Status: "running"}}, "", false, "no pipeline has finished"},
		{"leaked", []pipelineState{{ID: 3, IID: 9, Status: "success"}}, conn(3, up) + conn(3, exfil), false, "still ran"},
		{"stopped fetching", []pipelineState{{ID: 3, IID: 9, Status: "success"}}, conn(2, up), false, "did not fetch"},
		{"passed anyway", []pipelineState{{ID: 3, IID: 9, Status: "success"}}, conn(3, up), false, "should fail"},
		{"pinned", []pipelineState{{ID: 4, IID: 10, Status: "running"}, {ID: 3, IID: 9, Status: "failed"}}, conn(3, up) + conn(2, exfil) + `{"Category": "process_creation", "Pipeline": 3}` + "\n", true, "failed the build"},
		{"download seen as a process", []pipelineState{{ID: 3, IID: 9, Status: "failed"}}, `{"Category": "process_creation", "Pipeline": 3, "CommandLine": "curl -s http://` + up + `/bash -o c.sh"}` + "\n", true, "failed the build"},
	}
	for _, tc := range cases {
		ok, why, err := pinned(tc.pipelines, strings.NewReader(tc.events), up, exfil)
		if err != nil || ok != tc.ok || !strings.Contains(why, tc.why) {
			t.Errorf("%s: %t %q %v; want %t and %q", tc.name, ok, why, err, tc.ok, tc.why)
		}
	}
	if _, _, err := pinned([]pipelineState{{ID: 1, Status: "failed"}}, strings.NewReader("not json"), up, exfil); err == nil {
		t.Error("a broken event stream was read as no events")
	}
}
