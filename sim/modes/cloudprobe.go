package modes

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/sakimori/sakimori/sim/aws"
	"github.com/sakimori/sakimori/sim/aws/policy"
	"github.com/sakimori/sakimori/sim/aws/trail"
	"github.com/sakimori/sakimori/sim/labkit"
)

// probeCloud checks the emulated cloud's state on the simulator's own
// channel, as the platform: it reads the account's state and its whole
// trail (GET /_sim/state, /_sim/trail) with the lab's simulator key, so
// it needs no identity in the account and leaves no record in the trail.
//
//	sakimori-sim probe cloud trail-complete          the trail exists, logs, and takes every management event
//	sakimori-sim probe cloud keys-deleted -by USER   every access key USER made is gone
//	sakimori-sim probe cloud no-outside-grant        no bucket policy allows anyone outside the account
//	sakimori-sim probe cloud restored [-prefix P] BUCKET   each object BUCKET began with (under P) is current again, its checksum equal
//	sakimori-sim probe cloud running -type T -max N [-ended N]   at most N instances of T run (and N were ended)
//	sakimori-sim probe cloud did -user USER EVENT [-for-other-user] [-outside] [-after EVENT]   USER made EVENT, successfully
//
// Each of the first four holds only once what it undoes has happened: a
// trail that was never stopped, deleted or narrowed is not yet one brought
// back, and a policy that never let anyone in has nothing taken out. -endpoint and the key
// come from CLOUDSIM_CLOUD and CLOUDSIM_KEY.
func probeCloud(args []string) int {
	if len(args) < 1 {
		fmt.Fprintln(os.Stderr, "usage: sakimori-sim probe cloud trail-complete|keys-deleted|no-outside-grant|restored|running|did ...")
		return 2
	}
	fs := flag.NewFlagSet("probe cloud "+args[0], flag.ContinueOnError)
	endpoint := fs.String("endpoint", os.Getenv("CLOUDSIM_CLOUD"), "the cloud endpoint")
	by := fs.String("by", "", "keys-deleted: the user whose keys were made")
	user := fs.String("user", "", "did: who made the call")
	otherUser := fs.Bool("for-other-user", false, "did: the call named a user other than the caller (CreateAccessKey for someone else)")
	outside := fs.Bool("outside", false, "did: the bucket policy the call put lets someone outside the account in")
	after := fs.String("after", "", "did: the call came after a successful call of this name by the same user")
	allow := fs.String("allow", "", "no-outside-grant: outside accounts the organisation itself trusts, comma-separated")
	prefix := fs.String("prefix", "", "restored: only the objects whose keys begin so")
	typ := fs.String("type", "", "running: the instance type")
	most := fs.Int("max", 0, "running: the most that may run")
	ended := fs.Int("ended", 0, "running: the fewest that must have been ended")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	cl := cloudReader{endpoint: *endpoint, key: os.Getenv("CLOUDSIM_KEY"), hc: &http.Client{Timeout: 15 * time.Second}}
	st, err := cl.state()
	if err != nil {
		fmt.Println("could not read the cloud's state:", err)
		return 2
	}
	var records []trail.Record
	if args[0] != "running" { // the other checks weigh the account's record of calls
		if records, err = cl.trail(); err != nil {
			fmt.Println("could not read the trail:", err)
			return 2
		}
	}
	switch args[0] {
	case "trail-complete":
		return verdict(trailComplete(st, records))
	case "keys-deleted":
		if *by == "" {
			break
		}
		return verdict(keysDeleted(st, records, *by))
	case "no-outside-grant":
		return verdict(noOutsideGrant(st, records, strings.Split(*allow, ",")))
	case "restored":
		if fs.NArg() != 1 {
			break
		}
		return verdict(restored(st, records, fs.Arg(0), *prefix))
	case "running":
		if *typ == "" {
			break
		}
		return verdict(running(st, *typ, *most, *ended))
	case "did":
		if *user == "" || fs.NArg() != 1 {
			break
		}
		return verdict(did(st, records, didAsked{user: *user, event: fs.Arg(0), otherUser: *otherUser, outside: *outside, after: *after}))
	}
	fmt.Fprintln(os.Stderr, "sakimori-sim probe cloud: see the usage in its documentation; got", strings.Join(args, " "))
	return 2
}

