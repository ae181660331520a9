package ec2

import (
	"time"

	"github.com/sakimori/sakimori/sim/aws/account"
	"github.com/sakimori/sakimori/sim/aws/trail"
)

// InstanceInfo is what the metadata service serves about its instance.
type InstanceInfo struct {
	ID         string `json:"id"`
	Type       string `json:"type"`
	Image      string `json:"image"`
	Role       string `json:"role"`
	HTTPTokens string `json:"httpTokens"`
	Address    string `json:"address"`
	Account    string `json:"account"`
	Region     string `json:"region"`
	ProfileID  string `json:"profileId"` // the instance profile's id, as DescribeInstances shows it
}

// ProfileID is the id of the instance profile that carries role r: one
// id, whether DescribeInstances or the metadata service tells it.
func ProfileID(r *account.Role) string { return "AIPA" + r.ID[4:] }

// RoleCredentials is the metadata service's credentials document.
type RoleCredentials struct {
	Code            string `json:"Code"`
	LastUpdated     string `json:"LastUpdated"`
	Type            string `json:"Type"`
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string `json:"SecretAccessKey"`
	Token           string `json:"Token"`
	Expiration      string `json:"Expiration"`
}

// instanceCredentialLifetime is what EC2 gives instance credentials.
const instanceCredentialLifetime = 6 * time.Hour

// Credentials hands the instance its role's session, reusing it
// until close to expiry as EC2 does, and records the delivery with the
// metadata protocol version: what tells a defender that IMDSv1 (the one
// an SSRF can reach) gave the key out.
func Credentials(a *account.Account, inst *account.Instance, version, path string) (RoleCredentials, bool) {
	a.Lock()
	if inst.Role == nil {
		a.Unlock()
		return RoleCredentials{}, false
	}
	now := a.Now()
	k := a.InstanceSessions[inst.ID]
	// EC2 rotates an instance's credentials well before they expire. The
	// lab also rotates them once the role's policies change: on AWS an
	// instance whose role had its older sessions revoked waits for the
	// next rotation, which would strand the lab's app for up to an hour.
	if k == nil || now.After(k.Expires.Add(-15*time.Minute)) || k.Created.Before(inst.Role.PoliciesChanged) {
		k = a.MintSession(inst.Role, inst.ID, instanceCredentialLifetime, now)
		a.InstanceSessions[inst.ID] = k
	}
	roleName, address := inst.Role.Name, inst.Address
	a.Unlock()
	shown, _ := a.ShownAddress(address)
	a.Trail.Add(trail.Record{
		EventSource: "ec2.amazonaws.com", EventName: "InstanceMetadataCredentials", EventType: "AwsServiceEvent",
		AWSRegion: inst.Region, SourceIPAddress: shown, UserAgent: "ec2-instance-metadata",
		UserIdentity:        trail.Identity{Type: "AWSService", PrincipalID: "ec2.amazonaws.com"},
		RequestParameters:   map[string]any{"instanceId": inst.ID, "roleName": roleName, "path": path},
		ResponseElements:    map[string]any{"accessKeyId": k.ID, "expiration": k.Expires.UTC().Format(time.RFC3339)},
		AdditionalEventData: map[string]any{"imdsVersion": version},
		RecipientAccountID:  a.ID, ReadOnly: true,
	}, now)
	return RoleCredentials{Code: "Success", LastUpdated: k.Created.UTC().Format(time.RFC3339), Type: "AWS-HMAC",
		AccessKeyID: k.ID, SecretAccessKey: k.Secret, Token: k.Token, Expiration: k.Expires.UTC().Format(time.RFC3339)}, true
}
