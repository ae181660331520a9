package server

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/xapi"
)

// xapiRoutes serves an organisation's xAPI forwarding to its org admins:
// where statements go, and what the LRS refused.
func xapiRoutes(api fiber.Router, d Deps) {
	signedIn := d.Tokens.Require()
	a := xapiAPI{xapi: d.XAPI}
	api.Get("/organisations/:id/xapi", signedIn, a.get)
	api.Put("/organisations/:id/xapi", signedIn, a.put)
	api.Get("/organisations/:id/xapi/dead-letters", signedIn, a.deadLetters)
	api.Post("/organisations/:id/xapi/dead-letters/:record/replay", signedIn, a.replay)
}

type xapiAPI struct{ xapi *xapi.Service }

type xapiLRSView struct {
	Configured bool   `json:"configured"`
	Endpoint   string `json:"endpoint"`
	Auth       string `json:"auth"`
	Key        string `json:"key"`
	TokenURL   string `json:"token_url"`
	Language   string `json:"language"`
	HasSecret  bool   `json:"has_secret"`
}

func (a xapiAPI) get(c *fiber.Ctx) error {
	v, ok, err := a.xapi.Setting(c.UserContext(), cohortActor(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(xapiLRSView{Configured: ok, Endpoint: v.Endpoint, Auth: string(v.Auth), Key: v.Key, TokenURL: v.TokenURL,
		Language: v.Language, HasSecret: v.HasSecret})
}

type xapiLRSInput struct {
	Endpoint string `json:"endpoint"`
	Auth     string `json:"auth"`
	Key      string `json:"key"`
	Secret   string `json:"secret"`
	TokenURL string `json:"token_url"`
	Language string `json:"language"`
}

func (a xapiAPI) put(c *fiber.Ctx) error {
	var in xapiLRSInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	err := a.xapi.Configure(c.UserContext(), cohortActor(c), c.Params("id"), xapi.LRS{Endpoint: in.Endpoint, Auth: xapi.Auth(in.Auth),
		Key: in.Key, Secret: in.Secret, TokenURL: in.TokenURL, Options: xapi.Options{Language: in.Language}})
	if err != nil {
		return err
	}
	return a.get(c)
}

type xapiDeadLetterView struct {
	RecordID  string    `json:"record_id"`
	Statement string    `json:"statement"`
	Status    int       `json:"status"`
	Reply     string    `json:"reply"`
	At        time.Time `json:"at"`
}

func (a xapiAPI) deadLetters(c *fiber.Ctx) error {
	list, err := a.xapi.DeadLetters(c.UserContext(), cohortActor(c), c.Params("id"))
	if err != nil {
		return err
	}
	out := make([]xapiDeadLetterView, len(list))
	for i, d := range list {
		out[i] = xapiDeadLetterView{RecordID: d.ID, Statement: d.Statement, Status: d.Status, Reply: d.Reply, At: d.At}
	}
	return c.JSON(fiber.Map{"dead_letters": out})
}

type xapiReplayView struct {
	Delivered bool   `json:"delivered"`
	Status    int    `json:"status"`
	Reply     string `json:"reply"`
}

func (a xapiAPI) replay(c *fiber.Ctx) error {
	r, err := a.xapi.Replay(c.UserContext(), cohortActor(c), c.Params("id"), c.Params("record"))
	if err != nil {
		return err
	}
	return c.JSON(xapiReplayView{Delivered: !r.Rejected(), Status: r.Status, Reply: r.Body})
}
