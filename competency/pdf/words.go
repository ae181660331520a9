package pdf

import (
	"fmt"

	"github.com/sakimori/sakimori/competency"
)

// Words are the printed transcript's headings and phrases, in the
// reader's language. Framework items keep the frameworks' own English.
type Words struct {
	Title, TraineeID, Issued       string
	Roles, Techniques, Statements  string
	SecBoK                         string // printed only while a skill map is imported
	Shown, SolvedIn, None, Sources string
	Record, Lab                    string
	Attainment                     string // count shown, total, percent
	Verified                       map[string]string
}

// English are the transcript's words in English.
var English = Words{
	Title: "Competency transcript", TraineeID: "Trainee", Issued: "Issued",
	Roles: "NICE Framework work roles", Techniques: "MITRE ATT&CK techniques", Statements: "NICE task, knowledge and skill statements",
	SecBoK: "JNSA SecBoK knowledge items",
	Shown:  "Statements shown", SolvedIn: "Solved objectives in labs that train this role", None: "No evidence yet.", Sources: "Frameworks",
	Record: "record", Lab: "lab", Attainment: "%d of %d statements (%.0f%%)",
	Verified: map[string]string{"flag": "flag", "question": "question", "check": "state check", "detection": "detection rule"},
}

// Japanese are the transcript's words in Japanese.
var Japanese = Words{
	Title: "コンピテンシー証明書", TraineeID: "受講者", Issued: "発行",
	Roles: "NICE フレームワークのワークロール", Techniques: "MITRE ATT&CK のテクニック", Statements: "NICE のタスク・知識・スキル",
	SecBoK: "JNSA SecBoK の知識項目",
	Shown:  "示したステートメント", SolvedIn: "このロールを訓練する演習で解いた課題", None: "まだ根拠がありません。", Sources: "フレームワーク",
	Record: "記録", Lab: "演習環境", Attainment: "%d / %d ステートメント（%.0f%%）",
	Verified: map[string]string{"flag": "フラグ", "question": "設問", "check": "状態確認", "detection": "検知ルール"},
}

// For is the words of a language tag: Japanese for ja, else English.
func For(language string) Words {
	if len(language) >= 2 && language[:2] == "ja" {
		return Japanese
	}
	return English
}

func (w Words) attainment(shown, total int, share float64) string {
	return fmt.Sprintf(w.Attainment, shown, total, share*100)
}

func (w Words) evidence(e competency.Evidence) string {
	how := w.Verified[e.Verified]
	if how == "" {
		how = e.Verified
	}
	return fmt.Sprintf("%s · %s / %s · %s · %s %s · %s %s", e.At.UTC().Format("2006-01-02 15:04 UTC"),
		e.ScenarioTitle, e.ObjectiveTitle, how, w.Lab, e.LabID, w.Record, e.RecordID)
}
