// Package rehearsal plays a scenario's reference solution against a live
// lab, as `sakimori scenario test` and the test suite do, so no scenario
// is published that cannot be solved. A rehearsal launches the scenario
// for a throwaway trainee, checks that a wrong answer to every objective
// is refused (and that every state check fails before the hardening),
// then runs each step of the solution and checks its objective passes.
package rehearsal

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/labs/driver"
	"github.com/sakimori/sakimori/scoring"
)

// Range is what a rehearsal runs on: the same lab and scoring services a
// trainee's lab goes through, and the driver the steps' scripts run on.
type Range struct {
	Labs    *labs.Service
	Scoring *scoring.Service
	Driver  driver.Driver
	Log     io.Writer // progress, a line per step; nil for none
	// Trainee makes the throwaway account a rehearsal plays as.
	Trainee func(ctx context.Context) (string, error)
	// LaunchTimeout bounds the wait for the lab to run (default 5 minutes).
	LaunchTimeout time.Duration
}

// Report is what a rehearsal found.
type Report struct {
	Scenario string
	Instance string
	Steps    []Step
	Answers  map[string]string // objective → the answer that passed
}

// Step is one objective's outcome.
type Step struct {
	Objective string
	Kind      scoring.Kind
	Refused   bool   // the wrong answer (or the unhardened check) was refused
	Passed    bool   // the reference answer (or the check after the step) passed
	Detail    string // why not, or the evidence
	Took      time.Duration
}

// Passed reports whether every step did.
func (r Report) Passed() bool {
	for _, s := range r.Steps {
		if !s.Refused || !s.Passed {
			return false
		}
	}
	return len(r.Steps) > 0
}

// retryEvery spaces a step's retries, staying under the answer lockout
// (five wrong answers a minute).
const retryEvery = 15 * time.Second

// Rehearse runs scenarioID's reference solution on a new lab and stops
// the lab after. The error is for what kept the rehearsal from running;
// a failed step is in the report.
func (r *Range) Rehearse(ctx context.Context, scenarioID string) (Report, error) {
	rep := Report{Scenario: scenarioID, Answers: map[string]string{}}
	sc, err := r.Labs.Catalogue().Scenario(scenarioID)
	if err != nil {
		return rep, err
	}
	if missing := unsolved(sc); len(missing) > 0 {
		return rep, fmt.Errorf("%s: no reference solution for objective(s) %s", scenarioID, strings.Join(missing, ", "))
	}
	trainee, err := r.Trainee(ctx)
	if err != nil {
		return rep, err
	}
	inst, err := r.Labs.Launch(ctx, trainee, scenarioID)
	if err != nil {
		return rep, err
	}
	rep.Instance = inst.ID
	actor := labs.Actor{UserID: trainee}
	defer func() {
		stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		_, _ = r.Labs.Stop(stopCtx, actor, inst.ID)
	}()
	r.logf("%s: launching lab %s", scenarioID, inst.ID)
	if err := r.waitRunning(ctx, actor, inst.ID); err != nil {
		return rep, err
	}
	r.logf("%s: lab running; a wrong answer to every objective first", scenarioID)
	kinds := map[string]scoring.Kind{}
	for _, o := range sc.Objectives {
		kinds[o.ID] = o.Kind
	}
	index := map[string]int{}
	for _, st := range sc.Solution {
		if _, seen := index[st.Objective]; !seen {
			index[st.Objective] = len(rep.Steps)
			rep.Steps = append(rep.Steps, Step{Objective: st.Objective, Kind: kinds[st.Objective]})
		}
	}
	// Wrong first: before any step runs, no check may pass yet.
	for i := range rep.Steps {
		s := &rep.Steps[i]
		res, err := r.refuse(ctx, trainee, inst.ID, s.Objective, s.Kind, wrongFor(sc, s.Objective, s.Kind))
		if err != nil {
			return rep, err
		}
		s.Refused = !res.Correct
		if res.Correct {
			s.Detail = "a wrong answer (or the unhardened lab) passed: " + res.Evidence
		}
	}
	for _, st := range sc.Solution {
		s := &rep.Steps[index[st.Objective]]
		start := time.Now()
		ok, detail, answer, err := r.play(ctx, sc, trainee, inst.ID, st, s.Kind)
		if err != nil {
			return rep, err
		}
		s.Passed, s.Took = ok, time.Since(start)
		if s.Refused {
			s.Detail = detail // what passing said (a detection's grading), or why it did not
		}
		if ok && answer != "" {
			rep.Answers[st.Objective] = answer
		}
		r.logf("%s: %-28s %s (%s)", scenarioID, st.Objective, verdict(*s), s.Took.Round(100*time.Millisecond))
	}
	return rep, nil
}

