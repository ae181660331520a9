// Package stealerlogs makes the dump an infostealer market sells, as the
// 2024 data-warehouse intrusions began: one folder per infected machine
// in RedLine's layout (UserInformation.txt, Passwords.txt with URL,
// Username, Password and Application per entry), most of it other
// people's accounts on other sites. A scenario plants the machines that
// matter among as many made-up ones as it asks for, the same for the
// same seed, so a trainee searches a haystack with grep, not a list.
package stealerlogs

import (
	"archive/tar"
	"cmp"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Dump is a pack of logs: Noise made-up machines and the Planted ones.
type Dump struct {
	Seed    string    `yaml:"seed"`
	Noise   int       `yaml:"noise"`
	Planted []Machine `yaml:"planted"`
	// Taken is when the newest log was taken; the others are older.
	Taken time.Time `yaml:"-"`
}

// Machine is one infected computer's log.
type Machine struct {
	Country  string       `yaml:"country"`  // JP
	User     string       `yaml:"user"`     // the Windows account
	Computer string       `yaml:"computer"` // DESKTOP-…
	IP       string       `yaml:"ip"`
	Ago      string       `yaml:"ago"` // how long before the dump's newest log it was taken
	Accounts []Credential `yaml:"accounts"`
}

// Credential is one saved password.
type Credential struct {
	URL         string `yaml:"url"`
	Username    string `yaml:"username"`
	Password    string `yaml:"password"`
	Application string `yaml:"application"` // Google_[Chrome]_Default
}

// Machines is every machine of the dump, planted and made-up, in the
// order the pack lists them (by folder name).
func (d Dump) Machines(ago func(string) (time.Duration, error)) ([]Machine, []time.Time, error) {
	r := rand.New(rand.NewPCG(seed(d.Seed)))
	var ms []Machine
	var at []time.Time
	for _, m := range d.Planted {
		if !word.MatchString(m.Country) || !word.MatchString(m.Computer) {
			return nil, nil, fmt.Errorf("planted machine %q of %q: a country and a computer name are letters, digits and dashes", m.Computer, m.Country)
		}
		back, err := ago(cmp.Or(m.Ago, "0s"))
		if err != nil {
			return nil, nil, fmt.Errorf("planted machine %s: %v", m.Computer, err)
		}
		ms, at = append(ms, m), append(at, d.Taken.Add(-back))
	}
	for range d.Noise {
		m := madeUp(r)
		ms, at = append(ms, m), append(at, d.Taken.Add(-time.Duration(r.IntN(60*24))*time.Minute*3))
	}
	idx := make([]int, len(ms))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return folder(ms[idx[a]], at[idx[a]]) < folder(ms[idx[b]], at[idx[b]]) })
	outM, outT := make([]Machine, len(ms)), make([]time.Time, len(ms))
	for i, j := range idx {
		outM[i], outT[i] = ms[j], at[j]
	}
	return outM, outT, nil
}

// word is what a folder name's parts may be, so a pack never names a
// path outside its own folders.
var word = regexp.MustCompile(`^[A-Za-z0-9-]+$`)

// folder is a machine's folder name, RedLine's: country, machine id, date.
func folder(m Machine, at time.Time) string {
	return fmt.Sprintf("%s[%s] %s", m.Country, hwid(m), at.UTC().Format("2006-01-02T15_04_05"))
}

func hwid(m Machine) string {
	sum := sha256.Sum256([]byte(m.Computer + "/" + m.User))
	return strings.ToUpper(fmt.Sprintf("%x", sum[:16]))
}

// WriteTarGz writes the pack: a gzipped tar of the machines' folders.
func (d Dump) WriteTarGz(w io.Writer, ago func(string) (time.Duration, error)) error {
	ms, at, err := d.Machines(ago)
	if err != nil {
		return err
	}
	zw := gzip.NewWriter(w)
	tw := tar.NewWriter(zw)
	for i, m := range ms {
		dir := folder(m, at[i]) + "/"
		for _, f := range []struct{ name, body string }{
			{"UserInformation.txt", userInformation(m, at[i])},
			{"Passwords.txt", passwords(m)},
		} {
			if err := tw.WriteHeader(&tar.Header{Name: dir + f.name, Mode: 0o644, Size: int64(len(f.body)), ModTime: at[i]}); err != nil {
				return err
			}
			if _, err := io.WriteString(tw, f.body); err != nil {
				return err
			}
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return zw.Close()
}

func userInformation(m Machine, at time.Time) string {
	return fmt.Sprintf("Build ID: %s\r\nIP: %s\r\nFileLocation: C:\\Users\\%s\\AppData\\Local\\Temp\\%s.exe\r\nUserName: %s\r\nMachineName: %s\r\nCountry: %s\r\nHWID: %s\r\nOperation System: Windows 10 Pro x64\r\nLog date: %s\r\n",
		"sell_"+strings.ToLower(m.Country), m.IP, m.User, hwid(m)[:8], m.User, m.Computer, m.Country, hwid(m), at.UTC().Format("1/2/2006 3:04:05 PM"))
}

func passwords(m Machine) string {
	var b strings.Builder
	for _, c := range m.Accounts {
		fmt.Fprintf(&b, "URL: %s\r\nUsername: %s\r\nPassword: %s\r\nApplication: %s\r\n===============\r\n",
			c.URL, c.Username, c.Password, cmp.Or(c.Application, "Google_[Chrome]_Default"))
	}
	return b.String()
}

func seed(s string) (uint64, uint64) {
	sum := sha256.Sum256([]byte("sakimori/stealerlogs/" + s))
	return binary.BigEndian.Uint64(sum[:8]), binary.BigEndian.Uint64(sum[8:16])
}
