package warehouse

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Policies are the pg_hba.conf files the warehouse has written, each with
// when it took effect, oldest first: log/policy.json in the data folder.
// The server's log names the line of pg_hba.conf that let each login in;
// these say what that line asked for then.
type Policies []written

type written struct {
	At  time.Time `json:"at"`
	HBA string    `json:"hba"`
}

// ReadPolicies reads log/policy.json.
func ReadPolicies(r io.Reader) (Policies, error) {
	var ps Policies
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		var w written
		if json.Unmarshal(sc.Bytes(), &w) == nil {
			ps = append(ps, w)
		}
	}
	return ps, sc.Err()
}

// ReadPoliciesIn reads the policies of a data folder; none if it has none.
func ReadPoliciesIn(dir string) (Policies, error) {
	f, err := os.Open(filepath.Join(dir, "log", "policy.json"))
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadPolicies(f)
}

// secondFactor says whether line (from 1) of the pg_hba.conf in effect at
// timestamp (the server's log's) asked for a client certificate.
func (ps Policies) secondFactor(timestamp string, line int) bool {
	at, err := time.Parse("2006-01-02 15:04:05.000 MST", timestamp)
	if err != nil || line < 1 {
		return false
	}
	hba := ""
	for _, p := range ps {
		if p.At.After(at) {
			break
		}
		hba = p.HBA
	}
	lines := strings.Split(hba, "\n")
	return line <= len(lines) && strings.Contains(lines[line-1], "clientcert=verify-full")
}

// recordPolicy appends a pg_hba.conf that took effect at to the folder's
// log/policy.json.
func recordPolicy(dir string, at time.Time, hba string) error {
	if err := os.MkdirAll(filepath.Join(dir, "log"), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(dir, "log", "policy.json"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	line, _ := json.Marshal(written{At: at.UTC(), HBA: hba})
	_, err = f.Write(append(line, '\n'))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
