// Package s3 is the emulated object store: gofakes3 keeps the objects,
// and this package decides who may reach them as S3 does (identity and
// bucket policies, ACLs, block public access), serves the bucket
// settings the labs harden, and records each call.
package s3

import (
	"github.com/sakimori/sakimori/sim/aws/account"

	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"strings"

	"github.com/sakimori/sakimori/sim/aws/policy"
)

// s3Call is one S3 request, classified: the IAM action it needs, the
// resource it touches and the name CloudTrail gives it.
type s3Call struct {
	event    string // CloudTrail eventName
	action   string // IAM action
	resource string
	bucket   string
	Key      string
	data     bool // a data event (object level) rather than management
	read     bool // a read anyone may be granted by a public-read ACL
}

func classifyS3(r *http.Request) s3Call {
	path := strings.TrimPrefix(r.URL.Path, "/")
	bucket, key, _ := strings.Cut(path, "/")
	q := r.URL.Query()
	has := func(k string) bool { _, ok := q[k]; return ok }
	c := s3Call{bucket: bucket, Key: key, resource: "arn:aws:s3:::" + bucket}
	set := func(event, action string) { c.event, c.action = event, action }
	switch {
	case bucket == "":
		set("ListBuckets", "s3:ListAllMyBuckets")
		c.resource = "*"
	case key == "" && has("policy"):
		set(map[string]string{"GET": "GetBucketPolicy", "PUT": "PutBucketPolicy", "DELETE": "DeleteBucketPolicy"}[r.Method],
			map[string]string{"GET": "s3:GetBucketPolicy", "PUT": "s3:PutBucketPolicy", "DELETE": "s3:DeleteBucketPolicy"}[r.Method])
	case key == "" && has("acl"):
		set(map[string]string{"GET": "GetBucketAcl", "PUT": "PutBucketAcl"}[r.Method], map[string]string{"GET": "s3:GetBucketAcl", "PUT": "s3:PutBucketAcl"}[r.Method])
	case key == "" && has("website"):
		set(map[string]string{"GET": "GetBucketWebsite", "PUT": "PutBucketWebsite", "DELETE": "DeleteBucketWebsite"}[r.Method],
			map[string]string{"GET": "s3:GetBucketWebsite", "PUT": "s3:PutBucketWebsite", "DELETE": "s3:DeleteBucketWebsite"}[r.Method])
	case key == "" && has("publicAccessBlock"):
		set(map[string]string{"GET": "GetBucketPublicAccessBlock", "PUT": "PutBucketPublicAccessBlock", "DELETE": "DeleteBucketPublicAccessBlock"}[r.Method],
			map[string]string{"GET": "s3:GetBucketPublicAccessBlock", "PUT": "s3:PutBucketPublicAccessBlock", "DELETE": "s3:PutBucketPublicAccessBlock"}[r.Method])
	case key == "" && has("delete") && r.Method == http.MethodPost:
		set("DeleteObjects", "s3:DeleteObject")
		c.resource, c.data = "arn:aws:s3:::"+bucket+"/*", true
	case key == "" && has("versioning"):
		set(map[string]string{"GET": "GetBucketVersioning", "PUT": "PutBucketVersioning"}[r.Method],
			map[string]string{"GET": "s3:GetBucketVersioning", "PUT": "s3:PutBucketVersioning"}[r.Method])
	case key == "" && has("versions"):
		set("ListObjectVersions", "s3:ListBucketVersions")
		c.data, c.read = true, true
	case key == "" && has("location"):
		set("GetBucketLocation", "s3:GetBucketLocation")
	case key == "" && r.Method == http.MethodPut:
		set("CreateBucket", "s3:CreateBucket")
	case key == "" && r.Method == http.MethodDelete:
		set("DeleteBucket", "s3:DeleteBucket")
	case key == "" && r.Method == http.MethodHead:
		set("HeadBucket", "s3:ListBucket")
		c.read = true
	case key == "":
		set("ListObjects", "s3:ListBucket")
		c.data, c.read = true, true
	case has("acl"):
		c.resource = "arn:aws:s3:::" + bucket + "/" + key
		set(map[string]string{"GET": "GetObjectAcl", "PUT": "PutObjectAcl"}[r.Method], map[string]string{"GET": "s3:GetObjectAcl", "PUT": "s3:PutObjectAcl"}[r.Method])
	default:
		c.resource = "arn:aws:s3:::" + bucket + "/" + key
		c.data = true
		// A version named is its own permission, as on S3.
		version := ""
		if has("versionId") {
			version = "Version"
		}
		switch r.Method {
		case http.MethodGet:
			set("GetObject", "s3:GetObject"+version)
			c.read = true
		case http.MethodHead:
			set("HeadObject", "s3:GetObject"+version)
			c.read = true
		case http.MethodPut:
			set("PutObject", "s3:PutObject")
			if r.Header.Get("X-Amz-Copy-Source") != "" {
				c.event = "CopyObject"
			}
		case http.MethodDelete:
			set("DeleteObject", "s3:DeleteObject"+version)
		default:
			set("PutObject", "s3:PutObject") // multipart uploads
		}
	}
	if c.event == "" {
		set("Unsupported", "s3:Unsupported")
	}
	return c
}

