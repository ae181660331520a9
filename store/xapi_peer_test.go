package store_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/scoring"
	"github.com/sakimori/sakimori/store"
	"github.com/sakimori/sakimori/store/storetest"
	"github.com/sakimori/sakimori/xapi"
)

// lrsPeer is Learning Locker's statement service (test/lrs-peer), which
// can be stopped and started again over the same storage and port.
type lrsPeer struct {
	t     *testing.T
	dir   string
	state string
	port  string
	URL   string
	stop  func()
	env   []string
	// bearer, when set, is a token the gateway in front of the LRS takes
	// (see test/lrs-peer/gateway.js); reads then use it, not Basic.
	bearer string
}

func startLRS(t *testing.T, env ...string) *lrsPeer {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not installed: the LRS in test/lrs-peer cannot run")
	}
	dir, err := filepath.Abs(filepath.Join("..", "test", "lrs-peer"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", ".package-lock.json")); err != nil {
		cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("npm ci in test/lrs-peer: %v\n%s", err, out)
			}
			t.Skipf("npm ci in test/lrs-peer failed: %v", err)
		}
	}
	files := t.TempDir()
	p := &lrsPeer{t: t, dir: dir, state: filepath.Join(files, "state.json"), env: env}
	p.start()
	t.Cleanup(func() { p.stop() })
	return p
}

func (p *lrsPeer) start() {
	p.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, "node", "lrs.js")
	cmd.Dir = p.dir
	cmd.Env = append(append(os.Environ(), "LRS_STATE="+p.state, "LRS_FILES="+filepath.Dir(p.state), "LRS_PORT="+p.port), p.env...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		p.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	p.stop = func() { cancel(); _ = cmd.Wait() }
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if line := sc.Text(); strings.HasPrefix(line, "listening ") {
				ready <- strings.TrimPrefix(line, "listening ")
			}
		}
	}()
	select {
	case p.URL = <-ready:
		u, _ := url.Parse(p.URL)
		p.port = u.Port()
	case <-time.After(time.Minute):
		p.t.Fatal("the LRS did not start within a minute")
	}
}

// statements reads the statements the LRS holds, optionally of one verb,
// following its "more" links.
func (p *lrsPeer) statements(verb string) []xapi.Statement {
	p.t.Helper()
	// One page holds them all: the peer pages by a cursor on version-1
	// UUIDs compared as strings, whose order is not the order it stores
	// statements in (it breaks every seven minutes, when the UUID's low
	// time field wraps), so following its more links may show a statement
	// twice or skip one.
	next := p.URL + "/statements?limit=10000"
	if verb != "" {
		next += "&verb=" + url.QueryEscape(verb)
	}
	var all []xapi.Statement
	for next != "" {
		req, _ := http.NewRequest(http.MethodGet, next, nil)
		if p.bearer != "" {
			req.Header.Set("Authorization", "Bearer "+p.bearer)
		} else {
			req.SetBasicAuth("reader", "secret")
		}
		req.Header.Set("X-Experience-API-Version", "1.0.3")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			p.t.Fatal(err)
		}
		var page struct {
			Statements []xapi.Statement `json:"statements"`
			More       string           `json:"more"`
		}
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			p.t.Fatalf("GET statements: %d %v", resp.StatusCode, err)
		}
		all = append(all, page.Statements...)
		next = ""
		if page.More != "" {
			u, _ := url.Parse(p.URL)
			next = u.Scheme + "://" + u.Host + page.More
		}
	}
	return all
}

