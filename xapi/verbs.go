package xapi

// The verbs are ADL's registered ones (the xAPI profile vocabulary that
// cmi5 also uses), so any LRS report understands them without a profile
// of ours.
const (
	VerbLaunched    = "http://adlnet.gov/expapi/verbs/launched"
	VerbAnswered    = "http://adlnet.gov/expapi/verbs/answered" // with result.success false: a wrong answer
	VerbPassed      = "http://adlnet.gov/expapi/verbs/passed"
	VerbExperienced = "http://adlnet.gov/expapi/verbs/experienced" // a hint read
	VerbCompleted   = "http://adlnet.gov/expapi/verbs/completed"
)

// Activity types: ADL's where one fits, cmi5's for the assignment's
// grouping, the tincan registry's for a hint.
const (
	TypeLab        = "http://adlnet.gov/expapi/activities/simulation"
	TypeObjective  = "http://adlnet.gov/expapi/activities/interaction"
	TypeHint       = "http://id.tincanapi.com/activitytype/resource"
	TypeAssignment = "http://adlnet.gov/expapi/activities/assessment"
	TypeCohort     = "http://id.tincanapi.com/activitytype/community-site" // the class a trainee belongs to
)

var verbDisplay = map[string]string{
	VerbLaunched:    "launched",
	VerbAnswered:    "answered",
	VerbPassed:      "passed",
	VerbExperienced: "experienced",
	VerbCompleted:   "completed",
}
