package client

import "encoding/xml"

// ListKeys reads the keys of a ListObjects(V2) answer.
func ListKeys(body []byte) []string {
	var out struct {
		Contents []struct {
			Key string `xml:"Key"`
		} `xml:"Contents"`
	}
	_ = xml.Unmarshal(body, &out)
	keys := make([]string, len(out.Contents))
	for i, c := range out.Contents {
		keys[i] = c.Key
	}
	return keys
}
