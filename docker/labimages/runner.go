package labimages

// Runner is a CI runner host: the workstation's real git, bash and curl,
// which the jobs' scripts run with, and sakimori-sim on PATH to take jobs
// from the lab's CI (sakimori-sim ci-runner) and report what they start.
const Runner = "sakimori-lab/runner:latest"

// NewRunner is the runner image made of this recipe's workstation and the
// given sakimori-sim. Its Dockerfile names the workstation by its content
// tag, so the runner's own tag changes with the workstation's recipe as
// well as with the binary.
func NewRunner(sim []byte) Image {
	dockerfile := "FROM " + WorkstationTag() + "\n" +
		"COPY " + SimBinary + " /usr/local/bin/" + SimBinary + "\n" +
		// The workstation's own user, written again so the runner never
		// runs jobs as root whatever its base says.
		"USER 1000:1000\n"
	return NewImage(Runner, map[string][]byte{"Dockerfile": []byte(dockerfile), SimBinary: sim})
}

// RunnerOf is the runner made with the sakimori-sim that imgs' cloud image
// holds, so both run the same lab side; false if imgs has no cloud image.
func RunnerOf(imgs []Image) (Image, bool) {
	for _, img := range imgs {
		if img.Name == Cloud {
			return NewRunner(img.Files[SimBinary]), true
		}
	}
	return Image{}, false
}