func verdict(s Step) string {
	switch {
	case !s.Refused:
		return "FAIL: " + s.Detail
	case !s.Passed:
		return "FAIL: " + s.Detail
	}
	if s.Kind == scoring.KindDetection {
		return "ok: " + s.Detail
	}
	return "ok"
}

func unsolved(sc *labs.Scenario) []string {
	have := map[string]bool{}
	for _, st := range sc.Solution {
		have[st.Objective] = true
	}
	var missing []string
	for _, o := range sc.Objectives {
		if !have[o.ID] {
			missing = append(missing, o.ID)
		}
	}
	return missing
}

func (r *Range) waitRunning(ctx context.Context, actor labs.Actor, id string) error {
	timeout := r.LaunchTimeout
	if timeout == 0 {
		timeout = 5 * time.Minute
	}
	deadline := time.Now().Add(timeout)
	for {
		inst, err := r.Labs.Lab(ctx, actor, id)
		if err != nil {
			return err
		}
		switch inst.State {
		case labs.StateRunning:
			return nil
		case labs.StateFailed, labs.StateStopped:
			return fmt.Errorf("the lab did not start: %s", inst.Reason)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the lab was still %s (%s) after %s", inst.State, inst.Step, timeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// refuse submits a wrong answer, or runs a check before its hardening.
func (r *Range) refuse(ctx context.Context, trainee, instance, objective string, kind scoring.Kind, wrong string) (scoring.Result, error) {
	if kind == scoring.KindCheck {
		return r.Scoring.RunCheck(ctx, trainee, instance, objective, "")
	}
	res, err := r.Scoring.Submit(ctx, trainee, instance, objective, wrong, "")
	if errors.Is(err, scoring.ErrAttackNotLoggedYet) {
		return scoring.Result{Message: "not graded: the attack is not in the lab's log yet"}, nil // refused all the same
	}
	return res, err
}

// play runs one step until its objective passes or its time is up.
func (r *Range) play(ctx context.Context, sc *labs.Scenario, trainee, instance string, st labs.SolutionStep, kind scoring.Kind) (bool, string, string, error) {
	deadline := time.Now().Add(time.Duration(st.Within))
	for {
		ok, detail, answer, err := r.playOnce(ctx, sc, trainee, instance, st, kind)
		if err != nil || ok || time.Now().After(deadline) {
			return ok, detail, answer, err
		}
		select {
		case <-ctx.Done():
			return false, "", "", ctx.Err()
		case <-time.After(retryEvery):
		}
	}
}

func (r *Range) playOnce(ctx context.Context, sc *labs.Scenario, trainee, instance string, st labs.SolutionStep, kind scoring.Kind) (bool, string, string, error) {
	var out string
	if st.Run != "" {
		host := st.Host
		if host == "" {
			host = sc.TerminalHost()
		}
		var code int
		var err error
		out, code, err = r.run(ctx, instance, host, st.Run)
		if err != nil {
			return false, "", "", err
		}
		if code != 0 {
			return false, fmt.Sprintf("the script exited %d: %s", code, tail(out, 400)), "", nil
		}
	}
	if kind == scoring.KindCheck {
		res, err := r.Scoring.RunCheck(ctx, trainee, instance, st.Objective, "")
		if err != nil {
			return false, "", "", err
		}
		if !res.Correct {
			return false, "the check failed after the step: " + tail(res.Evidence, 400), "", nil
		}
		return true, res.Evidence, "", nil
	}
	answer := st.Answer
	if answer == "" {
		answer = lastLine(out)
	}
	if answer == "" {
		return false, "the script printed no answer", "", nil
	}
	res, err := r.Scoring.Submit(ctx, trainee, instance, st.Objective, answer, "")
	if errors.Is(err, scoring.ErrAttackNotLoggedYet) {
		return false, "the attack is not in the lab's log yet", "", nil // tried again while the step's time lasts
	}
	if err != nil {
		return false, "", "", err
	}
	if !res.Correct { // a solved objective's answer is judged too, for practice
		return false, fmt.Sprintf("the answer %q was refused: %s", tail(answer, 120), res.Message), "", nil
	}
	detail := res.Message
	if res.Evidence != "" {
		detail += " (" + res.Evidence + ")"
	}
	return true, detail, answer, nil
}

// run runs a script in a host of the lab and returns its output.
func (r *Range) run(ctx context.Context, instance, host, script string) (string, int, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	s, err := r.Driver.Exec(ctx, instance, host, driver.ExecRequest{Command: []string{"sh", "-c", script}})
	if err != nil {
		return "", -1, err
	}
	defer s.Close()
	_ = s.CloseWrite()
	out, _ := io.ReadAll(io.LimitReader(s, 1<<20))
	code, err := s.Wait(ctx)
	if err != nil {
		return string(out), code, err
	}
	return string(out), code, nil
}

// wrongFor is the step's declared wrong answer, or one made up.
func wrongFor(sc *labs.Scenario, objective string, kind scoring.Kind) string {
	for _, st := range sc.Solution {
		if st.Objective == objective && st.Wrong != "" {
			return st.Wrong
		}
	}
	switch kind {
	case scoring.KindFlag:
		return "FLAG{not-the-flag}"
	case scoring.KindDetection:
		// Valid, and matches nothing: misses every malicious event.
		return "title: matches nothing\ndetection:\n  selection:\n    eventName: NoSuchEventName\n  condition: selection\n"
	}
	return "not-the-answer"
}

func lastLine(out string) string {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

func tail(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

func (r *Range) logf(format string, args ...any) {
	if r.Log != nil {
		fmt.Fprintf(r.Log, format+"\n", args...)
	}
}

// ErrFailed is returned by callers that turn a failed report into an error.
var ErrFailed = errors.New("rehearsal failed")

// RehearseTo is Rehearse writing its progress to log, then a line for
// each objective, and saying only whether it passed: a rehearsal begun
// from the editor, whose log streams to the author's page.
func (r *Range) RehearseTo(ctx context.Context, scenarioID string, log io.Writer) (bool, error) {
	each := *r
	each.Log = log
	if name, digest, ok := labs.SplitAuthoredID(scenarioID); ok && len(digest) > 12 {
		// An authored version's id carries its whole digest; the log names
		// it by the first twelve characters, as the editor shows it.
		each.Log = shortened{w: log, long: scenarioID, short: name + "@" + digest[:12]}
	}
	rep, err := each.Rehearse(ctx, scenarioID)
	for _, s := range rep.Steps {
		refused, passed := "refused a wrong answer", "passed the reference solution"
		if !s.Refused {
			refused = "ACCEPTED A WRONG ANSWER"
		}
		if !s.Passed {
			passed = "did not pass the reference solution"
		}
		fmt.Fprintf(log, "%-28s %s; %s\n", s.Objective, refused, passed)
	}
	return err == nil && rep.Passed(), err
}

// shortened writes through w with every long written as short. The
// rehearsal writes each line in one call, so no id is split between two.
type shortened struct {
	w           io.Writer
	long, short string
}

func (s shortened) Write(p []byte) (int, error) {
	if _, err := io.WriteString(s.w, strings.ReplaceAll(string(p), s.long, s.short)); err != nil {
		return 0, err
	}
	return len(p), nil
}
