package browserdata

import (
	"database/sql"
	"fmt"
	"os"
	"time"

	_ "github.com/glebarez/go-sqlite" // a pure-Go SQLite, so the lab's static binary can write the file
)

// Cookie is one cookie as a profile holds it.
type Cookie struct {
	Host     string // host_key: "idp.acme.example", or ".acme.example" for a domain cookie
	Name     string
	Value    string // stored encrypted
	Path     string
	Secure   bool
	HTTPOnly bool
	SameSite int // Chromium's: -1 unspecified, 0 none, 1 lax, 2 strict
	Created  time.Time
	Expires  time.Time // zero: a session cookie
	Accessed time.Time
}

// schema is Chromium's cookie store at version 24 (Chromium 130 on), the
// version whose encrypted values begin with their domain's hash.
const schema = `
CREATE TABLE meta(key LONGVARCHAR NOT NULL UNIQUE PRIMARY KEY, value LONGVARCHAR);
CREATE TABLE cookies(creation_utc INTEGER NOT NULL,host_key TEXT NOT NULL,top_frame_site_key TEXT NOT NULL,name TEXT NOT NULL,value TEXT NOT NULL,encrypted_value BLOB NOT NULL,path TEXT NOT NULL,expires_utc INTEGER NOT NULL,is_secure INTEGER NOT NULL,is_httponly INTEGER NOT NULL,last_access_utc INTEGER NOT NULL,has_expires INTEGER NOT NULL,is_persistent INTEGER NOT NULL,priority INTEGER NOT NULL,samesite INTEGER NOT NULL,source_scheme INTEGER NOT NULL,source_port INTEGER NOT NULL,last_update_utc INTEGER NOT NULL,source_type INTEGER NOT NULL,has_cross_site_ancestor INTEGER NOT NULL);
CREATE UNIQUE INDEX cookies_unique_index ON cookies(host_key, top_frame_site_key, has_cross_site_ancestor, name, path, source_scheme, source_port);
INSERT INTO meta VALUES ('mmap_status', '-1'), ('version', '24'), ('last_compatible_version', '24');
`

// WriteCookies writes a new cookie database at path, every value
// encrypted; it refuses to replace an existing file.
func WriteCookies(path string, cookies []Cookie) error {
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("browserdata: %s exists", path)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return err
	}
	defer db.Close()
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.Exec(schema); err != nil {
		return fmt.Errorf("browserdata: schema: %w", err)
	}
	for _, c := range cookies {
		scheme, port := 1, 80 // what set it: plain HTTP, as a lab's hosts speak
		if c.Secure {
			scheme, port = 2, 443
		}
		expires, persistent := int64(0), 0
		if !c.Expires.IsZero() {
			expires, persistent = chromeTime(c.Expires), 1
		}
		_, err := tx.Exec(`INSERT INTO cookies VALUES (?, ?, '', ?, '', ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, 0, 0)`,
			chromeTime(c.Created), c.Host, c.Name, Encrypt(c.Host, c.Value), orSlash(c.Path), expires,
			boolInt(c.Secure), boolInt(c.HTTPOnly), chromeTime(c.Accessed), persistent, persistent,
			c.SameSite, scheme, port, chromeTime(c.Created))
		if err != nil {
			return fmt.Errorf("browserdata: cookie %s on %s: %w", c.Name, c.Host, err)
		}
	}
	return tx.Commit()
}

// chromeTime is Chromium's time: microseconds since 1601-01-01 UTC.
func chromeTime(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	const epochDelta = 11644473600 // seconds from 1601 to 1970
	return (t.Unix()+epochDelta)*1_000_000 + int64(t.Nanosecond()/1000)
}

func orSlash(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// ReadCookies reads a cookie database as the browser does, each value
// decrypted: how the laptop's own browser finds its sessions, and how a
// stealer does.
func ReadCookies(path string) ([]Cookie, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rows, err := db.Query(`SELECT host_key, name, encrypted_value, path, is_secure, is_httponly, samesite FROM cookies ORDER BY creation_utc`)
	if err != nil {
		return nil, fmt.Errorf("browserdata: %s: %w", path, err)
	}
	defer rows.Close()
	var out []Cookie
	for rows.Next() {
		var c Cookie
		var enc []byte
		if err := rows.Scan(&c.Host, &c.Name, &enc, &c.Path, &c.Secure, &c.HTTPOnly, &c.SameSite); err != nil {
			return nil, err
		}
		if c.Value, err = Decrypt(c.Host, enc); err != nil {
			return nil, fmt.Errorf("browserdata: cookie %s on %s: %w", c.Name, c.Host, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
