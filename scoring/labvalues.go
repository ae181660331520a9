package scoring

import "regexp"

// labValue is how a detection's fixed events name a lab's own value, such
// as the access key id a lab generated: ${var.NAME}, as in the manifest.
var labValue = regexp.MustCompile(`\$\{var\.([A-Za-z0-9_-]+)\}`)

// inLab copies events with every ${var.NAME} replaced by this lab's value,
// so a rule on the lab's real identifiers (its leaked key's id) fits the
// fixed events as well as the live ones. The objective's events are
// shared, so they are copied, never changed.
func (s *Service) inLab(lab Lab, events []map[string]any) []map[string]any {
	out := make([]map[string]any, len(events))
	for i, ev := range events {
		out[i] = s.withValues(lab, ev).(map[string]any)
	}
	return out
}

func (s *Service) withValues(lab Lab, v any) any {
	switch v := v.(type) {
	case string:
		return labValue.ReplaceAllStringFunc(v, func(ref string) string {
			return s.labs.Value(lab, labValue.FindStringSubmatch(ref)[1])
		})
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, x := range v {
			m[k] = s.withValues(lab, x)
		}
		return m
	case []any:
		l := make([]any, len(v))
		for i, x := range v {
			l[i] = s.withValues(lab, x)
		}
		return l
	}
	return v
}
