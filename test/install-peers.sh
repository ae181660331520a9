#!/usr/bin/env sh
# Installs the independent peer implementations the Go and browser tests
# run against: every folder under test/ with a package-lock.json is one
# (identity providers, an LMS, an LRS, a credential verifier). A folder is
# installed again only when its lock file is newer than its install.
set -eu
cd "$(dirname "$0")"
for lock in */package-lock.json; do
  dir=$(dirname "$lock")
  if [ -d "$dir/node_modules" ] && [ "$dir/node_modules/.package-lock.json" -nt "$lock" ]; then
    continue
  fi
  echo "installing test/$dir"
  (cd "$dir" && npm ci --no-audit --no-fund)
done
