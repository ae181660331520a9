package stealerlogs

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// The made-up machines' people and sites: ordinary accounts, the bulk of
// any real pack. Sites a log holds are only names in a file; nothing in a
// lab reaches them.
var (
	countries = []string{"JP", "JP", "JP", "US", "IN", "BR", "VN", "ID", "PH", "DE", "KR", "TW"}
	given     = []string{"haruto", "yui", "sota", "hina", "riku", "mei", "yuto", "aoi", "daiki", "sakura", "john", "maria", "arjun", "ana", "minh", "dewi", "jose", "lena", "jisoo", "wei"}
	family    = []string{"sato", "suzuki", "takahashi", "tanaka", "watanabe", "ito", "yamamoto", "nakamura", "kobayashi", "kato", "smith", "silva", "kumar", "nguyen", "santos", "muller", "kim", "chen"}
	sites     = []string{
		"https://accounts.google.com/signin/v2/identifier", "https://www.facebook.com/login.php", "https://login.live.com/login.srf",
		"https://www.amazon.co.jp/ap/signin", "https://www.instagram.com/accounts/login/", "https://discord.com/login",
		"https://store.steampowered.com/login/", "https://www.netflix.com/jp/login", "https://id.rakuten.co.jp/rms/nid/login",
		"https://login.yahoo.co.jp/config/login", "https://www.paypal.com/signin", "https://github.com/session",
		"https://app.slack.com/signin", "https://www.roblox.com/login", "https://twitter.com/i/flow/login",
		"https://www.dropbox.com/login", "https://secure.booking.com/login.html", "https://www.mercari.com/jp/login/",
		"https://accounts.nintendo.com/login", "https://www.linkedin.com/login",
	}
	browsers = []string{"Google_[Chrome]_Default", "Google_[Chrome]_Profile 1", "Microsoft_[Edge]_Default", "Mozilla_[Firefox]_default-release", "Opera_[Opera GX]_Default"}
	mails    = []string{"gmail.com", "yahoo.co.jp", "outlook.com", "icloud.com", "docomo.ne.jp", "hotmail.com"}
)

func madeUp(r *rand.Rand) Machine {
	first, last := given[r.IntN(len(given))], family[r.IntN(len(family))]
	m := Machine{
		Country:  countries[r.IntN(len(countries))],
		User:     strings.ToUpper(first[:1]) + first[1:],
		Computer: fmt.Sprintf("DESKTOP-%s", strings.ToUpper(token(r, 7))),
		IP:       fmt.Sprintf("%d.%d.%d.%d", 1+r.IntN(222), r.IntN(256), r.IntN(256), 1+r.IntN(254)),
	}
	email := fmt.Sprintf("%s.%s%d@%s", first, last, r.IntN(100), mails[r.IntN(len(mails))])
	for range 3 + r.IntN(12) {
		user := email
		if r.IntN(4) == 0 {
			user = first + last[:1] + fmt.Sprint(r.IntN(1000))
		}
		m.Accounts = append(m.Accounts, Credential{URL: sites[r.IntN(len(sites))], Username: user,
			Password: password(r, first), Application: browsers[r.IntN(len(browsers))]})
	}
	return m
}

// password is what people choose: a name and digits, a pet phrase, or now
// and then something a manager made.
func password(r *rand.Rand, name string) string {
	switch r.IntN(4) {
	case 0:
		return fmt.Sprintf("%s%d", name, 1970+r.IntN(40))
	case 1:
		return []string{"password1", "qwerty123", "iloveyou", "sakura2020", "dragon99"}[r.IntN(5)]
	case 2:
		return strings.ToUpper(name[:1]) + name[1:] + "!" + fmt.Sprint(r.IntN(10000))
	}
	return token(r, 16)
}

func token(r *rand.Rand, n int) string {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}
