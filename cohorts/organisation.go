// Package cohorts holds the range's partners and their classes: the
// organisations (universities, academies, companies), who belongs to each
// and in what role, the cohorts an organisation runs, and who is in each.
// Assignments, events and partner reports hang off these entities, so every
// row keeps its history: removing a person stamps removed_at and never
// deletes what they did. Who may see and change what is decided here, in
// the Service, not in the web layer. It knows nothing of HTTP or SQL.
package cohorts

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sakimori/sakimori/fault"
)

// OrgKind says what sort of partner an organisation is.
type OrgKind string

const (
	University OrgKind = "university"
	Academy    OrgKind = "academy"
	Company    OrgKind = "company"
)

func (k OrgKind) valid() bool { return k == University || k == Academy || k == Company }

// Organisation is one partner of the range. Its id is the stable handle
// partner integrations keep; its slug is the short name people type.
type Organisation struct {
	ID        string
	Name      string
	Slug      string // lower-case letters, digits and hyphens; unique
	Kind      OrgKind
	CreatedAt time.Time
}

// OrgRole is what a person may do within one organisation.
type OrgRole string

const (
	OrgAdmin      OrgRole = "org_admin"  // manages the organisation's instructors and cohorts
	OrgInstructor OrgRole = "instructor" // runs cohorts of the organisation
	OrgMember     OrgRole = "member"     // belongs, and nothing more
)

func (r OrgRole) valid() bool { return r == OrgAdmin || r == OrgInstructor || r == OrgMember }

// OrgMembership is one person's place in an organisation. A removed member's
// row stays, with RemovedAt set; joining again makes a new row.
type OrgMembership struct {
	ID             string
	OrganisationID string
	Person         Person
	Role           OrgRole
	JoinedAt       time.Time
	RemovedAt      *time.Time
}

// Person is an account as the cohorts see it.
type Person struct {
	ID          string
	Email       string
	DisplayName string
}

const maxNameLength = 120

var slugPattern = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$`)

// NewOrganisation is what a range admin gives to make an organisation.
type NewOrganisation struct {
	Name string
	Slug string
	Kind OrgKind
}

func (in NewOrganisation) clean() (NewOrganisation, error) {
	name, err := cleanName(in.Name)
	if err != nil {
		return in, err
	}
	in.Name = name
	in.Slug = strings.TrimSpace(in.Slug)
	if in.Slug == "" {
		return in, fault.InvalidField("slug", "slug_required", "Give the organisation a short name of letters, digits and hyphens, like tokyo-tech.")
	}
	if !slugPattern.MatchString(in.Slug) {
		return in, fault.InvalidField("slug", "slug_invalid", "A short name has 1 to 40 lower-case letters, digits and hyphens, and no hyphen at either end.")
	}
	if !in.Kind.valid() {
		return in, fault.InvalidField("kind", "organisation_kind_invalid", "Kind must be university, academy or company.")
	}
	return in, nil
}

// cleanName trims a name and refuses an empty, overlong or unprintable one.
func cleanName(raw string) (string, error) {
	name := strings.TrimSpace(raw)
	if name == "" {
		return "", fault.InvalidField("name", "name_required", "Enter a name.")
	}
	if utf8.RuneCountInString(name) > maxNameLength || !utf8.ValidString(name) || strings.ContainsFunc(name, isControl) {
		return "", fault.InvalidField("name", "name_invalid", "A name has at most 120 printable characters.")
	}
	return name, nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }
