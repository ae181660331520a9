package runner

import "time"

// The runner's events are Sysmon for Linux's, by its field names, so a
// rule a trainee writes against them is a rule for a real runner's logs.
const (
	processCreation   = "process_creation"
	networkConnection = "network_connection"
)

// timeLayout is Sysmon's UtcTime.
const timeLayout = "2006-01-02 15:04:05.000"

// JobFields are what every event of a job carries: when, which kind, on
// which runner, for which job, and as whom.
type JobFields struct {
	UtcTime  string `json:"UtcTime"`
	EventID  int    `json:"EventID"`
	Category string `json:"Category"`
	Computer string `json:"Computer"`
	Project  string `json:"Project"`
	Pipeline int    `json:"Pipeline"`
	Job      int    `json:"Job"`
	User     string `json:"User"`
}

// ProcessCreation is Sysmon's event 1: a job's process started a program.
type ProcessCreation struct {
	JobFields
	ProcessID         int    `json:"ProcessId"`
	Image             string `json:"Image"`
	CommandLine       string `json:"CommandLine"`
	CurrentDirectory  string `json:"CurrentDirectory"`
	ParentProcessID   int    `json:"ParentProcessId"`
	ParentImage       string `json:"ParentImage"`
	ParentCommandLine string `json:"ParentCommandLine"`
}

// NetworkConnection is Sysmon's event 3: a job's process connected out
// over TCP.
type NetworkConnection struct {
	JobFields
	ProcessID           int    `json:"ProcessId"`
	Image               string `json:"Image"`
	CommandLine         string `json:"CommandLine"`
	Protocol            string `json:"Protocol"`
	Initiated           string `json:"Initiated"`
	SourceIP            string `json:"SourceIp"`
	SourcePort          int    `json:"SourcePort"`
	DestinationIP       string `json:"DestinationIp"`
	DestinationHostname string `json:"DestinationHostname"`
	DestinationPort     int    `json:"DestinationPort"`
}

// at stamps a job's fields for one event.
func (f JobFields) at(t time.Time, id int, category, user string) JobFields {
	f.UtcTime, f.EventID, f.Category, f.User = t.UTC().Format(timeLayout), id, category, user
	return f
}
