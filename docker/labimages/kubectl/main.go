// Command kubectl is the upstream kubectl, built from its published Go
// module for the workstation image. Debian's kubernetes-client is 1.20,
// which predates the websocket exec protocol and OpenAPI v3 that current
// clusters and kubectl use; trainees should learn on today's client.
package main

import (
	"os"

	"k8s.io/component-base/cli"
	"k8s.io/kubectl/pkg/cmd"
)

func main() {
	os.Exit(cli.Run(cmd.NewDefaultKubectlCommand()))
}
