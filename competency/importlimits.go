package competency

import (
	"archive/zip"
	"bytes"
	"fmt"

	"github.com/sakimori/sakimori/fault"
)

// ImportLimits bound what an uploaded catalogue may cost to read. An XLSX is
// a ZIP, so its size on the wire says little: the limits on what it expands
// to are checked from the ZIP directory before any entry is inflated.
type ImportLimits struct {
	MaxBytes        int64 // the upload itself
	MaxUncompressed int64 // all ZIP entries together, once inflated
	MaxRatio        int64 // inflated ÷ compressed, per entry
}

// DefaultImportLimits fit the published catalogues with room to spare: the
// full ATT&CK Enterprise bundle is about 50 MB, the SecBoK workbook well
// under 5 MB; a workbook expands about tenfold.
var DefaultImportLimits = ImportLimits{MaxBytes: 100 << 20, MaxUncompressed: 200 << 20, MaxRatio: 100}

// Codes of the refusals an import can give (written out where each is made,
// as the contract test reads them there).
const (
	CodeImportMalformed = "framework_malformed"
	CodeImportTooLarge  = "framework_too_large"
	CodeImportZipBomb   = "framework_zip_bomb"
)

func malformed(format string, args ...any) *fault.Error {
	return fault.New(fault.Invalid, "framework_malformed", fmt.Sprintf(format, args...))
}

func tooLarge(limit int64) *fault.Error {
	return fault.New(fault.Invalid, "framework_too_large",
		fmt.Sprintf("The file is larger than the %d bytes an import may be.", limit))
}

// checkZip refuses a ZIP whose entries would inflate past the limits. The
// sizes come from the central directory; the reader that inflates them
// later also stops at the declared size, so a lying directory gains nothing.
func (l ImportLimits) checkZip(data []byte) error {
	if int64(len(data)) > l.MaxBytes {
		return tooLarge(l.MaxBytes)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return malformed("The file is not an XLSX workbook (it is not a ZIP archive).")
	}
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if total > uint64(l.MaxUncompressed) {
			return fault.New(fault.Invalid, "framework_zip_bomb",
				fmt.Sprintf("The workbook expands to more than %d bytes; it is refused as a possible ZIP bomb.", l.MaxUncompressed))
		}
		// Tiny entries may compress well without harm; only a large
		// expansion at a suspicious ratio is refused.
		if f.UncompressedSize64 > 1<<20 && f.UncompressedSize64 > f.CompressedSize64*uint64(l.MaxRatio) {
			return fault.New(fault.Invalid, "framework_zip_bomb",
				fmt.Sprintf("The workbook entry %q expands more than %d times; it is refused as a possible ZIP bomb.", f.Name, l.MaxRatio))
		}
	}
	return nil
}
