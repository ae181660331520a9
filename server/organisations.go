package server

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/audit"
	"github.com/sakimori/sakimori/cohorts"
	"github.com/sakimori/sakimori/server/auth"
)

// organisationsAPI serves the range's partner organisations and who
// belongs to them; the cohorts service decides who may see and change what.
type organisationsAPI struct {
	cohorts *cohorts.Service
	audit   audit.Recorder
}

// cohortActor is the signed-in person as the cohorts service sees them.
func cohortActor(c *fiber.Ctx) cohorts.Actor {
	p := auth.PrincipalOf(c)
	return cohorts.Actor{UserID: p.UserID, Role: p.Role}
}

type organisationView struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Slug      string    `json:"slug"`
	Kind      string    `json:"kind"`
	CreatedAt time.Time `json:"created_at"`
}

func organisationViewOf(o cohorts.Organisation) organisationView {
	return organisationView{ID: o.ID, Name: o.Name, Slug: o.Slug, Kind: string(o.Kind), CreatedAt: o.CreatedAt}
}

type organisationList struct {
	Organisations []organisationView `json:"organisations"`
}

type personView struct {
	ID          string `json:"id"`
	Email       string `json:"email"`
	DisplayName string `json:"display_name"`
}

type orgMemberView struct {
	Person   personView `json:"person"`
	Role     string     `json:"role"`
	JoinedAt time.Time  `json:"joined_at"`
}

type orgMemberList struct {
	Members []orgMemberView `json:"members"`
}

type createOrganisationRequest struct {
	Name string `json:"name"`
	Slug string `json:"slug"`
	Kind string `json:"kind"`
}

func (h organisationsAPI) create(c *fiber.Ctx) error {
	var req createOrganisationRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	o, err := h.cohorts.CreateOrganisation(c.UserContext(), cohortActor(c), cohorts.NewOrganisation{
		Name: req.Name, Slug: req.Slug, Kind: cohorts.OrgKind(req.Kind),
	})
	if err != nil {
		return err
	}
	if err := recordAction(c, h.audit, audit.Entry{Action: audit.OrganisationCreate, TargetKind: "organisation", TargetID: o.ID,
		Detail: map[string]string{"slug": o.Slug}}); err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(organisationViewOf(o))
}

func (h organisationsAPI) list(c *fiber.Ctx) error {
	list, err := h.cohorts.Organisations(c.UserContext(), cohortActor(c))
	if err != nil {
		return err
	}
	views := make([]organisationView, len(list))
	for i, o := range list {
		views[i] = organisationViewOf(o)
	}
	return c.JSON(organisationList{Organisations: views})
}

func (h organisationsAPI) get(c *fiber.Ctx) error {
	o, err := h.cohorts.Organisation(c.UserContext(), cohortActor(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(organisationViewOf(o))
}

func (h organisationsAPI) members(c *fiber.Ctx) error {
	list, err := h.cohorts.OrgMembers(c.UserContext(), cohortActor(c), c.Params("id"))
	if err != nil {
		return err
	}
	views := make([]orgMemberView, len(list))
	for i, m := range list {
		views[i] = orgMemberViewOf(m)
	}
	return c.JSON(orgMemberList{Members: views})
}

func orgMemberViewOf(m cohorts.OrgMembership) orgMemberView {
	return orgMemberView{Person: personViewOf(m.Person), Role: string(m.Role), JoinedAt: m.JoinedAt}
}

func personViewOf(p cohorts.Person) personView {
	return personView{ID: p.ID, Email: p.Email, DisplayName: p.DisplayName}
}

type memberRequest struct {
	Email string `json:"email"`
	Role  string `json:"role"`
}

// putMember adds a person with a role, or changes the role they hold.
func (h organisationsAPI) putMember(c *fiber.Ctx) error {
	var req memberRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	m, err := h.cohorts.PutOrgMember(c.UserContext(), cohortActor(c), c.Params("id"), req.Email, cohorts.OrgRole(req.Role))
	if err != nil {
		return err
	}
	if err := recordAction(c, h.audit, audit.Entry{Action: audit.OrganisationMemberPut, TargetKind: "organisation", TargetID: m.OrganisationID,
		Detail: map[string]string{"user": m.Person.ID, "role": string(m.Role)}}); err != nil {
		return err
	}
	return c.JSON(orgMemberViewOf(m))
}

func (h organisationsAPI) removeMember(c *fiber.Ctx) error {
	if err := h.cohorts.RemoveOrgMember(c.UserContext(), cohortActor(c), c.Params("id"), c.Params("user")); err != nil {
		return err
	}
	if err := recordAction(c, h.audit, audit.Entry{Action: audit.OrganisationMemberRemove, TargetKind: "organisation", TargetID: strings.Clone(c.Params("id")),
		Detail: map[string]string{"user": strings.Clone(c.Params("user"))}}); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
