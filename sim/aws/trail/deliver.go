package trail

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// deliverEvery is how often the trail writes a log file to its bucket.
// CloudTrail takes about five minutes; a lab cannot wait that long.
const deliverEvery = 5 * time.Second

// Delivery writes a trail's records to a bucket as CloudTrail does:
// gzipped {"Records": [...]} files under AWSLogs/<account>/.
type Delivery struct {
	Trail           *Trail
	Account, Region string
	Bucket          string
	Put             func(bucket, key string, meta map[string]string, body []byte) error
	Clock           func() time.Time
	next            int // the first record not yet delivered
}

// Run delivers until ctx ends.
func (d *Delivery) Run(ctx context.Context) {
	t := time.NewTicker(deliverEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		d.Once()
	}
}

// Once writes the records not yet delivered as one log file.
func (d *Delivery) Once() {
	records, next := d.Trail.Since(d.next)
	d.next = next
	if len(records) == 0 {
		return
	}
	now := d.Clock().UTC()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_ = json.NewEncoder(zw).Encode(map[string]any{"Records": records})
	_ = zw.Close()
	key := fmt.Sprintf("AWSLogs/%s/CloudTrail/%s/%s/%s_CloudTrail_%s_%s_%s.json.gz", d.Account, d.Region,
		now.Format("2006/01/02"), d.Account, d.Region, now.Format("20060102T150405Z"), fileSuffix())
	_ = d.Put(d.Bucket, key, map[string]string{"Content-Type": "application/json", "Content-Encoding": "gzip"}, buf.Bytes())
}

// fileSuffix is the random end of a log file's name.
func fileSuffix() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return strings.ToUpper(hex.EncodeToString(b))
}
