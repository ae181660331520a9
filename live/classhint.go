package live

import (
	"context"
	"unicode/utf8"

	"github.com/sakimori/sakimori/cohorts"
	"github.com/sakimori/sakimori/scoring"
)

// Hints gives hints to trainees at no cost to them.
type Hints interface {
	Hint(scenarioID, hintID string) (scoring.Hint, error) // scoring.ErrHintUnknown
	GiveHint(ctx context.Context, trainee, scenarioID, hintID string) (given bool, err error)
}

// UseHints lets instructors unlock hints for their classes. Call it before
// the service is used.
func (s *Service) UseHints(h Hints) { s.hints = h }

// HintGiven is a hint unlocked for a whole cohort.
type HintGiven struct {
	Hint    scoring.Hint
	Given   int     // trainees it was unlocked for now; the rest had it already
	Message Message // what the class was told
}

// GiveHint unlocks one hint of the scenario for every trainee of the
// cohort, at no cost to them, and tells the class at once: the message
// carries the hint, so it shows on their lab pages as they work, and each
// trainee's row in the live matrix counts it as it is recorded.
func (s *Service) GiveHint(ctx context.Context, a cohorts.Actor, cohortID, scenarioID, hintID string) (HintGiven, error) {
	if scenarioID == "" {
		return HintGiven{}, errScenarioRequired
	}
	if hintID == "" {
		return HintGiven{}, errHintRequired
	}
	class, err := s.src.Class(ctx, a, cohortID)
	if err != nil {
		return HintGiven{}, err
	}
	h, err := s.hints.Hint(scenarioID, hintID)
	if err != nil {
		return HintGiven{}, err
	}
	out := HintGiven{Hint: h}
	for _, t := range class.Trainees {
		given, err := s.hints.GiveHint(ctx, t.ID, scenarioID, hintID)
		if err != nil {
			return HintGiven{}, err
		}
		if given {
			out.Given++
		}
	}
	out.Message, err = s.send(ctx, a, cohortID, class, hintMessage(h))
	return out, err
}

// hintMessage is the line the class sees: the hint itself, cut to fit.
func hintMessage(h scoring.Hint) string {
	const lead = "Hint unlocked for everyone, free: "
	text := h.Text
	if room := MaxMessage - utf8.RuneCountInString(lead); utf8.RuneCountInString(text) > room {
		text = string([]rune(text)[:room-1]) + "…"
	}
	return lead + text
}