// ServeHTTP serves one S3 request (path-style).
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	call := classifyS3(r)
	c, apiErr := s.acct.Authenticate(r, nil, "s3")
	if apiErr == nil {
		apiErr = s.authorizeS3(c, call, r)
	}
	// The record names the service's own host, as a path-style request to
	// S3 has it, never the lab's address the request really went to.
	params := map[string]any{"Host": "s3." + s.acct.Region + ".amazonaws.com"}
	if call.bucket != "" {
		params["bucketName"] = call.bucket
	}
	if call.Key != "" {
		params["key"] = call.Key
	}
	if p := r.URL.Query().Get("prefix"); p != "" {
		params["prefix"] = p
	}
	if call.event == "PutBucketPolicy" {
		params["bucketPolicy"] = recordedPolicy(r)
	}
	logged := call.bucket != s.trailBucket || call.bucket == "" // reading the trail does not add to it
	if apiErr != nil {
		if logged {
			s.acct.Record(c, "s3.amazonaws.com", call.event, params, nil, apiErr, call.data)
		}
		writeS3Error(w, apiErr)
		return
	}
	rec := &recorder{ResponseWriter: w}
	switch call.event {
	case "GetBucketPolicy", "PutBucketPolicy", "DeleteBucketPolicy", "GetBucketAcl", "PutBucketAcl",
		"GetBucketPublicAccessBlock", "PutBucketPublicAccessBlock", "DeleteBucketPublicAccessBlock", "GetObjectAcl", "PutObjectAcl",
		"GetBucketWebsite", "PutBucketWebsite", "DeleteBucketWebsite":
		if e := s.bucketSettings(rec, r, call); e != nil {
			apiErr = e
			writeS3Error(w, e)
		}
	case "ListBuckets":
		s.listBuckets(rec)
	case "GetBucketVersioning":
		if e := s.versioning(rec, call.bucket); e != nil {
			apiErr = e
			writeS3Error(w, e)
		}
	case "CopyObject":
		if b, k, version, ok := copySource(r.Header.Get("X-Amz-Copy-Source")); ok && version != "" {
			if e := s.copyVersion(rec, c, call, b, k, version); e != nil {
				apiErr = e
				writeS3Error(w, e)
			}
			break
		}
		// The current object is read as GetObject reads it: a caller
		// who may write the target but not read the source is refused.
		if b, k, ok := copySourceCurrent(r.Header.Get("X-Amz-Copy-Source")); ok {
			src := s3Call{event: "GetObject", action: "s3:GetObject", bucket: b, Key: k, resource: "arn:aws:s3:::" + b + "/" + k, data: true, read: true}
			if e := s.authorizeS3(c, src, nil); e != nil {
				apiErr = e
				writeS3Error(w, e)
				break
			}
		}
		s.objects.ServeHTTP(rec, r)
		if rec.status >= 300 {
			apiErr = &account.APIError{Status: rec.status, Code: rec.errorCode()}
		}
	default:
		if r.Method == http.MethodHead && r.URL.Query().Has("versionId") {
			// A version's head: gofakes3 answers HEAD for the current
			// version only, so it is a GET of that version with the body
			// left unsent.
			get := r.Clone(r.Context()) // the server still answers the HEAD it was sent
			get.Method = http.MethodGet
			s.objects.ServeHTTP(headOnly{rec}, get)
		} else {
			s.objects.ServeHTTP(rec, r)
		}
		if rec.status >= 300 {
			apiErr = &account.APIError{Status: rec.status, Code: rec.errorCode()}
		} else if call.event == "CreateBucket" {
			s.acct.Lock()
			if s.acct.Buckets[call.bucket] == nil {
				s.acct.Buckets[call.bucket] = &account.Bucket{}
			}
			s.acct.Unlock()
		} else if acl := r.Header.Get("X-Amz-Acl"); call.event == "PutObject" && acl != "" {
			// A canned ACL given with the upload (s3 cp --acl public-read).
			s.acct.Lock()
			if meta := s.acct.Buckets[call.bucket]; meta != nil {
				if meta.ObjectACLs == nil {
					meta.ObjectACLs = map[string]bool{}
				}
				meta.ObjectACLs[call.Key] = strings.Contains(acl, "public")
			}
			s.acct.Unlock()
		}
	}
	if logged {
		s.acct.Record(c, "s3.amazonaws.com", call.event, params, nil, apiErr, call.data)
	}
}

