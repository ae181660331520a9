package aws

// TrailName is the name of the lab's one trail, the one the console
// suggests for a first trail.
const TrailName = "management-events"

// trails describes the lab's trail, as DescribeTrails does: one trail of
// every region's management events, delivered to the world's trail
// bucket; none when the world has no trail bucket.
func (s *Server) trails() []map[string]any {
	if s.delivery == nil {
		return []map[string]any{}
	}
	return []map[string]any{{
		"Name": TrailName, "S3BucketName": s.delivery.Bucket, "HomeRegion": s.acct.Region,
		"TrailARN":                   "arn:aws:cloudtrail:" + s.acct.Region + ":" + s.acct.ID + ":trail/" + TrailName,
		"IncludeGlobalServiceEvents": true, "IsMultiRegionTrail": true, "LogFileValidationEnabled": false,
		"HasCustomEventSelectors": false, "HasInsightSelectors": false, "IsOrganizationTrail": false,
	}}
}
