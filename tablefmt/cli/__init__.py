"""The `tablefmt` command line: inspect namespaces, tables, snapshots and files
(API.md "CLI"). Entry point: `tablefmt.cli.main.main`."""
