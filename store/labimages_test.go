package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/authoring"
	"github.com/sakimori/sakimori/store"
	"github.com/sakimori/sakimori/store/storetest"
)

// Added lab images are kept by name: adding one of the same name again
// replaces its record, and one an operator added at the command line names
// no admin.
func TestLabImagesAreKeptByName(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := db.Authoring()
		must(t, db.Accounts().CreateUser(ctx, user("root-admin", "admin@example.org", accounts.RoleAdmin)))
		at := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
		must(t, s.KeepLabImage(ctx, authoring.LabImage{Name: "sakimori-lab/shop:1.0", RunAs: "1000", Layers: 2, AddedBy: "root-admin", AddedAt: at}))
		must(t, s.KeepLabImage(ctx, authoring.LabImage{Name: "sakimori-lab/crm:2", RunAs: "app", Layers: 1, AddedAt: at}))
		must(t, s.KeepLabImage(ctx, authoring.LabImage{Name: "sakimori-lab/shop:1.0", RunAs: "1000:1000", Layers: 3, AddedAt: at.Add(time.Hour)}))
		got, err := s.LabImages(ctx)
		must(t, err)
		if len(got) != 2 || got[0].Name != "sakimori-lab/crm:2" || got[0].AddedBy != "" {
			t.Fatalf("images %+v", got)
		}
		if shop := got[1]; shop.RunAs != "1000:1000" || shop.Layers != 3 || shop.AddedBy != "" || !shop.AddedAt.Equal(at.Add(time.Hour)) {
			t.Fatalf("the shop image was not replaced: %+v", shop)
		}
	})
}
