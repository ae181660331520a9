package accounts

// SignInKey is signInKey, for tests that look at the stored records.
var SignInKey = signInKey