func sealer(t *testing.T) *accounts.Sealer {
	s, err := accounts.NewSealer([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func xapiRecord(id, trainee string, correct bool) scoring.Event {
	return scoring.Event{ID: id, Kind: scoring.EventSubmission, TraineeID: trainee, InstanceID: "lab-" + trainee, ScenarioID: "s1",
		ObjectiveID: "o-" + id, Points: 10, Correct: correct, At: time.Now().UTC()}
}

func forwarding(t *testing.T, db *store.DB, lrs *lrsPeer, language string) (*store.XAPI, *xapi.Outbox) {
	t.Helper()
	s := db.XAPI(sealer(t))
	must(t, s.PutLRS(ctx, "o1", xapi.LRS{Endpoint: lrs.URL, Auth: xapi.AuthBasic, Key: "sakimori", Secret: "s3cret",
		Options: xapi.Options{Language: language}}, time.Now()))
	b := xapi.Builder{HomePage: "https://range.example", Techniques: func(scenario, objective string) []string {
		return []string{"T1078.004"}
	}}
	out := xapi.NewOutbox(s, xapi.Client{}, b, time.Now)
	out.MaxWait = 2 * time.Second
	return s, out
}

// TestStatementsArriveAtTheLRSAndAreQueryableByVerb sends an
// organisation's records to a real LRS and reads them back by verb: a
// wrong answer as answered, a solve as passed, a hint as experienced;
// another organisation's records never go.
func TestStatementsArriveAtTheLRSAndAreQueryableByVerb(t *testing.T) {
	lrs := startLRS(t)
	// This LRS's /about lists 1.0.3 alone: statements go as 1.0.3.
	if v, err := (xapi.Client{}).Version(ctx, xapi.LRS{Endpoint: lrs.URL, Auth: xapi.AuthBasic, Key: "k", Secret: "s"}); err != nil || v != xapi.Version103 {
		t.Fatalf("version %q (%v)", v, err)
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		feedFixture(t, db)
		_, out := forwarding(t, db, lrs, "en")
		sc := db.Scoring()
		tag := fmt.Sprintf("%s-%d", t.Name(), time.Now().UnixNano())
		must(t, sc.Record(ctx, xapiRecord(tag+"-wrong", "t0", false)))
		must(t, sc.Record(ctx, xapiRecord(tag+"-pass", "t0", true)))
		must(t, sc.Record(ctx, scoring.Event{ID: tag + "-hint", Kind: scoring.EventHint, TraineeID: "t1", InstanceID: "lab-t1",
			ScenarioID: "s1", HintID: "h1", Points: -5, At: time.Now().UTC()}))
		must(t, sc.Record(ctx, xapiRecord(tag+"-other", "x0", true)))
		must(t, sc.Record(ctx, scoring.Event{ID: tag + "-launch", Kind: scoring.EventLaunch, TraineeID: "t0", InstanceID: "lab-t0",
			ScenarioID: "s1", At: time.Now().UTC()}))
		must(t, sc.Record(ctx, scoring.Event{ID: tag + "-done", Kind: scoring.EventComplete, TraineeID: "t0", InstanceID: "lab-t0",
			ScenarioID: "s1", AssignmentID: "as-1", Score: 10, MaxScore: 20, Duration: 90 * time.Second, At: time.Now().UTC()}))
		n, err := out.Pass(ctx)
		must(t, err)
		if n != 5 {
			t.Fatalf("delivered %d statements, want 5", n)
		}
		byID := func(verb string) map[string]xapi.Statement {
			m := map[string]xapi.Statement{}
			for _, s := range lrs.statements(verb) {
				m[s.ID] = s
			}
			return m
		}
		passed := byID(xapi.VerbPassed)
		s, ok := passed[xapi.StatementID(tag+"-pass")]
		if !ok {
			t.Fatal("the solve is not among the LRS's passed statements")
		}
		if _, ok := passed[xapi.StatementID(tag+"-other")]; ok {
			t.Fatal("another organisation's record reached this LRS")
		}
		if s.Actor.Account.Name != xapi.Person("t0") || s.Actor.Account.HomePage != "https://range.example" {
			t.Fatalf("actor %+v", s.Actor)
		}
		if s.Context.Registration != xapi.Registration("lab-t0") || len(s.Context.ContextActivities.Grouping) != 1 ||
			!strings.HasSuffix(s.Context.ContextActivities.Grouping[0].ID, "/cohorts/c-o1") {
			t.Fatalf("context %+v", s.Context)
		}
		if c := s.Context.ContextActivities.Category; len(c) != 1 || c[0].ID != "https://attack.mitre.org/techniques/T1078/004/" {
			t.Fatalf("category %+v", c)
		}
		if _, ok := byID(xapi.VerbAnswered)[xapi.StatementID(tag+"-wrong")]; !ok {
			t.Fatal("the wrong answer is not among the LRS's answered statements")
		}
		if _, ok := byID(xapi.VerbExperienced)[xapi.StatementID(tag+"-hint")]; !ok {
			t.Fatal("the hint is not among the LRS's experienced statements")
		}
		launch, ok := byID(xapi.VerbLaunched)[xapi.StatementID(tag+"-launch")]
		if !ok || !strings.HasSuffix(launch.Object.ID, "/scenarios/s1") || launch.Context.Registration != xapi.Registration("lab-t0") {
			t.Fatalf("the launch among the LRS's launched statements: %v %+v", ok, launch)
		}
		done, ok := byID(xapi.VerbCompleted)[xapi.StatementID(tag+"-done")]
		if !ok {
			t.Fatal("the assignment completed is not among the LRS's completed statements")
		}
		if !strings.HasSuffix(done.Object.ID, "/assignments/as-1") || done.Context.Registration != xapi.Registration("as-1") ||
			done.Result == nil || done.Result.Score == nil || done.Result.Score.Raw != 10 || done.Result.Score.Max != 20 ||
			done.Result.Score.Scaled != 0.5 || done.Result.Duration != "PT0H1M30S" {
			t.Fatalf("the completion as the LRS keeps it: %+v %+v", done.Object, done.Result)
		}
		// A second pass has nothing left to send.
		if n, err := out.Pass(ctx); err != nil || n != 0 {
			t.Fatalf("second pass sent %d (%v)", n, err)
		}
	})
}

// TestRejectedStatementIsDeadLetteredAndReplayedAfterTheFix: an org's
// language setting that is no language tag makes the LRS refuse its
// statements (400); they are set aside with the LRS's reason while the
// rest go on, and replaying after the setting is fixed delivers them.
func TestRejectedStatementIsDeadLetteredAndReplayedAfterTheFix(t *testing.T) {
	lrs := startLRS(t)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		feedFixture(t, db)
		s, out := forwarding(t, db, lrs, "not a tag!")
		tag := fmt.Sprintf("%s-%d", t.Name(), time.Now().UnixNano())
		must(t, db.Scoring().Record(ctx, xapiRecord(tag+"-a", "t2", true)))
		if n, err := out.Pass(ctx); err != nil || n != 0 {
			t.Fatalf("pass sent %d (%v)", n, err)
		}
		dead, err := s.DeadLetters(ctx, "o1")
		must(t, err)
		if len(dead) != 1 || dead[0].ID != tag+"-a" || dead[0].Status != http.StatusBadRequest || !strings.Contains(dead[0].Reply, "context.language") {
			t.Fatalf("dead letters %+v", dead)
		}
		// Nothing else is held back: the cursor moved on.
		if n, err := out.Pass(ctx); err != nil || n != 0 {
			t.Fatalf("second pass sent %d (%v)", n, err)
		}
		d, _, err := s.LRS(ctx, "o1")
		must(t, err)
		if _, err := out.Replay(ctx, d, "no-such-record"); err != xapi.ErrNotFound {
			t.Fatalf("replay of an unknown id: %v", err)
		}
		reply, err := out.Replay(ctx, d, tag+"-a")
		must(t, err)
		if reply.Status != http.StatusBadRequest {
			t.Fatalf("replay before the fix answered %d", reply.Status)
		}
		must(t, s.PutLRS(ctx, "o1", xapi.LRS{Endpoint: lrs.URL, Auth: xapi.AuthBasic, Key: "sakimori", Secret: "s3cret",
			Options: xapi.Options{Language: "ja"}}, time.Now()))
		d, _, err = s.LRS(ctx, "o1")
		must(t, err)
		reply, err = out.Replay(ctx, d, tag+"-a")
		must(t, err)
		if reply.Status != http.StatusOK {
			t.Fatalf("replay after the fix answered %d %s", reply.Status, reply.Body)
		}
		if dead, _ := s.DeadLetters(ctx, "o1"); len(dead) != 0 {
			t.Fatalf("dead letters after replay %+v", dead)
		}
		found := false
		for _, st := range lrs.statements(xapi.VerbPassed) {
			found = found || st.ID == xapi.StatementID(tag+"-a")
		}
		if !found {
			t.Fatal("the replayed statement is not at the LRS")
		}
	})
}

