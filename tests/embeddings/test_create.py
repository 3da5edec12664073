"""Creating and loading embedding tables: the vector column's stored type, the
properties, and bad arguments."""

from __future__ import annotations

import pyarrow as pa
import pytest

import tablefmt as tf
from tablefmt.catalog import TABLE_TYPE_PROPERTY
from tablefmt.embeddings import EmbeddingTable
from tablefmt.types import FLOAT, ListType
from tests.embeddings._data import OTHER_COLUMNS, make_table


def test_create_embedding_table_stores_vectors_as_iceberg_list_of_float(cat) -> None:
    emb = make_table(cat, dim=4, metric="cosine")
    assert isinstance(emb, EmbeddingTable)
    field = emb.schema.find_field("embedding")
    assert isinstance(field.field_type, ListType) and field.field_type.element_type == FLOAT
    assert field.field_type.element_required and field.required
    assert emb.properties[TABLE_TYPE_PROPERTY] == "embedding"
    assert emb.properties["tablefmt.embedding.dim"] == "4"
    assert emb.properties["tablefmt.embedding.metric"] == "cosine"
    assert emb.properties["tablefmt.embedding.vector-column"] == "embedding"
    assert emb.arrow_schema.field("embedding").type == pa.list_(
        pa.field("element", pa.float32(), nullable=False), 4)


def test_load_table_returns_an_embedding_table(cat) -> None:
    make_table(cat, dim=4)
    loaded = cat.load_table("db.docs")
    assert isinstance(loaded, EmbeddingTable) and loaded.dim == 4 and loaded.metric == "l2"


def test_vector_column_named_in_schema_takes_the_stored_form(local_cat) -> None:
    schema = pa.schema([("id", pa.int64()), ("vec", pa.list_(pa.float64(), 3))])
    emb = local_cat.create_embedding_table("db.v", dim=3, schema=schema, vector_column="vec")
    assert emb.vector_column == "vec"
    assert emb.arrow_schema.names == ["id", "vec"]


def test_exist_ok_returns_the_same_table_and_checks_its_settings(local_cat) -> None:
    first = make_table(local_cat, dim=4)
    again = local_cat.create_embedding_table("db.docs", dim=4, metric="l2",
                                             schema=OTHER_COLUMNS, exist_ok=True)
    assert again.metadata_location == first.metadata_location
    with pytest.raises(tf.ValidationError, match="exists with"):
        local_cat.create_embedding_table("db.docs", dim=5, metric="l2", exist_ok=True)
    with pytest.raises(tf.TableAlreadyExistsError):
        make_table(local_cat, dim=4)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"dim": 0}, "dim must be an integer"),
    ({"dim": 2.5}, "dim must be an integer"),
    ({"dim": 4, "metric": "manhattan"}, "choose one of cosine, l2, dot"),
    ({"dim": 4, "schema": pa.schema([("embedding", pa.string())])}, "must be a list of 4 floats"),
    ({"dim": 4, "schema": pa.schema([("embedding", pa.list_(pa.float32(), 3))])},
     "must be a list of 4 floats"),
    ({"dim": 4, "vector_column": ""}, "vector_column must be"),
])
def test_bad_create_arguments_raise_validation_error_and_create_nothing(local_cat, kwargs,
                                                                        message) -> None:
    with pytest.raises(tf.ValidationError, match=message):
        local_cat.create_embedding_table("db.bad", **kwargs)
    assert not local_cat.table_exists("db.bad")


def test_public_names_are_exactly_all() -> None:
    import tablefmt.embeddings as te

    public = sorted(n for n in vars(te) if not n.startswith("_") and n not in {
        "annotations", "build", "cache", "config", "create", "expiry", "files", "ivf",
        "kmeans", "metrics", "plan", "pq", "registry", "scan", "search", "store", "table",
        "topk", "vectors", "writes"})
    assert public == sorted(te.__all__) == te.__all__
