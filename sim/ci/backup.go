package ci

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// backup is the instance's nightly backup, as gitlab-backup makes it: a
// tar holding backup_information.yml and the database as pg_dump writes
// it, gzipped. Its CI/CD variables are sealed under db_key_base, which
// GitLab keeps out of backups (in gitlab-secrets.json): the backup alone
// gives nothing away; with the key from wherever else it lives, all of it.
type backup struct {
	Name    string
	Created time.Time
	data    []byte
}

// gitlabVersion is the version the instance's backups say made them.
const gitlabVersion = "17.5.2"

func (s *Server) makeBackup(at time.Time) (*backup, error) {
	var dump bytes.Buffer
	zw := gzip.NewWriter(&dump)
	s.writeDump(zw)
	if err := zw.Close(); err != nil {
		return nil, err
	}
	info := fmt.Sprintf(":db_version: 20241017160504\n:backup_created_at: %s\n:gitlab_version: %s\n:tar_version: tar (GNU tar) 1.35\n:installation_type: gitlab-omnibus\n:skipped: artifacts,builds,lfs,packages,registry,uploads\n:repositories_server_side: false\n",
		at.Format("2006-01-02 15:04:05 -0700"), gitlabVersion)
	var out bytes.Buffer
	tw := tar.NewWriter(&out)
	for _, f := range []struct {
		name string
		body []byte
	}{{"backup_information.yml", []byte(info)}, {"db/database.sql.gz", dump.Bytes()}} {
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: 0o600, Size: int64(len(f.body)), ModTime: at, Uname: "git", Gname: "git", Uid: 998, Gid: 998}); err != nil {
			return nil, err
		}
		if _, err := tw.Write(f.body); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	name := fmt.Sprintf("%d_%s_%s_gitlab_backup.tar", at.Unix(), at.Format("2006_01_02"), gitlabVersion)
	return &backup{Name: name, Created: at, data: out.Bytes()}, nil
}

// writeDump writes the tables a backup's reader needs, in pg_dump's plain
// format: namespaces and projects to name the variables' projects, and
// ci_variables with GitLab's columns.
func (s *Server) writeDump(w io.Writer) {
	fmt.Fprint(w, "--\n-- PostgreSQL database dump\n--\n\n-- Dumped from database version 14.11\n-- Dumped by pg_dump version 14.11\n\n"+
		"SET statement_timeout = 0;\nSET client_encoding = 'UTF8';\nSET standard_conforming_strings = on;\n\n")
	fmt.Fprint(w, "CREATE TABLE public.namespaces (\n    id bigint NOT NULL,\n    name character varying NOT NULL,\n    path character varying NOT NULL,\n    type character varying DEFAULT 'User'::character varying NOT NULL\n);\n\n")
	fmt.Fprint(w, "CREATE TABLE public.projects (\n    id bigint NOT NULL,\n    name character varying,\n    path character varying,\n    namespace_id bigint NOT NULL,\n    shared_runners_enabled boolean DEFAULT true NOT NULL\n);\n\n")
	fmt.Fprint(w, "CREATE TABLE public.ci_variables (\n    id bigint NOT NULL,\n    key character varying NOT NULL,\n    value text,\n    encrypted_value text,\n    encrypted_value_salt character varying,\n    encrypted_value_iv character varying,\n    project_id bigint NOT NULL,\n    protected boolean DEFAULT false NOT NULL,\n    environment_scope character varying DEFAULT '*'::character varying NOT NULL,\n    masked boolean DEFAULT false NOT NULL,\n    variable_type smallint DEFAULT 1 NOT NULL,\n    raw boolean DEFAULT false NOT NULL,\n    hidden boolean DEFAULT false NOT NULL\n);\n\n")
	groups := map[string]int{}
	var order []string
	for _, p := range s.projects {
		g, _, _ := strings.Cut(p.Path, "/")
		if _, ok := groups[g]; !ok {
			groups[g] = 100 + len(groups)
			order = append(order, g)
		}
	}
	fmt.Fprint(w, "COPY public.namespaces (id, name, path, type) FROM stdin;\n")
	for _, g := range order {
		fmt.Fprintf(w, "%d\t%s\t%s\tGroup\n", groups[g], g, g)
	}
	fmt.Fprint(w, "\\.\n\n\nCOPY public.projects (id, name, path, namespace_id, shared_runners_enabled) FROM stdin;\n")
	for _, p := range s.projects {
		g, name, _ := strings.Cut(p.Path, "/")
		fmt.Fprintf(w, "%d\t%s\t%s\t%d\t%s\n", p.ID, name, name, groups[g], pgBool(!p.NoRunners))
	}
	fmt.Fprint(w, "\\.\n\n\nCOPY public.ci_variables (id, key, value, encrypted_value, encrypted_value_salt, encrypted_value_iv, project_id, protected, environment_scope, masked, variable_type, raw, hidden) FROM stdin;\n")
	id := 0
	for _, p := range s.projects {
		for _, v := range p.Variables {
			id++
			fmt.Fprintf(w, "%d\t%s\t\\N\t%s\t\\N\t%s\t%d\tf\t*\t%s\t1\tf\t%s\n", id, v.Key, v.sealed.Value, v.sealed.IV, p.ID, pgBool(v.Masked), pgBool(v.Hidden))
		}
	}
	fmt.Fprint(w, "\\.\n\n\n--\n-- PostgreSQL database dump complete\n--\n\n")
}

func pgBool(b bool) string {
	if b {
		return "t"
	}
	return "f"
}

// serveBackups lists the backups to an admin, or gives one:
// /-/admin/backups and /-/admin/backups/NAME.
func (s *Server) serveBackups(w http.ResponseWriter, r *http.Request, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	status := http.StatusOK
	c, ok := s.adminArea(w, r, false)
	defer func() { s.logAccess(r, c, status, "web", "") }()
	if !ok {
		status = http.StatusForbidden
		return
	}
	switch {
	case name == "":
		list := []map[string]any{}
		if s.backup != nil {
			list = append(list, map[string]any{"name": s.backup.Name, "size": len(s.backup.data),
				"created_at": s.backup.Created.Format("2006-01-02T15:04:05.000Z"), "path": "/-/admin/backups/" + s.backup.Name})
		}
		writeJSON(w, status, list)
	case s.backup != nil && name == s.backup.Name:
		w.Header().Set("Content-Type", "application/x-tar")
		w.Header().Set("Content-Disposition", `attachment; filename="`+s.backup.Name+`"`)
		_, _ = w.Write(s.backup.data)
	default:
		status = http.StatusNotFound
		http.Error(w, "404 Backup Not Found", status)
	}
}
