package idp

import (
	"bytes"
	"html/template"
	"net/http"

	"github.com/sakimori/sakimori/sim/labkit"
)

// The pages look like an Okta org's sign-in widget closely enough that a
// trainee knows where they are, and carry stable names (username,
// password, code) for scripts and curl.
var pages = template.Must(template.New("").Parse(`{{define "head"}}<!doctype html><html lang="en"><meta charset="utf-8">
<meta name="viewport" content="width=device-width"><title>{{.Org}} - Sign In</title><style>
body{font:15px/1.5 system-ui,sans-serif;margin:0;background:#f4f4f6;color:#1d1d21}
main{max-width:24rem;margin:4rem auto;background:#fff;border:1px solid #d7d7dc;border-radius:6px;padding:2rem}
h1{font-size:1.3rem;margin:0 0 1.2rem;text-align:center}label{display:block;margin:.8rem 0 .2rem;font-weight:600}
input{width:100%;box-sizing:border-box;padding:.5rem;font:inherit;border:1px solid #8c8c96;border-radius:4px}
button{margin-top:1.2rem;width:100%;padding:.6rem;font:inherit;background:#1662dd;color:#fff;border:0;border-radius:4px}
.error{background:#fbe9e8;border-left:4px solid #d93934;padding:.6rem;margin-bottom:1rem}.org{text-align:center;font-weight:700;color:#1662dd}
</style><main><p class="org">{{.Org}}</p>{{with .Error}}<p class="error" role="alert">{{.}}</p>{{end}}{{end}}
{{define "signin"}}{{template "head" .}}<h1>Sign In</h1>
<form method="post" action="/login"><input type="hidden" name="from" value="{{.From}}">
<label for="username">Username</label><input id="username" name="username" autocomplete="username" value="{{.Username}}" autofocus>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password">
<button type="submit">Sign in</button></form></main>{{end}}
{{define "mfa"}}{{template "head" .}}<h1>Verify with Google Authenticator</h1><p>{{.User.Login}}</p>
<form method="post" action="/login/mfa"><label for="code">Enter code</label>
<input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="7" autofocus>
<button type="submit">Verify</button></form></main>{{end}}
{{define "home"}}{{template "head" .}}<h1>My Apps</h1><p>Signed in as {{.User.Name}} ({{.User.Login}})</p>
<ul>{{range .Apps}}<li>{{.Name}}</li>{{else}}<li>No apps yet</li>{{end}}</ul>
<p><a href="/login/signout">Sign out</a></p></main>{{end}}
{{define "error"}}{{template "head" .}}<h1>The sign-in request was refused</h1><p><a href="/app/UserHome">Go to your apps</a></p></main>{{end}}`))

type page struct {
	Org, From, Username, Error string
	User                       *User
	Apps                       []*App
}

// render writes a page whole or not at all, so a template's error is a
// 500 and never half a form.
func (s *Server) render(w http.ResponseWriter, status int, name string, p page) {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, p); err != nil {
		labkit.Logger.Error("idp page", "page", name, "err", err)
		http.Error(w, "500 Internal Server Error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
