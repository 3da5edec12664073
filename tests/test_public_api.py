"""`import tablefmt as tf` gives exactly the public surface of API.md: a sorted __all__
that names every public attribute, and every name in it resolves."""

from __future__ import annotations

import tablefmt as tf


def test_all_is_sorted_and_complete() -> None:
    assert tf.__all__ == sorted(tf.__all__)
    public = {n for n in dir(tf) if not n.startswith("_")}
    modules = {n for n in public if type(getattr(tf, n)).__name__ == "module"}
    assert set(tf.__all__) | {"__version__", "annotations"} >= public - modules
    for name in tf.__all__:
        assert hasattr(tf, name), name


def test_error_tree_has_one_root() -> None:
    for name in ["NoSuchTableError", "NoSuchNamespaceError", "TableAlreadyExistsError",
                 "SchemaMismatchError", "CommitConflictError", "FilterError", "ValidationError",
                 "CorruptMetadataError", "StorageError"]:
        assert issubclass(getattr(tf, name), tf.TablefmtError)
    for name in ["SchemaMismatchError", "FilterError", "ValidationError"]:
        assert issubclass(getattr(tf, name), ValueError)


def test_api_md_names_exist() -> None:
    cat_methods = ["create_namespace", "list_namespaces", "list_tables", "table_exists",
                   "create_table", "load_table", "rename_table", "drop_table",
                   "create_embedding_table", "create_feature_table", "list_feature_tables"]
    for m in cat_methods:
        assert callable(getattr(tf.Catalog, m)), m
    table_methods = ["append", "overwrite", "delete", "update", "merge", "transaction",
                     "to_arrow", "scan", "current_snapshot", "snapshots", "snapshot", "history",
                     "refs", "create_tag", "create_branch", "rollback_to", "update_schema",
                     "compact", "expire_snapshots", "remove_orphan_files"]
    for m in table_methods:
        assert callable(getattr(tf.Table, m)), m
    for m in ["to_arrow", "to_batches", "to_pandas", "to_polars", "to_duckdb", "plan_files",
              "explain"]:
        assert callable(getattr(tf.Scan, m)), m
