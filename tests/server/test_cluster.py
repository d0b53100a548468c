"""The throw-away cluster the server tests use: a real server, each person a password role."""

import psycopg
import pytest

pytestmark = pytest.mark.server


def test_a_role_logs_in_with_its_pgpass_password_and_one_without_is_refused(pg_cluster, pg_db, pgpass):
    alice = pg_cluster.new_role("alice")
    pgpass(alice)
    with psycopg.connect(pg_cluster.url(alice, pg_db)) as conn:
        assert conn.execute("SELECT current_user").fetchone()[0] == alice
    with pytest.raises(psycopg.OperationalError, match="password"):
        psycopg.connect(pg_cluster.url(pg_cluster.new_role("eve"), pg_db))
