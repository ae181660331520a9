// Package pdf prints a competency transcript as a PDF a trainee can hand
// to an employer or a university. Names and titles may be Japanese, so the
// document embeds (a subset of) IPAex Gothic, a TrueType font with the
// Japanese and Latin scripts, from Debian's fonts-ipaexfont-gothic package
// (IPA Font License v1.0, in font/LICENSE). The font is compiled into the
// binary, so printing needs no font on the host and no outside call.
package pdf

import (
	_ "embed"
	"fmt"
	"io"
	"strings"

	"github.com/signintech/gopdf"

	"github.com/sakimori/sakimori/competency"
)

//go:embed font/ipaexg.ttf
var ipaexGothic []byte

const (
	family     = "ipaex"
	margin     = 42.0
	lineHeight = 1.45 // of the font size
)

// Write prints the transcript to w, with headings in the words given.
func Write(w io.Writer, t competency.Transcript, words Words) error {
	d, err := newDocument(t, words)
	if err != nil {
		return err
	}
	d.header(t)
	d.roles(t.Roles)
	d.items(words.Techniques, t.Techniques)
	d.items(words.Statements, t.Statements)
	// The transcript holds SecBoK items only while the range has imported
	// the skill map; without one, there is no heading to print.
	if t.SecBoK != nil {
		d.items(words.SecBoK, t.SecBoK)
	}
	d.sources(t.Sources)
	if d.err != nil {
		return d.err
	}
	_, err = d.pdf.WriteTo(w)
	return err
}

// document is a PDF being written top to bottom; the first failure is
// kept and every later call does nothing.
type document struct {
	pdf   *gopdf.GoPdf
	words Words
	size  float64
	err   error
}

func newDocument(t competency.Transcript, words Words) (*document, error) {
	p := &gopdf.GoPdf{}
	p.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4})
	p.SetInfo(gopdf.PdfInfo{Title: words.Title + ": " + t.Trainee.Name, Creator: "Sakimori", Producer: "Sakimori", CreationDate: t.Issued})
	if err := p.AddTTFFontData(family, ipaexGothic); err != nil {
		return nil, fmt.Errorf("the transcript font: %w", err)
	}
	p.SetMargins(margin, margin, margin, margin)
	p.AddPage()
	return &document{pdf: p, words: words}, nil
}

func (d *document) font(size float64) {
	if d.err == nil {
		d.size = size
		d.err = d.pdf.SetFont(family, "", size)
	}
}

// line writes text at x, wrapped to the page, breaking pages as needed.
func (d *document) line(x float64, text string) {
	if d.err != nil {
		return
	}
	width := gopdf.PageSizeA4.W - margin - x
	parts, err := d.pdf.SplitTextWithWordWrap(text, width)
	if err != nil {
		// A text with nothing to measure (empty) still takes its line.
		parts = []string{text}
	}
	for _, part := range parts {
		step := d.size * lineHeight
		if d.pdf.GetY()+step > gopdf.PageSizeA4.H-margin {
			d.pdf.AddPage()
			d.pdf.SetY(margin)
		}
		d.pdf.SetX(x)
		if err := d.pdf.Cell(nil, part); err != nil {
			d.err = err
			return
		}
		d.pdf.Br(step)
	}
}

func (d *document) gap(h float64) {
	if d.err == nil {
		d.pdf.Br(h)
	}
}

func (d *document) header(t competency.Transcript) {
	d.pdf.SetY(margin)
	d.font(18)
	d.line(margin, d.words.Title)
	d.font(15)
	d.line(margin, t.Trainee.Name)
	d.font(9)
	d.line(margin, fmt.Sprintf("%s %s · %s %s", d.words.TraineeID, t.Trainee.ID, d.words.Issued, t.Issued.UTC().Format("2006-01-02 15:04 UTC")))
	d.gap(10)
}

func (d *document) heading(text string) {
	d.font(13)
	d.line(margin, text)
	d.gap(2)
}

func (d *document) roles(list []competency.Attainment) {
	d.heading(d.words.Roles)
	if len(list) == 0 {
		d.font(10)
		d.line(margin, d.words.None)
	}
	for _, a := range list {
		d.font(11)
		d.line(margin, fmt.Sprintf("%s %s — %s", a.ID, a.Name, d.words.attainment(len(a.Evidenced), a.Total, a.Share)))
		d.font(9)
		if len(a.Evidenced) > 0 {
			d.line(margin+14, d.words.Shown+": "+strings.Join(a.Evidenced, ", "))
		}
		d.line(margin+14, fmt.Sprintf("%s: %d", d.words.SolvedIn, len(a.Evidence)))
	}
	d.gap(8)
}

func (d *document) items(title string, list []competency.Item) {
	d.heading(title)
	if len(list) == 0 {
		d.font(10)
		d.line(margin, d.words.None)
	}
	for _, it := range list {
		d.font(11)
		d.line(margin, it.ID+" "+it.Name)
		d.font(8.5)
		for _, e := range it.Evidence {
			d.line(margin+14, d.words.evidence(e))
		}
	}
	d.gap(8)
}

func (d *document) sources(list []competency.Source) {
	d.heading(d.words.Sources)
	for _, s := range list {
		d.font(9)
		d.line(margin, s.Name+" "+s.Version)
		d.font(7.5)
		d.line(margin+14, s.Notice)
	}
}
