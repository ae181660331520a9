// Package forlabs gives the lab lifecycle the capacity cohorts hold while
// their sessions run, in the lifecycle's own terms.
package forlabs

import (
	"context"
	"time"

	"github.com/sakimori/sakimori/cohorts"
	"github.com/sakimori/sakimori/labs"
)

// Reserves reads cohorts' capacity reserves for labs.Service.UseReserves.
type Reserves struct{ cohorts *cohorts.Service }

// New makes the reader over the cohorts service.
func New(c *cohorts.Service) Reserves { return Reserves{cohorts: c} }

// Reserves lists what classes in session hold at t.
func (r Reserves) Reserves(ctx context.Context, at time.Time) ([]labs.Reserve, error) {
	list, err := r.cohorts.Reserves(ctx, at)
	if err != nil {
		return nil, err
	}
	out := make([]labs.Reserve, len(list))
	for i, c := range list {
		out[i] = labs.Reserve{Labs: c.Labs, Trainees: c.Trainees}
	}
	return out, nil
}