// verdict prints why a check holds or not, kept by the platform as its
// evidence, and exits as a check does.
func verdict(ok bool, why string) int {
	fmt.Println(why)
	if ok {
		return 0
	}
	return 1
}

type cloudReader struct {
	endpoint, key string
	hc            *http.Client
}

func (c cloudReader) get(path string) (*http.Response, error) {
	return labkit.PlatformGet(c.hc, c.endpoint+path, c.key)
}

func (c cloudReader) state() (aws.State, error) {
	var st aws.State
	resp, err := c.get("/_sim/state")
	if err != nil {
		return st, err
	}
	defer resp.Body.Close()
	return st, json.NewDecoder(resp.Body).Decode(&st)
}

func (c cloudReader) trail() ([]trail.Record, error) {
	resp, err := c.get("/_sim/trail")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var out []trail.Record
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var r trail.Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, sc.Err()
}

// succeeded are the records of calls named one of names that worked.
func succeeded(records []trail.Record, names ...string) []trail.Record {
	var out []trail.Record
	for _, r := range records {
		if r.ErrorCode == "" && slices.Contains(names, r.EventName) {
			out = append(out, r)
		}
	}
	return out
}

func trailComplete(st aws.State, records []trail.Record) (bool, string) {
	tampered := len(succeeded(records, "StopLogging", "DeleteTrail")) > 0
	for _, r := range succeeded(records, "PutEventSelectors") {
		tampered = tampered || narrowed(r)
	}
	if !tampered {
		return false, "the trail has not been tampered with yet, so there is nothing to bring back"
	}
	t := st.Trail
	switch {
	case !t.Exists:
		return false, "there is no trail"
	case !t.Logging:
		return false, "the trail exists but is not logging"
	}
	for _, sel := range t.Selectors {
		if sel.IncludeManagementEvents && sel.ReadWriteType == "All" && len(sel.ExcludeManagementEventSources) == 0 {
			return true, fmt.Sprintf("the trail logs every management event, read and write, to %s", t.Bucket)
		}
	}
	return false, "the trail logs, but no event selector takes every management event (read and write, no source left out)"
}

// narrowed reports whether a PutEventSelectors record left management
// events, or some of them, out of the trail; an admin adding object
// events to a complete trail did not.
func narrowed(r trail.Record) bool {
	sels, _ := r.RequestParameters["eventSelectors"].([]any)
	for _, s := range sels {
		sel, _ := s.(map[string]any)
		excluded, _ := sel["excludeManagementEventSources"].([]any)
		if sel["includeManagementEvents"] == true && sel["readWriteType"] == "All" && len(excluded) == 0 {
			return false
		}
	}
	return true
}

func keysDeleted(st aws.State, records []trail.Record, by string) (bool, string) {
	var made []string
	for _, r := range succeeded(records, "CreateAccessKey") {
		if r.UserIdentity.UserName != by {
			continue
		}
		if id := madeKey(r); id != "" {
			made = append(made, id)
		}
	}
	if len(made) == 0 {
		return false, by + " has made no access key yet"
	}
	var left []string
	for _, k := range st.Keys {
		if slices.Contains(made, k.ID) {
			left = append(left, fmt.Sprintf("%s of %s (active: %v)", k.ID, k.User, k.Active))
		}
	}
	if len(left) > 0 {
		return false, "still there: " + strings.Join(left, ", ")
	}
	return true, fmt.Sprintf("every key %s made is deleted: %s", by, strings.Join(made, ", "))
}

// madeKey is the id of the key a CreateAccessKey record says it made.
func madeKey(r trail.Record) string {
	key, _ := r.ResponseElements["accessKey"].(map[string]any)
	id, _ := key["accessKeyId"].(string)
	return id
}

func noOutsideGrant(st aws.State, records []trail.Record, trusted []string) (bool, string) {
	account := st.Account
	if !anyOutsideGrant(st, records, trusted) {
		return false, "no bucket policy has let anyone outside " + account + " in yet, so there is nothing to take back"
	}
	var found []string
	for bucket, text := range st.Policies {
		doc, err := policy.Parse(text)
		if err != nil {
			continue
		}
		for _, p := range outsiders(doc, account, trusted) {
			found = append(found, bucket+" lets "+p+" in")
		}
	}
	slices.Sort(found)
	if len(found) > 0 {
		return false, strings.Join(found, "; ")
	}
	return true, fmt.Sprintf("no bucket policy lets anyone outside %s in (%d policies)", account, len(st.Policies))
}

