package server

import (
	"strings"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/text/language"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/server/auth"
)

// The languages error messages are written in, English first: it is what a
// reader whose languages the range does not speak gets.
var messageLanguages = language.NewMatcher([]language.Tag{language.English, language.Japanese})

// readerLanguage is the language of the person behind a request: the one
// their account names, else the best of their browser's Accept-Language.
// The account is read only for a request that fails, and a failure to read
// it falls back to the header rather than hiding the error being reported.
func readerLanguage(c *fiber.Ctx, people *accounts.Service) string {
	if p, ok := auth.PrincipalIfAny(c); ok && people != nil {
		if u, err := people.User(c.UserContext(), p.UserID); err == nil && u.Preferences.Language != "" {
			return u.Preferences.Language
		}
	}
	return acceptedLanguage(c.Get(fiber.HeaderAcceptLanguage))
}

// acceptedLanguage picks "en" or "ja" from an Accept-Language header.
func acceptedLanguage(header string) string {
	tags, _, err := language.ParseAcceptLanguage(header)
	if err != nil || len(tags) == 0 {
		return "en"
	}
	_, i, _ := messageLanguages.Match(tags...)
	if i == 1 {
		return "ja"
	}
	return "en"
}

// inLanguage is an error's message for a reader of lang. English is the
// fault's own sentence; Japanese comes from the catalogue by code, and a
// code it lacks (which a test forbids) keeps its English.
func inLanguage(lang string, p problem) string {
	if lang != "ja" {
		return p.Message
	}
	msg, ok := japanese[p.Code]
	if !ok {
		return p.Message
	}
	return strings.ReplaceAll(msg, "{field}", p.Field)
}
