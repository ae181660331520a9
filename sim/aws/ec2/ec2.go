// Package ec2 is the emulated compute control plane: the instances the
// lab's hosts stand for, their metadata options, the instances an
// intruder starts (which exist in the control plane only), and the role
// credentials each instance's metadata service hands out.
package ec2

import (
	"github.com/sakimori/sakimori/sim/aws/account"

	"net/http"
	"strconv"
	"time"
)

// Actions are the EC2 actions the lab serves.
var Actions = map[string]account.Handler{
	"DescribeInstances": describeInstances, "ModifyInstanceMetadataOptions": modifyMetadataOptions,
	"RunInstances": runInstances, "TerminateInstances": terminateInstances, "DescribeRegions": describeRegions,
	"StopInstances": stopInstances, "StartInstances": startInstances,
	"DescribeIamInstanceProfileAssociations": describeProfileAssociations,
}

type ec2State struct {
	Code int    `xml:"code"`
	Name string `xml:"name"`
}

type metadataOptions struct {
	State        string `xml:"state"`
	HTTPTokens   string `xml:"httpTokens"`
	HopLimit     int    `xml:"httpPutResponseHopLimit"`
	HTTPEndpoint string `xml:"httpEndpoint"`
}

type ec2Instance struct {
	InstanceID       string   `xml:"instanceId"`
	ImageID          string   `xml:"imageId"`
	State            ec2State `xml:"instanceState"`
	PrivateIPAddress string   `xml:"privateIpAddress,omitempty"`
	InstanceType     string   `xml:"instanceType"`
	LaunchTime       string   `xml:"launchTime"`
	Placement        struct {
		AvailabilityZone string `xml:"availabilityZone"`
	} `xml:"placement"`
	Profile *struct {
		Arn string `xml:"arn"`
		ID  string `xml:"id"`
	} `xml:"iamInstanceProfile,omitempty"`
	MetadataOptions metadataOptions `xml:"metadataOptions"`
}

type reservation struct {
	ReservationID string        `xml:"reservationId"`
	OwnerID       string        `xml:"ownerId"`
	Instances     []ec2Instance `xml:"instancesSet>item"`
}

type ec2Response struct {
	RequestID string `xml:"requestId"`
}

func (r *ec2Response) SetRequestID(id string) { r.RequestID = id }

func instanceView(a *account.Account, i *account.Instance) ec2Instance {
	v := ec2Instance{InstanceID: i.ID, ImageID: i.Image, State: stateOf(a, i), InstanceType: i.Type,
		LaunchTime:      i.Launched.UTC().Format(time.RFC3339),
		MetadataOptions: metadataOptions{"applied", i.HTTPTokens, 1, "enabled"}}
	v.Placement.AvailabilityZone = i.Region + "a"
	if a, ok := a.ShownAddress(i.Address); ok {
		v.PrivateIPAddress = a
	}
	if i.Role != nil {
		v.Profile = &struct {
			Arn string `xml:"arn"`
			ID  string `xml:"id"`
		}{"arn:aws:iam::" + a.ID + ":instance-profile/" + i.Role.Name, ProfileID(i.Role)}
	}
	return v
}

func describeInstances(a *account.Account, q *account.Call) (any, *account.APIError) {
	if e := a.Authorize(q, "ec2:DescribeInstances", "*"); e != nil {
		return nil, e
	}
	wanted := account.ListParam(q.Params, "InstanceId")
	a.Lock()
	defer a.Unlock()
	for _, id := range wanted {
		if inRegion(a, q, id) == nil {
			return nil, notFoundInstance(id)
		}
	}
	out := &struct {
		ec2Response
		Reservations []reservation `xml:"reservationSet>item"`
	}{}
	// Instances are listed in the reservations that made them, as on EC2:
	// one RunInstances of four miners is one reservation of four.
	at := map[string]int{}
	for _, id := range account.SortedKeys(a.Instances) {
		i := inRegion(a, q, id)
		if i == nil || len(wanted) > 0 && !contains(wanted, id) {
			continue
		}
		n, ok := at[i.Reservation]
		if !ok {
			n = len(out.Reservations)
			at[i.Reservation] = n
			out.Reservations = append(out.Reservations, reservation{i.Reservation, a.ID, nil})
		}
		out.Reservations[n].Instances = append(out.Reservations[n].Instances, instanceView(a, i))
	}
	return out, nil
}

// inRegion is the instance id names if it runs in the region the call was
// signed for: EC2 is regional, so an instance elsewhere does not exist
// for this call, as on AWS (where a miner in another region goes unseen
// by a responder who only looks at their default one). The caller holds
// a's lock.
func inRegion(a *account.Account, q *account.Call, id string) *account.Instance {
	if i := a.Instances[id]; i != nil && i.Region == q.Caller.Region {
		return i
	}
	return nil
}