// recordedPolicy is the policy a PutBucketPolicy call puts, as its record
// keeps it: the document itself, as a JSON object. The body is read here
// and left for the call to read again.
func recordedPolicy(r *http.Request) any {
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	r.Body = io.NopCloser(bytes.NewReader(body))
	var doc map[string]any
	if err != nil || json.Unmarshal(body, &doc) != nil {
		return string(body)
	}
	return doc
}

// authorizeS3 decides as S3 does: an explicit Deny in the caller's or
// the bucket's policy refuses; an Allow in either admits (a public-read
// ACL admits reads by anyone), unless the bucket blocks public access.
func (s *Service) authorizeS3(c account.Caller, call s3Call, r *http.Request) *account.APIError {
	s.acct.Lock()
	defer s.acct.Unlock()
	meta := s.acct.Buckets[call.bucket]
	var docs []*policy.Document
	if c.Key != nil {
		docs = s.acct.IdentityPolicies(c.Key)
	}
	var bucketPolicy *policy.Document
	if meta != nil && meta.Policy != "" && !(c.Anonymous() && meta.Block.RestrictPublicBuckets) {
		bucketPolicy = s.acct.Document(meta.Policy)
	}
	req := policy.Request{Action: call.action, Resource: call.resource, Principal: c.ARN(s.acct.ID), SourceIP: c.SourceIP,
		TokenIssued: c.Key.Issued(), Now: s.acct.Now(), Context: c.ConditionContext(s.acct.ID)}
	if r != nil && call.action == "s3:ListBucket" {
		// A listing's own keys, present when the request names them.
		q := r.URL.Query()
		if q.Has("prefix") {
			req.Context["s3:prefix"] = q.Get("prefix")
		}
		if q.Has("delimiter") {
			req.Context["s3:delimiter"] = q.Get("delimiter")
		}
	}
	switch policy.Evaluate(req, append(docs, bucketPolicy)...) {
	case policy.Denied:
		return account.AccessDenied(c, s.acct.ID, call.action, call.resource)
	case policy.Allowed:
		if !c.Anonymous() || bucketPolicy != nil {
			return nil
		}
	}
	// An ACL's READ for everyone: the bucket's lets anyone list, an
	// object's (or the bucket's, where the object has none) lets anyone
	// read the object.
	public := meta != nil && (call.Key == "" && meta.PublicACL || call.Key != "" && meta.ObjectPublic(call.Key))
	if call.read && public && !meta.Block.IgnorePublicAcls {
		return nil
	}
	if c.Anonymous() {
		return &account.APIError{Status: http.StatusForbidden, Code: "AccessDenied", Message: "Access Denied"}
	}
	return account.AccessDenied(c, s.acct.ID, call.action, call.resource)
}

