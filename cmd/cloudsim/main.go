// Command cloudsim is the emulated cloud of the range's labs, one static
// binary with a mode per lab host:
//
//	cloudsim cloud              the account's API endpoint (STS, IAM, EC2, S3, CloudTrail)
//	cloudsim instance -app A    an instance: app A on :80, and its metadata service at 169.254.169.254
//	cloudsim git                a git server (dumb HTTP) with a leaked key in its history
//	cloudsim opendb             an open document database, as exposed in the "Meow" wipes
//	cloudsim traffic SCRIPT     scripted attacker or benign traffic for a scenario
//	cloudsim probe ...          state checks the platform runs inside a lab
//	cloudsim trail              the lab's audit trail, a JSON record a line (run in the cloud host)
//
// Settings come from the environment the scenario's manifest sets.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	mode, args := os.Args[1], os.Args[2:]
	var err error
	switch mode {
	case "cloud":
		err = runCloud(ctx, args)
	case "instance":
		err = runInstance(ctx, args)
	case "git":
		err = runGit(ctx, args)
	case "opendb":
		err = runOpenDB(ctx, args)
	case "traffic":
		err = runTraffic(ctx, args)
	case "probe":
		os.Exit(runProbe(args))
	case "trail":
		os.Exit(runTrail(args))
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "cloudsim "+mode+":", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: cloudsim cloud|instance|git|opendb|traffic|probe|trail ...")
	os.Exit(2)
}

// env reads a required setting.
func env(name string) (string, error) {
	v := os.Getenv(name)
	if v == "" {
		return "", fmt.Errorf("%s is not set", name)
	}
	return v, nil
}
