package fetcher

import (
	"net/http"
	"os"

	"github.com/sakimori/sakimori/sim/labkit"
)

// The instance host runs it with sakimori-sim instance -app fetcher;
// APP_ADMIN_TOKEN guards its admin API.
func init() {
	labkit.RegisterApp("fetcher", func() (http.Handler, error) {
		return New(os.Getenv("APP_ADMIN_TOKEN")), nil
	})
}
