package labkit

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestRunReturnsTheModesStatus(t *testing.T) {
	Register("test-ok", func(context.Context, []string) error { return nil })
	Register("test-check-failed", func(context.Context, []string) error { return ExitCode(1) })
	Register("test-broken", func(context.Context, []string) error { return errors.New("boom") })
	var got []string
	Register("test-args", func(_ context.Context, args []string) error { got = args; return nil })
	ctx := context.Background()
	for _, tc := range []struct {
		args []string
		want int
	}{
		{[]string{"test-ok"}, 0},
		{[]string{"test-check-failed"}, 1},
		{[]string{"test-broken"}, 1},
		{[]string{"no-such-mode"}, 2},
		{nil, 2},
	} {
		if code := Run(ctx, "sakimori-sim", tc.args); code != tc.want {
			t.Errorf("%v: exit %d, want %d", tc.args, code, tc.want)
		}
	}
	if Run(ctx, "sakimori-sim", []string{"test-args", "-x", "y"}); strings.Join(got, " ") != "-x y" {
		t.Errorf("the mode got %v", got)
	}
}

// Two pieces may not claim one name: the second registration panics at
// start-up, naming it.
func TestANameIsRegisteredOnce(t *testing.T) {
	RegisterScript("test-intruder", func(context.Context, Env) error { return nil })
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), `"test-intruder" registered twice`) {
			t.Fatalf("want a panic naming the script, got %v", r)
		}
	}()
	RegisterScript("test-intruder", func(context.Context, Env) error { return nil })
}

func TestLookupNamesWhatThereIs(t *testing.T) {
	RegisterApp("test-app", nil)
	if _, err := LookupApp("nope"); err == nil || !strings.Contains(err.Error(), "test-app") {
		t.Fatalf("want an error listing the apps, got %v", err)
	}
}
