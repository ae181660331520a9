package server_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/fasthttp/websocket"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/docker/labimages"
	"github.com/sakimori/sakimori/labs/driver/docker"
)

// Japanese typed into a lab's terminal comes back intact, over the real
// socket. The test types a word, one character too many, and erases it,
// as people do: in the C locale the line editor erases one byte of the
// three and runs a command with broken bytes in it; in the images' UTF-8
// locale it erases the character.
func TestJapaneseRoundTripsThroughTheTerminal(t *testing.T) {
	for _, c := range []struct{ name, scenario, image string }{
		{"busybox sh on the base image", "orientation", labimages.Base},
		{"bash on the workstation", "keys-in-the-repo", labimages.Workstation},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := engineFor(t)
			if c.image == labimages.Workstation {
				requireWorkstation(t, d.(*docker.Engine))
			}
			rg := newRangeWithLabs(t, d)
			base := rg.listen()
			alice, _ := rg.userWithRole("alice@range.test", accounts.RoleTrainee)
			lab := runningLabOf(t, rg, alice, c.scenario)
			ws, _, err := dialTerminal(t, rg, base, alice, lab, publicURL)
			if err != nil {
				t.Fatal(err)
			}
			defer hangUp(ws)
			readUntil(t, ws, "$ ") // the line editor is up: before it, the terminal's own line discipline edits
			ws.WriteMessage(websocket.BinaryMessage, []byte("echo 日本語テスト語\x7f-$((6*7))\n"))
			readUntil(t, ws, "日本語テスト-42") // the command's output, not the typed line
		})
	}
}

// requireWorkstation skips unless the engine has the workstation of this
// checkout's recipe, or SAKIMORI_TEST_WORKSTATION asks for it (CI builds
// it first, in the docker driver's tests).
func requireWorkstation(t *testing.T, e *docker.Engine) {
	t.Helper()
	if os.Getenv("SAKIMORI_TEST_WORKSTATION") != "" {
		return
	}
	if have, _ := e.ImageHash(context.Background(), labimages.Workstation); have != labimages.WorkstationHash() {
		t.Skip("needs the workstation image of this recipe (sakimori images build -workstation, or SAKIMORI_TEST_WORKSTATION=1)")
	}
}

// runningLabOf launches the scenario for the trainee and waits until it runs.
func runningLabOf(t *testing.T, rg *range_, token, scenario string) string {
	t.Helper()
	r := rg.call("POST", "/api/v1/labs", map[string]string{"scenario": scenario}, bearer(token)...)
	expect(t, r, 202, "")
	id := r.body["id"].(string)
	for deadline := time.Now().Add(90 * time.Second); r.body["state"] != "running"; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) || r.body["state"] == "failed" {
			t.Fatalf("lab did not run: %s", r.raw)
		}
		r = rg.call("GET", "/api/v1/labs/"+id, nil, bearer(token)...)
	}
	return id
}

// A new shell's first screen names what the trainee has to work with:
// the variables the briefing names, and the analyst's AWS profile.
func TestANewShellNamesItsVariables(t *testing.T) {
	d := engineFor(t)
	requireWorkstation(t, d.(*docker.Engine))
	rg := newRangeWithLabs(t, d)
	base := rg.listen()
	alice, _ := rg.userWithRole("alice@range.test", accounts.RoleTrainee)
	lab := runningLabOf(t, rg, alice, "metadata-heist")
	ws, _, err := dialTerminal(t, rg, base, alice, lab, publicURL)
	if err != nil {
		t.Fatal(err)
	}
	defer hangUp(ws)
	screen := readUntil(t, ws, "$ ") // everything up to the first prompt
	for _, want := range []string{"Metadata Heist · workstation", " $WEB", " $CLOUD", "In your browser: Acme Link Preview (web:80)", "AWS CLI profiles: analyst"} {
		if !strings.Contains(screen, want) {
			t.Errorf("the first screen lacks %q:\n%s", want, screen)
		}
	}
}