// anyOutsideGrant reports whether any bucket policy put during the lab let
// someone outside the account, and not trusted, in.
func anyOutsideGrant(st aws.State, records []trail.Record, trusted []string) bool {
	for _, r := range succeeded(records, "PutBucketPolicy") {
		if len(outsiders(putPolicy(r), st.Account, trusted)) > 0 {
			return true
		}
	}
	return false
}

// outsiders are a policy's outside principals but those of the trusted
// accounts (an organisation's own backup account, say).
func outsiders(doc *policy.Document, account string, trusted []string) []string {
	var out []string
	for _, p := range doc.Outsiders(account) {
		if p == "*" || !slices.Contains(trusted, policy.AccountOf(p)) {
			out = append(out, p)
		}
	}
	return out
}

// putPolicy is the policy a PutBucketPolicy record put; an empty one if
// the record does not hold one that parses.
func putPolicy(r trail.Record) *policy.Document {
	text, _ := json.Marshal(r.RequestParameters["bucketPolicy"])
	doc, err := policy.Parse(string(text))
	if err != nil {
		return &policy.Document{}
	}
	return doc
}

// restored: the objects the bucket began with (those under prefix) are
// current again with their first checksums, once something has deleted
// or overwritten one of them (before that there is nothing to restore).
func restored(st aws.State, records []trail.Record, bucket, prefix string) (bool, string) {
	harmed := 0
	for _, r := range succeeded(records, "DeleteObject", "DeleteObjects", "PutObject", "CopyObject") {
		key, _ := r.RequestParameters["key"].(string)
		_, original := st.Objects[bucket][key]
		if r.RequestParameters["bucketName"] == bucket && (r.EventName == "DeleteObjects" || original && strings.HasPrefix(key, prefix)) {
			harmed++
		}
	}
	if harmed == 0 {
		return false, "nothing in " + bucket + " has been deleted or overwritten yet"
	}
	objects, ok := st.Objects[bucket]
	if !ok {
		return false, "the lab did not begin with " + bucket
	}
	var bad []string
	count := 0
	for key, sum := range objects {
		if !strings.HasPrefix(key, prefix) {
			continue
		}
		count++
		switch {
		case sum.Now == "":
			bad = append(bad, key+" is deleted")
		case sum.Now != sum.Was:
			bad = append(bad, fmt.Sprintf("%s has MD5 %s, not %s as it began", key, sum.Now, sum.Was))
		}
	}
	slices.Sort(bad)
	if len(bad) > 0 {
		return false, strings.Join(bad, "; ")
	}
	return true, fmt.Sprintf("all %d objects %s began with are current, their checksums as they began", count, bucket)
}

func running(st aws.State, typ string, most, ended int) (bool, string) {
	var up []string
	stopped := 0
	for _, i := range st.Instances {
		switch {
		case i.Type != typ:
		case i.State == "running":
			up = append(up, i.ID)
		default:
			stopped++
		}
	}
	why := fmt.Sprintf("%d %s running: %s; %d ended", len(up), typ, strings.Join(up, " "), stopped)
	return len(up) <= most && stopped >= ended, why
}

// didAsked is what a did check looks for: a successful call of event by
// user, for another user, putting a policy that lets an outsider in, or
// after a call named after, as asked.
type didAsked struct {
	user, event, after string
	otherUser, outside bool
}

func did(st aws.State, records []trail.Record, q didAsked) (bool, string) {
	began := q.after == ""
	for _, r := range records {
		if r.ErrorCode != "" || r.UserIdentity.UserName != q.user {
			continue
		}
		if r.EventName == q.after {
			began = true
			continue
		}
		if r.EventName != q.event || !began {
			continue
		}
		named, _ := r.RequestParameters["userName"].(string)
		if q.otherUser && (named == "" || named == q.user) {
			continue
		}
		if q.outside && len(putPolicy(r).Outsiders(st.Account)) == 0 {
			continue
		}
		return true, fmt.Sprintf("%s by %s at %s from %s", q.event, q.user, r.EventTime, r.SourceIPAddress)
	}
	return false, fmt.Sprintf("no %s by %s that does what was asked yet", q.event, q.user)
}
