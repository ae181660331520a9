package server

// The reasons a terminal closes with, which the page shows beside it, in
// each language the range speaks.
const (
	noteTooMany    = "too many terminals open; close one first"
	noteNoHost     = "this lab has no terminal in that host"
	noteNotStarted = "the lab's terminal could not start; is the lab running?"
)

var terminalNotesJa = map[string]string{
	noteTooMany:    "開いているターミナルが多すぎます。どれかを閉じてください",
	noteNoHost:     "このラボのそのホストにはターミナルがありません",
	noteNotStarted: "ラボのターミナルを開始できませんでした。ラボは起動していますか？",
}

// terminalNote is an English note in lang.
func terminalNote(lang, note string) string {
	if ja, ok := terminalNotesJa[note]; ok && lang == "ja" {
		return ja
	}
	return note
}
