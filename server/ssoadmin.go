package server

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/accounts/sso"
	"github.com/sakimori/sakimori/audit"
	"github.com/sakimori/sakimori/cohorts"
)

// ssoAdminAPI lets range admins configure organisations' identity
// providers and read why sign-ins through them were refused.
type ssoAdminAPI struct {
	sso     *sso.Service
	cohorts *cohorts.Service
	audit   audit.Recorder
}

type ssoProviderView struct {
	ID               string    `json:"id"`
	OrganisationID   string    `json:"organisation_id"`
	Name             string    `json:"name"`
	Protocol         string    `json:"protocol"`
	Enabled          bool      `json:"enabled"`
	Issuer           string    `json:"issuer"`
	ClientID         string    `json:"client_id"`
	HasClientSecret  bool      `json:"has_client_secret"`
	Metadata         string    `json:"metadata"`
	MetadataURL      string    `json:"metadata_url"`
	AllowedDomains   []string  `json:"allowed_domains"`
	RoleClaim        string    `json:"role_claim"`
	InstructorValues []string  `json:"instructor_values"`
	Logout           bool      `json:"logout"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

func ssoProviderViewOf(p sso.Provider) ssoProviderView {
	return ssoProviderView{
		ID: p.ID, OrganisationID: p.OrganisationID, Name: p.Name, Protocol: string(p.Protocol), Enabled: p.Enabled,
		Issuer: p.Issuer, ClientID: p.ClientID, HasClientSecret: p.SealedSecret != "", Metadata: p.Metadata, MetadataURL: p.MetadataURL,
		AllowedDomains: p.AllowedDomains, RoleClaim: p.RoleClaim, InstructorValues: p.InstructorValues, Logout: p.Logout,
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
	}
}

type ssoFailureView struct {
	ProviderID string    `json:"provider_id"`
	At         time.Time `json:"at"`
	Code       string    `json:"code"`
	Message    string    `json:"message"`
	Detail     string    `json:"detail"`
}

type ssoSettingsView struct {
	PasswordsOff bool              `json:"passwords_off"`
	Providers    []ssoProviderView `json:"providers"`
	Failures     []ssoFailureView  `json:"failures"`
}

// settings shows an organisation's providers, its password switch and the
// latest refused sign-ins.
func (a ssoAdminAPI) settings(c *fiber.Ctx) error {
	o, err := a.cohorts.Organisation(c.UserContext(), cohortActor(c), c.Params("id"))
	if err != nil {
		return err
	}
	s, err := a.sso.Settings(c.UserContext(), o.ID)
	if err != nil {
		return err
	}
	out := ssoSettingsView{PasswordsOff: s.PasswordsOff, Providers: []ssoProviderView{}, Failures: []ssoFailureView{}}
	for _, p := range s.Providers {
		out.Providers = append(out.Providers, ssoProviderViewOf(p))
	}
	for _, f := range s.Failures {
		out.Failures = append(out.Failures, ssoFailureView{ProviderID: f.ProviderID, At: f.At, Code: f.Code, Message: f.Message, Detail: f.Detail})
	}
	return c.JSON(out)
}

type ssoSettingsRequest struct {
	PasswordsOff bool `json:"passwords_off"`
}

func (a ssoAdminAPI) putSettings(c *fiber.Ctx) error {
	var req ssoSettingsRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	o, err := a.cohorts.Organisation(c.UserContext(), cohortActor(c), c.Params("id"))
	if err != nil {
		return err
	}
	if err := a.sso.SetPasswordsOff(c.UserContext(), o.ID, req.PasswordsOff); err != nil {
		return err
	}
	if err := recordAction(c, a.audit, audit.Entry{Action: audit.SSOSettingsChange, TargetKind: "organisation", TargetID: o.ID,
		Detail: map[string]string{"passwords_off": strconv.FormatBool(req.PasswordsOff)}}); err != nil {
		return err
	}
	return a.settings(c)
}

type ssoProviderRequest struct {
	Name             string   `json:"name"`
	Protocol         string   `json:"protocol"`
	Enabled          bool     `json:"enabled"`
	Issuer           string   `json:"issuer"`
	ClientID         string   `json:"client_id"`
	ClientSecret     string   `json:"client_secret"`
	Metadata         string   `json:"metadata"`
	MetadataURL      string   `json:"metadata_url"`
	AllowedDomains   []string `json:"allowed_domains"`
	RoleClaim        string   `json:"role_claim"`
	InstructorValues []string `json:"instructor_values"`
	Logout           bool     `json:"logout"`
}

func (r ssoProviderRequest) input() sso.ProviderInput {
	return sso.ProviderInput{
		Name: r.Name, Protocol: sso.Protocol(r.Protocol), Enabled: r.Enabled, Issuer: r.Issuer, ClientID: r.ClientID,
		ClientSecret: r.ClientSecret, Metadata: r.Metadata, MetadataURL: r.MetadataURL, AllowedDomains: r.AllowedDomains,
		RoleClaim: r.RoleClaim, InstructorValues: r.InstructorValues, Logout: r.Logout,
	}
}

func (a ssoAdminAPI) create(c *fiber.Ctx) error {
	var req ssoProviderRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	o, err := a.cohorts.Organisation(c.UserContext(), cohortActor(c), c.Params("id"))
	if err != nil {
		return err
	}
	p, err := a.sso.CreateProvider(c.UserContext(), o.ID, req.input())
	if err != nil {
		return err
	}
	if err := recordAction(c, a.audit, audit.Entry{Action: audit.SSOProviderChange, TargetKind: "sso_provider", TargetID: p.ID}); err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(ssoProviderViewOf(p))
}

func (a ssoAdminAPI) update(c *fiber.Ctx) error {
	var req ssoProviderRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	p, err := a.sso.UpdateProvider(c.UserContext(), c.Params("id"), req.input())
	if err != nil {
		return err
	}
	if err := recordAction(c, a.audit, audit.Entry{Action: audit.SSOProviderChange, TargetKind: "sso_provider", TargetID: p.ID}); err != nil {
		return err
	}
	return c.JSON(ssoProviderViewOf(p))
}

func (a ssoAdminAPI) remove(c *fiber.Ctx) error {
	id := c.Params("id")
	if err := a.sso.DeleteProvider(c.UserContext(), id); err != nil {
		return err
	}
	if err := recordAction(c, a.audit, audit.Entry{Action: audit.SSOProviderChange, TargetKind: "sso_provider", TargetID: id}); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