// bucketSettings serves the bucket sub-resources the labs harden: policy,
// ACL and the public access block.
func (s *Service) bucketSettings(w http.ResponseWriter, r *http.Request, call s3Call) *account.APIError {
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil {
		return &account.APIError{Status: http.StatusBadRequest, Code: "IncompleteBody", Message: "could not read the body"}
	}
	s.acct.Lock()
	defer s.acct.Unlock()
	meta := s.acct.Buckets[call.bucket]
	if meta == nil {
		return &account.APIError{Status: http.StatusNotFound, Code: "NoSuchBucket", Message: "The specified bucket does not exist"}
	}
	switch call.event {
	case "GetBucketPolicy":
		if meta.Policy == "" {
			return &account.APIError{Status: http.StatusNotFound, Code: "NoSuchBucketPolicy", Message: "The bucket policy does not exist"}
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, meta.Policy)
	case "PutBucketPolicy":
		doc, err := policy.Parse(string(body))
		if err != nil {
			return &account.APIError{Status: http.StatusBadRequest, Code: "MalformedPolicy", Message: err.Error()}
		}
		if meta.Block.BlockPublicPolicy && doc.Public() {
			return &account.APIError{Status: http.StatusForbidden, Code: "AccessDenied", Message: "Access Denied: public policies are blocked by the BlockPublicPolicy block public access setting."}
		}
		meta.Policy = string(body)
		w.WriteHeader(http.StatusNoContent)
	case "DeleteBucketPolicy":
		meta.Policy = ""
		w.WriteHeader(http.StatusNoContent)
	case "GetBucketWebsite":
		if meta.Website == "" {
			return &account.APIError{Status: http.StatusNotFound, Code: "NoSuchWebsiteConfiguration", Message: "The specified bucket does not have a website configuration"}
		}
		w.Header().Set("Content-Type", "application/xml")
		_ = xml.NewEncoder(w).Encode(websiteConfig{Xmlns: "http://s3.amazonaws.com/doc/2006-03-01/", Index: websiteSuffix{meta.Website}})
	case "PutBucketWebsite":
		var cfg websiteConfig
		if err := xml.Unmarshal(body, &cfg); err != nil || cfg.Index.Suffix == "" {
			return &account.APIError{Status: http.StatusBadRequest, Code: "MalformedXML", Message: "The XML you provided was not well-formed or did not validate against our published schema"}
		}
		meta.Website = cfg.Index.Suffix
	case "DeleteBucketWebsite":
		meta.Website = ""
		w.WriteHeader(http.StatusNoContent)
	case "GetBucketAcl":
		writeACL(w, s.acct.ID, meta.PublicACL)
	case "GetObjectAcl", "PutObjectAcl":
		if _, err := s.backend.HeadObject(call.bucket, call.Key); err != nil {
			return &account.APIError{Status: http.StatusNotFound, Code: "NoSuchKey", Message: "The specified key does not exist."}
		}
		if call.event == "GetObjectAcl" {
			writeACL(w, s.acct.ID, meta.ObjectPublic(call.Key))
			break
		}
		public := strings.Contains(r.Header.Get("X-Amz-Acl"), "public") || bytes.Contains(body, []byte("global/AllUsers"))
		if public && meta.Block.BlockPublicAcls {
			return &account.APIError{Status: http.StatusForbidden, Code: "AccessDenied", Message: "Access Denied: public ACLs are blocked by the BlockPublicAcls block public access setting."}
		}
		if meta.ObjectACLs == nil {
			meta.ObjectACLs = map[string]bool{}
		}
		meta.ObjectACLs[call.Key] = public
	case "PutBucketAcl":
		public := strings.Contains(r.Header.Get("X-Amz-Acl"), "public") || bytes.Contains(body, []byte("global/AllUsers"))
		if public && meta.Block.BlockPublicAcls {
			return &account.APIError{Status: http.StatusForbidden, Code: "AccessDenied", Message: "Access Denied: public ACLs are blocked by the BlockPublicAcls block public access setting."}
		}
		meta.PublicACL = public
	case "GetBucketPublicAccessBlock":
		w.Header().Set("Content-Type", "application/xml")
		_ = xml.NewEncoder(w).Encode(struct {
			XMLName xml.Name `xml:"PublicAccessBlockConfiguration"`
			account.PublicAccessBlock
		}{PublicAccessBlock: meta.Block})
	case "PutBucketPublicAccessBlock":
		var cfg account.PublicAccessBlock
		if err := xml.Unmarshal(body, &cfg); err != nil {
			return &account.APIError{Status: http.StatusBadRequest, Code: "MalformedXML", Message: "The XML you provided was not well-formed"}
		}
		meta.Block = cfg
	case "DeleteBucketPublicAccessBlock":
		meta.Block = account.PublicAccessBlock{}
		w.WriteHeader(http.StatusNoContent)
	}
	return nil
}

