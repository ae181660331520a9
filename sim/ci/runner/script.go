package runner

import (
	"strings"
)

// jobScript is the bash script of a job's lines. Before each line it
// prints the line after "$ ", so the log reads as GitLab's does; bash runs
// it with -e, so the first line that fails ends the job.
func jobScript(lines []string) string {
	var b strings.Builder
	for _, line := range lines {
		shown, rest, multi := strings.Cut(line, "\n")
		if multi && strings.TrimSpace(rest) != "" {
			shown += " # collapsed multi-line command"
		}
		b.WriteString("printf '%s\\n' " + shellQuote("$ "+shown) + "\n")
		b.WriteString(line + "\n")
	}
	return b.String()
}

// shellQuote quotes s as one word for bash, literally.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
