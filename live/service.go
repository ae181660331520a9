package live

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/sakimori/sakimori/cohorts"
	"github.com/sakimori/sakimori/fault"
	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/scoring"
)

// Class is a cohort as the live view needs it.
type Class struct {
	Name     string
	Trainees []Member // active members, not instructors
}

// Sources is what the live view reads from the other domains.
type Sources interface {
	// Class is the cohort, if the actor manages it (its instructors, its
	// organisation's admins, range admins); anyone else gets
	// cohorts.ErrCohortNotFound, or cohorts.ErrNotAllowed for a member.
	Class(ctx context.Context, a cohorts.Actor, cohortID string) (Class, error)
	// Objectives are the scenario's objectives in order, or
	// ErrScenarioUnknown.
	Objectives(scenarioID string) ([]Column, error)
	// Records are a trainee's scoring records in one scenario, oldest first.
	Records(ctx context.Context, traineeID, scenarioID string) ([]scoring.Event, error)
	// Labs are a trainee's labs, newest first.
	Labs(ctx context.Context, traineeID string) ([]labs.Instance, error)
}

// WholeClass is Sources that read a whole class's records and labs at
// once rather than two reads a trainee; Open uses it when the sources have
// it, which a class of hundreds needs for its first data within a second.
type WholeClass interface {
	// ClassRecords are the trainees' records in one scenario, each
	// trainee's oldest first.
	ClassRecords(ctx context.Context, traineeIDs []string, scenarioID string) ([]scoring.Event, error)
	// ClassLabs are the trainees' labs, newest first.
	ClassLabs(ctx context.Context, traineeIDs []string) ([]labs.Instance, error)
}

// ClassSummary is WholeClass that also reads a class's records already
// folded to what the matrix keeps; Open prefers it, since decoding every
// record of a large class is most of its first data's time.
type ClassSummary interface {
	ClassProgress(ctx context.Context, traineeIDs []string, scenarioID string) (scoring.ClassProgress, error)
}

// Messages keeps what instructors send to their cohorts.
type Messages interface {
	AddMessage(ctx context.Context, m Message) error
	// MessagesAfter lists, oldest first and at most limit, the messages to
	// the cohorts the person is an active trainee of, sent after the
	// message afterID and not before they joined; none if afterID is
	// unknown.
	MessagesAfter(ctx context.Context, userID, afterID string, limit int) ([]Message, error)
}

// Message is a line an instructor sends to every member of a cohort.
type Message struct {
	ID         string
	CohortID   string
	CohortName string
	SenderID   string
	Text       string
	SentAt     time.Time
}

// MaxMessage is the longest message, in characters: a banner, not a letter.
const MaxMessage = 500

// The faults of the live view.
var (
	ErrScenarioUnknown  = fault.InvalidField("scenario", "scenario_unknown", "No such scenario.")
	ErrMessageRequired  = fault.InvalidField("text", "message_required", "Write the message to send.")
	ErrMessageTooLong   = fault.InvalidField("text", "message_too_long", "A message is at most 500 characters.")
	errScenarioRequired = fault.InvalidField("scenario", "scenario_required", "Choose the scenario to watch.")
	errHintRequired     = fault.InvalidField("hint", "hint_required", "Choose the hint to unlock.")
)

// Service opens live views and sends messages.
type Service struct {
	src      Sources
	hub      *Hub
	messages Messages
	hints    Hints // see UseHints
	now      func() time.Time
}

// NewService makes the live view over its sources; now may be nil for the
// wall clock. The hub must be watching the scoring and lab services.
func NewService(src Sources, hub *Hub, messages Messages, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{src: src, hub: hub, messages: messages, now: now}
}

// Hub is where the service's news comes from.
func (s *Service) Hub() *Hub { return s.hub }

// Now is the service's clock, for time on task.
func (s *Service) Now() time.Time { return s.now() }

