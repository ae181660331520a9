package server

import (
	"io"
	"os"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/audit"
	"github.com/sakimori/sakimori/authoring"
	"github.com/sakimori/sakimori/fault"
	"github.com/sakimori/sakimori/server/auth"
)

// Admins add lab images from an image archive, as `docker save` writes
// one: the range scans it (a user other than root, no setuid or setgid
// file) and loads it onto its engine only if it passes. Nothing is pulled
// from a registry.

// maxImageArchive bounds an uploaded archive. Lab images are small (the
// range's own Debian workstation saves to about 550 MB).
const maxImageArchive = 2 << 30

type labImagesAPI struct {
	authoring *authoring.Service
	audit     audit.Recorder
}

type labImageView struct {
	Name    string    `json:"name"`
	RunAs   string    `json:"run_as"`
	Layers  int       `json:"layers"`
	AddedBy string    `json:"added_by,omitempty"`
	AddedAt time.Time `json:"added_at"`
}

func viewOfLabImage(img authoring.LabImage) labImageView {
	return labImageView{Name: img.Name, RunAs: img.RunAs, Layers: img.Layers, AddedBy: img.AddedBy, AddedAt: img.AddedAt}
}

func labImageRoutes(api fiber.Router, d Deps, uploads uploadRoutes) {
	h := labImagesAPI{authoring: d.Authoring, audit: d.Audit}
	admin := d.Tokens.Require(accounts.RoleAdmin)
	uploads["/api/v1/admin/lab-images"] = true // an archive, far beyond the body limit
	api.Get("/admin/lab-images", admin, h.list)
	api.Post("/admin/lab-images", admin, h.add)
}

// list is every image authored scenarios may name: the range's own and
// those admins added.
func (h labImagesAPI) list(c *fiber.Ctx) error {
	names, err := h.authoring.Images(c.UserContext())
	if err != nil {
		return err
	}
	added, err := h.authoring.AddedImages(c.UserContext())
	if err != nil {
		return err
	}
	out := fiber.Map{"images": names, "added": []labImageView{}}
	if names == nil {
		out["images"] = []string{}
	}
	views := make([]labImageView, 0, len(added))
	for _, img := range added {
		views = append(views, viewOfLabImage(img))
	}
	out["added"] = views
	return c.JSON(out)
}

var errImageContentType = fault.New(fault.Invalid, "image_content_type_invalid",
	"Send the image archive (docker save NAME:TAG -o FILE.tar) itself as the request body, as application/x-tar.")

// add keeps the upload in a temporary file, for the scan reads it twice
// and the engine once more, then adds the image.
func (h labImagesAPI) add(c *fiber.Ctx) error {
	if mt := mediaType(c); mt != "application/x-tar" && mt != "application/octet-stream" {
		return errImageContentType
	}
	tmp, err := os.CreateTemp("", "sakimori-image-*.tar")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	n, err := io.Copy(tmp, io.LimitReader(uploadStream(c), maxImageArchive+1))
	if err != nil {
		return errBodyUnreadable(err)
	}
	if n > maxImageArchive {
		return fiber.ErrRequestEntityTooLarge
	}
	img, err := h.authoring.AddImage(c.UserContext(), auth.PrincipalOf(c).UserID, func() (io.ReadCloser, error) { return os.Open(tmp.Name()) })
	if err != nil {
		return err
	}
	if err := recordAction(c, h.audit, audit.Entry{Action: audit.LabImageAdd, TargetKind: "lab_image", TargetID: img.Name,
		Detail: map[string]string{"run_as": img.RunAs}}); err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(viewOfLabImage(img))
}