func notFoundInstance(id string) *account.APIError {
	return &account.APIError{Status: http.StatusBadRequest, Code: "InvalidInstanceID.NotFound", Message: "The instance ID '" + id + "' does not exist"}
}

// ModifyInstanceMetadataOptions is the hardening the Metadata Heist
// teaches: HttpTokens=required turns IMDSv1 off for the instance.
func modifyMetadataOptions(a *account.Account, q *account.Call) (any, *account.APIError) {
	if e := account.Required(q.Params, "InstanceId"); e != nil {
		return nil, e
	}
	if e := a.Authorize(q, "ec2:ModifyInstanceMetadataOptions", "*"); e != nil {
		return nil, e
	}
	tokens := q.Params.Get("HttpTokens")
	if tokens != "" && tokens != "optional" && tokens != "required" {
		return nil, &account.APIError{Status: http.StatusBadRequest, Code: "InvalidParameterValue", Message: "Value (" + tokens + ") for parameter HttpTokens is invalid. Valid values: optional, required"}
	}
	a.Lock()
	defer a.Unlock()
	i := inRegion(a, q, q.Params.Get("InstanceId"))
	if i == nil || i.State == "terminated" {
		return nil, notFoundInstance(q.Params.Get("InstanceId"))
	}
	if tokens != "" {
		i.HTTPTokens = tokens
	}
	return &struct {
		ec2Response
		InstanceID string          `xml:"instanceId"`
		Options    metadataOptions `xml:"instanceMetadataOptions"`
	}{InstanceID: i.ID, Options: metadataOptions{"pending", i.HTTPTokens, 1, "enabled"}}, nil
}

// RunInstances makes instances that exist in the control plane only: the
// lab records that they were started (what a miner's launch looks like in
// the logs) without running anything.
func runInstances(a *account.Account, q *account.Call) (any, *account.APIError) {
	if e := a.Authorize(q, "ec2:RunInstances", "*"); e != nil {
		return nil, e
	}
	count, err := strconv.Atoi(q.Params.Get("MaxCount"))
	if err != nil || count < 1 || count > 20 {
		return nil, &account.APIError{Status: http.StatusBadRequest, Code: "InvalidParameterValue", Message: "MaxCount must be between 1 and 20"}
	}
	if e := account.Required(q.Params, "ImageId"); e != nil {
		return nil, e
	}
	typ := q.Params.Get("InstanceType")
	if typ == "" {
		typ = "m1.small"
	}
	a.Lock()
	defer a.Unlock()
	res := reservation{ReservationID: "r-" + account.HexID(17), OwnerID: a.ID}
	for range count {
		i := &account.Instance{ID: "i-" + account.HexID(17), Type: typ, Image: q.Params.Get("ImageId"), Region: q.Caller.Region, Reservation: res.ReservationID, HTTPTokens: "optional",
			State: "running", Launched: a.Now(), Simulated: true}
		a.Instances[i.ID] = i
		res.Instances = append(res.Instances, instanceView(a, i))
	}
	return &launched{reservation: res}, nil
}

// launched is RunInstances' answer.
type launched struct {
	ec2Response
	reservation
}

// AuditResponse lists the instances made, as CloudTrail's RunInstances
// record does: the way to tell from the trail what to terminate.
func (l *launched) AuditResponse() map[string]any {
	items := make([]any, len(l.Instances))
	for i, inst := range l.Instances {
		items[i] = map[string]any{"instanceId": inst.InstanceID, "imageId": inst.ImageID, "instanceType": inst.InstanceType,
			"instanceState": map[string]any{"code": inst.State.Code, "name": inst.State.Name}, "launchTime": inst.LaunchTime}
	}
	return map[string]any{"reservationId": l.ReservationID, "ownerId": l.OwnerID, "instancesSet": map[string]any{"items": items}}
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func describeRegions(a *account.Account, q *account.Call) (any, *account.APIError) {
	if e := a.Authorize(q, "ec2:DescribeRegions", "*"); e != nil {
		return nil, e
	}
	type region struct {
		Name     string `xml:"regionName"`
		Endpoint string `xml:"regionEndpoint"`
		OptIn    string `xml:"optInStatus"`
	}
	wanted := account.ListParam(q.Params, "RegionName")
	out := &struct {
		ec2Response
		Regions []region `xml:"regionInfo>item"`
	}{}
	for _, r := range account.Regions {
		if len(wanted) == 0 || contains(wanted, r) {
			out.Regions = append(out.Regions, region{r, "ec2." + r + ".amazonaws.com", "opt-in-not-required"})
		}
	}
	return out, nil
}
