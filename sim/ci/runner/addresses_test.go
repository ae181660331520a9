package runner

import (
	"net/netip"
	"testing"
)

func TestAddressesTranslateTheLabToTheStory(t *testing.T) {
	a, err := ParseAddresses(`{
		"172.30.0.5": {"ip": "104.248.94.23", "name": "uploads.coverlytics-io.example"},
		"172.30.0.9": {"ip": "35.170.12.4", "name": "runner.acme.example"}
	}`)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ lab, ip, name string }{
		{"172.30.0.5", "104.248.94.23", "uploads.coverlytics-io.example"},
		{"::ffff:172.30.0.5", "104.248.94.23", "uploads.coverlytics-io.example"},
		{"172.30.0.9", "35.170.12.4", "runner.acme.example"},
		{"172.30.0.7", "172.30.0.7", ""},
		{"::ffff:172.30.0.7", "172.30.0.7", ""},
		{"fd00::7", "fd00::7", ""},
	}
	for _, c := range cases {
		ip, name := a.Public(netip.MustParseAddr(c.lab))
		if ip != c.ip || name != c.name {
			t.Errorf("%s is %s %q, want %s %q", c.lab, ip, name, c.ip, c.name)
		}
	}
}

func TestParseAddressesRefusesWhatIsNotAnAddress(t *testing.T) {
	for _, text := range []string{
		`not json`,
		`{"runner": {"ip": "35.170.12.4", "name": "x"}}`,
		`{"172.30.0.5": {"ip": "uploads.coverlytics-io.example", "name": "x"}}`,
	} {
		if _, err := ParseAddresses(text); err == nil {
			t.Errorf("%s read without an error", text)
		}
	}
	a, err := ParseAddresses("")
	if err != nil {
		t.Fatal(err)
	}
	if ip, name := a.Public(netip.MustParseAddr("10.0.0.1")); ip != "10.0.0.1" || name != "" {
		t.Errorf("no addresses, yet 10.0.0.1 is %s %q", ip, name)
	}
}
