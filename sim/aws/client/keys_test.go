package client

import "testing"

func TestKeysIn(t *testing.T) {
	leaked := []byte("# CI\nAWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\nAWS_SECRET_ACCESS_KEY=\"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\"\n")
	c := KeysIn(leaked)
	if c == nil || c.AccessKeyID != "AKIAIOSFODNN7EXAMPLE" || c.SecretAccessKey != "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" {
		t.Fatalf("keys: %+v", c)
	}
	for _, text := range []string{"AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n", "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n", ""} {
		if c := KeysIn([]byte(text)); c != nil {
			t.Errorf("half a pair in %q gave %+v", text, c)
		}
	}
	// The CLI's own credentials file writes the names in lower case.
	file := []byte("[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n")
	if c := KeysIn(file); c == nil || c.SecretAccessKey != "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" {
		t.Errorf("credentials file: %+v", c)
	}
}
