package store_test

import (
	"slices"
	"testing"
	"time"

	"github.com/sakimori/sakimori/competency"
	"github.com/sakimori/sakimori/store"
	"github.com/sakimori/sakimori/store/storetest"
)

func TestFrameworkImportsReplaceWhole(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := db.Frameworks()
		at := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
		first := []competency.Technique{{ID: "T1190", Name: "Exploit", Tactics: []string{"initial-access"}, Platforms: []string{"IaaS", "Linux"}},
			{ID: "T1552.005", Name: "Metadata", Tactics: []string{"credential-access"}, Platforms: []string{}}}
		meta := competency.Imported{Kind: competency.KindAttack, Name: "MITRE ATT&CK Enterprise", Version: "18.1", Count: 2, ImportedAt: at, ImportedBy: "admin1"}
		if err := f.ReplaceAttack(ctx, meta, first); err != nil {
			t.Fatal(err)
		}
		got, err := f.AttackTechniques(ctx)
		if err != nil || !slices.EqualFunc(got, first, func(a, b competency.Technique) bool {
			return a.ID == b.ID && a.Name == b.Name && slices.Equal(a.Tactics, b.Tactics) && slices.Equal(a.Platforms, b.Platforms)
		}) {
			t.Fatalf("techniques %+v, %v", got, err)
		}
		// A second catalogue that fails part way (an id given twice trips
		// the primary key after the old rows are deleted) must leave the
		// first whole, and its import row unchanged.
		bad := []competency.Technique{{ID: "T9"}, {ID: "T9"}}
		if err := f.ReplaceAttack(ctx, competency.Imported{Kind: competency.KindAttack, Name: "x", Version: "19", Count: 2, ImportedAt: at.Add(time.Hour), ImportedBy: "admin2"}, bad); err == nil {
			t.Fatal("a catalogue with an id twice was stored")
		}
		got, _ = f.AttackTechniques(ctx)
		imports, _ := f.Imports(ctx)
		if len(got) != 2 || got[0].ID != "T1190" || len(imports) != 1 || imports[0] != meta {
			t.Fatalf("after a failed import: %+v %+v", got, imports)
		}

		items := []competency.SecBoKItem{{ID: "K1", Name: "インシデント対応", Major: "運用", Middle: "1.1"}}
		sbMeta := competency.Imported{Kind: competency.KindSecBoK, Name: "JNSA SecBoK", Version: "2025", Count: 1, ImportedAt: at, ImportedBy: "admin1"}
		if err := f.ReplaceSecBoK(ctx, sbMeta, items); err != nil {
			t.Fatal(err)
		}
		if err := f.ReplaceSecBoK(ctx, sbMeta, []competency.SecBoKItem{{ID: "K2", Name: "a"}, {ID: "K2", Name: "b"}}); err == nil {
			t.Fatal("a skill map with an id twice was stored")
		}
		sb, _ := f.SecBoKItems(ctx)
		if !slices.Equal(sb, items) {
			t.Fatalf("SecBoK after a failed import: %+v", sb)
		}
		// A good replacement replaces: nothing of the old catalogue stays.
		second := []competency.Technique{{ID: "T1078.004", Name: "Cloud Accounts", Tactics: []string{}, Platforms: []string{}}}
		meta2 := competency.Imported{Kind: competency.KindAttack, Name: "MITRE ATT&CK Enterprise", Version: "19.0", Count: 1, ImportedAt: at.Add(2 * time.Hour), ImportedBy: "admin2"}
		if err := f.ReplaceAttack(ctx, meta2, second); err != nil {
			t.Fatal(err)
		}
		got, _ = f.AttackTechniques(ctx)
		imports, _ = f.Imports(ctx)
		if len(got) != 1 || got[0].ID != "T1078.004" || len(imports) != 2 || imports[0] != meta2 || imports[1] != sbMeta {
			t.Fatalf("after a replacement: %+v %+v", got, imports)
		}

		im := &competency.Importer{Store: f, Limits: competency.DefaultImportLimits, Now: time.Now}
		fw, err := im.Frameworks(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := fw.Technique("T1078.004"); !ok || fw.AttackVersion != "19.0" {
			t.Error("the loaded frameworks do not use the imported techniques")
		}
		if _, ok := fw.Technique("T1190"); ok {
			t.Error("the loaded frameworks still hold the bundled subset")
		}
		if it, ok := fw.SecBoK().Item("K1"); !ok || it.Name != "インシデント対応" {
			t.Error("the loaded frameworks lack the imported SecBoK")
		}
	})
}
