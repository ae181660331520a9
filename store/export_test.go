package store

import "context"

// Exec runs raw SQL, for tests that must go around the adapters: the
// append-only triggers are there for exactly such statements.
func (db *DB) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := db.sql.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