// TestLRSDownThirtySecondsMidStreamEveryStatementArrivesOnce: the worker
// forwards 120 records while the LRS is stopped for 30 s after the first
// batches and started again over the same storage. At the end the LRS
// holds every statement exactly once.
func TestLRSDownThirtySecondsMidStreamEveryStatementArrivesOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("keeps the LRS down for 30 s")
	}
	lrs := startLRS(t)
	db := storetest.Open(t, "sqlite")
	if ds := storetest.Dialects(t); len(ds) > 1 {
		db = storetest.Open(t, ds[len(ds)-1]) // PostgreSQL when it is there: concurrent commits
	}
	feedFixture(t, db)
	_, out := forwarding(t, db, lrs, "en")
	tag := fmt.Sprintf("restart-%d", time.Now().UnixNano())
	want := map[string]bool{}
	record := func(i int) {
		id := fmt.Sprintf("%s-%03d", tag, i)
		must(t, db.Scoring().Record(ctx, xapiRecord(id, fmt.Sprintf("t%d", i%8), i%3 != 0)))
		want[xapi.StatementID(id)] = true
	}
	for i := range 60 {
		record(i)
	}
	run, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { out.Run(run, 100*time.Millisecond, nil); close(done) }()
	defer func() { stop(); <-done }()

	ours := func() map[string]int {
		seen := map[string]int{}
		for _, s := range lrs.statements("") {
			if want[s.ID] {
				seen[s.ID]++
			}
		}
		return seen
	}
	for len(ours()) == 0 {
		time.Sleep(50 * time.Millisecond)
	}
	lrs.stop()
	for i := 60; i < 120; i++ { // the stream goes on while the LRS is down
		record(i)
	}
	time.Sleep(30 * time.Second)
	lrs.start()
	for {
		seen := ours()
		if len(seen) == len(want) {
			for id, n := range seen {
				if n != 1 {
					t.Fatalf("statement %s is at the LRS %d times", id, n)
				}
			}
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
}
