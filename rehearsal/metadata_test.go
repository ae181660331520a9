package rehearsal_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The real AWS CLI, run inside the instance's own network namespace with
// no credentials, takes the instance role's from the metadata service, as
// on EC2. (The lab gives trainees no shell on the instance, so the test
// joins the namespace with the engine's CLI.)
func TestAWSCLIMetadataCredentialProvider(t *testing.T) {
	rg, _ := rangeOf(t, 1)
	if _, err := exec.LookPath("docker"); err != nil {
		t.Skip("no docker command")
	}
	inst := runningLab(t, rg, "metadata-heist")
	// The cloud host is the scenario's third host: subnet + 10 + 2.
	cloud := inst.Networks[0].Subnet.Addr()
	for range 12 {
		cloud = cloud.Next()
	}
	out, err := exec.Command("docker", "run", "--rm", "--network", "container:sakimori-"+inst.ID+"-web",
		"--user", "1000:1000", "--read-only", "--tmpfs", "/tmp", "-e", "HOME=/tmp", "--cap-drop", "ALL",
		"sakimori-lab/workstation:latest",
		"aws", "--region", "us-east-1", "--endpoint-url", "http://"+cloud.String(),
		"sts", "get-caller-identity", "--query", "Arn", "--output", "text").CombinedOutput()
	if err != nil {
		t.Fatalf("aws in the instance: %v\n%s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != "arn:aws:sts::210987654321:assumed-role/web-app-role/i-0a3f9c2e7b1d45e68" {
		t.Fatalf("the CLI's metadata credentials are %q", got)
	}
}
