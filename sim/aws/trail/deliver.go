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
	"sync"
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
	Put             func(bucket, key string, meta map[string]string, body []byte) error
	Clock           func() time.Time
	next            int // the first record not yet delivered

	mu     sync.Mutex
	bucket string    // where files go; "" for nowhere
	last   time.Time // when a file was last written
}

// SetBucket says where the trail delivers from now on.
func (d *Delivery) SetBucket(bucket string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.bucket = bucket
}

// Bucket is where the trail delivers; "" for nowhere.
func (d *Delivery) Bucket() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.bucket
}

// Last is when a log file was last delivered; zero if none was.
func (d *Delivery) Last() time.Time {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.last
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

// Once writes the records not yet delivered as one log file; the records
// the trail did not take leave a gap in the files, as a stopped trail does.
func (d *Delivery) Once() {
	all, next := d.Trail.Since(d.next)
	d.next = next
	var records []Record
	for _, r := range all {
		if !r.Withheld {
			records = append(records, r)
		}
	}
	d.mu.Lock()
	bucket := d.bucket
	d.mu.Unlock()
	if len(records) == 0 || bucket == "" {
		return
	}
	// A trail that covers every region delivers each region's records
	// under that region's folder, as CloudTrail does: a responder who
	// reads only the home region's folder misses what happened elsewhere.
	now := d.Clock().UTC()
	byRegion := map[string][]Record{}
	var order []string
	for _, r := range records {
		region := r.AWSRegion
		if region == "" {
			region = d.Region
		}
		if byRegion[region] == nil {
			order = append(order, region)
		}
		byRegion[region] = append(byRegion[region], r)
	}
	for _, region := range order {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_ = json.NewEncoder(zw).Encode(map[string]any{"Records": byRegion[region]})
		_ = zw.Close()
		key := fmt.Sprintf("AWSLogs/%s/CloudTrail/%s/%s/%s_CloudTrail_%s_%s_%s.json.gz", d.Account, region,
			now.Format("2006/01/02"), d.Account, region, now.Format("20060102T150405Z"), fileSuffix())
		if d.Put(bucket, key, map[string]string{"Content-Type": "application/json", "Content-Encoding": "gzip"}, buf.Bytes()) == nil {
			d.mu.Lock()
			d.last = now
			d.mu.Unlock()
		}
	}
}

// fileSuffix is the random end of a log file's name.
func fileSuffix() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return strings.ToUpper(hex.EncodeToString(b))
}
