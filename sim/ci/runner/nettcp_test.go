package runner

import (
	"encoding/binary"
	"net/netip"
	"testing"
)

// skipUnlessLittleEndian: the tables' hex is in the machine's byte order,
// and these were copied from x86 machines.
func skipUnlessLittleEndian(t *testing.T) {
	if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
		t.Skip("the sample tables are a little-endian machine's")
	}
}

func TestParseHexAddrPort(t *testing.T) {
	skipUnlessLittleEndian(t)
	cases := []struct{ hex, want string }{
		{"0100007F:1F90", "127.0.0.1:8080"},
		{"0F02000A:0016", "10.0.2.15:22"},
		{"175EF868:01BB", "104.248.94.23:443"},
		{"00000000:0000", "0.0.0.0:0"},
		{"00000000000000000000000001000000:0050", "[::1]:80"},
		{"0000000000000000FFFF00000100007F:1F90", "[::ffff:127.0.0.1]:8080"},
		{"B80D0120000000000000000001000000:C350", "[2001:db8::1]:50000"},
	}
	for _, c := range cases {
		got, err := parseHexAddrPort(c.hex)
		if err != nil {
			t.Errorf("%s: %v", c.hex, err)
			continue
		}
		if got != netip.MustParseAddrPort(c.want) {
			t.Errorf("%s read as %s, want %s", c.hex, got, c.want)
		}
	}
	for _, bad := range []string{"0100007F", "01007F:0050", "ZZ00007F:0050", "0100007F:10000", "0100007F:"} {
		if got, err := parseHexAddrPort(bad); err == nil {
			t.Errorf("%q read as %s, want an error", bad, got)
		}
	}
}

func TestParseTCPTable(t *testing.T) {
	skipUnlessLittleEndian(t)
	table := `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 21456 1 0000000000000000 100 0 0 10 0
   1: 0F02000A:A4C2 175EF868:01BB 01 00000000:00000000 02:000AFC8E 00000000  1000        0 98765 2 0000000000000000 20 4 30 10 -1
   2: torn line
   3: 0F02000A:A4C4 175EF868:01BB 02 00000000:00000000 01:00000123 00000001  1000        0 98766 2 0000000000000000 20 4 30 10 -1
`
	got := parseTCP([]byte(table))
	want := []tcpSocket{
		{local: netip.MustParseAddrPort("0.0.0.0:80"), remote: netip.MustParseAddrPort("0.0.0.0:0"), state: tcpListen, inode: 21456},
		{local: netip.MustParseAddrPort("10.0.2.15:42178"), remote: netip.MustParseAddrPort("104.248.94.23:443"), state: tcpEstablished, inode: 98765},
		{local: netip.MustParseAddrPort("10.0.2.15:42180"), remote: netip.MustParseAddrPort("104.248.94.23:443"), state: 0x02, inode: 98766},
	}
	if len(got) != len(want) {
		t.Fatalf("read %d sockets, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("socket %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}
