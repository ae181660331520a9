package warehouse

// stageSetup is the SQL, run in the database as the server's own account,
// that makes stage.copy_into: a cloud warehouse's COPY INTO an external
// stage given by URL and credentials, which the 2024 intrusions used to
// take whole tables out. It runs the query's rows, as CSV with a header,
// through sakimori-sim unload (COPY … TO PROGRAM), with its caller's
// rights: only a role that may run programs on the server
// (pg_execute_server_program) can unload, which is the account's
// control over outside stages. Its arguments are checked before they
// reach the program's command line.
const stageSetup = `CREATE SCHEMA stage;
CREATE FUNCTION stage.copy_into(url text, query text, key_id text, secret text) RETURNS text
LANGUAGE plpgsql SECURITY INVOKER AS $fn$
BEGIN
  IF url !~ '^s3://[a-z0-9][a-z0-9.-]{1,62}/[A-Za-z0-9._/-]{1,200}$' THEN
    RAISE EXCEPTION 'stage URL % is not s3://bucket/key', url;
  END IF;
  IF key_id !~ '^[A-Z0-9]{16,32}$' OR secret !~ '^[A-Za-z0-9/+]{20,64}$' THEN
    RAISE EXCEPTION 'the stage''s credentials are not an access key id and its secret';
  END IF;
  EXECUTE format('COPY (%s) TO PROGRAM %L WITH (FORMAT csv, HEADER)', query,
    format('sakimori-sim unload -key-id %s -secret %s %s', key_id, secret, url));
  RETURN 'unloaded to ' || url;
END
$fn$;
COMMENT ON FUNCTION stage.copy_into IS 'COPY INTO an external stage: SELECT stage.copy_into(''s3://bucket/key.csv'', ''SELECT ...'', key_id, secret)';
GRANT USAGE ON SCHEMA stage TO PUBLIC;
`
