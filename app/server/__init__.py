"""The newsroom server: a shared PostgreSQL archive each laptop syncs with (issue 17). Nothing here is imported,
and no socket opened, unless a server is used: offline stays the default."""
