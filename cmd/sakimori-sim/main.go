// Command sakimori-sim is the lab side of the range: one static binary
// that every lab host runs, with a mode per kind of host. Generic modes
// come from sim/modes:
//
//	sakimori-sim cloud              the account's API endpoint (STS, IAM, EC2, S3, CloudTrail)
//	sakimori-sim instance -app A    an instance: app A on :80, and its metadata service at 169.254.169.254
//	sakimori-sim git                a git server (dumb HTTP) built from a scripted history
//	sakimori-sim traffic SCRIPT     a scenario's scripted users or intruder
//	sakimori-sim probe ...          state checks the platform runs inside a lab
//	sakimori-sim trail              the lab's audit trail, a JSON record a line (run in the cloud host)
//	sakimori-sim dns                the lab's own resolver: its host names, nothing forwarded
//	sakimori-sim k8s                a Kubernetes API server (sim/k8s) with the cluster of KUBESIM_WORLD
//	sakimori-sim k8s-audit          that API server's audit log, an audit.k8s.io Event a line
//	sakimori-sim k8s-probe ...      state checks of that cluster, kept out of its audit log
//	sakimori-sim k8s-console        an open Kubernetes dashboard in front of that API server
//	sakimori-sim ci                 a CI shaped like a self-hosted GitLab (sim/ci) with the projects of CLOUDSIM_CI
//	sakimori-sim ci-runner          that CI's runner: real git and bash, process and network events from /proc
//	sakimori-sim ci-events          one of that CI's logs, an event a line
//	sakimori-sim ci-probe ...       state checks of that CI
//	sakimori-sim vendor             a software vendor's site: its uploader, checksum, release image (sim/vendorsite)
//	sakimori-sim collector          an attacker's collection host
//	sakimori-sim idp                an identity provider shaped like Okta (sim/idp): OIDC, MFA, sessions, System Log
//	sakimori-sim idp-events         that provider's System Log, an event a line
//
// Each scenario registers its own pieces (apps for -app, traffic
// scripts, modes such as opendb) from its folder under scenarios/; adding
// a scenario adds one import below. Settings come from the environment
// the scenario's manifest sets.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	_ "github.com/sakimori/sakimori/sim/k8s"
	"github.com/sakimori/sakimori/sim/labkit"
	_ "github.com/sakimori/sakimori/sim/modes"

	_ "github.com/sakimori/sakimori/scenarios/blind-the-watchers/actors"
	_ "github.com/sakimori/sakimori/scenarios/keys-in-the-repo/actors"
	_ "github.com/sakimori/sakimori/scenarios/metadata-heist/actors"
	_ "github.com/sakimori/sakimori/scenarios/metadata-heist/fetcher"
	_ "github.com/sakimori/sakimori/scenarios/open-by-default/actors"
	_ "github.com/sakimori/sakimori/scenarios/open-by-default/opendb"
	_ "github.com/sakimori/sakimori/scenarios/poisoned-uploader/actors"
	_ "github.com/sakimori/sakimori/scenarios/unlocked-console/actors"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	code := labkit.Run(ctx, "sakimori-sim", os.Args[1:])
	stop()
	os.Exit(code)
}
