package competency

import (
	"bytes"
	"sort"
	"strings"
	"unicode"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/unicode/norm"
)

// SecBoKItem is one knowledge item of JNSA's SecBoK skill map.
type SecBoKItem struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Major  string `json:"major,omitempty"`  // 大項目
	Middle string `json:"middle,omitempty"` // 中項目
}

// SecBoK is an imported skill map. It is never bundled: JNSA publishes it
// as a workbook that an admin uploads.
type SecBoK struct {
	Version string
	items   map[string]SecBoKItem
}

// Item finds a SecBoK item by id.
func (s *SecBoK) Item(id string) (SecBoKItem, bool) {
	if s == nil {
		return SecBoKItem{}, false
	}
	it, ok := s.items[id]
	return it, ok
}

// Items lists every item, by id.
func (s *SecBoK) Items() []SecBoKItem {
	out := make([]SecBoKItem, 0, len(s.items))
	for _, it := range s.items {
		out = append(out, it)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// SecBoKNotice credits the skill map wherever a transcript cites it.
const SecBoKNotice = "SecBoK (Security Body of Knowledge) skill map, Japan Network Security Association (JNSA), imported by this range's administrator."

// WithSecBoK is these frameworks with a SecBoK skill map loaded.
func (f *Frameworks) WithSecBoK(s *SecBoK) *Frameworks {
	g := *f
	g.secbok = s
	return &g
}

// SecBoK is the loaded skill map, or nil.
func (f *Frameworks) SecBoK() *SecBoK { return f.secbok }

// Len is how many items the skill map holds.
func (s *SecBoK) Len() int { return len(s.items) }

// NewSecBoK rebuilds a skill map from stored items.
func NewSecBoK(version string, items []SecBoKItem) *SecBoK {
	s := &SecBoK{Version: version, items: make(map[string]SecBoKItem, len(items))}
	for _, it := range items {
		s.items[it.ID] = it
	}
	return s
}

// The workbook's headers as JNSA and re-typed copies write them. They are
// compared after NFKC folding, lower-casing and dropping spaces, so
// "ＩＤ", "Item ID" and "項目 ID" all match.
var secbokHeaders = map[string][]string{
	"id":     {"id", "no", "no.", "項目id", "知識項目id", "secbokid", "itemid", "番号", "項番"},
	"name":   {"知識項目", "小項目", "項目", "項目名", "知識項目名", "名称", "item", "name", "knowledge", "knowledgeitem"},
	"major":  {"大項目", "大分類", "分野", "category", "major"},
	"middle": {"中項目", "中分類", "subcategory", "middle"},
}

func foldHeader(s string) string {
	s = strings.ToLower(norm.NFKC.String(s))
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// headerColumns finds the header row's columns, or ok=false if the row
// lacks an id or a name column.
func headerColumns(row []string) (cols map[string]int, ok bool) {
	cols = map[string]int{}
	for i, cell := range row {
		h := foldHeader(cell)
		for field, names := range secbokHeaders {
			if _, seen := cols[field]; seen {
				continue
			}
			for _, n := range names {
				if h == n {
					cols[field] = i
				}
			}
		}
	}
	_, id := cols["id"]
	_, name := cols["name"]
	return cols, id && name
}

// ParseSecBoK reads a SecBoK skill-map workbook. The first sheet with a
// header row (within its first 20 rows) naming an id column and an item
// column is read; rows without an id are skipped (JNSA's sheets carry
// section titles and notes between items), and an id given twice with two
// different names is refused. Blank major/middle cells inherit the row
// above, as merged cells in the published sheet read.
func ParseSecBoK(data []byte, version string, lim ImportLimits) (*SecBoK, error) {
	if err := lim.checkZip(data); err != nil {
		return nil, err
	}
	wb, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit:    lim.MaxUncompressed,
		UnzipXMLSizeLimit: lim.MaxUncompressed,
	})
	if err != nil {
		return nil, malformed("The file is not a readable XLSX workbook.")
	}
	defer wb.Close()
	for _, sheet := range wb.GetSheetList() {
		rows, err := wb.GetRows(sheet)
		if err != nil {
			return nil, malformed("The sheet %q cannot be read.", sheet)
		}
		for h := 0; h < len(rows) && h < 20; h++ {
			cols, ok := headerColumns(rows[h])
			if !ok {
				continue
			}
			return secbokRows(rows[h+1:], cols, version, sheet)
		}
	}
	return nil, malformed("No sheet has a header row with an ID column and a knowledge item column (知識項目).")
}

func secbokRows(rows [][]string, cols map[string]int, version, sheet string) (*SecBoK, error) {
	cell := func(row []string, field string) string {
		i, ok := cols[field]
		if !ok || i >= len(row) {
			return ""
		}
		return strings.TrimSpace(row[i])
	}
	s := &SecBoK{Version: version, items: map[string]SecBoKItem{}}
	var major, middle string
	for _, row := range rows {
		if m := cell(row, "major"); m != "" {
			major = m
		}
		if m := cell(row, "middle"); m != "" {
			middle = m
		}
		id, name := cell(row, "id"), cell(row, "name")
		if id == "" {
			continue
		}
		if name == "" {
			return nil, malformed("The item %s on sheet %q has no name.", id, sheet)
		}
		if prev, dup := s.items[id]; dup && prev.Name != name {
			return nil, malformed("The item id %s is given twice on sheet %q with different names.", id, sheet)
		}
		s.items[id] = SecBoKItem{ID: id, Name: name, Major: major, Middle: middle}
	}
	if len(s.items) == 0 {
		return nil, malformed("The sheet %q has a header row but no items.", sheet)
	}
	return s, nil
}
