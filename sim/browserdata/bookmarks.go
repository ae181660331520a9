package browserdata

import (
	"encoding/json"
	"os"
	"strconv"
	"time"
)

// Bookmark is one entry of the bookmarks bar.
type Bookmark struct {
	Name  string
	URL   string
	Added time.Time
}

// WriteBookmarks writes Chromium's Bookmarks file: the bar's entries,
// and the empty "other" and "synced" folders every profile has. The
// checksum is left out, which Chromium accepts and recomputes.
func WriteBookmarks(path string, marks []Bookmark) error {
	type node struct {
		ID        string `json:"id"`
		Name      string `json:"name"`
		Type      string `json:"type"`
		URL       string `json:"url,omitempty"`
		DateAdded string `json:"date_added"`
		Children  []node `json:"children,omitempty"`
	}
	bar := node{ID: "1", Name: "Bookmarks bar", Type: "folder", DateAdded: "0", Children: []node{}}
	for i, m := range marks {
		bar.Children = append(bar.Children, node{ID: strconv.Itoa(i + 4), Name: m.Name, Type: "url", URL: m.URL,
			DateAdded: strconv.FormatInt(chromeTime(m.Added), 10)})
	}
	doc := map[string]any{"version": 1, "roots": map[string]node{
		"bookmark_bar": bar,
		"other":        {ID: "2", Name: "Other bookmarks", Type: "folder", DateAdded: "0", Children: []node{}},
		"synced":       {ID: "3", Name: "Mobile bookmarks", Type: "folder", DateAdded: "0", Children: []node{}},
	}}
	data, err := json.MarshalIndent(doc, "", "   ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o600)
}
