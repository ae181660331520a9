package labs

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
)

// A host's aliases reach the driver on every network it joins, so the
// lab's resolver answers the story's names (a vendor's host) with the
// address this lab gave it.
func TestAliasesReachEveryNetworkOfTheirHost(t *testing.T) {
	manifest := strings.Replace(valid, "networks: [{name: dmz}]", "networks: [{name: dmz}, {name: corp}]", 1)
	manifest = strings.Replace(manifest, "networks: [dmz]", "networks: [dmz, corp]\n    aliases: [uploader.vendor.example, cdn.vendor.example]", 1)
	s, err := ParseScenario([]byte(manifest), "sample.yaml")
	if err != nil {
		t.Fatal(err)
	}
	inst := Instance{ID: "i1", Networks: []InstanceNetwork{
		{Name: "dmz", Subnet: netip.MustParsePrefix("10.77.0.0/26")},
		{Name: "corp", Subnet: netip.MustParsePrefix("10.77.0.64/26")},
	}}
	spec := buildSpec(s, inst, map[string]string{"flag": "FLAG{abc}"})
	nets := spec.Hosts[0].Networks
	if len(nets) != 2 {
		t.Fatalf("networks %+v", nets)
	}
	for _, n := range nets {
		if !slices.Equal(n.Aliases, []string{"uploader.vendor.example", "cdn.vendor.example"}) {
			t.Errorf("network %s: aliases %v", n.Network, n.Aliases)
		}
	}
}