func writeACL(w http.ResponseWriter, account string, public bool) {
	type grantee struct {
		XSI  string `xml:"xmlns:xsi,attr"`
		Type string `xml:"xsi:type,attr"`
		ID   string `xml:"ID,omitempty"`
		URI  string `xml:"URI,omitempty"`
	}
	type grant struct {
		Grantee    grantee `xml:"Grantee"`
		Permission string  `xml:"Permission"`
	}
	const xsi = "http://www.w3.org/2001/XMLSchema-instance"
	grants := []grant{{grantee{xsi, "CanonicalUser", account, ""}, "FULL_CONTROL"}}
	if public {
		grants = append(grants, grant{grantee{xsi, "Group", "", "http://acs.amazonaws.com/groups/global/AllUsers"}, "READ"})
	}
	w.Header().Set("Content-Type", "application/xml")
	_ = xml.NewEncoder(w).Encode(struct {
		XMLName xml.Name `xml:"AccessControlPolicy"`
		OwnerID string   `xml:"Owner>ID"`
		Grants  []grant  `xml:"AccessControlList>Grant"`
	}{OwnerID: account, Grants: grants})
}

func writeS3Error(w http.ResponseWriter, e *account.APIError) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(e.Status)
	_ = xml.NewEncoder(w).Encode(struct {
		XMLName   xml.Name `xml:"Error"`
		Code      string   `xml:"Code"`
		Message   string   `xml:"Message"`
		RequestID string   `xml:"RequestId"`
	}{Code: e.Code, Message: e.Message, RequestID: account.NewRequestID()})
}

// listBuckets answers ListBuckets with the account as the owner: its id,
// and no display name, which S3 no longer returns.
func (s *Service) listBuckets(w http.ResponseWriter) {
	buckets, err := s.backend.ListBuckets()
	if err != nil {
		writeS3Error(w, &account.APIError{Status: http.StatusInternalServerError, Code: "InternalError", Message: err.Error()})
		return
	}
	type bucket struct {
		Name         string `xml:"Name"`
		CreationDate string `xml:"CreationDate"`
	}
	out := struct {
		XMLName xml.Name `xml:"ListAllMyBucketsResult"`
		Xmlns   string   `xml:"xmlns,attr"`
		OwnerID string   `xml:"Owner>ID"`
		Buckets []bucket `xml:"Buckets>Bucket"`
	}{Xmlns: "http://s3.amazonaws.com/doc/2006-03-01/", OwnerID: s.acct.ID}
	for _, b := range buckets {
		out.Buckets = append(out.Buckets, bucket{b.Name, b.CreationDate.UTC().Format("2006-01-02T15:04:05.000Z")})
	}
	w.Header().Set("Content-Type", "application/xml")
	_ = xml.NewEncoder(w).Encode(out)
}

// headOnly passes a response's status and headers on and drops its body.
type headOnly struct{ http.ResponseWriter }

func (h headOnly) Write(b []byte) (int, error) { return len(b), nil }

// recorder notes the status and, for errors, the body (to log the code).
type recorder struct {
	http.ResponseWriter
	status int
	errBuf bytes.Buffer
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	if r.status >= 300 && r.errBuf.Len() < 4096 {
		r.errBuf.Write(b)
	}
	return r.ResponseWriter.Write(b)
}

func (r *recorder) errorCode() string {
	var e struct {
		Code string `xml:"Code"`
	}
	_ = xml.Unmarshal(r.errBuf.Bytes(), &e)
	return e.Code
}

// websiteConfig is a bucket's static website configuration, as far as the
// lab keeps it: the index document.
type websiteConfig struct {
	XMLName xml.Name      `xml:"WebsiteConfiguration"`
	Xmlns   string        `xml:"xmlns,attr,omitempty"`
	Index   websiteSuffix `xml:"IndexDocument"`
}

type websiteSuffix struct {
	Suffix string `xml:"Suffix"`
}
