package drivertest

import (
	"bufio"
	"context"
	"fmt"
	"strconv"
	"strings"
)

// sh is the fake's shell: `sh -c SCRIPT`, or lines read from its input
// (with a terminal: a "$ " prompt, and each line echoed as typed).
func sh(ctx context.Context, p *Process) int {
	if len(p.Args) > 2 && p.Args[1] == "-c" {
		code, _ := script(ctx, p, p.Args[2], 0)
		return code
	}
	in := bufio.NewReader(p.Stdin)
	code := 0
	for {
		if p.TTY {
			fmt.Fprint(p.Stdout, "$ ")
		}
		line, err := in.ReadString('\n')
		if p.TTY && line != "" {
			fmt.Fprint(p.Stdout, line)
		}
		if strings.TrimSpace(line) != "" {
			var exited bool
			if code, exited = script(ctx, p, line, code); exited {
				return code
			}
		}
		if err != nil || ctx.Err() != nil {
			return code
		}
	}
}

// script runs one line; it reports the last exit code, and whether the
// shell is to end (exit, exec). Each command is expanded as it runs, so
// $? is the code of the one before.
func script(ctx context.Context, p *Process, line string, last int) (int, bool) {
	commands, err := split(line)
	if err != nil {
		fmt.Fprintf(p.Stdout, "sh: %v\n", err)
		return 2, false
	}
	for _, command := range commands {
		words := expand(command, func(name string) string {
			if name == "?" {
				return strconv.Itoa(last)
			}
			return p.Env[name]
		})
		if len(words) == 0 {
			continue
		}
		switch words[0] {
		case "exit":
			code := last
			if len(words) > 1 {
				code, _ = strconv.Atoi(words[1])
			}
			return code, true
		case "exec":
			return p.Run(ctx, words[1:]), true
		}
		last = p.Run(ctx, words)
		if ctx.Err() != nil {
			return killed, true
		}
	}
	return last, false
}

// split cuts a line into commands at each ";" outside quotes.
func split(line string) ([]string, error) {
	var commands []string
	quote, start := byte(0), 0
	for i := 0; i < len(line); i++ {
		switch c := line[i]; {
		case c == '\\' && quote != '\'':
			i++
		case quote == 0 && (c == '\'' || c == '"'):
			quote = c
		case c == quote:
			quote = 0
		case quote == 0 && c == ';':
			commands = append(commands, line[start:i])
			start = i + 1
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unterminated quote")
	}
	return append(commands, line[start:]), nil
}

// expand splits one command into words, removing quotes and expanding
// $NAME and ${NAME} outside single quotes.
func expand(command string, lookup func(string) string) []string {
	var words []string
	var word strings.Builder
	inWord := false
	endWord := func() {
		if inWord {
			words = append(words, word.String())
		}
		word.Reset()
		inWord = false
	}
	quote := byte(0)
	for i := 0; i < len(command); i++ {
		c := command[i]
		switch {
		case quote == '\'' && c != '\'':
			word.WriteByte(c)
		case c == '\'' || c == '"':
			if quote == 0 {
				quote, inWord = c, true
			} else if quote == c {
				quote = 0
			} else {
				word.WriteByte(c)
			}
		case c == '$':
			name, n := varName(command[i+1:])
			if n == 0 {
				word.WriteByte(c)
			} else {
				word.WriteString(lookup(name))
				i += n
			}
			inWord = true
		case c == '\\' && i+1 < len(command):
			i++
			word.WriteByte(command[i])
			inWord = true
		case quote == 0 && (c == ' ' || c == '\t' || c == '\n' || c == '\r'):
			endWord()
		default:
			word.WriteByte(c)
			inWord = true
		}
	}
	endWord()
	return words
}

// varName reads the name after a "$": NAME, {NAME} or ?, and how many
// bytes it took.
func varName(s string) (string, int) {
	if strings.HasPrefix(s, "?") {
		return "?", 1
	}
	if strings.HasPrefix(s, "{") {
		if end := strings.IndexByte(s, '}'); end > 1 {
			return s[1:end], end + 1
		}
		return "", 0
	}
	n := 0
	for n < len(s) && (s[n] == '_' || s[n] >= 'A' && s[n] <= 'Z' || s[n] >= 'a' && s[n] <= 'z' || n > 0 && s[n] >= '0' && s[n] <= '9') {
		n++
	}
	return s[:n], n
}

// Shell is the fake's sh, for a test's own program to hand a command on
// to when it stands in for sh (see Fake.Handle).
func Shell(ctx context.Context, p *Process) int { return sh(ctx, p) }
