package xapi

import "golang.org/x/oauth2"

// oauth2HTTPClient is the context key through which the oauth2 package
// takes the HTTP client its token requests go through.
var oauth2HTTPClient = oauth2.HTTPClient
