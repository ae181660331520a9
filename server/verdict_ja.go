package server

import (
	"fmt"

	"github.com/sakimori/sakimori/scoring"
)

// verdictMessage is what an attempt came to, in the reader's language:
// English as scoring wrote it, Japanese by its outcome.
func verdictMessage(lang string, r scoring.Result) string {
	if lang != "ja" {
		return r.Message
	}
	switch r.Outcome {
	case scoring.Correct:
		return fmt.Sprintf("正解です。+%d ポイント獲得しました。", r.Points)
	case scoring.CorrectLate:
		return fmt.Sprintf("正解です（提出期限後）。+%d ポイント獲得しました。", r.Points)
	case scoring.AlreadySolved:
		return "正解です。この目標は解決済みのため、ポイントは加算されません。"
	case scoring.PracticeWrong:
		return "不正解です（練習のため、ポイントは加算されません）。"
	case scoring.PracticeRuleNotYet:
		return "まだ条件を満たしていません（練習のため、ポイントは加算されません）。ルールの判定結果: " + r.Evidence
	case scoring.PracticeCheckNotPassed:
		return "チェックは通っていません（練習のため、ポイントは加算されません）。"
	case scoring.Wrong:
		return "不正解です。"
	case scoring.RuleNotYet:
		return "まだ条件を満たしていません。ルールの判定結果: " + r.Evidence
	case scoring.CheckNotPassed:
		return "チェックはまだ通っていません。"
	case scoring.AnotherTraineesFlag:
		return "そのフラグはほかの受講者のラボのものです。ラボごとに固有のフラグがあります。"
	case scoring.EarlierLabsFlag:
		return "そのフラグは以前のラボのものです。このラボには固有のフラグがあります。"
	}
	return r.Message
}

// walkthroughMessage is what revealing a walkthrough costs, said once the
// walkthrough is shown.
func walkthroughMessage(lang string) string {
	if lang == "ja" {
		return "この目標をこれから解決しても、ポイントは加算されません。"
	}
	return "Solving this objective now earns no points."
}
