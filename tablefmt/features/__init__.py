"""Feature tables: a feature store with point-in-time correct training sets and
latest-value reads for serving (Feast's rules; DuckDB ASOF joins underneath)."""

from tablefmt.features.historical import get_features_in_range, get_historical_features
from tablefmt.features.table import FeatureTable, create_feature_table

__all__ = ["FeatureTable", "create_feature_table", "get_features_in_range",
           "get_historical_features"]
