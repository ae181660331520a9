package bundle_test

import (
	"archive/tar"
	"bytes"
	"strings"
	"testing"

	"github.com/sakimori/sakimori/labs/bundle"
	"github.com/sakimori/sakimori/scenarios"
)

// Importing the largest built-in scenario: read, checked and validated.
func BenchmarkImportMetadataHeist(b *testing.B) {
	data, err := bundle.Export(scenarios.Files(), "metadata-heist")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, _, err := bundle.Import(data, bundle.DefaultLimits); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(data)), "bundle-bytes")
}

// Refusing a bomb: 256 MiB of zeros in about 250 KiB, stopped by the
// ratio check long before it is unpacked.
func BenchmarkRefuseBomb(b *testing.B) {
	var t testing.T
	data := makeTar(&t, manifestEntry, entry{h: tar.Header{Name: "zeros", Typeflag: tar.TypeReg, Size: 256 << 20}, data: []byte(strings.Repeat("\x00", 256<<20))})
	lim := bundle.Limits{MaxEntries: 4, MaxFileSize: 1 << 30, MaxTotalSize: 1 << 30, MaxRatio: 100}
	for b.Loop() {
		if _, err := bundle.Read(bytes.NewReader(data), lim); err == nil {
			b.Fatal("the bomb was read")
		}
	}
	b.ReportMetric(float64(len(data)), "bundle-bytes")
}
