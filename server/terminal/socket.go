package terminal

// Socket is the part of a WebSocket connection a shell uses.
type Socket interface {
	ReadMessage() (int, []byte, error)
	WriteMessage(int, []byte) error
	SetReadLimit(int64)
	Close() error
}

// Recorder keeps a session: what the shell printed, what was typed, and
// the terminal's size as it changed.
type Recorder interface {
	Output([]byte)
	Input([]byte)
	Resize(rows, cols uint)
	Close() error
}

type noRecorder struct{}

func (noRecorder) Output([]byte)     {}
func (noRecorder) Input([]byte)      {}
func (noRecorder) Resize(uint, uint) {}
func (noRecorder) Close() error      { return nil }

// control is a text frame from the page; bytes typed travel as binary.
type control struct {
	Type string `json:"type"` // "resize"
	Rows uint   `json:"rows"`
	Cols uint   `json:"cols"`
}
