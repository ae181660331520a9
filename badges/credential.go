package badges

import (
	"fmt"
	"strconv"
	"time"
)

// Achievement kinds: a scenario completed, or a NICE work role attained.
const (
	KindScenario = "scenario"
	KindWorkRole = "work-role"
)

// Frameworks named in alignments.
const (
	FrameworkNICE   = "NICE Workforce Framework for Cybersecurity"
	FrameworkAttack = "MITRE ATT&CK"
)

// Alignment ties an achievement to an item of a framework.
type Alignment struct {
	Framework string // FrameworkNICE or FrameworkAttack
	Code      string // the item's id: a work role id, a technique id
	Name      string
	URL       string // where the item is described
}

// Achievement is what a badge says its holder did.
type Achievement struct {
	Kind        string // KindScenario or KindWorkRole
	Ref         string // the scenario id or the work role id
	Name        string
	Description string
	Criteria    string
	Alignments  []Alignment
}

// Award is one badge earned by one trainee: what the credential states.
type Award struct {
	ID          string // opaque, stable: names the credential
	Achievement Achievement
	Holder      string // the trainee's display name, as they chose to show it
	Issued      time.Time
	StatusIndex int // the award's bit in the issuer's revocation list
}

// credentialJSON is the unsigned OpenBadgeCredential, in the shape the
// Open Badges 3.0 specification gives over the VC Data Model 2.0.
func credentialJSON(u URLs, issuerName string, a Award) map[string]any {
	alignments := make([]any, 0, len(a.Achievement.Alignments))
	for _, al := range a.Achievement.Alignments {
		alignments = append(alignments, map[string]any{
			"type":            []any{"Alignment"},
			"targetName":      al.Name,
			"targetFramework": al.Framework,
			"targetCode":      al.Code,
			"targetUrl":       al.URL,
		})
	}
	achievement := map[string]any{
		"id":              u.Achievement(a.Achievement.Kind, a.Achievement.Ref),
		"type":            []any{"Achievement"},
		"achievementType": achievementType(a.Achievement.Kind),
		"name":            a.Achievement.Name,
		"description":     a.Achievement.Description,
		"criteria":        map[string]any{"narrative": a.Achievement.Criteria},
	}
	if len(alignments) > 0 {
		achievement["alignment"] = alignments
	}
	return map[string]any{
		"@context": []any{CredentialsContext, OpenBadgesContext},
		"id":       u.Credential(a.ID),
		"type":     []any{"VerifiableCredential", "OpenBadgeCredential"},
		"name":     a.Achievement.Name,
		"issuer": map[string]any{
			"id":   u.Issuer(),
			"type": []any{"Profile"},
			"name": issuerName,
			"url":  u.Base,
		},
		"validFrom": a.Issued.UTC().Format(time.RFC3339),
		"credentialSubject": map[string]any{
			"type": []any{"AchievementSubject"},
			// The holder is named, not identified by an email or account
			// id: the badge is theirs to show, and says no more than that.
			"identifier": []any{map[string]any{
				"type":         "IdentityObject",
				"identityHash": a.Holder,
				"identityType": "name",
				"hashed":       false,
			}},
			"achievement": achievement,
		},
		"credentialStatus": map[string]any{
			"id":                   fmt.Sprintf("%s#%d", u.StatusList(), a.StatusIndex),
			"type":                 "BitstringStatusListEntry",
			"statusPurpose":        "revocation",
			"statusListIndex":      strconv.Itoa(a.StatusIndex),
			"statusListCredential": u.StatusList(),
		},
	}
}

func achievementType(kind string) string {
	if kind == KindWorkRole {
		return "Competency"
	}
	return "Badge"
}
