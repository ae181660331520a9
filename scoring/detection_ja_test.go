package scoring_test

import (
	"strings"
	"testing"

	"github.com/sakimori/sakimori/scoring"
	"github.com/sakimori/sakimori/store"
	"github.com/sakimori/sakimori/store/storetest"
)

// japaneseLabs adds a detection objective whose events carry Japanese
// text in CloudTrail's requestParameters, as a Japanese company's
// buckets and parameters would.
type japaneseLabs struct{ *labsOf }

func (j *japaneseLabs) Objectives(s string) ([]scoring.Objective, []scoring.Hint, error) {
	objs, hints, err := j.labsOf.Objectives(s)
	put := func(ip, bucket, key, description string) map[string]any {
		return map[string]any{"eventSource": "s3.amazonaws.com", "eventName": "GetObject", "sourceIPAddress": ip,
			"requestParameters": map[string]any{"bucketName": bucket, "key": key, "x-amz-meta-description": description}}
	}
	objs = append(objs, scoring.Objective{ID: "detect-ja", Kind: "detection", Points: 80,
		Malicious: []map[string]any{
			put("198.51.100.7", "経理-機密データ", "給与明細/2024年3月.xlsx", "社外秘"),
			put("198.51.100.7", "経理-機密データ", "給与明細/2024年4月.xlsx", "社外秘"),
		},
		Benign: []map[string]any{
			put("10.213.0.11", "広報-公開資料", "会社案内.pdf", "公開"),
			put("10.213.0.11", "経理-機密データ", "予算/2024年度.xlsx", "社外秘"),
		}})
	return objs, hints, err
}

// A detection objective answered with a rule on Japanese text scores: the
// rule matches the payslips and not the other files of the same bucket.
func TestDetectionOnJapaneseText(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		_, f := setup(t, db)
		svc := scoring.NewService(&japaneseLabs{f}, db.Scoring(), nil)
		broad := "title: 機密バケットへのアクセス\ndetection:\n  選択:\n    requestParameters.bucketName|contains: 機密\n  condition: 選択\n"
		r, err := svc.Submit(ctx, "alice", "la", "detect-ja", broad, "")
		if err != nil || r.Correct || !strings.Contains(r.Message, "2 of 2 malicious events and 1 of 2 benign") {
			t.Fatalf("a rule on the bucket alone: %+v, %v", r, err)
		}
		// The failure names the benign event it matched, Japanese intact.
		if !strings.Contains(r.Message, "one benign event it matched: eventName=GetObject, eventSource=s3.amazonaws.com, sourceIPAddress=10.213.0.11, requestParameters.bucketName=経理-機密データ, requestParameters.key=予算/2024年度.xlsx") ||
			strings.Contains(r.Message, "one it missed") {
			t.Fatalf("what the broad rule's failure says: %s", r.Message)
		}
		narrow := "title: 4月だけ\ndetection:\n  選択:\n    requestParameters.key|endswith: 4月.xlsx\n  condition: 選択\n"
		r, err = svc.Submit(ctx, "alice", "la", "detect-ja", narrow, "")
		if err != nil || r.Correct || !strings.Contains(r.Message, "one it missed: eventName=GetObject, eventSource=s3.amazonaws.com, sourceIPAddress=198.51.100.7, requestParameters.bucketName=経理-機密データ, requestParameters.key=給与明細/2024年3月.xlsx") {
			t.Fatalf("what the narrow rule's failure says: %+v, %v", r, err)
		}
		good := `title: 給与明細の持ち出し
detection:
  給与明細:
    requestParameters.bucketName: 経理-機密データ
    requestParameters.key|startswith: 給与明細/
  condition: 給与明細
`
		r, err = svc.Submit(ctx, "alice", "la", "detect-ja", good, "")
		if err != nil || !r.Correct || r.Points != 80 {
			t.Fatalf("a rule on the payslips' Japanese key: %+v, %v", r, err)
		}
	})
}
