package ec2

import (
	"strconv"

	"github.com/sakimori/sakimori/sim/aws/account"
)

// DescribeIamInstanceProfileAssociations: which role each instance runs
// as, which a responder asks to find every instance behind a role.
func describeProfileAssociations(a *account.Account, q *account.Call) (any, *account.APIError) {
	if e := a.Authorize(q, "ec2:DescribeIamInstanceProfileAssociations", "*"); e != nil {
		return nil, e
	}
	wanted := account.ListParam(q.Params, "AssociationId")
	filters := filtersOf(q)
	type profile struct {
		Arn string `xml:"arn"`
		ID  string `xml:"id"`
	}
	type association struct {
		AssociationID string  `xml:"associationId"`
		InstanceID    string  `xml:"instanceId"`
		Profile       profile `xml:"iamInstanceProfile"`
		State         string  `xml:"state"`
	}
	out := &struct {
		ec2Response
		Associations []association `xml:"iamInstanceProfileAssociationSet>item"`
	}{}
	a.Lock()
	defer a.Unlock()
	for _, id := range account.SortedKeys(a.Instances) {
		i := inRegion(a, q, id)
		if i == nil || i.Role == nil || i.State == "terminated" {
			continue
		}
		as := association{AssociationID: "iip-assoc-" + id[2:], InstanceID: id, State: "associated",
			Profile: profile{"arn:aws:iam::" + a.ID + ":instance-profile/" + i.Role.Name, ProfileID(i.Role)}}
		if len(wanted) > 0 && !contains(wanted, as.AssociationID) ||
			!filters.allow("instance-id", as.InstanceID) || !filters.allow("state", as.State) {
			continue
		}
		out.Associations = append(out.Associations, as)
	}
	return out, nil
}

// filters are a call's Filter.N.Name / Filter.N.Value.M parameters.
type filters map[string][]string

func filtersOf(q *account.Call) filters {
	f := filters{}
	for n := 1; ; n++ {
		name := q.Params.Get("Filter." + strconv.Itoa(n) + ".Name")
		if name == "" {
			return f
		}
		f[name] = account.ListParam(q.Params, "Filter."+strconv.Itoa(n)+".Value")
	}
}

// allow reports whether value passes the filter of that name, if any.
func (f filters) allow(name, value string) bool {
	values, ok := f[name]
	return !ok || contains(values, value)
}