// Open builds the matrix of a cohort over a scenario and subscribes to its
// news. The subscription starts before the records are read, so nothing
// that happens meanwhile is lost; the caller applies what arrives and must
// Close the subscription.
func (s *Service) Open(ctx context.Context, a cohorts.Actor, cohortID, scenarioID string) (*Matrix, *Subscription, error) {
	if scenarioID == "" {
		return nil, nil, errScenarioRequired
	}
	class, err := s.src.Class(ctx, a, cohortID)
	if err != nil {
		return nil, nil, err
	}
	columns, err := s.src.Objectives(scenarioID)
	if err != nil {
		return nil, nil, err
	}
	ids := make([]string, len(class.Trainees))
	for i, m := range class.Trainees {
		ids[i] = m.ID
	}
	sub := s.hub.WatchTrainees(scenarioID, ids)
	m := NewMatrix(scenarioID, columns, class.Trainees)
	if whole, ok := s.src.(WholeClass); ok {
		if err := m.fillClass(ctx, whole, ids); err != nil {
			s.hub.Close(sub)
			return nil, nil, err
		}
		return m, sub, nil
	}
	for _, t := range class.Trainees {
		records, err := s.src.Records(ctx, t.ID, scenarioID)
		if err == nil {
			var instances []labs.Instance
			instances, err = s.src.Labs(ctx, t.ID)
			m.fill(t.ID, records, instances)
		}
		if err != nil {
			s.hub.Close(sub)
			return nil, nil, err
		}
	}
	return m, sub, nil
}

// fill folds one trainee's records and newest lab of the scenario in.
func (m *Matrix) fill(traineeID string, records []scoring.Event, instances []labs.Instance) {
	for _, e := range records {
		m.Apply(e)
	}
	if i := slices.IndexFunc(instances, func(inst labs.Instance) bool { return inst.ScenarioID == m.ScenarioID }); i >= 0 {
		m.SetLab(instances[i])
	}
}

// fillClass folds the whole class's records and newest labs of the
// scenario in, read at once.
func (m *Matrix) fillClass(ctx context.Context, src WholeClass, ids []string) error {
	if summary, ok := src.(ClassSummary); ok {
		p, err := summary.ClassProgress(ctx, ids, m.ScenarioID)
		if err != nil {
			return err
		}
		m.applyProgress(p)
	} else {
		records, err := src.ClassRecords(ctx, ids, m.ScenarioID)
		if err != nil {
			return err
		}
		for _, e := range records {
			m.Apply(e)
		}
	}
	instances, err := src.ClassLabs(ctx, ids)
	if err != nil {
		return err
	}
	newest := map[string]bool{}
	for _, inst := range instances {
		if inst.ScenarioID == m.ScenarioID && !newest[inst.TraineeID] {
			newest[inst.TraineeID] = true
			m.SetLab(inst)
		}
	}
	return nil
}

// Broadcast stores a message to a cohort and pushes it to every member's
// open lab page.
func (s *Service) Broadcast(ctx context.Context, a cohorts.Actor, cohortID, text string) (Message, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return Message{}, ErrMessageRequired
	}
	if utf8.RuneCountInString(text) > MaxMessage {
		return Message{}, ErrMessageTooLong
	}
	class, err := s.src.Class(ctx, a, cohortID)
	if err != nil {
		return Message{}, err
	}
	return s.send(ctx, a, cohortID, class, text)
}

// send stores a message to the class and pushes it to every member.
func (s *Service) send(ctx context.Context, a cohorts.Actor, cohortID string, class Class, text string) (Message, error) {
	m := Message{ID: uuid.Must(uuid.NewV7()).String(), CohortID: cohortID, CohortName: class.Name, SenderID: a.UserID,
		Text: text, SentAt: s.now().UTC()}
	if err := s.messages.AddMessage(ctx, m); err != nil {
		return Message{}, err
	}
	to := make([]string, len(class.Trainees))
	for i, t := range class.Trainees {
		to[i] = t.ID
	}
	s.hub.Deliver(m, to)
	return m, nil
}
